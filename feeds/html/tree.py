"""Parsing and serializing article HTML: the one place BeautifulSoup is constructed.

Documents are parsed once per article with the ``lxml`` parser (fast, and lxml is already a
dependency through feedgen); every later step works on the same tree. Walks are iterative
(``descendants``) so 10 000 nested divs cannot exhaust the Python stack.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import PreformattedString

__all__ = [
    "BLOCK_TAGS",
    "Comment",
    "NavigableString",
    "PreformattedString",
    "Tag",
    "elements",
    "gone",
    "has_block_child",
    "parse",
    "serialize",
    "text_of",
]

# Elements that start a new line when rendered: what "a block" and "a paragraph" mean here.
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "dd", "details", "dialog",
        "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
        "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li", "main", "nav", "ol", "p",
        "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
        "ul",
    }
)  # fmt: skip

_SPACE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")


def parse(html: str) -> Tag:
    """The ``<body>`` of ``html`` (a fragment or a whole page); never None, never raises."""
    soup = BeautifulSoup(html, "lxml")
    body = soup.body
    if body is None:
        body = soup.new_tag("body")
        soup.append(body)
    return body


def serialize(root: Tag) -> str:
    """The inner HTML of ``root``."""
    return root.decode_contents()


def elements(root: Tag) -> Iterator[Tag]:
    """Every element below ``root`` in document order (a snapshot: safe to modify while used)."""
    return iter([node for node in root.descendants if isinstance(node, Tag)])


def text_of(node: Tag) -> str:
    """The text of ``node`` with whitespace (including U+3000 and NBSP) collapsed.

    Inline pieces join without a separator: CJK text split by links must read as one word.
    """
    return collapse(node.get_text())


def collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def has_block_child(node: Tag) -> bool:
    """True when a block element sits anywhere below ``node``."""
    return node.find(BLOCK_TAGS) is not None


def gone(node: Tag) -> bool:
    """True once ``node`` was removed from its tree (decomposed, extracted or unwrapped).

    bs4's own ``decomposed`` property falls back to a subtree search on Tags; this is O(1).
    """
    return node.parent is None
