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
    etree.indent(root, space="  ")
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' + "".join(
        f'<?xml-stylesheet href="{_attr(href)}" type="{_attr(media_type)}"?>\n'
        for href, media_type in stylesheets
    )
    body: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
    return head.encode("utf-8") + body + b"\n"


def _attr(value: str) -> str:
    return xml_text(value).replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
