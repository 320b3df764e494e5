"""``schedule.watch: true``: rebuild the feeds soon after content files change.

watchdog reports every write; an editor saving one file makes several events, and a
``git pull`` hundreds. The Debouncer turns a burst into one rebuild, ``delay`` seconds after
the last event.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

# The suffixes the content readers accept (see content.dirs).
CONTENT_SUFFIXES = frozenset({".md", ".markdown", ".html", ".htm"})
GLOB_CHARS = set("*?[")


class Timer(Protocol):
    def start(self) -> None: ...
    def cancel(self) -> None: ...


TimerFactory = Callable[[float, Callable[[], None]], Timer]


class Debouncer:
    """Call ``action`` once, ``delay`` seconds after the last of a burst of ``poke()``s."""

    def __init__(
        self, delay: float, action: Callable[[], None], timer: TimerFactory = threading.Timer
    ) -> None:
        self.delay = delay
        self._action = action
        self._timer_factory = timer
        self._timer: Timer | None = None
        self._lock = threading.Lock()
        self._closed = False

    def poke(self) -> None:
        with self._lock:
            if self._closed:
                return
            if self._timer is not None:
                self._timer.cancel()
            self._timer = self._timer_factory(self.delay, self._fire)
            if isinstance(self._timer, threading.Thread):
                self._timer.daemon = True  # a pending rebuild must not hold up exit
            self._timer.start()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def _fire(self) -> None:
        with self._lock:
            self._timer = None
            if self._closed:
                return
        self._action()


def is_content_change(path: str, ignored: Sequence[Path]) -> bool:
    """A change that can alter the feeds: an article file, not an editor's temp file."""
    candidate = Path(path)
    name = candidate.name
    if name.startswith((".", "#")) or name.endswith(("~", ".swp", ".tmp")):
        return False
    if candidate.suffix.lower() not in CONTENT_SUFFIXES:
        return False
    return not any(candidate.is_relative_to(folder) for folder in ignored)


def watch_roots(dirs: Iterable[Path]) -> list[Path]:
    """Existing folders to watch: a glob pattern is watched from its fixed leading part."""
    roots: set[Path] = set()
    for folder in dirs:
        parts = folder.parts
        fixed = next((i for i, p in enumerate(parts) if GLOB_CHARS & set(p)), len(parts))
        root = Path(*parts[:fixed]) if fixed else Path(".")
        if root.is_dir():
            roots.add(root.resolve())
    # a folder inside another watched folder is already covered
    return sorted(r for r in roots if not any(r != o and r.is_relative_to(o) for o in roots))


class _Handler(FileSystemEventHandler):
    def __init__(self, debouncer: Debouncer, ignored: Sequence[Path]) -> None:
        self._debouncer = debouncer
        self._ignored = ignored

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type in ("opened", "closed_no_write"):
            return
        paths = [event.src_path, getattr(event, "dest_path", "")]
        if any(p and is_content_change(str(p), self._ignored) for p in paths):
            self._debouncer.poke()


class ContentWatcher:
    """Watches the content folders; ``on_change()`` runs after each quiet burst of changes."""

    def __init__(
        self, dirs: Iterable[Path], delay: float, on_change: Callable[[], None],
        ignored: Sequence[Path] = (),
    ) -> None:
        self.roots = watch_roots(dirs)
        self.debouncer = Debouncer(delay, on_change)
        self._observer = Observer()
        handler = _Handler(self.debouncer, [p.resolve() for p in ignored])
        for root in self.roots:
            self._observer.schedule(handler, str(root), recursive=True)

    def start(self) -> None:
        self._observer.daemon = True
        self._observer.start()

    def stop(self) -> None:
        self.debouncer.close()
        self._observer.stop()
        self._observer.join(timeout=5)
