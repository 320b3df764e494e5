"""``cleaning:``: what is removed from article HTML, by rule and by learning."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from feeds.config.base import Regex, Section, StrList


def _check_selector(value: str) -> str:
    # The cleaner's own translation (cssselect): a selector it cannot use is reported at
    # load time with its key path instead of being skipped on every article.
    from feeds.html.rules import selector_error

    reason = selector_error(value)
    if reason:
        raise ValueError(f"{value!r} is not a valid CSS selector ({reason})")
    return value


CssSelector = Annotated[str, AfterValidator(_check_selector)]

DEFAULT_BYLINE_PATTERNS = [
    r"^(?:作者|撰文|文|记者|编译)\s*[：:｜|/]\s*(?P<name>[^，,。；;\s][^，,。；;]{0,30})$",
    r"^[Bb]y\s+(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,4})$",
]


class CleaningRule(Section):
    """Extra cleaning for the articles of one source, matched by path glob or category.

    A rule with neither ``paths`` nor ``categories`` applies to every article.
    """

    paths: StrList = Field(
        default_factory=list,
        description="Glob patterns of source files this rule applies to (e.g. 'news/**'); "
        "matched against the path and each of its trailing parts.",
    )
    categories: StrList = Field(
        default_factory=list,
        description="Categories this rule applies to (matched case-insensitively, NFKC).",
    )
    drop: list[CssSelector] = Field(
        default_factory=list,
        description="CSS selectors of elements to remove with their content "
        "(e.g. .appendQr_wrap, p.article-editor).",
    )
    unwrap: list[CssSelector] = Field(
        default_factory=list,
        description="CSS selectors of elements to replace by their content (e.g. a.keyword).",
    )
    drop_text: list[Regex] = Field(
        default_factory=list,
        description="Regular expressions: a paragraph (a block holding no other block) whose "
        "text matches one is removed (e.g. '^责任编辑：').",
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
    sample: int = Field(
        default=100,
        ge=0,
        description="Learn from the newest this many articles of each source (0: all of them). "
        "A source's template shows in its recent articles; reading them all costs a parse "
        "of every article of the archive on each cold build.",
    )
    source_by: Literal["category", "folder"] = Field(
        default="category",
        description="What makes a source: the article's first categories, or its folder.",
    )
    category_depth: int = Field(
        default=2,
        ge=1,
        le=5,
        description="How many leading categories name a source (2: '金融/新浪财经').",
    )
    min_chars: int = Field(
        default=8,
        ge=0,
        description="Blocks with less text than this (and no image or link) are never learned, "
        "so short recurring headings such as '注：' stay.",
    )
    max_chars: int = Field(
        default=600,
        ge=1,
        description="Blocks with more text than this are never learned: boilerplate is short, "
        "and this keeps duplicate articles from erasing each other.",
    )


class BylineSettings(Section):
    """Bylines such as '作者：X' at the top of scraped bodies."""

    enabled: bool = Field(default=True, description="Recognise a byline at the top of a body.")
    site_authors: StrList = Field(
        default_factory=list,
        description="Author names that only name the site; a byline replaces them (an author "
        "equal to one of the article's categories is treated the same way).",
    )
    patterns: list[Regex] = Field(
        default_factory=lambda: list(DEFAULT_BYLINE_PATTERNS),
        description="Regular expressions for a byline paragraph; the group 'name' (else the "
        "whole match) is the author. Only the first two paragraphs are looked at.",
    )


class CleaningSection(Section):
    """How article HTML is cleaned before it reaches a feed or a digest."""

    rules: list[CleaningRule] = Field(
        default_factory=list, description="Per-source rules (selectors to drop/unwrap, text)."
    )
    boilerplate: BoilerplateSettings = Field(default_factory=BoilerplateSettings)
    byline: BylineSettings = Field(default_factory=BylineSettings)
