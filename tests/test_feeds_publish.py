"""publish: atomic replace, untouched when unchanged, never outside the output folder; drafts
in memory or in temp files beside their targets, nothing left behind."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from feeds.errors import UsageError
from feeds.publish import Drafts, Outcome, publish


def test_writes_then_keeps_mtime_when_unchanged(tmp_path: Path) -> None:
    assert publish(tmp_path, "a/b/feed.xml", b"one") is Outcome.WRITTEN
    target = tmp_path / "a" / "b" / "feed.xml"
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    assert publish(tmp_path, "a/b/feed.xml", b"one") is Outcome.UNCHANGED
    assert target.stat().st_mtime_ns == 1_000_000_000
    assert publish(tmp_path, "a/b/feed.xml", b"two") is Outcome.WRITTEN
    assert target.read_bytes() == b"two" and target.stat().st_mtime_ns != 1_000_000_000


def test_replace_is_atomic_and_leaves_no_temp_files(tmp_path: Path) -> None:
    publish(tmp_path, "feed.xml", b"old")
    inode = (tmp_path / "feed.xml").stat().st_ino
    publish(tmp_path, "feed.xml", b"new")
    assert (tmp_path / "feed.xml").stat().st_ino != inode  # a new file renamed over the old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.xml"]


def test_readable_by_a_web_server_and_keeps_an_existing_mode(tmp_path: Path) -> None:
    publish(tmp_path, "feed.xml", b"x")
    assert (tmp_path / "feed.xml").stat().st_mode & 0o777 == 0o644
    (tmp_path / "feed.xml").chmod(0o640)
    publish(tmp_path, "feed.xml", b"y")
    assert (tmp_path / "feed.xml").stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("rel", ["../x.xml", "a/../../x.xml", "/etc/x.xml", "."])
def test_refuses_paths_outside_the_output_folder(tmp_path: Path, rel: str) -> None:
    out = tmp_path / "public"
    with pytest.raises(UsageError, match="outside the output folder"):
        publish(out, rel, b"x")
    assert not (tmp_path / "x.xml").exists()


def test_refuses_a_symlink_pointing_outside(tmp_path: Path) -> None:
    out = tmp_path / "public"
    out.mkdir()
    (out / "link").symlink_to(tmp_path)
    with pytest.raises(UsageError):
        publish(out, "link/x.xml", b"x")


# drafts: a job's files between rendering and publishing ------------------------------------


def test_drafts_stay_in_memory_up_to_their_limit_then_go_to_temp_files(tmp_path: Path) -> None:
    with Drafts(tmp_path, memory=10) as drafts:
        small = drafts.write("small.xml", [b"12345", b"678"])
        large = drafts.write("a/b/large.xml", iter([b"abc", b"defgh", b"ijk"]))
        assert (small.data, small.file) == (b"12345678", None)
        assert large.data is None and large.file is not None
        assert large.file.parent == tmp_path / "a" / "b" and large.file.name.startswith(".large")
        assert large.read() == b"".join(large) == b"abcdefghijk"
        assert (small.publish(), large.publish()) == (Outcome.WRITTEN, Outcome.WRITTEN)
    assert (tmp_path / "a" / "b" / "large.xml").read_bytes() == b"abcdefghijk"
    assert (tmp_path / "a" / "b" / "large.xml").stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in (tmp_path / "a" / "b").iterdir()) == ["large.xml"]


def test_a_large_draft_leaves_an_unchanged_file_alone(tmp_path: Path) -> None:
    target = tmp_path / "feed.xml"
    target.write_bytes(b"same bytes")
    target.chmod(0o640)
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    with Drafts(tmp_path, memory=0) as drafts:
        assert drafts.write("feed.xml", [b"same ", b"bytes"]).publish() is Outcome.UNCHANGED
        assert drafts.write("feed.xml", [b"other ", b"bytes"]).publish() is Outcome.WRITTEN
    assert target.read_bytes() == b"other bytes" and target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.xml"]


def test_drafts_not_published_are_removed_with_the_folders_made_for_them(
    tmp_path: Path,
) -> None:
    (tmp_path / "kept").mkdir()
    with pytest.raises(RuntimeError), Drafts(tmp_path, memory=0) as drafts:
        drafts.write("kept/x.xml", [b"x"])
        drafts.write("new/deeper/y.xml", [b"y"])
        drafts.write("new/z.xml", [b"z"]).publish()
        raise RuntimeError("a crash before the rest are published")
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == [
        "kept", "new", "new/z.xml"
    ]


def test_a_draft_that_fails_while_rendering_leaves_nothing(tmp_path: Path) -> None:
    def pieces() -> Iterator[bytes]:
        yield b"<rss>"
        raise ValueError("broken item")

    with Drafts(tmp_path, memory=0) as drafts, pytest.raises(ValueError):
        drafts.write("sub/feed.xml", pieces())
    assert list(tmp_path.iterdir()) == []


def _record_fsyncs(monkeypatch: pytest.MonkeyPatch, fail_first: bool = False) -> list[str]:
    """The names of the threads that flush a file, in order (the flush itself still runs)."""
    import threading

    calls: list[str] = []
    real = os.fsync

    def fsync(descriptor: int) -> None:
        calls.append(threading.current_thread().name)
        if fail_first and len(calls) == 1:
            raise OSError(5, "Input/output error")
        real(descriptor)

    monkeypatch.setattr("feeds.publish.os.fsync", fsync)
    return calls


def test_a_large_draft_is_compared_and_flushed_as_soon_as_it_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _record_fsyncs(monkeypatch)
    (tmp_path / "same.xml").write_bytes(b"same bytes")
    with Drafts(tmp_path, memory=0) as drafts:
        changed = drafts.write("feed.xml", [b"new ", b"bytes"])
        same = drafts.write("same.xml", [b"same ", b"bytes"])
        assert changed._settled() is False and same._settled() is True  # known before publish
        assert calls == ["settle-draft"]  # the changed one flushed, by the thread
        assert (changed.publish(), same.publish()) == (Outcome.WRITTEN, Outcome.UNCHANGED)
    assert calls == ["settle-draft"]  # publishing did not flush again
    assert (tmp_path / "feed.xml").read_bytes() == b"new bytes"


def test_publishing_flushes_itself_when_the_thread_could_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _record_fsyncs(monkeypatch, fail_first=True)
    with Drafts(tmp_path, memory=0) as drafts:
        assert drafts.write("feed.xml", [b"bytes"]).publish() is Outcome.WRITTEN
    assert calls == ["settle-draft", "MainThread"]
    assert (tmp_path / "feed.xml").read_bytes() == b"bytes"


def test_no_settling_thread_outlives_its_drafts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    real = os.fsync

    def slow_fsync(descriptor: int) -> None:  # a slow disk: the threads are still at work
        time.sleep(0.1)
        real(descriptor)

    monkeypatch.setattr("feeds.publish.os.fsync", slow_fsync)
    with pytest.raises(RuntimeError), Drafts(tmp_path, memory=0) as drafts:
        for n in range(5):
            drafts.write(f"feed{n}.xml", [b"x" * 100_000])
        raise RuntimeError("a check failed: nothing is published")
    assert not [t for t in threading.enumerate() if t.name == "settle-draft"]
    assert list(tmp_path.iterdir()) == []
