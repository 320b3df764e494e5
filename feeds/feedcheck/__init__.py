"""Reading a feed back before it is published: is it something every reader can take?

``check(data)`` returns the list of errors (empty when the feed is good): well-formed UTF-8
XML with a declaration, Atom against the RFC 4287 RELAX NG schema and its two Schematron
rules, RSS 2.0 required elements and dates, JSON Feed 1.1 rules. ``check_file`` reads a
large file an item at a time and holds it whole only to report what is wrong with it.
"""

from __future__ import annotations

from pathlib import Path

from feeds.feedcheck.jsonrules import check_json
from feeds.feedcheck.jsonstream import json_stream_passes
from feeds.feedcheck.reading import Readable, Rejoined
from feeds.feedcheck.xmlrules import check_xml
from feeds.feedcheck.xmlstream import xml_stream_passes

STREAM_FROM = 2 * 1024 * 1024  # bytes: larger files are checked in pieces first


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


def check_file(path: Path, expect: str | None = None) -> list[str]:
    """Errors in the feed file at ``path`` (an unreadable file is one error).

    A file larger than ``STREAM_FROM`` is first read in pieces, an item at a time; only when
    that cannot show it good is it read whole, which gives the same errors as ``check``.
    """
    try:
        if path.stat().st_size > STREAM_FROM and passes(path, expect):
            return []
    except OSError as exc:
        return [_unreadable(exc)]
    return check_whole(path, expect)


def check_whole(path: Path, expect: str | None = None) -> list[str]:
    """``check`` of the file at ``path`` read whole: the messages of a file the streaming
    check could not show good (an unreadable file is one error)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [_unreadable(exc)]
    return check(data, expect)


def _unreadable(exc: OSError) -> str:
    return f"cannot read: {exc.strerror or exc}"


def passes(path: Path, expect: str | None = None) -> bool:
    """True only when ``check`` would find no error in the file; never holds it whole."""
    with path.open("rb") as handle:
        return stream_passes(handle, expect)


def stream_passes(source: Readable, expect: str | None = None) -> bool:
    """:func:`passes` of the document ``source`` reads, from its start."""
    head = source.read(4096)
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n"):
        return False  # kind unknown from the start of the file
    whole = Rejoined(head, source)
    if detect_kind(head) == "json":
        return expect in (None, "json") and json_stream_passes(whole)
    return xml_stream_passes(whole, expect)


__all__ = ["check", "check_file", "check_whole", "detect_kind", "passes", "stream_passes"]
