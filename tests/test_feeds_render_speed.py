"""The faster render helpers give exactly what the implementations they replace gave.

The old implementations are kept here as references:
- ``xml_text`` / ``xml_html`` (two regex passes, now run only when a cheap check says a
  forbidden character or a reference may be there): every code point, every reference;
- ``rfc822`` / ``rfc3339`` (strftime and format specs, now a table of two-digit fields):
  aware dates in many zones and years, naive ones refused with the same ValueError;
- ``newest`` and ``terms`` (a call per entry and per name, now C-level passes and a cache);
- JSON Feed items (the indenting ``json`` encoder, now written directly): whole feeds are
  the bytes of ``json.dumps(feed, ensure_ascii=False, indent=1)`` of the items ``_item``
  makes, or raise what it raised.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from unittest import mock

import pytest
from feeds_support import article, drawn_article, meta
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.content.slugs import match_key
from feeds.models import Article, Author, Thumbnail
from feeds.render import Entry, FeedMeta, RenderError, jsonfeed
from feeds.render.fields import newest, terms
from feeds.render.text import rfc822, rfc3339, xml_html, xml_html_utf8, xml_text

# the references: the implementations as they were -----------------------------------------

OLD_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
OLD_FORBIDDEN_REF = re.compile(
    r"&#(?:0*(?:[0-8]|1[124-9]|2[0-9]|3[01])"
    r"|[xX]0*(?:[0-8bcef]|1[0-9a-f]|d[89a-f][0-9a-f]{2}|f{3}[ef]));",
    re.IGNORECASE,
)
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def old_xml_text(value: str) -> str:
    return OLD_FORBIDDEN.sub("", value)


def old_xml_html(value: str) -> str:
    return OLD_FORBIDDEN_REF.sub("", OLD_FORBIDDEN.sub("", value))


def old_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"date {value.isoformat()} has no timezone")
    return value.astimezone(UTC)


def old_rfc822(value: datetime) -> str:
    utc = old_utc(value)
    return (
        f"{DAYS[utc.weekday()]}, {utc.day:02d} {MONTHS[utc.month - 1]} {utc.year:04d} "
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d} +0000"
    )


def old_rfc3339(value: datetime) -> str:
    return old_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def old_terms(article: Article) -> list[str]:
    seen: set[str] = set()
    found = []
    for term in (*article.categories, *article.tags):
        key = match_key(term)
        if key and key not in seen:
            seen.add(key)
            found.append(term)
    return found


def old_newest(meta: FeedMeta, entries: Sequence[Entry]) -> datetime:
    for entry in entries:
        for label, value in (("published", entry.article.published),
                             ("updated", entry.article.updated)):
            if value.tzinfo is None or value.utcoffset() is None:
                reason = f"{label}: date {value.isoformat()} has no timezone"
                raise RenderError(meta.name, entry.article.source_path, reason)
    return max((max(e.article.published, e.article.updated) for e in entries),
               default=meta.updated)


def old_json_feed(feed_meta: FeedMeta, entries: Sequence[Entry]) -> bytes:
    """The feed as the indenting encoder writes it: its items are ``jsonfeed._item``'s dicts
    (which the writer falls back to), their dates and terms tested against the old ones
    above."""
    old_newest(feed_meta, entries)
    feed = jsonfeed._head(feed_meta)
    feed["items"] = [jsonfeed._item(e) for e in entries]
    return (json.dumps(feed, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def outcome(make: Callable[[], Any]) -> tuple[str, Any]:
    """What ``make()`` gives, or the type and message of what it raises."""
    try:
        return "made", make()
    except Exception as exc:
        return "raised", (type(exc), str(exc))


# characters and references -----------------------------------------------------------------


def every_code_point() -> list[str]:
    """Every code point, surrogates included, a few thousand to a string."""
    return ["".join(map(chr, range(i, min(i + 4096, 0x110000))))
            for i in range(0, 0x110000, 4096)]


def test_every_character_xml_text_drops_is_unprintable() -> None:
    """What lets xml_text and xml_html skip the regex on printable text."""
    for chunk in every_code_point():
        dropped = set(chunk) - set(old_xml_text(chunk))
        assert not any(c.isprintable() for c in dropped)
        for c in chunk:
            assert xml_text(c) == old_xml_text(c)
            assert_html(c)
        assert xml_text(chunk) == old_xml_text(chunk)
        assert_html(chunk)
        assert_html("a\n" + chunk)  # the regexes' path too


def assert_html(value: str) -> None:
    """xml_html, and its UTF-8 (the fast way), are what the regexes give."""
    assert xml_html(value) == old_xml_html(value)
    assert xml_html_utf8(value) == old_xml_html(value).encode("utf-8")


@pytest.mark.parametrize("form", ["{:d}", "{:05d}", "x{:x}", "X{:X}", "x{:06X}", "X{:04x}"])
def test_every_numeric_reference_is_kept_or_dropped_as_before(form: str) -> None:
    refs = [f"&#{form.format(n)};" for n in range(0x11000)]
    for i in range(0, len(refs), 4096):
        chunk = "".join(refs[i : i + 4096])
        assert_html(chunk)
        assert_html("a\n" + chunk)


@st.composite
def references(draw: st.DrawFn) -> str:
    """A numeric reference, or something close to one: decimal or hex, upper or lower case,
    leading zeros, with or without its semicolon."""
    number = draw(st.one_of(st.integers(0, 0x40), st.integers(0xD7F0, 0xE010),
                            st.integers(0xFFF0, 0x10010), st.integers(0, 0x10FFFF)))
    hexa = draw(st.booleans())
    digits = f"{number:x}" if hexa else f"{number:d}"
    if hexa and draw(st.booleans()):
        digits = digits.upper()
    x = draw(st.sampled_from(["x", "X"])) if hexa else ""
    zeros = "0" * draw(st.integers(0, 3))
    end = draw(st.sampled_from([";", ";", "", " ;"]))
    return f"&#{x}{zeros}{digits}{end}"


FORBIDDEN = [chr(c) for c in (*range(9), 0x0B, 0x0C, *range(0x0E, 0x20), 0xD800, 0xDBFF,
                              0xDC00, 0xDFFF, 0xFFFE, 0xFFFF)]
AWKWARD = ["&", "#", "&#", ";", "x", "\t", "\n", "\r", "\x7f", "\x85", "\xa0", "\u2028",
           "\u2029", "\u200d", "长三角", "🙂", "<p>", "&amp;", '"', "\\", " "]
html_texts = st.lists(
    st.one_of(references(), st.sampled_from(FORBIDDEN), st.sampled_from(AWKWARD),
              st.characters()),
    max_size=16,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(html_texts)
def test_xml_text_and_xml_html_are_what_the_regexes_give(value: str) -> None:
    assert xml_text(value) == old_xml_text(value)
    assert_html(value)


@pytest.mark.parametrize(("value", "cleaned"), [
    ("&\x01#1;", ""), ("&#\x0b1;", ""), ("&#x\ud8001f;", ""),
    ("<p>&\ufffe#X1F;</p>\n", "<p></p>\n"),
])
def test_a_reference_made_by_dropping_a_character_is_dropped_too(value: str,
                                                                  cleaned: str) -> None:
    assert xml_html(value) == old_xml_html(value) == cleaned
    assert xml_html_utf8(value) == cleaned.encode("utf-8")


@pytest.mark.parametrize("value", [b"\x01", None, 7, ["a"]])
def test_anything_but_text_fails_as_the_regexes_fail(value: Any) -> None:
    for new, old in ((xml_text, old_xml_text), (xml_html, old_xml_html)):
        assert outcome(lambda: new(value)) == outcome(lambda: old(value))  # noqa: B023
    assert outcome(lambda: xml_html_utf8(value)) == outcome(lambda: old_xml_html(value))


def test_a_str_subclass_gives_the_same_text() -> None:
    class Text(str):
        pass

    for value in ["plain", "a\x01b", "&#1;"]:
        assert xml_text(Text(value)) == old_xml_text(Text(value))
        assert_html(Text(value))


# dates --------------------------------------------------------------------------------------

fixed_zones = st.builds(
    timezone, st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timedelta(minutes=m)))
any_zones = st.one_of(st.just(UTC), fixed_zones, st.timezones())


class NoOffset(tzinfo):
    """A zone that does not know its offset: the date counts as naive."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None


