"""Article fields as every format derives them: terms, image types, required fields."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from itertools import chain, repeat
from operator import attrgetter, is_

from feeds.content.slugs import match_key
from feeds.models import Article, Thumbnail
from feeds.render.model import Entry, FeedMeta, RenderError
from feeds.render.text import is_aware


def terms(article: Article) -> list[str]:
    """Categories then tags, each name once, in the author's display form."""
    try:
        return list(_known_terms(article.categories, article.tags))
    except TypeError:  # names in a list (unhashable), or not text: match_key's own error
        return _terms(article.categories, article.tags)


def _terms(categories: Iterable[str], tags: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    found = []
    for term in (*categories, *tags):
        key = match_key(term)
        if key and key not in seen:
            seen.add(key)
            found.append(term)
    return found


# A site's articles share a few combinations of names: remembering the last few thousand
# spares a Unicode normalization per name and article (match_key is a pure function).
@lru_cache(maxsize=4096)
def _known_terms(categories: tuple[str, ...], tags: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_terms(categories, tags))


def newest(meta: FeedMeta, entries: Sequence[Entry]) -> datetime:
    """The feed's date: its newest entry's (updated or published), else ``meta.updated``.

    Checks every entry's dates first: a naive date is a RenderError naming the entry.
    """
    if not _all_utc(entries):  # only then can a date be naive: each entry is looked at
        for entry in entries:
            reason = _date_problem(entry.article)
            if reason:
                raise RenderError(meta.name, entry.article.source_path, reason)
    # the max of each (published, updated) is max(published, updated), the same object
    return max(map(max, map(_DATES, entries)), default=meta.updated)


_DATES = attrgetter("article.published", "article.updated")
_ZONE = attrgetter("tzinfo")


def _all_utc(entries: Sequence[Entry]) -> bool:
    """Whether every date is in UTC (so aware), in C-level passes: no call per entry."""
    try:
        zones = map(_ZONE, chain.from_iterable(map(_DATES, entries)))
        return all(map(is_, zones, repeat(UTC)))
    except AttributeError:  # not an entry, or not a date: the loop raises as it did
        return False


def image_type(thumb: Thumbnail) -> str | None:
    """The thumbnail's media type, declared or guessed from its URL; None when unknown."""
    if thumb.mime_type:
        return thumb.mime_type
    guessed, _ = mimetypes.guess_type(thumb.url.split("?", 1)[0], strict=False)
    return guessed if guessed and guessed.startswith("image/") else None


def positive(value: int | None) -> int | None:
    """A size attribute only when it is a real size (Media RSS wants positive integers)."""
    return value if value and value > 0 else None


def is_absolute_url(value: str) -> bool:
    scheme, _, rest = value.partition("://")
    return scheme.lower() in ("http", "https") and bool(rest) and not rest.startswith("/")


FIELDS = ("id", "title", "url", "date")  # what a format can require of an article


def supplies_every_field(article: Article) -> bool:
    """True when ``missing_fields(article, FIELDS)`` is empty; for the common case (UTC
    dates, http(s) URLs) without a call per field: builds check every article of an archive."""
    url, published, updated = article.url, article.published, article.updated
    if url.startswith("https://"):
        url_ok = len(url) > 8 and url[8] != "/"
    elif url.startswith("http://"):
        url_ok = len(url) > 7 and url[7] != "/"
    else:
        return not missing_fields(article, FIELDS)
    if published.tzinfo is not UTC or updated.tzinfo is not UTC:
        return not missing_fields(article, FIELDS)
    return url_ok and bool(article.id.strip()) and bool(article.title.strip())


def all_supply_every_field(articles: Sequence[Article]) -> bool:
    """True only when :func:`supplies_every_field` is true of every article (False may be
    wrong: callers then ask per article). A few passes at C level, no call per article:
    a rebuild asks this of every article of an archive."""
    urls = list(map(_URL, articles))
    return (
        all(map(str.startswith, urls, repeat(_SCHEMES)))
        and not any(map(str.startswith, urls, repeat(_NO_HOST)))
        and not _SCHEMES_ONLY.intersection(urls)
        and all(map(is_, map(_ZONE, map(_PUBLISHED, articles)), repeat(UTC)))
        and all(map(is_, map(_ZONE, map(_UPDATED, articles)), repeat(UTC)))
        and all(map(str.strip, map(_ID, articles)))
        and all(map(str.strip, map(_TITLE, articles)))
    )


_URL, _ID, _TITLE = attrgetter("url"), attrgetter("id"), attrgetter("title")
_PUBLISHED, _UPDATED = attrgetter("published"), attrgetter("updated")
_SCHEMES = ("https://", "http://")
_NO_HOST = ("https:///", "http:///")
_SCHEMES_ONLY = frozenset(_SCHEMES)


def missing_fields(article: Article, required: Iterable[str]) -> list[tuple[str, str]]:
    """(field, reason) for each required field the article cannot supply."""
    found = []
    for name in required:
        reason = _problem(article, name)
        if reason:
            found.append((name, reason))
    return found


def _problem(article: Article, name: str) -> str | None:
    if name == "id":
        return None if article.id.strip() else "missing"
    if name == "title":
        return None if article.title.strip() else "missing"
    if name == "url":
        return _url_problem(article.url)
    if name == "date":
        return _date_problem(article)
    raise KeyError(name)


def _url_problem(url: str) -> str | None:
    if not url.strip():
        return "missing"
    return None if is_absolute_url(url) else f"{url!r} is not an absolute http(s) URL"


def _date_problem(article: Article) -> str | None:
    for label, value in (("published", article.published), ("updated", article.updated)):
        if not is_aware(value):
            return f"{label}: date {value.isoformat()} has no timezone"
    return None
