"""An XML feed file shown good one item at a time, never whole in memory.

``xml_stream_passes`` is True only when ``check_xml`` would find no error and the expected
kind: it applies the same rules to each <item> or <entry> as the parser finishes it, then
drops it. An Atom entry is validated against RFC 4287 on its own (the schema's start pattern
accepts a standalone atom:entry) and the feed without its entries afterwards, which is the
same as validating the whole feed as long as the entries come last and nothing but XML
whitespace lies between them (checked here too). Anything else makes it False, and the
caller checks the file whole, which also gives the messages.

The file must be UTF-8 throughout. libxml2 refuses malformed UTF-8 itself (2.14, lxml 6's,
refuses every kind): the parser is asked once (``parser_refuses_bad_utf8``) and, should it
take any kind, the stream is decoded on the way as well. Decoding took ~0.04 s of every
50 MB feed (at 10 000 articles: RSS 0.37 s → 0.33 s, Atom 0.57 s → 0.53 s).
"""

from __future__ import annotations

import codecs
import functools
import io

from lxml import etree

from feeds.feedcheck.reading import Readable, Rejoined
from feeds.feedcheck.xmlrules import (
    ATOM,
    DECLARATION,
    PARSING,
    atom_schema,
    channel_problems,
    has_author,
    item_problems,
    read_entry,
    read_item,
)

_HEAD = 4096  # bytes the declaration must lie in (else the whole check decides)
_ENTRY = ATOM + "entry"
_XML_SPACE = " \t\r\n"  # the only whitespace RELAX NG lets stand between elements
# Malformed UTF-8 of every kind, each followed by text: a byte no sequence starts with, a
# lead without its continuation, overlong forms, UTF-16 surrogates, past U+10FFFF.
MALFORMED_UTF8 = (
    b"\x80", b"\xbf", b"\xc0\x80", b"\xc1\xbf", b"\xe0\x80\x80", b"\xe0\x9f\xbf",
    b"\xf0\x80\x80\x80", b"\xf0\x8f\xbf\xbf", b"\xed\xa0\x80", b"\xed\xbf\xbf",
    b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80", b"\xfe", b"\xff", b"\xc3", b"\xe4\xb8",
    b"\xf0\x9f\x98",
)  # fmt: skip


def xml_stream_passes(source: Readable, expect: str | None = None) -> bool:
    """Whether the document ``source`` reads, from its start, passes (see above)."""
    head = source.read(_HEAD)
    if not DECLARATION.match(head):
        return False
    whole = Rejoined(head, source)
    decoded = None if parser_refuses_bad_utf8() else _Utf8Reader(whole)
    try:
        passed = _Feed(expect).read(decoded or whole)
    except etree.LxmlError:
        return False
    return passed and (decoded is None or decoded.valid)


@functools.cache
def parser_refuses_bad_utf8() -> bool:
    """Whether libxml2, reading a document in pieces as the stream check does, refuses each
    kind of malformed UTF-8 (MALFORMED_UTF8) by itself."""
    for bad in MALFORMED_UTF8:
        document = b'<?xml version="1.0" encoding="UTF-8"?>\n<a>x' + bad + b"y</a>"
        try:
            for _ in etree.iterparse(io.BytesIO(document), events=("end",), **PARSING):
                pass
        except etree.XMLSyntaxError:
            continue
        return False
    return True


class _Utf8Reader:
    """The file as the parser reads it, decoded on the way (and thrown away) to make sure it
    is all UTF-8; on the first bad byte it ends the input and ``valid`` turns False."""

    def __init__(self, handle: Readable) -> None:
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
        self.root: etree._Element | None = None
        self.holder: etree._Element | None = None  # the feed's items' parent, once known
        self.item_tag = ""  # "item" or atom:entry, by the root
        self.last: etree._Element | None = None  # the last item checked, dropped at the next
        self.authorless = False  # an Atom entry without an author (fine if the feed has one)

    def read(self, reader: Readable) -> bool:
        parsed = etree.iterparse(reader, events=("end",), tag=("item", _ENTRY), **PARSING)
        for _event, element in parsed:
            if self.root is None and not self._start(element):
                return False
            if not self._item(element):
                return False
        root = parsed.root
        if root.tag == ATOM + "feed":
            return self.expect in (None, "atom") and self._atom_head(root)
        if root.tag == "rss":
            return self.expect in (None, "rss") and self._rss_head(root)
        return False

    def _start(self, element: etree._Element) -> bool:
        """Learn the root at the first item; False when it is no feed of the expected kind
        (the whole check then fails too)."""
        self.root = root = element.getroottree().getroot()
        kind = {"rss": "rss", ATOM + "feed": "atom"}.get(root.tag)
        self.item_tag = "item" if kind == "rss" else _ENTRY
        return kind is not None and self.expect in (None, kind)

    def _item(self, element: etree._Element) -> bool:
        """Check ``element`` when it is one of the feed's items; anything else (nested, or
        not the feed's kind of item) is part of the head, which is checked at the end."""
        if self.holder is None:  # rss: its first <channel>, once that has begun
            root = self.root
            assert root is not None
            self.holder = root.find("channel") if self.item_tag == "item" else root
        if element.getparent() is not self.holder or element.tag != self.item_tag:
            return True
        good = self._rss_item(element) if self.item_tag == "item" else self._entry(element)
        if good:
            self._keep(element)
        return good

    def _rss_item(self, item: etree._Element) -> bool:
        fields = read_item(item)
        return not item_problems(fields, item.sourceline) and self._unique(fields.text("guid"))

    def _entry(self, entry: etree._Element) -> bool:
        if self.last is not None and not _alone(self.last, entry):
            return False
        fields = read_entry(entry)
        self.authorless = self.authorless or not fields.authored
        return fields.linked and self._unique(fields.ident) and bool(atom_schema().validate(entry))

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
        if self.last is not None and self.holder is not None:
            self.holder.remove(self.last)
        element.clear(keep_tail=True)
        self.last = element

    def _atom_head(self, root: etree._Element) -> bool:
        if self.last is not None:
            if not _alone(self.last, None):
                return False
            root.remove(self.last)
        if self.authorless and not has_author(root):
            return False
        return bool(atom_schema().validate(root.getroottree()))

    def _rss_head(self, root: etree._Element) -> bool:
        channel = root.find("channel")
        return (
            root.get("version") == "2.0" and channel is not None and not channel_problems(channel)
        )


def _alone(entry: etree._Element, neighbour: etree._Element | None) -> bool:
    """Whether an entry is followed by ``neighbour`` (another entry, or None at the end of
    the feed) with only XML whitespace between: the schema wants the entries last, and
    takes no other text (not even U+3000 or U+00A0, which str.strip would drop)."""
    return entry.getnext() is neighbour and not (entry.tail or "").strip(_XML_SPACE)
