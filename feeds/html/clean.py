"""Generic cleaning that every article gets: no active content, no comments, no hidden or empty
leftovers, no full-width-space indents, tidy whitespace.

Removals go through a :class:`Trash` so the thumbnail chooser knows which images only lived in
removed blocks (the scraped QR promo is also the article's ``headimg``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from feeds.html.tree import RUBY_TEXT, Tag, drop, elements, replace, ruby_elements, unwrap
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
_BLANK_CHARS = INDENT_CHARS + "\u200b\ufeff"
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
        for img in node.iter("img"):  # the node itself too, when it is an image
            src = best_src(img)
            if src:
                self.images.add(src)
        drop(node)


def remove_if_active_or_hidden(el: Tag, trash: Trash) -> bool:
    """Scripts, styles (with their CSS text), embeds, forms and hidden elements go with
    everything inside them; True when ``el`` went. Offered each element by
    :func:`feeds.html.tree.parse` during its walk (parsing also drops the comments)."""
    if el.tag in REMOVE_WITH_CONTENT or _is_hidden(el):
        trash.drop(el)
        return True
    return False


def _is_hidden(el: Tag) -> bool:
    if el.get("hidden") is not None:  # get() makes no attribute-map object, unlike .attrib
        return True
    style = el.get("style")
    return style is not None and _HIDING_STYLE.search(style) is not None


def trim_indents(root: Tag) -> None:
    """Strip full-width-space (U+3000) and other indents at the start and end of paragraphs."""
    for el in elements(root):
        if el.tag not in INDENTED or (el.tag == "div" and not _holds_text(el)):
            continue
        text = el.text  # the usual case first: text right at the start (end), not all indent
        if text and (trimmed := text.lstrip(INDENT_CHARS)):
            if len(trimmed) != len(text):
                el.text = text = trimmed
        else:
            _trim_edge(el, reverse=False)
            text = el.text  # the walk may have changed it
        last = el[-1] if len(el) else None
        if last is not None:  # else the text is the element's own, as it is now: not read again
            text = last.tail
        if text and (trimmed := text.rstrip(INDENT_CHARS)):
            if len(trimmed) != len(text):
                if last is None:
                    el.text = trimmed
                else:
                    last.tail = trimmed
        else:
            _trim_edge(el, reverse=True)


def _holds_text(el: Tag) -> bool:
    """Paragraphs always; a div only when text sits directly in it (not in a child block)."""
    if el.tag != "div":
        return True
    return any(t and t.strip(INDENT_CHARS) for t in [el.text, *(c.tail for c in el)])


_STOPS = frozenset({"img", "br", "hr", "video", "audio", "picture", "table"})
_Slot = tuple[Tag, str]  # (element, "text" | "tail"): where a piece of text lives


def _trim_edge(el: Tag, *, reverse: bool) -> None:
    # the two usual answers without the walk: nothing inside, or an image or break first
    if not len(el):
        if not el.text:
            return
    else:
        edge = el[-1] if reverse else el[0]
        if edge.tag in _STOPS and not (edge.tail if reverse else el.text):
            return
    for node, ruby in _edge_nodes(el, reverse=reverse):
        if not isinstance(node, tuple):
            if node.tag in _STOPS:
                return
            continue
        if ruby:
            continue
        owner, slot = node
        value: str = getattr(owner, slot) or ""
        text = value.rstrip(INDENT_CHARS) if reverse else value.lstrip(INDENT_CHARS)
        if text != value:
            setattr(owner, slot, text or None)
        if text:
            return


def _contents(el: Tag, reverse: bool) -> Iterator[Tag | _Slot]:
    items: list[Tag | _Slot] = [(el, "text")] if el.text else []
    for child in el:
        items.append(child)
        if child.tail:
            items.append((child, "tail"))
    return reversed(items) if reverse else iter(items)


def _edge_nodes(el: Tag, *, reverse: bool) -> Iterator[tuple[Tag | _Slot, bool]]:
    """The first (or last) few nodes of ``el`` (elements and text slots, depth first, with
    whether the text is a ruby annotation), at most _MAX_INDENT_WALK of them."""
    stack = [(_contents(el, reverse), el.tag in RUBY_TEXT)]
    for _ in range(_MAX_INDENT_WALK):
        while stack:
            node = next(stack[-1][0], None)
            if node is not None:
                break
            stack.pop()
        else:
            return
        ruby = stack[-1][1]
        yield node, ruby
        if not isinstance(node, tuple):
            stack.append((_contents(node, reverse), ruby or node.tag in RUBY_TEXT))


def remove_empty(root: Tag) -> None:
    """Remove wrappers left holding nothing (bottom-up, so nested empties go in one pass)."""
    for el in reversed(elements(root)):
        if el.tag in EMPTYABLE and _is_empty(el):
            drop(el)


def _is_empty(el: Tag) -> bool:
    return _is_blank(el.text) and all(c.tag == "br" and _is_blank(c.tail) for c in el)


def _is_blank(text: str | None) -> bool:
    # the first character settles most texts: strip() would copy a whole paragraph
    return not text or (text[0] in _BLANK_CHARS and not text.strip(_BLANK_CHARS))


def trim_edges(root: Tag) -> None:
    """Leading and trailing line breaks and rules of the body are layout, not content."""
    while _trim_first(root):
        pass
    while _trim_last(root):
        pass


def _trim_first(root: Tag) -> bool:
    if root.text:
        if not _is_blank(root.text):
            return False
        root.text = None
        return True
    if len(root) and root[0].tag in ("br", "hr"):
        drop(root[0])
        return True
    return False


def _trim_last(root: Tag) -> bool:
    if not len(root):
        return False  # the leading pass already took blank text
    last = root[-1]
    if last.tail:
        if not _is_blank(last.tail):
            return False
        last.tail = None
        return True
    if last.tag in ("br", "hr"):
        drop(last)
        return True
    return False


def unwrap_single_wrappers(root: Tag) -> None:
    """``<div><div><p>…`` → ``<div><p>…``; a lone wrapper around the whole body goes too.

    A chain of wrappers is replaced by its innermost member in one move.
    """
    done: set[Tag] = set()
    # lxml picks out two tags faster than Python tests every element (with a dozen tags
    # or more its matcher is the slower one: the other passes test tags themselves)
    for el in list(root.iterdescendants(*_WRAPPERS)):
        if el in done:
            continue
        chain = [el]
        while (only := _only_child(chain[-1])) is not None and only.tag in _WRAPPERS:
            chain.append(only)
        done.update(chain)
        if len(chain) > 1:
            replace(el, chain[-1])
    only = _only_child(root)
    if only is not None and only.tag in _WRAPPERS:
        unwrap(only)


def _only_child(el: Tag) -> Tag | None:
    """The one element in ``el`` when everything else is blank text and line breaks."""
    if not _is_blank(el.text):
        return None
    only = None
    for child in el:
        if not _is_blank(child.tail):
            return None
        if child.tag == "br":
            continue
        if only is not None:
            return None
        only = child
    return only


def tidy_whitespace(root: Tag) -> None:
    """Whitespace runs that hold a line break become one newline, and other runs of ASCII
    spaces one space (outside pre/code and ruby annotations). Text between two tags is one
    piece in this tree, so every piece is looked at once."""
    skipped: set[Tag] = ruby_elements(root)
    for keep in root.iter(*_PRESERVE):
        if keep not in skipped:
            skipped.update(keep.iter())
    for el in root.iter():
        text = el.text  # text inside el, then el's tail (text inside el's parent)
        if text and (not skipped or el not in skipped) and (new := _tidy(text)) != text:
            el.text = new
        tail = el.tail
        if not tail or el is root or (skipped and el.getparent() in skipped):
            continue
        if (new := _tidy(tail)) != tail:
            el.tail = new


def _tidy(text: str) -> str:
    """``text`` itself when nothing changes (so the tree is only written when needed)."""
    if text == "\n" or text == " ":
        return text
    if "\n" in text:
        return _BREAKING_SPACE.sub("\n", text)
    if text.isspace() and not text.strip(_ASCII_SPACE):  # isspace() stops at a letter
        return " "
    return text
