"""Finding article files: configured folders (and globs) or paths named on the command line."""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Iterable, Sequence
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from feeds.content.suffixes import ARTICLE_SUFFIXES


class Source(NamedTuple):
    # a string, not a Path: listing a 10 000-file archive on every rebuild made a Path per file
    # (a third of a no-change rebuild); ``path`` makes one only for files actually read.
    # A named tuple, not a frozen dataclass: made for every file of every build, in a third
    # of the time (one tuple instead of five attribute stores)
    fspath: str
    display: str  # how messages name the file
    rel: str  # relative to its content folder, POSIX separators
    explicit: bool  # named on the command line: read whatever its suffix
    # (size, mtime_ns, ctime_ns) when listed: the build stamp and the cache key both need it,
    # so a rebuild stats each file once; None when the file could not be stat'ed
    stat: tuple[int, int, int] | None = None

    @property
    def path(self) -> Path:
        return Path(self.fspath)


def discover(roots: Sequence[Path], ignore: Sequence[str], *, explicit: bool) -> list[Source]:
    """Every article file under ``roots`` in a stable order, without editor or hidden files."""
    found: dict[str, Source] = {}
    for root in roots:
        for source in _expand(root, ignore, explicit):
            found.setdefault(source.fspath, source)
    return sorted(found.values(), key=_DISPLAY)


_DISPLAY = attrgetter("display")


def missing_roots(roots: Sequence[Path]) -> list[str]:
    """Content folders (not globs) that do not exist: a typo must not read as 'no articles'."""
    return [display_path(root) for root in roots if not _is_glob(str(root)) and not root.exists()]


def _expand(root: Path, ignore: Sequence[str], explicit: bool) -> Iterable[Source]:
    text = str(root)
    if _is_glob(text):
        yield from _expand_glob(text, ignore)
        return
    if root.is_file():
        yield Source(str(root), display_path(root), root.name, explicit, _stat(str(root)))
        return
    # string work instead of a Path per file: this loop sees every file of a large archive
    root_display = "" if (shown := display_path(root)) == "." else shown + "/"
    suffixes = ARTICLE_SUFFIXES
    folders = [(str(root), "")]  # (folder, its path relative to root with a trailing /)
    while folders:
        folder, prefix = folders.pop()
        try:  # scandir, not os.walk: no path joined or entry classified in Python
            with os.scandir(folder) as entries:
                listed = list(entries)
        except OSError:  # unreadable or gone: skipped, as os.walk does
            continue
        for entry in listed:
            name = entry.name
            if _is_folder(entry):
                if not name.startswith((".", "_drafts")) and not entry.is_symlink():
                    folders.append((entry.path, prefix + name + "/"))
                continue
            if not name.lower().endswith(suffixes) or _junk(name):
                continue
            rel = prefix + name
            if ignore and _ignored(rel, ignore):
                continue
            yield Source(entry.path, root_display + rel, rel, False, _stat(entry))


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()  # through symlinks, as os.walk classifies (never walks them)
    except OSError:
        return False


def _expand_glob(pattern: str, ignore: Sequence[str]) -> Iterable[Source]:
    """Files matching a glob; ``ignore`` applies relative to the part before the wildcard."""
    parts = Path(pattern).parts
    static = next((i for i, part in enumerate(parts) if _is_glob(part)), len(parts))
    base = Path(*parts[:static]) if static else Path()
    for match in sorted(glob.glob(pattern, recursive=True)):
        path = Path(match)
        if not path.is_file() or path.suffix.lower() not in ARTICLE_SUFFIXES or _junk(path.name):
            continue
        rel = path.relative_to(base).as_posix() if path.is_relative_to(base) else path.name
        if not _ignored(rel, ignore):
            yield Source(str(path), display_path(path), rel, False, _stat(str(path)))


def _stat(fspath: str | os.DirEntry[str]) -> tuple[int, int, int] | None:
    try:
        st = os.stat(fspath)
    except OSError:  # gone since it was listed: reading it will say so
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _is_glob(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def _junk(name: str) -> bool:
    """Hidden, editor and temp files: .x.swp, #x.md#, x~, .#x, x.tmp."""
    return (
        name.startswith((".", "#"))
        or name.endswith("~")
        or name.endswith(".tmp")
    )


def _ignored(rel: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(Path(rel).name, p) for p in patterns)


def display_path(path: Path) -> str:
    """Relative to the working directory when inside it, else absolute."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()
