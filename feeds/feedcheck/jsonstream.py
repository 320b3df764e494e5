"""A JSON Feed file shown good one item at a time, never whole in memory.

``json_stream_passes`` is True only when ``check_json`` would find no error: it walks the
top-level object itself (the standard decoder reads each value, so the grammar is the same),
checks each item as it is decoded and keeps only the feed's other fields and the item ids.
Anything it cannot settle that way (a repeated top-level key, an item larger than
``PENDING``, any error) makes it False, and the caller checks the file whole, which also
gives the messages.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any

from feeds.feedcheck.jsonrules import feed_problems, item_problems
from feeds.feedcheck.reading import Readable, Rejoined

BLOCK = 256 * 1024  # bytes read at a time (its text stays in the CPU cache while parsed)
PENDING = 16 * 1024 * 1024  # characters one value may take before giving up on it
_WHITESPACE = re.compile(r"[ \t\n\r]*")  # JSON's, as the json module skips it
_DECODER = json.JSONDecoder()


def json_stream_passes(source: Readable) -> bool:
    """Whether the document ``source`` reads, from its start, passes (see above)."""
    head = source.read(3)
    if head == b"\xef\xbb\xbf":
        return False
    try:
        return _feed(_Text(Rejoined(head, source)))
    except ValueError:  # bad JSON, bad UTF-8, a value too large
        return False


class _Text:
    """The document decoded as it is read, from a cursor on; what is behind it is let go."""

    def __init__(self, handle: Readable) -> None:
        self._handle = handle
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.text = ""
        self.at = 0
        self.ended = False

    def peek(self) -> str:
        """The next character after whitespace ("" at the end), not taken."""
        while True:
            self.at = _WHITESPACE.match(self.text, self.at).end()  # type: ignore[union-attr]
            if self.at < len(self.text) or not self._more():
                return self.text[self.at : self.at + 1]

    def take(self, expected: str) -> bool:
        """Step over ``expected`` when it comes next (after whitespace)."""
        if self.peek() != expected:
            return False
        self.at += 1
        return True

    def value(self) -> Any:
        """The next JSON value; ValueError when there is none."""
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.at)
            except ValueError:
                if len(self.text) - self.at > PENDING or not self._more():
                    raise
                continue
            # a number or a literal may go on in the text not read yet
            if end < len(self.text) or not self._more():
                self.at = end
                return value

    def _more(self) -> bool:
        if self.ended:
            return False
        block = self._handle.read(BLOCK)
        self.ended = not block
        self.text = self.text[self.at :] + self._decoder.decode(block, final=self.ended)
        self.at = 0
        return True

    def after_value(self) -> str:
        """The next character after whitespace, taken ("" at the end): what follows a value."""
        following = self.peek()
        self.at += 1
        return following


def _feed(text: _Text) -> bool:
    if not text.take("{"):
        return False
    head: dict[str, Any] = {}
    items = False
    if not text.take("}"):
        while True:
            if text.peek() != '"':
                return False
            key = text.value()
            if key in head or (key == "items" and items) or not text.take(":"):
                return False  # a repeated key: the whole check keeps the last one
            if key == "items":
                items = True
                if not _items(text):
                    return False
            else:
                head[key] = text.value()
            if text.take("}"):
                break
            if not text.take(","):
                return False
    return text.peek() == "" and items and not feed_problems(head)


def _items(text: _Text) -> bool:
    if not text.take("["):
        return False
    if text.take("]"):
        return True
    ids: set[str] = set()
    while True:
        item = text.value()
        if item_problems(item):
            return False
        ident = str(item.get("id"))
        if ident in ids:
            return False
        ids.add(ident)
        following = text.after_value()
        if following != ",":
            return following == "]"
