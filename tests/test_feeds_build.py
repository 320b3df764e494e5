"""run_build: default feeds, determinism, write-only-on-change, per-name feeds with CJK
paths, bad articles left out, path collisions, limits and budgets, failed checks."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from feeds_support import NOW, article, articles, assert_valid_atom, collection, make_config, parse

from feeds.build import run_build
from feeds.errors import ConfigError, UsageError
from feeds.feedcheck import check_file
from feeds.models import Severity


def build(tmp_path: Path, items: list, feeds: list | None = None, **kw):  # type: ignore[no-untyped-def]
    config = make_config(tmp_path, feeds)
    return run_build(config, now=NOW, collection=collection(items), **kw)


def test_default_feeds_are_written_and_valid(tmp_path: Path) -> None:
    report = build(tmp_path, articles(3))
    out = tmp_path / "public"
    assert sorted(Path(p).name for p in report.written) == ["atom.xml", "feed.json", "rss.xml"]
    assert (report.unchanged, report.failed, report.problems) == ((), (), ())
    assert report.counts == {"files": 3, "articles": 3, "skipped": 0, "feeds": 3, "items": 9}
    for name in ("rss.xml", "atom.xml", "feed.json"):
        assert check_file(out / name) == []
    rss = parse((out / "rss.xml").read_bytes())
    assert rss.feed.title == "Example News" and len(rss.entries) == 3
    assert rss.feed.links[1].href == "https://news.example.org/rss.xml"  # atom:link self
    assert_valid_atom((out / "atom.xml").read_bytes())
    assert json.loads((out / "feed.json").read_text())["feed_url"] == (
        "https://news.example.org/feed.json"
    )
    assert report.exit_code == 0


def test_rebuild_is_byte_identical_and_leaves_files_alone(tmp_path: Path) -> None:
    first = build(tmp_path, articles(3))
    files = [Path(p) for p in first.written]
    before = {p: p.read_bytes() for p in files}
    for path in files:
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    second = build(tmp_path, articles(3))
    assert second.written == () and sorted(second.unchanged) == sorted(first.written)
    assert all(p.read_bytes() == before[p] for p in files)
    assert all(p.stat().st_mtime_ns == 1_000_000_000 for p in files)


def test_a_changed_article_rewrites_only_the_feeds_that_show_it(tmp_path: Path) -> None:
    feeds = [
        {"name": "all", "format": "atom", "path": "all.xml"},
        {"name": "tech", "format": "atom", "path": "tech.xml", "include": {"tags": ["tech"]}},
    ]
    items = [article(0, tags=("tech",)), article(1, tags=("news",))]
    build(tmp_path, items, feeds)
    edited = [items[0], replace(items[1], title="edited")]
    report = build(tmp_path, edited, feeds)
    assert [Path(p).name for p in report.written] == ["all.xml"]
    assert [Path(p).name for p in report.unchanged] == ["tech.xml"]


def test_per_category_feeds_with_cjk_slug_paths(tmp_path: Path) -> None:
    feeds = [{"name": "cat", "format": "atom", "path": "categories/{slug}/atom.xml",
              "per": "category", "title": "{name} | {site}"}]
    items = [article(0, categories=("新浪财经－国內",)),
             article(1, categories=("新浪财经-国內", "Tech"))]
    report = build(tmp_path, items, feeds)
    out = tmp_path / "public" / "categories"
    assert sorted(p.name for p in out.iterdir()) == ["tech", "新浪财经-国內"]
    data = (out / "新浪财经-国內" / "atom.xml").read_bytes()
    assert_valid_atom(data)
    feed = parse(data)
    assert feed.feed.title == "新浪财经－国內 | Example News"
    assert len(feed.entries) == 2
    self_link = next(link.href for link in feed.feed.links if link.rel == "self")
    assert self_link == (
        "https://news.example.org/categories/"
        "%E6%96%B0%E6%B5%AA%E8%B4%A2%E7%BB%8F-%E5%9B%BD%E5%85%A7/atom.xml"
    )
    assert report.counts["feeds"] == 2


def test_articles_without_a_required_field_are_reported_and_left_out(tmp_path: Path) -> None:
    items = [article(0), article(1, title=" "), article(2, url="/relative/")]
    report = build(tmp_path, items)
    assert [str(p) for p in report.problems] == [
        "content/post-1.md: title: missing; left out of the atom/rss feeds",
        "content/post-2.md: url: '/relative/' is not an absolute http(s) URL; "
        "left out of the atom/rss feeds",
    ]
    out = tmp_path / "public"
    assert len(parse((out / "rss.xml").read_bytes()).entries) == 1
    assert len(json.loads((out / "feed.json").read_text())["items"]) == 3
    assert report.exit_code == 0
    strict = build(tmp_path, items, strict=True)
    assert strict.exit_code == 1


def test_two_feeds_on_one_path_is_a_config_error(tmp_path: Path) -> None:
    feeds = [{"name": "a", "format": "rss", "path": "x.xml"},
             {"name": "b", "format": "atom", "path": "./x.xml"}]
    with pytest.raises(ConfigError) as caught:
        make_config(tmp_path, feeds)
    assert "feed path 'x.xml' is used by 2 entries" in str(caught.value)


@pytest.mark.parametrize(
    ("feed", "message"),
    [
        ({"path": "../x.xml"}, "feeds[0].path: expected a path inside the output directory"),
        ({"format": "rdf"}, "feeds[0].format: expected one of 'atom', 'json', 'rss'; got 'rdf'"),
        ({"per": "category"}, "needs {slug} in its path"),
        ({"path": "{slug}.xml"}, "{slug} in a path needs per: category, tag or author"),
        ({"format": "json", "archive": True}, "archive pages (RFC 5005) are written for atom"),
    ],
)
def test_bad_feed_specs_are_config_errors(tmp_path: Path, feed: dict, message: str) -> None:
    spec = {"name": "a", "format": "rss", "path": "a.xml", **feed}
    with pytest.raises(ConfigError) as caught:
        make_config(tmp_path, [spec])
    assert message in str(caught.value)


def test_an_expansion_colliding_with_a_feed_is_left_out(tmp_path: Path) -> None:
    feeds = [{"name": "fixed", "format": "rss", "path": "c/tech.xml"},
             {"name": "per", "format": "rss", "path": "c/{slug}.xml", "per": "category"}]
    report = build(tmp_path, [article(0, categories=("Tech",))], feeds)
    assert [str(p) for p in report.problems] == [
        "c/tech.xml: path: per/tech and fixed both write this file; per/tech was left out"
    ]


def test_limit_override_and_limit_zero(tmp_path: Path) -> None:
    items = articles(60)
    feeds = [{"name": "s", "format": "json", "path": "s.json", "content": "summary",
              "limit": 10}]
    build(tmp_path, items, feeds)
    data = json.loads((tmp_path / "public" / "s.json").read_text())
    assert len(data["items"]) == 10 and "content_html" not in data["items"][0]
    build(tmp_path, items, feeds, limit=3)
    assert len(json.loads((tmp_path / "public" / "s.json").read_text())["items"]) == 3
    build(tmp_path, items, feeds, limit=0)  # all, full content, no budget
    data = json.loads((tmp_path / "public" / "s.json").read_text())
    assert len(data["items"]) == 60 and "content_html" in data["items"][-1]


def test_budget_warning_is_reported(tmp_path: Path) -> None:
    big = "<p>" + "长三角一体化发展。" * 600 + "</p>"
    feeds = [{"name": "r", "format": "rss", "path": "r.xml", "max_bytes": 60_000}]
    report = build(tmp_path, articles(20, content_html=big), feeds)
    (problem,) = report.problems
    assert (problem.path, problem.field, problem.severity) == ("r.xml", "max_bytes",
                                                                Severity.WARNING)
    assert (tmp_path / "public" / "r.xml").stat().st_size <= 60_000
    assert report.exit_code == 0 and build(tmp_path, articles(1), feeds, limit=0).problems == ()


def test_a_feed_failing_its_check_keeps_the_old_file(tmp_path: Path) -> None:
    feeds = [{"name": "r", "format": "rss", "path": "r.xml"}]
    build(tmp_path, articles(2), feeds)
    old = (tmp_path / "public" / "r.xml").read_bytes()
    twins = [article(0), article(1, id=article(0).id)]  # one guid twice: readers merge them
    report = build(tmp_path, twins, feeds)
    assert report.failed == (str(tmp_path / "public" / "r.xml"),)
    assert (tmp_path / "public" / "r.xml").read_bytes() == old
    (problem,) = report.problems
    assert problem.message.startswith("failed its check, the old file was kept: guid ")
    assert report.exit_code == 1


def test_only_builds_the_named_feeds(tmp_path: Path) -> None:
    report = build(tmp_path, articles(1), only=["atom"])
    assert [Path(p).name for p in report.written] == ["atom.xml"]
    with pytest.raises(UsageError, match="no feed named 'nope'"):
        build(tmp_path, articles(1), only=["nope"])


def test_empty_collection_still_gives_valid_feeds(tmp_path: Path) -> None:
    report = build(tmp_path, [])
    assert len(report.written) == 3 and report.failed == ()
    feed = parse((tmp_path / "public" / "atom.xml").read_bytes())
    assert feed.feed.updated == "1970-01-01T00:00:00Z" and feed.entries == []


def test_a_naive_date_is_reported_not_a_crash(tmp_path: Path) -> None:
    from datetime import datetime

    report = build(tmp_path, [article(0), article(1, updated=datetime(2021, 11, 4, 3, 0))])
    assert [str(p) for p in report.problems] == [
        "content/post-1.md: date: updated: date 2021-11-04T03:00:00 has no timezone; "
        "left out of the atom/json/rss feeds"
    ]
    assert report.failed == () and len(report.written) == 3


def test_atom_renders_first_for_the_checker_but_files_publish_in_job_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import feeds.build

    rendered: list[str] = []
    real = feeds.build._render

    def recording(config, job, *rest):  # type: ignore[no-untyped-def]
        rendered.append(job.spec.format)
        return real(config, job, *rest)

    monkeypatch.setattr(feeds.build, "_render", recording)
    report = build(tmp_path, articles(3))
    assert rendered == ["atom", "rss", "json"]  # slowest to check first: the checker's share
    assert [Path(p).name for p in report.written] == ["rss.xml", "atom.xml", "feed.json"]
