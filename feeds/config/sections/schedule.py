"""``schedule:``: when builds and digests run under ``feeds schedule``."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, Field, field_validator, model_validator

from feeds.config.base import ConfigPath, Duration, Section, StrList
from feeds.config.behaviour import (
    FeedSetScheduleBehaviour,
    JobScheduleBehaviour,
    format_duration,
)

JOB_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def _check_cron(value: str) -> str:
    from apscheduler.triggers.cron import CronTrigger

    if len(value.split()) != 5:
        raise ValueError(f"expected 5 cron fields (minute hour day month weekday), got {value!r}")
    try:
        CronTrigger.from_crontab(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid cron expression ({exc})") from None
    return value


def _check_every(value: timedelta) -> timedelta:
    if value < timedelta(seconds=1) or value.microseconds:
        raise ValueError(
            f"expected a whole number of seconds, at least 1s, got {format_duration(value)}"
        )
    return value


def _check_job_name(value: str) -> str:
    if not JOB_NAME.fullmatch(value):
        raise ValueError(
            "expected letters, digits, '-' and '_' (starting with a letter or digit), "
            f"got {value!r}"
        )
    return value


def _check_some(value: list[str]) -> list[str]:
    if not value:
        raise ValueError("expected at least one feed name (for every feed, use schedule.build)")
    return value


JobName = Annotated[str, AfterValidator(_check_job_name)]
Cron = Annotated[str, AfterValidator(_check_cron)]
Every = Annotated[Duration, AfterValidator(_check_every)]
CRON_HELP = "5-field cron, e.g. '0 8 * * *'."
EVERY_HELP = "Interval, e.g. '10m'."


class JobSchedule(JobScheduleBehaviour, Section):
    """A 5-field cron expression or an interval, in the site timezone.

    ``every`` intervals are counted from midnight (site timezone) of 2000-01-01, so
    ``every: 10m`` fires at :00, :10, :20 … whatever time the service started; for a
    time of day, use cron.
    """

    cron: Cron | None = Field(default=None, description=CRON_HELP)
    every: Every | None = Field(default=None, description=EVERY_HELP)

    @model_validator(mode="before")
    @classmethod
    def _cron_shorthand(cls, data: Any) -> Any:
        return {"cron": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _exactly_one(self) -> JobSchedule:
        _exactly_one_of(self.cron, self.every)
        return self



def _exactly_one_of(cron: str | None, every: timedelta | None) -> None:
    if (cron is None) == (every is None):
        raise ValueError("give exactly one of cron or every")


class FeedSetSchedule(FeedSetScheduleBehaviour, Section):
    """Some of the feeds, rebuilt on their own schedule: the job ``build:NAME``."""

    name: JobName = Field(
        description="Names the job build:NAME (feeds schedule --once build:NAME, logs, status).",
    )
    only: Annotated[StrList, AfterValidator(_check_some)] = Field(
        description="The feeds it builds: names from feeds[].name."
    )
    cron: Cron | None = Field(default=None, description=CRON_HELP)
    every: Every | None = Field(default=None, description=EVERY_HELP)

    @model_validator(mode="after")
    def _exactly_one(self) -> FeedSetSchedule:
        _exactly_one_of(self.cron, self.every)
        return self




class ScheduleSection(Section):
    """The long-running service."""

    build: JobSchedule | None = Field(
        default=None,
        description="When all feeds are rebuilt (the job build).",
        examples=[{"every": "10m"}],
    )
    feeds: list[FeedSetSchedule] = Field(
        default_factory=list,
        description="Feed sets rebuilt on their own schedules, each the job build:NAME: e.g. "
        "the RSS and Atom feeds every 10 minutes while schedule.build rebuilds every feed "
        "hourly.",
        examples=[[{"name": "news", "only": ["rss", "atom"], "every": "10m"}]],
    )
    misfire_grace_time: Duration = Field(
        default=timedelta(hours=6),
        description="A job missed while the service was down (or the machine asleep) runs "
        "once if it is at most this late; otherwise it is skipped and logged. The default "
        "lets a morning digest still go out if the machine is back by midday.",
    )
    watch: bool = Field(default=False, description="Rebuild feeds when content files change.")
    watch_delay: Duration = Field(
        default=timedelta(seconds=2),
        description="With watch: how long content must be quiet before the rebuild starts.",
    )
    stop_timeout: Duration = Field(
        default=timedelta(seconds=60),
        description="On SIGTERM/SIGINT: how long a running job may take to finish "
        "(a digest stops after its current message) before the service exits anyway.",
    )
    log_file: ConfigPath | None = Field(default=None, description="Also write job logs here.")

    @field_validator("feeds")
    @classmethod
    def _unique_names(cls, value: list[FeedSetSchedule]) -> list[FeedSetSchedule]:
        counts = Counter(entry.name for entry in value)
        repeated = [f"name {name!r} is used by {n} entries" for name, n in counts.items() if n > 1]
        if repeated:
            raise ValueError("; ".join(repeated) + " (each is the job build:NAME)")
        return value
