"""feedcheck.beside: a spawned process checks feed files while they are still being written,
and says what check_file says.

- a file written slowly, in pieces, is read to its end and judged like the finished file;
- a bad file gets check_file's messages; a small one is checked whole;
- many files in a row never block either side (verdicts are taken while more are sent);
- a checker that dies leaves its files to be checked here;
- with worker processes off (FEEDS_WORKERS=1) no process starts at all;
- Drafts tell their watcher of each temp file, its kind and its final size, also when the
  rendering fails half-way.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from feeds_support import make_config, meta
from test_feeds_feedcheck_stream import many

import feeds.content.collect as collect_module
from feeds.build import _start_checker, run_build
from feeds.config import default_config
from feeds.feedcheck import check_file
from feeds.feedcheck.beside import Checker, _Growing, _Inbox
from feeds.publish import Drafts
from feeds.render import Entry, chunk_renderer


def rendered(kind: str, count: int) -> list[bytes]:
    """A feed of ``count`` items in the pieces the renderer makes."""
    return list(chunk_renderer(kind)(meta(), [Entry(a) for a in many(count)]))


@pytest.fixture
def stream_from_small(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files past a few kilobytes are checked in pieces (the checker is told at start)."""
    monkeypatch.setattr("feeds.feedcheck.STREAM_FROM", 4_000)
    monkeypatch.delenv("FEEDS_WORKERS", raising=False)


def follow_and_write(checker: Checker, path: Path, kind: str, pieces: list[bytes],
                     pause: float = 0.0) -> None:
    with path.open("wb") as handle:
        checker.follow(path, kind)  # as Drafts do: once the file exists
        for piece in pieces:
            handle.write(piece)
            handle.flush()
            if pause:
                time.sleep(pause)
    checker.finish(path, sum(map(len, pieces)))


@pytest.mark.usefixtures("stream_from_small")
@pytest.mark.parametrize("kind", ["rss", "atom", "json"])
def test_a_file_still_being_written_is_judged_like_the_finished_one(
    tmp_path: Path, kind: str
) -> None:
    pieces = rendered(kind, 120)
    assert len(pieces) > 3 and sum(map(len, pieces)) > 4_000  # read in several pieces
    with Checker() as checker:
        path = tmp_path / f"feed.{kind}"
        follow_and_write(checker, path, kind, pieces, pause=0.02)
        errors, seconds = checker.verdict(path)
        assert checker._proc is not None  # checked in the other process
    assert errors == [] == check_file(path, kind) and seconds > 0


def test_a_growing_file_is_read_to_its_end_in_full_reads(tmp_path: Path) -> None:
    """The checker's reader waits for the writer: every read of n bytes gives n bytes
    until the end the writer announces, however the writing is paced."""
    from multiprocessing import Pipe

    pieces = [bytes([65 + n % 26]) * (1000 + 37 * n) for n in range(40)]
    path = tmp_path / "growing"
    path.write_bytes(b"")
    ours, theirs = Pipe()

    def writer() -> None:
        with path.open("ab") as handle:
            for piece in pieces:
                handle.write(piece)
                handle.flush()
                time.sleep(0.003)
        ours.send(("size", str(path), sum(map(len, pieces))))

    thread = threading.Thread(target=writer)
    thread.start()
    growing = _Growing(str(path), _Inbox(theirs))
    with growing.handle:
        reads = [growing.read(4096) for _ in range(20)]
    thread.join()
    whole = b"".join(pieces)
    assert b"".join(reads) == whole
    assert [len(r) for r in reads] == [min(4096, max(0, len(whole) - 4096 * n)) for n in range(20)]


