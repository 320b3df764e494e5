"""feeds.content.aside: a forked child lists the sources while the build imports; what it
sends is what listing them here gives, and a child that fails costs only the overlap."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feeds.buildstamp import STAMP_FILE, RawInputs, _listing, quick_replay
from feeds.content import aside as aside_module
from feeds.content.aside import list_aside
from feeds.content.discover import discover
from feeds.statefiles import write_json

NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    for rel in ("a.md", "b/c.md", "b/d/e.html", "b/skip.md", ".hidden.md", "x.txt", "f~",
                "新闻/二.md"):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\ntitle: t\n---\nbody\n", encoding="utf-8")
    return root


def gone(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_the_child_sends_what_listing_here_gives(tree: Path) -> None:
    here = discover([tree], ["b/skip.md"], explicit=False)
    aside = list_aside([tree], ["b/skip.md"], _listing)
    assert aside is not None
    with aside:
        assert aside.digest() == _listing(here)
        assert aside.sources() == here
    assert gone(aside.pid)
    assert [s.rel for s in here] == ["a.md", "b/c.md", "b/d/e.html", "新闻/二.md"]


def test_reading_only_the_digest_leaves_no_child_behind(tmp_path: Path) -> None:
    root = tmp_path / "many"
    root.mkdir()
    for n in range(3000):  # more than a pipe holds: the child is still writing when closed
        (root / f"post-with-a-long-name-{n:05d}.md").write_text("x", encoding="utf-8")
    aside = list_aside([root], [], _listing)
    assert aside is not None
    with aside:
        assert aside.digest() == _listing(discover([root], [], explicit=False))
    assert gone(aside.pid)


def stamp(tree: Path, state: Path, listing: str) -> RawInputs:
    raw = RawInputs("key", state, "config-key")
    entry = {"roots": [str(tree)], "ignore": [], "listing": listing, "due": None,
             "outputs": {}, "problems": [], "counts": {"articles": 4}}
    state.mkdir()
    write_json(state / STAMP_FILE, {raw.slot: entry})
    return raw


def test_an_unchanged_listing_replays_without_the_sources(tree: Path, tmp_path: Path) -> None:
    raw = stamp(tree, tmp_path / "state", _listing(discover([tree], [], explicit=False)))
    calls: list[int] = []
    replay = quick_replay(raw, NOW, meanwhile=lambda unchanged: calls.append(1))
    assert replay is not None and replay.counts == {"articles": 4}
    assert calls == [1] and raw.listed is None


def test_a_changed_listing_hands_the_childs_sources_to_the_build(
    tree: Path, tmp_path: Path
) -> None:
    raw = stamp(tree, tmp_path / "state", "an older listing")
    calls: list[int] = []
    assert quick_replay(raw, NOW, meanwhile=lambda unchanged: calls.append(1)) is None
    here = discover([tree], [], explicit=False)
    assert calls == [1] and raw.listed == ([str(tree)], [], here, _listing(here))


@pytest.mark.parametrize("failure", ["no fork", "child fails", "garbage"])
def test_a_child_that_cannot_list_costs_only_the_overlap(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    if failure == "no fork":
        def refuse() -> int:
            raise OSError("no more processes")
        monkeypatch.setattr(aside_module.os, "fork", refuse)
    elif failure == "child fails":  # the child runs the patched discover and dies quietly
        def broken(*_args: object, **_kw: object) -> list[object]:
            raise PermissionError("denied")
        monkeypatch.setattr(aside_module, "discover", broken)
    else:
        def wrong(_sources: object) -> str:
            return "not a digest"
        monkeypatch.setattr("feeds.buildstamp._listing", wrong)
    here = discover([tree], [], explicit=False)
    raw = stamp(tree, tmp_path / "state", _listing(here) if failure != "garbage" else "x")
    replay = quick_replay(raw, NOW, meanwhile=lambda unchanged: None)
    if failure == "garbage":  # the digest is wrong the same way here: nothing replays
        assert replay is None and raw.listed is not None and raw.listed[2] == here
    else:
        assert replay is not None and replay.counts == {"articles": 4}


def wait_for(unchanged: Callable[[], bool], seconds: float = 10) -> bool:
    """What ``unchanged()`` says once the child has answered (or the time is up)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if unchanged():
            return True
        time.sleep(0.005)
    return False


@pytest.mark.parametrize("same", [True, False])
def test_meanwhile_learns_early_whether_the_build_will_be_replayed(
    tree: Path, tmp_path: Path, same: bool
) -> None:
    """unchanged() turns true once the child's digest is the stamp's: what only a build
    that runs needs (reading the cache ahead) can stop there."""
    listing = _listing(discover([tree], [], explicit=False))
    raw = stamp(tree, tmp_path / "state", listing if same else "an older listing")
    seen: list[bool] = []
    replay = quick_replay(raw, NOW, meanwhile=lambda unchanged: seen.append(
        wait_for(unchanged, 10 if same else 0.3)))
    assert seen == [same] and (replay is not None) == same


