"""The digest as a web page under the output folder: the "view in browser" link."""

from __future__ import annotations

import os
from pathlib import Path


def write_web_copy(output_dir: Path, relative: str, page: str) -> Path:
    """Write ``page`` atomically, and only when its bytes changed (keeps mtimes and ETags)."""
    path = output_dir / relative
    data = page.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_bytes(data)
    os.replace(temp, path)
    return path
