"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), written with the standard library."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from feeds.models import Author
from feeds.render.fields import is_absolute_url, newest, terms
from feeds.render.model import Entry, FeedMeta
from feeds.render.text import rfc3339

VERSION = "https://jsonfeed.org/version/1.1"
_ENCODER = json.JSONEncoder(ensure_ascii=False, indent=1)  # what json.dumps(...) would use
_LEVEL = " "  # one level of that indentation
_CLOSE = "\n" + _LEVEL + "]"  # the end of the items list
BATCH = 32  # items encoded together: fewer encoder calls, still little memory


def render(meta: FeedMeta, entries: Sequence[Entry]) -> bytes:
    """The JSON document: UTF-8 kept readable, keys in a fixed order, one trailing newline."""
    return b"".join(render_chunks(meta, entries))


def render_chunks(meta: FeedMeta, entries: Sequence[Entry]) -> Iterator[bytes]:
    """The JSON document in pieces, a few items at a time, encoded as they are read: the
    bytes of ``json.dumps(feed, ensure_ascii=False, indent=1)`` with every item in place."""
    newest(meta, entries)  # refuses naive dates, naming the entry
    feed = _head(meta)
    if not entries:
        feed["items"] = []
        return iter(((_ENCODER.encode(feed) + "\n").encode("utf-8"),))
    return _stream(feed, entries)


def _stream(feed: dict[str, Any], entries: Sequence[Entry]) -> Iterator[bytes]:
    feed["items"] = [0]  # "items" is the last key: a stand-in item marks where they go
    head, _, end = _ENCODER.encode(feed).rpartition(_items_list([0]))
    yield (head + "[").encode("utf-8")
    for start in range(0, len(entries), BATCH):
        text = _items_list([_item(e) for e in entries[start : start + BATCH]])
        inner = text[1 : -len(_CLOSE)]  # newline, indentation, items: what is inside [ ]
        yield ("," + inner if start else inner).encode("utf-8")
    yield (_CLOSE + end + "\n").encode("utf-8")


def _items_list(items: list[Any]) -> str:
    """A list of items as it reads inside the feed: one level deeper than on its own (a JSON
    string never holds a raw newline, so re-indenting is a plain replace)."""
    return _ENCODER.encode(items).replace("\n", "\n" + _LEVEL)


def _head(meta: FeedMeta) -> dict[str, Any]:
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": meta.title,
        "home_page_url": meta.home_url,
        "feed_url": meta.self_url,
    }
    if meta.description:
        feed["description"] = meta.description
    if meta.icon or meta.logo:
        feed["icon"] = meta.logo or meta.icon
    if meta.icon:
        feed["favicon"] = meta.icon
    if meta.authors:
        feed["authors"] = [_person(a) for a in meta.authors]
    feed["language"] = meta.language
    hubs = [{"type": "WebSub", "url": link.href} for link in meta.links if link.rel == "hub"]
    if hubs:
        feed["hubs"] = hubs
    return feed


def _person(author: Author) -> dict[str, str]:
    person = {"name": author.name}
    if author.url:
        person["url"] = author.url
    return person


def _item(entry: Entry) -> dict[str, Any]:
    article = entry.article
    item: dict[str, Any] = {"id": article.id}
    if is_absolute_url(article.url):  # optional in JSON Feed; a relative one is invalid
        item["url"] = article.url
    item["title"] = article.title
    if entry.full and article.content_html:
        item["content_html"] = article.content_html
    else:
        item["content_text"] = article.summary
    if article.summary:
        item["summary"] = article.summary
    if article.thumbnail:
        item["image"] = article.thumbnail.url
    item["date_published"] = rfc3339(article.published)
    item["date_modified"] = rfc3339(max(article.updated, article.published))
    if article.authors:
        item["authors"] = [_person(a) for a in article.authors]
    tags = terms(article)
    if tags:
        item["tags"] = tags
    if article.language:
        item["language"] = article.language
    return item
