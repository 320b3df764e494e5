"""JSON Feed 1.1 rules (https://www.jsonfeed.org/version/1.1/)."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from feeds.render.fields import is_absolute_url

VERSION = "https://jsonfeed.org/version/1.1"
_ATTACHMENT = ("url", "mime_type")
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$"
)


def check_json(data: bytes) -> list[str]:
    """Errors in a JSON Feed document."""
    if data.startswith(b"\xef\xbb\xbf"):
        return ["starts with a byte-order mark"]
    try:
        feed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return [f"not valid UTF-8 JSON: {exc}"]
    if not isinstance(feed, dict):
        return ["the top level is not an object"]
    errors = feed_problems(feed)
    items = feed.get("items")
    if not isinstance(items, list):
        return [*errors, "items: required, and must be a list"]
    for index, item in enumerate(items):
        errors += [f"items[{index}].{e}" for e in item_problems(item)]
    ids = [str(i.get("id")) for i in items if isinstance(i, dict)]
    errors += [f"item id {v!r} is used {n} times" for v, n in sorted(Counter(ids).items()) if n > 1]
    return errors


def feed_problems(feed: dict[str, Any]) -> list[str]:
    errors = []
    if feed.get("version") != VERSION:
        errors.append(f"version: expected {VERSION!r}, got {feed.get('version')!r}")
    if not isinstance(feed.get("title"), str) or not feed["title"].strip():
        errors.append("title: required, a non-empty string")
    for key in ("home_page_url", "feed_url", "icon", "favicon"):
        errors += _url(feed, key)
    errors += _authors(feed)
    return errors


def item_problems(item: Any) -> list[str]:
    if not isinstance(item, dict):
        return ["not an object"]
    errors = []
    if not isinstance(item.get("id"), str) or not item["id"]:
        errors.append("id: required, a non-empty string")
    if not any(isinstance(item.get(k), str) for k in ("content_html", "content_text")):
        errors.append("content_html or content_text: one is required")
    for key in ("url", "external_url", "image", "banner_image"):
        errors += _url(item, key)
    for key in ("date_published", "date_modified"):
        value = item.get(key)
        if value is not None and not (isinstance(value, str) and _RFC3339.match(value)):
            errors.append(f"{key}: {value!r} is not an RFC 3339 date")
    tags = item.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        errors.append("tags: must be a list of strings")
    attachments = item.get("attachments", [])
    if not isinstance(attachments, list):  # a number or null crashed the check once
        errors.append("attachments: must be a list")
        attachments = []
    for index, attachment in enumerate(attachments):
        if not isinstance(attachment, dict) or not all(attachment.get(k) for k in _ATTACHMENT):
            errors.append(f"attachments[{index}]: needs url and mime_type")
    return errors + _authors(item)


def _url(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key)
    if value is None or (isinstance(value, str) and is_absolute_url(value)):
        return []
    return [f"{key}: {value!r} is not an absolute URL"]


def _authors(data: dict[str, Any]) -> list[str]:
    authors = data.get("authors", [])
    if not isinstance(authors, list):
        return ["authors: must be a list"]
    keys = ("name", "url", "avatar")
    if any(not isinstance(a, dict) or not any(a.get(k) for k in keys) for a in authors):
        return ["authors: each needs a name, url or avatar"]
    return []
