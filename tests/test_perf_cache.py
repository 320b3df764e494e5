"""The build cache and the build stamp: faster rebuilds, never different output."""

from __future__ import annotations

import concurrent.futures
import os
import pickle
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from feeds.build import run_build
from feeds.config import Config, default_config
from feeds.content.cache import bucket_of
from feeds.content.collect import Collection, ProgressFactory, collect
from feeds.models import Article

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
POST = """---
title: {title}
date: 2026-11-{day:02d} 08:00:00
categories: [news]
tags: [t{day}]
---

<div><p>　　作者：小记者</p><p>第{day}篇正文，讲一件事。</p><style>.x&#123;color:red&#125;</style>
<div class="promo">扫码关注我们的公众号，获取更多资讯</div></div>
"""


def write_site(root: Path, days: range = range(1, 9)) -> Path:
    content = root / "content"
    content.mkdir(parents=True, exist_ok=True)
    for day in days:
        (content / f"post-{day}.md").write_text(
            POST.format(title=f"第{day}篇", day=day), encoding="utf-8"
        )
    return content


def config_for(root: Path, state: str = "state", **extra: object) -> Config:
    return default_config(
        {
            "site": {"url": "https://example.com/", "timezone": "Asia/Shanghai"},
            "content": {"dirs": [str(root / "content")]},
            "output": str(root / "out"),
            "state": str(root / state),
            **extra,
        }
    )


