"""Plain-text summaries: which text, and where to cut it.

CJK text has no spaces, so it is cut at sentence punctuation (。！？；) when one is near the
limit, else at a character with an ellipsis; Latin text is cut at a word boundary. The input is
already plain text, so a cut can never land inside a tag or an entity.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator

import nh3

from feeds.html.sanitize import xml_safe
from feeds.html.tree import Tag, classes, collapse, text_of

ELLIPSIS = "…"
_SENTENCE_END = "。！？；!?"
_CLOSERS = "”’」』）)】》\"'"
_SENTENCE_END_CHAR = re.compile(f"[{re.escape(_SENTENCE_END)}]")
_LATIN_SENTENCE = re.compile(r"[.!?][\"'”’)]*(?=\s)")
_NEAR = 0.5  # a sentence end in the last half of the window is "near"
_SKIP_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "pre", "td", "th", "caption"})
_SKIP_INSIDE = frozenset({"figure", "table", "pre", "figcaption", "code"})
_CAPTION = re.compile(r"caption|desc|legend|credit|img", re.I)
_TEXT_ONLY = nh3.Cleaner(tags=set(), attributes={})


def html_to_text(value: str) -> str:
    """Plain text of a (possibly HTML) string: tags dropped, entities decoded, spaces collapsed."""
    if "<" in value or "&" in value:
        value = html.unescape(_TEXT_ONLY.clean(xml_safe(value)))
    return collapse(xml_safe(value))


def cut(text: str, limit: int) -> str:
    """``text`` shortened to at most ``limit`` characters, the CJK- and Latin-aware way."""
    text = collapse(text)
    if len(text) <= limit:
        return text
    window = text[:limit]
    end = _sentence_end(window)
    if end >= int(limit * _NEAR):
        return window[:end].rstrip()
    room = limit - len(ELLIPSIS)
    if _is_cjk(text[room - 1 : room + 1]):
        return _char_boundary(text, room).rstrip() + ELLIPSIS
    return _word_boundary(text, room) + ELLIPSIS


def _sentence_end(window: str) -> int:
    """Length of ``window`` up to and including its last sentence end (0 when none)."""
    best = 0
    for found in _SENTENCE_END_CHAR.finditer(window):  # candidates found in C, checked here
        i, ch = found.start(), found.group()
        if ch not in "!?" or _ends_latin(window, i):
            j = i + 1
            while j < len(window) and window[j] in _CLOSERS:
                j += 1
            best = j
    for match in _LATIN_SENTENCE.finditer(window):
        best = max(best, match.end())
    return best


def _ends_latin(window: str, i: int) -> bool:
    return i + 1 >= len(window) or window[i + 1] in " " + _CLOSERS or _is_cjk(window[i + 1])


def _is_cjk(chunk: str) -> bool:
    for ch in chunk:
        name = unicodedata.name(ch, "")
        if name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "FULLWIDTH", "IDEOGRAPHIC")):
            return True
    return False


def _char_boundary(text: str, room: int) -> str:
    # step back over combining marks and joiners so no glyph is split
    while room > 0 and (unicodedata.combining(text[room]) or text[room] in "\u200d\ufe0e\ufe0f"):
        room -= 1
    return text[:room]


def _word_boundary(text: str, room: int) -> str:
    head = text[:room]
    if text[room : room + 1].isspace() or not text[room : room + 1]:
        return head.rstrip(" ,;:-–—")
    space = head.rfind(" ")
    if space >= room // 2:
        head = head[:space]
    return head.rstrip(" ,;:-–—")


def opening_paragraphs(root: Tag, limit: int, stop: Tag | None = None) -> str:
    """The first meaningful paragraphs (not headings, captions, tables or code), joined,
    until about ``limit`` characters; everything from ``stop`` on is left out."""
    parts: list[str] = []
    size = 0
    for text in _paragraph_texts(root, stop):
        parts.append(text)
        size += len(text)
        if size >= limit:
            break
    joined = ""
    for part in parts:
        sep = "" if not joined or joined[-1] in _SENTENCE_END + _CLOSERS + "：:" else " "
        joined += sep + part
    return joined


def _paragraph_texts(root: Tag, stop: Tag | None) -> Iterator[str]:
    from feeds.html.rules import leaf_blocks  # local: rules imports cleaning, not summary

    order = {el: i for i, el in enumerate(root.iter())} if stop is not None else {}
    stop_at = order.get(stop, -1) if stop is not None else -1
    for block in leaf_blocks(root):
        if stop_at >= 0 and order.get(block, 0) > stop_at:
            return
        if _meaningful(block):
            text = text_of(block)
            if text:
                yield text


def _meaningful(block: Tag) -> bool:
    if block.tag in _SKIP_TAGS:
        return False
    names = classes(block)
    if names and _CAPTION.search(" ".join(names)):
        return False
    return not any(parent.tag in _SKIP_INSIDE for parent in block.iterancestors())
