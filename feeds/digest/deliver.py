"""Send one run to everyone still waiting for it, recording each outcome as it happens.

Order per recipient: build the message, hand it to the transport, commit the outcome. A kill
between the server's acceptance and the commit is the only window in which a recipient could
get the message twice; the Message-ID is the same, so clients collapse it. With several
connections each one keeps that order for its own messages, and the window is wider: a
commit may wait its turn for the ledger's write lock (milliseconds on a busy machine, where
one connection's lasts microseconds).
"""

from __future__ import annotations

import json
import queue
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from feeds.digest import ledger, subscribers
from feeds.digest.compose import Composer, Mail
from feeds.digest.transport import (
    ConnectFailure,
    PermanentFailure,
    TemporaryFailure,
    Transport,
)
from feeds.errors import DeliveryError


@dataclass
class Tally:
    sent: int = 0
    failed_temp: int = 0
    failed_perm: int = 0
    skipped: int = 0
    stopped: bool = False
    failures: list[tuple[str, str]] = field(default_factory=list)

    def absorb(self, other: Tally) -> None:
        """Add what ``other`` counted (another connection's, or another run's)."""
        self.sent += other.sent
        self.failed_temp += other.failed_temp
        self.failed_perm += other.failed_perm
        self.skipped += other.skipped
        self.stopped = self.stopped or other.stopped
        self.failures += other.failures


def wall_clock() -> datetime:
    """Time stamps in the ledger record when things happened (not part of any output)."""
    return datetime.now(UTC)


def deliver_run(
    db: sqlite3.Connection,
    run: ledger.Run,
    composer: Composer,
    transports: Sequence[Transport],
    *,
    sender: str,
    stop: threading.Event | None = None,
    clock: Callable[[], datetime] = wall_clock,
) -> Tally:
    """Send to every pending (or temporarily failed) recipient of ``run``; close it if done.

    With one transport each message is built, sent and recorded before the next. With
    several (``transport.connections``), this thread builds the messages and each transport
    sends from a thread of its own, recording each outcome on its own connection to the
    ledger right after the server answers: the same crash-safety point, several at once.
    """
    if len(transports) == 1:
        tally = _deliver_in_turn(db, run, composer, transports[0], sender, stop, clock)
    else:
        tally = _deliver_at_once(db, run, composer, transports, sender, stop, clock)
    ledger.close_if_done(db, run.id, now=clock())
    return tally


def _deliver_in_turn(
    db: sqlite3.Connection,
    run: ledger.Run,
    composer: Composer,
    transport: Transport,
    sender: str,
    stop: threading.Event | None,
    clock: Callable[[], datetime],
) -> Tally:
    tally = Tally()
    for recipient in ledger.to_send(db, run.id):
        if stop is not None and stop.is_set():
            tally.stopped = True
            break
        mail = _prepare(db, run, composer, recipient, tally, clock)
        if mail is not None:
            try:
                _hand_over(db, run, transport, sender, recipient[0], mail, tally, clock)
            except ConnectFailure as exc:
                raise _unreachable(exc) from None
    return tally


def _deliver_at_once(
    db: sqlite3.Connection,
    run: ledger.Run,
    composer: Composer,
    transports: Sequence[Transport],
    sender: str,
    stop: threading.Event | None,
    clock: Callable[[], datetime],
) -> Tally:
    senders = _Senders(db, run, transports, sender, clock, stop)
    tally = Tally()
    try:
        for recipient in ledger.to_send(db, run.id):
            if senders.trouble:
                break
            if stop is not None and stop.is_set():
                tally.stopped = True
                break
            mail = _prepare(db, run, composer, recipient, tally, clock)
            if mail is not None:
                senders.work.put((recipient[0], mail))
    finally:
        senders.join()
    tally.absorb(senders.outcome())
    tally.stopped = tally.stopped or senders.halted
    return tally


