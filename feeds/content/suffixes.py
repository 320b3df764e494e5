"""Which files are articles, by suffix: all that listing them needs to know of the readers
(so a rebuild lists its sources before importing YAML and the front-matter parsers)."""

from __future__ import annotations

HTML_SUFFIXES = frozenset({".html", ".htm"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
ARTICLE_SUFFIXES = tuple(sorted(MARKDOWN_SUFFIXES | HTML_SUFFIXES))
