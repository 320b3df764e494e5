"""The garbage collector is held off during a build, and always comes back as it was."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from test_perf_cache import NOW, config_for, write_site

from feeds.build import run_build
from feeds.gcpause import collector_paused


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    gc.enable() if was else gc.disable()


def test_the_collector_is_off_inside_and_back_after_nested_pauses() -> None:
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds
    assert gc.isenabled()


def test_a_collector_the_caller_turned_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_the_collector_comes_back_after_an_error() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("a build that failed")
    assert gc.isenabled()


def test_concurrent_pauses_end_with_the_last_one() -> None:
    """Two scheduler jobs in threads: the first to finish must not turn it on under the other."""
    first_in, first_out, second_done = threading.Event(), threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with collector_paused():
            first_in.set()
            first_out.wait(5)

    def second() -> None:
        first_in.wait(5)
        with collector_paused():
            first_out.set()
            worker.join(5)  # the first pause has ended by now
            seen.append(gc.isenabled())
        second_done.set()

    worker = threading.Thread(target=first)
    other = threading.Thread(target=second)
    worker.start()
    other.start()
    other.join(10)
    assert second_done.is_set() and seen == [False]
    assert gc.isenabled()


def test_a_build_runs_with_the_collector_off_and_leaves_it_on(tmp_path: Path) -> None:
    write_site(tmp_path)
    during: list[bool] = []

    @contextmanager
    def progress(_total: int, _label: str) -> Iterator[Callable[[int], None]]:
        during.append(gc.isenabled())  # asked for by each phase of the collect
        yield lambda _n=1: None

    report = run_build(config_for(tmp_path), now=NOW, progress=progress)
    assert report.exit_code == 0 and report.written
    assert during and not any(during)
    assert gc.isenabled()
