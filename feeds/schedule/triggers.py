"""From config to APScheduler triggers: which jobs exist, and when each one fires.

Job ids are ``build`` (every feed), ``build:NAME`` (a feed set of ``schedule.feeds``) and
``digest:NAME``. Cron fields are read in the site timezone; a
fixed-time cron job (minute and hour both fixed, like ``30 1 * * *``) fires once when clocks
go back and its wall-clock time happens twice, as Vixie cron does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Literal

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from feeds.errors import UsageError

if TYPE_CHECKING:
    from feeds.config import Config
    from feeds.config.sections.schedule import FeedSetSchedule, JobSchedule

BUILD = "build"
BUILD_PREFIX = "build:"
DIGEST_PREFIX = "digest:"
TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class JobRef:
    """What a job does: a build (of every feed, or ``only`` some), or one digest."""

    id: str
    kind: Literal["build", "digest"]
    digest: str | None = None
    only: tuple[str, ...] = ()

    @property
    def serial(self) -> str:
        """Jobs with the same key never run at once: builds share the output folder and the
        build cache, so a feed set waits for a running full build (and the reverse)."""
        return self.kind if self.kind == "build" else self.id


BUILD_JOB = JobRef(BUILD, "build")


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job, as config.yaml defines it."""

    ref: JobRef
    schedule: JobSchedule
    trigger: BaseTrigger

    @property
    def id(self) -> str:
        return self.ref.id

    @property
    def description(self) -> str:
        return self.schedule.describe()


def jobs_from_config(config: Config) -> tuple[JobSpec, ...]:
    """Every job config.yaml schedules: the build, feed sets, then digests, in config order."""
    tz = config.site.tz
    jobs: list[JobSpec] = []
    if config.schedule.build is not None:
        trigger = make_trigger(config.schedule.build, tz)
        jobs.append(JobSpec(BUILD_JOB, config.schedule.build, trigger))
    for feed_set in config.schedule.feeds:
        schedule = feed_set.schedule
        jobs.append(JobSpec(feed_set_job(feed_set), schedule, make_trigger(schedule, tz)))
    for digest in config.digests:
        if digest.schedule is not None:
            trigger = make_trigger(digest.schedule, tz)
            jobs.append(JobSpec(digest_job(digest.name), digest.schedule, trigger))
    return tuple(jobs)


def feed_set_job(feed_set: FeedSetSchedule) -> JobRef:
    return JobRef(BUILD_PREFIX + feed_set.name, "build", only=tuple(feed_set.only))


def digest_job(name: str) -> JobRef:
    return JobRef(DIGEST_PREFIX + name, "digest", name)


def resolve_job(config: Config, name: str) -> JobRef | None:
    """``build``, ``build:NAME``, ``digest:NAME``, or a bare feed-set or digest name.

    A bare name that is both a feed set and a digest is a usage error: say which.
    """
    if name == BUILD:
        return BUILD_JOB
    feed_sets = {f.name: f for f in config.schedule.feeds}
    if name.startswith(BUILD_PREFIX):
        found = feed_sets.get(name.removeprefix(BUILD_PREFIX))
        return feed_set_job(found) if found else None
    digest = config.digest(name.removeprefix(DIGEST_PREFIX))
    if name.startswith(DIGEST_PREFIX) or name not in feed_sets:
        return digest_job(digest.name) if digest else None
    if digest is not None:
        raise UsageError(f"{name!r} is both a feed set and a digest",
                         hint=f"say {BUILD_PREFIX}{name} or {DIGEST_PREFIX}{name}")
    return feed_set_job(feed_sets[name])


def job_names(config: Config) -> list[str]:
    """Every job --once knows, scheduled or not."""
    return [BUILD, *(BUILD_PREFIX + f.name for f in config.schedule.feeds),
            *(DIGEST_PREFIX + d.name for d in config.digests)]


def make_trigger(schedule: JobSchedule, tz: tzinfo) -> BaseTrigger:
    if schedule.cron is not None:
        return WallClockCronTrigger.from_crontab(schedule.cron, timezone=tz)
    assert schedule.every is not None
    # A fixed anchor keeps the phase across restarts (a fresh trigger would count from now).
    anchor = datetime(2000, 1, 1, tzinfo=tz).astimezone(UTC)
    seconds = int(schedule.every.total_seconds())
    return IntervalTrigger(seconds=seconds, start_date=anchor, timezone=tz)


class WallClockCronTrigger(CronTrigger):
    """A CronTrigger that skips the repeat of a fixed wall-clock time when clocks go back."""

    @classmethod
    def from_crontab(cls, expr: str, timezone: Any = None) -> WallClockCronTrigger:
        trigger = super().from_crontab(expr, timezone=timezone)
        minute, hour = expr.split()[:2]
        trigger.once_per_wall_time = not (minute.startswith("*") or hour.startswith("*"))
        return trigger

    once_per_wall_time = False

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        fire: datetime | None = super().get_next_fire_time(previous_fire_time, now)
        while fire is not None and self.once_per_wall_time and _repeated_wall_time(fire):
            fire = super().get_next_fire_time(fire, _after(fire))
        return fire


def _repeated_wall_time(moment: datetime) -> bool:
    """True for the second occurrence of a local time that happens twice (clocks went back)."""
    local = in_zone(moment, moment.tzinfo)
    return local.fold == 1 and local.replace(fold=0).utcoffset() != local.utcoffset()


def in_zone(moment: datetime, tz: tzinfo | None) -> datetime:
    """``moment`` on the clocks of ``tz``, via UTC: astimezone() to a datetime's own zone is a
    no-op, which would keep a time that does not exist (02:30 when clocks spring forward)."""
    return moment.astimezone(UTC).astimezone(tz)


def _after(moment: datetime) -> datetime:
    # In UTC: aware-datetime arithmetic in a local zone is wall-clock arithmetic and drops fold.
    return moment.astimezone(UTC) + TICK


def next_fire(trigger: BaseTrigger, after: datetime) -> datetime | None:
    """The first fire time strictly after ``after``."""
    fire: datetime | None = trigger.get_next_fire_time(None, _after(after))
    return fire


def fire_times(
    trigger: BaseTrigger, after: datetime, until: datetime | None = None
) -> Iterator[datetime]:
    """Fire times strictly after ``after`` (and at most ``until``), in order."""
    fire = next_fire(trigger, after)
    while fire is not None and (until is None or fire <= until):
        yield fire
        fire = next_fire(trigger, fire)
