"""`feeds build` and `feeds validate`: write the feeds, and check any feed file."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from feeds import afterlife
from feeds.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    common_options,
    config_file,
    format_option,
    load_settings,
    now_option,
    options,
    print_json,
    resolve_now,
    say,
    settings_overrides,
    warn,
)
from feeds.gcpause import collector_paused
from feeds.models import Severity

if TYPE_CHECKING:
    from feeds.buildreport import BuildReport
    from feeds.buildstamp import RawInputs


@click.command()
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Output folder, instead of the configured one.")
@click.option("--only", multiple=True, metavar="NAME", help="Build only this feed (repeatable).")
@click.option("--limit", type=click.IntRange(min=0), default=None, metavar="N",
              help="Items per feed for this run; 0: every article, full content, no size budget.")
@click.option("--strict", is_flag=True, help="Exit 1 on any problem, warnings included.")
@format_option
@now_option
@common_options
def build(
    out: Path | None, only: tuple[str, ...], limit: int | None, strict: bool, fmt: str,
    now: str | None,
) -> int:
    """Build every configured feed (RSS, Atom, JSON Feed) into the output folder."""
    started = time.monotonic()
    afterlife.until_exit()  # this process ends once the build is reported
    # importing the pipeline and the config schema, and validating, build many objects
    # too: the collector would walk them all (~10 ms) and find nothing to free
    with collector_paused():
        report = _build(out, only, limit, strict, now)
        afterlife.settle()
    seconds = round(time.monotonic() - started, 2)
    if fmt == "json":
        print_json({**report.as_dict(), "seconds": seconds})
        return report.exit_code
    for problem in report.problems:
        warn(str(problem) + (" (warning)" if problem.severity is Severity.WARNING else ""))
    for path in report.failed:
        warn(f"{path}: not published")
    counts = report.counts
    say(
        f"{len(report.written)} files written, {len(report.unchanged)} unchanged, "
        f"{len(report.failed)} failed; {counts.get('feeds', 0)} feeds from "
        f"{counts.get('articles', 0)} articles; {len(report.problems)} problems "
        f"({len(report.errors)} errors) in {seconds:.2f}s"
    )
    if options().verbose and report.timings:  # where the time went, for anyone tuning a build
        say("phases: " + ", ".join(f"{name} {sec:.3f}s" for name, sec in report.timings.items()))
    return report.exit_code


def _build(
    out: Path | None, only: tuple[str, ...], limit: int | None, strict: bool, now: str | None
) -> BuildReport:
    from feeds.buildreport import BuildReport
    from feeds.buildstamp import quick_replay, raw_inputs
    from feeds.timings import Timings

    moment = resolve_now(now)
    out_dir = out.resolve() if out else None
    # nothing changed since the last identical command: its result, without validating the
    # config or importing the pipeline (see feeds.buildstamp)
    raw = raw_inputs(config_file=config_file(), overrides=settings_overrides(), out=out_dir,
                     only=only, limit=limit)
    timings = Timings()
    validated: list[Any] = []  # the config, when validated while the sources were listed
    try:
        with timings.phase("discover"):  # what a changed file needs is made ready meanwhile
            replay = None
            if raw is not None:
                replay = quick_replay(
                    raw, moment, meanwhile=lambda done: _get_ready(raw, done),
                    unstamped=lambda: validated.append(load_settings(memo=raw)),
                )
        if replay is not None:
            return BuildReport.replayed(replay, strict, timings.as_dict())
        from feeds.build import run_build
        from feeds.cli.progress import progress

        config = validated[0] if validated else load_settings(memo=raw)
        return run_build(config, now=moment, only=only, limit=limit, out=out_dir,
                         strict=strict, progress=progress, raw=raw, timings=timings)
    finally:
        if raw is not None:  # records read ahead and not taken are never another build's
            from feeds.content.cache import forget_read_ahead

            forget_read_ahead()


def _get_ready(raw: RawInputs, unchanged: Callable[[], bool]) -> None:
    """What a build that is not replayed does first, done while the sources are listed: the
    pipeline imported, and every file's cached record read (when the config is remembered),
    until ``unchanged()`` says the build will be replayed."""
    import feeds.build
    import feeds.content.collect  # noqa: F401
    from feeds.config.memo import known_config
    from feeds.content.cache import ArticleCache

    config = known_config(raw.config_key, raw.state) if not unchanged() else None
    if config is not None:
        ArticleCache.of(config).read_ahead(stop=unchanged)


@click.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@format_option
@common_options
def validate(files: tuple[Path, ...], fmt: str) -> int:
    """Check feed files (RSS 2.0, Atom 1.0, JSON Feed 1.1) as the build checks its own."""
    from feeds.feedcheck import check_file

    results = {str(path): check_file(path) for path in files}
    if fmt == "json":
        print_json([{"file": f, "ok": not e, "errors": e} for f, e in results.items()])
    else:
        for name, errors in results.items():
            for error in errors:
                warn(f"{name}: {error}")
            if not errors:
                say(f"{name}: ok")
    return EXIT_PROBLEMS if any(results.values()) else EXIT_OK
