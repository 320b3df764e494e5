"""``cleaning:``: what is removed from article HTML, by rule and by learning."""

from __future__ import annotations

from pydantic import Field

from feeds.config.base import Regex, Section, StrList


class CleaningRule(Section):
    """Extra cleaning for the articles of one source, matched by path glob or category."""

    paths: StrList = Field(
        default_factory=list,
        description="Glob patterns of source files this rule applies to (e.g. 'news/**').",
    )
    categories: StrList = Field(
        default_factory=list,
        description="Categories this rule applies to (matched case-insensitively).",
    )
    drop: StrList = Field(
        default_factory=list, description="CSS selectors of elements to remove with their content."
    )
    unwrap: StrList = Field(
        default_factory=list,
        description="CSS selectors of elements to replace by their content (e.g. a.keyword).",
    )
    drop_text: list[Regex] = Field(
        default_factory=list,
        description="Regular expressions: a paragraph whose text matches one is removed.",
    )


class BoilerplateSettings(Section):
    """Learning boilerplate: blocks that recur across many articles of one source."""

    enabled: bool = Field(default=True, description="Learn and drop recurring blocks.")
    min_count: int = Field(
        default=3, ge=2, description="A block must recur in at least this many articles."
    )
    min_share: float = Field(
        default=0.2,
        gt=0,
        le=1,
        description="... and in at least this share of the articles of its source.",
    )


class BylineSettings(Section):
    """Bylines such as '作者：X' at the top of scraped bodies."""

    enabled: bool = Field(default=True, description="Recognise a byline at the top of a body.")
    site_authors: StrList = Field(
        default_factory=list,
        description="Author names that only name the site; a byline replaces them.",
    )


class CleaningSection(Section):
    """How article HTML is cleaned before it reaches a feed or a digest."""

    rules: list[CleaningRule] = Field(
        default_factory=list, description="Per-source rules (selectors to drop/unwrap, text)."
    )
    boilerplate: BoilerplateSettings = Field(default_factory=BoilerplateSettings)
    byline: BylineSettings = Field(default_factory=BylineSettings)
