"""Small files in the state folder that record what a build left behind, and the errors a
pickle of the program's own records can raise when it is old or damaged."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path
from typing import Any

# what unpickling a blob that is not what it claims can raise (an old or damaged state file)
UNPICKLING_ERRORS = (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError,
                     ValueError, IndexError)


def load_json(path: Path) -> dict[str, Any]:
    """The mapping stored at ``path``; empty when missing, unreadable or not a mapping."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_json(path: Path, data: dict[str, Any]) -> None:
    write_atomically(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def write_atomically(path: Path, data: bytes) -> None:
    """A build killed mid-write leaves the old file, never half a file (nor a stray
    temporary one when the write fails)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def signature(path: str) -> tuple[int, int] | None:
    """(size, mtime) of an output file, None when it is gone: what tells a file untouched."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def unchanged(recorded: dict[str, Any]) -> bool:
    """Whether every file in ``recorded`` (path: signature as stored) is as it was."""
    return all(
        sig is not None and signature(path) == tuple(sig) for path, sig in recorded.items()
    )
