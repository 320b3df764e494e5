"""Small lxml helpers shared by the XML renderers: safe elements and stable serialization."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from feeds.render.text import xml_text

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
MEDIA = "http://search.yahoo.com/mrss/"
HISTORY = "http://purl.org/syndication/history/1.0"  # RFC 5005
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def sub(
    parent: etree._Element, tag: str, text: str | None = None, **attrs: str | int | None
) -> etree._Element:
    """A child element; text and attribute values are made XML-safe, None attributes skipped."""
    element = etree.SubElement(
        parent, tag, {k: xml_text(str(v)) for k, v in attrs.items() if v is not None}
    )
    if text is not None:
        element.text = xml_text(text)
    return element


def serialize(root: etree._Element, stylesheets: Sequence[tuple[str, str]] = ()) -> bytes:
    """UTF-8 with a declaration, indented, ``xml-stylesheet`` instructions before the root."""
    for href, media_type in reversed(stylesheets):
        pi = etree.ProcessingInstruction(
            "xml-stylesheet", f'href="{_attr(href)}" type="{_attr(media_type)}"'
        )
        root.addprevious(pi)
    etree.indent(root, space="  ")
    body: bytes = etree.tostring(root.getroottree(), encoding="UTF-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


def _attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
