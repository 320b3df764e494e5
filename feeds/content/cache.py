"""The build cache: what parsing and cleaning each file produced, kept in SQLite.

A row is used only when its file's size, mtime and ctime, the way it is named, the program
version and the config parts that shape articles are all the same as when it was written;
cleaned content is used only when what was learned across the collection is the same too.
A cache that cannot be read, or was written by another schema, is discarded with a warning.
Rows carry the fingerprint they were made under, so two runs with different configs sharing
one state folder (or racing on it) never read each other's rows; a run drops other rows on save.
Rows are pickles of the program's own frozen records: the state folder is the user's own.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from feeds.config import Config
from feeds.fingerprint import code_fingerprint
from feeds.models import Problem, Severity

SCHEMA = "feeds-cache-2"
FileKey = tuple[int, int, int, str, str, bool]  # size, mtime_ns, ctime_ns, display, rel, explicit


@dataclass(frozen=True, slots=True)
class CachedFile:
    key: FileKey
    record: Any  # collect's per-file record (parse outcome, without the text)
    hints_fp: str | None  # the learned-hints fingerprint its cleaned content was made with
    # collect's per-article cleaning outcome, pickled: unpickled only for the articles a build
    # shows (a feed of 50 out of 10 000 needs 50 of them, and they hold the article HTML)
    result_blob: bytes | None

    @classmethod
    def fresh(cls, key: FileKey, record: Any, hints_fp: str | None, result: Any) -> CachedFile:
        blob = None if result is None else pickle.dumps(result, protocol=5)
        return cls(key, record, hints_fp, blob)

    @property
    def result(self) -> Any:
        """The cleaning outcome, or None; a blob that no longer loads counts as missing."""
        if self.result_blob is None:
            return None
        try:
            return pickle.loads(self.result_blob)
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError,
                ValueError):
            return None


def config_fingerprint(config: Config) -> str:
    """Everything outside the file that changes what a file becomes."""
    parts = [SCHEMA, code_fingerprint("content", "html", "config", "models.py")]
    # drafts/future only decide what is left out, and folders are part of each file's key
    content = config.content.model_dump_json(exclude={"drafts", "future", "dirs", "ignore"})
    parts += [config.site.model_dump_json(), content]
    parts += [config.cleaning.model_dump_json(), config.thumbnails.model_dump_json()]
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


def digest(value: Any) -> str:
    return hashlib.sha256(pickle.dumps(value, protocol=5)).hexdigest()


class ArticleCache:
    """One SQLite file in the state folder; open, read, write, close per collect."""

    def __init__(self, path: Path, fingerprint: str) -> None:
        self.path = path
        self.fingerprint = fingerprint
        self.warnings: list[Problem] = []

    def load(self, paths: Iterable[str]) -> dict[str, CachedFile]:
        wanted = set(paths)
        found: dict[str, CachedFile] = {}
        try:
            with self._session(write=False) as db:
                for path, key, record, hints_fp, result in db.execute(
                    "SELECT path, key, record, hints_fp, result FROM files WHERE fp = ?",
                    (self.fingerprint,),
                ):
                    if path in wanted:
                        found[path] = CachedFile(
                            tuple(pickle.loads(key)), pickle.loads(record), hints_fp, result
                        )
        except sqlite3.OperationalError as exc:
            if _busy(exc):  # another run held it past the timeout: a slow run, not a bad file
                self.warnings.append(self._problem(f"was busy ({exc}); read the content instead"))
            else:
                self._discard(f"was unreadable ({exc}); rebuilt from the content")
            return {}
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError,
                ImportError, TypeError, ValueError) as exc:
            self._discard(f"was unreadable ({exc}); rebuilt from the content")
            return {}
        return found

    def save(self, rows: Mapping[str, CachedFile], keep: Iterable[str]) -> None:
        """Write ``rows``; forget files gone (all but ``keep``) and rows of other configs."""
        try:
            with self._session(write=True) as db:
                db.execute("CREATE TEMP TABLE keep (path TEXT PRIMARY KEY)")
                db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((p,) for p in keep))
                db.execute("DELETE FROM files WHERE fp != ? OR path NOT IN (SELECT path FROM keep)",
                           (self.fingerprint,))
                self._insert(db, rows)
        except sqlite3.Error as exc:
            self.warnings.append(self._problem(f"could not be written ({exc})"))

    def put(self, rows: Mapping[str, CachedFile]) -> None:
        """Write ``rows`` now, as a run goes (so it need not hold them all until the end)."""
        try:
            with self._session(write=True) as db:
                self._insert(db, rows)
        except sqlite3.Error as exc:
            self.warnings.append(self._problem(f"could not be written ({exc})"))

    def _insert(self, db: sqlite3.Connection, rows: Mapping[str, CachedFile]) -> None:
        db.executemany(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)",
            (
                (self.fingerprint, path, pickle.dumps(row.key),
                 pickle.dumps(row.record, protocol=5), row.hints_fp, row.result_blob)
                for path, row in rows.items()
            ),
        )

    def load_hints(self, facts_digest: str) -> Any:
        try:
            with self._session(write=False) as db:
                row = db.execute(
                    "SELECT hints FROM learned WHERE fp = ? AND facts = ?",
                    (self.fingerprint, facts_digest),
                ).fetchone()
            return pickle.loads(row[0]) if row else None
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None

    def save_hints(self, facts_digest: str, hints: Any) -> None:
        try:
            with self._session(write=True) as db:
                db.execute("DELETE FROM learned")
                db.execute("INSERT INTO learned VALUES (?, ?, ?)",
                           (self.fingerprint, facts_digest, pickle.dumps(hints, protocol=5)))
        except sqlite3.Error as exc:
            self.warnings.append(self._problem(f"could not be written ({exc})"))

    @contextmanager
    def _session(self, write: bool) -> Iterator[sqlite3.Connection]:
        """One transaction, committed when the block succeeds, and always closed.

        A writer takes the write lock up front (BEGIN IMMEDIATE) so that a run racing another on
        the same state folder waits its turn instead of failing on a stale read snapshot.
        """
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield db
            except BaseException:
                db.rollback()
                raise
            db.commit()
        finally:
            db.close()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            _wal(db)
            # a cache: losing the last write to a power cut is fine, and WAL stays consistent
            db.execute("PRAGMA synchronous=NORMAL")
            stored = self._schema(db)
        except BaseException:
            db.close()
            raise
        if stored not in (None, SCHEMA):
            db.close()
            self._discard(f"was written by another version ({stored})")
            return self._connect()
        return db

    @staticmethod
    def _schema(db: sqlite3.Connection) -> str | None:
        """The schema the file was written with (None when new); tables made if missing.

        Idempotent, so racing runs on one state folder never drop each other's tables.
        """
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
            row = db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
            if row is None or row[0] == SCHEMA:
                db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA,))
                db.execute("CREATE TABLE IF NOT EXISTS files (fp TEXT, path TEXT, key BLOB, "
                           "record BLOB, hints_fp TEXT, result BLOB, PRIMARY KEY (fp, path))")
                db.execute("CREATE TABLE IF NOT EXISTS learned "
                           "(fp TEXT, facts TEXT, hints BLOB, PRIMARY KEY (fp, facts))")
            db.commit()
        except BaseException:
            db.rollback()
            raise
        return None if row is None else str(row[0])

    def _discard(self, why: str) -> None:
        self.warnings.append(self._problem(why))
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)

    def _problem(self, why: str) -> Problem:
        return Problem(str(self.path), "cache", why, Severity.WARNING)


def file_key(
    path: str, display: str, rel: str, explicit: bool, stat: tuple[int, int, int] | None = None
) -> FileKey | None:
    """The row's key: the file's ``stat`` (size, mtime, ctime; looked up when not given) and
    how it is named. None when the file cannot be stat'ed."""
    if stat is None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        stat = (st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    return (*stat, display, rel, explicit)


def _busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _wal(db: sqlite3.Connection) -> None:
    """Write-ahead logging, so readers never wait; switching can meet a racing run's lock."""
    for attempt in range(50):
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if not _busy(exc) or attempt == 49:
                raise
            time.sleep(0.05)
