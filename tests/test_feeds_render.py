"""Renderers: every field read back with feedparser, Atom against RFC 4287, the feedgen
1.0.0 defects each pinned, control characters, determinism and speed."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

import pytest
from feeds_support import BASE, article, articles, assert_valid_atom, parse, render
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from feeds.models import Thumbnail
from feeds.render import FORMATS, Link

MEDIA = "{http://search.yahoo.com/mrss/}"
ATOM = "{http://www.w3.org/2005/Atom}"


def test_rss_reads_back_with_every_field() -> None:
    data = render("rss", articles(2), icon="https://news.example.org/icon.png")
    feed = parse(data)
    assert feed.version == "rss20"
    assert feed.feed.title == "Example News"
    assert feed.feed.link == "https://news.example.org/"
    assert feed.feed.subtitle == "News for tests"
    assert feed.feed.language == "zh-CN"
    assert feed.feed.image.href == "https://news.example.org/icon.png"
    assert feed.feed.updated == "Thu, 04 Nov 2021 04:08:02 +0000"  # newest item, not now
    assert feed.feed.generator == "feeds"
    first = feed.entries[0]
    assert first.title == "浙江：借势长三角 0 & <co>"
    assert first.link == "https://news.example.org/2021/11/04/post-0/"
    assert first.id == first.link
    assert etree.fromstring(data).find("channel/item/guid").get("isPermaLink") == "true"
    assert first.published == "Thu, 04 Nov 2021 03:38:02 +0000"
    assert first.summary == "第 0 篇的摘要。a &lt; b &amp; c"  # HTML that shows a < b & c
    assert first.content[0].value.startswith("<p>正文 0 <a href=")
    assert first.author == "新浪财经"
    assert [t.term for t in first.tags] == ["金融", "新浪财经－国內", "长三角"]
    assert first.media_thumbnail == [
        {"url": "https://img.example.org/0.png", "width": "640", "height": "360"}
    ]
    assert first.media_content[0]["medium"] == "image"
    assert first.enclosures == [
        {"href": "https://img.example.org/0.png", "length": "12345", "type": "image/png"}
    ]


def test_rss_guid_is_a_permalink_only_when_it_is_the_url() -> None:
    item = article(0, id="urn:uuid:6f1c")
    root = etree.fromstring(render("rss", [item]))
    guid = root.find("channel/item/guid")
    assert (guid.text, guid.get("isPermaLink")) == ("urn:uuid:6f1c", "false")


def test_atom_reads_back_with_every_field_and_matches_rfc4287() -> None:
    data = render("atom", articles(2), icon="https://news.example.org/i.png",
                  logo="https://news.example.org/logo.png")
    assert_valid_atom(data)
    feed = parse(data)
    assert feed.version == "atom10"
    assert feed.feed.id == "https://news.example.org/feed.xml"
    assert feed.feed.title == "Example News"
    assert feed.feed.updated == "2021-11-04T04:08:02Z"
    assert feed.feed.author == "Example News"
    assert {(link.rel, link.href) for link in feed.feed.links} == {
        ("alternate", "https://news.example.org/"),
        ("self", "https://news.example.org/feed.xml"),
    }
    assert feed.feed.icon == "https://news.example.org/i.png"
    assert feed.feed.logo == "https://news.example.org/logo.png"
    first = feed.entries[0]
    assert first.id == "https://news.example.org/2021/11/04/post-0/"
    assert first.title == "浙江：借势长三角 0 & <co>"
    assert first.published == "2021-11-04T03:38:02Z"
    assert first.updated == "2021-11-04T04:08:02Z"
    assert first.summary == "第 0 篇的摘要。a < b & c"
    assert first.content[0].type == "text/html"
    assert first.content[0].value.startswith("<p>正文 0")
    assert [(t.term, t.label) for t in first.tags] == [
        ("金融", "金融"), ("新浪财经-国內", "新浪财经－国內"), ("长三角", "长三角")
    ]
    assert first.author == "新浪财经"
    assert first.link == "https://news.example.org/2021/11/04/post-0/"
    assert first.media_thumbnail[0]["url"] == "https://img.example.org/0.png"


def test_json_feed_has_every_field() -> None:
    feed = json.loads(render("json", articles(2), links=(Link("hub", "https://hub.example/"),)))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["home_page_url"] == "https://news.example.org/"
    assert feed["feed_url"] == "https://news.example.org/feed.xml"
    assert feed["authors"] == [{"name": "Example News"}]
    assert feed["language"] == "zh-CN"
    assert feed["hubs"] == [{"type": "WebSub", "url": "https://hub.example/"}]
    first = feed["items"][0]
    assert first == {
        "id": "https://news.example.org/2021/11/04/post-0/",
        "url": "https://news.example.org/2021/11/04/post-0/",
        "title": "浙江：借势长三角 0 & <co>",
        "content_html": '<p>正文 0 <a href="https://ex.org/?a=1&amp;b=2">link</a></p>',
        "summary": "第 0 篇的摘要。a < b & c",
        "image": "https://img.example.org/0.png",
        "date_published": "2021-11-04T03:38:02Z",
        "date_modified": "2021-11-04T04:08:02Z",
        "authors": [{"name": "新浪财经"}],
        "tags": ["金融", "新浪财经－国內", "长三角"],
        "language": "zh-CN",
    }


def test_summary_only_entries_carry_no_full_content() -> None:
    rss = etree.fromstring(render("rss", [article()], full=False))
    assert rss.find("channel/item/{http://purl.org/rss/1.0/modules/content/}encoded") is None
    atom = render("atom", [article()], full=False)
    assert_valid_atom(atom)
    assert etree.fromstring(atom).find(f"{ATOM}entry/{ATOM}content") is None
    item = json.loads(render("json", [article()], full=False))["items"][0]
    assert item["content_text"] == item["summary"] and "content_html" not in item


# feedgen 1.0.0 defects, each pinned against our output -----------------------------------


def test_atom_enclosure_keeps_rel_type_and_length() -> None:
    """feedgen 1.0.0 drops them, turning the enclosure into a second alternate link."""
    entry = etree.fromstring(render("atom", [article()])).find(f"{ATOM}entry")
    links = [dict(link.attrib) for link in entry.findall(f"{ATOM}link")]
    assert links == [
        {"rel": "alternate", "type": "text/html",
         "href": "https://news.example.org/2021/11/04/post-0/"},
        {"rel": "enclosure", "href": "https://img.example.org/0.png", "type": "image/png",
         "length": "12345"},
    ]


def test_single_thumbnail_is_not_wrapped_in_media_group() -> None:
    for fmt in ("rss", "atom"):
        root = etree.fromstring(render(fmt, [article()]))
        assert root.find(f".//{MEDIA}group") is None
        assert len(root.findall(f".//{MEDIA}thumbnail")) == 1


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_entries_keep_the_given_order(fmt: str) -> None:
    """feedgen prepends by default; entries must come out newest first as given."""
    given = [article(3), article(1), article(2)]
    data = render(fmt, given)
    ids = ([i["id"] for i in json.loads(data)["items"]] if fmt == "json"
           else [e.id for e in parse(data).entries])
    assert ids == [a.id for a in given]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_dates_come_from_the_articles_never_the_clock(fmt: str) -> None:
    """feedgen stamps now() on the feed and every entry unless told otherwise."""
    items = articles(3)
    data = render(fmt, items)
    root = etree.fromstring(data)
    tags = ("updated", "published", "pubDate", "lastBuildDate")
    found = {el.text for el in root.iter() if etree.QName(el).localname in tags}
    from feeds.render.text import rfc822, rfc3339

    allowed = {f(d) for a in items for d in (a.published, a.updated) for f in (rfc822, rfc3339)}
    assert found and found <= allowed
    assert render(fmt, items) == data


def test_empty_feed_uses_the_given_date() -> None:
    data = render("rss", [], updated=BASE)
    assert parse(data).feed.updated == "Thu, 04 Nov 2021 03:38:02 +0000"


def test_rss_keeps_atom_links_other_than_self() -> None:
    """feedgen's RSS output keeps only rel=self; hub and archive links must survive."""
    links = (Link("hub", "https://hub.example/"), Link("prev-archive", "https://n.org/a/1.xml"))
    root = etree.fromstring(render("rss", [article()], links=links))
    rels = [(a.get("rel"), a.get("href")) for a in root.iter(f"{ATOM}link")]
    assert rels == [
        ("self", "https://news.example.org/feed.xml"),
        ("hub", "https://hub.example/"),
        ("prev-archive", "https://n.org/a/1.xml"),
    ]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_naive_date_is_an_error_naming_the_feed_and_the_source_file(fmt: str) -> None:
    """feedgen raises a bare ValueError that says neither which feed nor which entry."""
    from feeds.render import RenderError

    broken = article(0, published=datetime(2021, 11, 4, 3, 38))
    with pytest.raises(RenderError) as caught:
        render(fmt, [article(1), broken])
    assert str(caught.value) == (
        "test: content/post-0.md: published: date 2021-11-04T03:38:00 has no timezone"
    )


