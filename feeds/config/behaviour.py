"""What config sections do besides holding values, apart from pydantic.

Each section with methods takes them from a mixin here, and so does its frozen copy (see
feeds.config.frozen): a build whose config comes from the memo runs these methods without
importing pydantic or the schema.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # the fields each mixin reads, declared by its section
    from feeds.config.sections.digests import DigestSpec
    from feeds.config.sections.feeds import FeedSpec
    from feeds.config.sections.schedule import JobSchedule


class Behaviour:
    """Marks the mixins of this module: what freeze() carries over to a frozen copy."""


class ConfigBehaviour(Behaviour):
    if TYPE_CHECKING:
        feeds: list[FeedSpec]
        digests: list[DigestSpec]

    def feed(self, name: str) -> FeedSpec | None:
        return next((f for f in self.feeds if f.name == name), None)

    def digest(self, name: str) -> DigestSpec | None:
        return next((d for d in self.digests if d.name == name), None)


class SiteBehaviour(Behaviour):
    if TYPE_CHECKING:
        timezone: str

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class ArticleFilterBehaviour(Behaviour):
    if TYPE_CHECKING:
        categories: list[str]
        tags: list[str]
        authors: list[str]
        sources: list[str]

    def is_empty(self) -> bool:
        return not (self.categories or self.tags or self.authors or self.sources)


class JobScheduleBehaviour(Behaviour):
    if TYPE_CHECKING:
        cron: str | None
        every: timedelta | None

    def describe(self) -> str:
        """How the schedule reads in listings and logs: 'cron 0 8 * * *' or 'every 10m'."""
        if self.cron is not None:
            return f"cron {self.cron}"
        assert self.every is not None
        return f"every {format_duration(self.every)}"


class FeedSetScheduleBehaviour(Behaviour):
    if TYPE_CHECKING:
        cron: str | None
        every: timedelta | None

    @property
    def schedule(self) -> JobSchedule:
        """Its timing alone, as schedule.build and digests[].schedule have it."""
        from feeds.config.sections.schedule import JobSchedule  # the schema, when scheduling

        return JobSchedule(cron=self.cron, every=self.every)


def format_duration(value: timedelta) -> str:
    """The shortest '1h30m'-style text for a duration (whole seconds)."""
    seconds = int(value.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"
