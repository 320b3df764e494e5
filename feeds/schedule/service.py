"""``feeds schedule``: APScheduler wired to the job runner, with catch-up, lock and stop.

Jobs live in APScheduler's in-memory store, rebuilt from config.yaml at every start; the
state database says when each last fired, and ``plan_catch_up`` decides about the runs
missed meanwhile. (A persistent APScheduler job store would need config and store to be
reconciled at every start: re-adding jobs with ``replace_existing=True`` resets their next
run time and silently loses catch-ups, APScheduler issue 696.)
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, JobSubmissionEvent
from apscheduler.schedulers.background import BackgroundScheduler

from feeds.errors import ConfigError
from feeds.schedule.catchup import CatchUp, plan_catch_up
from feeds.schedule.executor import FireTimeExecutor
from feeds.schedule.lock import StateLock
from feeds.schedule.logs import logfmt, logger
from feeds.schedule.runner import JOB_FUNCTIONS, Clock, JobFunction, JobRunner, utc_now
from feeds.schedule.state import STATE_DB, JobState, RunRecord
from feeds.schedule.status import STATUS_NAME, job_entries, write_status_file
from feeds.schedule.triggers import BUILD_JOB, JobSpec, in_zone, jobs_from_config
from feeds.schedule.watch import ContentWatcher

if TYPE_CHECKING:
    from feeds.config import Config


class SchedulerService:
    """start() — runs in background threads — stop(). One per state folder (a lock file)."""

    def __init__(
        self,
        config: Config,
        *,
        functions: Mapping[str, JobFunction] = JOB_FUNCTIONS,
        clock: Clock = utc_now,
    ) -> None:
        self.config = config
        self.jobs = {spec.id: spec for spec in jobs_from_config(config)}
        if not self.jobs and not config.schedule.watch:
            raise ConfigError(
                ["schedule: nothing to schedule"],
                hint="set schedule.build, schedule.feeds, a digest's schedule, "
                "or schedule.watch: true",
            )
        self._clock = clock
        self._functions = functions
        self._lock = StateLock(config.state)
        self._catch_ups: set[tuple[str, datetime]] = set()
        self._scheduler: BackgroundScheduler | None = None
        self._watcher: ContentWatcher | None = None
        self._started: datetime | None = None
        self._status_lock = threading.Lock()  # two jobs may finish at once
        self.runner: JobRunner | None = None

    def start(self) -> list[CatchUp]:
        """Take the lock, decide catch-ups, start the scheduler (and the watcher)."""
        self._lock.acquire()
        try:
            return self._start()
        except BaseException:
            self._lock.release()
            raise

    def _start(self) -> list[CatchUp]:
        now = self._started = self._clock()
        state = JobState(self.config.state / STATE_DB)
        self.runner = JobRunner(
            self.config,
            state,
            triggers={job: spec.description for job, spec in self.jobs.items()},
            functions=self._functions,
            clock=self._clock,
            on_record=self._recorded,
        )
        plans = [self._plan(spec, state, now) for spec in self.jobs.values()]
        for job in state.forget_except(set(self.jobs)):
            logger().info(logfmt(job=job, event="removed", note="no longer in config.yaml"))
        self._scheduler = self._make_scheduler(plans)
        self._scheduler.start()
        if self.config.schedule.watch:
            self._start_watcher()
        self._log_started()
        self.write_status(running=True)
        return plans

    def _plan(self, spec: JobSpec, state: JobState, now: datetime) -> CatchUp:
        registration = state.register(spec.id, spec.description, now)
        if registration.previous_trigger is not None:
            logger().info(
                logfmt(job=spec.id, event="rescheduled", was=registration.previous_trigger,
                       now=spec.description)
            )
        if registration.is_new or registration.previous_trigger is not None:
            return CatchUp(spec.id, 0, None, None)
        grace = self.config.schedule.misfire_grace_time
        plan = plan_catch_up(spec.id, spec.trigger, registration.row.last_handled, now, grace)
        if plan.missed:
            note = plan.describe(grace, self.config.site.tz)
            logger().warning(logfmt(job=spec.id, event="catch-up", note=note))
        if plan.run_at is not None:
            self._catch_ups.add((spec.id, plan.run_at))
        elif plan.skipped:
            state.rebase(spec.id, now)  # handled: the next start looks for misses after now
        return plan

    def _make_scheduler(self, plans: list[CatchUp]) -> BackgroundScheduler:
        grace = int(self.config.schedule.misfire_grace_time.total_seconds())
        executor = FireTimeExecutor(max_workers=len(self.jobs) + 1, on_missed=self._on_missed)
        scheduler = BackgroundScheduler(
            timezone=self.config.site.tz,
            executors={"default": executor},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
        )
        run_at = {plan.job: plan.run_at for plan in plans if plan.run_at is not None}
        for job, spec in self.jobs.items():
            extra: dict[str, Any] = {"next_run_time": run_at[job]} if job in run_at else {}
            scheduler.add_job(
                self._fire, trigger=spec.trigger, args=(job,), id=job, name=job, **extra
            )
        scheduler.add_listener(self._on_overlap, EVENT_JOB_MAX_INSTANCES)
        return scheduler

    def _on_overlap(self, event: JobSubmissionEvent) -> None:
        """max_instances=1 turned a run away: say so in our own words (APScheduler's warning
        is below the level we let through)."""
        tz = self.config.site.tz
        fires = [in_zone(f, tz).isoformat(timespec="seconds") for f in event.scheduled_run_times]
        logger().warning(logfmt(job=event.job_id, event="overlap", fire=",".join(fires),
                                note="the previous run is still going; this one is skipped"))

    def _fire(self, job: str, now: datetime | None = None) -> RunRecord | None:
        # ``now`` has a default only for APScheduler's signature check: the executor always
        # passes the fire time.
        assert self.runner is not None and now is not None
        reason = "catch-up" if (job, now) in self._catch_ups else "schedule"
        self._catch_ups.discard((job, now))
        return self.runner.run(self.jobs[job].ref, now, reason)

    def _on_missed(self, job: str, fire: datetime) -> None:
        assert self.runner is not None
        self.runner.missed(self.jobs[job].ref, fire)

    def _start_watcher(self) -> None:
        def rebuild() -> None:
            assert self.runner is not None
            self.runner.run(BUILD_JOB, self._clock(), "watch")

        self._watcher = ContentWatcher(
            self.config.content.dirs,
            self.config.schedule.watch_delay.total_seconds(),
            rebuild,
            ignored=[self.config.output, self.config.state],
        )
        self._watcher.start()

    def stop(self, timeout: float | None = None) -> bool:
        """Stop taking jobs, let running ones finish; False if one still ran after timeout."""
        if self.runner is None:
            return True
        if timeout is None:
            timeout = self.config.schedule.stop_timeout.total_seconds()
        self.runner.stop.set()  # a digest sends no further message after this
        if self._watcher is not None:
            self._watcher.stop()
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        idle = self.runner.wait_idle(timeout)
        if not idle:
            still = ", ".join(self.runner.running())
            logger().error(logfmt(event="stop", note=f"still running after {timeout:g}s: {still}"))
        self.write_status(running=False)
        self._lock.release()
        logger().info(logfmt(event="stopped", clean=str(idle).lower()))
        return idle

    def next_runs(self) -> dict[str, datetime | None]:
        if self._scheduler is None:
            return {}
        return {job.id: getattr(job, "next_run_time", None) for job in self._scheduler.get_jobs()}

    def write_status(self, running: bool) -> None:
        assert self.runner is not None and self._started is not None
        tz = self.config.site.tz
        document = {
            "timezone": self.config.site.timezone,
            "service": {
                "pid": os.getpid(),
                "running": running,
                "started": in_zone(self._started, tz).isoformat(timespec="seconds"),
                "updated": in_zone(self._clock(), tz).isoformat(timespec="seconds"),
                "watch": self.config.schedule.watch,
            },
            "jobs": job_entries(
                [(job, spec.description) for job, spec in self.jobs.items()],
                self.runner.state.rows(),
                self.next_runs() if running else {},
                tz,
            ),
        }
        with self._status_lock:
            write_status_file(self.config.state / STATUS_NAME, document)

    def _recorded(self, run: RunRecord) -> None:
        self.write_status(running=not (self.runner and self.runner.stop.is_set()))

    def _log_started(self) -> None:
        tz = self.config.site.tz
        nexts = self.next_runs()
        logger().info(
            logfmt(event="started", pid=os.getpid(), state=self.config.state,
                   timezone=self.config.site.timezone,
                   watch=str(self.config.schedule.watch).lower())
        )
        for job, spec in self.jobs.items():
            fire = nexts.get(job)
            when = in_zone(fire, tz).isoformat() if fire else "never"
            logger().info(logfmt(job=job, event="scheduled", schedule=spec.description, next=when))
