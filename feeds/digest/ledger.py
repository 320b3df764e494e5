"""The send ledger: which digest runs happened, what they contained, who got them.

A run is one digest over one period (start, end]. Its recipients are fixed when it is
opened (copied from the subscriber store in one statement) and each moves from ``pending``
to ``sent`` (with the server's reply and the Message-ID), ``failed-temp`` (retried on the next
run), ``failed-perm`` (5xx; never retried) or ``skipped`` (unsubscribed meanwhile). Each
state change is committed as soon as the server answers, before that connection sends its
next message, so a killed run resumes exactly where it stopped. It lives in the same SQLite
file as the subscribers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from feeds.models import iso_utc

OPEN, DONE, SKIPPED = "open", "done", "skipped"
PENDING, SENT, FAILED_TEMP, FAILED_PERM, SKIP = (
    "pending", "sent", "failed-temp", "failed-perm", "skipped",
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    digest TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    status TEXT NOT NULL,                       -- open, done, skipped
    opened TEXT NOT NULL,
    finished TEXT,
    UNIQUE (digest, period_start, period_end)
);
CREATE TABLE IF NOT EXISTS run_articles (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    position INTEGER NOT NULL,
    article_id TEXT NOT NULL,
    PRIMARY KEY (run_id, position)
);
CREATE INDEX IF NOT EXISTS run_articles_id ON run_articles(article_id);
CREATE TABLE IF NOT EXISTS deliveries (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    address TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    message_id TEXT,
    reply TEXT,
    updated TEXT,
    PRIMARY KEY (run_id, address)
);
CREATE INDEX IF NOT EXISTS deliveries_state ON deliveries(run_id, state);
"""


@dataclass(frozen=True, slots=True)
class Run:
    id: int
    digest: str
    start: datetime
    end: datetime
    status: str
    article_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RunSummary:
    run: Run
    counts: dict[str, int]


def prepare(db: sqlite3.Connection) -> None:
    db.executescript(_SCHEMA)


def open_runs(db: sqlite3.Connection, digest: str) -> list[Run]:
    """Runs of ``digest`` not finished yet (killed, stopped, or with temporary failures)."""
    rows = db.execute(
        "SELECT id FROM runs WHERE digest=? AND status=? ORDER BY period_end, id", (digest, OPEN)
    )
    return [get_run(db, row[0]) for row in rows.fetchall()]


def last_end(db: sqlite3.Connection, digest: str) -> datetime | None:
    """Where the next period starts: the end of the latest run of this digest."""
    row = db.execute("SELECT max(period_end) FROM runs WHERE digest=?", (digest,)).fetchone()
    return _parse(row[0]) if row and row[0] else None


def sent_article_ids(db: sqlite3.Connection, digest: str) -> set[str]:
    rows = db.execute(
        "SELECT DISTINCT a.article_id FROM run_articles a JOIN runs r ON r.id=a.run_id "
        "WHERE r.digest=? AND r.status != ?",
        (digest, SKIPPED),
    )
    return {row[0] for row in rows}


def create_run(
    db: sqlite3.Connection,
    digest: str,
    start: datetime,
    end: datetime,
    article_ids: Sequence[str],
    *,
    now: datetime,
    skipped: bool = False,
) -> Run:
    """Record a run, its articles and (unless skipped) its recipients, in one transaction."""
    db.execute("BEGIN IMMEDIATE")
    try:
        cursor = db.execute(
            "INSERT INTO runs(digest, period_start, period_end, status, opened, finished) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (digest, iso_utc(start), iso_utc(end), SKIPPED if skipped else OPEN, iso_utc(now),
             iso_utc(now) if skipped else None),
        )
        run_id = int(cursor.lastrowid or 0)
        db.executemany(
            "INSERT INTO run_articles(run_id, position, article_id) VALUES (?, ?, ?)",
            [(run_id, pos, aid) for pos, aid in enumerate(article_ids)],
        )
        if not skipped:
            db.execute(
                "INSERT INTO deliveries(run_id, address, state) SELECT ?, s.address, ? "
                "FROM subscribers s JOIN subscriptions d ON d.address=s.address "
                "WHERE d.digest=? AND s.status='active'",
                (run_id, PENDING, digest),
            )
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return get_run(db, run_id)


