"""``feeds:``: which feed files are built, in which format, with which articles."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from feeds.config.base import OutputRelPath, Section, StrList
from feeds.config.behaviour import ArticleFilterBehaviour
from feeds.render import FORMATS


def _normal_path(value: str) -> str:
    """'./rss.xml' and 'rss.xml' are one file: compare paths in one spelling."""
    return posixpath.normpath(value.replace("\\", "/"))


if TYPE_CHECKING:
    FeedFormat = str
else:  # the allowed formats are the renderer table's keys (a Literal for docs and messages)
    FeedFormat = Literal[tuple(sorted(FORMATS))]
FeedPath = Annotated[OutputRelPath, AfterValidator(_normal_path)]


class ArticleFilter(ArticleFilterBehaviour, Section):
    """Selects articles by category, tag, author or source file (any listed value matches)."""

    categories: StrList = Field(default_factory=list, description="Category names.")
    tags: StrList = Field(default_factory=list, description="Tag names.")
    authors: StrList = Field(default_factory=list, description="Author names.")
    sources: StrList = Field(
        default_factory=list, description="Glob patterns of source paths (relative to content)."
    )


class FeedSpec(Section):
    """One feed file (or, with ``per``, one per category, tag or author)."""

    name: str = Field(description="Name used by --only and in messages.")
    format: FeedFormat = Field(description="Feed format: " + ", ".join(sorted(FORMATS)) + ".")
    path: FeedPath = Field(
        description="Output path inside the output folder; with 'per', contains {slug}."
    )
    title: str | None = Field(
        default=None,
        description="Feed title (default: the site title); with 'per', {name} is the "
        "category, tag or author.",
    )
    description: str | None = Field(default=None, description="Feed description.")
    limit: int = Field(default=50, ge=0, description="Most items in the feed; 0 means all.")
    order: Literal["published", "updated"] = Field(
        default="published", description="Newest first by this date."
    )
    content: Literal["full", "summary"] = Field(
        default="full", description="Full article HTML, or only the summary."
    )
    include: ArticleFilter = Field(
        default_factory=ArticleFilter, description="Only articles matching this filter."
    )
    exclude: ArticleFilter = Field(
        default_factory=ArticleFilter, description="Leave out articles matching this filter."
    )
    per: Literal["category", "tag", "author"] | None = Field(
        default=None, description="Build one feed per category, tag or author."
    )
    max_bytes: int = Field(
        default=1_000_000,
        ge=10_000,
        description="Size budget; older items fall back to summaries, then are dropped.",
    )
    stylesheet: bool = Field(
        default=False, description="Add an xml-stylesheet so browsers show a readable page."
    )
    archive: bool = Field(
        default=False, description="Write RFC 5005 archive pages of every article (Atom, RSS)."
    )

    @model_validator(mode="after")
    def _slug_in_per_path(self) -> FeedSpec:
        if self.per and "{slug}" not in self.path:
            raise ValueError(f"a feed with per: {self.per} needs {{slug}} in its path")
        if not self.per and "{slug}" in self.path:
            raise ValueError("{slug} in a path needs per: category, tag or author")
        if self.archive and self.format == "json":
            raise ValueError("archive pages (RFC 5005) are written for atom and rss feeds only")
        return self


def default_feeds() -> list[FeedSpec]:
    """The site-wide feeds built when config.yaml declares none."""
    return [
        FeedSpec(name="rss", format="rss", path="rss.xml"),
        FeedSpec(name="atom", format="atom", path="atom.xml"),
        FeedSpec(name="json", format="json", path="feed.json"),
    ]


class WebSubSection(Section):
    """WebSub (PubSubHubbub): announce changed feeds to a hub."""

    hub: str | None = Field(default=None, description="Hub URL; adds rel=hub links and pings.")
    timeout: float = Field(default=5.0, gt=0, description="Seconds to wait for the hub.")

    @field_validator("hub")
    @classmethod
    def _http_hub(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"expected an http(s) URL such as https://hub.example/, got {value!r}")
        return value
