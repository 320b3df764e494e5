"""Generic cleaning that every article gets: no active content, no comments, no hidden or empty
leftovers, no full-width-space indents, tidy whitespace.

Removals go through a :class:`Trash` so the thumbnail chooser knows which images only lived in
removed blocks (the scraped QR promo is also the article's ``headimg``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from feeds.html.tree import NavigableString, PreformattedString, Tag, elements, gone
from feeds.html.urls import best_src

# Removed together with everything inside them.
REMOVE_WITH_CONTENT = frozenset(
    {
        "applet", "base", "button", "canvas", "embed", "form", "frame", "frameset", "head",
        "iframe", "input", "link", "math", "meta", "noembed", "noframes", "noscript", "object",
        "param", "script", "select", "style", "svg", "template", "textarea", "title",
    }
)  # fmt: skip

# Wrappers that mean nothing once they hold no text and no media.
EMPTYABLE = frozenset(
    {
        "a", "abbr", "article", "aside", "b", "blockquote", "center", "dd", "div", "dl", "dt",
        "em", "figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "i", "label", "li", "main", "nav", "ol", "p", "section", "small", "span",
        "strong", "sub", "sup", "u", "ul",
    }
)  # fmt: skip

# Paragraph-like elements whose full-width-space indent is trimmed (not table cells, where
# leading spaces show a row's level).
INDENTED = frozenset(
    {"p", "li", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figcaption", "div"}
)
INDENT_CHARS = " \t\r\n\f\u3000\u00a0"
_MAX_INDENT_WALK = 32  # nodes looked at per element: keeps deep nesting linear
_WRAPPERS = ("div", "section")
_PRESERVE = ("pre", "textarea", "code")
_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_BREAKING_SPACE = re.compile(r"[ \t\r\f\v]*\n[ \t\r\n\f\v]*")
_ASCII_SPACE = " \t\r\n\f\v"


@dataclass
class Trash:
    """Collects what was removed: image URLs as written (the real source of lazy images)."""

    images: set[str] = field(default_factory=set)

    def drop(self, node: Tag) -> None:
        images = node.find_all("img")
        for img in [node, *images] if node.name == "img" else images:
            src = best_src(img)
            if src:
                self.images.add(src)
        node.decompose()


def remove_active_and_hidden(root: Tag, trash: Trash) -> None:
    """Scripts, styles (with their CSS text), embeds, forms, comments and hidden elements."""
    for node in list(root.descendants):
        if isinstance(node, PreformattedString):
            node.extract()  # comments, CDATA, processing instructions, doctypes
    for el in elements(root):
        if gone(el):
            continue
        if el.name in REMOVE_WITH_CONTENT or _is_hidden(el):
            trash.drop(el)


def _is_hidden(el: Tag) -> bool:
    if el.has_attr("hidden"):
        return True
    style = el.get("style")
    return isinstance(style, str) and _HIDING_STYLE.search(style) is not None


def trim_indents(root: Tag) -> None:
    """Strip full-width-space (U+3000) and other indents at the start and end of paragraphs."""
    for el in elements(root):
        if el.name in INDENTED and not gone(el) and _holds_text(el):
            _trim_edge(el, reverse=False)
            _trim_edge(el, reverse=True)


def _holds_text(el: Tag) -> bool:
    """Paragraphs always; a div only when text sits directly in it (not in a child block)."""
    if el.name != "div":
        return True
    return any(type(c) is NavigableString and c.strip(INDENT_CHARS) for c in el.contents)


def _trim_edge(el: Tag, *, reverse: bool) -> None:
    for node in _edge_nodes(el, reverse=reverse):
        if isinstance(node, Tag):
            if node.name in ("img", "br", "hr", "video", "audio", "picture", "table"):
                return
            continue
        if type(node) is not NavigableString:
            continue
        text = node.rstrip(INDENT_CHARS) if reverse else node.lstrip(INDENT_CHARS)
        if text != node:
            node.replace_with(text)  # same list slot: the walk below is not disturbed
        if text:
            return


def _edge_nodes(el: Tag, *, reverse: bool) -> Iterator[object]:
    """The first (or last) few nodes of ``el``, depth first, at most _MAX_INDENT_WALK of them."""
    order = reversed if reverse else iter
    stack = [order(el.contents)]
    for _ in range(_MAX_INDENT_WALK):
        while stack:
            node = next(stack[-1], None)
            if node is not None:
                break
            stack.pop()
        else:
            return
        yield node
        if isinstance(node, Tag):
            stack.append(order(node.contents))


def remove_empty(root: Tag) -> None:
    """Remove wrappers left holding nothing (bottom-up, so nested empties go in one pass)."""
    for el in reversed(list(elements(root))):
        if gone(el) or el.name not in EMPTYABLE:
            continue
        if all(_is_blank(child) for child in el.contents):
            el.decompose()


def _is_blank(node: object) -> bool:
    if isinstance(node, Tag):
        return node.name == "br"
    return isinstance(node, NavigableString) and not node.strip(INDENT_CHARS + "\u200b\ufeff")


def trim_edges(root: Tag) -> None:
    """Leading and trailing line breaks and rules of the body are layout, not content."""
    for index in (0, -1):
        while root.contents:
            node = root.contents[index]
            if _is_blank(node) or (isinstance(node, Tag) and node.name == "hr"):
                node.extract()
            else:
                break


def unwrap_single_wrappers(root: Tag) -> None:
    """``<div><div><p>…`` → ``<div><p>…``; a lone wrapper around the whole body goes too.

    A chain of wrappers is replaced by its innermost member in one move: unwrapping layer by
    layer costs bs4 a walk down the subtree each time (quadratic on deep nesting).
    """
    done: set[int] = set()
    for el in elements(root):
        if id(el) in done or gone(el) or el.name not in _WRAPPERS:
            continue
        chain = [el]
        while (only := _only_child(chain[-1])) is not None and only.name in _WRAPPERS:
            chain.append(only)
        done.update(id(member) for member in chain)
        if len(chain) > 1:
            el.replace_with(chain[-1].extract())
    only = _only_child(root)
    if only is not None and only.name in _WRAPPERS:
        only.unwrap()


def _only_child(el: Tag) -> Tag | None:
    kids = [c for c in el.contents if not _is_blank(c)]
    return kids[0] if len(kids) == 1 and isinstance(kids[0], Tag) else None


def tidy_whitespace(root: Tag) -> None:
    """Adjacent text nodes become one, and whitespace runs that hold a line break become one
    newline (outside pre/code). One pass: every text node is the child of some element."""
    protected: set[int] = set()
    for keep in root.find_all(_PRESERVE):
        if id(keep) not in protected:
            protected.update(id(node) for node in keep.descendants)
    for el in [root, *elements(root)]:
        if id(el) not in protected and el.name not in _PRESERVE:
            _tidy_children(el)


def _tidy_children(el: Tag) -> None:
    run: list[NavigableString] = []
    for child in [*el.contents, None]:
        if type(child) is NavigableString:
            run.append(child)
            continue
        if run:
            _replace_run(run)
        run = []


def _replace_run(run: list[NavigableString]) -> None:
    text = "".join(run)
    if "\n" in text:
        text = _BREAKING_SPACE.sub("\n", text)
    elif text and not text.strip(_ASCII_SPACE):
        text = " "
    if len(run) > 1 or text != run[0]:
        run[0].replace_with(text)
        for extra in run[1:]:
            extra.extract()
