"""XML feeds: well-formedness and encoding, then Atom (RELAX NG) or RSS 2.0 rules."""

from __future__ import annotations

import re
from calendar import monthrange
from collections import Counter
from functools import cache
from pathlib import Path
from typing import NamedTuple

from lxml import etree

from feeds.render.fields import is_absolute_url

ATOM = "{http://www.w3.org/2005/Atom}"
DECLARATION = re.compile(rb"""^<\?xml\s+version=(["'])1\.0\1\s+encoding=(["'])(?i:utf-8)\2""")
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


# the package's own file: importlib.resources would import zipfile, shutil, tempfile, bz2 and
# lzma (~5 ms) for a package that is never zipped
ATOM_SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "atom-rfc4287.rng"


@cache
def atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(ATOM_SCHEMA)))


def check_atom(root: etree._Element) -> list[str]:
    """RFC 4287: the RELAX NG schema, its two Schematron rules, and unique entry ids."""
    schema = atom_schema()
    errors = []
    if not schema.validate(root.getroottree()):
        errors = [f"line {e.line}: {e.message}" for e in schema.error_log]
    entries = root.findall(ATOM + "entry")
    feed_author = has_author(root)
    read = [read_entry(entry) for entry in entries]
    for entry, fields in zip(entries, read, strict=True):
        where = f"line {entry.sourceline}: entry"
        if not feed_author and not fields.authored:
            errors.append(f"{where} has no author and the feed has none")
        if not fields.linked:
            errors.append(f"{where} has neither content nor an alternate link")
    errors += _duplicates([fields.ident for fields in read], "entry id")
    return errors


def has_author(element: etree._Element) -> bool:
    """Whether an atom:feed or atom:entry has an atom:author child."""
    return element.find(ATOM + "author") is not None


class AtomEntry(NamedTuple):
    """What the rules beyond the schema read of an atom:entry, gathered in one pass."""

    authored: bool  # has an atom:author child
    linked: bool  # has atom:content or an alternate atom:link (RFC 4287 4.1.2)
    ident: str  # the first atom:id's text, "" when it has none


_AUTHOR, _CONTENT, _LINK, _ID = (ATOM + n for n in ("author", "content", "link", "id"))


def read_entry(entry: etree._Element) -> AtomEntry:
    authored = linked = False
    ident: str | None = None
    for child in entry:
        tag = child.tag
        if tag == _AUTHOR:
            authored = True
        elif tag == _CONTENT:
            linked = True
        elif tag == _LINK:  # the XPath link[not(@rel) or @rel='alternate']
            linked = linked or child.get("rel") in (None, "alternate")
        elif tag == _ID and ident is None:
            ident = child.text or ""
    return AtomEntry(authored, linked, ident or "")


def check_rss(root: etree._Element) -> list[str]:
    """RSS 2.0: version, channel title/link/description, items with a title or description."""
    errors = [] if root.get("version") == "2.0" else ['<rss> needs version="2.0"']
    channel = root.find("channel")
    if channel is None:
        return [*errors, "<rss> has no <channel>"]
    errors += channel_problems(channel)
    items = channel.findall("item")
    read = [read_item(item) for item in items]
    for item, fields in zip(items, read, strict=True):
        errors += item_problems(fields, item.sourceline)
    guids = [fields.text("guid") for fields in read]
    errors += _duplicates([guid for guid in guids if guid is not None], "guid")
    return errors


def channel_problems(channel: etree._Element) -> list[str]:
    return [
        f"<channel> needs a non-empty <{name}>"
        for name in ("title", "link", "description")
        if not (channel.findtext(name) or "").strip()
    ]


class RssItem(NamedTuple):
    """The children an RSS item is checked on, found in one pass over it."""

    first: dict[str, etree._Element]  # the first <title>, <description>, <link>, ... by tag
    enclosures: list[etree._Element]  # every <enclosure>

    def text(self, tag: str) -> str | None:
        """What ``item.findtext(tag)`` gives: None without such a child, "" when empty."""
        child = self.first.get(tag)
        return None if child is None else child.text or ""


_ITEM_TAGS = frozenset(("title", "description", "link", "pubDate", "guid"))


def read_item(item: etree._Element) -> RssItem:
    first: dict[str, etree._Element] = {}
    enclosures = []
    for child in item:
        tag = child.tag
        if tag in _ITEM_TAGS:
            if tag not in first:
                first[tag] = child
        elif tag == "enclosure":
            enclosures.append(child)
    return RssItem(first, enclosures)


def item_problems(item: RssItem, line: int | None) -> list[str]:
    where = f"line {line}: <item>"
    errors = []
    if not _titled(item):
        errors.append(f"{where} needs a <title> or a <description>")
    link = item.text("link")
    if link is not None and not is_absolute_url(link.strip()):
        errors.append(f"{where} <link> {link!r} is not an absolute URL")
    date = item.text("pubDate")
    if date is not None and not rfc822(date):
        errors.append(f"{where} <pubDate> {date!r} is not an RFC 822 date with a zone")
    for enclosure in item.enclosures:
        missing = _lacks(enclosure)
        if missing:
            errors.append(f"{where} <enclosure> lacks {', '.join(missing)}")
    return errors


def _titled(item: RssItem) -> bool:
    # the description's text only when the title has none, as ``or`` reads it
    return bool((item.text("title") or item.text("description") or "").strip())


def _lacks(enclosure: etree._Element) -> list[str]:
    return [a for a in ("url", "length", "type") if not enclosure.get(a)]


# The RFC 822 dates feeds are written with ("Fri, 04 Nov 2022 23:18:37 +0000"): each one
# this takes is a date parsedate_to_datetime reads with a zone, when the day exists in its
# month. Anything else is left to parsedate_to_datetime.
_DATE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (0[1-9]|[12][0-9]|3[01]) "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([1-9][0-9]{3}) "
    r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9] \+0000"
)
_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}


def rfc822(value: str) -> bool:
    """Whether ``parsedate_to_datetime`` reads ``value`` as a date with a zone."""
    match = _DATE.fullmatch(value)
    if match is None:
        return _dated_with_zone(value)
    day, month, year = match.groups()
    return day <= "28" or int(day) <= monthrange(int(year), _MONTHS[month])[1]


def _dated_with_zone(value: str) -> bool:
    from email.utils import parsedate_to_datetime  # 7 ms of imports; dates we wrote never get here

    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return False
    return parsed.tzinfo is not None


def _duplicates(values: list[str], label: str) -> list[str]:
    return [f"{label} {v!r} is used {n} times" for v, n in sorted(Counter(values).items()) if n > 1]
