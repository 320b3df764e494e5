"""Large feeds never whole in memory: rendered a few items at a time and written through
temp files, with the same bytes as the whole-document path.

- rendering in pieces gives what serializing the whole tree (or ``json.dumps``) gives;
- a build whose feeds go through temp files (checked in pieces) writes the same bytes,
  leaves nothing behind, and keeps the old file of a feed failing its check;
- what Python holds while building is a small part of one feed.
"""

from __future__ import annotations

import json
import os
import tracemalloc
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

import pytest
from feeds_support import NOW, article, articles, collection, make_config, meta
from lxml import etree
from test_feeds_feedcheck_stream import many
from test_feeds_golden import awkward_articles

from feeds.build import run_build
from feeds.feedcheck import check, jsonstream
from feeds.models import Article
from feeds.render import FORMATS, Entry, RenderError, chunk_renderer, jsonfeed, renderer, xml

BATCH = {"atom": xml, "rss": xml, "json": jsonfeed}  # the module whose BATCH each one uses
ROOTS = {"rss": b"<rss", "atom": b"<feed"}


def whole_document(fmt: str, data: bytes) -> bytes:
    """What the whole-tree renderers wrote for the document ``data`` holds (when no element
    has empty text: a parser reads ``<a></a>`` as ``<a/>``)."""
    if fmt == "json":
        return json.dumps(json.loads(data), ensure_ascii=False, indent=1).encode() + b"\n"
    start = data.index(ROOTS[fmt])
    root = etree.fromstring(data[start:])
    etree.indent(root, space="  ")
    return data[:start] + etree.tostring(root, encoding="UTF-8") + b"\n"


