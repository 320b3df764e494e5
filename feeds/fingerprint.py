"""Fingerprints of the program itself, for caches that must never outlive the code.

A checkout changes without a new version number; hashing the source files that shape a
result (a few hundred kilobytes, a few milliseconds) keeps stale caches from being used.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from feeds import __version__

PACKAGE = Path(__file__).resolve().parent


@lru_cache(maxsize=8)
def code_fingerprint(*parts: str) -> str:
    """Hash of the version and every .py file (and template) under the named package parts
    (folders or files relative to the package; none = the whole package)."""
    digest = hashlib.sha256(__version__.encode())
    for part in parts or ("",):
        base = PACKAGE / part
        files = [base] if base.is_file() else sorted(
            p for p in base.rglob("*") if p.suffix in {".py", ".j2", ".css", ".rng"}
        )
        for path in files:
            digest.update(str(path.relative_to(PACKAGE)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
