"""`feeds schedule` (the service, --list, --once) and `feeds status`."""

from __future__ import annotations

import logging
import os
import signal
from datetime import datetime
from itertools import islice
from typing import Any

import click

from feeds.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    common_options,
    format_option,
    load_settings,
    now_option,
    options,
    print_json,
    resolve_now,
)
from feeds.errors import UsageError

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@click.command()
@click.option("--list", "list_jobs", is_flag=True,
              help="Print every job with its next three run times (site timezone) and exit.")
@click.option("--once", metavar="JOB",
              help="Run one job now and exit: build, build:NAME (a schedule.feeds entry), "
                   "digest:NAME, or just NAME.")
@format_option
@now_option
@common_options
def schedule(list_jobs: bool, once: str | None, fmt: str, now: str | None) -> int:
    """Run builds and digests on their schedules (config.yaml `schedule:`), until stopped.

    SIGTERM or Ctrl-C stops it cleanly: no new jobs start, a digest being sent finishes
    its current message, and the service exits 0. A run missed while it was down is made
    up once at start-up if it is at most schedule.misfire_grace_time late.
    """
    config = load_settings()
    if list_jobs:
        return _list(config, resolve_now(now), fmt)
    if once is not None:
        return _once(config, once, resolve_now(now))
    if now is not None:
        raise UsageError("--now goes with --list or --once; the service runs on the real clock")
    return _serve(config)


def _log_level() -> int:
    opts = options()
    return logging.WARNING if opts.quiet else logging.DEBUG if opts.verbose > 1 else logging.INFO


def _list(config: Any, now: datetime, fmt: str) -> int:
    from feeds.schedule.status import format_listing
    from feeds.schedule.triggers import fire_times, in_zone, jobs_from_config

    tz = config.site.tz
    jobs = [(s.id, s.description, list(islice(fire_times(s.trigger, now), 3)))
            for s in jobs_from_config(config)]
    if fmt == "json":
        print_json({
            "timezone": config.site.timezone,
            "watch": config.schedule.watch,
            "jobs": [{"job": j, "schedule": d, "next": [in_zone(f, tz).isoformat() for f in fs]}
                     for j, d, fs in jobs],
        })
        return EXIT_OK
    click.echo(format_listing(jobs, config.site.timezone, tz) if jobs else "no scheduled jobs")
    if config.schedule.watch:
        delay = config.schedule.watch_delay.total_seconds()
        click.echo(f"watch: feeds are rebuilt {delay:g}s after content files change")
    return EXIT_OK


def _once(config: Any, name: str, now: datetime) -> int:
    from feeds.schedule.logs import setup_logging, teardown_logging
    from feeds.schedule.runner import JobRunner
    from feeds.schedule.state import STATE_DB, JobState
    from feeds.schedule.triggers import job_names, jobs_from_config, resolve_job

    job = resolve_job(config, name)
    if job is None:
        raise UsageError(f"no job named {name!r}", hint="jobs: " + ", ".join(job_names(config)))
    setup_logging(config.site.tz, config.schedule.log_file, _log_level())
    triggers = {spec.id: spec.description for spec in jobs_from_config(config)}
    runner = JobRunner(config, JobState(config.state / STATE_DB), triggers=triggers)
    try:
        run = runner.run(job, now, reason="once")
    finally:
        teardown_logging()
    return EXIT_OK if run is not None and run.outcome == "ok" else EXIT_PROBLEMS


def _serve(config: Any) -> int:
    from feeds.schedule.logs import logfmt, logger, setup_logging, teardown_logging
    from feeds.schedule.service import SchedulerService

    service = SchedulerService(config)
    setup_logging(config.site.tz, config.schedule.log_file, _log_level())
    # Block the stop signals before any thread starts (threads inherit the mask), then
    # wait for one with sigwait: no handler runs at an awkward moment in another thread.
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        service.start()
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        teardown_logging()
        raise
    received = signal.sigwait(STOP_SIGNALS)
    logger().info(logfmt(event="stopping", signal=signal.Signals(received).name))
    clean = service.stop()
    teardown_logging()  # flushes and closes the log file
    # A second stop signal may be pending (timeout(1) signals the process and its group; an
    # impatient second Ctrl-C): ignore it rather than die of it after a clean stop.
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    if not clean:
        # A job still runs past stop_timeout and its worker thread would keep the interpreter
        # alive: leave now (feeds and the ledger are written atomically).
        os._exit(EXIT_PROBLEMS)
    return EXIT_OK


@click.command()
@format_option
@common_options
def status(fmt: str) -> int:
    """Show the last and next run of each scheduled job and the last digest sends."""
    from feeds.schedule.overview import format_sends, status_overview
    from feeds.schedule.runner import utc_now
    from feeds.schedule.status import format_status

    config = load_settings()
    document = status_overview(config, utc_now())
    if fmt == "json":
        print_json(document)
        return EXIT_OK
    click.echo(format_status(document))
    click.echo("")
    click.echo("\n".join(format_sends(document["digests"])))
    return EXIT_OK
