"""Selection: filters by name (NFKC, any case) and source glob, order, limit, per-name groups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from feeds_support import BASE, article
from hypothesis import given
from hypothesis import strategies as st

from feeds.config.sections.feeds import FeedSpec
from feeds.models import Author, sort_newest_first
from feeds.render.select import groups, select, source_matches


def spec(**values: Any) -> FeedSpec:
    return FeedSpec.model_validate({"name": "f", "format": "rss", "path": "f.xml", **values})


def ids(items: list[Any]) -> list[str]:
    return [a.slug for a in items]


POOL = [
    article(0, categories=("新浪财经－国內",), tags=("Python",), source_path="content/news/a.md"),
    article(1, categories=("Tech",), tags=("python", "AI"), authors=(Author("Zoë Ng"),),
            source_path="content/blog/b.md"),
    article(2, categories=("新浪财经-国內", "Tech"), tags=(), source_path="content/news/2021/c.md"),
]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"include": {"categories": ["新浪财经-国內"]}}, ["post-0", "post-2"]),  # full-width dash
        ({"include": {"categories": ["TECH"]}}, ["post-1", "post-2"]),
        ({"include": {"tags": ["PYTHON"]}}, ["post-0", "post-1"]),
        ({"include": {"authors": ["zoë ng"]}}, ["post-1"]),
        ({"include": {"authors": ["ZOË NG"]}, "exclude": {"tags": ["ai"]}}, []),
        ({"include": {"sources": ["news/**"]}}, ["post-0", "post-2"]),
        ({"exclude": {"sources": ["content/blog/*"]}}, ["post-0", "post-2"]),
        ({"exclude": {"categories": ["ｔｅｃｈ"]}}, ["post-0"]),  # full-width letters
        ({}, ["post-0", "post-1", "post-2"]),
    ],
)
def test_filters(rule: dict[str, Any], expected: list[str]) -> None:
    assert ids(select(POOL, spec(**rule))) == expected


def test_order_by_updated_then_id_and_limit() -> None:
    old_but_edited = article(5, updated=BASE + timedelta(days=3))
    pool = [article(0), article(1), old_but_edited]
    assert ids(select(pool, spec(order="updated"))) == ["post-5", "post-0", "post-1"]
    assert ids(select(pool, spec(order="published"))) == ["post-0", "post-1", "post-5"]
    assert ids(select(pool, spec(limit=2))) == ["post-0", "post-1"]
    assert ids(select(pool, spec(limit=2), limit=0)) == ["post-0", "post-1", "post-5"]
    assert ids(select(pool, spec(limit=0))) == ["post-0", "post-1", "post-5"]


def test_same_date_is_ordered_by_id() -> None:
    pool = [article(0, id="urn:b", slug="b"), article(0, id="urn:a", slug="a")]
    assert ids(select(pool, spec())) == ["a", "b"]


def test_groups_merge_spellings_and_keep_cjk_slugs() -> None:
    found = groups(POOL, "category")
    assert [(g.name, g.slug, ids(list(g.articles))) for g in found] == [
        ("新浪财经－国內", "新浪财经-国內", ["post-0", "post-2"]),
        ("Tech", "tech", ["post-1", "post-2"]),
    ]


def test_groups_by_tag_and_author() -> None:
    assert [g.slug for g in groups(POOL, "tag")] == ["python", "ai"]
    assert [g.name for g in groups(POOL, "author")] == ["新浪财经", "Zoë Ng"]


def test_source_globs_match_content_relative_tails() -> None:
    assert source_matches("content/news/2021/c.md", "news/**")
    assert source_matches("content/news/a.md", "*.md")
    assert not source_matches("content/blog/b.md", "news/*")


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(-12, 14), st.sampled_from("abc")),
                max_size=30))
def test_newest_first_is_date_descending_then_id_whatever_the_offsets(
    rows: list[tuple[int, int, str]],
) -> None:
    base = datetime(2026, 11, 1, tzinfo=UTC)
    items = [
        article(n, id=f"{letter}{n % 3}",
                published=(base + timedelta(hours=hour)).astimezone(timezone(timedelta(hours=off))),
                updated=base - timedelta(hours=hour))
        for n, (hour, off, letter) in enumerate(rows)
    ]
    for order in ("published", "updated"):
        expected = sorted(items, key=lambda a: (-getattr(a, order).timestamp(), a.id))
        got = list(items)
        sort_newest_first(got, order)
        assert [(a.id, getattr(a, order)) for a in got] == [
            (a.id, getattr(a, order)) for a in expected
        ]
