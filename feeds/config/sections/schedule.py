"""``schedule:``: when builds run under ``feeds schedule``."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from feeds.config.base import ConfigPath, Duration, Section


class JobSchedule(Section):
    """A 5-field cron expression or an interval, in the site timezone."""

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
            raise ValueError(f"expected 5 cron fields (minute hour day month weekday), got {value!r}")
        try:
            CronTrigger.from_crontab(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a valid cron expression ({exc})") from None
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> JobSchedule:
        if (self.cron is None) == (self.every is None):
            raise ValueError("give exactly one of cron or every")
        return self


class ScheduleSection(Section):
    """The long-running service."""

    build: JobSchedule | None = Field(default=None, description="When feeds are rebuilt.")
    misfire_grace_time: Duration = Field(
        default="1h",
        description="A job missed while the service was down runs once if it is at most "
        "this late; otherwise it is skipped and logged.",
    )
    watch: bool = Field(default=False, description="Rebuild feeds when content files change.")
    log_file: ConfigPath | None = Field(default=None, description="Also write job logs here.")
