"""What the service is doing, for people and monitors: the status document and file.

The service rewrites ``<state>/schedule-status.json`` (atomically) after every run and at
start and stop; ``feeds status`` builds the same document from the state database and the
config, so it works whether or not the service is running.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from feeds.schedule.state import JobRow, RunRecord
from feeds.schedule.triggers import in_zone

STATUS_NAME = "schedule-status.json"


def _when(moment: datetime | None, tz: tzinfo) -> str | None:
    return None if moment is None else in_zone(moment, tz).isoformat()


def run_entry(run: RunRecord, tz: tzinfo) -> dict[str, Any]:
    return {
        "fire": _when(run.fire, tz),
        "started": in_zone(run.started, tz).isoformat(timespec="seconds"),
        "duration": round(run.duration, 3),
        "outcome": run.outcome,
        "status": run.note,
        "reason": run.reason,
        "counts": dict(sorted(run.counts.items())),
        "error": run.error,
    }


def job_entries(
    jobs: Sequence[tuple[str, str]],
    rows: Mapping[str, JobRow],
    next_runs: Mapping[str, datetime | None],
    tz: tzinfo,
) -> list[dict[str, Any]]:
    """One entry per (job id, schedule text), in the given order."""
    entries = []
    for job, schedule in jobs:
        row = rows.get(job)
        entries.append(
            {
                "job": job,
                "schedule": schedule,
                "next": _when(next_runs.get(job), tz),
                "last": run_entry(row.last, tz) if row and row.last else None,
                "last_ok": _when(row.last_ok, tz) if row else None,
            }
        )
    return entries


def write_status_file(path: Path, document: Mapping[str, Any]) -> None:
    """Replace the file in one step, so a reader never sees half of it."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_status_file(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def short_time(text: str | None) -> str:
    """'2026-11-27T08:00:00+08:00' -> '2026-11-27 08:00 +08:00' (seconds only when set)."""
    if text is None:
        return "-"
    moment = datetime.fromisoformat(text)
    clock = "%H:%M:%S" if moment.second else "%H:%M"
    offset = moment.strftime("%z")
    return moment.strftime(f"%Y-%m-%d {clock} ") + f"{offset[:3]}:{offset[3:]}"


def format_status(document: Mapping[str, Any]) -> str:
    """The text ``feeds status`` prints."""
    service = document.get("service") or {}
    if service.get("running"):
        head = f"scheduler: running (pid {service.get('pid')}"
        head += f", since {short_time(service['started'])})" if service.get("started") else ")"
    else:
        head = "scheduler: not running"
    lines = [head + f"; times in {document.get('timezone')}", ""]
    rows = [("job", "schedule", "last run", "outcome", "next run")]
    for entry in document.get("jobs", []):
        last = entry.get("last") or {}
        outcome = last.get("outcome", "never run")
        if last:
            outcome += f" ({last.get('reason')}, {last.get('duration', 0):.1f}s)"
        rows.append(
            (entry["job"], entry["schedule"], short_time(last.get("fire")), outcome,
             short_time(entry.get("next")))
        )
    lines += _table(rows)
    for entry in document.get("jobs", []):
        error = (entry.get("last") or {}).get("error")
        if error:
            lines.append(f"  {entry['job']}: {error.splitlines()[0]}")
    return "\n".join(lines)


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]


def format_listing(
    jobs: Sequence[tuple[str, str, Sequence[datetime]]], tz_name: str, tz: tzinfo
) -> str:
    """The text ``feeds schedule --list`` prints: each job with its next fire times."""
    rows = [("job", "schedule", f"next runs ({tz_name})")]
    for job, schedule, fires in jobs:
        times = "   ".join(short_time(_when(f, tz)) for f in fires) or "never"
        rows.append((job, schedule, times))
    return "\n".join(_table(rows))
