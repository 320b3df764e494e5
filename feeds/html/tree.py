"""Parsing, walking, editing and serializing article HTML: the one place lxml's tree is made.

lxml's own tree is used directly (measured: BeautifulSoup's Python object per node cost more
than all the cleaning put together). Text lives in ``.text`` (before the first child) and
``.tail`` (after an element, inside its parent), so removing an element must keep its tail:
:func:`drop`, :func:`unwrap` and :func:`replace` do. Walks are iterative or lxml's own, so
10 000 nested divs cannot exhaust the Python stack.

Text inside ``<rt>``/``<rp>`` (ruby annotations) is not part of an element's text: summaries,
signatures and whitespace tidying read the base text only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TypeAlias

from lxml import etree

Tag: TypeAlias = etree._Element

__all__ = [
    "BLOCK_TAGS",
    "Tag",
    "classes",
    "collapse",
    "drop",
    "elements",
    "parse",
    "replace",
    "ruby_elements",
    "serialize",
    "text_of",
    "unwrap",
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
# Written as <x/> when empty; every other empty element gets an end tag (<p></p>), since an
# HTML parser reads <p/> as an open <p>.
VOID_TAGS = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link",
        "menuitem", "meta", "param", "source", "track", "wbr", "basefont", "bgsound",
        "command", "frame", "image", "isindex", "nextid", "spacer",
    }
)  # fmt: skip
RUBY_TEXT = ("rt", "rp")
_SPACE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_CHUNK = 512  # fed in chunks, as BeautifulSoup fed lxml: the same events, the same tree


def parse(html: str) -> Tag:
    """The ``<body>`` of ``html`` (a fragment or a whole page); never None, never raises."""
    if html.startswith("\ufeff"):
        html = html[1:]
    # Built through a target: libxml2's own tree builder stops at 256 levels of nesting and
    # drops what is deeper; the target gets every element (as BeautifulSoup's did).
    parser = etree.HTMLParser(target=etree.TreeBuilder())
    root = None
    try:
        for start in range(0, max(len(html), 1), _CHUNK):
            parser.feed(html[start : start + _CHUNK])
        root = parser.close()
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:
        root = etree.Element("html")
    body = next(root.iter("body"), None)
    if body is None:
        body = etree.SubElement(root, "body")
    return body


def serialize(root: Tag) -> str:
    """The inner HTML of ``root``: values as written (no URL re-escaping), attributes in
    alphabetical order (as the BeautifulSoup-based cleaner wrote them: output is unchanged)."""
    for el in root.iter():
        if el.text is None and len(el) == 0 and el.tag not in VOID_TAGS:
            el.text = ""  # forces an end tag
        attrib = el.attrib
        if len(attrib) > 1:
            keys = list(attrib.keys())
            if keys != sorted(keys):
                items = sorted(attrib.items())
                attrib.clear()
                attrib.update(items)
    head = _escape(root.text) if root.text else ""
    return head + "".join(etree.tostring(child, encoding="unicode") for child in root)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def elements(root: Tag) -> list[Tag]:
    """Every element below ``root`` in document order (a snapshot: safe to modify while used)."""
    return list(root.iterdescendants())


def ruby_elements(root: Tag) -> set[Tag]:
    """``<rt>``/``<rp>`` elements below ``root`` and everything inside them."""
    found: set[Tag] = set()
    for el in root.iter(*RUBY_TEXT):
        found.update(el.iter())
    return found


def text_of(node: Tag) -> str:
    """The text of ``node`` with whitespace (including U+3000 and NBSP) collapsed.

    Inline pieces join without a separator: CJK text split by links must read as one word.
    """
    return collapse(raw_text(node))


def raw_text(node: Tag) -> str:
    if next(node.iter(*RUBY_TEXT), None) is None:
        return "".join(node.itertext())
    return "".join(_base_text(node))


def _base_text(node: Tag) -> Iterator[str]:
    ruby = ruby_elements(node)
    for el in node.iter():
        if el not in ruby and el.text:
            yield el.text
        if el is not node and el.getparent() not in ruby and el.tail:
            yield el.tail


def collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def classes(el: Tag) -> list[str]:
    """The class names of ``el`` (whitespace-separated, as browsers split them)."""
    value = el.get("class")
    return value.split() if value else []


def _append_text(parent: Tag, before: Tag | None, text: str | None) -> None:
    """Append ``text`` right after ``before`` (or at the start of ``parent`` when None)."""
    if not text:
        return
    if before is None:
        parent.text = (parent.text or "") + text
    else:
        before.tail = (before.tail or "") + text


def drop(el: Tag) -> None:
    """Remove ``el`` and everything inside it; the text after it stays."""
    parent = el.getparent()
    if parent is None:
        return
    _append_text(parent, el.getprevious(), el.tail)
    el.tail = None
    parent.remove(el)


def unwrap(el: Tag) -> None:
    """Replace ``el`` by its content."""
    parent = el.getparent()
    if parent is None:
        return
    before = el.getprevious()
    index = parent.index(el)
    children = list(el)
    _append_text(parent, before, el.text)
    tail, el.tail = el.tail, None
    parent.remove(el)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    _append_text(parent, children[-1] if children else before, tail)


def replace(old: Tag, new: Tag) -> None:
    """Put ``new`` (taken out of wherever it is, without its tail) in the place of ``old``."""
    source = new.getparent()
    if source is not None:
        _append_text(source, new.getprevious(), new.tail)
        source.remove(new)
    new.tail, old.tail = old.tail, None
    parent = old.getparent()
    if parent is not None:
        parent.replace(old, new)
