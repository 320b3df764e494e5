"""Listing the sources in a forked child while this process does something else.

A rebuild first lists and stats every source file (~50 ms at 10 000 files, most of it in
the kernel) to tell whether anything changed, and only then imports the pipeline that a
changed file needs (~50 ms more). Neither needs the other, so with a second core they can
overlap: a child lists, this process imports. The child sends the listing's digest first
and the sources after it: a build with nothing changed reads just the digest.
Anything that goes wrong with the child (no fork on this platform, a crash, a short read)
costs only the overlap: the caller lists the sources itself, as it would have.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from feeds.content.discover import Source, discover

Digest = Callable[[Sequence[Source]], str]
_DIGEST_BYTES = 64  # a sha256 hexdigest
_HEX = frozenset("0123456789abcdef")


class Aside:
    """A child listing ``roots``: ``digest()``, then ``sources()`` if wanted, then ``close()``
    (``with`` closes). Either answer is None when the child did not deliver it."""

    def __init__(self, pid: int, reading: int) -> None:
        self.pid = pid
        self.pipe = os.fdopen(reading, "rb")
        self._digest: str | None = None
        self._read = False
        self._taken = False  # whether the sources were read (else the child is stopped)

    def __enter__(self) -> Aside:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def arrived(self) -> bool:
        """Whether the digest can be read without waiting (asked between pieces of other
        work, to stop what only a build that runs needs)."""
        if self._read:
            return True
        with contextlib.suppress(OSError, ValueError):
            return bool(select.select([self.pipe], [], [], 0)[0])
        return False

    def digest(self) -> str | None:
        if not self._read:
            self._read = True
            try:
                head = self.pipe.read(_DIGEST_BYTES)
            except OSError:
                return None
            text = head.decode("ascii", "replace")
            if len(text) == _DIGEST_BYTES and _HEX.issuperset(text):
                self._digest = text
        return self._digest

    def sources(self) -> list[Source] | None:
        self._taken = True
        try:
            rows = pickle.loads(self.pipe.read())
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
            return None
        if not isinstance(rows, list):
            return None
        return [Source._make(row) for row in rows]

    def close(self) -> None:
        """Stop reading; a child whose sources are not wanted is stopped at once (it would
        still be pickling 100 000 of them while a replayed build waits to exit)."""
        self.pipe.close()
        if not self._taken:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(self.pid, 0)


def list_aside(roots: Sequence[Path], ignore: Sequence[str], digest: Digest) -> Aside | None:
    """A child process listing the sources as ``discover(roots, ignore, explicit=False)``
    does; None when none could be started."""
    threading = sys.modules.get("threading")
    if not hasattr(os, "fork") or (threading is not None and threading.active_count() > 1):
        return None  # forking a process with other threads can leave the child deadlocked
    try:
        reading, writing = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(reading)
        os.close(writing)
        return None
    if pid == 0:  # the child: list, send, and leave without running the parent's exit code
        try:
            os.close(reading)
            sources = discover(roots, ignore, explicit=False)
            with os.fdopen(writing, "wb") as pipe:
                pipe.write(digest(sources).encode("ascii"))
                pipe.flush()  # the digest alone may be all the parent reads
                pipe.write(pickle.dumps([tuple(s) for s in sources], pickle.HIGHEST_PROTOCOL))
        finally:
            os._exit(0)
    os.close(writing)
    return Aside(pid, reading)
