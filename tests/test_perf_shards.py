"""The shard pool: results in order, work routed to the worker that holds its text, idle
workers helping the others, failures reported instead of hanging."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from feeds.content.shards import ShardPool
from feeds.errors import FeedsError


def remember(item: str, shared: str, _extra: None, store: dict[str, Any]) -> tuple[str, int]:
    """Phase one: keep the item, answer with the worker's pid."""
    store[item] = f"{shared}:{item}"
    return item, os.getpid()


def recall(item: str, _shared: str, extra: str, store: dict[str, Any]) -> tuple[str, bool, int]:
    """Phase two: was the item kept by this worker?"""
    return f"{extra}{item}", item in store, os.getpid()


def explode(item: str, _shared: str, _extra: None, _store: dict[str, Any]) -> str:
    if item == "bad":
        raise ValueError("no good")
    return item


def die(item: str, _shared: str, _extra: None, _store: dict[str, Any]) -> str:
    if item == "last":
        os._exit(3)
    return item


def interrupted(item: str, _shared: str, _extra: None, _store: dict[str, Any]) -> str:
    """Ctrl-C as the terminal sends it: to every process of the group, workers included."""
    if item == ITEMS[5]:
        os.kill(os.getpid(), signal.SIGINT)
    return item


def key(item: str) -> str:
    return item


ITEMS = [f"item-{i:04d}" for i in range(1200)]


@pytest.fixture
def two_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDS_WORKERS", "2")


@pytest.mark.usefixtures("two_workers")
def test_results_come_back_in_order_from_two_processes() -> None:
    with ShardPool("shared") as pool:
        results = list(pool.run(remember, ITEMS, key))
    assert [item for item, _ in results] == ITEMS
    pids = {pid for _, pid in results}
    assert len(pids) == 2 and os.getpid() not in pids


@pytest.mark.usefixtures("two_workers")
def test_a_short_phase_is_shared_by_both_workers() -> None:
    with ShardPool("shared") as pool:  # three chunks, all sent at once: in turns, not 3 to one
        results = list(pool.run(remember, ITEMS[:192], key))
    assert len({pid for _, pid in results}) == 2


@pytest.mark.usefixtures("two_workers")
def test_a_later_phase_runs_where_the_item_was_kept() -> None:
    with ShardPool("shared") as pool:
        first = dict(pool.run(remember, ITEMS, key))
        # a later phase over a part, in another order: each item finds what it kept
        part = ITEMS[::-3]
        second = list(pool.run(recall, part, key, extra="again:"))
    assert [name for name, _, _ in second] == [f"again:{item}" for item in part]
    # an item is found exactly when it ran in the worker that kept it; one that did not was
    # taken by a worker out of its own work, which reads it anew (how many: a matter of timing)
    assert all(found == (pid == first[item])
               for (_, found, pid), item in zip(second, part, strict=True))
    assert {pid for _, found, pid in second if found} == set(first.values())


@pytest.mark.usefixtures("two_workers")
def test_progress_is_told_as_chunks_finish() -> None:
    told: list[int] = []
    with ShardPool("shared") as pool:
        list(pool.run(remember, ITEMS, key, advance=told.append))
    assert sum(told) == len(ITEMS) and len(told) > 2


@pytest.mark.usefixtures("two_workers")
def test_a_task_that_raises_is_reported_with_its_reason() -> None:
    items = [*ITEMS[:600], "bad", *ITEMS[600:]]
    with ShardPool("shared") as pool, pytest.raises(FeedsError) as raised:
        list(pool.run(explode, items, key))
    assert raised.value.message == "bad: failed in a worker process: ValueError: no good"


@pytest.mark.usefixtures("two_workers")
def test_a_worker_that_dies_is_reported_not_waited_for() -> None:
    items = [*ITEMS, "last"]
    with ShardPool("shared") as pool, pytest.raises(FeedsError) as raised:
        list(pool.run(die, items, key))
    assert raised.value.message == "a worker process died"


def test_small_work_runs_in_this_process_with_one_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FEEDS_WORKERS", raising=False)
    with ShardPool("shared") as pool:
        first = list(pool.run(remember, ITEMS[:10], key))
        second = list(pool.run(recall, ITEMS[:10], key, extra=""))
    assert {pid for _, pid in first} == {os.getpid()}
    assert all(found for _, found, _ in second)


@pytest.mark.usefixtures("two_workers")
def test_a_phase_left_half_read_never_leaks_into_the_next() -> None:
    with ShardPool("shared") as pool:
        results = pool.run(remember, ITEMS, key)
        next(results)
        results.close()  # the caller gave up: chunks were still in flight
        again = list(pool.run(recall, ITEMS, key, extra="next:"))
    assert [name for name, _, _ in again] == [f"next:{item}" for item in ITEMS]
    assert not any(found for _, found, _ in again)  # new workers, holding nothing


def mark_started(item: str, folder: str, _extra: None, _store: dict[str, Any]) -> str:
    """Leaves a file saying the item's worker began (the folder is the pool's shared)."""
    (Path(folder) / f"{item}.{os.getpid()}").touch()
    return item


