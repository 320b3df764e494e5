"""Python's cyclic garbage collector held off while a build runs.

A build allocates hundreds of thousands of objects that all stay alive until it ends (records,
articles, feed entries); the collector would walk every one of them again and again and find
next to nothing: a 10 000-article build leaves ~1 cyclic object per article (measured: 11 199
objects after a full build, 1 205 after a realistic one). Measured on 10 000 articles: the
one-article-changed rebuild spent ~0.2 s of its ~1 s in the collector, the full build ~0.45 s.

Reference counting still frees everything else at once, so memory does not grow. Nested and
concurrent pauses (the scheduler runs jobs in threads) share one count: the collector comes
back when the last build ends, as it was before the first.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """Automatic garbage collection off inside the block (worker processes forked inside it
    inherit that), back as it was when the last concurrent block ends."""
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()
