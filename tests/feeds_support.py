"""Shared helpers for the feed tests: hand-made articles, configs, read-back parsers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import feedparser
import pytest
from hypothesis import strategies as st
from lxml import etree

from feeds.config import Config, default_config
from feeds.content.collect import Collection
from feeds.models import Article, Author, Thumbnail
from feeds.render import Entry, FeedMeta, renderer

DATA = Path(__file__).parent / "data" / "feeds"
SCHEMA = Path(__file__).parents[1] / "feeds" / "schemas" / "atom-rfc4287.rng"
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
BASE = datetime(2021, 11, 4, 3, 38, 2, tzinfo=UTC)
SITE = {"url": "https://news.example.org/", "title": "Example News", "language": "zh-CN",
        "description": "News for tests"}


def article(number: int = 0, **changes: Any) -> Article:
    """A complete article; ``number`` makes it distinct and one hour older per step."""
    when = BASE - timedelta(hours=number)
    url = f"https://news.example.org/2021/11/04/post-{number}/"
    made = Article(
        id=url,
        url=url,
        title=f"浙江：借势长三角 {number} & <co>",
        published=when,
        updated=when + timedelta(minutes=30),
        authors=(Author("新浪财经"),),
        categories=("金融", "新浪财经－国內"),
        tags=("长三角",),
        summary=f"第 {number} 篇的摘要。a < b & c",
        content_html=f"<p>正文 {number} <a href=\"https://ex.org/?a=1&amp;b=2\">link</a></p>",
        thumbnail=Thumbnail(f"https://img.example.org/{number}.png", "image/png", 640, 360,
                            "示意图", 12345),
        language="zh-CN",
        source_path=f"content/post-{number}.md",
        slug=f"post-{number}",
    )
    return replace(made, **changes)


def articles(count: int, **changes: Any) -> list[Article]:
    return [article(i, **changes) for i in range(count)]


def meta(**changes: Any) -> FeedMeta:
    made = FeedMeta(
        name="test",
        title="Example News",
        description="News for tests",
        home_url="https://news.example.org/",
        self_url="https://news.example.org/feed.xml",
        language="zh-CN",
        updated=BASE,
        authors=(Author("Example News"),),
    )
    return replace(made, **changes)


def render(fmt: str, items: Sequence[Article], full: bool = True, **meta_changes: Any) -> bytes:
    return renderer(fmt)(meta(**meta_changes), [Entry(a, full) for a in items])


def parse(data: bytes) -> Any:
    """feedparser's reading of a feed; fails the test on any bozo."""
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


@cache
def atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMA)))


def assert_valid_atom(data: bytes) -> None:
    schema = atom_schema()
    ok = schema.validate(etree.fromstring(data).getroottree())
    assert ok, [str(e) for e in schema.error_log]


def make_config(tmp_path: Path, feeds: list[dict[str, Any]] | None = None, **extra: Any) -> Config:
    overrides: dict[str, Any] = {"site": dict(SITE), "output": str(tmp_path / "public"), **extra}
    if feeds is not None:
        overrides["feeds"] = feeds
    return default_config(overrides, base_dir=tmp_path)


def collection(items: Sequence[Article]) -> Collection:
    return Collection(tuple(items), (), (), len(items))


@pytest.fixture
def shared() -> Path:
    """/work/shared (next to the repository); tests using it skip when it is absent."""
    path = Path(__file__).resolve().parents[2] / "shared"
    if not path.is_dir():
        pytest.skip("the shared folder is not available")
    return path


def drawn_article(
    draw: Any, number: int, *, urls: Any, texts: Any, dates: Any, thumbnails: Any,
    categories: Any = None, languages: Any = None,
) -> Article:
    """An article with every field drawn, for renderer tests that compare two writers:
    hypothesis strategies for the URL, the texts, (published, updated), the thumbnail, and
    optionally the categories (default: texts) and the language (default: ``article``'s)."""
    url = draw(urls)
    published, updated = draw(dates)
    maybe = st.one_of(st.none(), st.just(""), texts)
    changes: dict[str, Any] = {}
    if languages is not None:
        changes["language"] = draw(languages)
    return replace(
        article(number),
        id=draw(st.one_of(st.just(url), texts)),
        url=url,
        title=draw(texts),
        published=published,
        updated=updated,
        authors=tuple(draw(st.lists(st.builds(Author, texts, maybe, maybe), max_size=2))),
        categories=tuple(draw(st.lists(texts if categories is None else categories,
                                       max_size=3))),
        tags=tuple(draw(st.lists(texts, max_size=2))),
        summary=draw(texts),
        content_html=draw(st.one_of(st.just(""), texts)),
        thumbnail=draw(st.one_of(st.none(), thumbnails)),
        **changes,
    )
