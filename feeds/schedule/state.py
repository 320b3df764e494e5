"""The scheduler's memory in the state folder: when each job last fired, and how it went.

SQLite (stdlib sqlite3): one row per job. ``last_fire`` is the fire time of the last run
(ok, failed, or missed while running). ``since`` is when the service first scheduled the job
with its current trigger, or last skipped its missed runs at start-up. The next start-up looks
for missed runs after the later of the two, so a job added or rescheduled while the service
was down is not "caught up" on a past it never had, and a skipped week is not found again.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

STATE_DB = "schedule.sqlite"  # in the state folder

SCHEMA = """
CREATE TABLE IF NOT EXISTS schedule_jobs (
    job TEXT PRIMARY KEY,
    trigger TEXT NOT NULL,
    since TEXT NOT NULL,
    last_fire TEXT,
    last_started TEXT,
    last_duration REAL,
    last_outcome TEXT,
    last_reason TEXT,
    last_counts TEXT,
    last_error TEXT,
    last_note TEXT,
    last_ok TEXT
)
"""


@dataclass(frozen=True)
class RunRecord:
    """One job run (or one missed run), as logged and stored."""

    job: str
    fire: datetime
    started: datetime
    duration: float  # seconds
    outcome: str  # ok | error | missed | interrupted
    reason: str = "schedule"  # schedule | catch-up | watch | once
    counts: Mapping[str, int] = field(default_factory=dict)
    error: str | None = None
    note: str | None = None  # the job's own word on it, e.g. a digest's "sent" or "up-to-date"


@dataclass(frozen=True)
class JobRow:
    """What the state remembers about one job."""

    job: str
    trigger: str
    since: datetime
    last: RunRecord | None
    last_ok: datetime | None

    @property
    def last_handled(self) -> datetime:
        """Missed runs are looked for after this moment."""
        return max(self.since, self.last.fire) if self.last else self.since


@dataclass(frozen=True)
class Registration:
    """The result of telling the state about a configured job at start-up."""

    row: JobRow
    is_new: bool
    previous_trigger: str | None  # set when the trigger changed since the last start


class JobState:
    """Thread-safe access to the job table (each call opens its own short connection)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with self._lock, closing(sqlite3.connect(self.path, timeout=30)) as db, db:
            yield db

    def register(self, job: str, trigger: str, now: datetime) -> Registration:
        """Make sure ``job`` has a row; a new or changed trigger counts from ``now``."""
        row = self.get(job)
        if row is not None and row.trigger == trigger:
            return Registration(row, False, None)
        with self._connect() as db:
            db.execute(
                "INSERT INTO schedule_jobs (job, trigger, since) VALUES (?, ?, ?) "
                "ON CONFLICT(job) DO UPDATE SET trigger = excluded.trigger, since = excluded.since",
                (job, trigger, _iso(now)),
            )
        fresh = self.get(job)
        assert fresh is not None
        return Registration(fresh, row is None, row.trigger if row else None)

    def record(self, run: RunRecord, trigger: str) -> None:
        """Remember ``run`` as the job's last one (creating the row for an unscheduled job)."""
        ok = _iso(run.fire) if run.outcome == "ok" else None
        with self._connect() as db:
            db.execute(
                "INSERT INTO schedule_jobs (job, trigger, since) VALUES (?, ?, ?) "
                "ON CONFLICT(job) DO NOTHING",
                (run.job, trigger, _iso(run.fire)),
            )
            db.execute(
                "UPDATE schedule_jobs SET last_fire = ?, last_started = ?, last_duration = ?, "
                "last_outcome = ?, last_reason = ?, last_counts = ?, last_error = ?, "
                "last_note = ?, "
                "last_ok = COALESCE(?, last_ok) WHERE job = ?",
                (
                    _iso(run.fire),
                    _iso(run.started),
                    run.duration,
                    run.outcome,
                    run.reason,
                    json.dumps(dict(run.counts), sort_keys=True),
                    run.error,
                    run.note,
                    ok,
                    run.job,
                ),
            )

    def rebase(self, job: str, now: datetime) -> None:
        """Count missed runs from ``now`` on (the ones before were skipped and logged)."""
        with self._connect() as db:
            db.execute("UPDATE schedule_jobs SET since = ? WHERE job = ?", (_iso(now), job))

    def forget_except(self, jobs: set[str]) -> list[str]:
        """Drop rows of jobs no longer configured; return their ids."""
        gone = sorted(set(self.rows()) - jobs)
        with self._connect() as db:
            db.executemany("DELETE FROM schedule_jobs WHERE job = ?", [(j,) for j in gone])
        return gone

    def get(self, job: str) -> JobRow | None:
        return self.rows().get(job)

    def rows(self) -> dict[str, JobRow]:
        with self._connect() as db:
            cursor = db.execute("SELECT * FROM schedule_jobs ORDER BY job")
            names = [d[0] for d in cursor.description]
            return {r["job"]: _row(r) for r in (dict(zip(names, t, strict=True)) for t in cursor)}


def _row(r: dict[str, object]) -> JobRow:
    last = None
    if r["last_fire"] is not None:
        last = RunRecord(
            job=str(r["job"]),
            fire=_dt(r["last_fire"]),
            started=_dt(r["last_started"]),
            duration=float(r["last_duration"] or 0),  # type: ignore[arg-type]
            outcome=str(r["last_outcome"]),
            reason=str(r["last_reason"] or "schedule"),
            counts=json.loads(str(r["last_counts"] or "{}")),
            error=None if r["last_error"] is None else str(r["last_error"]),
            note=None if r["last_note"] is None else str(r["last_note"]),
        )
    last_ok = None if r["last_ok"] is None else _dt(r["last_ok"])
    return JobRow(str(r["job"]), str(r["trigger"]), _dt(r["since"]), last, last_ok)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _dt(value: object) -> datetime:
    return datetime.fromisoformat(str(value))
