"""The subscriber store: an SQLite file in the state folder (the config names no one).

Each subscriber has an address, a name, the digests they get (each with optional category
filters) and a status: active, unsubscribed or bounced. Addresses are validated; the domain
is compared case-insensitively (the local part is kept as written, RFC 5321 §2.4), so
``Ann@Example.COM`` and ``Ann@example.com`` are one subscriber.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from feeds.errors import UsageError

DB_FILE = "mail.sqlite"
STATUSES = ("active", "unsubscribed", "bounced")
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS subscribers (
    address TEXT PRIMARY KEY,          -- local part as written, domain lower-cased
    name TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','unsubscribed','bounced'))
);
CREATE TABLE IF NOT EXISTS subscriptions (
    address TEXT NOT NULL REFERENCES subscribers(address) ON DELETE CASCADE,
    digest TEXT NOT NULL,
    categories TEXT NOT NULL DEFAULT '[]',  -- JSON list; empty: every article
    PRIMARY KEY (address, digest)
);
"""


@dataclass(frozen=True, slots=True)
class Subscriber:
    address: str
    name: str
    status: str
    digests: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # for the digest being sent, when read per digest


def normalize_address(raw: str) -> str:
    """A valid address with its domain lower-cased; raise UsageError otherwise."""
    text = raw.strip()
    local, at, domain = text.rpartition("@")
    domain = domain.rstrip(".").lower()
    try:
        ascii_domain = domain.encode("idna").decode("ascii") if domain else ""
    except UnicodeError:
        ascii_domain = ""
    labels = ascii_domain.split(".")
    if not at or not _LOCAL.match(local) or len(local) > 64 or len(labels) < 2:
        raise UsageError(f"{raw!r} is not a valid email address", hint="expected name@example.com")
    if not all(_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise UsageError(f"{raw!r} is not a valid email address", hint="expected name@example.com")
    return f"{local}@{domain}"


def connect(state_dir: Path) -> sqlite3.Connection:
    """Open (and create) the mail database; WAL so a reader never blocks the sender."""
    state_dir.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(state_dir / DB_FILE, timeout=30, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")  # durable across a process crash, cheap commits
    db.execute("PRAGMA foreign_keys=ON")
    db.executescript(_SCHEMA)
    return db


def add(
    db: sqlite3.Connection,
    address: str,
    digests: Sequence[str],
    *,
    name: str | None = None,
    categories: Sequence[str] = (),
) -> Subscriber:
    """Subscribe (or re-subscribe) ``address`` to ``digests``; merges with an existing entry."""
    key = normalize_address(address)
    with _transaction(db):
        db.execute(
            "INSERT INTO subscribers(address, name, status) VALUES (?, ?, 'active') "
            "ON CONFLICT(address) DO UPDATE SET status='active', "
            "name=CASE WHEN excluded.name != '' THEN excluded.name ELSE name END",
            (key, (name or "").strip()),
        )
        for digest in digests:
            db.execute(
                "INSERT INTO subscriptions(address, digest, categories) VALUES (?, ?, ?) "
                "ON CONFLICT(address, digest) DO UPDATE SET categories=excluded.categories",
                (key, digest, json.dumps(list(categories), ensure_ascii=False)),
            )
    found = get(db, key)
    assert found is not None
    return found


def remove(db: sqlite3.Connection, address: str, digest: str | None = None) -> bool:
    """Drop one subscription, or (no digest) the subscriber and all their subscriptions."""
    key = normalize_address(address)
    if digest is None:
        return db.execute("DELETE FROM subscribers WHERE address=?", (key,)).rowcount > 0
    query = "DELETE FROM subscriptions WHERE address=? AND digest=?"
    return db.execute(query, (key, digest)).rowcount > 0


def set_status(db: sqlite3.Connection, address: str, status: str) -> bool:
    if status not in STATUSES:
        raise UsageError(f"unknown status {status!r}", hint=f"one of {', '.join(STATUSES)}")
    query = "UPDATE subscribers SET status=? WHERE address=?"
    return db.execute(query, (status, normalize_address(address))).rowcount > 0


def unsubscribe(db: sqlite3.Connection, address: str, digest: str) -> bool:
    """Leave one digest; a subscriber left with none is marked unsubscribed (kept, not deleted)."""
    key = normalize_address(address)
    with _transaction(db):
        gone = remove(db, key, digest)
        left = db.execute("SELECT 1 FROM subscriptions WHERE address=?", (key,)).fetchone()
        if not left:
            db.execute("UPDATE subscribers SET status='unsubscribed' WHERE address=?", (key,))
    return gone


def get(db: sqlite3.Connection, address: str) -> Subscriber | None:
    return next(iter_all(db, address=normalize_address(address)), None)


def iter_all(db: sqlite3.Connection, *, address: str | None = None) -> Iterator[Subscriber]:
    """Every subscriber (or one) with their digests, ordered by address."""
    where, args = ("WHERE s.address=?", (address,)) if address else ("", ())
    rows = db.execute(
        "SELECT s.address, s.name, s.status, group_concat(d.digest, char(31)) "
        f"FROM subscribers s LEFT JOIN subscriptions d ON d.address=s.address {where} "
        "GROUP BY s.address ORDER BY s.address",
        args,
    )
    for addr, name, status, digests in rows:
        names = tuple(sorted(digests.split("\x1f"))) if digests else ()
        yield Subscriber(addr, name, status, names)


def iter_active(db: sqlite3.Connection, digest: str) -> Iterator[Subscriber]:
    """Active subscribers of ``digest``, streamed in address order (no list in memory)."""
    rows = db.execute(
        "SELECT s.address, s.name, d.categories FROM subscribers s JOIN subscriptions d "
        "ON d.address=s.address WHERE d.digest=? AND s.status='active' ORDER BY s.address",
        (digest,),
    )
    for addr, name, categories in rows:
        yield Subscriber(addr, name, "active", (digest,), tuple(json.loads(categories)))


CSV_FIELDS = ("address", "name", "digests", "categories", "status")


def export_csv(db: sqlite3.Connection, out: TextIO) -> int:
    """Write every subscription as CSV (digests and categories separated by ';')."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    count = 0
    for sub in iter_all(db):
        for digest, categories in _subscriptions(db, sub.address) or [("", "[]")]:
            cats = ";".join(json.loads(categories))
            writer.writerow((sub.address, sub.name, digest, cats, sub.status))
            count += 1
    return count


def import_csv(
    db: sqlite3.Connection,
    source: TextIO,
    default_digest: str | None,
    known: Collection[str] | None = None,
) -> list[str]:
    """Add every row; returns one message per rejected row (with its line number).

    With ``known``, a row naming a digest not in it is rejected rather than half-imported.
    """
    problems: list[str] = []
    for line, row in enumerate(csv.DictReader(source), start=2):
        digests = _split(row.get("digests") or row.get("digest") or default_digest or "")
        unknown = [d for d in digests if known is not None and d not in known]
        try:
            if not digests:
                raise UsageError("no digest named (column 'digests', or --digest)")
            if unknown:
                raise UsageError(f"no digest named {unknown[0]!r} in config.yaml")
            sub = add(db, row.get("address") or row.get("email") or "", digests,
                      name=row.get("name"), categories=_split(row.get("categories") or ""))
            status = (row.get("status") or "active").strip()
            if status != "active":
                set_status(db, sub.address, status)
        except UsageError as exc:
            problems.append(f"line {line}: {exc.message}")
    return problems


def _subscriptions(db: sqlite3.Connection, address: str) -> list[tuple[str, str]]:
    query = "SELECT digest, categories FROM subscriptions WHERE address=? ORDER BY digest"
    return list(db.execute(query, (address,)))


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


class _transaction:
    """BEGIN IMMEDIATE … COMMIT (or ROLLBACK) on an autocommit connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *_: object) -> None:
        self.db.execute("ROLLBACK" if kind else "COMMIT")
