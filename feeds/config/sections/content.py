"""``content:``: where the articles are and which of them count."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from feeds.config.base import PathList, Section, StrList


class ContentSection(Section):
    """Where articles are read from, and what is left out."""

    dirs: PathList = Field(
        default_factory=lambda: [Path("content")],
        description="Folders (or glob patterns) scanned for .md, .markdown, .html and .htm files.",
    )
    ignore: StrList = Field(
        default_factory=list,
        description="Glob patterns (relative to each folder) of files to leave out.",
    )
    drafts: bool = Field(
        default=False, description="Include drafts (draft: true, published: false)."
    )
    future: bool = Field(default=False, description="Include articles dated after now.")
    excerpt_separator: str = Field(
        default="<!-- more -->",
        description="Marker that ends the excerpt in a body (Hexo/Hugo <!-- more -->; "
        "Jekyll's excerpt_separator).",
    )
    summary_length: int = Field(
        default=200, ge=20, le=5000, description="Longest summary, in characters."
    )
