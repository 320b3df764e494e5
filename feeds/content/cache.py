"""The build cache: what parsing and cleaning each file produced, kept in SQLite.

A row is used only when its file's size, mtime and ctime, the way it is named, the program
version and the config parts that shape articles are all the same as when it was written;
cleaned content is used only when what was learned across the collection is the same too.
A cache that cannot be read, or was written by another schema, is discarded with a warning.
Rows are pickles of the program's own frozen records: the state folder is the user's own.
"""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from feeds.config import Config
from feeds.fingerprint import code_fingerprint
from feeds.models import Problem, Severity

SCHEMA = "feeds-cache-1"
FileKey = tuple[int, int, int, str, str, bool]  # size, mtime_ns, ctime_ns, display, rel, explicit


@dataclass(frozen=True, slots=True)
class CachedFile:
    key: FileKey
    record: Any  # collect's per-file record (parse outcome, without the text)
    hints_fp: str | None  # the learned-hints fingerprint its cleaned content was made with
    result: Any  # collect's per-article cleaning outcome, or None


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
            with self._session() as db:
                for path, key, record, hints_fp, result in db.execute(
                    "SELECT path, key, record, hints_fp, result FROM files"
                ):
                    if path in wanted:
                        found[path] = CachedFile(
                            tuple(pickle.loads(key)),
                            pickle.loads(record),
                            hints_fp,
                            pickle.loads(result) if result is not None else None,
                        )
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError,
                ImportError, TypeError, ValueError) as exc:
            self._discard(f"was unreadable ({exc}); rebuilt from the content")
            return {}
        return found

    def save(self, rows: Mapping[str, CachedFile], keep: Iterable[str]) -> None:
        """Write ``rows`` and forget files no longer found (all but ``keep``)."""
        try:
            with self._session() as db:
                db.execute("CREATE TEMP TABLE keep (path TEXT PRIMARY KEY)")
                db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((p,) for p in keep))
                db.execute("DELETE FROM files WHERE path NOT IN (SELECT path FROM keep)")
                db.executemany(
                    "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
                    (
                        (path, pickle.dumps(row.key), pickle.dumps(row.record, protocol=5),
                         row.hints_fp,
                         None if row.result is None else pickle.dumps(row.result, protocol=5))
                        for path, row in rows.items()
                    ),
                )
        except sqlite3.Error as exc:
            self.warnings.append(self._problem(f"could not be written ({exc})"))

    def load_hints(self, facts_digest: str) -> Any:
        try:
            with self._session() as db:
                row = db.execute(
                    "SELECT hints FROM learned WHERE facts = ?", (facts_digest,)
                ).fetchone()
            return pickle.loads(row[0]) if row else None
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None

    def save_hints(self, facts_digest: str, hints: Any) -> None:
        try:
            with self._session() as db:
                db.execute("DELETE FROM learned")
                db.execute("INSERT INTO learned VALUES (?, ?)",
                           (facts_digest, pickle.dumps(hints, protocol=5)))
        except sqlite3.Error as exc:
            self.warnings.append(self._problem(f"could not be written ({exc})"))

    @contextmanager
    def _session(self) -> Iterator[sqlite3.Connection]:
        """One transaction: committed when the block succeeds, and always closed."""
        db = self._connect()
        try:
            with db:
                yield db
        finally:
            db.close()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
        stored = dict(db.execute("SELECT name, value FROM meta").fetchall())
        if stored.get("schema") not in (None, SCHEMA):
            db.close()
            self._discard(f"was written by another version ({stored.get('schema')})")
            return self._connect()
        if stored.get("fingerprint") != self.fingerprint:
            with db:  # the program or the config changed: start over, silently
                db.execute("DROP TABLE IF EXISTS files")
                db.execute("DROP TABLE IF EXISTS learned")
                db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                               [("schema", SCHEMA), ("fingerprint", self.fingerprint)])
        db.execute("CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, key BLOB, "
                   "record BLOB, hints_fp TEXT, result BLOB)")
        db.execute("CREATE TABLE IF NOT EXISTS learned (facts TEXT PRIMARY KEY, hints BLOB)")
        return db

    def _discard(self, why: str) -> None:
        self.warnings.append(self._problem(why))
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)

    def _problem(self, why: str) -> Problem:
        return Problem(str(self.path), "cache", why, Severity.WARNING)


def file_key(path: Path, display: str, rel: str, explicit: bool) -> FileKey | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, display, rel, explicit)
