"""Writing output files: confined to the output folder, atomic, and only when bytes change.

A reader polling during a build sees the old file or the new one, never half a file
(temp file in the same folder + ``os.replace``); an unchanged file keeps its mtime, so a
static server keeps answering 304 Not Modified.

``Drafts`` holds a feed's files between rendering and publishing (they are checked first):
in memory while they are small, in temp files beside their targets once they are large, so
a 50 MB feed is never whole in memory.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Protocol

from feeds.errors import UsageError

# bytes of drafts kept in memory together; past that, temp files (feedcheck reads those in
# pieces when they are large: keep this no larger than feedcheck.STREAM_FROM)
MEMORY = 2 * 1024 * 1024
_BLOCK = 1024 * 1024  # bytes read at a time when comparing files


class Outcome(StrEnum):
    WRITTEN = "written"
    UNCHANGED = "unchanged"


def target_path(out_dir: Path, rel_path: str) -> Path:
    """``out_dir / rel_path``, refusing anything that would land outside ``out_dir``."""
    root = out_dir.resolve()
    target = (root / rel_path).resolve()
    if target == root or not target.is_relative_to(root):
        raise UsageError(
            f"output path {rel_path!r} is outside the output folder {out_dir}",
            hint="feed paths are relative to the output folder and cannot use '..'",
        )
    return target


def publish(out_dir: Path, rel_path: str, data: bytes) -> Outcome:
    """Write ``data`` to ``out_dir/rel_path`` unless the file already holds exactly it."""
    target = target_path(out_dir, rel_path)
    if _same_bytes(target, data):
        return Outcome.UNCHANGED
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)  # mkstemp makes 0600; a web server must be able to read it
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return Outcome.WRITTEN


def _settle(target: Path, temp: Path) -> bool:
    """True when ``target`` already holds the bytes of ``temp``; else ``temp`` is flushed to
    disk (so a power cut after the rename cannot leave an empty feed) and False."""
    if _same_file(target, temp):
        return True
    descriptor = os.open(temp, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return False


def _same_file(path: Path, other: Path) -> bool:
    try:
        if path.stat().st_size != other.stat().st_size:
            return False
        with path.open("rb") as first, other.open("rb") as second:
            while True:
                block = first.read(_BLOCK)
                if block != second.read(_BLOCK):
                    return False
                if not block:
                    return True
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return False


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return False


class Draft:
    """One output file, rendered and not yet published: ``data`` in memory, or ``file``,
    a temp file beside the target."""

    def __init__(self, out_dir: Path, rel_path: str) -> None:
        self.out_dir = out_dir
        self.rel_path = rel_path
        self.target = target_path(out_dir, rel_path)
        self.data: bytes | None = None
        self.file: Path | None = None
        # a temp file is compared with the target, and flushed to disk when they differ, by
        # a thread started once it is written: while later drafts render, not at publish
        self._settling: threading.Thread | None = None
        self._unchanged: bool | None = None  # the thread's answer (None: it could not tell)

    def __iter__(self) -> Iterator[bytes]:
        """The draft's bytes, in pieces."""
        if self.file is None:
            yield self.read()
            return
        with self.file.open("rb") as handle:
            yield from iter(lambda: handle.read(_BLOCK), b"")

    def read(self) -> bytes:
        """The draft's bytes, whole."""
        if self.file is not None:
            return self.file.read_bytes()
        if self.data is None:
            raise ValueError(f"the draft of {self.rel_path} is gone (published or discarded)")
        return self.data

    def publish(self) -> Outcome:
        """Put the draft in place (unless the target holds exactly its bytes)."""
        if self.file is None:
            data, self.data = self.read(), None  # not kept once published
            return publish(self.out_dir, self.rel_path, data)
        temp, self.file = self.file, None
        try:
            unchanged = self._settled()
            if unchanged is None:  # not settled ahead (or it failed): the same steps now
                unchanged = _settle(self.target, temp)
            if unchanged:
                return Outcome.UNCHANGED
            mode = self.target.stat().st_mode & 0o777 if self.target.exists() else 0o644
            os.chmod(temp, mode)  # mkstemp makes 0600; a web server must be able to read it
            os.replace(temp, self.target)
        finally:
            temp.unlink(missing_ok=True)
        return Outcome.WRITTEN

    def settle_ahead(self) -> None:
        """Start comparing the written temp file with the target, and flushing it to disk
        when they differ, in a thread (both wait on the disk: ~0.5 s for 1.5 GB of feeds)."""
        temp = self.spilled

        def settle() -> None:
            try:
                self._unchanged = _settle(self.target, temp)
            except OSError:
                self._unchanged = None  # publish() tries again and reports what fails

        self._settling = threading.Thread(target=settle, name="settle-draft", daemon=True)
        self._settling.start()

    def _settled(self) -> bool | None:
        """The answer of the thread settle_ahead() started, once it has finished."""
        if self._settling is None:
            return None
        self._settling.join()  # at once when it has
        return self._unchanged

    @property
    def spilled(self) -> Path:
        """The temp file of a draft written there."""
        assert self.file is not None
        return self.file

    def discard(self) -> None:
        """Forget the draft: its temp file is removed, the target stays as it was."""
        self.data = None
        self._settled()  # no thread outlives its draft (a later fork must not copy one)
        if self.file is not None:
            self.file.unlink(missing_ok=True)
            self.file = None

    def _spill(self) -> BinaryIO:
        """A new temp file beside the target (its folder exists), open for writing."""
        fd, temp = tempfile.mkstemp(
            dir=self.target.parent, prefix=f".{self.target.name}.", suffix=".tmp"
        )
        self.file = Path(temp)
        return os.fdopen(fd, "wb")


