"""The digest job: finish any interrupted run, then send the new period once.

``run_digest`` is what ``feeds digest NAME --send`` and the scheduler call. It is safe to
call again at any time: a finished period is never sent twice, an interrupted one (killed,
stopped, or left with temporary failures) resumes with only the recipients not yet sent.
"""

from __future__ import annotations

import fcntl
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from feeds.digest import ledger, subscribers, tokens
from feeds.digest.compose import Composer, web_path
from feeds.digest.deliver import Tally, deliver_run
from feeds.digest.message import parse_address
from feeds.digest.select import select_articles
from feeds.digest.transport import open_transports, parse_transport_url
from feeds.digest.webcopy import write_web_copy
from feeds.errors import DeliveryError, UsageError
from feeds.models import Article, iso_utc

if TYPE_CHECKING:
    from feeds.config import Config
    from feeds.config.sections.digests import DigestSpec, TransportSettings
    from feeds.content.collect import Collection


@dataclass(frozen=True)
class DigestReport:
    """What one call did. ``status``: sent, partial (some failed; run again), stopped,
    skipped (nothing new, recorded), or up-to-date (this period was already handled)."""

    digest: str
    status: str
    run_id: int | None
    period_start: datetime
    period_end: datetime
    articles: tuple[str, ...]
    sent: int = 0
    failed_temp: int = 0
    failed_perm: int = 0
    skipped: int = 0
    resumed_runs: tuple[int, ...] = ()
    web_copy: Path | None = None
    failures: tuple[tuple[str, str], ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "digest": self.digest,
            "status": self.status,
            "run": self.run_id,
            "period": {"start": iso_utc(self.period_start), "end": iso_utc(self.period_end)},
            "articles": list(self.articles),
            "sent": self.sent,
            "failed_temp": self.failed_temp,
            "failed_perm": self.failed_perm,
            "skipped": self.skipped,
            "resumed_runs": list(self.resumed_runs),
            "web_copy": str(self.web_copy) if self.web_copy else None,
            "failures": [{"address": a, "reply": r} for a, r in self.failures],
        }


def run_digest(
    config: Config,
    name: str,
    *,
    now: datetime,
    since: datetime | None = None,
    transport_url: str | None = None,
    stop: threading.Event | None = None,
    collection: Collection | None = None,
) -> DigestReport:
    """Send digest ``name`` for the period ending at ``now`` (the fire time).

    One process at a time per digest (a lock file in the state folder): two senders working
    the same pending list would mail people twice.
    """
    spec = find_spec(config, name)
    end = utc_second(now)
    articles = load_articles(config, end, collection)
    with exclusive(config.state, name):
        db = open_db(config)
        try:
            job = _Job(config, spec, db, articles, transport_url, stop)
            resumed = job.resume_open_runs()
            if stop is not None and stop.is_set():
                return job.report("stopped", None, end, end, (), resumed)
            start = utc_second(since) if since else ledger.last_end(db, name)
            start = start or end - spec.first_window
            if start >= end:
                return job.nothing_new(start, end, resumed)
            return job.new_run(start, end, resumed)
        finally:
            db.close()