@settings(max_examples=400, deadline=None)
@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59),
                    timezones=any_zones))
def test_dates_are_written_as_before_in_any_zone_and_year(value: datetime) -> None:
    assert outcome(lambda: rfc822(value)) == outcome(lambda: old_rfc822(value))
    assert outcome(lambda: rfc3339(value)) == outcome(lambda: old_rfc3339(value))


@pytest.mark.parametrize("value", [
    datetime(1, 1, 1, tzinfo=UTC), datetime(999, 12, 31, 23, 59, 59, tzinfo=UTC),
    datetime(1000, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))),  # before the first UTC date
    datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-2))),  # after the last
    datetime(2024, 2, 29, 0, 0, 0, 1, tzinfo=timezone(timedelta(hours=14))),
])
def test_dates_at_the_ends_of_the_calendar_are_written_or_refused_as_before(
    value: datetime
) -> None:
    assert outcome(lambda: rfc822(value)) == outcome(lambda: old_rfc822(value))
    assert outcome(lambda: rfc3339(value)) == outcome(lambda: old_rfc3339(value))


@settings(max_examples=100, deadline=None)
@given(st.datetimes(timezones=st.sampled_from([None, NoOffset()])))
def test_a_naive_date_is_the_same_value_error(value: datetime) -> None:
    for new, old in ((rfc822, old_rfc822), (rfc3339, old_rfc3339)):
        made = outcome(lambda: new(value))  # noqa: B023
        assert made == outcome(lambda: old(value))  # noqa: B023
        assert made[0] == "raised" and made[1][0] is ValueError