def find_run(db: sqlite3.Connection, digest: str, start: datetime, end: datetime) -> Run | None:
    row = db.execute(
        "SELECT id FROM runs WHERE digest=? AND period_start=? AND period_end=?",
        (digest, iso_utc(start), iso_utc(end)),
    ).fetchone()
    return get_run(db, row[0]) if row else None


def get_run(db: sqlite3.Connection, run_id: int) -> Run:
    row = db.execute(
        "SELECT id, digest, period_start, period_end, status FROM runs WHERE id=?", (run_id,)
    ).fetchone()
    ids = db.execute(
        "SELECT article_id FROM run_articles WHERE run_id=? ORDER BY position", (run_id,)
    )
    return Run(row[0], row[1], _parse(row[2]), _parse(row[3]), row[4], tuple(r[0] for r in ids))


def to_send(db: sqlite3.Connection, run_id: int) -> Iterator[tuple[str, str, str]]:
    """(address, name, categories JSON) of recipients still to try, streamed in address order.

    Reads in pages keyed on the address, so no cursor stays open across the writes that
    record each delivery.
    """
    after = ""
    while True:
        page = db.execute(
            "SELECT d.address, coalesce(s.name, ''), coalesce(c.categories, '[]') "
            "FROM deliveries d LEFT JOIN subscribers s ON s.address=d.address "
            "LEFT JOIN runs r ON r.id=d.run_id "
            "LEFT JOIN subscriptions c ON c.address=d.address AND c.digest=r.digest "
            "WHERE d.run_id=? AND d.state IN (?, ?) AND d.address > ? "
            "ORDER BY d.address LIMIT 500",
            (run_id, PENDING, FAILED_TEMP, after),
        ).fetchall()
        if not page:
            return
        yield from page
        after = page[-1][0]


def still_active(db: sqlite3.Connection, address: str, digest: str) -> bool:
    row = db.execute(
        "SELECT 1 FROM subscribers s JOIN subscriptions d ON d.address=s.address "
        "WHERE s.address=? AND d.digest=? AND s.status='active'",
        (address, digest),
    ).fetchone()
    return row is not None


def record(
    db: sqlite3.Connection,
    run_id: int,
    address: str,
    state: str,
    *,
    now: datetime,
    message_id: str | None = None,
    reply: str | None = None,
) -> None:
    """One recipient's outcome, committed at once (autocommit): the crash-safety point."""
    db.execute(
        "UPDATE deliveries SET state=?, attempts=attempts+1, message_id=?, reply=?, updated=? "
        "WHERE run_id=? AND address=?",
        (state, message_id, reply, iso_utc(now), run_id, address),
    )


def counts(db: sqlite3.Connection, run_id: int) -> dict[str, int]:
    rows = db.execute(
        "SELECT state, count(*) FROM deliveries WHERE run_id=? GROUP BY state", (run_id,)
    )
    return {state: n for state, n in rows}


def close_if_done(db: sqlite3.Connection, run_id: int, *, now: datetime) -> bool:
    """Mark the run done when nobody is left pending or temporarily failed."""
    tally = counts(db, run_id)
    if tally.get(PENDING, 0) or tally.get(FAILED_TEMP, 0):
        return False
    db.execute(
        "UPDATE runs SET status=?, finished=? WHERE id=? AND status=?",
        (DONE, iso_utc(now), run_id, OPEN),
    )
    return True


def history(db: sqlite3.Connection, digest: str, limit: int = 10) -> list[RunSummary]:
    rows = db.execute(
        "SELECT id FROM runs WHERE digest=? ORDER BY period_end DESC, id DESC LIMIT ?",
        (digest, limit),
    ).fetchall()
    return [RunSummary(get_run(db, r[0]), counts(db, r[0])) for r in rows]


def deliveries(db: sqlite3.Connection, run_id: int) -> list[tuple[str, str, str | None]]:
    """(address, state, reply) of every recipient of a run, by address."""
    query = "SELECT address, state, reply FROM deliveries WHERE run_id=? ORDER BY address"
    return list(db.execute(query, (run_id,)))


def _parse(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