# rendering in pieces -----------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1, 31, 32, 33, 150])
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_pieces_make_the_whole_document(fmt: str, count: int) -> None:
    feed_meta = meta(stylesheets=(("feed.css", "text/css"),), archive=count % 2 == 1)
    entries = [Entry(a, full=i % 3 != 1) for i, a in enumerate(articles(count))]
    pieces = list(chunk_renderer(fmt)(feed_meta, entries))
    data = b"".join(pieces)
    assert data == renderer(fmt)(feed_meta, entries) == whole_document(fmt, data)
    batches = -(-count // BATCH[fmt].BATCH)
    assert len(pieces) == (2 + batches if count else 1)
    assert check(data, expect=fmt) == []


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_any_batch_size_gives_the_same_bytes(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """One batch is the whole tree at once, as the pinned files were written."""
    entries = [Entry(a, full=i % 3 != 1) for i, a in enumerate(awkward_articles() * 9)]
    found = set()
    for size in (1, 7, 32, 10**9):
        monkeypatch.setattr(BATCH[fmt], "BATCH", size)
        found.add(renderer(fmt)(meta(archive=True), entries))
    assert len(found) == 1


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_a_broken_item_fails_when_it_is_reached(fmt: str) -> None:
    broken = replace(article(40), categories=(40,))  # not text: cannot be written
    pieces = iter(chunk_renderer(fmt)(meta(), [Entry(a) for a in [*articles(40), broken]]))
    assert next(pieces).startswith(b"<?xml")  # the head and the first items come out first
    with pytest.raises(RenderError) as caught:
        list(pieces)
    assert caught.value.source == "content/post-40.md"


# building through temp files ---------------------------------------------------------------


@pytest.fixture(params=["here", "beside"])
def spilled(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Every draft past a few kilobytes goes to a temp file and is checked in pieces, in
    this process or by the checker beside it (feeds.feedcheck.beside)."""
    monkeypatch.setattr("feeds.publish.MEMORY", 4_000)
    monkeypatch.setattr("feeds.feedcheck.STREAM_FROM", 4_000)
    if request.param == "beside":
        monkeypatch.setattr("feeds.build._CHECK_BESIDE_ITEMS", 1)
        monkeypatch.delenv("FEEDS_WORKERS", raising=False)


def build_all(root: Path, items: list[Article], feeds: list[dict] | None = None):  # type: ignore[no-untyped-def]
    return run_build(make_config(root, feeds), now=NOW, collection=collection(items), limit=0)


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


ARCHIVED = [{"name": "a", "format": "atom", "path": "atom.xml", "archive": True},
            {"name": "r", "format": "rss", "path": "sub/rss.xml", "archive": True},
            {"name": "j", "format": "json", "path": "feed.json"}]


def test_temp_files_give_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    items = many(130)
    in_memory = build_all(tmp_path / "one", items, ARCHIVED)
    monkeypatch.setattr("feeds.publish.MEMORY", 4_000)
    monkeypatch.setattr("feeds.feedcheck.STREAM_FROM", 4_000)
    spilled = build_all(tmp_path / "two", items, ARCHIVED)
    first, second = files(tmp_path / "one" / "public"), files(tmp_path / "two" / "public")
    assert first == second and len(first) == 3 + 2 * 2  # two archive pages each
    assert (in_memory.problems, spilled.problems) == ((), ())
    assert [Path(p).name for p in spilled.written] == [Path(p).name for p in in_memory.written]


@pytest.mark.usefixtures("spilled")
def test_unchanged_large_feeds_keep_their_mtime(tmp_path: Path) -> None:
    build_all(tmp_path, many(60))
    out = tmp_path / "public"
    for path in out.iterdir():
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    report = build_all(tmp_path, many(60))
    assert report.written == () and len(report.unchanged) == 3
    assert all(p.stat().st_mtime_ns == 1_000_000_000 for p in out.iterdir())
    assert sorted(p.name for p in out.iterdir()) == ["atom.xml", "feed.json", "rss.xml"]


@pytest.mark.usefixtures("spilled")
def test_a_large_feed_failing_its_check_keeps_the_old_file(tmp_path: Path) -> None:
    feeds = [{"name": "r", "format": "rss", "path": "r.xml"},
             {"name": "n", "format": "rss", "path": "new/deeper/n.xml"}]
    build_all(tmp_path, many(60), feeds[:1])
    old = (tmp_path / "public" / "r.xml").read_bytes()
    twins = [*many(60), replace(article(0), id="urn:x:3")]  # one guid twice
    report = build_all(tmp_path, twins, feeds)
    out = tmp_path / "public"
    assert sorted(Path(p).name for p in report.failed) == ["n.xml", "r.xml"]
    assert (out / "r.xml").read_bytes() == old
    assert [p.message for p in report.problems] == [
        "failed its check, the old file was kept: guid 'urn:x:3' is used 2 times"
    ] * 2
    assert sorted(p.name for p in out.iterdir()) == ["r.xml"]  # no temp file, no new folder


@pytest.mark.usefixtures("spilled")
def test_a_large_feed_failing_half_way_through_rendering_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The draft was already going to a temp file (and to the checker) when the broken item
    came: the feed fails, the old file stays, nothing is left behind, nothing waits."""
    from feeds.publish import Draft

    feeds = [{"name": "r", "format": "rss", "path": "r.xml"}]
    build_all(tmp_path, many(60), feeds)
    old = (tmp_path / "public" / "r.xml").read_bytes()
    oldest = min(a.published for a in many(60)) - timedelta(days=1)
    broken = replace(article(70), categories=(70,), published=oldest, updated=oldest)
    spills: list[Path] = []
    spill = Draft._spill

    def spy(draft: Draft) -> BinaryIO:
        handle = spill(draft)
        spills.append(draft.spilled)
        return handle

    monkeypatch.setattr(Draft, "_spill", spy)
    report = build_all(tmp_path, [*many(60), broken], feeds)  # the last item is the broken one
    assert len(spills) == 1 and not spills[0].exists()
    assert [Path(p).name for p in report.failed] == ["r.xml"]
    (problem,) = report.problems
    assert problem.path == "content/post-70.md" and problem.message.startswith("r: ")
    assert sorted(p.name for p in (tmp_path / "public").iterdir()) == ["r.xml"]
    assert (tmp_path / "public" / "r.xml").read_bytes() == old


def test_a_large_feed_is_never_whole_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What Python allocates while a build renders, checks and writes 3 feeds of ~3 MB
    each (articles made before), all in this process so that tracemalloc sees the rendering
    itself: well under one feed (the items of one chunk, the check's window, the draft's
    buffer), never a whole one."""
    monkeypatch.setenv("FEEDS_WORKERS", "1")
    monkeypatch.setattr("feeds.publish.MEMORY", 200_000)
    monkeypatch.setattr("feeds.feedcheck.STREAM_FROM", 200_000)
    monkeypatch.setattr(jsonstream, "BLOCK", 64 * 1024)
    text = "<p>" + "长三角一体化发展 & <b>x</b>。" * 100 + "</p>"
    items = [replace(a, content_html=text + str(i)) for i, a in enumerate(many(600))]
    config = make_config(tmp_path)
    made = collection(items)
    tracemalloc.start()
    try:
        run_build(config, now=NOW, collection=made, limit=0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    smallest = min(p.stat().st_size for p in (tmp_path / "public").iterdir())
    assert smallest > 2_000_000 and peak < smallest / 1.5, (smallest, peak)
