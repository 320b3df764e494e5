"""Running one job: call the same function as the CLI, time it, log it, remember it.

No scheduling here: the scheduler (or ``--once``, or the content watcher) says which job
and which ``now``; a failure is logged with its traceback and never escapes, so the
scheduler carries on and the next run is a normal one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from feeds.config import Config
from feeds.errors import FeedsError
from feeds.schedule.logs import job_line, logfmt, logger
from feeds.schedule.state import JobState, RunRecord
from feeds.schedule.triggers import JobRef

JobFunction = Callable[[Config, JobRef, datetime, threading.Event], Mapping[str, Any]]
Clock = Callable[[], datetime]
ExcInfo = tuple[type[BaseException], BaseException, Any] | None


def run_build_job(
    config: Config, job: JobRef, now: datetime, stop: threading.Event
) -> Mapping[str, Any]:
    from feeds.build import run_build  # imported when first run: keeps `feeds --help` fast

    report: Any = run_build(config, now=now, only=job.only)
    result: Mapping[str, Any] = report.as_dict()
    return result


def run_digest_job(
    config: Config, job: JobRef, now: datetime, stop: threading.Event
) -> Mapping[str, Any]:
    from feeds.digest.run import run_digest

    assert job.digest is not None
    report: Any = run_digest(config, job.digest, now=now, stop=stop)
    result: Mapping[str, Any] = report.as_dict()
    return result


JOB_FUNCTIONS: Mapping[str, JobFunction] = {"build": run_build_job, "digest": run_digest_job}


def utc_now() -> datetime:
    return datetime.now(UTC)


NOT_COUNTS = frozenset({"exit_code", "run"})  # numbers in reports that count nothing


def counts_of(report: Mapping[str, Any]) -> dict[str, int]:
    """The numbers worth a log line: top-level integers, sizes of top-level lists, and the
    integers of a nested mapping of numbers (a build's ``counts``)."""
    counts: dict[str, int] = {}
    for key, value in report.items():
        if isinstance(value, bool) or key in NOT_COUNTS:
            continue
        if isinstance(value, int):
            counts[key] = value
        elif isinstance(value, list | tuple):
            counts[key] = len(value)
        elif isinstance(value, Mapping) and all(_is_count(v) for v in value.values()):
            counts.update(value)
    return counts


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def outcome_of(report: Mapping[str, Any]) -> str:
    """ok; partial when something is left to do (a feed failed, recipients to retry);
    interrupted when a stop request cut a digest short."""
    status = report.get("status")
    if status == "stopped":
        return "interrupted"
    if status == "partial" or report.get("failed") or report.get("exit_code"):
        return "partial"
    return "ok"


class JobRunner:
    """Runs jobs one at a time per serial key (one build at a time, each digest on its own),
    and knows which are running (for a clean stop)."""

    def __init__(
        self,
        config: Config,
        state: JobState,
        *,
        triggers: Mapping[str, str] | None = None,
        functions: Mapping[str, JobFunction] = JOB_FUNCTIONS,
        clock: Clock = utc_now,
        on_record: Callable[[RunRecord], None] | None = None,
    ) -> None:
        self.config = config
        self.state = state
        self.stop = threading.Event()
        self._triggers = dict(triggers or {})
        self._functions = functions
        self._clock = clock
        self._on_record = on_record
        self._job_locks: dict[str, threading.Lock] = {}
        self._active: Counter[str] = Counter()
        self._changed = threading.Condition()

    def run(self, job: JobRef, now: datetime, reason: str = "schedule") -> RunRecord | None:
        """Run ``job`` for fire time ``now``; None if the service is stopping."""
        with self._lock_for(job):
            if self.stop.is_set():
                return None
            with self._tracking(job.id):  # until recorded: a clean stop waits for that too
                started, clock_start = self._clock(), time.monotonic()
                outcome, counts, error, note, exc_info = self._call(job, now)
                duration = time.monotonic() - clock_start
                run = RunRecord(job.id, now, started, duration, outcome, reason, counts, error,
                                note)
                self._finish(run, exc_info)
        return run

    def missed(self, job: JobRef, fire: datetime, reason: str = "schedule") -> RunRecord:
        """Record and log a fire time that was skipped for being too late."""
        run = RunRecord(job.id, fire, self._clock(), 0.0, "missed", reason)
        self._finish(run, None)
        return run

    def running(self) -> list[str]:
        with self._changed:
            return sorted(self._active)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no job runs; False if some still did after ``timeout`` seconds."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._active, timeout)

    def _call(self, job: JobRef, now: datetime) -> tuple[str, dict[str, int], str | None,
                                                         str | None, ExcInfo]:
        """(outcome, counts, error, note, exc_info) of one call of the job's function."""
        function = self._functions[job.kind]
        try:
            report = function(self.config, job, now, self.stop)
        except FeedsError as exc:  # the user's to fix: a message and hint, no traceback
            return "error", {}, str(exc), None, None
        except Exception as exc:
            exc_info = (type(exc), exc, exc.__traceback__)
            return "error", {}, f"{type(exc).__name__}: {exc}", None, exc_info
        status = report.get("status")
        note = status if isinstance(status, str) else None
        return outcome_of(report), counts_of(report), None, note, None

    def _finish(self, run: RunRecord, exc_info: ExcInfo) -> None:
        log = logger()
        line = job_line(run, self.config.site.tz)
        if run.outcome == "error":
            log.error(line, exc_info=exc_info)
            if exc_info is None and run.error and "\n" in run.error:
                log.error("%s: %s", run.job, run.error)
        else:
            log.log(logging.INFO if run.outcome == "ok" else logging.WARNING, line)
        try:
            self.state.record(run, self._triggers.get(run.job, "unscheduled"))
            if self._on_record is not None:
                self._on_record(run)
        except Exception:  # a full disk must not stop the scheduler: say so and carry on
            log.exception("could not record the run of %s", run.job)

    @contextmanager
    def _lock_for(self, job: JobRef) -> Iterator[None]:
        with self._changed:
            lock = self._job_locks.setdefault(job.serial, threading.Lock())
            busy = self._active.keys() - {job.id}
        if not lock.acquire(blocking=False):
            # say why a run starts late: another build (or this job) is still going
            logger().info(logfmt(job=job.id, event="waiting", behind=",".join(sorted(busy))))
            lock.acquire()
        try:
            yield
        finally:
            lock.release()

    @contextmanager
    def _tracking(self, job_id: str) -> Iterator[None]:
        with self._changed:
            self._active[job_id] += 1
        try:
            yield
        finally:
            with self._changed:
                self._active[job_id] -= 1
                if not self._active[job_id]:
                    del self._active[job_id]
                self._changed.notify_all()
