"""What to do, at start-up, about runs missed while the service was down.

The scheduler keeps its jobs in memory (they come from config.yaml every start) and the
state database remembers when each job last fired. From that, at most one catch-up run:
missed fire times are coalesced into the latest one, and it runs only if it is no later
than ``misfire_grace_time`` — a week of downtime never sends seven digests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from itertools import islice

from apscheduler.triggers.base import BaseTrigger

from feeds.schedule.triggers import TICK, fire_times, in_zone

COUNT_LIMIT = 1000  # missed runs are counted up to this, for the log line only


@dataclass(frozen=True)
class CatchUp:
    """The missed runs of one job and the decision about them."""

    job: str
    missed: int  # fire times missed since the last one handled (at most COUNT_LIMIT)
    first: datetime | None  # the earliest missed fire time
    run_at: datetime | None  # the one coalesced run to do now, if within the grace time

    @property
    def skipped(self) -> bool:
        return self.missed > 0 and self.run_at is None

    def describe(self, grace: timedelta, tz: tzinfo) -> str:
        if not self.missed or self.first is None:
            return "nothing missed"
        runs = f"{self.missed}{'+' if self.missed >= COUNT_LIMIT else ''} run"
        runs += "" if self.missed == 1 else "s"
        since = in_zone(self.first, tz).isoformat()
        if self.run_at is not None:
            return f"missed {runs} since {since}; running once for " + in_zone(
                self.run_at, tz
            ).isoformat()
        return f"missed {runs} since {since}, all more than {grace} ago: skipped"


def plan_catch_up(
    job: str, trigger: BaseTrigger, last_handled: datetime, now: datetime, grace: timedelta
) -> CatchUp:
    """Fire times in (last_handled, now] are missed; run the latest once if it is within grace.

    A run exactly ``grace`` late still runs (APScheduler's own rule: late > grace misfires).
    """
    missed = list(islice(fire_times(trigger, last_handled, until=now), COUNT_LIMIT))
    if not missed:
        return CatchUp(job, 0, None, None)
    window_start = max(last_handled, now - grace - TICK)
    recent = None
    for fire in fire_times(trigger, window_start, until=now):
        recent = fire
    return CatchUp(job, len(missed), missed[0], recent)
