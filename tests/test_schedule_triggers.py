"""When jobs fire: config → jobs and triggers, in the site timezone, across DST changes.

All fire times are computed from a fixed ``after`` — no clock, no sleeping.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import islice, pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from test_schedule_support import DATA, make_config

from feeds.config import load_config
from feeds.config.sections.schedule import JobSchedule, format_duration
from feeds.errors import ConfigError
from feeds.schedule.triggers import (
    BUILD_JOB,
    fire_times,
    in_zone,
    jobs_from_config,
    make_trigger,
    next_fire,
    resolve_job,
)

NEW_YORK = ZoneInfo("America/New_York")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_fires(expr: str | dict[str, str], tz: ZoneInfo, after: datetime, n: int) -> list[str]:
    schedule = JobSchedule.model_validate(expr)
    fires = islice(fire_times(make_trigger(schedule, tz), after), n)
    return [in_zone(f, tz).isoformat() for f in fires]


def test_jobs_come_from_schedule_build_and_each_scheduled_digest(tmp_path: Path) -> None:
    config = make_config(
        tmp_path,
        schedule={"build": {"every": "10m"}},
        digests=[{"name": "daily", "schedule": "0 8 * * *"}, {"name": "manual"},
                 {"name": "weekly", "schedule": {"cron": "0 9 * * 1"}}],
    )
    jobs = jobs_from_config(config)
    assert [(j.id, j.description) for j in jobs] == [
        ("build", "every 10m"), ("digest:daily", "cron 0 8 * * *"),
        ("digest:weekly", "cron 0 9 * * 1"),
    ]
    assert jobs[1].ref.digest == "daily"


def test_the_example_config_fires_on_the_shanghai_clock() -> None:
    config = load_config(DATA / "config-example.yaml")
    after = datetime(2026, 11, 26, 22, 3, tzinfo=SHANGHAI)
    build, daily = jobs_from_config(config)
    assert [in_zone(f, SHANGHAI).isoformat() for f in islice(fire_times(build.trigger, after), 2)]\
        == ["2026-11-26T22:10:00+08:00", "2026-11-26T22:20:00+08:00"]
    assert in_zone(next_fire(daily.trigger, after), SHANGHAI).isoformat() == (  # type: ignore[arg-type]
        "2026-11-27T08:00:00+08:00"
    )


def test_a_daily_cron_keeps_its_local_time_when_clocks_spring_forward() -> None:
    after = datetime(2026, 3, 7, 0, 0, tzinfo=UTC)
    assert local_fires("0 8 * * *", NEW_YORK, after, 3) == [
        "2026-03-07T08:00:00-05:00", "2026-03-08T08:00:00-04:00", "2026-03-09T08:00:00-04:00",
    ]
    utc = [datetime.fromisoformat(t).astimezone(UTC).hour for t in
           local_fires("0 8 * * *", NEW_YORK, after, 2)]
    assert utc == [13, 12]  # the instant moves; the wall clock does not


def test_a_time_that_does_not_exist_runs_an_hour_later_that_day() -> None:
    after = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
    assert local_fires("30 2 * * *", NEW_YORK, after, 2) == [
        "2026-03-08T03:30:00-04:00", "2026-03-09T02:30:00-04:00",
    ]


def test_a_fixed_time_that_happens_twice_when_clocks_go_back_fires_once() -> None:
    after = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)
    assert local_fires("30 1 * * *", NEW_YORK, after, 3) == [
        "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00", "2026-11-03T01:30:00-05:00",
    ]


def test_wildcard_hours_run_in_both_repeated_hours_as_cron_does() -> None:
    after = datetime(2026, 11, 1, 4, 30, tzinfo=UTC)  # 00:30 EDT
    assert local_fires("0 * * * *", NEW_YORK, after, 3) == [
        "2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00", "2026-11-01T02:00:00-05:00",
    ]


def test_intervals_count_real_time_across_a_dst_change() -> None:
    after = datetime(2026, 11, 1, 4, 30, tzinfo=UTC)
    fires = [datetime.fromisoformat(t) for t in
             local_fires({"every": "1h"}, NEW_YORK, after, 4)]
    assert {b - a for a, b in pairwise(fires)} == {timedelta(hours=1)}
    assert [f.strftime("%H:%M%z") for f in fires] == [
        "01:00-0400", "01:00-0500", "02:00-0500", "03:00-0500",
    ]


def test_interval_phase_does_not_depend_on_when_the_service_started() -> None:
    schedule = JobSchedule.model_validate({"every": "7m"})
    one, two = make_trigger(schedule, SHANGHAI), make_trigger(schedule, SHANGHAI)
    after = datetime(2026, 11, 26, 12, 0, 5, tzinfo=UTC)
    assert next_fire(one, after) == next_fire(two, after)
    # anchored at local midnight of 2000-01-01, so a 10m interval lands on :00, :10, ...
    ten = make_trigger(JobSchedule.model_validate({"every": "10m"}), SHANGHAI)
    assert in_zone(next_fire(ten, after), SHANGHAI).strftime("%M:%S") == "10:00"  # type: ignore[arg-type]


def test_next_fire_is_strictly_after_the_given_moment() -> None:
    trigger = make_trigger(JobSchedule.model_validate("0 8 * * *"), UTC)
    eight = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    assert next_fire(trigger, eight) == eight + timedelta(days=1)
    assert next_fire(trigger, eight - timedelta(microseconds=1)) == eight


def test_bad_schedules_are_config_errors_with_their_key_paths() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(DATA / "bad-cron.yaml")
    assert caught.value.problems == [
        "digests[0].schedule.cron: '0 25 * * *' is not a valid cron expression (Error "
        "validating expression '25': the last value (25) is higher than the maximum value "
        "(23)) (bad-cron.yaml:3)",
        "schedule.build.every: expected a whole number of seconds, at least 1s, got 0s "
        "(bad-cron.yaml:6)",
    ]


@pytest.mark.parametrize(("data", "message"), [
    ("0 8 * *", "expected 5 cron fields (minute hour day month weekday), got '0 8 * *'"),
    ({"cron": "0 8 * * *", "every": "1h"}, "give exactly one of cron or every"),
    ({}, "give exactly one of cron or every"),
])
def test_schedule_shapes_that_are_refused(data: object, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        JobSchedule.model_validate(data)
    assert message in str(caught.value)


def test_durations_read_back_short() -> None:
    assert [format_duration(timedelta(seconds=s)) for s in (1, 600, 5400, 86400 * 7)] == [
        "1s", "10m", "1h30m", "7d",
    ]


def test_jobs_are_found_by_id_or_bare_digest_name(tmp_path: Path) -> None:
    config = make_config(tmp_path, digests=[{"name": "daily"}])
    assert resolve_job(config, "build") == BUILD_JOB
    assert resolve_job(config, "daily") == resolve_job(config, "digest:daily")
    assert resolve_job(config, "digest:daily").digest == "daily"  # type: ignore[union-attr]
    assert resolve_job(config, "weekly") is None
