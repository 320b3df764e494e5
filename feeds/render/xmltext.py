"""Feed items written straight as text: the bytes lxml gives for the same elements.

Building and serializing elements took most of an item's time (10 000 full-content items:
~0.65 s RSS, ~0.8 s Atom; as text ~0.25 s each). An item is written here as lines indented
relative to it, with values escaped as ``etree.tostring(encoding="UTF-8")`` (libxml2)
escapes them; every other character (CJK, emoji, C1 controls) is written as it is. lxml
writes an element with text "" as ``<tag></tag>`` and one with no text as ``<tag/>``: the
formats write the same.
"""

from __future__ import annotations

from collections.abc import Iterable

from feeds.render.text import xml_text

SPACE = "  "  # one level of indentation
Value = str | int | None  # an attribute value: written with str(), left out when None


def text(value: str) -> str:
    """Element text: made XML-safe (``xml_text``), then ``&``, ``<``, ``>`` and ``\\r``
    (which a parser would read as ``\\n``) escaped."""
    # str.__contains__, not ``in``: anything but text is a TypeError, as in lxml
    if str.__contains__(value, "&") or "<" in value or ">" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # xml_text drops only unprintable characters, and \r is one: most values are done
    # (xml_text and the escaping touch different characters, so their order is free)
    if not value.isprintable():
        value = xml_text(value).replace("\r", "&#13;")
    return value


def attr(value: str | int) -> str:
    """An attribute value, written with str() as lxml was given it: as ``text``, plus the
    quote and the other whitespace an attribute parser would turn into spaces."""
    value = (
        str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace('"', "&quot;")
    )
    if not value.isprintable():
        value = (
            xml_text(value).replace("\r", "&#13;").replace("\n", "&#10;")
            .replace("\t", "&#9;")
        )
    return value


# A line of HTML text already XML-safe, as UTF-8 (from ``xml_html_utf8``): (start, HTML,
# end). Its HTML is escaped as bytes, where replacing is several times faster on kilobytes
# of content, and not scanned for forbidden characters twice. A tuple: a NamedTuple takes
# 0.4 µs to make.
Markup = tuple[str, bytes, str]
Line = str | Markup


def encode(items: Iterable[list[Line]], pad: str) -> bytes:
    """The lines of ``items``, each after ``pad``, as UTF-8."""
    pieces: list[bytes] = []
    run: list[str] = []  # text since the last Markup
    for lines in items:
        for line in lines:
            if isinstance(line, str):
                run += (pad, line)
            else:
                start, html, end = line
                run += (pad, start)
                pieces += ("".join(run).encode("utf-8"), _escape(html))
                run = [end]
    pieces.append("".join(run).encode("utf-8"))
    return b"".join(pieces)


def _escape(html: bytes) -> bytes:
    return (
        html.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;")
        .replace(b"\r", b"&#13;")
    )


def attrs(**values: Value) -> str:
    """Optional attributes in the order given, each after a space; None ones left out."""
    written = ""
    for name, value in values.items():
        if isinstance(value, int):  # digits: nothing to escape
            written += f' {name}="{value}"'
        elif value is not None:
            written += f' {name}="{attr(value)}"'
    return written
