"""What a worker keeps between a collect's phases: texts up to a budget, then only the
metadata (the text is read again to be cleaned, with the same outcome); memory given back
as texts are let go."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from feeds_support import make_config

from feeds.content import keep
from feeds.content.discover import discover
from feeds.content.keep import Releaser, Store
from feeds.content.perfile import Parsed, clean_task, parse_one, read_task
from feeds.content.pipeline import CorpusHints

POST = """---
title: Post {n}
date: Tue, 0{n} Mar 2022 08:00:00 +0800
categories: [news]
---
<p>第{n}篇 body with <a href="/x/{n}.html">a link</a>.</p>
"""


def stores_after_reading(
    tmp_path: Path, budget: int, plain: int = 0
) -> tuple[list[str], Store, list[bytes]]:
    folder = tmp_path / "content"
    folder.mkdir(parents=True)
    for n in range(1, 7):
        (folder / f"post-{n}.md").write_text(POST.format(n=n), encoding="utf-8")
    config = make_config(tmp_path, content={"dirs": [str(folder)]})
    sources = discover([folder], [], explicit=False)
    store = Store()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keep, "TEXT_BUDGET", budget)
        patch.setattr(keep, "PLAIN_UP_TO", plain)
        for source in sources:
            read_task(source, config, True, store)
    kinds = [  # what comes back, and how it was kept
        f"{type(store.look(s.fspath)).__name__}/"
        f"{'pickled' if isinstance(store[s.fspath], bytes) else 'object'}"
        for s in sources
    ]
    texts = [store.look(s.fspath) for s in sources]
    fresh = [parse_one(s, config)[0] for s in sources]
    for text, read in zip(texts, fresh, strict=True):  # pickled or not, the text read
        assert text == read or not isinstance(text, Parsed)
    cleaned = [clean_task(s, config, CorpusHints(), store) for s in sources]
    return kinds, store, cleaned


def test_past_its_budget_a_worker_keeps_metadata_and_reads_the_text_again(
    tmp_path: Path,
) -> None:
    kinds, store, cleaned = stores_after_reading(tmp_path / "tight", budget=1)
    assert kinds == ["Parsed/pickled"] + ["Meta/pickled"] * 5  # room for one text only
    plain_kinds, plain, plain_cleaned = stores_after_reading(
        tmp_path / "plain", budget=1 << 30, plain=1
    )
    assert plain_kinds == ["Parsed/object"] + ["Parsed/pickled"] * 5  # one object
    roomy_kinds, roomy, kept_cleaned = stores_after_reading(
        tmp_path / "roomy", budget=1 << 30, plain=1 << 30
    )
    assert roomy_kinds == ["Parsed/object"] * 6
    assert cleaned == plain_cleaned == kept_cleaned  # the same outcomes, byte for byte
    assert [(len(s), s.held) for s in (store, plain, roomy)] == [(0, 0)] * 3


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
