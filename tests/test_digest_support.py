"""Shared pieces of the digest tests: hand-made articles, a config, a real SMTP server.

The SMTP server is aiosmtpd on 127.0.0.1 with fault injection: refuse some recipients for
good (550), refuse some for a while (451), drop the connection after N messages, answer
slowly. It records every message it accepted, so tests can say exactly who got what.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from feeds.config import Config, default_config
from feeds.models import Article, Author, Thumbnail

NOW = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)  # 08:00 in Asia/Shanghai


def make_article(n: int, *, hours_ago: float = 1.0, categories: tuple[str, ...] = ("科技",),
                 summary: str | None = None, title: str | None = None,
                 thumbnail: bool = True) -> Article:
    published = NOW - timedelta(hours=hours_ago)
    return Article(
        id=f"https://news.example.com/a/{n}/",
        url=f"https://news.example.com/a/{n}/",
        title=title or f"第{n}条：测试新闻",
        published=published,
        updated=published,
        authors=(Author("记者"),),
        categories=categories,
        tags=(),
        summary=summary if summary is not None else f"这是第{n}条新闻的摘要。" * 5,
        content_html="<p>body</p>",
        thumbnail=Thumbnail(f"https://news.example.com/img/{n}.jpg", "image/jpeg", 640, 360,
                            f"图{n}") if thumbnail else None,
        language="zh-CN",
        source_path=f"{n}.md",
    )


@dataclass(frozen=True)
class FakeCollection:
    """Stands in for feeds.content.collect.Collection (only .articles is read)."""

    articles: tuple[Article, ...]


def make_config(tmp: Path, *, port: int | None = None, digest: dict[str, Any] | None = None,
                transport: dict[str, Any] | None = None, connections: int = 1) -> Config:
    spec = {"name": "daily", "from": "示例新闻 <news@example.com>",
            "subject": "{{ site.title }} · {{ date }} · {{ count }} 篇"} | (digest or {})
    if transport is None:
        transport = ({"kind": "smtp", "host": "127.0.0.1", "port": port, "backoff": 0,
                      "connections": connections}
                     if port else {"kind": "outbox", "dir": str(tmp / "outbox")})
    return default_config({
        "site": {"title": "示例新闻", "url": "https://news.example.com/", "language": "zh-CN",
                 "timezone": "Asia/Shanghai"},
        "state": str(tmp / "state"),
        "output": str(tmp / "public"),
        "digests": [spec],
        "mail": {"transport": transport},
    })


@dataclass
class Faults:
    reject: set[str] = field(default_factory=set)  # 550 at RCPT
    tempfail: dict[str, int] = field(default_factory=dict)  # 451 at RCPT, this many times
    drop_after: int | None = None  # close the connection at MAIL after N accepted messages
    # after N accepted messages: stop listening, and close each connection at its next MAIL
    # (nothing is half-sent: a message whose DATA had begun still gets its 250)
    gone_after: int | None = None
    delay: float = 0.0  # seconds before answering MAIL
    refuse_body: set[str] = field(default_factory=set)  # 554 after the body of DATA
    # after N accepted messages, MAIL is not answered until ``released`` is set: each
    # connection comes to wait there, before sending anything more (see SmtpServer.waiting)
    hold_after: int | None = None
    released: threading.Event = field(default_factory=threading.Event)


class RecordingHandler:
    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self.received: list[tuple[str, bytes]] = []
        self.lock = threading.Lock()
        self._dropped = False
        self.waiting = 0  # connections held at MAIL (Faults.hold_after)
        self.peers: set[object] = set()  # client (address, port) of each connection seen
        self.stop_listening: Callable[[], object] = lambda: None  # set by SmtpServer

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        self.peers.add(session.peer)
        hold = self.faults.hold_after
        if hold is not None and len(self.received) >= hold and not self.faults.released.is_set():
            with self.lock:
                self.waiting += 1
            while not self.faults.released.is_set():  # set from the test's thread: polled
                await asyncio.sleep(0.005)
            with self.lock:
                self.waiting -= 1
        if self.faults.delay:
            await asyncio.sleep(self.faults.delay)
        gone = self.faults.gone_after
        if gone is not None and len(self.received) >= gone:
            self.stop_listening()
            server.transport.close()
            return "421 4.3.2 going away"
        drop = self.faults.drop_after
        if drop is not None and not self._dropped and len(self.received) >= drop:
            self._dropped = True
            server.transport.close()
            return "421 4.4.2 connection dropped by the test"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        if address in self.faults.reject:
            return "550 5.1.1 no such user"
        if self.faults.tempfail.get(address, 0) > 0:
            self.faults.tempfail[address] -= 1
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.faults.refuse_body & set(envelope.rcpt_tos):
            return "554 5.6.0 message refused"
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.received.append((rcpt, bytes(envelope.original_content)))
            number = len(self.received)
        return f"250 2.0.0 queued as T{number:05d}"


class SmtpServer:
    """Context manager: a recording aiosmtpd server on a free port of 127.0.0.1."""

    def __init__(self, faults: Faults | None = None, port: int | None = None) -> None:
        self.handler = RecordingHandler(faults or Faults())
        self.port = port or free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        listening = self.controller.server
        if listening is not None:  # called in the server's loop, by a handler
            self.handler.stop_listening = listening.close
        return self

    def __exit__(self, *_: object) -> None:
        self.controller.stop()

    @property
    def received(self) -> list[tuple[str, bytes]]:
        with self.handler.lock:
            return list(self.handler.received)

    def counts(self) -> Counter[str]:
        return Counter(rcpt for rcpt, _ in self.received)

    @property
    def waiting(self) -> int:
        """Connections held at MAIL (Faults.hold_after): they have nothing on its way."""
        with self.handler.lock:
            return self.handler.waiting

    def messages(self) -> dict[str, EmailMessage]:
        return {rcpt: parse(data) for rcpt, data in self.received}


def parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