class _Senders:
    """A thread per transport, each sending what the builder queues and recording every
    outcome on its own connection to the ledger. The first failure stops them all, and so
    does ``stop``: what they had not sent stays pending for the next run."""

    def __init__(
        self,
        db: sqlite3.Connection,
        run: ledger.Run,
        transports: Sequence[Transport],
        sender: str,
        clock: Callable[[], datetime],
        stop: threading.Event | None,
    ) -> None:
        # a couple of messages ahead per connection: each stays busy, memory stays flat
        self.work: queue.Queue[tuple[str, Mail] | None] = queue.Queue(2 * len(transports))
        self.trouble: list[BaseException] = []
        self.tallies = [Tally() for _ in transports]
        self.run, self.sender, self.clock, self.stop = run, sender, clock, stop
        self.halted = False  # something queued was left unsent because of ``stop``
        folder = _database_folder(db)
        self.threads = [
            threading.Thread(target=self._send_all, args=(folder, transport, tally),
                             name=f"smtp-{n}", daemon=True)
            for n, (transport, tally) in enumerate(zip(transports, self.tallies, strict=True))
        ]
        for thread in self.threads:
            thread.start()

    def _send_all(self, folder: Path, transport: Transport, tally: Tally) -> None:
        db = subscribers.connect(folder)
        try:
            while (item := self.work.get()) is not None:  # None: no more work
                if self.trouble:
                    continue  # still taken, so the builder never waits on a full queue
                if self.stop is not None and self.stop.is_set():
                    self.halted = True
                    continue
                address, mail = item
                try:
                    _hand_over(db, self.run, transport, self.sender, address, mail, tally,
                               self.clock)
                except BaseException as exc:  # raised again in the builder's thread
                    self.trouble.append(exc)
        finally:
            db.close()

    def join(self) -> None:
        for _ in self.threads:
            self.work.put(None)
        for thread in self.threads:
            thread.join()

    def outcome(self) -> Tally:
        """What every connection did; the first failure raised instead."""
        if self.trouble:
            failure = self.trouble[0]
            if isinstance(failure, ConnectFailure):
                raise _unreachable(failure) from None
            raise failure
        total = Tally()
        for tally in self.tallies:
            total.absorb(tally)
        return total


def _database_folder(db: sqlite3.Connection) -> Path:
    """The folder of the ledger's file, for another thread's own connection to it."""
    return Path(db.execute("PRAGMA database_list").fetchone()[2]).parent


def _prepare(
    db: sqlite3.Connection,
    run: ledger.Run,
    composer: Composer,
    recipient: tuple[str, str, str],
    tally: Tally,
    clock: Callable[[], datetime],
) -> Mail | None:
    """The recipient's message, or None when they are skipped (recorded here)."""
    address, name, categories = recipient
    if not ledger.still_active(db, address, run.digest):
        ledger.record(db, run.id, address, ledger.SKIP, now=clock(), reply="no longer subscribed")
        tally.skipped += 1
        return None
    edition = composer.for_subscriber(json.loads(categories))
    if edition.count == 0 and not composer.spec.send_empty:
        ledger.record(db, run.id, address, ledger.SKIP, now=clock(),
                      reply="no articles in their categories")
        tally.skipped += 1
        return None
    return composer.message(address, name, edition)


def _hand_over(
    db: sqlite3.Connection,
    run: ledger.Run,
    transport: Transport,
    sender: str,
    address: str,
    mail: Mail,
    tally: Tally,
    clock: Callable[[], datetime],
) -> None:
    """Send one message and record what the server said (ConnectFailure goes up)."""
    try:
        reply = transport.send(mail.data, mail.message_id, sender, address)
    except PermanentFailure as exc:
        ledger.record(db, run.id, address, ledger.FAILED_PERM, now=clock(), reply=exc.reply)
        tally.failed_perm += 1
        tally.failures.append((address, exc.reply))
    except ConnectFailure:
        raise
    except TemporaryFailure as exc:
        ledger.record(db, run.id, address, ledger.FAILED_TEMP, now=clock(), reply=exc.reply)
        tally.failed_temp += 1
        tally.failures.append((address, exc.reply))
    else:
        ledger.record(db, run.id, address, ledger.SENT, now=clock(), message_id=mail.message_id,
                      reply=reply)
        tally.sent += 1


def _unreachable(failure: ConnectFailure) -> DeliveryError:
    return DeliveryError(failure.reply, hint="the run stays open; run it again to resume")
