"""publish: atomic replace, untouched when unchanged, never outside the output folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from feeds.errors import UsageError
from feeds.publish import Outcome, publish


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
