"""run_digest against a real SMTP server on 127.0.0.1, with faults injected by the server."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from test_digest_support import (
    NOW,
    FakeCollection,
    Faults,
    SmtpServer,
    make_article,
    make_config,
)
from test_digest_transport import auth_server

from feeds.config import Config
from feeds.digest import ledger, subscribers
from feeds.digest.run import exclusive, open_db, run_digest
from feeds.errors import DeliveryError

PEOPLE = ["ann@example.com", "bob@example.com", "cy@example.org", "dee@example.net"]
ARTICLES = FakeCollection(tuple(make_article(n, hours_ago=n + 1) for n in range(5)))


def subscribe(config: Config, addresses: list[str], digest: str = "daily") -> None:
    db = open_db(config)
    for address in addresses:
        subscribers.add(db, address, [digest])
    db.close()


def test_every_subscriber_gets_one_digest(tmp_path: Path) -> None:
    with SmtpServer() as server:
        config = make_config(tmp_path, port=server.port)
        subscribe(config, PEOPLE)
        report = run_digest(config, "daily", now=NOW, collection=ARTICLES)
        assert report.status == "sent" and report.sent == 4
        assert server.counts() == {p: 1 for p in PEOPLE}
        assert len(server.handler.peers) == 1  # one connection for everyone
        again = run_digest(config, "daily", now=NOW, collection=ARTICLES)
        assert again.status == "up-to-date" and again.sent == 0
        assert server.counts() == {p: 1 for p in PEOPLE}


def test_451_is_retried_and_then_accepted(tmp_path: Path) -> None:
    with SmtpServer(Faults(tempfail={"bob@example.com": 2})) as server:
        config = make_config(tmp_path, port=server.port)
        subscribe(config, PEOPLE)
        report = run_digest(config, "daily", now=NOW, collection=ARTICLES)
        assert report.status == "sent" and report.sent == 4 and report.failed_temp == 0
        assert server.counts() == {p: 1 for p in PEOPLE}


def test_451_beyond_the_retries_stays_open_and_the_next_call_finishes(tmp_path: Path) -> None:
    with SmtpServer(Faults(tempfail={"bob@example.com": 4})) as server:  # retries: 3
        config = make_config(tmp_path, port=server.port)
        subscribe(config, PEOPLE)
        report = run_digest(config, "daily", now=NOW, collection=ARTICLES)
        assert report.status == "partial" and report.failed_temp == 1 and report.sent == 3
        assert report.failures[0][0] == "bob@example.com"
        assert report.failures[0][1].startswith("451")
        assert "bob@example.com" not in server.counts()
        later = run_digest(config, "daily", now=NOW + timedelta(hours=1), collection=ARTICLES)
        assert later.resumed_runs == (report.run_id,) and later.sent == 1
        assert server.counts() == {p: 1 for p in PEOPLE}


def test_550_is_recorded_and_does_not_block_the_others(tmp_path: Path) -> None:
    with SmtpServer(Faults(reject={"cy@example.org"})) as server:
        config = make_config(tmp_path, port=server.port)
        subscribe(config, PEOPLE)
        report = run_digest(config, "daily", now=NOW, collection=ARTICLES)
        assert report.status == "sent" and report.sent == 3 and report.failed_perm == 1
        assert server.counts() == {p: 1 for p in PEOPLE if p != "cy@example.org"}
        db = open_db(config)
        states = {a: (s, r) for a, s, r in ledger.deliveries(db, report.run_id or 0)}
        db.close()
        assert states["cy@example.org"] == ("failed-perm", "550 5.1.1 no such user")
        assert states["ann@example.com"][0] == "sent"
        assert states["ann@example.com"][1].startswith("250 2.0.0 queued as")
        again = run_digest(config, "daily", now=NOW, collection=ARTICLES)
        assert again.sent == 0 and server.counts()["cy@example.org"] == 0


def test_dropped_connection_reconnects_and_nobody_is_missed(tmp_path: Path) -> None:
    with SmtpServer(Faults(drop_after=2)) as server:
        config = make_config(tmp_path, port=server.port)
        subscribe(config, PEOPLE)
        report = run_digest(config, "daily", now=NOW, collection=ARTICLES)
        assert server.handler._dropped  # the fault did happen
        assert len(server.handler.peers) == 2  # and the sender reconnected once
        assert report.status == "sent" and report.sent == 4
        assert server.counts() == {p: 1 for p in PEOPLE}


def test_next_period_starts_where_the_last_one_ended(tmp_path: Path) -> None:
    with SmtpServer() as server:
        config = make_config(tmp_path, port=server.port)
        subscribe(config, ["ann@example.com"])
        first = run_digest(config, "daily", now=NOW, collection=ARTICLES)
        newer = make_article(99, hours_ago=-3)  # published 3 h after the first run
        later = FakeCollection((newer, *ARTICLES.articles))
        second = run_digest(config, "daily", now=NOW + timedelta(days=1), collection=later)
        assert first.articles == tuple(a.id for a in ARTICLES.articles)
        assert second.articles == (newer.id,)
        assert second.period_start == first.period_end
        assert server.counts() == {"ann@example.com": 2}


def test_empty_digest_is_skipped_and_recorded(tmp_path: Path) -> None:
    with SmtpServer() as server:
        config = make_config(tmp_path, port=server.port)
        subscribe(config, PEOPLE)
        report = run_digest(config, "daily", now=NOW, collection=FakeCollection(()))
        assert report.status == "skipped" and report.run_id is not None
        assert server.received == []
        db = open_db(config)
        assert ledger.history(db, "daily")[0].run.status == "skipped"
        db.close()


def test_send_empty_sends_an_empty_digest(tmp_path: Path) -> None:
    with SmtpServer() as server:
        config = make_config(tmp_path, port=server.port, digest={"send_empty": True})
        subscribe(config, ["ann@example.com"])
        report = run_digest(config, "daily", now=NOW, collection=FakeCollection(()))
        assert report.status == "sent" and server.counts() == {"ann@example.com": 1}


def test_first_run_takes_only_the_first_window(tmp_path: Path) -> None:
    old = make_article(50, hours_ago=30)
    with SmtpServer() as server:
        config = make_config(tmp_path, port=server.port)
        subscribe(config, ["ann@example.com"])
        report = run_digest(config, "daily", now=NOW,
                            collection=FakeCollection((*ARTICLES.articles, old)))
        assert old.id not in report.articles and len(report.articles) == 5


def test_unsubscribed_meanwhile_and_category_filters(tmp_path: Path) -> None:
    mixed = FakeCollection((make_article(1, categories=("财经",)),
                            make_article(2, categories=("体育",))))
    with SmtpServer() as server:
        config = make_config(tmp_path, port=server.port)
        db = open_db(config)
        subscribers.add(db, "ann@example.com", ["daily"], categories=["财经"])
        subscribers.add(db, "bob@example.com", ["daily"], categories=["天气"])
        subscribers.add(db, "cy@example.org", ["daily"])
        subscribers.set_status(db, "cy@example.org", "bounced")
        db.close()
        report = run_digest(config, "daily", now=NOW, collection=mixed)
        assert server.counts() == {"ann@example.com": 1}
        assert report.skipped == 1  # bob: nothing in his categories; cy is not active at all
        body = server.messages()["ann@example.com"].get_body(("plain",))
        assert body is not None
        assert "第1条" in body.get_content() and "第2条" not in body.get_content()


def test_outbox_transport_writes_one_eml_per_recipient(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    subscribe(config, PEOPLE)
    report = run_digest(config, "daily", now=NOW, collection=ARTICLES)
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert report.sent == 4 and len(files) == 4
    assert report.web_copy == tmp_path / "public/digests/daily/2026-11-26-0800.html"
    assert report.web_copy.is_file()


def test_a_second_sender_of_the_same_digest_is_refused(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    subscribe(config, PEOPLE)
    with exclusive(config.state, "daily"), pytest.raises(DeliveryError, match="another process"):
        run_digest(config, "daily", now=NOW, collection=ARTICLES)
    assert run_digest(config, "daily", now=NOW, collection=ARTICLES).sent == 4


MANY = [f"reader{n:02d}@example.com" for n in range(40)]


def test_several_connections_send_each_subscriber_one_message(tmp_path: Path) -> None:
    # each MAIL answered after 10 ms, so every connection has work while the others wait
    with SmtpServer(Faults(delay=0.01)) as server:
        config = make_config(tmp_path, port=server.port, connections=3)
        subscribe(config, MANY)
        report = run_digest(config, "daily", now=NOW, collection=ARTICLES)
        assert report.status == "sent" and report.sent == len(MANY)
        assert server.counts() == {p: 1 for p in MANY}
        assert len(server.handler.peers) == 3
        db = open_db(config)
        states = {state for _, state, _ in ledger.deliveries(db, report.run_id or 0)}
        run = ledger.get_run(db, report.run_id or 0)
        db.close()
        assert states == {"sent"} and run.status == ledger.DONE
        again = run_digest(config, "daily", now=NOW, collection=ARTICLES)
        assert again.status == "up-to-date" and server.counts() == {p: 1 for p in MANY}


def test_several_connections_record_refusals_and_temporary_failures(tmp_path: Path) -> None:
    faults = Faults(reject={"reader07@example.com"}, tempfail={"reader11@example.com": 4})
    with SmtpServer(faults) as server:
        config = make_config(tmp_path, port=server.port, connections=3)
        subscribe(config, MANY)
        report = run_digest(config, "daily", now=NOW, collection=ARTICLES)
        assert (report.status, report.sent) == ("partial", len(MANY) - 2)
        assert (report.failed_perm, report.failed_temp) == (1, 1)
        assert sorted(a for a, _ in report.failures) == ["reader07@example.com",
                                                        "reader11@example.com"]
        later = run_digest(config, "daily", now=NOW + timedelta(hours=1), collection=ARTICLES)
        assert later.resumed_runs == (report.run_id,) and later.sent == 1
        assert server.counts() == {p: 1 for p in MANY if p != "reader07@example.com"}


def test_several_connections_stop_when_the_server_goes_and_resume_exactly(
    tmp_path: Path,
) -> None:
    with SmtpServer(Faults(gone_after=10, delay=0.005)) as server:
        config = make_config(tmp_path, port=server.port, connections=3)
        subscribe(config, MANY)
        with pytest.raises(DeliveryError, match="cannot connect") as caught:
            run_digest(config, "daily", now=NOW, collection=ARTICLES)
        assert "run it again to resume" in str(caught.value.hint)
        before = server.counts()
    assert 10 <= sum(before.values()) < len(MANY) and set(before.values()) == {1}
    db = open_db(config)
    sent = [a for a, state, _ in ledger.deliveries(db, 1) if state == "sent"]
    db.close()
    assert sorted(sent) == sorted(before)  # recorded exactly what the server took
    with SmtpServer(port=server.port) as back:
        report = run_digest(config, "daily", now=NOW, collection=ARTICLES)
        assert report.status == "sent" and report.resumed_runs == (1,)
        assert report.sent == len(MANY) - len(before)
        assert before + back.counts() == Counter({p: 1 for p in MANY})


def test_several_connections_stop_on_a_wrong_password_with_its_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FEEDS_TEST_SMTP_PASSWORD", "wrong")
    with auth_server() as server:
        config = make_config(tmp_path, transport={
            "kind": "smtp", "host": "127.0.0.1", "port": server.port, "backoff": 0,
            "username": "mailer", "password": "${FEEDS_TEST_SMTP_PASSWORD}", "connections": 3})
        subscribe(config, MANY)
        with pytest.raises(DeliveryError, match="535") as caught:
            run_digest(config, "daily", now=NOW, collection=ARTICLES)
        assert "FEEDS_TEST_SMTP_PASSWORD" in str(caught.value.hint)
        assert server.received == []
    db = open_db(config)
    assert {state for _, state, _ in ledger.deliveries(db, 1)} == {"pending"}
    db.close()


# connections finish what they have begun, no more; with 4 people on 3 connections everything
# is queued before the stop comes, and only the senders can tell
@pytest.mark.parametrize(("connections", "people"), [(1, PEOPLE), (3, MANY), (3, PEOPLE)],
                         ids=["serial", "3-of-40", "3-of-4"])
def test_stop_finishes_the_messages_in_flight_and_the_next_call_resumes(
    tmp_path: Path, connections: int, people: list[str]
) -> None:
    with SmtpServer(Faults(delay=0.01)) as server:
        config = make_config(tmp_path, port=server.port, connections=connections)
        subscribe(config, people)
        stop = threading.Event()
        original = server.handler.handle_DATA

        async def stop_after_first(*args: object) -> str:
            stop.set()  # asked to stop while the first message is in flight
            return await original(*args)  # type: ignore[arg-type]

        server.handler.handle_DATA = stop_after_first  # type: ignore[method-assign]
        first = run_digest(config, "daily", now=NOW, collection=ARTICLES, stop=stop)
        assert first.status == "stopped" and 1 <= first.sent <= connections
        assert sum(server.counts().values()) == first.sent
        server.handler.handle_DATA = original  # type: ignore[method-assign]
        second = run_digest(config, "daily", now=NOW, collection=ARTICLES)
        assert second.resumed_runs == (first.run_id,) and second.status == "sent"
        assert second.run_id == first.run_id and second.sent == len(people) - first.sent
        assert server.counts() == {p: 1 for p in people}