def test_records_read_ahead_never_outlive_the_build_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that stops before reading its cache (here: it fails) leaves nothing a later
    build in the same process (feeds schedule, feeds serve) could take."""
    from test_perf_cache import write_site

    import feeds.build
    from feeds.cli import main
    from feeds.content import cache

    write_site(tmp_path)
    (tmp_path / "config.yaml").write_text(
        "site: {url: 'https://example.com/'}\ncontent: {dirs: [content]}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit):
        main(["build", "-q"])
    (tmp_path / "content" / "post-1.md").write_text("---\ntitle: New\n---\n\nBody.\n", "utf-8")
    read: list[int] = []
    real = cache.ArticleCache.read_ahead

    def spy(self: cache.ArticleCache, stop: Callable[[], bool] = lambda: False) -> None:
        real(self, stop)
        read.append(len(cache._AHEAD))

    def fail(*_args: object, **_kw: object) -> None:
        raise OSError("the disk went away")

    monkeypatch.setattr(cache.ArticleCache, "read_ahead", spy)
    monkeypatch.setattr(feeds.build, "run_build", fail)
    with pytest.raises((SystemExit, OSError)):
        main(["build", "-q"])
    assert read == [1] and cache._AHEAD == {}


def test_no_child_is_forked_beside_other_threads(tree: Path) -> None:
    """Forking copies only the calling thread: a lock another one holds would stay held in
    the child forever. The caller then lists the sources itself."""
    import threading

    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert list_aside([tree], [], _listing) is None
    finally:
        release.set()
        other.join()
    aside = list_aside([tree], [], _listing)
    assert aside is not None
    aside.close()


CONFIGS = [
    "",  # no content section: ./content beside the config
    "content:\n  dirs: content\n",
    "content:\n  dirs: [content, ../elsewhere/./more]\n  ignore: 'b/*'\n",
    "content: {dirs: ['~/notes', '/srv/site/posts'], ignore: [drafts/*, '*.tmp']}\n",
    "site: {title: x}\ncontent:\n  drafts: true\n",
]


@pytest.mark.parametrize("text", CONFIGS)
@pytest.mark.parametrize("flag", [False, True])
def test_the_roots_guessed_before_validating_are_the_validated_ones(
    tmp_path: Path, text: str, flag: bool
) -> None:
    from feeds.buildstamp import raw_inputs
    from feeds.config import load_config

    config_file = tmp_path / "site" / "config.yaml"
    config_file.parent.mkdir()
    config_file.write_text(text, encoding="utf-8")
    overrides = {"content": {"dirs": [str(tmp_path / "flagged")]}} if flag else {}
    raw = raw_inputs(config_file=config_file, overrides=overrides, out=None, only=(), limit=None)
    assert raw is not None
    config = load_config(config_file, overrides)
    assert raw.guess() == ([str(d) for d in config.content.dirs], list(config.content.ignore))


def test_nothing_is_guessed_where_only_validation_can_tell(tmp_path: Path) -> None:
    from feeds.buildstamp import raw_inputs

    config_file = tmp_path / "config.yaml"
    config_file.write_text("content:\n  dirs: ['${POSTS}']\n", encoding="utf-8")
    raw = raw_inputs(config_file=config_file, overrides={}, out=None, only=(), limit=None)
    assert raw is not None and raw.guess() is None


def test_a_first_build_lists_its_sources_in_a_child_meanwhile(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No stamp yet: the child lists the folders the raw config names while the CLI
    validates the config, and the build takes that listing (its folders are the validated
    ones)."""
    import feeds.buildstamp
    from feeds.build import run_build
    from feeds.buildstamp import raw_inputs
    from feeds.config import load_config

    config_file = tmp_path / "config.yaml"
    config_file.write_text(f"site: {{url: 'https://example.com/'}}\ncontent:\n  dirs: [{tree}]\n"
                           f"  ignore: [b/skip.md]\nstate: {tmp_path}/state\n", encoding="utf-8")
    raw = raw_inputs(config_file=config_file, overrides={}, out=tmp_path / "out", only=(),
                     limit=None)
    assert raw is not None
    seen: list[str] = []
    assert quick_replay(raw, NOW, meanwhile=lambda unchanged: seen.append("meanwhile"),
                        unstamped=lambda: seen.append("unstamped")) is None
    assert seen == ["unstamped"] and raw.listed is not None
    here = discover([tree], ["b/skip.md"], explicit=False)
    assert raw.listed == ([str(tree)], ["b/skip.md"], here, _listing(here))
    listed_again: list[object] = []
    monkeypatch.setattr(feeds.buildstamp, "discover", lambda *a, **k: listed_again.append(a))
    report = run_build(load_config(config_file), now=NOW, out=tmp_path / "out", raw=raw)
    assert report.counts["files"] == 4 and listed_again == []