@pytest.mark.usefixtures("stream_from_small")
def test_bad_files_get_check_files_messages_and_small_ones_are_checked_whole(
    tmp_path: Path,
) -> None:
    twins = [*many(60), replace(many(1)[0], id="urn:x:3")]  # one guid twice
    bad = list(chunk_renderer("rss")(meta(), [Entry(a) for a in twins]))
    small = [b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>', b"</rss>"]
    wrong_kind = rendered("atom", 40)
    with Checker() as checker:
        files = {"bad.xml": ("rss", bad), "small.xml": ("rss", small),
                 "kind.xml": ("rss", wrong_kind)}
        for name, (kind, pieces) in files.items():
            follow_and_write(checker, tmp_path / name, kind, pieces)
        verdicts = {name: checker.verdict(tmp_path / name)[0] for name in files}
    for name, (kind, _) in files.items():
        assert verdicts[name] == check_file(tmp_path / name, kind) != []
    assert verdicts["bad.xml"] == ["guid 'urn:x:3' is used 2 times"]


@pytest.mark.usefixtures("stream_from_small")
def test_many_files_in_a_row_never_block_either_side(tmp_path: Path) -> None:
    pieces = rendered("rss", 3)
    paths = [tmp_path / f"f{n}.xml" for n in range(1500)]  # verdicts > a pipe's 64 KB
    done = threading.Event()

    def send_all() -> None:
        with Checker() as checker:
            for path in paths:  # no verdict asked for until every file is sent
                follow_and_write(checker, path, "rss", pieces)
            assert all(checker.verdict(path)[0] == [] for path in paths)
            done.set()

    thread = threading.Thread(target=send_all, daemon=True)
    thread.start()
    thread.join(timeout=40)
    assert done.is_set()


@pytest.mark.usefixtures("stream_from_small")
def test_a_checker_that_dies_leaves_the_check_to_this_process(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.xml", tmp_path / "bad.xml"
    with Checker() as checker:
        good.write_bytes(b"".join(rendered("rss", 30)))
        checker.follow(good, "rss")  # the process starts with the first file
        checker._proc.kill()
        checker._proc.wait()
        checker.finish(good, good.stat().st_size)
        follow_and_write(checker, bad, "atom", rendered("rss", 30))
        assert checker.verdict(good) == ([], pytest.approx(0, abs=5))
        assert checker.verdict(bad)[0] == check_file(bad, "atom") != []
        with pytest.raises(ValueError, match="never followed"):
            checker.verdict(tmp_path / "other.xml")


@pytest.mark.usefixtures("stream_from_small")
def test_a_checker_started_early_checks_the_files_followed_later(tmp_path: Path) -> None:
    path = tmp_path / "f.xml"
    with Checker(wanted=False) as checker:
        checker.start()  # before any file: its interpreter starts meanwhile
        started = checker._proc
        assert started is not None
        checker.want(True)
        follow_and_write(checker, path, "rss", rendered("rss", 30))
        assert checker.verdict(path)[0] == []
        assert checker._proc is started  # the same process, not a second one
        assert path in checker._started  # checked there, not here
    assert started.poll() is not None


@pytest.mark.usefixtures("stream_from_small")
def test_a_checker_started_early_but_not_wanted_stops_and_files_are_checked_here(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.xml"
    with Checker() as checker:
        checker.start()
        started = checker._proc
        assert started is not None
        checker.want(False)  # the plan came out small
        assert started.wait(timeout=10) is not None
        follow_and_write(checker, bad, "atom", rendered("rss", 30))
        assert checker._proc is None
        assert checker.verdict(bad)[0] == check_file(bad, "atom") != []
        assert bad not in checker._started


def test_no_process_when_workers_are_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDS_WORKERS", "1")
    with Checker() as checker:
        follow_and_write(checker, tmp_path / "f.xml", "rss", rendered("rss", 30))
        assert checker._proc is None
        assert checker.verdict(tmp_path / "f.xml")[0] == []


class Watched:
    def __init__(self) -> None:
        self.told: list[tuple[str, Path, object]] = []

    def follow(self, path: Path, kind: str) -> None:
        assert path.exists()
        self.told.append(("follow", path, kind))

    def finish(self, path: Path, size: int) -> None:
        self.told.append(("finish", path, size))


def test_drafts_tell_their_watcher_of_each_temp_file(tmp_path: Path) -> None:
    def failing() -> Iterator[bytes]:
        yield b"12345"
        raise ValueError("broken item")

    watcher = Watched()
    with Drafts(tmp_path, memory=6, watcher=watcher) as drafts:
        small = drafts.write("small.xml", [b"123"], "rss")
        large = drafts.write("large.json", [b"1234", b"56789", b"0"], "json")
        assert small.file is None and large.file is not None
        with pytest.raises(ValueError):
            drafts.write("failed.xml", failing(), "atom")
        assert watcher.told[:2] == [("follow", large.file, "json"), ("finish", large.file, 10)]
        (follow, failed, kind), (finish, same, size) = watcher.told[2:]
        assert (follow, kind, finish, same, size) == ("follow", "atom", "finish", failed, 5)
        assert failed.name.startswith(".failed.xml.")


def test_a_script_without_a_main_guard_runs_once(tmp_path: Path) -> None:
    """The checker is a new interpreter that imports feeds only: a caller's script is not
    run again in it (multiprocessing's spawn would, without an ``if __name__`` guard)."""
    import subprocess
    import sys
    import textwrap

    runs = tmp_path / "runs"
    script = tmp_path / "build.py"
    script.write_text(textwrap.dedent(f"""
        from pathlib import Path
        from feeds.feedcheck.beside import Checker
        with open({str(runs)!r}, "a") as log:
            log.write("run\\n")
        path = Path({str(tmp_path / "feed.xml")!r})
        data = Path({str(tmp_path / "source.xml")!r}).read_bytes()
        with Checker() as checker:
            path.write_bytes(data)
            checker.follow(path, "rss")
            checker.finish(path, len(data))
            assert checker._proc is not None
            print(checker.verdict(path)[0])
    """))
    (tmp_path / "source.xml").write_bytes(b"".join(rendered("rss", 30)))
    root = str(Path(__file__).resolve().parents[1])
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60,
        env={"PYTHONPATH": root, "PATH": "/usr/bin:/bin"}, check=False,
    )
    assert (done.returncode, done.stdout, runs.read_text()) == (0, "[]\n", "run\n"), done.stderr


def test_no_interpreter_to_start_means_checking_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FEEDS_WORKERS", raising=False)
    monkeypatch.setattr("sys.executable", str(tmp_path / "no-python"))
    with Checker() as checker:
        follow_and_write(checker, tmp_path / "f.xml", "rss", rendered("rss", 30))
        assert checker._proc is None
        assert checker.verdict(tmp_path / "f.xml")[0] == []


@pytest.mark.usefixtures("stream_from_small")
def test_ctrl_c_is_the_builds_to_handle_not_the_checkers(tmp_path: Path) -> None:
    """Ctrl-C reaches the whole process group; the checker ignores it (the build ends it),
    instead of dying with a traceback on the user's terminal."""
    import os
    import signal

    with Checker() as checker:
        follow_and_write(checker, tmp_path / "one.xml", "rss", rendered("rss", 30))
        assert checker.verdict(tmp_path / "one.xml")[0] == []  # the checker is serving
        assert checker._proc is not None
        os.kill(checker._proc.pid, signal.SIGINT)
        follow_and_write(checker, tmp_path / "two.xml", "rss", rendered("rss", 30))
        assert checker.verdict(tmp_path / "two.xml")[0] == []
        assert checker._conn is not None and checker._proc.poll() is None  # still there


_PER_CATEGORY = {"name": "c", "format": "atom", "path": "c/{slug}.xml", "per": "category"}


@pytest.mark.parametrize(
    ("feeds", "limit", "cleaned", "starts"),
    [
        (None, 0, 1334, True),  # three site feeds of every article: 4 002 items
        (None, 0, 1333, False),  # 3 999 items: checked here, no process
        (None, None, 100_000, False),  # the default feeds: 50 items each
        (None, 2000, 1500, True),  # the limit given caps nothing here: 4 500 items
        ([{**_PER_CATEGORY, "limit": 0}], None, 100_000, False),  # unknown until planned
    ],
)
def test_the_checker_starts_once_cleaned_only_when_the_site_feeds_are_large(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, feeds: list | None, limit: int | None,
    cleaned: int, starts: bool,
) -> None:
    monkeypatch.delenv("FEEDS_WORKERS", raising=False)
    config = make_config(tmp_path, feeds)
    with Checker() as checker:
        _start_checker(checker, config.feeds, limit, cleaned)
        assert (checker._proc is not None) is starts


def test_a_large_build_starts_the_checker_before_gathering_and_writes_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FEEDS_WORKERS", raising=False)
    content = tmp_path / "content"
    content.mkdir()
    for day in range(1, 9):
        (content / f"p{day}.md").write_text(
            f"---\ntitle: 第{day}篇\ndate: 2026-11-{day:02d} 08:00:00\n---\n\n<p>正文{day}</p>\n",
            encoding="utf-8",
        )
    events: list[str] = []
    checkers: list[Checker] = []
    real_start, real_gather = Checker.start, collect_module._gather

    def start(self: Checker) -> None:
        events.append("start")
        checkers.append(self)
        real_start(self)

    def gather(*args: object, **kwargs: object) -> object:
        events.append("gather")
        return real_gather(*args, **kwargs)

    monkeypatch.setattr(Checker, "start", start)
    monkeypatch.setattr(collect_module, "_gather", gather)

    def build(out: str) -> dict[str, bytes]:
        config = default_config({
            "site": {"url": "https://example.com/"}, "content": {"dirs": [str(content)]},
            "output": str(tmp_path / out), "state": str(tmp_path / f"{out}-state"),
        })
        report = run_build(config, now=datetime(2026, 12, 1, tzinfo=UTC), limit=0)
        assert report.failed == () and len(report.written) == 3
        return {p.name: p.read_bytes() for p in sorted((tmp_path / out).iterdir())}

    monkeypatch.setattr("feeds.publish.MEMORY", 0)  # every draft to a file the checker reads
    monkeypatch.setattr("feeds.build._CHECK_BESIDE_ITEMS", 24)  # 8 articles in 3 feeds
    beside = build("beside")
    assert events == ["start", "gather"]
    assert len(checkers) == 1 and len(checkers[0]._kinds) == 3  # its three files followed
    events.clear()
    monkeypatch.setattr("feeds.build._CHECK_BESIDE_ITEMS", 25)
    here = build("here")
    assert events == ["gather"]
    assert beside == here
