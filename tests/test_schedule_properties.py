"""Properties of fire times and catch-up decisions over many schedules and outages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import islice, pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.config.sections.schedule import JobSchedule
from feeds.schedule.catchup import plan_catch_up
from feeds.schedule.triggers import fire_times, in_zone, make_trigger

ZONES = st.sampled_from(["America/New_York", "Europe/London", "Australia/Lord_Howe",
                         "Asia/Shanghai", "UTC"])
MOMENTS = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 1, 1),
                       timezones=st.just(UTC))
CRON = st.builds(lambda m, h: f"{m} {h} * * *", st.integers(0, 59), st.integers(0, 23))
EVERY = st.builds(lambda s: {"every": f"{s}s"}, st.integers(600, 7 * 86400))


@settings(max_examples=60, deadline=None)
@given(cron=CRON, zone=ZONES, after=MOMENTS)
def test_a_fixed_time_cron_fires_once_per_local_day_in_order(
    cron: str, zone: str, after: datetime
) -> None:
    tz = ZoneInfo(zone)
    fires = list(islice(fire_times(make_trigger(JobSchedule.model_validate(cron), tz), after), 8))
    assert all(f > after for f in fires)
    assert all(a < b for a, b in pairwise(fires))
    days = [in_zone(f, tz).date() for f in fires]
    assert len(set(days)) == len(days)  # never twice on one day, even when clocks go back


@settings(max_examples=60, deadline=None)
@given(schedule=st.one_of(CRON, EVERY), last=MOMENTS,
       down=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)),
       grace=st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=2)))
def test_at_most_one_catch_up_and_only_within_grace(
    schedule: object, last: datetime, down: timedelta, grace: timedelta
) -> None:
    trigger = make_trigger(JobSchedule.model_validate(schedule), UTC)
    now = last + down
    plan = plan_catch_up("job", trigger, last, now, grace)
    counted = list(islice(fire_times(trigger, last, until=now), 1000))
    # the latest missed fire time: periods are at most 7 days, so look back 8
    latest = None
    for fire in fire_times(trigger, max(last, now - timedelta(days=8)), until=now):
        latest = fire
    assert plan.missed == len(counted) and (latest is None) == (not counted)
    if plan.run_at is None:
        assert latest is None or now - latest > grace
    else:
        assert plan.run_at == latest and now - plan.run_at <= grace
