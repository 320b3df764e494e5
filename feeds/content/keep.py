"""What a worker keeps between a collect's phases, and memory it gives back as it lets go.

A build that cleans every article keeps each text where it was read, so cleaning needs no
second read (see feeds.content.shards). Up to a point: at 100 000 articles the texts came
to ~460 MB per worker on top of the articles the parent gathers, so a worker keeps texts
only up to ``TEXT_BUDGET`` bytes and, past it, only the file's metadata (reading the text
again then costs the read, not the normalizing). Past a smaller amount, what is kept is
pickled (see Store).

Freed texts go back to the system as they are cleaned (glibc's ``malloc_trim``): the
allocator keeps freed memory for reuse otherwise, and the worker would hold its peak to
the end while the parent grows with the cleaned articles.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import pickle
import sys
from functools import cache
from typing import Any

TEXT_BUDGET = 160 * 1024 * 1024  # bytes of kept text per worker (its share of a 1 GB build)
PLAIN_UP_TO = 48 * 1024 * 1024  # bytes of it kept as objects (see Store)
RELEASE_EVERY = 2000  # items let go between two releases (each takes ~1 ms)


class Store(dict[str, Any]):
    """One worker's keep, by file. The first ``PLAIN_UP_TO`` bytes are kept as the objects
    themselves; past that, each thing is pickled: one block of memory, given back whole when
    let go. Kept as objects, the small parts of 50 000 texts were spread over CPython's
    small-object arenas, which go back to the system only when wholly free: a worker stayed
    at ~160 MB to the end (100 000 articles), its texts long gone. A pickled text costs
    ~25 us to keep and take back, so a 10 000-article build keeps objects only.
    ``held``: the bytes kept (a kept object counts the size its keeper gave)."""

    held = 0

    def has_room(self) -> bool:
        return self.held < TEXT_BUDGET

    def keep(self, key: str, thing: object, size: int) -> None:
        """Keep ``thing`` (of about ``size`` bytes)."""
        self.take(key)
        if self.held < PLAIN_UP_TO:
            self[key] = (thing, size)
        else:
            blob = pickle.dumps(thing, protocol=5)
            self[key], size = blob, len(blob)
        self.held += size

    def look(self, key: str) -> Any:
        """What was kept for ``key`` (None if nothing)."""
        return _kept(self.get(key))

    def take(self, key: str) -> Any:
        """:meth:`look`, and no longer kept."""
        value = self.pop(key, None)
        if value is not None:
            self.held -= len(value) if isinstance(value, bytes) else value[1]
        return _kept(value)


def _kept(value: Any) -> Any:
    if value is None:
        return None
    return pickle.loads(value) if isinstance(value, bytes) else value[0]


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
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None
