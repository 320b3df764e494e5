"""Shared pieces of the schedule tests: configs, a recording job table, an SMTP sink.

No test functions here. Job functions are stand-ins with the real signature, so the
runner, executor and service are exercised for real without building feeds.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from feeds.config import Config, default_config
from feeds.schedule.state import STATE_DB, JobState
from feeds.schedule.triggers import JobRef

DATA = Path(__file__).parent / "data" / "schedule"


def make_config(tmp: Path, **sections: Any) -> Config:
    """A config with its state and output in ``tmp``; ``sections`` merged over it."""
    base: dict[str, Any] = {
        "site": {"title": "Schedule test", "url": "https://news.example.com/",
                 "timezone": "UTC"},
        "content": {"dirs": [str(DATA / "content")]},
        "state": str(tmp / "state"),
        "output": str(tmp / "public"),
    }
    return default_config({**base, **sections})


def cron_fired(ago: timedelta) -> tuple[str, datetime]:
    """A daily cron whose latest fire time was ``ago`` (to the minute) before now."""
    fire = (datetime.now(UTC) - ago).replace(second=0, microsecond=0)
    return f"{fire.minute} {fire.hour} * * *", fire


def seed_state(tmp_path: Path, job: str, trigger: str, last_handled: datetime) -> JobState:
    """The state a previous service left: ``job`` known with ``trigger`` since ``last_handled``."""
    state = JobState(tmp_path / "state" / STATE_DB)
    state.register(job, trigger, last_handled)
    return state


@dataclass
class Calls:
    """A job table that records each call and answers with a report (or raises)."""

    reports: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    fail: dict[str, BaseException] = field(default_factory=dict)
    calls: list[tuple[str, datetime]] = field(default_factory=list)
    refs: list[JobRef] = field(default_factory=list)
    stops: list[threading.Event] = field(default_factory=list)
    called: threading.Event = field(default_factory=threading.Event)
    hold: threading.Event | None = None  # when set, jobs wait for it (a slow job)

    def __call__(self, config: Config, job: JobRef, now: datetime,
                 stop: threading.Event) -> Mapping[str, Any]:
        self.calls.append((job.id, now))
        self.refs.append(job)
        self.stops.append(stop)
        self.called.set()
        if self.hold is not None:
            self.hold.wait(10)
        if job.id in self.fail:
            raise self.fail[job.id]
        return self.reports.get(job.id, {"written": ["rss.xml"], "counts": {"articles": 2}})

    @property
    def table(self) -> dict[str, Any]:
        return {"build": self, "digest": self}


def run_until_first_call(service: Any, calls: Calls) -> list[Any]:
    """Start ``service``, wait for its first job call, stop it; the start-up's catch-up plans."""
    plans = service.start()
    try:
        assert calls.called.wait(10)
    finally:
        assert service.stop(timeout=10)
    return list(plans)


class _Sink:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


class SmtpSink:
    """aiosmtpd on 127.0.0.1 (a free port), keeping every message it accepted."""

    def __init__(self) -> None:
        self._handler = _Sink()
        self.port = free_port()
        self._controller = Controller(self._handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()

    @property
    def messages(self) -> list[Message]:
        return list(self._handler.messages)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