# newest and terms ---------------------------------------------------------------------------

NAMES = ["Python", "python", " PYTHON ", "Ｐｙｔｈｏｎ", "data-science", "data science",
         "data_science", "data—science", "", " ", "\u3000", "长三角", "長三角", "ß", "SS", "ss"]
names = st.lists(st.one_of(st.sampled_from(NAMES), st.text(max_size=6)), max_size=5).map(tuple)


@settings(max_examples=300, deadline=None)
@given(names, names)
def test_terms_are_the_names_matched_once_as_before(categories: tuple[str, ...],
                                                    tags: tuple[str, ...]) -> None:
    made = article(0, categories=categories, tags=tags)
    assert terms(made) == old_terms(made)
    assert terms(made) == old_terms(made)  # the second time from the cache
    assert terms(made) is not terms(made)  # a list of its own each time


def test_terms_of_lists_and_of_other_things_are_as_before() -> None:
    listed = article(0, categories=["a", "A", "b"], tags=["b"])
    assert terms(listed) == old_terms(listed) == ["a", "b"]
    odd = article(0, categories=("a", 7))
    assert outcome(lambda: terms(odd)) == outcome(lambda: old_terms(odd))
    assert outcome(lambda: terms(odd))[0] == "raised"


dated = st.tuples(
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1),
                 timezones=st.one_of(any_zones, st.sampled_from([None, NoOffset()]))),
    st.sampled_from([0, 0, 1, -1, 3600, -86400]).map(lambda s: timedelta(seconds=s)),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(dated, max_size=6))
def test_newest_is_the_same_date_object_or_the_same_error(
    dates: list[tuple[datetime, timedelta, bool]]
) -> None:
    entries = []
    for number, (published, shift, same) in enumerate(dates):
        updated = published if same else published + shift
        entries.append(Entry(article(number, published=published, updated=updated)))
    new = outcome(lambda: newest(meta(), entries))
    old = outcome(lambda: old_newest(meta(), entries))
    assert new[0] == old[0]
    if new[0] == "made":
        assert new[1] is old[1]  # the first of equal dates, as max() chose it
    else:
        assert new == old


def test_newest_of_nothing_is_the_feed_date() -> None:
    assert newest(meta(), []) is meta().updated


# JSON Feed ----------------------------------------------------------------------------------

CONTROLS = [chr(c) for c in range(0x20)]
JSON_AWKWARD = ['"', "\\", "/", "\\u", "\u2028", "\u2029", "\x7f", "\x85", "\ufeff", "🙂",
                "👩‍💻", "长三角", "&#1;", "<p>", "\r\n", " "]
