"""Small JSON files in the state folder that record what a build left behind."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def load_json(path: Path) -> dict[str, Any]:
    """The mapping stored at ``path``; empty when missing, unreadable or not a mapping."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Atomically: a build killed mid-write leaves the old file, never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


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
