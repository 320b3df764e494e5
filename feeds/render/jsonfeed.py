"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), written with the standard library."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from feeds.models import Author
from feeds.render.fields import is_absolute_url, newest, terms
from feeds.render.model import Entry, FeedMeta
from feeds.render.text import rfc3339

VERSION = "https://jsonfeed.org/version/1.1"


def render(meta: FeedMeta, entries: Sequence[Entry]) -> bytes:
    """The JSON document: UTF-8 kept readable, keys in a fixed order, one trailing newline."""
    newest(meta, entries)  # refuses naive dates, naming the entry
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
    feed["items"] = [_item(entry) for entry in entries]
    text = json.dumps(feed, ensure_ascii=False, indent=1)
    return text.encode("utf-8") + b"\n"


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
