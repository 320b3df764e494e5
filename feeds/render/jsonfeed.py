"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), written with the standard library."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from feeds.models import Article, Author
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
        text = _items_text(entries[start : start + BATCH])
        yield (text if start else text[1:]).encode("utf-8")  # no comma before the first
    yield (_CLOSE + end + "\n").encode("utf-8")


def _items_list(items: list[Any]) -> str:
    """A list of items as it reads inside the feed: one level deeper than on its own (a JSON
    string never holds a raw newline, so re-indenting is a plain replace)."""
    return _ENCODER.encode(items).replace("\n", "\n" + _LEVEL)


def _items_text(entries: Sequence[Entry]) -> str:
    """The entries' items as they read inside the [ ] of the feed's items list, each after
    a comma: a newline, the indentation, the JSON of ``_item(entry)``."""
    parts: list[str] = []
    try:
        for entry in entries:
            _add_item(parts, entry)
    except Exception:  # a field of an unexpected type: the encoder writes (or raises) it
        return "," + _items_list([_item(e) for e in entries])[1 : -len(_CLOSE)]
    return "".join(parts)  # one copy of each article's content into the batch


# The indenting encoder is pure Python and took most of the render. An item is written here
# as it writes _item(entry): a newline and the level's indentation before each member,
# "," after all but the last, ": " after a key, strings by the C function it calls itself
# (which refuses anything but a str: such an item is left to the encoder).
_STRING = json.encoder.encode_basestring  # what _ENCODER uses (ensure_ascii=False)
_MEMBER = ",\n   "  # before each member of an item but the first
_TAG = ",\n    "  # before each tag but the first; authors are one level deeper still


def _add_item(parts: list[str], entry: Entry) -> None:
    """``_item(entry)`` after a comma, as a member of the items list (same keys, order)."""
    article = entry.article
    parts += [',\n  {\n   "id": ', _STRING(article.id)]
    if is_absolute_url(article.url):
        parts += [_MEMBER, '"url": ', _STRING(article.url)]
    parts += [_MEMBER, '"title": ', _STRING(article.title)]
    if entry.full and article.content_html:
        parts += [_MEMBER, '"content_html": ', _STRING(article.content_html)]
    else:
        parts += [_MEMBER, '"content_text": ', _STRING(article.summary)]
    if article.summary:
        parts += [_MEMBER, '"summary": ', _STRING(article.summary)]
    if article.thumbnail:
        parts += [_MEMBER, '"image": ', _STRING(article.thumbnail.url)]
    _add_dates(parts, article)
    if article.authors:
        parts += [_MEMBER, '"authors": [', ",".join(map(_author_text, article.authors)),
                  "\n   ]"]
    tags = terms(article)
    if tags:
        parts += [_MEMBER, '"tags": [\n    ', _TAG.join(map(_STRING, tags)), "\n   ]"]
    if article.language:
        parts += [_MEMBER, '"language": ', _STRING(article.language)]
    parts.append("\n  }")


def _add_dates(parts: list[str], article: Article) -> None:
    published = rfc3339(article.published)  # digits and -:TZ: nothing to escape
    modified = max(article.updated, article.published)
    # most articles were never updated: the same date object, formatted once
    modified_text = published if modified is article.published else rfc3339(modified)
    parts += [_MEMBER, '"date_published": "', published, '"',
              _MEMBER, '"date_modified": "', modified_text, '"']


def _author_text(author: Author) -> str:
    """``_person(author)`` as a member of an item's authors list."""
    name = '\n    {\n     "name": ' + _STRING(author.name)
    if author.url:
        return name + ',\n     "url": ' + _STRING(author.url) + "\n    }"
    return name + "\n    }"


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
