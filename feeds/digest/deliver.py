"""Send one run to everyone still waiting for it, recording each outcome as it happens.

Order per recipient: build the message, hand it to the transport, commit the outcome. A kill
between the server's acceptance and the commit (microseconds) is the only window in which a
recipient could get the message twice; the Message-ID is the same, so clients collapse it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from feeds.digest import ledger
from feeds.digest.compose import Composer
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


def wall_clock() -> datetime:
    """Time stamps in the ledger record when things happened (not part of any output)."""
    return datetime.now(UTC)


def deliver_run(
    db: sqlite3.Connection,
    run: ledger.Run,
    composer: Composer,
    transport: Transport,
    *,
    sender: str,
    stop: threading.Event | None = None,
    clock: Callable[[], datetime] = wall_clock,
) -> Tally:
    """Send to every pending (or temporarily failed) recipient of ``run``; close it if done."""
    tally = Tally()
    for address, name, categories in ledger.to_send(db, run.id):
        if stop is not None and stop.is_set():
            tally.stopped = True
            break
        _deliver_one(db, run, composer, transport, sender, (address, name, categories), tally,
                     clock)
    ledger.close_if_done(db, run.id, now=clock())
    return tally


def _deliver_one(
    db: sqlite3.Connection,
    run: ledger.Run,
    composer: Composer,
    transport: Transport,
    sender: str,
    recipient: tuple[str, str, str],
    tally: Tally,
    clock: Callable[[], datetime],
) -> None:
    address, name, categories = recipient
    if not ledger.still_active(db, address, run.digest):
        ledger.record(db, run.id, address, ledger.SKIP, now=clock(), reply="no longer subscribed")
        tally.skipped += 1
        return
    edition = composer.for_subscriber(json.loads(categories))
    if edition.count == 0 and not composer.spec.send_empty:
        ledger.record(db, run.id, address, ledger.SKIP, now=clock(),
                      reply="no articles in their categories")
        tally.skipped += 1
        return
    mail = composer.message(address, name, edition)
    try:
        reply = transport.send(mail.data, mail.message_id, sender, address)
    except ConnectFailure as exc:
        raise DeliveryError(exc.reply, hint="the run stays open; run it again to resume") from None
    except PermanentFailure as exc:
        ledger.record(db, run.id, address, ledger.FAILED_PERM, now=clock(), reply=exc.reply)
        tally.failed_perm += 1
        tally.failures.append((address, exc.reply))
    except TemporaryFailure as exc:
        ledger.record(db, run.id, address, ledger.FAILED_TEMP, now=clock(), reply=exc.reply)
        tally.failed_temp += 1
        tally.failures.append((address, exc.reply))
    else:
        ledger.record(db, run.id, address, ledger.SENT, now=clock(), message_id=mail.message_id,
                      reply=reply)
        tally.sent += 1
