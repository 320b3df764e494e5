"""The contract between metadata normalization and HTML content processing.

``collect`` calls ``learn_corpus`` once over every article's HTML (to learn boilerplate and
placeholder images), then ``build_content`` once per article. Both are pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nh3

from feeds.config import Config
from feeds.models import Problem, Thumbnail


@dataclass(frozen=True, slots=True)
class ContentInput:
    """One article's body (already HTML: Markdown is rendered before) and its context."""

    path: str
    html: str
    page_url: str
    title: str
    categories: tuple[str, ...]
    metadata: Mapping[str, Any]
    source_dir: Path
    declared_summary: str | None = None


@dataclass(frozen=True, slots=True)
class ContentResult:
    content_html: str
    summary: str
    thumbnail: Thumbnail | None
    byline: str | None = None
    problems: tuple[Problem, ...] = ()
    # (source file, path relative to the output folder) of local images to copy
    assets: tuple[tuple[Path, str], ...] = field(default=())


@dataclass(frozen=True, slots=True)
class CorpusHints:
    """What was learned across the whole collection."""

    boilerplate: Mapping[str, frozenset[str]] = field(default_factory=dict)
    placeholder_images: frozenset[str] = frozenset()


def learn_corpus(inputs: Sequence[ContentInput], config: Config) -> CorpusHints:
    return CorpusHints()


def build_content(item: ContentInput, config: Config, hints: CorpusHints) -> ContentResult:
    clean = nh3.clean(item.html)
    text = " ".join(nh3.clean(item.html, tags=set()).split())
    summary = item.declared_summary or text[: config.content.summary_length]
    return ContentResult(content_html=clean, summary=summary, thumbnail=None)
