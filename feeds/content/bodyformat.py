"""Deciding whether a body is HTML or Markdown, and rendering Markdown.

A scraped post often stores raw HTML in a ``.md`` file with parts indented by 12 spaces after
a blank line; CommonMark would turn those into code blocks of escaped tags. So a body that is
HTML is used as HTML and never run through Markdown.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from feeds.content.suffixes import HTML_SUFFIXES
from feeds.models import BodyFormat

_LEADING_NOISE = re.compile(r"^(?:\s+|<!--.*?-->|<!doctype[^>]*>)*", re.IGNORECASE | re.DOTALL)
_HTML_START = re.compile(
    r"<(?:div|p|article|section|main|header|table|h[1-6]|ul|ol|dl|blockquote|figure|img|"
    r"a|hr|br|span|font|iframe|html|body|center|pre|video|audio|picture|strong|b|em|i|style|"
    r"script|meta|link|nav|aside|form)[\s/>]",
    re.IGNORECASE,
)
# Markdown block syntax at the start of a line. Counted as "at the very start" plus "after a
# newline": a pattern that starts with a literal lets the regex engine skip ahead to each
# newline, where a MULTILINE "^" is tried at every character (3x slower on an article).
_BLOCK_MARK = r"(?:#{1,6} |[*+-] |\d+\. |```|> )"
_MARK_AT_START = re.compile(_BLOCK_MARK)
_MARK_AFTER_NEWLINE = re.compile("\n" + _BLOCK_MARK)
# inline syntax that scraped HTML text practically never contains: **bold**, [text](url)
_MARKDOWN_INLINE = re.compile(r"\*\*[^*\n]+\*\*|!?\[[^\]\n]+\]\([^)\s]+\)")
FORMAT_KEYS = ("format", "markup", "body_format")  # front-matter keys that declare it
_TAG = re.compile(r"<[^>]*>")
_TAG_LINE = re.compile(r"^[^\S\n]*<", re.MULTILINE)  # lines whose first non-space is "<"


def detect_body_format(body: str, suffix: str, metadata: Mapping[str, Any]) -> BodyFormat:
    """``html`` for .html/.htm files, for an explicit ``format: html``, or for a .md body
    that starts with an HTML element and has no Markdown block syntax outside its tags."""
    declared = next((str(metadata[k]).lower() for k in FORMAT_KEYS if k in metadata), "")
    if declared in {"html", "markdown", "md"}:
        return "html" if declared == "html" else "markdown"
    if suffix.lower() in HTML_SUFFIXES:
        return "html"
    head = _LEADING_NOISE.sub("", body[:4000], count=1)
    if _HTML_START.match(head):
        outside_tags = _TAG.sub("", body)
        return "markdown" if _looks_markdown(outside_tags, body) else "html"
    return "markdown"


def _looks_markdown(text_outside_tags: str, body: str) -> bool:
    """Markdown written after an opening HTML block (``<div align=center>…</div>`` then
    ``# Heading``): the lines with Markdown syntax must outnumber the lines with tags."""
    marks = block_marks(text_outside_tags)
    if "**" in text_outside_tags or "](" in text_outside_tags:  # both inline forms need one
        marks += len(_MARKDOWN_INLINE.findall(text_outside_tags))
    if not marks:  # scraped HTML, nearly always: no need to count its tag lines
        return False
    tag_lines = len(_TAG_LINE.findall(body))
    return marks > tag_lines


def block_marks(text: str) -> int:
    """How many lines of ``text`` start with Markdown block syntax (a heading, a list item,
    a fence, a quote). Marks never hold a newline, so matches after newlines cannot overlap."""
    first = 1 if _MARK_AT_START.match(text) else 0
    return first + len(_MARK_AFTER_NEWLINE.findall(text))


# cmark-gfm (C, the reference CommonMark implementation GitHub uses) renders a post ~12x faster
# than a pure-Python parser: a fifth of a cold build went into Markdown before.
_EXTENSIONS = (b"table", b"strikethrough")


def render_markdown(text: str) -> str:
    """CommonMark + tables + strikethrough, raw HTML allowed (it is sanitized later)."""
    return _cmark().render(text)


class _Cmark:
    """cmark-gfm through cmarkgfm's bindings, freeing what they leave allocated.

    cmarkgfm's ``markdown_to_html_with_extensions`` frees the parser but never the document
    tree nor the rendered string (its bindings declare neither ``cmark_node_free`` nor the
    allocator): ~37 KB lost per post, 150 MB over 4 000 Markdown posts, and without end in
    ``feeds schedule``. Both are exported by the same shared library, so they are called
    through ctypes on the pointers cffi hands back.
    """

    def __init__(self) -> None:
        import ctypes

        from cmarkgfm import _cmark

        self.ffi, self.lib = _cmark.ffi, _cmark.lib
        self.lib.cmark_gfm_core_extensions_ensure_registered()
        self.extensions = [self.lib.cmark_find_syntax_extension(name) for name in _EXTENSIONS]
        shared = ctypes.CDLL(_cmark.__file__)
        shared.cmark_node_free.argtypes = [ctypes.c_void_p]
        shared.cmark_node_free.restype = None
        self.node_free = shared.cmark_node_free
        self.buffer_free = ctypes.CDLL(None).free  # cmark's default allocator is libc's
        self.buffer_free.argtypes = [ctypes.c_void_p]
        self.buffer_free.restype = None
        self.options = self.lib.CMARK_OPT_UNSAFE

    def render(self, text: str) -> str:
        lib, ffi = self.lib, self.ffi
        parser = lib.cmark_parser_new(self.options)
        try:
            for extension in self.extensions:
                lib.cmark_parser_attach_syntax_extension(parser, extension)
            data = text.encode("utf-8")
            lib.cmark_parser_feed(parser, data, len(data))
            root = lib.cmark_parser_finish(parser)
            try:
                raw = lib.cmark_render_html(
                    root, self.options, lib.cmark_parser_get_syntax_extensions(parser)
                )
                try:
                    html: str = ffi.string(raw).decode("utf-8")
                finally:
                    self.buffer_free(int(ffi.cast("uintptr_t", raw)))
            finally:
                self.node_free(int(ffi.cast("uintptr_t", root)))
        finally:
            lib.cmark_parser_free(parser)
        return html


@functools.lru_cache(maxsize=1)
def _cmark() -> _Cmark:
    return _Cmark()
