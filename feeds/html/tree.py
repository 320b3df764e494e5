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

import functools
import itertools
import re
import threading
from collections import deque
from collections.abc import Callable, Iterator
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
_MAX_DEPTH = 2000  # below libxml2's limit with huge_tree (2048 levels, html and body included)
_NAME_FIX = re.compile(r"[^\w.-]+")
_ASCII_SPACE = " \n\t\f\r"
_SHRUNK = ("\n", " ")
# lxml makes the Python object of an element when code reaches it and frees it as soon as
# nothing refers to it, so each of the dozen walks over an article made every one again.
# The elements of the documents last parsed (per thread; as many as a batch of articles
# cleaned a step at a time, see feeds.html.document.build_many) stay referenced until later
# parses: later walks reuse them. Measured: 4 % of all cleaning instructions.
HELD_DOCUMENTS = 64
_last_parsed = threading.local()


def parse(html: str, prune: Callable[[Tag], bool] | None = None) -> Tag:
    """The ``<body>`` of ``html`` (a fragment or a whole page); never None, never raises.

    Comments and processing instructions are dropped (their tails stay) and whitespace-only
    text is shrunk (see :func:`_settle`). ``prune``, when given, is offered every element
    below the body in document order and returns True when it took the element out of the
    tree; what was inside is not offered. All of it is one walk over the new tree (and one
    libxml2 call for the comments).
    """
    if html.startswith("\ufeff"):
        html = html[1:]
    # libxml2's own tree builder is fastest but stops at 2048 levels of nesting and drops
    # what is deeper; only a document with that many tags can be so deep, and those go
    # through a target that gets every element.
    deep = html.count("<") >= _MAX_DEPTH
    parser = etree.HTMLParser(target=_Builder()) if deep else etree.HTMLParser(huge_tree=True)
    root = None
    try:
        parser.feed(html)  # push parser, as BeautifulSoup used (it fed 512-character chunks:
        root = parser.close()  # on 24 000 generated documents the tree is the same)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:
        root = etree.Element("html")
    body = next(root.iter("body"), None)
    if body is None:
        body = etree.SubElement(root, "body")
    _settle(body, prune)
    return body


def _settle(body: Tag, prune: Callable[[Tag], bool] | None) -> None:
    """Text of ASCII whitespace only becomes one newline (when it holds one) or one space,
    outside <pre> and <textarea>: what the BeautifulSoup-based cleaner saw, at parse time.
    Elements are offered to ``prune``; comments and processing instructions go last.

    Nodes are visited in document order and each one's own text is shrunk before it can be
    removed: what a removal merges lands on text already visited, so the tree is the same
    as shrinking everything first and removing afterwards (three walks, as this once was).
    """
    kept: set[Tag] = set()
    for keep in body.iter("pre", "textarea"):
        if keep not in kept:
            kept.update(keep.iter())
    snapshot = list(body.iter())  # nodes are removed on the way
    held = getattr(_last_parsed, "documents", None)
    if held is None:
        held = _last_parsed.documents = deque(maxlen=HELD_DOCUMENTS)
    held.append(snapshot)
    nodes = iter(snapshot)
    for node in nodes:
        # inline checks: this looks at every piece of text of every article (isspace()
        # first: it answers at the first letter, strip() would copy the whole text)
        tail = node.tail
        blank = tail and tail.isspace() and tail not in _SHRUNK and not tail.strip(_ASCII_SPACE)
        if blank and node is not body and (not kept or node.getparent() not in kept):
            node.tail = "\n" if "\n" in tail else " "
        if not isinstance(node.tag, str):
            continue  # a comment or processing instruction (its text is its content)
        text = node.text
        blank = text and text.isspace() and text not in _SHRUNK and not text.strip(_ASCII_SPACE)
        if blank and (not kept or node not in kept):
            node.text = "\n" if "\n" in text else " "
        if prune is not None and node is not body and prune(node):
            inside = sum(1 for _ in node.iterdescendants())
            next(itertools.islice(nodes, inside, inside), None)  # skipped, not looked at
    # libxml2 unlinks them in one call; each tail stays where it was, a text node next to
    # the text before it, which lxml reads as one text: what drop() writes, for ~9 comments
    # per scraped article without a Python call each
    etree.strip_elements(body, etree.Comment, etree.ProcessingInstruction, with_tail=False)


