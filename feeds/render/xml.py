"""Small lxml helpers shared by the XML renderers: safe elements and stable serialization.

A feed is written a few entries at a time (``stream``): only the feed's head and one batch
of entries are ever in memory as elements, and the bytes are exactly those of the whole
tree indented and serialized at once (``serialize``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from lxml import etree

from feeds.render.text import xml_text

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
MEDIA = "http://search.yahoo.com/mrss/"
HISTORY = "http://purl.org/syndication/history/1.0"  # RFC 5005
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SPACE = "  "  # one level of indentation
BATCH = 32  # items serialized together: fewer calls into lxml, still little memory

T = TypeVar("T")
Add = Callable[[etree._Element, T], etree._Element]  # builds one entry under the parent given


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
    add: Add[T],
    stylesheets: Sequence[tuple[str, str]] = (),
) -> Iterator[bytes]:
    """``serialize(root, stylesheets)`` as if ``add(container, item)`` had been called for
    every item, in pieces: the head, a few items at a time, the end. ``add`` makes one
    ``tag`` element; ``container`` already holds everything that comes before the items."""
    if not items:
        yield serialize(root, stylesheets)
        return
    batch = _Batch(root, level=sum(1 for _ in container.iterancestors()) + 1)
    etree.SubElement(batch.parent, tag)
    marker = batch.take()  # the whitespace before an item, then an empty item
    etree.SubElement(container, tag)  # a stand-in where the items go
    whole = serialize(root, stylesheets)
    at = whole.rindex(marker)
    yield whole[:at]
    for start in range(0, len(items), BATCH):
        for item in items[start : start + BATCH]:
            add(batch.parent, item)
        yield batch.take()
    yield whole[at + len(marker) :]


class _Batch:
    """A few items serialized as they read inside ``root`` at depth ``level``: the namespace
    prefixes of ``root`` (declared on it, so not repeated on each item), the indentation of
    that depth, and the whitespace before each item."""

    def __init__(self, root: etree._Element, level: int) -> None:
        self.parent = etree.Element(root.tag, nsmap=root.nsmap)
        self.level = level
        self.parent.text = "x"
        empty: bytes = etree.tostring(self.parent, encoding="UTF-8")
        self._end = len(empty) - empty.rindex(b"</")  # the parent's end tag
        self._start = len(empty) - self._end - 1  # its start tag, without the "x"
        self.parent.text = None

    def take(self) -> bytes:
        """The children of ``parent``, each after its whitespace; they are removed."""
        etree.indent(self.parent, space=SPACE, level=self.level - 1)
        closing = len(self.parent[-1].tail or "")  # whitespace before the end tag: ASCII
        whole: bytes = etree.tostring(self.parent, encoding="UTF-8")
        del self.parent[:]
        return whole[self._start : len(whole) - self._end - closing]


def _prolog(stylesheets: Sequence[tuple[str, str]]) -> bytes:
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' + "".join(
        f'<?xml-stylesheet href="{_attr(href)}" type="{_attr(media_type)}"?>\n'
        for href, media_type in stylesheets
    )
    return head.encode("utf-8")


def _attr(value: str) -> str:
    return xml_text(value).replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