def outputs(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def mtimes(folder: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def phase_recorder() -> tuple[list[tuple[str, int]], ProgressFactory]:
    """A progress factory that records (label, total) of each phase shown, and that list."""
    seen: list[tuple[str, int]] = []

    @contextmanager
    def recording(total: int, label: str) -> Iterator[Callable[[int], None]]:
        seen.append((label, total))
        yield lambda n=1: None

    return seen, recording


def test_cached_collection_equals_a_fresh_one(tmp_path: Path) -> None:
    write_site(tmp_path)
    config = config_for(tmp_path)
    fresh = collect(config, now=NOW, use_cache=False)
    collect(config, now=NOW)  # fills the cache
    assert (config.state / "cache.sqlite").is_file()
    cached = collect(config, now=NOW)
    assert cached.articles == fresh.articles
    assert cached.problems == fresh.problems
    assert cached.hints == fresh.hints


def test_one_changed_file_is_read_again_and_the_rest_come_from_the_cache(tmp_path: Path) -> None:
    content = write_site(tmp_path)
    config = config_for(tmp_path)
    before = collect(config, now=NOW)
    changed = content / "post-3.md"
    changed.write_text(POST.format(title="第3篇（更新）", day=3), encoding="utf-8")
    after = collect(config, now=NOW)
    assert after.articles == collect(config, now=NOW, use_cache=False).articles
    titles = {a.source_path.rsplit("/", 1)[-1]: a.title for a in after.articles}
    assert titles["post-3.md"] == "第3篇（更新）"
    unchanged = [a for a in after.articles if not a.source_path.endswith("post-3.md")]
    assert unchanged == [a for a in before.articles if not a.source_path.endswith("post-3.md")]


def test_a_new_cache_keeps_a_cleaned_article_on_one_page(tmp_path: Path) -> None:
    """16 KB pages: a row of cleaned HTML fits one page instead of spilling onto overflow
    pages; an existing cache keeps the page size it was made with, and stays usable."""
    write_site(tmp_path)
    config = config_for(tmp_path)
    old = config.state / "cache.sqlite"
    old.parent.mkdir(parents=True)
    with sqlite3.connect(old) as db:
        db.execute("PRAGMA page_size=4096")
        db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)")
    fresh = collect(config, now=NOW, use_cache=False)
    assert collect(config, now=NOW).articles == fresh.articles
    assert _page_size(config) == 4096
    assert collect(config, now=NOW).articles == fresh.articles  # from that cache
    for suffix in ("", "-wal", "-shm"):
        Path(f"{old}{suffix}").unlink(missing_ok=True)
    collect(config, now=NOW)
    assert _page_size(config) == 16384


def _page_size(config: Config) -> int:
    with sqlite3.connect(config.state / "cache.sqlite") as db:
        return int(db.execute("PRAGMA page_size").fetchone()[0])


def _buckets(config: Config) -> dict[int, bytes]:
    with sqlite3.connect(config.state / "cache.sqlite") as db:
        return dict(db.execute("SELECT bucket, blob FROM buckets"))


def test_one_changed_file_rewrites_only_the_bucket_holding_its_record(tmp_path: Path) -> None:
    content = write_site(tmp_path, days=range(1, 29))
    config = config_for(tmp_path)
    collect(config, now=NOW)
    collect(config, now=NOW)  # learning settled: nothing more to store
    before = _buckets(config)
    assert sum(len(pickle.loads(blob)) for blob in before.values()) == 28
    changed = content / "post-3.md"
    changed.write_text(POST.format(title="第3篇（更新）", day=3), encoding="utf-8")
    collect(config, now=NOW)
    after = _buckets(config)
    assert after.keys() == before.keys()
    rewritten = [b for b in after if after[b] != before[b]]
    assert rewritten == [bucket_of(str(changed))]
    assert pickle.loads(after[rewritten[0]])[str(changed)][1].meta.title == "第3篇（更新）"


def test_a_stale_cleaning_outcome_is_never_used(tmp_path: Path) -> None:
    """A file edited while no feed showed it keeps an old outcome row: its key no longer
    matches, so when a feed shows it again it is cleaned anew."""
    content = write_site(tmp_path)
    config = config_for(tmp_path)
    collect(config, now=NOW)
    changed = content / "post-2.md"
    changed.write_text(POST.format(title="第2篇", day=2).replace("讲一件事", "讲另一件事"),
                       encoding="utf-8")
    collect(config, now=NOW, clean_only=lambda index: set())  # read, not cleaned
    after = collect(config, now=NOW)
    body = next(a for a in after.articles if a.source_path.endswith("post-2.md")).content_html
    assert "讲另一件事" in body
    assert after.articles == collect(config, now=NOW, use_cache=False).articles


def test_a_removed_file_leaves_the_collection_and_the_cache(tmp_path: Path) -> None:
    content = write_site(tmp_path)
    config = config_for(tmp_path)
    collect(config, now=NOW)
    (content / "post-5.md").unlink()
    after = collect(config, now=NOW)
    assert len(after.articles) == 7
    with sqlite3.connect(config.state / "cache.sqlite") as db:
        cleaned = [row[0] for row in db.execute("SELECT path FROM results")]
        recorded = [p for (blob,) in db.execute("SELECT blob FROM buckets")
                    for p in pickle.loads(blob)]
    assert len(cleaned) == len(recorded) == 7
    assert not any(p.endswith("post-5.md") for p in cleaned + recorded)


def test_a_corrupt_cache_is_discarded_with_a_warning(tmp_path: Path) -> None:
    write_site(tmp_path)
    config = config_for(tmp_path)
    expected = collect(config, now=NOW, use_cache=False).articles
    config.state.mkdir(parents=True)
    (config.state / "cache.sqlite").write_bytes(b"this is not a database" * 100)
    result = collect(config, now=NOW)
    assert result.articles == expected
    assert [(p.field, p.severity.value) for p in result.problems] == [("cache", "warning")]
    assert "unreadable" in result.problems[0].message
    assert collect(config, now=NOW).problems == ()  # rebuilt, and trusted from then on


def test_a_cache_from_another_schema_is_discarded_with_a_warning(tmp_path: Path) -> None:
    write_site(tmp_path)
    config = config_for(tmp_path)
    collect(config, now=NOW)
    with sqlite3.connect(config.state / "cache.sqlite") as db:
        db.execute("UPDATE meta SET value = 'someone-else-9' WHERE name = 'schema'")
    result = collect(config, now=NOW)
    assert [p.field for p in result.problems] == ["cache"]
    assert "another version" in result.problems[0].message
    assert result.articles == collect(config, now=NOW, use_cache=False).articles


def test_two_configs_sharing_a_state_folder_never_read_each_others_rows(tmp_path: Path) -> None:
    write_site(tmp_path)
    plain = config_for(tmp_path)
    signed = config_for(tmp_path, site={"url": "https://example.com/", "timezone": "Asia/Shanghai",
                                        "author": {"name": "Site Desk"}})
    for _ in range(2):  # alternate, each run finding the other's rows in the cache
        for config in (plain, signed):
            result = collect(config, now=NOW)
            assert result.problems == ()
            assert result.articles == collect(config, now=NOW, use_cache=False).articles


def _collect_in_a_process(root: str, author: str, rounds: int) -> list[str]:
    """What a separate run sees: the authors of its articles and its problems, for each round."""
    site = {"url": "https://example.com/", "timezone": "Asia/Shanghai"}
    config = config_for(Path(root), site={**site, "author": {"name": author}})
    seen = []
    for _ in range(rounds):
        result = collect(config, now=NOW)
        seen += [a.authors[0].name for a in result.articles] + [p.message for p in result.problems]
    return seen


def test_runs_racing_on_one_state_folder_stay_correct(tmp_path: Path) -> None:
    write_site(tmp_path)
    with concurrent.futures.ProcessPoolExecutor(2) as pool:
        runs = [pool.submit(_collect_in_a_process, str(tmp_path), who, 6) for who in ("甲", "乙")]
        seen = [run.result() for run in runs]
    # the posts name no author: each run signs all 8 with its own site author, and warns of nothing
    assert seen == [["甲"] * 48, ["乙"] * 48]


def test_builds_with_and_without_the_cache_write_identical_bytes(tmp_path: Path) -> None:
    write_site(tmp_path)
    config = config_for(tmp_path)
    run_build(config, now=NOW)
    (tmp_path / "content" / "post-2.md").write_text(
        POST.format(title="改", day=2), encoding="utf-8"
    )
    run_build(config, now=NOW)  # stamp miss; seven articles from the cache, one read again
    fresh = config_for(tmp_path, state="fresh-state", output=str(tmp_path / "fresh-out"))
    run_build(fresh, now=NOW)
    assert outputs(tmp_path / "out") == outputs(tmp_path / "fresh-out")


def test_an_unchanged_build_is_replayed_without_touching_a_file(tmp_path: Path) -> None:
    write_site(tmp_path)
    (tmp_path / "content" / "broken.md").write_text("---\ntitle: x\ndate: nope\n---\nbody\n")
    config = config_for(tmp_path)
    first = run_build(config, now=NOW)
    before = mtimes(tmp_path / "out")
    again = run_build(config, now=NOW)
    assert again.written == ()
    assert sorted(again.unchanged) == sorted(first.written + first.unchanged)
    assert again.problems == first.problems  # problems are still reported every time
    assert again.counts == first.counts
    assert mtimes(tmp_path / "out") == before


def test_editing_only_digests_or_the_schedule_does_not_rebuild(tmp_path: Path) -> None:
    write_site(tmp_path)
    run_build(config_for(tmp_path), now=NOW)
    before = mtimes(tmp_path / "out")
    digest = {"name": "daily", "subject": "{{ site.title }} today", "schedule": "0 8 * * *"}
    edited = config_for(tmp_path, digests=[digest], schedule={"build": {"every": "10m"}},
                        mail={"unsubscribe_mailto": "unsubscribe@example.com"})
    again = run_build(edited, now=NOW)
    assert again.written == () and mtimes(tmp_path / "out") == before


@pytest.mark.parametrize("change", ["edited", "output removed", "config", "future due"])
def test_the_stamp_is_not_trusted_when_something_changed(tmp_path: Path, change: str) -> None:
    content = write_site(tmp_path)
    (content / "later.md").write_text(POST.format(title="未来", day=28), encoding="utf-8")
    config = config_for(tmp_path)
    run_build(config, now=NOW)
    now = NOW
    if change == "edited":  # same size, and an mtime set back: only ctime tells
        text = (content / "post-1.md").read_text(encoding="utf-8").replace("讲一件事", "讲两件事")
        stat = (content / "post-1.md").stat()
        (content / "post-1.md").write_text(text, encoding="utf-8")
        os.utime(content / "post-1.md", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    elif change == "output removed":
        (tmp_path / "out" / "atom.xml").unlink()
    elif change == "config":
        config = config_for(
            tmp_path,
            site={"url": "https://example.com/", "title": "New", "timezone": "Asia/Shanghai"},
        )
    else:
        now = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)  # 09:00 on the 28th in Shanghai
    report = run_build(config, now=now)
    assert report.written, change
    if change == "future due":
        assert report.counts["articles"] == 9


def test_collect_reports_progress_per_phase_and_only_for_work_done(tmp_path: Path) -> None:
    from contextlib import contextmanager

    write_site(tmp_path)
    config = config_for(tmp_path)
    seen: list[tuple[str, int, int]] = []

    @contextmanager
    def recording(total: int, label: str) -> Iterator[Callable[[int], None]]:
        done = [0]

        def advance(n: int = 1) -> None:
            done[0] += n

        yield advance
        seen.append((label, total, done[0]))

    collect(config, now=NOW, progress=recording)
    assert seen == [("reading", 8, 8), ("learning", 8, 8), ("cleaning", 8, 8)]
    seen.clear()
    collect(config, now=NOW, progress=recording)
    assert seen == []  # everything came from the cache: nothing to show


def test_with_worker_processes_the_cache_is_saved_beside_them_and_used_next_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers: the records are saved by a thread of this process while they clean (a
    connection of its own: the one put() keeps belongs to the consuming thread)."""
    monkeypatch.setenv("FEEDS_WORKERS", "2")
    write_site(tmp_path)
    config = config_for(tmp_path)
    first = collect(config, now=NOW)
    assert first.problems == ()  # no "could not be written" warning
    seen, recording = phase_recorder()
    again = collect(config, now=NOW, progress=recording)
    assert seen == [] and again.articles == first.articles


def test_an_edit_that_changes_what_is_learned_reads_only_that_file(tmp_path: Path) -> None:
    """The learner re-describes boilerplate from one article per source, not from all."""
    content = write_site(tmp_path, range(1, 13))
    config = config_for(tmp_path)
    collect(config, now=NOW)
    text = (content / "post-4.md").read_text(encoding="utf-8")
    (content / "post-4.md").write_text(
        text.replace("</div></div>", "</div><p>新段落。</p></div>"), encoding="utf-8"
    )
    seen, recording = phase_recorder()
    after = collect(config, now=NOW, progress=recording)
    assert seen[0] == ("reading", 1)
    assert after.articles == collect(config, now=NOW, use_cache=False).articles
    assert after.hints is not None and after.hints.learned  # the promo block, described again


def test_worker_pools_write_the_same_bytes_as_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsing, cleaning and rendering spread over processes change nothing in the output."""
    write_site(tmp_path)
    results = {}
    for workers in ("1", "2"):
        monkeypatch.setenv("FEEDS_WORKERS", workers)
        config = config_for(
            tmp_path, state=f"state-{workers}", output=str(tmp_path / f"out-{workers}")
        )
        report = run_build(config, now=NOW)
        results[workers] = (
            outputs(tmp_path / f"out-{workers}"),
            report.problems,
            dict(report.counts),
        )
    assert results["1"] == results["2"]
    assert len(results["1"][0]) == 3


def test_a_feed_of_fifty_cleans_only_what_it_shows_and_writes_the_same_bytes(
    tmp_path: Path,
) -> None:
    """With small feeds, only the articles some feed shows are cleaned; output, counts and
    the left-out reports are the same as when every article is cleaned."""
    from contextlib import contextmanager

    content = write_site(tmp_path, range(1, 25))
    for day in range(1, 25, 3):  # a second category on every third post
        text = (content / f"post-{day}.md").read_text(encoding="utf-8")
        (content / f"post-{day}.md").write_text(
            text.replace("categories: [news]", "categories: [news, 科技]"), encoding="utf-8"
        )
    (content / "relative.md").write_text(
        "---\ntitle: rel\ndate: 2026-11-01 08:00:00\nlink: ftp://x.example/a\n---\nbody\n",
        encoding="utf-8",
    )
    feeds = [
        {"name": "rss", "format": "rss", "path": "rss.xml", "limit": 5},
        {
            "name": "cats",
            "format": "atom",
            "path": "c/{slug}/atom.xml",
            "per": "category",
            "limit": 2,
        },
    ]
    lazy_config = config_for(tmp_path, feeds=feeds)
    cleaned: list[int] = []

    @contextmanager
    def recording(total: int, label: str) -> Iterator[Callable[[int], None]]:
        if label == "cleaning":
            cleaned.append(total)
        yield lambda n=1: None

    lazy = run_build(lazy_config, now=NOW, progress=recording)
    full_config = config_for(
        tmp_path, state="state-full", output=str(tmp_path / "out-full"), feeds=feeds
    )
    everything = collect(full_config, now=NOW)
    full = run_build(full_config, now=NOW, collection=everything)
    assert cleaned and cleaned[0] < len(everything.articles)
    assert outputs(tmp_path / "out") == outputs(tmp_path / "out-full")
    assert lazy.counts == full.counts
    assert lazy.problems == full.problems
    assert [p.field for p in lazy.problems] == ["url"]  # the ftp: link, left out and reported


def test_collect_times_each_phase_it_runs(tmp_path: Path) -> None:
    from feeds.timings import Timings

    write_site(tmp_path)
    timings = Timings()
    collect(config_for(tmp_path), now=NOW, timings=timings)
    seconds = timings.as_dict()
    assert list(seconds) == ["discover", "load", "parse", "learn", "clean", "cache"]
    assert all(value >= 0 for value in seconds.values())


def test_choosing_and_saving_run_while_the_workers_describe_and_clean(tmp_path: Path) -> None:
    """With a chooser, the choice is made during learning and the cache saved during
    cleaning: each exactly once, whether the workers have any work (cold) or none (every
    record, fact and outcome from the cache); the phases (the side ones within theirs) still
    add up to no more than the wall time."""
    import time

    from feeds.timings import SIDE_PHASES, Timings

    write_site(tmp_path)
    config = config_for(tmp_path)
    seen: list[int] = []

    def chooser(index: Sequence[Article]) -> set[str]:
        seen.append(len(index))
        return {a.source_path for a in index[:3]}

    for _ in ("cold", "all cached"):
        timings, start = Timings(), time.perf_counter()
        chosen = collect(config, now=NOW, timings=timings, clean_only=chooser)
        wall = time.perf_counter() - start
        seconds = timings.as_dict()
        assert list(seconds) == ["discover", "load", "parse", "learn", "select", "clean", "cache"]
        assert all(value >= 0 for value in seconds.values())
        assert sum(v for k, v in seconds.items() if k not in SIDE_PHASES) <= wall + 0.01
        assert seconds["select"] <= seconds["learn"] and seconds["cache"] <= seconds["clean"]
        assert len(chosen.articles) == 3 and chosen.indexed == 8
    assert seen == [8, 8]
    fresh = collect(config, now=NOW, use_cache=False)
    assert {a.id for a in chosen.articles} == {a.id for a in fresh.articles[:3]}


def test_a_build_reports_its_phases_and_a_replay_only_the_listing(tmp_path: Path) -> None:
    write_site(tmp_path)
    config = config_for(tmp_path)
    first = run_build(config, now=NOW).as_dict()["timings"]
    assert list(first) == ["discover", "load", "parse", "learn", "select", "clean", "cache", "plan",
                           "feeds", "render", "check", "write"]
    assert list(run_build(config, now=NOW).timings) == ["discover"]


OLD_PROMO = '<div class="old">旧模板的推广栏，请订阅我们的早报</div>'


def _site_with_an_old_template(root: Path) -> Path:
    """Twelve posts of one source; the four oldest carry a promo of an old template."""
    content = write_site(root, range(1, 13))
    for day in range(1, 13):
        post = content / f"post-{day}.md"
        story = f"<p>第{day}篇的长段落：" + "今天的新闻讲了一件很重要的事情。" * 4 + "</p>"
        promo = OLD_PROMO if day < 5 else ""
        post.write_text(post.read_text(encoding="utf-8").replace(
            "</div></div>", f"</div>{story}{promo}</div>"), encoding="utf-8")
    return content


def test_learning_reads_the_newest_articles_of_each_source(tmp_path: Path) -> None:
    _site_with_an_old_template(tmp_path)
    boilerplate = {"boilerplate": {"sample": 6}}
    sampled = collect(config_for(tmp_path, cleaning=boilerplate), now=NOW, use_cache=False)
    everything = collect(config_for(tmp_path, "all", cleaning={"boilerplate": {"sample": 0}}),
                         now=NOW, use_cache=False)
    assert sampled.hints is not None and everything.hints is not None
    assert sampled.hints.articles == 6 and everything.hints.articles == 12

    def promo_kept(collection: Collection) -> list[str]:
        return sorted(a.source_path.rsplit("/", 1)[-1] for a in collection.articles
                      if "旧模板" in a.content_html)

    # the old template is 4 of 12 (learned from all), but absent from the newest 6
    assert promo_kept(everything) == []
    assert promo_kept(sampled) == [f"post-{day}.md" for day in range(1, 5)]
    # the current template's promo recurs in the newest articles: learned either way
    assert not any("扫码关注" in a.content_html for a in sampled.articles)


def test_an_edit_outside_the_sample_reads_one_file_and_learns_nothing_new(
    tmp_path: Path,
) -> None:
    content = _site_with_an_old_template(tmp_path)
    config = config_for(tmp_path, cleaning={"boilerplate": {"sample": 6}})
    before = collect(config, now=NOW)
    post = content / "post-2.md"  # among the oldest: not in the sample
    post.write_text(post.read_text(encoding="utf-8").replace("第2篇正文", "第2篇新正文"),
                    encoding="utf-8")
    seen, recording = phase_recorder()
    after = collect(config, now=NOW, progress=recording)
    assert seen == [("reading", 1), ("cleaning", 1)]  # nothing described for the learner
    assert after.hints == before.hints
    assert after.articles == collect(config, now=NOW, use_cache=False).articles


def test_reading_for_the_index_renders_no_markdown_it_will_not_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that shows a few articles renders the Markdown of those it learns from or
    cleans, not of every post it indexes (rendering was a fifth of reading a Markdown post);
    the feeds are the same as when every article is rendered."""
    import feeds.content.perfile as perfile

    content = tmp_path / "content"
    content.mkdir()
    for day in range(1, 13):
        (content / f"md-{day}.md").write_text(
            f"---\ntitle: Post {day}\ndate: 2026-11-{day:02d} 08:00:00\n---\n\n"
            f"# Post {day}\n\nSome *Markdown* with a [link](https://example.com/{day}).\n",
            encoding="utf-8",
        )
    monkeypatch.setenv("FEEDS_WORKERS", "1")  # the renders are counted in this process
    rendered: list[str] = []
    real = perfile.render_markdown
    monkeypatch.setattr(perfile, "render_markdown",
                        lambda body: rendered.append(body) or real(body))
    feeds = [{"name": "rss", "format": "rss", "path": "rss.xml", "limit": 3}]
    small = config_for(tmp_path, feeds=feeds, cleaning={"boilerplate": {"sample": 2}})
    run_build(small, now=NOW)
    assert 0 < len(rendered) <= 3  # the two learned from and the three shown overlap
    rendered.clear()
    every = config_for(tmp_path, state="state-all", output=str(tmp_path / "out-all"),
                       feeds=feeds, cleaning={"boilerplate": {"sample": 2}})
    run_build(every, now=NOW, limit=0)
    assert len(rendered) == 12
    shown = outputs(tmp_path / "out")["rss.xml"]
    assert shown.count(b"<item>") == 3 and b"&lt;em&gt;Markdown&lt;/em&gt;" in shown


def test_describing_the_learners_sample_normalizes_no_file_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that cleans only what its feeds show reads the sample's texts again to learn
    from them, but takes their metadata from the records made a moment before."""
    import feeds.content.perfile as perfile

    write_site(tmp_path)
    config = config_for(tmp_path, cleaning={"boilerplate": {"sample": 5}})
    normalized: list[str] = []
    real = perfile.normalize_meta

    def counting(doc: Any, *args: Any, **kwargs: Any) -> Any:
        normalized.append(doc.path)
        return real(doc, *args, **kwargs)

    monkeypatch.setattr(perfile, "normalize_meta", counting)
    chosen = collect(config, now=NOW, clean_only=lambda index: set())
    assert chosen.hints is not None and chosen.hints.articles == 5  # five were described
    assert sorted(normalized) == sorted(set(normalized)) and len(normalized) == 8
    # and what was learned is what a build that normalizes everything again learns
    everything = collect(config_for(tmp_path, "other", cleaning={"boilerplate": {"sample": 5}}),
                         now=NOW)
    assert everything.hints == chosen.hints


def _ahead() -> dict[Any, Any]:
    from feeds.content import cache

    return cache._AHEAD


def test_records_read_ahead_are_what_load_reads_and_are_taken_once(tmp_path: Path) -> None:
    """A rebuild reads the records while a child lists the sources (feeds.cli.build_cmd):
    load() then takes them instead of reading the file, and only once."""
    from feeds.content.cache import ArticleCache

    write_site(tmp_path)
    config = config_for(tmp_path)
    collect(config, now=NOW)
    paths = {str(p) for p in (tmp_path / "content").iterdir()}
    plain = ArticleCache.of(config).load(paths)
    early = ArticleCache.of(config)
    early.read_ahead()
    assert len(_ahead()) == 1
    assert early.load(paths) == plain and len(plain) == 8 and _ahead() == {}
    early.read_ahead(stop=lambda: True)  # the build will be replayed: nothing kept
    assert _ahead() == {}


@pytest.mark.parametrize("state", ["missing", "foreign", "corrupt"])
def test_reading_ahead_leaves_a_bad_cache_to_the_build(tmp_path: Path, state: str) -> None:
    """Read-only: it creates nothing, discards nothing, and warns of nothing; the build's own
    load() meets the problem and says so."""
    from feeds.content.cache import ArticleCache

    write_site(tmp_path)
    config = config_for(tmp_path)
    path = config.state / "cache.sqlite"
    if state == "missing":
        config.state.mkdir(parents=True)
    else:
        collect(config, now=NOW)
        if state == "foreign":
            with sqlite3.connect(path) as db:
                db.execute("UPDATE meta SET value = 'someone-else-9' WHERE name = 'schema'")
        else:
            path.write_bytes(b"this is not a database" * 100)
    before = path.read_bytes() if path.exists() else None
    ArticleCache.of(config).read_ahead()
    assert _ahead() == {} and (path.read_bytes() if path.exists() else None) == before
    result = collect(config, now=NOW)
    fields = [p.field for p in result.problems]
    assert fields == ([] if state == "missing" else ["cache"])
