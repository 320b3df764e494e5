"""Rebuild on change: reload the config, run the build, publish the outcome to the site.

A broken config or a failing build never stops the server: the last good config keeps
serving, and the index page shows what went wrong until the next successful rebuild.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from feeds.config.root import Config
from feeds.errors import FeedsError
from feeds.serve.app import DevSite

Build = Callable[[Config], Sequence[str]]  # -> status lines: a summary, then problems
Log = Callable[[str], None]


class Rebuilder:
    """Callable from any thread; builds never overlap."""

    def __init__(self, site: DevSite, load: Callable[[], Config], build: Build, log: Log) -> None:
        self.site, self.load, self.build, self.log = site, load, build, log
        self._lock = threading.Lock()

    def __call__(self) -> bool:
        """Reload and rebuild; True when the build ran (whatever it found in the content)."""
        with self._lock:
            try:
                config = self.load()
            except FeedsError as exc:
                self._failed("config.yaml has problems; still serving the last good build", exc)
                return False
            try:
                lines = list(self.build(config))
            except Exception as exc:  # a bug in a build must not stop the server's watcher
                self.site.update(config)
                self._failed("build failed", exc)
                return False
            self.site.update(config, lines)
            for line in lines:
                self.log(line)
            return True

    def _failed(self, what: str, exc: Exception) -> None:
        text = str(exc) if isinstance(exc, FeedsError) else f"{type(exc).__name__}: {exc}"
        detail = text.splitlines()
        self.site.update(status=[what, *detail])
        self.log(f"{what}: " + "\n  ".join(detail))


def watch_roots(config: Config, config_file: Path | None) -> list[Path]:
    """What to watch: the content folders (a glob's fixed leading part) and config.yaml."""
    roots = [_fixed_part(Path(d)) for d in config.content.dirs]
    if config_file is not None:
        roots.append(config_file)
    return roots


def _fixed_part(path: Path) -> Path:
    """``content/*/posts`` -> ``content``: the folder a glob pattern cannot leave."""
    parts = path.parts
    for index, part in enumerate(parts):
        if any(ch in part for ch in "*?["):
            return Path(*parts[:index]) if index else Path(".")
    return path
