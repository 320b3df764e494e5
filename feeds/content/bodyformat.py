"""Deciding whether a body is HTML or Markdown, and rendering Markdown.

A scraped post often stores raw HTML in a ``.md`` file with parts indented by 12 spaces after
a blank line; CommonMark would turn those into code blocks of escaped tags. So a body that is
HTML is used as HTML and never run through Markdown.
"""

from __future__ import annotations

import re
from typing import Any

from feeds.models import BodyFormat

HTML_SUFFIXES = {".html", ".htm"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}

_LEADING_NOISE = re.compile(r"^(?:\s+|<!--.*?-->|<!doctype[^>]*>)*", re.IGNORECASE | re.DOTALL)
_HTML_START = re.compile(
    r"<(?:div|p|article|section|main|header|table|h[1-6]|ul|ol|dl|blockquote|figure|img|"
    r"a|hr|br|span|font|iframe|html|body|center|pre|video|audio|picture|strong|b|em|i|style|"
    r"script|meta|link|nav|aside|form)[\s/>]",
    re.IGNORECASE,
)
_MARKDOWN_MARKS = re.compile(r"^(?:#{1,6} |[*+-] |\d+\. |```|> )", re.MULTILINE)
# inline syntax that scraped HTML text practically never contains: **bold**, [text](url)
_MARKDOWN_INLINE = re.compile(r"\*\*[^*\n]+\*\*|!?\[[^\]\n]+\]\([^)\s]+\)")
_FORMAT_KEYS = ("format", "markup", "body_format")
_TAG = re.compile(r"<[^>]*>")
_TAG_LINE = re.compile(r"^[^\S\n]*<", re.MULTILINE)  # lines whose first non-space is "<"


def detect_body_format(body: str, suffix: str, metadata: dict[str, Any]) -> BodyFormat:
    """``html`` for .html/.htm files, for an explicit ``format: html``, or for a .md body
    that starts with an HTML element and has no Markdown block syntax outside its tags."""
    declared = next((str(metadata[k]).lower() for k in _FORMAT_KEYS if k in metadata), "")
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
    marks = len(_MARKDOWN_MARKS.findall(text_outside_tags))
    if "**" in text_outside_tags or "](" in text_outside_tags:  # both inline forms need one
        marks += len(_MARKDOWN_INLINE.findall(text_outside_tags))
    if not marks:  # scraped HTML, nearly always: no need to count its tag lines
        return False
    tag_lines = len(_TAG_LINE.findall(body))
    return marks > tag_lines


# cmark-gfm (C, the reference CommonMark implementation GitHub uses) renders a post ~12x faster
# than a pure-Python parser: a fifth of a cold build went into Markdown before.
_EXTENSIONS = ["table", "strikethrough"]


def render_markdown(text: str) -> str:
    """CommonMark + tables + strikethrough, raw HTML allowed (it is sanitized later)."""
    from cmarkgfm import cmark

    return cmark.markdown_to_html_with_extensions(
        text, options=cmark.Options.CMARK_OPT_UNSAFE, extensions=_EXTENSIONS
    )
