"""Choosing the image that represents an article.

Candidates, in order: the front-matter fields (``thumbnails.fields``), then the content's
images in document order. A candidate is skipped when it is ignored by config, a placeholder
(shared by much of the collection), found only in removed boilerplate, only used as an icon,
a tracking pixel, or known to be too small.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from feeds.html.assets import LocalAssets
from feeds.html.images import Size, is_iconish, is_tracking_pixel, mime_for, size_from_url, size_of
from feeds.html.tree import Tag
from feeds.html.urls import MEDIA_SCHEMES, Resolver
from feeds.models import Thumbnail

if TYPE_CHECKING:
    from feeds.config.sections.thumbnails import ThumbnailsSection

_NESTED_KEYS = ("feature", "url", "src", "path", "image", "file", "thumbnail")
_MEANINGLESS_ALT = {"", "image", "img", "图片", "photo", "picture", "pic", "null", "undefined"}


@dataclass(frozen=True, slots=True)
class SeenImage:
    """An image as it stands in the cleaned content."""

    url: str
    size: Size
    alt: str
    iconish: bool


@dataclass(frozen=True, slots=True)
class ThumbnailContext:
    page_url: str
    title: str
    metadata: Mapping[str, Any]
    settings: ThumbnailsSection
    placeholders: frozenset[str]
    removed: frozenset[str]  # absolute URLs of images in removed blocks
    content: tuple[SeenImage, ...]
    resolve: Resolver
    assets: LocalAssets | None = None


def content_images(root: Tag) -> tuple[SeenImage, ...]:
    """The images left in the cleaned content (src already absolute), in document order."""
    found = []
    for img in root.iter("img"):
        src = img.get("src")
        if src:
            alt = img.get("alt")
            found.append(
                SeenImage(src, size_of(img, src), alt.strip() if alt else "", is_iconish(img, src))
            )
    return tuple(found)


def front_matter_images(metadata: Mapping[str, Any], fields: Sequence[str]) -> Iterator[str]:
    """Image references from the front matter, in field order (lists: first item; mappings:
    feature/url/src/path)."""
    for name in fields:
        found = metadata.get(name)
        if found is None:
            continue  # most fields are absent from most articles: no call for those
        value = _first_string(found, depth=0)
        if value:
            yield value


def _first_string(value: Any, depth: int) -> str | None:
    if depth > 3:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, Mapping):
        for key in _NESTED_KEYS:
            found = _first_string(value.get(key), depth + 1)
            if found:
                return found
        return None
    if isinstance(value, list | tuple) and value:
        return _first_string(value[0], depth + 1)
    return None


def choose(ctx: ThumbnailContext) -> Thumbnail | None:
    for ref in front_matter_images(ctx.metadata, ctx.settings.fields):
        url = ctx.resolve(ref, MEDIA_SCHEMES)
        if url is None:
            continue
        seen = [s for s in ctx.content if s.url == url]
        if _declared_ok(url, seen, ctx):
            return _record(url, seen[0] if seen else None, ctx)
    for image in ctx.content:
        if not image.iconish and _usable(image.url, image.size, ctx):
            return _record(image.url, image, ctx)
    return None


def _declared_ok(url: str, seen: list[SeenImage], ctx: ThumbnailContext) -> bool:
    if url in ctx.removed and not seen:
        return False  # e.g. the QR code of a removed promo block used as headimg
    if seen and all(s.iconish for s in seen):
        return False  # an avatar or logo in the text is not what the article is about
    size = seen[0].size if seen and seen[0].size.known() else _size_guess(url, ctx)
    return _usable(url, size, ctx)


def _usable(url: str, size: Size, ctx: ThumbnailContext) -> bool:
    s = ctx.settings
    if url in ctx.placeholders or ignored(url, s.ignore) or is_tracking_pixel(url, size):
        return False
    if size.width is not None and size.width < s.min_width:
        return False
    return size.height is None or size.height >= s.min_height


def _size_guess(url: str, ctx: ThumbnailContext) -> Size:
    local = ctx.assets.by_url(url) if ctx.assets else None
    if local is not None:
        return Size(local.width, local.height)
    return size_from_url(url)


def _record(url: str, seen: SeenImage | None, ctx: ThumbnailContext) -> Thumbnail:
    size = seen.size if seen and seen.size.known() else _size_guess(url, ctx)
    alt = seen.alt if seen and seen.alt.casefold() not in _MEANINGLESS_ALT else ctx.title.strip()
    local = ctx.assets.by_url(url) if ctx.assets else None
    mime = local.mime_type if local else mime_for(url)
    return Thumbnail(prefer_https(url, ctx.page_url), mime, size.width, size.height, alt)


@functools.lru_cache(maxsize=4096)
def prefer_https(url: str, page_url: str) -> str:
    """http → https when the article's own https site serves the image."""
    parts, page = urlsplit(url), urlsplit(page_url)
    if parts.scheme == "http" and page.scheme == "https" and parts.netloc == page.netloc:
        return urlunsplit(("https", *parts[1:]))
    return url


def ignored(url: str, patterns: Sequence[str]) -> bool:
    """Does ``url`` match an ignore entry: an exact URL, a URL prefix ending in '/', a host
    (subdomains included), or a glob ('*.host/*' also matches the bare host)?"""
    return _ignored(url, tuple(patterns))


@functools.lru_cache(maxsize=4096)
def _ignored(url: str, patterns: tuple[str, ...]) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    bare = url.split("://", 1)[-1]
    return any(_ignore_one(url, bare, host, pattern.strip()) for pattern in patterns)


def _ignore_one(url: str, bare: str, host: str, pattern: str) -> bool:
    if not pattern:
        return False
    if any(ch in pattern for ch in "*?["):
        variants = {pattern, pattern[2:]} if pattern.startswith("*.") else {pattern}
        return any(fnmatchcase(url, p) or fnmatchcase(bare, p) for p in variants)
    if "://" in pattern:
        return url == pattern or (pattern.endswith("/") and url.startswith(pattern))
    if "/" in pattern:
        return bare == pattern or (pattern.endswith("/") and bare.startswith(pattern))
    pattern = pattern.lower()
    return host == pattern or host.endswith("." + pattern)
