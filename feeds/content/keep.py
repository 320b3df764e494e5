"""What a worker keeps between a collect's phases, and memory it gives back as it lets go.

A build that cleans every article keeps each text where it was read, so cleaning needs no
second read (see feeds.content.shards). Up to a point: at 100 000 articles the texts came
to ~460 MB per worker on top of the articles the parent gathers. So a worker keeps texts
up to ``TEXT_BUDGET`` bytes and, past it, an article Unread: its metadata and the few
front-matter fields cleaning reads (feeds.content.perfile), ~0.5 KB packed. Reading such a
text again costs ~20 us (the front matter is skipped, not parsed again): less than
pickling a kept text and back (~60 us), which is how texts past 48 MB were kept before.

Freed texts go back to the system as they are cleaned (glibc's ``malloc_trim``): the
allocator keeps freed memory for reuse otherwise, and the worker would hold its peak to
the end while the parent grows with the cleaned articles.
"""

from __future__ import annotations

import ctypes
import marshal
import sys
from functools import cache
from typing import Any

# bytes of kept text per worker: 10 000 articles fit; past it, the small parts of the texts
# kept would pin CPython's small-object arenas, which go back to the system only when
# wholly free (a worker stayed at its peak to the end with 160 MB kept)
TEXT_BUDGET = 48 * 1024 * 1024
RELEASE_EVERY = 2000  # items let go between two releases (each takes ~1 ms)


class Store(dict[str, tuple[Any, ...]]):
    """One worker's keep, by file. ``held``: the bytes kept.

    A text is kept as the object itself. Plain values (an Unread article) are packed, with
    marshal, into pages shared by consecutive items: as objects, ~50 000 of them pinned
    CPython's small-object arenas (they go back to the system only when wholly free), and a
    worker held ~60 MB more to the end of cleaning. A page is one block of memory, freed
    when its last item is taken."""

    held = 0
    _page: bytearray | None = None  # the page plain values are packed into now

    def has_room(self) -> bool:
        return self.held < TEXT_BUDGET

    def keep(self, key: str, thing: object, size: int) -> None:
        """Keep ``thing`` (of about ``size`` bytes)."""
        self.take(key)
        self[key] = (thing, size)
        self.held += size

    def keep_plain(self, key: str, values: tuple[Any, ...]) -> None:
        """Keep ``values`` (strings, numbers, None, and tuples, lists and dicts of them),
        packed; they come back as an equal tuple. Anything else is kept as it is."""
        try:
            blob = marshal.dumps(values)
        except ValueError:  # not plain (a date in the front matter, say): rare
            self.keep(key, values, 1024)
            return
        self.take(key)
        page = self._page
        if page is None or len(page) + len(blob) > _PAGE:
            page = self._page = bytearray()
        start = len(page)
        page += blob
        self[key] = (page, start, len(page))
        self.held += len(blob)

    def look(self, key: str) -> Any:
        """What was kept for ``key`` (None if nothing)."""
        value = self.get(key)
        return None if value is None else _unpacked(value)

    def take(self, key: str) -> Any:
        """:meth:`look`, and no longer kept."""
        value = self.pop(key, None)
        if value is None:
            return None
        self.held -= value[1] if len(value) == 2 else value[2] - value[1]
        return _unpacked(value)


_PAGE = 64 * 1024  # bytes of packed values per page: ~140 Unread articles


def _unpacked(value: tuple[Any, ...]) -> Any:
    if len(value) == 2:
        return value[0]
    page, start, end = value
    return marshal.loads(bytes(page[start:end]))


class Releaser:
    """Gives freed memory back once ``RELEASE_EVERY`` items were let go since last time."""

    def __init__(self, size: int) -> None:
        self.high = size  # the store's size at the last release, or its largest since

    def after(self, size: int) -> None:
        if size > self.high:
            self.high = size
        elif self.high - size >= RELEASE_EVERY:
            release_memory()
            self.high = size


def release_memory() -> None:
    """Return the allocator's free pages to the system (nothing where it is not glibc)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        # the symbols this process already has (glibc's among them): find_library("c")
        # would run `ldconfig -p` in a subprocess, forked from a worker holding the texts
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None
