"""The build cache: what parsing and cleaning each file produced, kept in SQLite.

A file's record is used only when its size, mtime and ctime, the way it is named, the program
version and the config parts that shape articles are all the same as when it was written;
its cleaned content only when what was learned across the collection is the same too.
A cache that cannot be read, or was written by another schema, is discarded with a warning.
Rows carry the fingerprint they were made under, so two runs with different configs sharing
one state folder (or racing on it) never read each other's rows; a run drops other rows on save.
Rows are pickles of the program's own frozen records: the state folder is the user's own.

Records live in ``BUCKETS`` pickles, each holding the files whose path hashes to it: a
rebuild unpickles 64 blobs instead of 10 000 rows (0.06 s instead of 0.14 s at 10 000 files),
and one changed file rewrites the one bucket it is in. Cleaned content, large and needed
only for the articles a build shows, stays one row per file, fetched by path and used only
when its file key and learned-hints fingerprint still match.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
import time
import zlib
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from feeds.config.canonical import settings_text
from feeds.fingerprint import code_fingerprint
from feeds.models import Problem, Severity
from feeds.statefiles import UNPICKLING_ERRORS

T = TypeVar("T")

if TYPE_CHECKING:
    from feeds.config import Config

SCHEMA = "feeds-cache-3"
FileKey = tuple[int, int, int, str, str, bool]  # size, mtime_ns, ctime_ns, display, rel, explicit
BUCKETS = 64
_IN_CHUNK = 500  # paths per "IN (...)" query: well under SQLite's variable limit
_UNREADABLE = (sqlite3.Error, *UNPICKLING_ERRORS)
_PAGE_SIZE = 16384  # bytes; see _connect


# a file's entry: its key when stored, and collect's record of it (the parse outcome, without
# the text); a plain tuple, as unpickled: a rebuild reads one per file of the archive
Stored = tuple[FileKey, Any]


@dataclass(frozen=True, slots=True)
class CleanedRow:
    """One article's cleaning outcome, pickled, with what it was made from."""

    key: FileKey
    hints_fp: str  # the learned-hints fingerprint it was cleaned with
    blob: bytes


_BUCKETS = "SELECT blob FROM buckets WHERE fp = ?"
# records read ahead by read_ahead(), by (cache file, fingerprint): taken by the next load()
_AHEAD: dict[tuple[Path, str], list[dict[str, Stored]]] = {}


def forget_read_ahead() -> None:
    """Drop records read ahead and not taken (a build replayed from its validated config
    reads no cache): a long-running process must never take them for a later build."""
    _AHEAD.clear()


def bucket_of(path: str) -> int:
    return zlib.crc32(path.encode("utf-8", "surrogateescape")) % BUCKETS


def config_fingerprint(config: Config) -> str:
    """Everything outside the file that changes what a file becomes."""
    parts = [SCHEMA, code_fingerprint("content", "html", "config", "models.py")]
    # drafts/future only decide what is left out, and folders are part of each file's key
    content = settings_text(config.content, exclude={"drafts", "future", "dirs", "ignore"})
    parts += [settings_text(config.site), content]
    parts += [settings_text(config.cleaning), settings_text(config.thumbnails)]
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


def digest(value: Any) -> str:
    return hashlib.sha256(pickle.dumps(value, protocol=5)).hexdigest()


