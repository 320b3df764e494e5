"""SMTP transport details: pacing, backoff, reuse of one connection, an unreachable server.

Time is injected (a fake clock that only moves when the transport sleeps), so nothing here
waits for real.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from hypothesis import given
from hypothesis import strategies as st
from test_digest_support import Faults, SmtpServer, free_port

from feeds.config.sections.digests import TransportSettings
from feeds.digest.transport import (
    ConnectFailure,
    OutboxTransport,
    Pacer,
    PermanentFailure,
    SmtpTransport,
    dot_stuffed,
    open_transports,
)
from feeds.errors import DeliveryError

MESSAGE = b"Subject: hi\r\nMessage-ID: <1@x>\r\n\r\nhello\r\n"


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def transport(port: int, fake: FakeTime, **settings: object) -> SmtpTransport:
    config = TransportSettings.model_validate(
        {"kind": "smtp", "host": "127.0.0.1", "port": port, **settings})
    return SmtpTransport(config, sleep=fake.sleep, clock=fake.clock)


def test_rate_limit_spaces_messages_and_one_connection_is_reused() -> None:
    fake = FakeTime()
    with SmtpServer() as server:
        sender = transport(server.port, fake, rate_limit=4)
        replies = [sender.send(MESSAGE, "<1@x>", "f@example.com", f"r{n}@example.com")
                   for n in range(3)]
        sender.close()
        assert fake.sleeps == [0.25, 0.25]
        assert [r.split()[0] for r in replies] == ["250", "250", "250"]
        assert server.counts() == {f"r{n}@example.com": 1 for n in range(3)}
        assert len(server.handler.peers) == 1  # one connection for all three


def test_connections_sharing_a_pacer_keep_to_one_rate_together() -> None:
    fake = FakeTime()
    pacer = Pacer(4, sleep=fake.sleep, clock=fake.clock)
    with SmtpServer() as server:
        config = TransportSettings.model_validate(
            {"kind": "smtp", "host": "127.0.0.1", "port": server.port, "rate_limit": 4})
        first, second = (SmtpTransport(config, sleep=fake.sleep, pacer=pacer) for _ in range(2))
        for n, sender in enumerate([first, second, first, second]):
            sender.send(MESSAGE, f"<{n}@x>", "f@example.com", f"r{n}@example.com")
        first.close()
        second.close()
        assert len(server.handler.peers) == 2
    assert fake.sleeps == [0.25, 0.25, 0.25]  # 4 a second in all, not 4 for each connection


def test_open_transports_gives_one_per_connection_with_one_pacer(tmp_path: Path) -> None:
    smtp = TransportSettings.model_validate({"kind": "smtp", "connections": 3, "rate_limit": 9})
    made = open_transports(smtp)
    assert len(made) == 3 and all(isinstance(t, SmtpTransport) for t in made)
    assert len({id(t.pacer) for t in made if isinstance(t, SmtpTransport)}) == 1
    outbox = TransportSettings.model_validate(
        {"kind": "outbox", "dir": str(tmp_path), "connections": 3})
    assert [type(t) for t in open_transports(outbox)] == [OutboxTransport]


def test_temporary_failures_back_off_exponentially() -> None:
    fake = FakeTime()
    with SmtpServer(Faults(tempfail={"bob@example.com": 3})) as server:
        sender = transport(server.port, fake, backoff=2, retries=3)
        reply = sender.send(MESSAGE, "<1@x>", "f@example.com", "bob@example.com")
        sender.close()
    assert reply.startswith("250") and fake.sleeps == [2, 4, 8]


def test_permanent_failure_is_not_retried() -> None:
    fake = FakeTime()
    with SmtpServer(Faults(reject={"gone@example.com"})) as server:
        sender = transport(server.port, fake, backoff=2)
        with pytest.raises(PermanentFailure, match=r"550 5\.1\.1"):
            sender.send(MESSAGE, "<1@x>", "f@example.com", "gone@example.com")
        assert sender.send(MESSAGE, "<1@x>", "f@example.com", "ok@example.com").startswith("250")
        sender.close()
    assert fake.sleeps == []


def test_a_body_refused_after_data_is_a_permanent_failure() -> None:
    with SmtpServer(Faults(refuse_body={"spam@example.com"})) as server:
        sender = transport(server.port, FakeTime())
        with pytest.raises(PermanentFailure, match=r"554 5\.6\.0"):
            sender.send(MESSAGE, "<1@x>", "f@example.com", "spam@example.com")
        assert sender.send(MESSAGE, "<2@x>", "f@example.com", "ok@example.com").startswith("250")
        sender.close()
        assert server.counts() == {"ok@example.com": 1}


@pytest.mark.parametrize("ending", [b"\r\n", b""])
def test_lines_that_start_with_a_period_arrive_as_written(ending: bytes) -> None:
    body = b".\r\n.hidden\r\n..two\r\nx.y\r\n.\r\n. last"
    data = b"Subject: dots\r\nMessage-ID: <1@x>\r\n\r\n" + body + ending
    with SmtpServer() as server:
        sender = transport(server.port, FakeTime())
        sender.send(data, "<1@x>", "f@example.com", "a@example.com")
        sender.close()
        assert server.received == [("a@example.com", data.removesuffix(b"\r\n") + b"\r\n")]


@given(st.binary().map(lambda b: b.replace(b"\x00", b".").replace(b"\x01", b"\r\n.")))
def test_dot_stuffing_sends_what_smtplib_sends(data: bytes) -> None:
    expected = re.sub(rb"(?m)^\.", b"..", data)  # smtplib's _quote_periods, which data() runs
    expected += b"" if expected.endswith(b"\r\n") else b"\r\n"
    assert dot_stuffed(data) == expected + b".\r\n"


def test_unreachable_server_is_a_connect_failure_after_the_retries() -> None:
    fake = FakeTime()
    sender = transport(free_port(), fake, backoff=1, retries=2, timeout=2)
    with pytest.raises(ConnectFailure, match="cannot connect"):
        sender.send(MESSAGE, "<1@x>", "f@example.com", "ann@example.com")
    assert fake.sleeps == [1, 2]


class _Auth:
    """Accepts mailer / the password the test puts in the environment."""

    def __call__(self, server: object, session: object, envelope: object, mechanism: str,
                 data: object) -> object:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            b"mailer", b"s3cret")
        return AuthResult(success=ok, handled=False)  # let aiosmtpd answer 535


def auth_server() -> SmtpServer:
    server = SmtpServer()
    server.controller = Controller(server.handler, hostname="127.0.0.1", port=server.port,
                                   authenticator=_Auth(), auth_require_tls=False)
    return server


def test_login_uses_the_password_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDS_TEST_SMTP_PASSWORD", "s3cret")
    with auth_server() as server:
        sender = transport(server.port, FakeTime(), username="mailer", security="none",
                           password="${FEEDS_TEST_SMTP_PASSWORD}")
        assert sender.send(MESSAGE, "<1@x>", "f@example.com", "a@example.com").startswith("250")
        sender.close()
        assert server.counts() == {"a@example.com": 1}


def test_a_wrong_password_stops_with_a_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDS_TEST_SMTP_PASSWORD", "wrong")
    with auth_server() as server:
        sender = transport(server.port, FakeTime(), username="mailer", security="none",
                           password="${FEEDS_TEST_SMTP_PASSWORD}")
        with pytest.raises(DeliveryError) as caught:
            sender.send(MESSAGE, "<1@x>", "f@example.com", "a@example.com")
        assert "check the user name and the variable behind ${FEEDS_TEST_SMTP_PASSWORD}" in str(
            caught.value)
        assert server.received == []