json_texts = st.lists(
    st.one_of(st.sampled_from(CONTROLS), st.sampled_from(JSON_AWKWARD),
              st.characters(exclude_categories=("Cs",))),
    max_size=10,
).map("".join)
maybe = st.one_of(st.none(), st.just(""), json_texts)
urls = st.one_of(st.just(""), json_texts, st.just("https://ex.org/a?b=1&c=\"2\""),
                 st.just("http://ex.org/"), st.just("/relative"), st.just("HTTPS://ex.org"))
instants = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1),
                        timezones=any_zones)
shifts = st.sampled_from([0, 0, 1, -1, 3600, -86400]).map(lambda s: timedelta(seconds=s))
thumbnails = st.builds(Thumbnail, url=urls, mime_type=st.one_of(st.none(), json_texts))


json_dates = instants.flatmap(lambda published: st.tuples(
    st.just(published), st.one_of(st.just(published), shifts.map(lambda s: published + s))))


@st.composite
def articles(draw: st.DrawFn, number: int) -> Article:
    return drawn_article(
        draw, number, urls=urls, texts=json_texts, dates=json_dates, thumbnails=thumbnails,
        categories=st.one_of(st.sampled_from(NAMES), json_texts),
        languages=st.one_of(st.just(""), st.just("zh-CN"), json_texts),
    )


@st.composite
def feeds(draw: st.DrawFn) -> tuple[FeedMeta, list[Entry]]:
    count = draw(st.integers(0, 6))
    entries = [Entry(draw(articles(i)), draw(st.booleans())) for i in range(count)]
    feed_meta = meta(description=draw(st.sampled_from(["", "News \"for\" tests\n"])),
                     icon=draw(st.sampled_from([None, "https://ex.org/i.png"])))
    return feed_meta, entries


@settings(max_examples=300, deadline=None)
@given(feed=feeds(), batch=st.integers(1, 4))
def test_random_feeds_are_the_bytes_json_dumps_gives(
    feed: tuple[FeedMeta, list[Entry]], batch: int
) -> None:
    feed_meta, entries = feed
    with mock.patch.object(jsonfeed, "BATCH", batch):
        data = jsonfeed.render(feed_meta, entries)
    assert data == old_json_feed(feed_meta, entries)


ODD = [None, 7, 2.5, float("nan"), True, ["a", 1], {"k": "v"}, ("t",), object()]


@pytest.mark.parametrize("value", ODD)
@pytest.mark.parametrize("field", ["id", "title", "summary", "content_html", "language",
                                   "author", "author_url", "thumbnail"])
def test_a_field_of_another_type_is_written_or_refused_as_json_dumps_did(
    field: str, value: Any
) -> None:
    if field == "author":
        odd = article(1, authors=(Author("a"), Author(value)))
    elif field == "author_url":
        odd = article(1, authors=(Author("a", url=value),))
    elif field == "thumbnail":
        odd = article(1, thumbnail=Thumbnail(value))
    else:
        odd = article(1, **{field: value})
    entries = [Entry(article(0)), Entry(odd), Entry(article(2))]
    for batch in (1, 2, 32):
        with mock.patch.object(jsonfeed, "BATCH", batch):
            made = outcome(lambda: jsonfeed.render(meta(), entries))
        assert made == outcome(lambda: old_json_feed(meta(), entries))


def test_a_lone_surrogate_fails_as_it_failed() -> None:
    """(Its position is counted in the piece being encoded: a batch, not the whole feed.)"""
    entries = [Entry(article(0)), Entry(article(1, title="a\ud800b"))]
    for render in (jsonfeed.render, old_json_feed):
        with pytest.raises(UnicodeEncodeError) as caught:
            render(meta(), entries)
        error = caught.value
        assert (error.reason, error.object[error.start : error.end]) == (
            "surrogates not allowed", "\ud800")


def test_many_items_with_every_control_character_are_the_bytes_json_dumps_gives() -> None:
    every = "".join(CONTROLS + JSON_AWKWARD)
    entries = [Entry(article(i, title=every[i:], summary=every[: i + 1], content_html=every),
                     i % 3 > 0) for i in range(100)]
    assert jsonfeed.render(meta(), entries) == old_json_feed(meta(), entries)
