"""An APScheduler executor that hands each job its scheduled fire time as ``now``.

APScheduler 3's own ``run_job`` calls ``job.func(*args, **kwargs)`` and keeps the fire time
to itself; our jobs need it (output depends on ``now``, never on the wall clock). The
misfire rule is APScheduler's: a run later than the job's ``misfire_grace_time`` is skipped
and reported through ``on_missed``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job

OnMissed = Callable[[str, datetime], None]


def run_due(
    job: Job, run_times: Sequence[datetime], now: datetime, on_missed: OnMissed
) -> list[JobExecutionEvent]:
    """Run ``job`` once per due fire time (one, with coalesce) unless it is too late."""
    events = []
    alias = getattr(job, "_jobstore_alias", None)
    for fire in run_times:
        grace = job.misfire_grace_time
        if grace is not None and now - fire > timedelta(seconds=grace):
            on_missed(job.id, fire)
            events.append(JobExecutionEvent(EVENT_JOB_MISSED, job.id, alias, fire))
            continue
        try:
            result = job.func(*job.args, now=fire, **job.kwargs)
        except Exception as exc:  # the runner logs its own failures; this is a last resort
            events.append(JobExecutionEvent(EVENT_JOB_ERROR, job.id, alias, fire, exception=exc))
        else:
            events.append(JobExecutionEvent(EVENT_JOB_EXECUTED, job.id, alias, fire, retval=result))
    return events


class FireTimeExecutor(ThreadPoolExecutor):
    """A thread pool whose jobs receive ``now=<scheduled fire time>``."""

    def __init__(self, max_workers: int, on_missed: OnMissed) -> None:
        super().__init__(max_workers=max_workers)
        self._on_missed = on_missed

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        def done(future: Future[list[JobExecutionEvent]]) -> None:
            exc = future.exception()
            if exc is not None:
                self._run_job_error(job.id, exc, exc.__traceback__)
            else:
                self._run_job_success(job.id, future.result())

        future = self._pool.submit(
            lambda: run_due(job, run_times, datetime.now(UTC), self._on_missed)
        )
        future.add_done_callback(done)
