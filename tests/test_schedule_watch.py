"""schedule.watch: content changes trigger one debounced rebuild."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from feeds.schedule.watch import ContentWatcher, Debouncer, is_content_change, watch_roots


class FakeTimer:
    """A timer that fires only when the test says so."""

    made: ClassVar[list[FakeTimer]] = []

    def __init__(self, delay: float, action: Callable[[], None]) -> None:
        self.delay, self.action = delay, action
        self.started = self.cancelled = False
        FakeTimer.made.append(self)

    def start(self) -> None:
        self.started = True

    def cancel(self) -> None:
        self.cancelled = True


def test_a_burst_of_changes_makes_one_rebuild_after_the_last() -> None:
    FakeTimer.made = []
    rebuilds: list[int] = []
    debouncer = Debouncer(2.0, lambda: rebuilds.append(1), timer=FakeTimer)
    for _ in range(3):
        debouncer.poke()
    assert [(t.delay, t.started, t.cancelled) for t in FakeTimer.made] == [
        (2.0, True, True), (2.0, True, True), (2.0, True, False),
    ]
    FakeTimer.made[-1].action()
    assert rebuilds == [1]
    debouncer.poke()
    debouncer.close()
    assert FakeTimer.made[-1].cancelled
    FakeTimer.made[-1].action()  # a timer that fires anyway after close does nothing
    debouncer.poke()
    assert rebuilds == [1] and len(FakeTimer.made) == 4


def test_only_article_files_count_as_changes(tmp_path: Path) -> None:
    public = tmp_path / "content" / "public"
    assert is_content_change(str(tmp_path / "content" / "a.md"), [public])
    assert is_content_change(str(tmp_path / "content" / "2026" / "b.HTML"), [public])
    for name in ("a.txt", ".a.md.swp", "a.md~", ".#a.md", "#a.md#", "feed.xml"):
        assert not is_content_change(str(tmp_path / "content" / name), [public]), name
    assert not is_content_change(str(public / "index.html"), [public])


def test_glob_folders_are_watched_from_their_fixed_part(tmp_path: Path) -> None:
    (tmp_path / "content" / "news").mkdir(parents=True)
    (tmp_path / "other").mkdir()
    roots = watch_roots([tmp_path / "content" / "*" / "posts", tmp_path / "content" / "news",
                         tmp_path / "other", tmp_path / "missing"])
    assert roots == [(tmp_path / "content").resolve(), (tmp_path / "other").resolve()]


def test_writing_an_article_triggers_a_rebuild(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    rebuilt = threading.Event()
    watcher = ContentWatcher([content], 0.05, rebuilt.set)
    watcher.start()
    try:
        (content / "notes.txt").write_text("not an article", encoding="utf-8")
        (content / "new.md").write_text("---\ntitle: New\n---\nBody\n", encoding="utf-8")
        assert rebuilt.wait(10)
    finally:
        watcher.stop()
