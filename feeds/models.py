"""The records that flow through the program: raw documents, articles and problems.

Every record is frozen; dates are timezone-aware UTC datetimes. No ``slots``: the build cache
unpickles tens of thousands of these, and slotted frozen dataclasses unpickle far slower.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from itertools import compress
from operator import attrgetter
from typing import Any, Literal

BodyFormat = Literal["html", "markdown"]


class Severity(StrEnum):
    """How bad a problem is: an error leaves the file out, a warning means a fallback was used."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """Something wrong with one input file (or config value), named precisely enough to fix."""

    path: str
    field: str
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        return f"{self.path}: {self.field}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        return {
            "path": self.path,
            "field": self.field,
            "message": self.message,
            "severity": str(self.severity),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, str]) -> Problem:
        """The problem ``as_dict`` gave (as recorded in the state folder)."""
        return cls(data["path"], data["field"], data["message"], Severity(data["severity"]))


@dataclass(frozen=True)
class Document:
    """What a reader got out of a file, before any interpretation.

    ``metadata`` holds the front-matter keys exactly as written; it is the only untyped
    mapping in the program.
    """

    path: str
    metadata: Mapping[str, Any]
    body: str
    suffix: str  # the file's, as written: with the metadata, what tells HTML from Markdown
    encoding: str = "utf-8"

    @cached_property
    def body_format(self) -> BodyFormat:
        """HTML or Markdown (see feeds.content.bodyformat), decided on first use: a build
        that reads every article for its metadata alone (an index) never needs it."""
        from feeds.content.bodyformat import detect_body_format

        return detect_body_format(self.body, self.suffix, self.metadata)


@dataclass(frozen=True)
class Author:
    name: str
    email: str | None = None
    url: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "email": self.email, "url": self.url}


@dataclass(frozen=True)
class Thumbnail:
    """An image that represents an article: absolute URL, type and size when known."""

    url: str
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    alt: str = ""
    length: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "mime_type": self.mime_type,
            "width": self.width,
            "height": self.height,
            "alt": self.alt,
        }


@dataclass(frozen=True)
class Article:
    """One normalized article, ready for any renderer.

    ``id`` is stable across rebuilds (an explicit id/guid, else the permalink); ``url`` is
    absolute; ``summary`` is plain text; ``content_html`` is cleaned and sanitized with
    absolute URLs; categories and tags keep the author's display form.
    """

    id: str
    url: str
    title: str
    published: datetime
    updated: datetime
    authors: tuple[Author, ...]
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    summary: str
    content_html: str
    thumbnail: Thumbnail | None
    language: str
    source_path: str
    slug: str = ""
    problems: tuple[Problem, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape printed by ``feeds inspect``."""
        return {
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "published": iso_utc(self.published),
            "updated": iso_utc(self.updated),
            "authors": [a.as_dict() for a in self.authors],
            "categories": list(self.categories),
            "tags": list(self.tags),
            "summary": self.summary,
            "content_html": self.content_html,
            "thumbnail": self.thumbnail.as_dict() if self.thumbnail else None,
            "language": self.language,
            "source_path": self.source_path,
            "problems": [p.as_dict() for p in self.problems],
        }


def iso_utc(value: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``: the one textual form used in machine output."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def sort_newest_first(articles: list[Article], order: str = "published") -> None:
    """Sort in place by date descending (``published`` or ``updated``), ties by id ascending.

    Two stable sorts on C-level keys give the order of the key (-date, id) without a Python
    call per article: builds sort every article of an archive several times, most often a
    list already in order, which is recognised first. Dates of mixed awareness (only
    hand-made records have naive ones) fall back to their timestamps.
    """
    date_of = attrgetter("updated" if order == "updated" else "published")
    try:
        if _in_order(articles, date_of):
            return
        articles.sort(key=attrgetter("id"))
        articles.sort(key=date_of, reverse=True)
    except TypeError:  # naive and aware datetimes do not compare
        articles.sort(key=lambda a: (-date_of(a).timestamp(), a.id))


def _in_order(articles: list[Article], date_of: attrgetter[datetime]) -> bool:
    """Whether ``articles`` are already newest first with ties by id, in C-level passes
    (a Python step only for each pair of equal dates)."""
    dates = list(map(date_of, articles))
    if not all(map(operator.ge, dates, dates[1:])):
        return False
    ties = compress(range(len(dates)), map(operator.eq, dates, dates[1:]))
    return all(articles[i].id <= articles[i + 1].id for i in ties)
