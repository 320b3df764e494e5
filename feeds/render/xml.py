"""Small lxml helpers shared by the XML renderers: safe elements and stable serialization.

A feed is written a few entries at a time (``stream``): only the feed's head is ever in
memory as elements; the entries are written as text (``xmltext``), a batch at a time, and
the bytes are exactly those of the whole tree indented and serialized at once
(``serialize``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from lxml import etree

from feeds.render.text import xml_text
from feeds.render.xmltext import SPACE, Line, encode

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
MEDIA = "http://search.yahoo.com/mrss/"
HISTORY = "http://purl.org/syndication/history/1.0"  # RFC 5005
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
BATCH = 32  # items encoded together: fewer, larger pieces, still little memory

T = TypeVar("T")
Lines = Callable[[T], list[Line]]  # one entry as lines indented relative to it (xmltext)


def sub(
    parent: etree._Element, tag: str, text: str | None = None, **attrs: str | int | None
) -> etree._Element:
    """A child element; text and attribute values are made XML-safe, None attributes skipped."""
    element = etree.SubElement(
        parent, tag, {k: xml_text(str(v)) for k, v in attrs.items() if v is not None}
    )
    if text is not None:
        element.text = xml_text(text)
    return element


def serialize(root: etree._Element, stylesheets: Sequence[tuple[str, str]] = ()) -> bytes:
    """UTF-8 with a declaration, indented, ``xml-stylesheet`` instructions before the root."""
    etree.indent(root, space=SPACE)
    body: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
    return _prolog(stylesheets) + body + b"\n"


def stream(
    root: etree._Element,
    container: etree._Element,
    tag: str,
    items: Sequence[T],
    lines: Lines[T],
    stylesheets: Sequence[tuple[str, str]] = (),
) -> Iterator[bytes]:
    """``serialize(root, stylesheets)`` as if every item were a ``tag`` element at the end of
    ``container``, in pieces: the head, a few items at a time, the end. ``lines`` writes
    one item; ``container`` already holds everything that comes before the items."""
    if not items:
        yield serialize(root, stylesheets)
        return
    pad = "\n" + SPACE * (sum(1 for _ in container.iterancestors()) + 1)
    etree.SubElement(container, tag)  # a stand-in where the items go
    whole = serialize(root, stylesheets)
    end = whole.rindex(b"/>") + 2  # only end tags follow the stand-in: its "/>" is the last
    at = whole.rindex(b"\n", 0, end)  # the whitespace before it: each item brings its own
    yield whole[:at]
    for start in range(0, len(items), BATCH):
        yield encode(map(lines, items[start : start + BATCH]), pad)
    yield whole[end:]


def _prolog(stylesheets: Sequence[tuple[str, str]]) -> bytes:
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' + "".join(
        f'<?xml-stylesheet href="{_attr(href)}" type="{_attr(media_type)}"?>\n'
        for href, media_type in stylesheets
    )
    return head.encode("utf-8")


def _attr(value: str) -> str:
    return xml_text(value).replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
