"""Noticing edits: poll the content, config and template files, rebuild once they are quiet.

Polling (stat every file each interval) instead of OS notifications: it behaves the same on
every platform, network drive and editor (atomic-rename saves included), and a few thousand
stats a second is nothing for a development server. The decision logic (``Debouncer``) takes
the time as an argument, so it is tested without sleeping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

Snapshot = Mapping[str, tuple[int, int]]  # path -> (mtime_ns, size)


def snapshot(roots: Iterable[Path]) -> dict[str, tuple[int, int]]:
    """(mtime, size) of every file under ``roots`` (files or folders); hidden names skipped."""
    seen: dict[str, tuple[int, int]] = {}
    for root in roots:
        paths = [root] if root.is_file() else root.rglob("*") if root.is_dir() else []
        for path in paths:
            if any(part.startswith(".") for part in path.relative_to(root).parts):
                continue  # editor swap files, .git
            try:
                stat = path.stat()
            except OSError:
                continue  # deleted between listing and stat
            if path.is_file():
                seen[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return seen


class Debouncer:
    """Says when to rebuild: after a change, once nothing changed for ``quiet`` seconds."""

    def __init__(self, first: Snapshot, quiet: float) -> None:
        self.last = dict(first)
        self.quiet = quiet
        self.changed_at: float | None = None

    def observe(self, current: Snapshot, now: float) -> bool:
        """Feed a new snapshot taken at ``now``; True when a rebuild is due."""
        if dict(current) != self.last:
            self.last = dict(current)
            self.changed_at = now
            return False
        if self.changed_at is not None and now - self.changed_at >= self.quiet:
            self.changed_at = None
            return True
        return False


class Watcher(threading.Thread):
    """A daemon thread calling ``on_change()`` after edits under ``roots()`` settle.

    ``roots`` is a callable so that a reloaded config (new content folders) is followed.
    """

    def __init__(
        self,
        roots: Callable[[], list[Path]],
        on_change: Callable[[], object],
        *,
        interval: float = 0.5,
        quiet: float = 0.5,
    ) -> None:
        super().__init__(name="feeds-watch", daemon=True)
        self.roots, self.on_change, self.interval = roots, on_change, interval
        self.debouncer = Debouncer(snapshot(roots()), quiet)
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            if self.debouncer.observe(snapshot(self.roots()), time.monotonic()):
                # the state the build will read: an edit saved while it runs differs from
                # this and is rebuilt on the next round (a snapshot taken after the build
                # would swallow it)
                before = snapshot(self.roots())
                self.on_change()
                self.debouncer.last = before

    def stop(self) -> None:
        self.stopped.set()
