"""How a path written in the config file is read: relative to the file's folder.

Pydantic-free, so the build stamp's quick path (feeds.buildstamp), which reads the raw
config before validating it, resolves paths exactly as the schema (feeds.config.base) does.
"""

from __future__ import annotations

import os
from pathlib import Path


def config_path(value: str | Path, base: Path | None) -> Path:
    """``value`` with ``~`` expanded; relative ones taken from ``base`` (the config file's
    folder) and normalized, so 'a/../b' is shown as 'b' in messages."""
    path = Path(value).expanduser()
    if not path.is_absolute() and base is not None:
        path = Path(os.path.normpath(base / path))
    return path
