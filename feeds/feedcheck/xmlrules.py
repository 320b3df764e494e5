"""XML feeds: well-formedness and encoding, then Atom (RELAX NG) or RSS 2.0 rules."""

from __future__ import annotations

import re
from collections import Counter
from email.utils import parsedate_to_datetime
from functools import cache
from importlib import resources

from lxml import etree

from feeds.render.fields import is_absolute_url

ATOM = "{http://www.w3.org/2005/Atom}"
DECLARATION = re.compile(rb"""^<\?xml\s+version=(["'])1\.0\1\s+encoding=(["'])(?i:utf-8)\2""")
_NS = {"a": "http://www.w3.org/2005/Atom"}
_ALTERNATE = "a:link[not(@rel) or @rel='alternate']"
# how feeds are parsed, whole (fromstring) or in pieces (iterparse): no entities, no network
PARSING = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": True}
_PARSER = etree.XMLParser(**PARSING)


def check_xml(data: bytes) -> tuple[str, list[str]]:
    """(kind, errors) where kind is 'atom', 'rss' or '' when the root is neither."""
    errors = [] if DECLARATION.match(data) else [
        'no XML declaration with encoding="UTF-8" at the start of the file'
    ]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return "", [*errors, f"not UTF-8 at byte {exc.start}"]
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        return "", [*errors, f"not well-formed XML: {exc}"]
    if root.tag == ATOM + "feed":
        return "atom", errors + check_atom(root)
    if root.tag == "rss":
        return "rss", errors + check_rss(root)
    return "", [*errors, f"root element <{root.tag}> is neither an RSS nor an Atom feed"]


@cache
def atom_schema() -> etree.RelaxNG:
    source = resources.files("feeds").joinpath("schemas/atom-rfc4287.rng")
    with resources.as_file(source) as path:
        return etree.RelaxNG(etree.parse(str(path)))


def check_atom(root: etree._Element) -> list[str]:
    """RFC 4287: the RELAX NG schema, its two Schematron rules, and unique entry ids."""
    schema = atom_schema()
    errors = []
    if not schema.validate(root.getroottree()):
        errors = [f"line {e.line}: {e.message}" for e in schema.error_log]
    entries = root.findall(ATOM + "entry")
    feed_author = has_author(root)
    for entry in entries:
        where = f"line {entry.sourceline}: entry"
        if not feed_author and not has_author(entry):
            errors.append(f"{where} has no author and the feed has none")
        if not is_linked(entry):
            errors.append(f"{where} has neither content nor an alternate link")
    errors += _duplicates([entry_id(e) for e in entries], "entry id")
    return errors


def has_author(element: etree._Element) -> bool:
    """Whether an atom:feed or atom:entry has an atom:author child."""
    return element.find(ATOM + "author") is not None


def is_linked(entry: etree._Element) -> bool:
    """Whether an atom:entry has content or an alternate link (RFC 4287 4.1.2)."""
    return entry.find(ATOM + "content") is not None or bool(
        entry.xpath(_ALTERNATE, namespaces=_NS)
    )


def entry_id(entry: etree._Element) -> str:
    return entry.findtext(ATOM + "id") or ""


def check_rss(root: etree._Element) -> list[str]:
    """RSS 2.0: version, channel title/link/description, items with a title or description."""
    errors = [] if root.get("version") == "2.0" else ['<rss> needs version="2.0"']
    channel = root.find("channel")
    if channel is None:
        return [*errors, "<rss> has no <channel>"]
    errors += channel_problems(channel)
    items = channel.findall("item")
    for item in items:
        errors += rss_item(item)
    guids = [guid for guid in map(item_guid, items) if guid is not None]
    errors += _duplicates(guids, "guid")
    return errors


def channel_problems(channel: etree._Element) -> list[str]:
    return [
        f"<channel> needs a non-empty <{name}>"
        for name in ("title", "link", "description")
        if not (channel.findtext(name) or "").strip()
    ]


def item_guid(item: etree._Element) -> str | None:
    """The item's guid ("" when empty), None when it has none."""
    return None if item.find("guid") is None else item.findtext("guid") or ""


def rss_item(item: etree._Element) -> list[str]:
    where = f"line {item.sourceline}: <item>"
    errors = []
    if not (item.findtext("title") or item.findtext("description") or "").strip():
        errors.append(f"{where} needs a <title> or a <description>")
    link = item.findtext("link")
    if link is not None and not is_absolute_url(link.strip()):
        errors.append(f"{where} <link> {link!r} is not an absolute URL")
    date = item.findtext("pubDate")
    if date is not None and not _rfc822(date):
        errors.append(f"{where} <pubDate> {date!r} is not an RFC 822 date with a zone")
    for enclosure in item.findall("enclosure"):
        missing = [a for a in ("url", "length", "type") if not enclosure.get(a)]
        if missing:
            errors.append(f"{where} <enclosure> lacks {', '.join(missing)}")
    return errors


def _rfc822(value: str) -> bool:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return False
    return parsed.tzinfo is not None


def _duplicates(values: list[str], label: str) -> list[str]:
    return [f"{label} {v!r} is used {n} times" for v, n in sorted(Counter(values).items()) if n > 1]
