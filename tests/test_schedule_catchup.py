"""Runs missed while the service was down: one coalesced catch-up within the grace time,
none after a week. Pure decisions from a fixed ``now``, then the real service on top."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from test_schedule_support import Calls, cron_fired, make_config, run_until_first_call, seed_state

from feeds.config.sections.schedule import JobSchedule
from feeds.schedule.catchup import COUNT_LIMIT, plan_catch_up
from feeds.schedule.service import SchedulerService
from feeds.schedule.state import STATE_DB, JobState
from feeds.schedule.triggers import make_trigger

DAILY_8 = make_trigger(JobSchedule.model_validate("0 8 * * *"), UTC)
HOURLY = make_trigger(JobSchedule.model_validate({"every": "1h"}), UTC)
EIGHT = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
GRACE = timedelta(hours=6)


def test_stopped_two_hours_across_a_fire_time_runs_it_once() -> None:
    plan = plan_catch_up("digest:daily", DAILY_8, EIGHT - timedelta(hours=1),
                         EIGHT + timedelta(hours=1), GRACE)
    assert (plan.missed, plan.first, plan.run_at, plan.skipped) == (1, EIGHT, EIGHT, False)
    assert plan.describe(GRACE, UTC) == (
        "missed 1 run since 2026-11-26T08:00:00+00:00; running once for 2026-11-26T08:00:00+00:00"
    )


def test_stopped_for_a_week_runs_nothing_and_says_so() -> None:
    plan = plan_catch_up("digest:daily", DAILY_8, EIGHT - timedelta(days=7, hours=1),
                         EIGHT - timedelta(hours=7), GRACE)
    assert (plan.missed, plan.run_at, plan.skipped) == (7, None, True)
    assert plan.describe(GRACE, UTC) == (
        "missed 7 runs since 2026-11-19T08:00:00+00:00, all more than 6:00:00 ago: skipped"
    )


def test_several_missed_runs_coalesce_into_the_latest() -> None:
    last = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    plan = plan_catch_up("build", HOURLY, last, last + timedelta(hours=2, minutes=30), GRACE)
    assert (plan.missed, plan.first, plan.run_at) == (
        2, last + timedelta(hours=1), last + timedelta(hours=2),
    )


@pytest.mark.parametrize(("late", "runs"), [
    (timedelta(hours=6), True),  # exactly the grace time: still runs (APScheduler's rule)
    (timedelta(hours=6, seconds=1), False),
])
def test_the_grace_time_boundary(late: timedelta, runs: bool) -> None:
    plan = plan_catch_up("d", DAILY_8, EIGHT - timedelta(hours=1), EIGHT + late, GRACE)
    assert (plan.run_at == EIGHT) is runs and plan.missed == 1


def test_nothing_missed_when_the_last_run_was_the_latest_fire_time() -> None:
    plan = plan_catch_up("d", DAILY_8, EIGHT, EIGHT + timedelta(hours=23), GRACE)
    assert (plan.missed, plan.run_at, plan.skipped) == (0, None, False)
    assert plan.describe(GRACE, UTC) == "nothing missed"


def test_a_long_outage_of_a_frequent_job_is_counted_up_to_a_limit() -> None:
    every_second = make_trigger(JobSchedule.model_validate({"every": "1s"}), UTC)
    plan = plan_catch_up("build", every_second, EIGHT, EIGHT + timedelta(days=7), GRACE)
    assert plan.missed == COUNT_LIMIT and plan.run_at == EIGHT + timedelta(days=7)
    assert "missed 1000+ runs" in plan.describe(GRACE, UTC)


# --- the real service (APScheduler on the real clock) on top of seeded state -------------


def test_the_service_runs_one_catch_up_with_the_missed_fire_time_as_now(tmp_path: Path) -> None:
    cron, fire = cron_fired(timedelta(hours=1))
    seed_state(tmp_path, "build", f"cron {cron}", fire - timedelta(hours=1))
    calls = Calls()
    service = SchedulerService(make_config(tmp_path, schedule={"build": cron}),
                               functions=calls.table)
    plans = run_until_first_call(service, calls)
    assert [p.run_at for p in plans] == [fire]
    assert calls.calls == [("build", fire)]
    row = JobState(tmp_path / "state" / STATE_DB).get("build")
    assert row and row.last and (row.last.fire, row.last.reason, row.last.outcome) == (
        fire, "catch-up", "ok",
    )


def test_the_service_skips_a_week_of_missed_runs_and_logs_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cron, fire = cron_fired(timedelta(hours=7))
    seed_state(tmp_path, "build", f"cron {cron}", fire - timedelta(days=6, minutes=1))
    calls = Calls()
    service = SchedulerService(make_config(tmp_path, schedule={"build": cron}),
                               functions=calls.table)
    with caplog.at_level(logging.WARNING, logger="feeds.schedule"):
        service.start()
        next_run = service.next_runs()["build"]
        assert service.stop(timeout=10)
    assert calls.calls == []
    assert next_run is not None and next_run > datetime.now(UTC)
    assert "job=build event=catch-up" in caplog.text
    assert "missed 7 runs since" in caplog.text and "skipped" in caplog.text
    row = JobState(tmp_path / "state" / STATE_DB).get("build")
    assert row and row.last is None and row.since > fire  # not found again at the next start


def test_a_new_or_rescheduled_job_is_not_caught_up(tmp_path: Path) -> None:
    cron, fire = cron_fired(timedelta(hours=1))
    seed_state(tmp_path, "build", "cron 0 3 * * *", fire - timedelta(hours=1))  # was another time
    calls = Calls()
    service = SchedulerService(make_config(tmp_path, schedule={"build": cron}),
                               functions=calls.table)
    plans = service.start()
    assert service.stop(timeout=10)
    assert [p.missed for p in plans] == [0] and calls.calls == []
