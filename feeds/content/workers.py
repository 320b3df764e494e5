"""Spreading per-file work over the machine's cores when there is enough of it to pay.

Reading, parsing front matter, rendering Markdown and cleaning HTML are independent per file
and CPU-bound, so a process pool (not threads: the GIL) divides their time by the core count.
Small collections stay in-process: starting workers costs more than it saves.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS_FOR_POOL = 400  # below this, a pool's start-up outweighs its gain
_shared: Any = None  # what every task of a pool needs, sent once per worker


def _init_worker(shared: Any) -> None:
    global _shared
    _shared = shared


def _run_chunk(args: tuple[Callable[[Any, Any], Any], Sequence[Any]]) -> list[Any]:
    func, chunk = args
    return [func(item, _shared) for item in chunk]


def worker_count(items: int, weight: int | None = None) -> int:
    """How many processes to use for ``items`` tasks (1 = run in this process); ``weight``
    is the amount of work when tasks are few but large (feeds of thousands of items)."""
    override = os.environ.get("FEEDS_WORKERS")
    if override and override.isdigit():
        return max(1, min(int(override), items))
    if (weight if weight is not None else items) < MIN_ITEMS_FOR_POOL or items < 2:
        return 1
    return max(1, min(os.cpu_count() or 1, 8, items))


def map_files(
    func: Callable[[T, Any], R],
    items: Sequence[T],
    shared: Any,
    advance: Callable[[int], None] | None = None,
    weight: int | None = None,
) -> list[R]:
    """``[func(item, shared) for item in items]``, in order, over several processes when
    worthwhile. ``func`` must be a module-level function (it is pickled by name).
    ``advance(n)`` is told as results come in (for a progress bar)."""
    return list(iter_files(func, items, shared, advance, weight))


def iter_files(
    func: Callable[[T, Any], R],
    items: Sequence[T],
    shared: Any,
    advance: Callable[[int], None] | None = None,
    weight: int | None = None,
) -> Iterator[R]:
    """:func:`map_files`, yielding each result in order as soon as its chunk is done, so a
    caller can store and drop results as they come instead of holding all of them."""
    workers = worker_count(len(items), weight)
    if workers == 1:
        for chunk in _chunks(items, 50):
            yield from [func(item, shared) for item in chunk]
            if advance:
                advance(len(chunk))
        return
    size = 1 if weight is not None else max(50, len(items) // (workers * 8))
    chunks = list(_chunks(items, size))
    from concurrent.futures import ProcessPoolExecutor  # only when a pool starts

    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(shared,)) as pool:
        for part in pool.map(_run_chunk, [(func, chunk) for chunk in chunks]):
            yield from part
            if advance:
                advance(len(part))


def _chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
