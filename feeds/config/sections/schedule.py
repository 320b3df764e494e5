"""``schedule:``: when builds and digests run under ``feeds schedule``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import Field, field_validator, model_validator

from feeds.config.base import ConfigPath, Duration, Section


class JobSchedule(Section):
    """A 5-field cron expression or an interval, in the site timezone.

    ``every`` intervals are counted from midnight (site timezone) of 2000-01-01, so
    ``every: 10m`` fires at :00, :10, :20 … whatever time the service started; for a
    time of day, use cron.
    """

    cron: str | None = Field(default=None, description="5-field cron, e.g. '0 8 * * *'.")
    every: Duration | None = Field(default=None, description="Interval, e.g. '10m'.")

    @model_validator(mode="before")
    @classmethod
    def _cron_shorthand(cls, data: Any) -> Any:
        return {"cron": data} if isinstance(data, str) else data

    @field_validator("cron")
    @classmethod
    def _five_fields(cls, value: str | None) -> str | None:
        if value is None:
            return value
        from apscheduler.triggers.cron import CronTrigger

        if len(value.split()) != 5:
            raise ValueError(
                f"expected 5 cron fields (minute hour day month weekday), got {value!r}"
            )
        try:
            CronTrigger.from_crontab(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a valid cron expression ({exc})") from None
        return value

    @field_validator("every")
    @classmethod
    def _whole_seconds(cls, value: timedelta | None) -> timedelta | None:
        if value is not None and (value < timedelta(seconds=1) or value.microseconds):
            raise ValueError(
                f"expected a whole number of seconds, at least 1s, got {format_duration(value)}"
            )
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> JobSchedule:
        if (self.cron is None) == (self.every is None):
            raise ValueError("give exactly one of cron or every")
        return self

    def describe(self) -> str:
        """How the schedule reads in listings and logs: 'cron 0 8 * * *' or 'every 10m'."""
        if self.cron is not None:
            return f"cron {self.cron}"
        assert self.every is not None
        return f"every {format_duration(self.every)}"


def format_duration(value: timedelta) -> str:
    """The shortest '1h30m'-style text for a duration (whole seconds)."""
    seconds = int(value.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


class ScheduleSection(Section):
    """The long-running service."""

    build: JobSchedule | None = Field(default=None, description="When feeds are rebuilt.")
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
