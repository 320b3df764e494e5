"""Slugs and permalinks: stable, readable URLs that keep CJK text unless asked not to."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, tzinfo
from functools import lru_cache
from urllib.parse import quote, urljoin

_NOT_SLUG = re.compile(r"[^\w]+", re.UNICODE)
_HEXO_TOKEN = re.compile(
    r":(year|month|day|i_month|i_day|hour|minute|second|title|slug|name|category|id)"
)
_BRACE_TOKEN = re.compile(r"\{(year|month|day|hour|minute|second|title|slug|name|category|id)\}")


_DASHES = re.compile(r"[\s\-‐‑‒–—－_]+")


@lru_cache(maxsize=4096)  # the same few category and author names, thousands of times
def match_key(text: str) -> str:
    """The form used to compare names: NFKC-normalized, case-folded, dashes unified."""
    folded = unicodedata.normalize("NFKC", text).casefold().strip()
    return _DASHES.sub("-", folded)
_DASH_RUNS = re.compile(r"-{2,}")


def slugify(text: str, *, transliterate: bool = False) -> str:
    """Lower-case words joined by '-'; CJK kept (percent-encoded later in URLs)."""
    text = unicodedata.normalize("NFKC", text)
    if transliterate:
        text = _to_ascii(text)
    slug = _NOT_SLUG.sub("-", text.casefold()).replace("_", "-")
    return _DASH_RUNS.sub("-", slug).strip("-")


def _to_ascii(text: str) -> str:
    """Romanize any script (CJK to pinyin-like syllables): stripping accents alone would turn
    a Chinese title into an empty slug."""
    try:
        from anyascii import anyascii
    except ImportError:  # optional: without it only accents are stripped
        return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return str(anyascii(text))


def build_permalink(
    pattern: str,
    *,
    published: datetime,
    site_tz: tzinfo,
    slug: str,
    title_slug: str,
    category: str,
    article_id: str = "",
) -> str:
    """Expand a Hexo (``:year/:title/``) or brace (``{year}/{slug}/``) permalink pattern."""
    local = published.astimezone(site_tz)
    values = {
        "year": f"{local.year:04d}",
        "month": f"{local.month:02d}",
        "day": f"{local.day:02d}",
        "i_month": str(local.month),
        "i_day": str(local.day),
        "hour": f"{local.hour:02d}",
        "minute": f"{local.minute:02d}",
        "second": f"{local.second:02d}",
        "title": title_slug,
        "slug": slug,
        "name": slug,
        "category": category,
        "id": article_id or slug,
    }
    path = _HEXO_TOKEN.sub(lambda m: values[m.group(1)], pattern)
    path = _BRACE_TOKEN.sub(lambda m: values[m.group(1)], path)
    return quote(path.lstrip("/"), safe="/-._~")


def absolute_url(site_url: str, link: str) -> str:
    """A link from front matter made absolute against the site; non-ASCII percent-encoded."""
    joined = urljoin(site_url, link.strip())
    return quote(joined, safe=":/?#[]@!$&'()*+,;=%-._~")