class Watcher(Protocol):
    """Told of each draft that goes to a temp file: when it is created, and its size once
    written (a checker may read it meanwhile; see feeds.feedcheck.beside)."""

    def follow(self, path: Path, kind: str) -> None: ...

    def finish(self, path: Path, size: int) -> None: ...


class Drafts:
    """Drafts written before any of them is published. Together they keep at most ``memory``
    bytes in memory; later ones go to temp files, each shown to ``watcher`` if given.
    Leaving the ``with`` block removes every draft not published and the folders made only
    for them."""

    def __init__(
        self, out_dir: Path, memory: int | None = None, watcher: Watcher | None = None
    ) -> None:
        self.out_dir = out_dir
        self.memory = MEMORY if memory is None else memory
        self.watcher = watcher
        self._drafts: list[Draft] = []
        self._held = 0  # bytes of drafts in memory
        self._made: list[Path] = []  # folders created for temp files, outermost first

    def write(self, rel_path: str, pieces: Iterable[bytes], kind: str = "") -> Draft:
        """A draft of ``rel_path`` holding the document ``pieces`` make (``kind`` is told
        to the watcher)."""
        draft = Draft(self.out_dir, rel_path)
        self._drafts.append(draft)
        kept: list[bytes] = []
        size = 0  # bytes in memory, then in the temp file
        handle: BinaryIO | None = None
        try:
            for piece in pieces:
                if handle is None and self._held + size + len(piece) <= self.memory:
                    kept.append(piece)
                    size += len(piece)
                    continue
                if handle is None:
                    self._make_folder(draft.target.parent)
                    handle = draft._spill()
                    if self.watcher is not None:
                        self.watcher.follow(draft.spilled, kind)
                    handle.writelines(kept)
                    kept = []
                handle.write(piece)
                size += len(piece)
        finally:
            if handle is not None:
                handle.close()
                if self.watcher is not None:  # told even when rendering failed half-way
                    self.watcher.finish(draft.spilled, size)
        if handle is not None:
            draft.settle_ahead()
        else:
            draft.data = b"".join(kept)
            self._held += size
        return draft

    def discard(self) -> None:
        """Forget every draft not yet published."""
        for draft in self._drafts:
            draft.discard()

    def __enter__(self) -> Drafts:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.discard()
        for folder in reversed(self._made):
            try:
                folder.rmdir()  # only when empty: a published draft keeps its folder
            except OSError:
                continue

    def _make_folder(self, folder: Path) -> None:
        missing = []
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for path in reversed(missing):
            path.mkdir(exist_ok=True)
            self._made.append(path)
