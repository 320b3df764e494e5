"""The whole of config.yaml as one frozen object."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pydantic import Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from feeds.config.base import ConfigPath, Section
from feeds.config.behaviour import ConfigBehaviour
from feeds.config.sections.cleaning import CleaningSection
from feeds.config.sections.content import ContentSection
from feeds.config.sections.digests import DigestSpec, MailSection
from feeds.config.sections.feeds import FeedSpec, WebSubSection, default_feeds
from feeds.config.sections.schedule import ScheduleSection
from feeds.config.sections.site import SiteSection
from feeds.config.sections.thumbnails import ThumbnailsSection


class Config(ConfigBehaviour, Section):
    """Everything `feeds` needs to know; every key has a default."""

    site: SiteSection = Field(default_factory=SiteSection)
    content: ContentSection = Field(default_factory=ContentSection)
    output: ConfigPath = Field(default=Path("public"), description="Output folder for feeds.")
    state: ConfigPath = Field(
        default=Path(".feeds"),
        description="State folder: build cache, subscribers, send ledger, scheduler state.",
    )
    cleaning: CleaningSection = Field(default_factory=CleaningSection)
    thumbnails: ThumbnailsSection = Field(default_factory=ThumbnailsSection)
    feeds: list[FeedSpec] = Field(
        default_factory=default_feeds,
        description="Feed files to build (default: rss.xml, atom.xml and feed.json).",
    )
    websub: WebSubSection = Field(default_factory=WebSubSection)
    mail: MailSection = Field(default_factory=MailSection)
    digests: list[DigestSpec] = Field(default_factory=list, description="Email digests.")
    schedule: ScheduleSection = Field(default_factory=ScheduleSection)

    @model_validator(mode="after")
    def _unique_names_and_paths(self) -> Config:
        problems = []
        for label, values in (
            ("feed name", [f.name for f in self.feeds]),
            ("feed path", [f.path for f in self.feeds]),
            ("digest name", [d.name for d in self.digests]),
        ):
            for value, count in sorted(Counter(values).items()):
                if count > 1:
                    problems.append(f"{label} {value!r} is used by {count} entries")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @model_validator(mode="after")
    def _feed_sets_name_feeds(self) -> Config:
        """schedule.feeds[].only names configured feeds (reported at each unknown name)."""
        known = [f.name for f in self.feeds]
        errors = [
            InitErrorDetails(
                type=PydanticCustomError(
                    "unknown_feed", "no feed named {name} (feeds: {known})",
                    {"name": repr(name), "known": ", ".join(known) or "none"},
                ),
                loc=("schedule", "feeds", index, "only", position),
                input=name,
            )
            for index, entry in enumerate(self.schedule.feeds)
            for position, name in enumerate(entry.only)
            if name not in known
        ]
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self
