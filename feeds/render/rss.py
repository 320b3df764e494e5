"""RSS 2.0 with the content, Dublin Core, Media RSS and Atom (self/hub/archive) extensions.

Built directly with lxml rather than feedgen 1.0.0: feedgen's RSS output keeps only the
``rel="self"`` atom:link (hub and RFC 5005 links would be lost), stamps ``now()`` as
``lastBuildDate``, and formats every date by switching the process-wide locale, which is not
safe while the scheduler runs other jobs in threads. Building the tree here is also about
twice as fast (10 000 full-content items: ~0.4 s instead of ~0.85 s).
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from datetime import datetime

from lxml import etree

from feeds.models import Thumbnail
from feeds.render.fields import image_type, newest, positive, terms
from feeds.render.model import Entry, FeedMeta, RenderError
from feeds.render.text import rfc822, xml_html
from feeds.render.xml import ATOM, CONTENT, DC, HISTORY, MEDIA, stream, sub

NSMAP = {"atom": ATOM, "content": CONTENT, "dc": DC, "media": MEDIA}


def render(meta: FeedMeta, entries: Sequence[Entry]) -> bytes:
    """The whole RSS document; entries are written in the order given."""
    return b"".join(render_chunks(meta, entries))


def render_chunks(meta: FeedMeta, entries: Sequence[Entry]) -> Iterator[bytes]:
    """The RSS document in pieces, a few items at a time, built as they are read (a
    RenderError for a naive date comes at once, one for a broken item when it is reached)."""
    nsmap = {**NSMAP, "fh": HISTORY} if meta.archive else NSMAP
    root = etree.Element("rss", {"version": "2.0"}, nsmap=nsmap)
    channel = _channel(root, meta, newest(meta, entries))

    def add(parent: etree._Element, entry: Entry) -> etree._Element:
        try:
            return _item(parent, entry)
        except (ValueError, TypeError) as exc:
            raise RenderError(meta.name, entry.article.source_path, str(exc)) from exc

    return stream(root, channel, "item", entries, add, meta.stylesheets)


def _channel(root: etree._Element, meta: FeedMeta, updated: datetime) -> etree._Element:
    channel = sub(root, "channel")
    sub(channel, "title", meta.title)
    sub(channel, "link", meta.home_url)
    sub(channel, "description", meta.description or meta.title)
    sub(channel, f"{{{ATOM}}}link", href=meta.self_url, rel="self", type="application/rss+xml")
    for link in meta.links:
        sub(channel, f"{{{ATOM}}}link", href=link.href, rel=link.rel)
    if meta.archive:
        sub(channel, f"{{{HISTORY}}}archive")
    sub(channel, "language", meta.language)
    sub(channel, "lastBuildDate", rfc822(updated))
    sub(channel, "generator", meta.generator)
    sub(channel, "docs", "https://www.rssboard.org/rss-specification")
    image = meta.logo or meta.icon
    if image:
        element = sub(channel, "image")
        sub(element, "url", image)
        sub(element, "title", meta.title)
        sub(element, "link", meta.home_url)
    return channel


def _item(channel: etree._Element, entry: Entry) -> etree._Element:
    article = entry.article
    item = sub(channel, "item")
    sub(item, "title", article.title)
    sub(item, "link", article.url)
    guid = sub(item, "guid", article.id)
    guid.set("isPermaLink", "true" if article.id == article.url else "false")
    sub(item, "pubDate", rfc822(article.published))
    # description is HTML to readers: the plain-text summary is escaped once more
    summary = html.escape(article.summary, quote=False)
    body = xml_html(article.content_html)
    sub(item, "description", summary or body)
    if entry.full and body:
        sub(item, f"{{{CONTENT}}}encoded", body)
    for author in article.authors:
        sub(item, f"{{{DC}}}creator", author.name)
    for term in terms(article):
        sub(item, "category", term)
    if article.thumbnail:
        _thumbnail(item, article.thumbnail)
    return item


def _thumbnail(item: etree._Element, thumb: Thumbnail) -> None:
    mime = image_type(thumb)
    if mime:
        sub(item, "enclosure", url=thumb.url, length=thumb.length or 0, type=mime)
    width, height = positive(thumb.width), positive(thumb.height)
    sub(item, f"{{{MEDIA}}}thumbnail", url=thumb.url, width=width, height=height)
    content = sub(
        item, f"{{{MEDIA}}}content", url=thumb.url, medium="image", type=mime, width=width,
        height=height,
    )
    if thumb.alt:
        sub(content, f"{{{MEDIA}}}description", thumb.alt, type="plain")
