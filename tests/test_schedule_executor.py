"""The APScheduler executor: the fire time reaches the job as ``now``; late runs are
missed, due runs coalesce into one, and a slow job never overlaps itself."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED, EVENT_JOB_MISSED
from apscheduler.executors.base import MaxInstancesReachedError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from feeds.schedule.executor import FireTimeExecutor, run_due

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, datetime]] = []
        self.missed: list[tuple[str, datetime]] = []
        self.done = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def job(self, name: str, now: datetime | None = None) -> str:
        assert now is not None
        self.calls.append((name, now))
        self.done.set()
        self.release.wait(10)
        return name

    def on_missed(self, job: str, fire: datetime) -> None:
        self.missed.append((job, fire))


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def scheduler(recorder: Recorder) -> Iterator[BackgroundScheduler]:
    scheduler = BackgroundScheduler(
        timezone=UTC,
        executors={"default": FireTimeExecutor(2, recorder.on_missed)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    yield scheduler
    if scheduler.running:
        recorder.release.set()
        scheduler.shutdown(wait=True)


def _job(scheduler: BackgroundScheduler, recorder: Recorder, **kwargs: Any) -> Any:
    scheduler.start(paused=True)  # jobs get their defaults, nothing runs
    return scheduler.add_job(recorder.job, args=("build",), id="build", **kwargs)


def test_a_due_run_gets_its_fire_time_as_now(
    scheduler: BackgroundScheduler, recorder: Recorder
) -> None:
    job = _job(scheduler, recorder, trigger="interval", minutes=10)
    events = run_due(job, [NOW], NOW + timedelta(minutes=5), recorder.on_missed)
    assert recorder.calls == [("build", NOW)]
    assert [(e.code, e.scheduled_run_time, e.retval) for e in events] == [
        (EVENT_JOB_EXECUTED, NOW, "build")
    ]


def test_a_run_later_than_the_grace_time_is_missed_not_run(
    scheduler: BackgroundScheduler, recorder: Recorder
) -> None:
    job = _job(scheduler, recorder, trigger="interval", minutes=10)
    late = NOW + timedelta(hours=1, seconds=1)
    events = run_due(job, [NOW], late, recorder.on_missed)
    assert recorder.calls == [] and recorder.missed == [("build", NOW)]
    assert [e.code for e in events] == [EVENT_JOB_MISSED]


def test_runs_due_together_coalesce_into_the_latest_one(
    scheduler: BackgroundScheduler, recorder: Recorder
) -> None:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=25)
    trigger = IntervalTrigger(minutes=10, start_date=start, timezone=UTC)
    scheduler.add_job(recorder.job, trigger, args=("build",), id="build", next_run_time=start)
    scheduler.start()
    assert recorder.done.wait(10)
    assert recorder.calls == [("build", start + timedelta(minutes=20))]
    assert recorder.missed == []


def test_a_slow_job_never_overlaps_itself(
    scheduler: BackgroundScheduler, recorder: Recorder
) -> None:
    job = _job(scheduler, recorder, trigger="interval", minutes=1)
    executor = scheduler._lookup_executor("default")
    recorder.release.clear()  # the first run blocks until released
    fire = datetime.now(UTC)
    executor.submit_job(job, [fire])
    assert recorder.done.wait(10)
    with pytest.raises(MaxInstancesReachedError):
        executor.submit_job(job, [fire + timedelta(minutes=1)])
    recorder.release.set()
    assert recorder.calls == [("build", fire)]
