"""feedcheck's fast paths say what the plain ones they replaced say.

- the RFC 822 recogniser agrees with ``email.utils.parsedate_to_datetime`` on written,
  out-of-range and mutated dates;
- an RSS item or Atom entry read in one pass gives the verdicts and messages that
  ``findtext``, ``find`` and the XPath gave (those first versions are kept here as oracles);
- JSON Feed's item rules answer any JSON value with messages, never an exception;
- the streaming check of a generated feed with faults injected gives the whole check's
  verdict, and ``check_file`` read in pieces its messages.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from feeds_support import meta
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree
from test_feeds_feedcheck_stream import many

from feeds.feedcheck import check, check_file, passes, xmlstream
from feeds.feedcheck.jsonrules import item_problems
from feeds.feedcheck.xmlrules import ATOM, PARSING, read_entry, read_item, rfc822
from feeds.feedcheck.xmlrules import item_problems as rss_problems
from feeds.render import Entry, renderer
from feeds.render.fields import is_absolute_url

# the first versions of the rules: the oracles ---------------------------------------------


def first_rfc822(value: str) -> bool:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return False
    return parsed.tzinfo is not None


def first_rss_item(item: etree._Element) -> list[str]:
    where = f"line {item.sourceline}: <item>"
    errors = []
    if not (item.findtext("title") or item.findtext("description") or "").strip():
        errors.append(f"{where} needs a <title> or a <description>")
    link = item.findtext("link")
    if link is not None and not is_absolute_url(link.strip()):
        errors.append(f"{where} <link> {link!r} is not an absolute URL")
    date = item.findtext("pubDate")
    if date is not None and not first_rfc822(date):
        errors.append(f"{where} <pubDate> {date!r} is not an RFC 822 date with a zone")
    for enclosure in item.findall("enclosure"):
        missing = [a for a in ("url", "length", "type") if not enclosure.get(a)]
        if missing:
            errors.append(f"{where} <enclosure> lacks {', '.join(missing)}")
    return errors


def first_guid(item: etree._Element) -> str | None:
    return None if item.find("guid") is None else item.findtext("guid") or ""


def first_entry(entry: etree._Element) -> tuple[bool, bool, str]:
    """(has an author, has content or an alternate link, id) as first written."""
    linked = entry.find(ATOM + "content") is not None or bool(
        entry.xpath("a:link[not(@rel) or @rel='alternate']", namespaces={"a": ATOM[1:-1]})
    )
    return entry.find(ATOM + "author") is not None, linked, entry.findtext(ATOM + "id") or ""


# RFC 822 dates ---------------------------------------------------------------------------

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "mon", "Fri.", "Xyz", ""]
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
ZONES = ["+0000", "-0000", "+0100", "-0530", "+2359", "+2400", "+0099", "-9999", "GMT", "UT",
         "Z", "EST", "+000", "", "+00:00", "+0_000", "+٠٠٠٠"]


def number(low: int, high: int, width: int) -> st.SearchStrategy[str]:
    """A field as written (zero-padded), sometimes unpadded, too wide or in other digits."""
    plain = st.integers(low, high).map(lambda n: f"{n:0{width}d}")
    return st.one_of(
        plain,
        plain,
        plain,
        st.integers(low, high).map(str),
        plain.map(lambda s: s.translate(str.maketrans("0123456789", "０１２３４５６７８９"))),
        st.integers(0, 10 ** (width + 1)).map(str),
    )


@st.composite
def written_dates(draw: st.DrawFn) -> str:
    """RFC 822 dates as feeds write them, with every field sometimes out of range."""
    day = draw(st.sampled_from(DAYS))
    parts = [
        f"{day}," if day else "",
        draw(number(0, 32, 2)),
        draw(st.sampled_from([*MONTHS, "jan", "JAN", "January", "Sept", "Foo"])),
        draw(number(990, 10000, 4)),
        f"{draw(number(0, 25, 2))}:{draw(number(0, 61, 2))}:{draw(number(0, 61, 2))}",
        draw(st.sampled_from(ZONES)),
    ]
    return " ".join(p for p in parts if p)


def mutated(value: str, data: st.DataObject) -> str:
    """``value`` with a character changed, dropped or added, or a space doubled."""
    at = data.draw(st.integers(0, len(value)))
    char = data.draw(st.sampled_from(list("0123456789 :,+-\n\tAZaz٣")))
    how = data.draw(st.sampled_from(["change", "drop", "add", "space"]))
    if how == "change":
        return value[:at] + char + value[at + 1 :]
    if how == "drop":
        return value[:at] + value[at + 1 :]
    if how == "space":
        return value.replace(" ", "  ", 1)
    return value[:at] + char + value[at:]


@settings(max_examples=600, deadline=None)
@given(written_dates())
@example("Sun, 29 Feb 2021 10:00:00 +0000")  # no such day
@example("Tue, 29 Feb 2000 10:00:00 +0000")  # a leap year
@example("Mon, 29 Feb 1900 10:00:00 +0000")  # not one
@example("Thu, 31 Apr 2021 10:00:00 +0000")
@example("Thu, 30 Apr 2021 10:00:00 +0000")
@example("Fri, 31 Dec 9999 23:59:59 +0000")
@example("Fri, 00 Dec 2021 23:59:59 +0000")
@example("Fri, 28 Dec 2021 24:00:00 +0000")
@example("Fri, 28 Dec 2021 23:60:00 +0000")
@example("Fri, 28 Dec 2021 23:59:60 +0000")
@example("Fri, 28 Dec 0999 23:59:59 +0000")  # a year below 100 would be read as 19xx/20xx
@example("Fri, 28 Dec 0050 23:59:59 +0000")
@example("Fri, 28 Dec 2021 23:59:59 -0000")  # zone unknown: no tzinfo
@example("Fri, 28 Dec 2021 23:59:59 +0000\n")
@example("Fri, 28 Dec 2021 23:59:59 +0000 ")
def test_rfc822_says_what_email_utils_says(value: str) -> None:
    assert rfc822(value) == first_rfc822(value)


@settings(max_examples=400, deadline=None)
@given(written_dates(), st.data())
def test_rfc822_on_mutated_dates(value: str, data: st.DataObject) -> None:
    for _ in range(data.draw(st.integers(1, 3))):
        value = mutated(value, data)
    assert rfc822(value) == first_rfc822(value)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789 :,+-JanFebThu\t\n")), max_size=40))
def test_rfc822_on_date_like_text(value: str) -> None:
    assert rfc822(value) == first_rfc822(value)


# RSS items and Atom entries ------------------------------------------------------------

TEXTS = ["", " ", "\u3000", "x", " https://ex.org/a ", "/relative", "https://", "http:///x",
         "Thu, 04 Nov 2021 03:38:02 +0000", "Thu, 31 Nov 2021 03:38:02 +0000", "urn:x:1",
         "<![CDATA[ y ]]>", "a<!--c-->b", "<![CDATA[]]>", "&amp;", "<b>in</b>tail"]
RSS_TAGS = ["title", "description", "link", "pubDate", "guid", "enclosure", "x:title",
            "x:guid", "category"]


@st.composite
def rss_child(draw: st.DrawFn) -> str:
    tag = draw(st.sampled_from(RSS_TAGS))
    if tag == "enclosure":  # each attribute set, empty, absent or in another namespace
        attrs = [draw(st.sampled_from([f'{a}="v"', f'{a}=""', "", f'x:{a}="v"']))
                 for a in ("url", "length", "type")]
        return f"<enclosure {' '.join(attrs)}/>"
    return f"<{tag}>{draw(st.sampled_from(TEXTS))}</{tag}>"


def parsed_item(children: list[str]) -> etree._Element:
    body = "".join(children)
    return etree.fromstring(f'<item xmlns:x="urn:x">\n{body}<!--end--></item>'.encode())


GOOD_ITEM = ["<title>t</title>", "<link>https://e.org/</link>", "<guid>g</guid>",
             "<pubDate>Thu, 04 Nov 2021 03:38:02 +0000</pubDate>",
             '<enclosure url="u" length="1" type="t"/>']


@settings(max_examples=500, deadline=None)
@given(st.lists(rss_child(), max_size=8) | st.lists(rss_child(), max_size=3).map(
    lambda extra: GOOD_ITEM + extra))  # one rule broken in an item otherwise good
@example([*GOOD_ITEM, '<enclosure url="u"/>'])
@example(['<enclosure url="u"/>', *GOOD_ITEM])
@example(["<title> </title>", "<description>d</description>"])
@example(["<title/>", "<title>t</title>"])
def test_an_rss_item_read_in_one_pass_gets_the_first_messages(children: list[str]) -> None:
    item = parsed_item(children)
    fields = read_item(item)
    messages = first_rss_item(item)
    assert rss_problems(fields, item.sourceline) == messages
    assert fields.text("guid") == first_guid(item)


@st.composite
def atom_child(draw: st.DrawFn) -> str:
    tag = draw(st.sampled_from(["author", "content", "link", "id", "x:author", "x:content",
                                "x:link", "x:id", "title"]))
    if tag.endswith("link"):
        rel = draw(st.sampled_from(["", 'rel="alternate"', 'rel="related"', 'rel=""',
                                    'rel="ALTERNATE"', 'x:rel="alternate"', 'rel=" alternate"']))
        return f'<{tag} href="h" {rel}/>'
    return f"<{tag}>{draw(st.sampled_from(TEXTS))}</{tag}>"


@settings(max_examples=300, deadline=None)
@given(st.lists(atom_child(), max_size=7))
def test_an_atom_entry_read_in_one_pass_gives_what_find_and_xpath_gave(
    children: list[str],
) -> None:
    body = "".join(children)
    entry = etree.fromstring(
        f'<entry xmlns="{ATOM[1:-1]}" xmlns:x="urn:x">{body}</entry>'.encode()
    )
    assert tuple(read_entry(entry)) == first_entry(entry)


# JSON Feed items -------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from(["", "x", "https://e.org/",
                                                                  "2021-11-04T03:38:02Z"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["name", "url", "avatar", "mime_type", "x"]), inner, max_size=3),
    max_leaves=6,
)
ITEM_KEYS = ["id", "content_html", "content_text", "url", "external_url", "image",
             "banner_image", "date_published", "date_modified", "tags", "attachments",
             "authors", "title"]


GOOD_JSON_ITEM = {"id": "i", "content_html": "c", "url": "https://e.org/",
                  "date_published": "2021-11-04T03:38:02Z", "tags": ["t"],
                  "authors": [{"name": "n"}], "attachments": [{"url": "u", "mime_type": "m"}]}


@settings(max_examples=600, deadline=None)
@given(
    st.dictionaries(st.sampled_from(ITEM_KEYS), JSON_VALUES, max_size=8)
    | JSON_VALUES,
    st.sampled_from([{}, {"id": "i", "content_html": "c"}, GOOD_JSON_ITEM]),
    st.lists(st.sampled_from(sorted(GOOD_JSON_ITEM)), max_size=2),
)
@example({"authors": [{"x": 1}]}, GOOD_JSON_ITEM, [])
@example({"attachments": [{"url": "u"}]}, GOOD_JSON_ITEM, [])
@example({"attachments": 3}, GOOD_JSON_ITEM, [])
@example({"attachments": None}, GOOD_JSON_ITEM, [])
@example({"date_modified": "2021"}, GOOD_JSON_ITEM, [])
def test_json_item_rules_answer_any_value_with_messages(
    item: Any, base: dict[str, Any], dropped: list[str]
) -> None:
    """Random values, over nothing, the two required fields or a good item (some of its
    fields dropped): each rule gets broken alone too, and none makes the check raise (an
    ``attachments`` that was no list once did)."""
    if isinstance(item, dict):
        item = {k: v for k, v in {**base, **item}.items() if k not in dropped}
    problems = item_problems(item)
    assert all(isinstance(p, str) for p in problems)
    if item == GOOD_JSON_ITEM:
        assert problems == []


# the streaming check against the whole one -----------------------------------------------

Fault = Callable[[bytes, int], bytes]


def replace_nth(old: bytes, new: bytes) -> Fault:
    """Replace the ``nth`` occurrence of ``old`` (counted round), if there is one."""

    def fault(data: bytes, nth: int) -> bytes:
        starts = [i for i in range(len(data)) if data.startswith(old, i)]
        if not starts:
            return data
        at = starts[nth % len(starts)]
        return data[:at] + new + data[at + len(old) :]

    return fault


def insert_at(new: bytes) -> Fault:
    def fault(data: bytes, at: int) -> bytes:
        at %= len(data) + 1
        return data[:at] + new + data[at:]

    return fault


COMMON: dict[str, Fault] = {
    "ff byte": insert_at(b"\xff"),
    "lone lead byte": insert_at(b"\xc3"),
    "surrogate": insert_at(b"\xed\xa0\x80"),
    "overlong": insert_at(b"\xc0\xaf"),
    "cut": lambda data, at: data[: at % (len(data) + 1)],
    "undefined entity": replace_nth(b"&amp;", b"&nope;"),
    "CDATA in a title": replace_nth(b"</title>", b"<![CDATA[ x ]]></title>"),
}
RSS_FAULTS: dict[str, Fault] = {
    "31 November": replace_nth(b"<pubDate>Thu, 04 Nov", b"<pubDate>Thu, 31 Nov"),
    "29 February 2021": replace_nth(b"<pubDate>Thu, 04 Nov", b"<pubDate>Thu, 29 Feb"),
    "zone unknown": replace_nth(b" +0000</pubDate>", b" -0000</pubDate>"),
    "hour 24": replace_nth(b" 03:38:02", b" 24:38:02"),
    "relative link": replace_nth(b"<link>https://news.example.org/2021", b"<link>/2021"),
    "enclosure without type": replace_nth(b' type="image/png"/>', b"/>"),
    "duplicate guid": replace_nth(b">urn:x:2<", b">urn:x:1<"),
    "empty title": replace_nth(b"<title>\xe6\xb5\x99", b"<title></title><x>"),
    "item in an item": replace_nth(b"</item>", b"<item><guid>urn:x:0</guid></item></item>"),
    "second channel": replace_nth(
        b"</rss>", b"<channel><item><link>/x</link></item></channel></rss>"
    ),
    "namespaced title": replace_nth(b"<title>", b"<dc:title>x</dc:title><title>"),
}
ATOM_FAULTS: dict[str, Fault] = {
    "bad updated": replace_nth(b"<updated>2021", b"<updated>x2021"),
    "duplicate id": replace_nth(b">urn:x:2<", b">urn:x:1<"),
    "no feed author": replace_nth(b"<author>\n    <name>Example News</name>\n  </author>", b""),
    "no content": replace_nth(b'<content type="html">', b'<summary type="html">'),
    "text between entries": replace_nth(b"</entry>\n  <entry>", b"</entry>\n  x<entry>"),
    "ideographic space between entries": replace_nth(
        b"</entry>\n  <entry>", "</entry>\u3000<entry>".encode()
    ),
    "XML whitespace between entries": replace_nth(b"</entry>\n  <entry>", b"</entry>\t\r\n<entry>"),
    "no-break space at the end": replace_nth(b"</entry>\n</feed>", "</entry>\xa0</feed>".encode()),
    "an element between entries": replace_nth(b"</entry>\n  <entry>",
                                              b"</entry><title>t</title><entry>"),
    "an element after the entries": replace_nth(b"</feed>", b"<rights>r</rights></feed>"),
    "a comment between entries": replace_nth(b"</entry>\n  <entry>", b"</entry><!--c--><entry>"),
    "an entry in an extension": replace_nth(
        b"<media:thumbnail", b"<x:e xmlns:x='urn:x'><entry/></x:e><media:thumbnail"
    ),
}
JSON_FAULTS: dict[str, Fault] = {
    "bad date": replace_nth(b'"date_published": "2021', b'"date_published": "x2021'),
    "duplicate id": replace_nth(b'"urn:x:2"', b'"urn:x:1"'),
    "relative url": replace_nth(b'"url": "https://news.example.org/2021', b'"url": "/2021'),
    "no content": replace_nth(b'"content_html"', b'"content_htm"'),
}
FAULTS = {"rss": {**COMMON, **RSS_FAULTS}, "atom": {**COMMON, **ATOM_FAULTS},
          "json": {**COMMON, **JSON_FAULTS}}
# good feeds the streaming check leaves to the whole one (passes() may say False)
UNSETTLED = {"a comment between entries"}


@cache
def base(fmt: str) -> bytes:
    return renderer(fmt)(meta(), [Entry(a) for a in many(9)])


def assert_same_verdict(feed: bytes, names: list[str]) -> None:
    """passes() says what check() says (or, for a good feed in a shape it leaves to the
    whole check, at most False); check_file() read in pieces gives check()'s messages."""
    errors = check(feed)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "feed"
        path.write_bytes(feed)
        streamed = passes(path)
        if UNSETTLED.isdisjoint(names):
            assert streamed == (errors == []), (names, errors)
        else:
            assert not (streamed and errors), (names, errors)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("feeds.feedcheck.STREAM_FROM", 0)
            assert check_file(path) == errors


