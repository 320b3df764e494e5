"""What a worker keeps between a collect's phases: texts up to a budget, then articles
Unread (the text is read again to be cleaned, with the same outcome); memory given back
as texts are let go."""

from __future__ import annotations

import datetime
import pickle
import sys
import tracemalloc
from pathlib import Path

import pytest
from feeds_support import make_config

from feeds.content import keep
from feeds.content.discover import discover
from feeds.content.keep import Releaser, Store
from feeds.content.perfile import Unread, clean_task, read_task
from feeds.content.pipeline import CorpusHints

POST = """---
title: Post {n}
date: Tue, 0{n} Mar 2022 08:00:00 +0800
categories: [news]
---
<p>第{n}篇 body with <a href="/x/{n}.html">a link</a>.</p>
"""
# what reading an Unread article again must get right: a Markdown body (rendered), one
# declared HTML whatever it looks like, and a thumbnail from the front matter
MARKDOWN_POST = """---
title: Markdown {n}
date: Tue, 0{n} Mar 2022 08:00:00 +0800
cover: /img/cover-{n}.jpg
---

# Heading {n}

Some **bold** text and [a link](/x/{n}.html).
"""
DECLARED_POST = """+++
title = "Declared {n}"
date = 2022-03-0{n}T08:00:00+08:00
format = "html"
+++
# not a heading: <b>HTML</b> as declared
"""


def stores_after_reading(tmp_path: Path, budget: int) -> tuple[list[str], Store, list[bytes]]:
    folder = tmp_path / "content"
    folder.mkdir(parents=True)
    for n, post in enumerate((POST, MARKDOWN_POST, DECLARED_POST) * 2, start=1):
        (folder / f"post-{n}.md").write_text(post.format(n=n), encoding="utf-8")
    config = make_config(tmp_path, content={"dirs": [str(folder)]})
    sources = discover([folder], [], explicit=False)
    store = Store()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keep, "TEXT_BUDGET", budget)
        for source in sources:
            read_task(source, config, True, store)
    kinds = [  # an Unread is kept as its plain values
        "Unread" if isinstance(kept := store.look(s.fspath), tuple) else type(kept).__name__
        for s in sources
    ]
    cleaned = [clean_task(s, config, CorpusHints(), store) for s in sources]
    return kinds, store, cleaned


def test_past_its_budget_a_worker_keeps_articles_unread_and_reads_them_again(
    tmp_path: Path,
) -> None:
    kinds, store, cleaned = stores_after_reading(tmp_path / "tight", budget=1)
    assert kinds == ["Parsed"] + ["Unread"] * 5  # room for one text only
    roomy_kinds, roomy, kept_cleaned = stores_after_reading(tmp_path / "roomy", budget=1 << 30)
    assert roomy_kinds == ["Parsed"] * 6
    assert cleaned == kept_cleaned  # the same outcomes, byte for byte
    outcomes = [pickle.loads(blob).result for blob in cleaned]
    assert "<h1>Heading 2</h1>" in outcomes[1].content_html  # Markdown rendered
    assert outcomes[1].thumbnail.url.endswith("/img/cover-2.jpg")  # from the front matter
    assert "# not a heading" in outcomes[2].content_html  # declared HTML: not rendered
    assert [(len(s), s.held) for s in (store, roomy)] == [(0, 0)] * 2


def test_an_unread_article_that_changed_since_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "content"
    folder.mkdir()
    post = folder / "post.md"
    post.write_text(POST.format(n=1), encoding="utf-8")
    config = make_config(tmp_path, content={"dirs": [str(folder)]})
    (source,) = discover([folder], [], explicit=False)
    store = Store()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keep, "TEXT_BUDGET", 0)
        read_task(source, config, True, store)
    assert Unread(*store.look(source.fspath)).title == "Post 1"
    post.write_text("---\ntitle: broken\n", encoding="utf-8")  # front matter left open
    outcome = pickle.loads(clean_task(source, config, CorpusHints(), store))
    assert outcome.result is None
    assert [(p.field, p.message) for p in outcome.problems] == [
        ("file", "changed while it was being read; run the command again")
    ]


def test_plain_values_are_packed_and_come_back_equal() -> None:
    store = Store()
    values = [
        (f"https://example.org/{n}.html", f"标题 {n}", ("新闻", "科技"), None,
         {"thumbnail": f"/img/{n}.png", "photos": [f"/a/{n}.jpg", {"src": "b.png"}]})
        for n in range(500)
    ]
    for n, value in enumerate(values):
        store.keep_plain(f"post-{n}", value)
    dated = ("u", "t", (), None, {"cover": datetime.date(2021, 1, 1)})  # not marshal's
    store.keep_plain("dated", dated)
    assert store.take("dated") == dated
    assert [store.look(f"post-{n}") for n in range(500)] == values
    assert len({id(store[f"post-{n}"][0]) for n in range(500)}) > 1  # more than one page
    assert store.held == sum(end - start for _page, start, end in store.values())
    assert [store.take(f"post-{n}") for n in range(500)] == values
    assert (len(store), store.held) == (0, 0)


def test_a_page_of_packed_values_is_freed_when_its_last_item_is_taken() -> None:
    store = Store()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(20_000):
            store.keep_plain(f"post-{n}", (f"https://example.org/{n}.html", "标题" * 20, None))
        full = tracemalloc.get_traced_memory()[0]
        for n in range(19_000):
            store.take(f"post-{n}")
        left = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert full - before > 2_000_000  # ~140 bytes of values each, and the keys
    assert left - before < (full - before) / 8  # only the pages of the last 1 000 remain


def test_memory_is_given_back_every_so_many_items_let_go(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    released: list[int] = []
    monkeypatch.setattr(keep, "release_memory", lambda: released.append(sizes[-1]))
    releaser, sizes = Releaser(0), []
    for size in (100, 5000, 4000, 3001, 3000, 1500, 1000, 999, 0, 2500, 600, 500):
        sizes.append(size)
        releaser.after(size)
    assert keep.RELEASE_EVERY == 2000 and released == [3000, 1000, 500]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_memory_is_released_through_the_c_library() -> None:
    """Texts freed in the middle of the heap (something allocated after them lives on)
    stay resident until released: then most of them go back to the system."""
    assert keep._malloc_trim() is not None

    def resident() -> int:
        status = Path("/proc/self/status").read_text()
        return int(next(line for line in status.splitlines() if line.startswith("VmRSS"))
                   .split()[1]) * 1024

    texts = [f"{n:06d}" + "长" * 3000 for n in range(12_000)]  # ~72 MB of 6 KB strings
    survivor = "x" * len(texts)  # made after them: the heap cannot shrink from its top
    keep.release_memory()
    full = resident()
    del texts
    freed = resident()
    keep.release_memory()
    released = resident()
    assert full - released > 40 * 1024 * 1024 > full - freed, (full, freed, released)
    assert survivor


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_finding_malloc_trim_starts_no_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker finds the C library's malloc_trim among the symbols it has: looking the
    library up by name (ctypes.util.find_library) would fork `ldconfig -p` from it."""
    import subprocess

    def no_process(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a process was started: {args}")

    monkeypatch.setattr(subprocess, "Popen", no_process)
    keep._malloc_trim.cache_clear()
    try:
        assert keep._malloc_trim() is not None
    finally:
        keep._malloc_trim.cache_clear()
