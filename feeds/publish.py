"""Writing output files: confined to the output folder, atomic, and only when bytes change.

A reader polling during a build sees the old file or the new one, never half a file
(temp file in the same folder + ``os.replace``); an unchanged file keeps its mtime, so a
static server keeps answering 304 Not Modified.
"""

from __future__ import annotations

import os
import tempfile
from enum import StrEnum
from pathlib import Path

from feeds.errors import UsageError


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


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return False
