"""One small function per front-matter field: text in, normalized value (or a problem) out."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

from feeds.content.slugs import match_key
from feeds.models import Author

_SPACE = re.compile(r"\s+")
_HEADING = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]>", re.IGNORECASE | re.DOTALL)
_MD_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_TAG = re.compile(r"<[^>]+>")
_SEPARATORS = re.compile(r"[,，、]")
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}
_NAME_ADDRESS = re.compile(r"(.+?)\s*<([^<>@\s]+@[^<>\s]+)>")  # "Name <addr>"


def clean_title(value: Any) -> str:
    """Strip, unescape entities, collapse whitespace; numbers and dates stay text."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return _SPACE.sub(" ", html.unescape(text)).strip()


def first_heading(body: str, body_format: str) -> str:
    """The first heading of a body, as text (the fallback for a missing title)."""
    if body_format == "markdown":
        match = _MD_HEADING.search(body)
        if match:
            return clean_title(match.group(1))
    match = _HEADING.search(body)
    return clean_title(_TAG.sub("", match.group(1))) if match else ""


def first_value(
    metadata: Mapping[str, Any], keys: Iterable[str], *, skip_bools: bool = False
) -> tuple[str, Any] | None:
    """The first of ``keys`` present with a non-empty value (not a bool, with
    ``skip_bools``), with the key that held it."""
    for key in keys:
        value = metadata.get(key)
        if value not in (None, "", [], {}) and not (skip_bools and isinstance(value, bool)):
            return key, value
    return None


def as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


def names(value: Any) -> tuple[str, ...]:
    """Categories or tags from a list, a string or a comma-separated string (also nested
    lists, as Hexo writes hierarchies): trimmed, de-duplicated by their match key, the first
    display form kept."""
    seen: dict[str, str] = {}
    # only a single string is a comma-separated list: a list item such as
    # 'Books, Films & Music' was written as one name
    items = _SEPARATORS.split(value) if isinstance(value, str) else _flatten(value)
    for item in items:
        text = _SPACE.sub(" ", item).strip()
        if text and match_key(text) not in seen:
            seen[match_key(text)] = text
    return tuple(seen.values())


def _flatten(value: Any) -> Iterable[str]:
    if value is None:
        return
    if isinstance(value, list | tuple):
        for item in value:
            yield from _flatten(item)
    elif isinstance(value, dict):
        yield from (str(k) for k in value)
    else:
        yield str(value)


def authors(value: Any) -> tuple[Author, ...]:
    """Authors from a string, a list, or mappings with name/email/url."""
    found: list[Author] = []
    items = value if isinstance(value, list | tuple) else [value]
    for item in items:
        author = _author(item)
        if author and author not in found:
            found.append(author)
    return tuple(found)


def _author(item: Any) -> Author | None:
    if isinstance(item, Mapping):
        name = clean_title(item.get("name") or item.get("nick") or "")
        email = clean_title(item.get("email") or "") or None
        url = clean_title(item.get("url") or item.get("link") or "") or None
        return Author(name or email or "", email, url) if (name or email) else None
    name = clean_title(item)
    if not name:
        return None
    match = _NAME_ADDRESS.fullmatch(name)
    return Author(match.group(1), match.group(2)) if match else Author(name)
