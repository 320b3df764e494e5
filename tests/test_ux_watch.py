"""Rebuild on change: the debounce decision, file snapshots, and a broken config kept out."""

from __future__ import annotations

import os
from pathlib import Path

from feeds.config import default_config, load_config
from feeds.config.root import Config
from feeds.errors import ConfigError
from feeds.serve.app import DevSite
from feeds.serve.rebuild import Rebuilder, watch_roots
from feeds.serve.watch import Debouncer, snapshot


def test_debouncer_waits_for_quiet() -> None:
    debouncer = Debouncer({"a.md": (1, 10)}, quiet=1.0)
    assert debouncer.observe({"a.md": (1, 10)}, now=0.0) is False  # nothing changed
    assert debouncer.observe({"a.md": (2, 11)}, now=1.0) is False  # changed: wait
    assert debouncer.observe({"a.md": (3, 12)}, now=1.5) is False  # still changing
    assert debouncer.observe({"a.md": (3, 12)}, now=2.0) is False  # quiet for 0.5 s only
    assert debouncer.observe({"a.md": (3, 12)}, now=2.5) is True  # quiet for 1 s: rebuild
    assert debouncer.observe({"a.md": (3, 12)}, now=9.0) is False  # once per change


def test_debouncer_sees_added_and_removed_files() -> None:
    debouncer = Debouncer({"a.md": (1, 1)}, quiet=0.0)
    debouncer.observe({"a.md": (1, 1), "b.md": (1, 1)}, now=0.0)
    assert debouncer.observe({"a.md": (1, 1), "b.md": (1, 1)}, now=0.0) is True
    debouncer.observe({"b.md": (1, 1)}, now=1.0)
    assert debouncer.observe({"b.md": (1, 1)}, now=1.0) is True


def test_snapshot_tracks_files_and_skips_hidden(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "2021").mkdir(parents=True)
    (content / ".git").mkdir()
    (content / "2021" / "a.md").write_text("one", encoding="utf-8")
    (content / ".git" / "index").write_text("x", encoding="utf-8")
    (content / "2021" / ".a.md.swp").write_text("x", encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text("{}", encoding="utf-8")
    first = snapshot([content, config, tmp_path / "missing"])
    assert sorted(first) == [str(config), str(content / "2021" / "a.md")]
    (content / "2021" / "a.md").write_text("one, edited", encoding="utf-8")
    assert snapshot([content, config]) != first


def test_watch_roots_are_content_folders_and_config(tmp_path: Path) -> None:
    config = default_config({"content": {"dirs": ["posts", "notes/*/pub"]}}, base_dir=tmp_path)
    roots = watch_roots(config, tmp_path / "config.yaml")
    assert roots == [tmp_path / "posts", tmp_path / "notes", tmp_path / "config.yaml"]


def test_broken_config_keeps_the_last_good_one(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("site: {title: Good}\n", encoding="utf-8")
    good = load_config(path)
    site = DevSite(good)
    built: list[str] = []
    logged: list[str] = []

    def build(config: Config) -> list[str]:
        built.append(config.site.title)
        return [f"built {config.site.title}"]

    rebuild = Rebuilder(site, lambda: load_config(path), build, logged.append)
    path.write_text("site: {titel: Typo}\n", encoding="utf-8")
    assert rebuild() is False
    assert site.config is good and built == []
    assert site.status[0] == "config.yaml has problems; still serving the last good build"
    assert any("did you mean 'title'?" in line for line in site.status)
    path.write_text("site: {title: Fixed}\n", encoding="utf-8")
    assert rebuild() is True
    assert site.config.site.title == "Fixed" and site.status == ("built Fixed",)
    assert built == ["Fixed"] and logged[-1] == "built Fixed"


def test_build_error_is_shown_not_raised(tmp_path: Path) -> None:
    site = DevSite(default_config(base_dir=tmp_path))

    def build(config: Config) -> list[str]:
        raise ConfigError(["digests[0].templates: /x is not a folder"])

    assert Rebuilder(site, lambda: site.config, build, lambda _line: None)() is False
    assert site.status[0] == "build failed"
    assert "  digests[0].templates: /x is not a folder" in site.status


def test_snapshot_notices_same_size_rewrite(tmp_path: Path) -> None:
    article = tmp_path / "a.md"
    article.write_text("abc", encoding="utf-8")
    os.utime(article, ns=(1_000_000_000, 1_000_000_000))
    first = snapshot([tmp_path])
    article.write_text("xyz", encoding="utf-8")
    os.utime(article, ns=(2_000_000_000, 2_000_000_000))
    assert snapshot([tmp_path]) != first


def test_an_edit_saved_during_a_rebuild_is_rebuilt_too(tmp_path: Path) -> None:
    """The watcher compares with the state the build read, not the state after it."""
    import threading

    from feeds.serve.watch import Watcher

    article = tmp_path / "a.md"
    article.write_text("one", encoding="utf-8")
    calls: list[str] = []
    done = threading.Event()

    def on_change() -> None:
        calls.append(article.read_text(encoding="utf-8"))
        if len(calls) == 1:
            article.write_text("three, saved while building", encoding="utf-8")
        else:
            done.set()

    watcher = Watcher(lambda: [tmp_path], on_change, interval=0.02, quiet=0.02)
    watcher.start()
    try:
        article.write_text("two", encoding="utf-8")
        assert done.wait(timeout=10), calls
    finally:
        watcher.stopped.set()
        watcher.join(timeout=5)
    assert calls == ["two", "three, saved while building"]