@contextmanager
def exclusive(state_dir: Path, name: str) -> Iterator[None]:
    """Hold ``<state>/digest-<name>.lock``; released by the OS even after kill -9."""
    state_dir.mkdir(parents=True, exist_ok=True)
    with (state_dir / f"digest-{name}.lock").open("a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DeliveryError(
                f"digest {name!r} is being sent by another process",
                hint="wait for it to finish; a killed run is resumed by the next call",
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def find_spec(config: Config, name: str) -> DigestSpec:
    spec = config.digest(name)
    if spec is None:
        known = ", ".join(d.name for d in config.digests) or "none configured"
        raise UsageError(f"no digest named {name!r}", hint=f"digests in config.yaml: {known}")
    return spec


def open_db(config: Config) -> sqlite3.Connection:
    db = subscribers.connect(config.state)
    ledger.prepare(db)
    return db


def transport_settings(config: Config, spec: DigestSpec, url: str | None) -> TransportSettings:
    base = spec.transport or config.mail.transport
    return parse_transport_url(url, base) if url else base


def composer_for(config: Config, spec: DigestSpec, articles: Any, end: datetime) -> Composer:
    secret = tokens.load_secret(config.state, config.mail.secret_env)
    return Composer(config, spec, articles, end=end, secret=secret)


class _Job:
    def __init__(
        self,
        config: Config,
        spec: DigestSpec,
        db: sqlite3.Connection,
        articles: tuple[Article, ...],
        transport_url: str | None,
        stop: threading.Event | None,
    ) -> None:
        self.config, self.spec, self.db, self.stop = config, spec, db, stop
        self.articles = articles
        self.by_id = {a.id: a for a in articles}
        self.settings = transport_settings(config, spec, transport_url)
        self.sender = parse_address(spec.from_address, "from").addr_spec
        self.tally = Tally()
        self.web_copy: Path | None = None

    def resume_open_runs(self) -> tuple[int, ...]:
        done = []
        for run in ledger.open_runs(self.db, self.spec.name):
            if self.stop is not None and self.stop.is_set():
                break
            self._send(run, tuple(self.by_id[i] for i in run.article_ids if i in self.by_id))
            done.append(run.id)
        return tuple(done)

    def new_run(self, start: datetime, end: datetime, resumed: tuple[int, ...]) -> DigestReport:
        if ledger.find_run(self.db, self.spec.name, start, end) is not None:
            return self.nothing_new(start, end, resumed)
        already = ledger.sent_article_ids(self.db, self.spec.name)
        chosen = select_articles(self.articles, self.spec, start=start, end=end,
                                 already_sent=already)
        ids = tuple(a.id for a in chosen)
        if not chosen and not self.spec.send_empty:
            run = ledger.create_run(self.db, self.spec.name, start, end, (), now=end, skipped=True)
            return self.report("skipped", run.id, start, end, (), resumed)
        run = ledger.create_run(self.db, self.spec.name, start, end, ids, now=end)
        self._send(run, chosen)
        return self.report(self._status(run.id), run.id, start, end, ids, resumed)

    def nothing_new(self, start: datetime, end: datetime, resumed: tuple[int, ...]) -> DigestReport:
        """No new period: report on the resumed run, if one was finished now."""
        if not resumed:
            return self.report("up-to-date", None, start, end, (), resumed)
        run = ledger.get_run(self.db, resumed[-1])
        return self.report(self._status(run.id), run.id, run.start, run.end, run.article_ids,
                           resumed)

    def _send(self, run: ledger.Run, articles: tuple[Article, ...]) -> None:
        composer = composer_for(self.config, self.spec, articles, run.end)
        if self.spec.web_copy:
            relative = web_path(self.config, self.spec, run.end)
            self.web_copy = write_web_copy(self.config.output, relative, composer.web_page())
        transports = open_transports(self.settings)
        try:
            tally = deliver_run(self.db, run, composer, transports, sender=self.sender,
                                stop=self.stop)
        finally:
            for transport in transports:
                transport.close()
        self.tally.absorb(tally)

    def _status(self, run_id: int) -> str:
        if self.tally.stopped:
            return "stopped"
        left = ledger.counts(self.db, run_id)
        return "partial" if left.get(ledger.FAILED_TEMP) or left.get(ledger.PENDING) else "sent"

    def report(
        self,
        status: str,
        run_id: int | None,
        start: datetime,
        end: datetime,
        ids: tuple[str, ...],
        resumed: tuple[int, ...],
    ) -> DigestReport:
        t = self.tally
        return DigestReport(
            self.spec.name, status, run_id, start, end, ids, t.sent, t.failed_temp,
            t.failed_perm, t.skipped, resumed, self.web_copy, tuple(t.failures),
        )


def load_articles(
    config: Config, now: datetime, collection: Collection | None
) -> tuple[Article, ...]:
    if collection is None:
        from feeds.content.collect import collect

        collection = collect(config, now=now)
    return tuple(collection.articles)


def utc_second(value: datetime) -> datetime:
    """UTC, whole seconds: the ledger's resolution, so periods meet exactly."""
    if value.tzinfo is None:
        raise UsageError(f"{value.isoformat()} has no timezone")
    return value.astimezone(UTC).replace(microsecond=0)
