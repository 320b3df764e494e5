"""Skipping a build when nothing it reads has changed since the last one.

The stamp records what went in (program version, the config a build reads, the build's options,
each source file's size, mtime and ctime) and what came out (each output file's size and
mtime). When all of it is unchanged and no future-dated article has come due, the last
build's result stands: nothing is read, rendered or written, and its problems are replayed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from feeds.config import Config
from feeds.content.discover import Source, discover, missing_roots
from feeds.fingerprint import code_fingerprint
from feeds.models import Problem, Severity

STAMP_FILE = "build-stamps.json"
KEEP = 16  # stamps kept, one per combination of output folder and options


@dataclass(frozen=True)
class Replay:
    """The last build's outcome, to be reported again."""

    outputs: tuple[str, ...]
    problems: tuple[Problem, ...]
    counts: dict[str, int]


class BuildStamp:
    def __init__(self, config: Config, slot: str, inputs: str, sources: list[Source]) -> None:
        self.path = config.state / STAMP_FILE
        self.slot = slot
        self.inputs = inputs
        self.sources = sources  # listed once here, handed to collect on a real build

    @classmethod
    def prepare(
        cls, config: Config, *, out: Path, only: Sequence[str], limit: int | None
    ) -> BuildStamp | None:
        """None when the inputs cannot be listed (a missing folder: collect reports it)."""
        roots = list(config.content.dirs)
        if missing_roots(roots):
            return None
        digest = hashlib.sha256()
        slot = json.dumps([str(out.absolute()), sorted(only), limit])
        # the sections a build reads: editing a digest, the mail server or the schedule
        # changes no feed, so it must not cost a rebuild
        settings = config.model_dump_json(exclude={"mail", "digests", "schedule"})
        digest.update(f"{code_fingerprint()}\0{settings}\0{slot}".encode())
        sources = discover(roots, config.content.ignore, explicit=False)
        for source in sources:
            digest.update(
                f"\0{source.fspath}\0{source.stat}".encode("utf-8", "surrogateescape")
            )
        slot_id = hashlib.sha256(slot.encode()).hexdigest()[:16]
        return cls(config, slot_id, digest.hexdigest(), sources)

    def replay(self, now: datetime) -> Replay | None:
        entry = self._load().get(self.slot)
        if not entry or entry.get("inputs") != self.inputs:
            return None
        if entry.get("due") and now >= datetime.fromisoformat(entry["due"]):
            return None  # a future-dated article has come due
        outputs = entry.get("outputs", {})
        if any(_signature(path) != tuple(sig) for path, sig in outputs.items()):
            return None  # an output was changed or removed by someone else
        problems = tuple(
            Problem(p["path"], p["field"], p["message"], Severity(p["severity"]))
            for p in entry.get("problems", [])
        )
        return Replay(tuple(outputs), problems, dict(entry.get("counts", {})))

    def record(
        self,
        outputs: Sequence[str],
        problems: Sequence[Problem],
        counts: dict[str, int],
        due: datetime | None,
    ) -> None:
        entries = self._load()
        entries.pop(self.slot, None)
        entries[self.slot] = {
            "inputs": self.inputs,
            "due": due.isoformat() if due else None,
            "outputs": {path: _signature(path) for path in sorted(outputs)},
            "problems": [p.as_dict() for p in problems],
            "counts": counts,
        }
        self._write(dict(list(entries.items())[-KEEP:]))

    def forget(self) -> None:
        entries = self._load()
        if entries.pop(self.slot, None) is not None:
            self._write(entries)

    def _write(self, entries: dict[str, Any]) -> None:
        """Atomically: a build killed mid-write leaves the old stamps, never half a file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.path)

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}


def _signature(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)