class ArticleCache:
    """One SQLite file in the state folder; open, read, write, close per collect."""

    def __init__(self, path: Path, fingerprint: str) -> None:
        self.path = path
        self.fingerprint = fingerprint
        self.warnings: list[Problem] = []
        self.paths: set[str] = set()  # every file the loaded buckets hold
        self._kept: sqlite3.Connection | None = None  # put()'s, open until close()

    @classmethod
    def of(cls, config: Config) -> ArticleCache:
        """The build cache of ``config``'s state folder, for its settings."""
        return cls(config.state / "cache.sqlite", config_fingerprint(config))

    def read_ahead(self, stop: Callable[[], bool] = lambda: False) -> None:
        """Read every file's record now, for a load() later in this process (a rebuild does
        it while a child lists the sources: see feeds.cli.build_cmd), unless ``stop()``
        turns true first. Read-only and never waiting: a missing, busy, foreign or broken
        cache is left for load() to meet and report."""
        try:
            db = sqlite3.connect(f"{self.path.absolute().as_uri()}?mode=ro", uri=True,
                                 timeout=0, isolation_level=None)
        except sqlite3.Error:
            return
        try:
            row = db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
            if row is None or row[0] != SCHEMA:
                return
            buckets = []
            for (blob,) in db.execute(_BUCKETS, (self.fingerprint,)):  # a row at a time
                if stop():
                    return
                buckets.append(pickle.loads(blob))
            _AHEAD[(self.path, self.fingerprint)] = buckets
        except _UNREADABLE:
            return
        finally:
            db.close()

    def load(self, paths: Collection[str]) -> dict[str, Stored]:
        """The entries of ``paths`` found in the cache (whatever their keys say)."""
        found: dict[str, Stored] = {}
        try:
            buckets = _AHEAD.pop((self.path, self.fingerprint), None)
            for entries in buckets if buckets is not None else self._buckets():
                self.paths.update(entries)
                found.update((p, e) for p, e in entries.items() if p in paths)
        except sqlite3.OperationalError as exc:
            if _busy(exc):  # another run held it past the timeout: a slow run, not a bad file
                self.warnings.append(self._problem(f"was busy ({exc}); read the content instead"))
            else:
                self._discard(f"was unreadable ({exc}); rebuilt from the content")
            return {}
        except _UNREADABLE as exc:
            self._discard(f"was unreadable ({exc}); rebuilt from the content")
            return {}
        return found

    def _buckets(self) -> list[dict[str, Stored]]:
        with self._session(write=False) as db:
            blobs = [row[0] for row in db.execute(_BUCKETS, (self.fingerprint,))]
        return [pickle.loads(blob) for blob in blobs]

    def cleaned(
        self, wanted: Mapping[str, FileKey], hints_fp: str, load: Callable[[bytes], T]
    ) -> dict[str, T]:
        """``load(pickled outcome)`` for each of ``wanted`` (path: its file key now) whose
        outcome was made from the same file and the same learned hints; the others are
        missing. Each row is loaded as it is read: the pickles are never all held at once
        (at 100 000 articles they came to ~500 MB beside the outcomes they make)."""
        found: dict[str, T] = {}
        paths = list(wanted)
        try:
            with self._session(write=False) as db:
                for start in range(0, len(paths), _IN_CHUNK):
                    chunk = paths[start : start + _IN_CHUNK]
                    marks = ",".join("?" * len(chunk))
                    for path, key, fp, blob in db.execute(
                        f"SELECT path, key, hints_fp, result FROM results "
                        f"WHERE fp = ? AND path IN ({marks})", (self.fingerprint, *chunk),
                    ):
                        if fp == hints_fp and key == repr(wanted[path]):
                            found[path] = load(blob)
        except sqlite3.Error as exc:  # the records were read a moment ago: clean instead
            self.warnings.append(self._problem(f"cleaned content unreadable ({exc})"))
            return {}
        return found

    def save(self, rows: Mapping[str, Stored], keep: Collection[str]) -> None:
        """Write ``rows`` (records new or changed); forget files gone (all but ``keep``) and
        rows of other configs. Only the buckets that change are rewritten."""
        gone = self.paths.difference(keep)
        touched: dict[int, dict[str, Stored]] = {}
        for path, row in rows.items():
            touched.setdefault(bucket_of(path), {})[path] = row
        for path in gone:
            touched.setdefault(bucket_of(path), {})
        try:
            with self._session(write=True) as db:
                for table in ("buckets", "results"):
                    db.execute(f"DELETE FROM {table} WHERE fp != ?", (self.fingerprint,))
                db.executemany("DELETE FROM results WHERE fp = ? AND path = ?",
                               ((self.fingerprint, path) for path in gone))
                for bucket, changes in sorted(touched.items()):
                    self._patch(db, bucket, changes, keep)
        except sqlite3.Error as exc:
            self.warnings.append(self._problem(f"could not be written ({exc})"))

    def _patch(self, db: sqlite3.Connection, bucket: int, changes: Mapping[str, Stored],
               keep: Collection[str]) -> None:
        """One bucket as stored now (a racing run may have written it since it was read),
        with ``changes`` applied and files gone dropped."""
        row = db.execute("SELECT blob FROM buckets WHERE fp = ? AND bucket = ?",
                         (self.fingerprint, bucket)).fetchone()
        entries: dict[str, Stored] = {}
        if row is not None:
            try:
                entries = pickle.loads(row[0])
            except _UNREADABLE:
                entries = {}  # rewritten from what this run knows
        entries = {path: entry for path, entry in entries.items() if path in keep}
        entries.update(changes)
        db.execute("INSERT OR REPLACE INTO buckets VALUES (?, ?, ?)",
                   (self.fingerprint, bucket, pickle.dumps(entries, protocol=5)))

    def put(self, rows: Mapping[str, CleanedRow]) -> None:
        """Write cleaning outcomes now, as a run goes (so it need not hold them all). Each
        batch is its own transaction on one connection kept until close(): opening one per
        batch cost a third of writing 10 000 articles' HTML."""
        try:
            with self._session(write=True, keep=True) as db:
                db.executemany(
                    "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)",
                    ((self.fingerprint, path, repr(row.key), row.hints_fp, row.blob)
                     for path, row in rows.items()),
                )
        except sqlite3.Error as exc:
            self.close()
            self.warnings.append(self._problem(f"could not be written ({exc})"))

    def close(self) -> None:
        """Close the connection put() keeps."""
        if self._kept is not None:
            self._kept.close()
            self._kept = None

    def load_hints(self, facts_digest: str) -> Any:
        try:
            with self._session(write=False) as db:
                row = db.execute(
                    "SELECT hints FROM learned WHERE fp = ? AND facts = ?",
                    (self.fingerprint, facts_digest),
                ).fetchone()
            return pickle.loads(row[0]) if row else None
        except _UNREADABLE:
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
    def _session(self, write: bool, keep: bool = False) -> Iterator[sqlite3.Connection]:
        """One transaction, committed when the block succeeds; the connection is closed after
        it, or kept for the next ones with ``keep`` (until close()).

        A writer takes the write lock up front (BEGIN IMMEDIATE) so that a run racing another on
        the same state folder waits its turn instead of failing on a stale read snapshot.
        """
        db = self._kept or self._connect()
        if keep:
            self._kept = db
        try:
            db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield db
            except BaseException:
                db.rollback()
                raise
            db.commit()
        finally:
            if db is not self._kept:
                db.close()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            # a new file only (an existing one keeps its size): most rows are one cleaned
            # article of ~5 KB, which fits one 16 KB page instead of spilling onto overflow
            # pages of 4 KB; writing 20 000 of them took 40% less CPU, reading them 25%
            db.execute(f"PRAGMA page_size={_PAGE_SIZE}")
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
                db.execute("CREATE TABLE IF NOT EXISTS buckets (fp TEXT, bucket INTEGER, "
                           "blob BLOB, PRIMARY KEY (fp, bucket))")
                db.execute("CREATE TABLE IF NOT EXISTS results (fp TEXT, path TEXT, key TEXT, "
                           "hints_fp TEXT, result BLOB, PRIMARY KEY (fp, path))")
                db.execute("CREATE TABLE IF NOT EXISTS learned "
                           "(fp TEXT, facts TEXT, hints BLOB, PRIMARY KEY (fp, facts))")
            db.commit()
        except BaseException:
            db.rollback()
            raise
        return None if row is None else str(row[0])

    def _discard(self, why: str) -> None:
        self.close()
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