@pytest.mark.parametrize(("fmt", "name"), [(f, n) for f in sorted(FAULTS) for n in FAULTS[f]])
@settings(max_examples=12, deadline=None)
@given(where=st.integers(0, 10**6))
def test_each_fault_gets_the_whole_verdict(fmt: str, name: str, where: int) -> None:
    assert_same_verdict(FAULTS[fmt][name](base(fmt), where), [name])


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(FAULTS)), st.data())
def test_faults_together_get_the_whole_verdict(fmt: str, data: st.DataObject) -> None:
    names = data.draw(st.lists(st.sampled_from(sorted(FAULTS[fmt])), min_size=1, max_size=3))
    feed = base(fmt)
    for name in names:
        feed = FAULTS[fmt][name](feed, data.draw(st.integers(0, 10**6)))
    assert_same_verdict(feed, names)


def test_where_the_parser_lets_bad_utf8_through_the_stream_is_decoded_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a libxml2 that does not refuse every kind of malformed UTF-8 (older releases let
    encoded surrogates through), passes() decodes the file on the way and counts on that:
    what its own decoding refuses makes it False (here a decoder that finds a character cut
    at the very end of the file, when the parser has read all of it)."""

    class CutAtTheEnd:
        def decode(self, block: bytes, final: bool = False) -> str:
            if final:
                raise UnicodeDecodeError("utf-8", block, 0, 0, "unexpected end of data")
            return ""

    path = tmp_path / "feed"
    path.write_bytes(base("rss"))
    assert passes(path)
    monkeypatch.setattr(
        xmlstream, "codecs", SimpleNamespace(getincrementaldecoder=lambda _: CutAtTheEnd)
    )
    assert passes(path)  # this libxml2 refuses bad UTF-8 itself: nothing decodes the file
    monkeypatch.setattr(xmlstream, "parser_refuses_bad_utf8", lambda: False)
    assert not passes(path)


def test_the_parser_refuses_each_kind_of_malformed_utf8(monkeypatch: pytest.MonkeyPatch) -> None:
    """What lets the stream go undecoded: with lxml's libxml2 the probe finds every sample
    refused; a parser that took any one of them (here a sample that is good UTF-8) would
    not be trusted."""
    probe = xmlstream.parser_refuses_bad_utf8
    probe.cache_clear()
    assert probe()
    for sample in xmlstream.MALFORMED_UTF8:
        with pytest.raises(UnicodeDecodeError):
            sample.decode("utf-8")
    probe.cache_clear()
    monkeypatch.setattr(xmlstream, "MALFORMED_UTF8", (*xmlstream.MALFORMED_UTF8, "é".encode()))
    try:
        assert not probe()
    finally:
        probe.cache_clear()  # the next caller asks again, with the samples restored


def test_whatever_utf8_the_parser_takes_python_takes_too() -> None:
    """Every sequence a lead byte (0x80-0xFF) and any second byte can start, completed to
    two, three and four bytes: when libxml2 reads it as text, so does Python's strict
    decoder. The probe's samples stand for these classes; this is the whole of them."""
    head = b'<?xml version="1.0" encoding="UTF-8"?>\n<a>x'
    parser = etree.XMLParser(**PARSING)  # as the checker parses
    taken_by_the_parser_only = []
    for lead in range(0x80, 0x100):
        for second in range(0x100):
            for rest in (b"", b"\x80", b"\x80\x80"):
                sequence = bytes((lead, second)) + rest
                try:
                    etree.fromstring(head + sequence + b"y</a>", parser)
                except etree.XMLSyntaxError:
                    continue
                try:
                    (sequence + b"y").decode("utf-8")
                except UnicodeDecodeError:
                    taken_by_the_parser_only.append(sequence)
    assert taken_by_the_parser_only == []


@pytest.mark.parametrize("fmt", sorted(FAULTS))
def test_the_feeds_faults_are_put_in_stream_as_good(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / fmt
    path.write_bytes(base(fmt))
    assert check(base(fmt)) == [] and passes(path, fmt)
