"""Feeds whose inputs did not change are not rendered again, and that never changes output."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from feeds_support import NOW, article, collection, make_config

import feeds.render.feed
from feeds.build import run_build
from feeds.buildreport import BuildReport
from feeds.models import Article

FEEDS = [
    {"name": "all", "format": "atom", "path": "all.xml", "limit": 3},
    {"name": "cat", "format": "rss", "path": "c/{slug}.xml", "per": "category", "limit": 3},
    {"name": "none", "format": "json", "path": "none.json", "include": {"tags": ["nothing"]}},
]


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The jobs rendered, by feed path, as builds go."""
    seen: list[str] = []
    real = feeds.render.feed.render_job

    def spy(config: Any, job: Any, **kw: Any) -> Any:
        seen.append(job.path)
        return real(config, job, **kw)

    monkeypatch.setattr(feeds.render.feed, "render_job", spy)
    return seen


def site() -> list[Article]:
    """Six articles, newest first, in two categories."""
    return [article(n, categories=("甲",) if n % 2 else ("乙",)) for n in range(6)]


def build(root: Path, items: Sequence[Article], **extra: Any) -> BuildReport:
    config = make_config(root, FEEDS, state=str(root / "state"), **extra)
    return run_build(config, now=NOW, collection=collection(items))


def outputs(root: Path) -> dict[str, bytes]:
    out = root / "public"
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_an_unchanged_feed_is_not_rendered_again(tmp_path: Path, rendered: list[str]) -> None:
    first = build(tmp_path, site())
    assert sorted(rendered) == ["all.xml", "c/乙.xml", "c/甲.xml", "none.json"]
    rendered.clear()
    items = site()
    items[5] = article(5, categories=("甲",), title="改了")  # old: only its category shows it
    again = build(tmp_path, items)
    assert rendered == ["c/甲.xml"]
    assert again.counts == first.counts and again.problems == first.problems
    assert sorted(again.written) == [str(tmp_path / "public" / "c" / "甲.xml")]
    assert len(again.unchanged) == len(first.written) - 1
    fresh = tmp_path / "fresh"
    build(fresh, items)
    assert outputs(tmp_path) == outputs(fresh)


def test_a_feed_left_empty_follows_the_newest_article(tmp_path: Path, rendered: list[str]) -> None:
    build(tmp_path, site())
    rendered.clear()
    newer = [article(-1, categories=("乙",)), *site()]  # changes the date an empty feed shows
    build(tmp_path, newer)
    assert "none.json" in rendered and "c/甲.xml" not in rendered
    fresh = tmp_path / "fresh"
    build(fresh, newer)
    assert outputs(tmp_path) == outputs(fresh)


def test_a_file_changed_or_removed_by_someone_else_is_rendered_again(
    tmp_path: Path, rendered: list[str]
) -> None:
    build(tmp_path, site())
    before = outputs(tmp_path)
    (tmp_path / "public" / "all.xml").write_bytes(b"tampered")
    (tmp_path / "public" / "c" / "乙.xml").unlink()
    rendered.clear()
    report = build(tmp_path, site())
    assert sorted(rendered) == ["all.xml", "c/乙.xml"]
    assert len(report.written) == 2 and outputs(tmp_path) == before


def test_warnings_of_a_remembered_feed_are_reported_again(
    tmp_path: Path, rendered: list[str]
) -> None:
    big = [article(n, content_html="<p>" + "长" * 4000 + "</p>") for n in range(6)]
    feeds = [{"name": "all", "format": "atom", "path": "all.xml", "max_bytes": 10_000}]
    config = make_config(tmp_path, feeds, state=str(tmp_path / "state"))
    first = run_build(config, now=NOW, collection=collection(big))
    assert [p.field for p in first.problems] == ["max_bytes"]
    rendered.clear()
    again = run_build(config, now=NOW, collection=collection(big))
    assert rendered == [] and again.problems == first.problems
    assert again.counts == first.counts


def test_settings_and_program_are_part_of_what_a_feed_depends_on(
    tmp_path: Path, rendered: list[str]
) -> None:
    build(tmp_path, site())
    rendered.clear()
    build(tmp_path, site(), websub={"hub": "https://hub.example.org/"})
    assert len(rendered) == 4  # the hub link is in every feed
    rendered.clear()
    memo = tmp_path / "state" / "render-memo.json"
    memo.write_text(memo.read_text().replace('"key": "', '"key": "x'), encoding="utf-8")
    build(tmp_path, site(), websub={"hub": "https://hub.example.org/"})
    assert len(rendered) == 4  # keys of another program (or another anything) never match
    os.remove(memo)
    rendered.clear()
    build(tmp_path, site(), websub={"hub": "https://hub.example.org/"})
    assert len(rendered) == 4


def test_building_only_some_feeds_keeps_what_is_known_of_the_others(
    tmp_path: Path, rendered: list[str]
) -> None:
    config = make_config(tmp_path, FEEDS, state=str(tmp_path / "state"))
    run_build(config, now=NOW, collection=collection(site()))
    run_build(config, now=NOW, collection=collection(site()), only=["all"])
    rendered.clear()
    again = run_build(config, now=NOW, collection=collection(site()))
    assert rendered == [] and again.written == ()


def test_a_memo_that_cannot_be_written_does_not_fail_the_build(tmp_path: Path) -> None:
    (tmp_path / "state").write_text("a file where the state folder should be")
    report = build(tmp_path, site())
    assert report.exit_code == 0 and len(report.written) == 4
