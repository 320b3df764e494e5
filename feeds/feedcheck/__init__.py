"""Reading a feed back before it is published: is it something every reader can take?

``check(data)`` returns the list of errors (empty when the feed is good): well-formed UTF-8
XML with a declaration, Atom against the RFC 4287 RELAX NG schema and its two Schematron
rules, RSS 2.0 required elements and dates, JSON Feed 1.1 rules.
"""

from __future__ import annotations

from pathlib import Path

from feeds.feedcheck.jsonrules import check_json
from feeds.feedcheck.xmlrules import check_xml


def detect_kind(data: bytes) -> str:
    """'json' when the document starts with '{', else 'xml'."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "json" if head == b"{" else "xml"


def check(data: bytes, expect: str | None = None) -> list[str]:
    """Errors found in a feed document; ``expect`` ('rss', 'atom', 'json') adds a kind check."""
    if detect_kind(data) == "json":
        kind, errors = "json", check_json(data)
    else:
        kind, errors = check_xml(data)
    if expect and kind and kind != expect:
        errors.insert(0, f"expected a {expect} feed, found {kind}")
    return errors


def check_file(path: Path) -> list[str]:
    """Errors in the feed file at ``path`` (an unreadable file is one error)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [f"cannot read: {exc.strerror or exc}"]
    return check(data)


__all__ = ["check", "check_file", "detect_kind"]
