"""Which files are articles, by suffix: all that listing them needs to know of the readers
(so a rebuild lists its sources before importing YAML and the front-matter parsers)."""

from __future__ import annotations

import os

HTML_SUFFIXES = frozenset({".html", ".htm"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
ARTICLE_SUFFIXES = tuple(sorted(MARKDOWN_SUFFIXES | HTML_SUFFIXES))


def suffix_of(fspath: str) -> str:
    """``Path(fspath).suffix`` without making a Path (3 µs a file, on every file read)."""
    name = os.path.basename(fspath)
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""