@pytest.mark.usefixtures("two_workers")
def test_meanwhile_runs_here_while_the_workers_work(tmp_path: Path) -> None:
    """Called once, in this process (in a thread), after the workers have their first chunks
    and before any result is yielded: it can see them working (the files they leave appear)."""
    seen: list[tuple[int, int]] = []

    def meanwhile() -> None:
        end = time.monotonic() + 10
        while not any(tmp_path.iterdir()) and time.monotonic() < end:
            time.sleep(0.005)
        seen.append((os.getpid(), len(list(tmp_path.iterdir()))))

    with ShardPool(str(tmp_path)) as pool:
        results = pool.run(mark_started, ITEMS, key, meanwhile=meanwhile)
        assert seen == []  # a generator: nothing runs before the first result is asked for
        first = next(results)
        assert len(seen) == 1 and seen[0][0] == os.getpid() and seen[0][1] > 0
        assert [first, *results] == ITEMS and len(seen) == 1


@pytest.mark.usefixtures("two_workers")
def test_the_workers_are_kept_fed_while_meanwhile_runs(tmp_path: Path) -> None:
    """Each worker gets two chunks (64 items each) before meanwhile starts; it waits here
    until more items than that were begun, which only happens if chunks keep going out."""
    first_chunks = 2 * 2 * 64
    begun: list[int] = []

    def meanwhile() -> None:
        end = time.monotonic() + 5
        while len(list(tmp_path.iterdir())) <= first_chunks and time.monotonic() < end:
            time.sleep(0.005)
        begun.append(len(list(tmp_path.iterdir())))

    with ShardPool(str(tmp_path)) as pool:
        assert list(pool.run(mark_started, ITEMS, key, meanwhile=meanwhile)) == ITEMS
    assert begun[0] > first_chunks


def _meanwhile_threads() -> list[str]:
    import threading

    return [t.name for t in threading.enumerate() if t.name == "meanwhile"]


@pytest.mark.usefixtures("two_workers")
def test_an_error_in_meanwhile_is_raised_by_the_results(tmp_path: Path) -> None:
    def meanwhile() -> None:
        raise OSError("the cache could not be written")

    with ShardPool(str(tmp_path)) as pool, pytest.raises(OSError, match="could not be written"):
        list(pool.run(mark_started, ITEMS, key, meanwhile=meanwhile))
    assert _meanwhile_threads() == []


@pytest.mark.usefixtures("two_workers")
def test_meanwhile_runs_and_reports_in_a_phase_with_nothing_to_send(tmp_path: Path) -> None:
    calls: list[str] = []

    def meanwhile() -> None:
        calls.append("ran")
        raise OSError("the cache could not be written")

    with ShardPool(str(tmp_path)) as pool:
        assert list(pool.run(mark_started, ITEMS, key)) == ITEMS  # the workers are started
        with pytest.raises(OSError, match="could not be written"):
            list(pool.run(mark_started, [], key, meanwhile=meanwhile))
    assert calls == ["ran"]


@pytest.mark.usefixtures("two_workers")
def test_a_failing_phase_waits_for_meanwhile_to_finish() -> None:
    finished: list[bool] = []

    def meanwhile() -> None:
        time.sleep(0.3)
        finished.append(True)

    with ShardPool("shared") as pool, pytest.raises(FeedsError, match="no good"):
        list(pool.run(explode, [*ITEMS[:10], "bad"], key, meanwhile=meanwhile))
    assert finished == [True] and _meanwhile_threads() == []


def test_meanwhile_runs_once_without_workers_too(tmp_path: Path) -> None:
    calls: list[str] = []
    with ShardPool(str(tmp_path)) as pool:  # three items: no pool is worth starting
        assert list(pool.run(mark_started, ["a", "b", "c"], key,
                             meanwhile=lambda: calls.append("x"))) == ["a", "b", "c"]
        assert list(pool.run(mark_started, [], key, meanwhile=lambda: calls.append("y"))) == []
    assert calls == ["x", "y"]


@pytest.mark.usefixtures("two_workers")
def test_a_worker_leaves_ctrl_c_to_the_parent() -> None:
    """A worker ignores SIGINT (the parent stops the workers when it is interrupted), so
    the user sees no traceback from each worker; its work goes on."""
    with ShardPool("shared") as pool:
        assert list(pool.run(interrupted, ITEMS, key)) == ITEMS


# a cold build in its own interpreter; each worker says, as it starts, whether it was
# forked with the HTML cleaner already imported
FORKED_WITH = """
import sys
import feeds.content.shards as shards
serve = shards._serve
def spy(conn, shared):
    with open(sys.argv[1], "a") as out:
        out.write(str("feeds.html.document" in sys.modules) + "\\n")
    serve(conn, shared)
shards._serve = spy
from feeds.cli import main
main(sys.argv[2:])
"""


def test_workers_of_a_cold_read_start_with_the_cleaner_imported(tmp_path: Path) -> None:
    """They describe and clean what they read: each importing it at its first article
    cost the build that much on the way to the learner."""
    from test_perf_cache import write_site

    write_site(tmp_path)
    said = tmp_path / "workers.txt"
    done = subprocess.run(
        [sys.executable, "-c", FORKED_WITH, str(said), "build", "--content",
         str(tmp_path / "content"), "--site-url", "https://example.com/", "--out",
         str(tmp_path / "out"), "--state", str(tmp_path / "state")],
        capture_output=True, text=True, check=False, cwd=tmp_path,
        env={**os.environ, "FEEDS_WORKERS": "2"},
    )
    assert done.returncode == 0, done.stderr
    assert said.read_text().split() == ["True", "True"]
