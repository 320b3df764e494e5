"""An XML feed file shown good one item at a time, never whole in memory.

``xml_passes`` is True only when ``check_xml`` would find no error and the expected kind:
it applies the same rules to each <item> or <entry> as the parser finishes it, then drops
it. An Atom entry is validated against RFC 4287 on its own (the schema's start pattern
accepts a standalone atom:entry) and the feed without its entries afterwards, which is the
same as validating the whole feed as long as the entries come last and nothing but
whitespace lies between them (checked here too). Anything else makes it False, and the
caller checks the file whole, which also gives the messages.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from feeds.feedcheck.xmlrules import (
    ATOM,
    DECLARATION,
    PARSING,
    atom_schema,
    channel_problems,
    entry_id,
    has_author,
    is_linked,
    item_guid,
    rss_item,
)

BLOCK = 1024 * 1024  # bytes read at a time


def xml_passes(path: Path, expect: str | None = None) -> bool:
    with path.open("rb") as handle:
        if not DECLARATION.match(handle.read(BLOCK)):
            return False
        handle.seek(0)
        reader = _Utf8Reader(handle)
        try:
            passed = _Feed(expect).read(reader)
        except etree.LxmlError:
            return False
        return passed and reader.valid


class _Utf8Reader:
    """The file as the parser reads it, decoded on the way (and thrown away) to make sure it
    is all UTF-8; on the first bad byte it ends the input and ``valid`` turns False."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.valid = True

    def read(self, size: int = -1) -> bytes:
        block = self._handle.read(size) if self.valid else b""
        try:
            self._decoder.decode(block, final=not block)
        except UnicodeDecodeError:
            self.valid = False
            return b""
        return block


class _Feed:
    """What has been seen so far of one feed: its root, the last item kept, ids met."""

    def __init__(self, expect: str | None) -> None:
        self.expect = expect
        self.ids: set[str] = set()
        self.last: etree._Element | None = None  # the last item checked, dropped at the next
        self.authorless = False  # an Atom entry without an author (fine if the feed has one)

    def read(self, reader: _Utf8Reader) -> bool:
        parsed = etree.iterparse(reader, events=("end",), tag=("item", ATOM + "entry"), **PARSING)
        for _event, element in parsed:
            if not self._item(element):
                return False
        root = parsed.root
        if root.tag == ATOM + "feed":
            return self.expect in (None, "atom") and self._atom_head(root)
        if root.tag == "rss":
            return self.expect in (None, "rss") and self._rss_head(root)
        return False

    def _item(self, element: etree._Element) -> bool:
        parent = element.getparent()
        root = element.getroottree().getroot()
        if root.tag == "rss" and element.tag == "item":
            if parent is None or parent.getparent() is not root or parent is not root.find(
                "channel"
            ):
                return True  # not an item of the feed: the whole check does not look at it
            if rss_item(element) or not self._unique(item_guid(element)):
                return False
        elif root.tag == ATOM + "feed" and element.tag == ATOM + "entry" and parent is root:
            if self.last is not None and not self._alone(self.last, element):
                return False
            self.authorless = self.authorless or not has_author(element)
            if not (
                atom_schema().validate(element)
                and is_linked(element)
                and self._unique(entry_id(element))
            ):
                return False
        else:
            return True  # nested, or not the feed's kind of item: part of the head
        self._keep(element)
        return True

    def _unique(self, ident: str | None) -> bool:
        if ident is None:
            return True
        if ident in self.ids:
            return False
        self.ids.add(ident)
        return True

    def _keep(self, element: etree._Element) -> None:
        """Let go of the item before this one and of this one's content (the parser may
        still hold on to the element itself)."""
        last = self.last
        parent = None if last is None else last.getparent()
        if last is not None and parent is not None:
            parent.remove(last)
        element.clear(keep_tail=True)
        self.last = element

    @staticmethod
    def _alone(entry: etree._Element, neighbour: etree._Element | None) -> bool:
        """Whether an entry is followed by ``neighbour`` (another entry, or None at the end
        of the feed) with only whitespace between: the schema wants the entries last."""
        return entry.getnext() is neighbour and not (entry.tail or "").strip()

    def _atom_head(self, root: etree._Element) -> bool:
        if self.last is not None:
            if not self._alone(self.last, None):
                return False
            root.remove(self.last)
        if self.authorless and not has_author(root):
            return False
        return bool(atom_schema().validate(root.getroottree()))

    def _rss_head(self, root: etree._Element) -> bool:
        channel = root.find("channel")
        return root.get("version") == "2.0" and channel is not None and not channel_problems(
            channel
        )