# characters --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_only_xml_forbidden_characters_are_removed(fmt: str) -> None:
    dirty = article(0, title="a\x0bb\tc\x00d", summary="line1\nline2\x1f", content_html=(
        "<pre>x\ty\nz\x08</pre><p>&#1;&#x1F;&#9;&#x85;</p>"))
    data = render(fmt, [dirty])
    feed = parse(data)
    assert feed.entries[0].title == "ab\tcd"
    assert "line1\nline2" in feed.entries[0].summary
    body = feed.entries[0].content[0].value
    assert "x\ty\nz</pre>" in body and "&#1;" not in body and "&#x1F;" not in body
    assert "&#9;" in body or "\t" in body  # a tab reference is allowed


def test_cjk_and_emoji_pass_unchanged() -> None:
    text = "新浪财经－国內 ＡＢＣ 🙂 \u3000段落"
    feed = parse(render("atom", [article(0, title=text)]))
    assert feed.entries[0].title == text


def test_thumbnail_type_is_guessed_from_the_url_when_not_declared() -> None:
    thumb = Thumbnail("https://img.example.org/x.jpeg?w=1")
    feed = parse(render("rss", [article(0, thumbnail=thumb)]))
    assert feed.entries[0].enclosures[0]["type"] == "image/jpeg"
    assert feed.entries[0].enclosures[0]["length"] == "0"