class _Builder:
    """A parser target building the tree at any depth. lxml refuses some names the HTML
    parser accepts (``o:p`` from Word, ``xml:lang``): such tags are renamed (``o-p``) and
    such attributes left out; the sanitizer would drop both anyway."""

    def __init__(self) -> None:
        self._tree = etree.TreeBuilder()
        self._open: list[str] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        name = tag if _valid_name(tag) else _NAME_FIX.sub("-", tag).strip("-") or "x"
        if not _valid_name(name):
            name = "x-" + name
        self._tree.start(name, {k: v for k, v in attrib.items() if _valid_name(k)})
        self._open.append(name)

    def end(self, tag: str) -> None:
        self._tree.end(self._open.pop())

    def data(self, text: str) -> None:
        self._tree.data(text)

    def comment(self, text: str) -> None:
        self._tree.comment(text)

    def pi(self, target: str, data: str | None = None) -> None:
        self._tree.pi(target, data)

    def close(self) -> Tag:
        return self._tree.close()


@functools.lru_cache(maxsize=1024)
def _valid_name(name: str) -> bool:
    if "{" in name or "}" in name:
        return False  # would be read as a namespace
    try:
        etree.Element("x").set(name, "")
    except ValueError:
        return False
    return True


def serialize(root: Tag) -> str:
    """The inner HTML of ``root``: values as written (no URL re-escaping), attributes in
    alphabetical order (as the BeautifulSoup-based cleaner wrote them: output is unchanged)."""
    for el in root.iter():
        # cheapest questions first: reading .text decodes it, .attrib makes an object
        if not len(el) and el.tag not in VOID_TAGS and el.text is None:
            el.text = ""  # forces an end tag
        if el.tag in ("td", "th") and "headers" in el.attrib:  # a list of ids: one space apart
            el.set("headers", " ".join(el.attrib["headers"].split()))
        keys = el.keys()
        if len(keys) > 1 and keys != sorted(keys):
            attrib = el.attrib
            items = sorted(attrib.items())
            attrib.clear()
            attrib.update(items)
    if root.text is None:
        root.text = ""  # so the element always ends with an end tag
    whole: str = etree.tostring(root, encoding="unicode", with_tail=False)
    inner = whole[whole.index(">") + 1 : whole.rindex("<")]  # '>' in values is escaped
    # XML writes CR (and in attributes LF and TAB) as references; an HTML parser reads a raw
    # CR LF as one newline but "&#13;&#10;" as two characters: write them raw, as HTML does
    if "&#" in inner:
        inner = inner.replace("&#13;", "\r").replace("&#10;", "\n").replace("&#9;", "\t")
    return inner


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
        return plain_text(node)
    return "".join(_base_text(node))


def plain_text(node: Tag) -> str:
    """All text inside ``node``, ruby annotations included: for callers that know it holds
    none. libxml2's text output is the fastest way."""
    return str(etree.tostring(node, method="text", encoding="unicode", with_tail=False))


def _base_text(node: Tag) -> Iterator[str]:
    ruby = ruby_elements(node)
    for event, el in etree.iterwalk(node, events=("start", "end")):
        if event == "start":
            if el.text and el not in ruby:
                yield el.text
        elif el.tail and el is not node and el.getparent() not in ruby:
            yield el.tail


def collapse(text: str) -> str:
    """Whitespace runs (Unicode spaces, U+3000, NBSP, zero-width space, BOM) as one space."""
    if text.isspace():  # the newline between two tags, most often
        return ""
    if "\u200b" in text or "\ufeff" in text:  # not spaces to str.split()
        text = text.replace("\u200b", " ").replace("\ufeff", " ")
    return " ".join(text.split())  # splits on what \s matches; 3x faster than a regex


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
