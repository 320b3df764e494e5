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
    return name[_dot(name):]


def stem_of(path: str) -> str:
    """``PurePosixPath(path).stem`` of a '/'-separated path, without making a path."""
    name = path.rpartition("/")[2]
    return name[: _dot(name)]


def _dot(name: str) -> int:
    """Where the suffix of a file name starts (its length when it has none), as pathlib
    reads it: a leading dot (".hidden") or a trailing one ("name.") starts none."""
    dot = name.rfind(".")
    return dot if 0 < dot < len(name) - 1 else len(name)