def test_unknown_sizes_are_left_out_not_zero() -> None:
    thumb = Thumbnail("https://img.example.org/x.png", width=0, height=None)
    for fmt in ("rss", "atom"):
        found = etree.fromstring(render(fmt, [article(0, thumbnail=thumb)])).find(
            f".//{MEDIA}thumbnail"
        )
        assert dict(found.attrib) == {"url": "https://img.example.org/x.png"}


def test_thumbnail_of_unknown_type_has_no_enclosure() -> None:
    feed = parse(render("rss", [article(0, thumbnail=Thumbnail("https://img.example.org/x"))]))
    assert not feed.entries[0].enclosures
    assert feed.entries[0].media_thumbnail[0]["url"] == "https://img.example.org/x"


def test_thousands_of_items_render_complete_and_in_order() -> None:
    """Large feeds keep every item in the given order (speed is measured in bench/)."""
    many = [replace(article(i % 50), id=f"urn:x:{i}") for i in range(2_000)]
    for fmt in ("atom", "rss"):  # feedparser 6 cannot read JSON Feed
        feed = parse(render(fmt, many))
        assert [e.id for e in feed.entries] == [a.id for a in many], fmt


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_any_text_makes_a_well_formed_feed_keeping_every_allowed_character(text: str) -> None:
    item = article(0, title="t" + text, summary=text, content_html=text)
    for fmt in ("rss", "atom"):
        root = etree.fromstring(render(fmt, [item]))  # raises if not well-formed
        title = next(e.text for e in root.iter() if etree.QName(e).localname == "title"
                     and e.getparent() is not None
                     and etree.QName(e.getparent()).localname in ("item", "entry"))
        allowed = "".join(
            c for c in text if c in "\t\n\r" or (0x20 <= ord(c) <= 0xD7FF)
            or (0xE000 <= ord(c) <= 0xFFFD) or ord(c) >= 0x10000
        )
        assert title == "t" + allowed
