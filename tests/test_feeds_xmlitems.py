"""RSS items and Atom entries written as text (feeds/render/xmltext.py) are the bytes lxml
wrote for the same elements.

- random entries give the same whole feed as the lxml element builders they replace (kept
  here as the reference), and the feed parses back with lxml and feedparser;
- every character is escaped in text and in attributes as libxml2 escapes it;
- an item that cannot be written is still a RenderError naming the feed and the file.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from unittest import mock

import pytest
from feeds_support import article, drawn_article, meta
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from feeds.content.slugs import match_key
from feeds.models import Article, Author, Thumbnail
from feeds.render import Entry, FeedMeta, RenderError, atom, chunk_renderer, renderer, rss, xml
from feeds.render.fields import image_type, newest, positive, terms
from feeds.render.text import rfc822, rfc3339, xml_html, xml_text
from feeds.render.xml import ATOM, CONTENT, DC, HISTORY, MEDIA, XML_LANG, serialize, sub
from feeds.render.xmltext import attr, text

A = f"{{{ATOM}}}"

# the lxml reference: the element builders the text writers replaced ------------------------


def reference(fmt: str, feed: FeedMeta, entries: Sequence[Entry]) -> bytes:
    """The whole feed built as one lxml tree and serialized at once."""
    updated = newest(feed, entries)
    history = {"fh": HISTORY} if feed.archive else {}
    if fmt == "rss":
        root = etree.Element("rss", {"version": "2.0"}, nsmap={**rss.NSMAP, **history})
        channel = rss._channel(root, feed, updated)
        for entry in entries:
            _rss_item(channel, entry)
    else:
        nsmap: dict[str | None, str] = {None: ATOM, "media": MEDIA, **history}
        root = etree.Element(A + "feed", {XML_LANG: feed.language}, nsmap=nsmap)
        atom._head(root, feed, updated)
        for entry in entries:
            _atom_entry(root, entry)
    return serialize(root, feed.stylesheets)


def _rss_item(channel: etree._Element, entry: Entry) -> None:
    article = entry.article
    item = sub(channel, "item")
    sub(item, "title", article.title)
    sub(item, "link", article.url)
    guid = sub(item, "guid", article.id)
    guid.set("isPermaLink", "true" if article.id == article.url else "false")
    sub(item, "pubDate", rfc822(article.published))
    summary = html.escape(article.summary, quote=False)
    body = xml_html(article.content_html)
    sub(item, "description", summary or body)
    if entry.full and body:
        sub(item, f"{{{CONTENT}}}encoded", body)
    for author in article.authors:
        sub(item, f"{{{DC}}}creator", author.name)
    for term in terms(article):
        sub(item, "category", term)
    thumb = article.thumbnail
    if thumb:
        mime = image_type(thumb)
        if mime:
            sub(item, "enclosure", url=thumb.url, length=thumb.length or 0, type=mime)
        width, height = positive(thumb.width), positive(thumb.height)
        sub(item, f"{{{MEDIA}}}thumbnail", url=thumb.url, width=width, height=height)
        content = sub(item, f"{{{MEDIA}}}content", url=thumb.url, medium="image", type=mime,
                      width=width, height=height)
        if thumb.alt:
            sub(content, f"{{{MEDIA}}}description", thumb.alt, type="plain")


def _atom_entry(root: etree._Element, entry: Entry) -> None:
    article = entry.article
    element = sub(root, A + "entry")
    sub(element, A + "id", article.id)
    sub(element, A + "title", article.title)
    sub(element, A + "published", rfc3339(article.published))
    sub(element, A + "updated", rfc3339(max(article.updated, article.published)))
    for author in article.authors:
        atom._person(element, author)
    if article.url:
        sub(element, A + "link", rel="alternate", type="text/html", href=article.url)
    if article.summary:
        sub(element, A + "summary", article.summary)
    if entry.full and article.content_html:
        sub(element, A + "content", xml_html(article.content_html), type="html")
    for term in terms(article):
        sub(element, A + "category", term=match_key(term), label=term)
    thumb = article.thumbnail
    if thumb:
        sub(element, A + "link", rel="enclosure", href=thumb.url, type=image_type(thumb),
            length=thumb.length)
        sub(element, f"{{{MEDIA}}}thumbnail", url=thumb.url, width=positive(thumb.width),
            height=positive(thumb.height))


# random entries ----------------------------------------------------------------------------

AWKWARD = ["&", "<", ">", '"', "'", "\r", "\n", "\t", "\r\n", "\x00", "\x01", "\x0b", "\x1f",
           "\x7f", "\x85", "\xa0", "\u2028", "\u3000", "\ufffe", "\uffff", "长三角", "🙂", "]]>",
           "&amp;", "&#1;", "&#x1F;", "&#9;", "<p>", "</a>", " ", "  "]
texts = st.lists(
    st.one_of(st.sampled_from(AWKWARD), st.characters(exclude_categories=("Cs",))),
    max_size=12,
).map("".join)
maybe = st.one_of(st.none(), st.just(""), texts)
zones = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-9.5))])
instants = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1),
                        timezones=zones)
shifts = st.one_of(st.just(timedelta(0)), st.integers(-10**6, 10**6).map(
    lambda s: timedelta(seconds=s / 7)))  # fractions of a second too
sizes = st.one_of(st.none(), st.integers(-5, 5000))


@st.composite
def dates(draw: st.DrawFn) -> tuple[datetime, datetime]:
    """published and updated: often the same instant, in the same zone or another one."""
    published = draw(instants)
    return published, (published + draw(shifts)).astimezone(draw(zones))


thumbnails = st.builds(
    Thumbnail, url=texts,
    mime_type=st.one_of(st.none(), st.just(""), st.just("image/png"), texts),
    width=sizes, height=sizes, alt=st.one_of(st.just(""), texts), length=sizes,
)


@st.composite
def articles(draw: st.DrawFn, number: int) -> Article:
    return drawn_article(
        draw, number, urls=st.one_of(st.just(""), texts, st.just("https://ex.org/a?b=1&c=<2>")),
        texts=texts, dates=dates(), thumbnails=thumbnails,
    )


@st.composite
def feeds(draw: st.DrawFn) -> tuple[FeedMeta, list[Entry]]:
    count = draw(st.integers(0, 5))
    entries = [Entry(draw(articles(i)), draw(st.booleans())) for i in range(count)]
    sheets = draw(st.sampled_from([(), (("feed.css", "text/css"),)]))
    return meta(archive=draw(st.booleans()), stylesheets=sheets), entries


@pytest.mark.parametrize("fmt", ["rss", "atom"])
@settings(max_examples=150, deadline=None)
@given(feed=feeds(), batch=st.integers(1, 4))
def test_random_entries_give_the_bytes_of_the_lxml_tree(
    fmt: str, feed: tuple[FeedMeta, list[Entry]], batch: int
) -> None:
    feed_meta, entries = feed
    with mock.patch.object(xml, "BATCH", batch):
        data = renderer(fmt)(feed_meta, entries)
    assert data == reference(fmt, feed_meta, entries)
    read_back(fmt, data, entries)


def read_back(fmt: str, data: bytes, entries: list[Entry]) -> None:
    """lxml reads every title and link as written (less the characters XML cannot carry);
    feedparser reads the feed without complaint."""
    root = etree.fromstring(data)
    if fmt == "rss":
        items = root.findall("channel/item")
        assert [i.findtext("title") for i in items] == [xml_text(e.article.title) for e in entries]
        assert [i.findtext("link") for i in items] == [xml_text(e.article.url) for e in entries]
    else:
        items = root.findall(A + "entry")
        assert [i.findtext(A + "title") for i in items] == [
            xml_text(e.article.title) for e in entries]
        hrefs = [i.find(A + "link[@rel='alternate']") for i in items]
        assert [h.get("href") if h is not None else "" for h in hrefs] == [
            xml_text(e.article.url) for e in entries]
    feedparser = pytest.importorskip("feedparser")
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) == len(entries)


# escaping, character by character -----------------------------------------------------------


def every_character() -> list[str]:
    """Every code point but surrogates, a few thousand to a string."""
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    return ["".join(chars[i : i + 4096]) for i in range(0, len(chars), 4096)]


def test_every_character_is_escaped_as_libxml2_escapes_it() -> None:
    for chunk in every_character():
        element = etree.Element("x", {"a": xml_text(chunk)})
        element.text = xml_text(chunk)
        written = etree.tostring(element, encoding="UTF-8").decode()
        assert written == f'<x a="{attr(chunk)}">{text(chunk)}</x>'


def test_xml_text_drops_only_unprintable_characters() -> None:
    """What lets text() and attr() skip xml_text on printable values."""
    for chunk in every_character():
        dropped = set(chunk) - set(xml_text(chunk))
        assert not any(c.isprintable() for c in dropped)


def test_empty_text_and_no_text_are_written_as_lxml_writes_them() -> None:
    empty = replace(article(0), summary="", content_html="", title="", authors=(Author(""),))
    for fmt in ("rss", "atom"):
        assert renderer(fmt)(meta(), [Entry(empty)]) == reference(fmt, meta(), [Entry(empty)])


# errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["rss", "atom"])
@pytest.mark.parametrize("field", ["title", "id", "authors"])
def test_an_item_that_is_not_text_is_a_render_error_naming_its_file(
    fmt: str, field: str
) -> None:
    value = (Author(7),) if field == "authors" else 7  # type: ignore[arg-type]
    broken = replace(article(3), **{field: value})
    entries = [Entry(a) for a in [article(0), article(1), broken]]
    with pytest.raises(TypeError):
        reference(fmt, meta(), entries)
    pieces = iter(chunk_renderer(fmt)(meta(), entries))
    assert next(pieces).startswith(b"<?xml")  # the head comes out before the items
    with pytest.raises(RenderError) as caught:
        list(pieces)
    assert (caught.value.feed, caught.value.source) == ("test", "content/post-3.md")


def test_a_naive_date_is_a_render_error_naming_its_file() -> None:
    naive = replace(article(2), published=datetime(2021, 11, 4, 3, 38))
    for fmt in ("rss", "atom"):
        with pytest.raises(RenderError) as caught:
            renderer(fmt)(meta(), [Entry(article(0)), Entry(naive)])
        assert caught.value.source == "content/post-2.md"
        with pytest.raises(ValueError):
            (rss._item if fmt == "rss" else atom._entry)(Entry(naive))
