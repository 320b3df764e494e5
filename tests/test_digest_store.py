"""Subscribers, tokens and the unsubscribe endpoint."""

from __future__ import annotations

import io
import string
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from test_digest_support import make_config

from feeds.digest import subscribers, tokens
from feeds.digest.run import open_db
from feeds.digest.unsubscribe import make_unsubscribe_app
from feeds.errors import UsageError

DATA = Path(__file__).parent / "data" / "digest"


@pytest.mark.parametrize("bad", ["", "ann", "ann@", "@example.com", "ann@@example.com",
                                 "ann smith@example.com", "ann@example", "ann@-x.com",
                                 "a..b@example.com", "ann@1.2.3.4"])
def test_invalid_addresses_are_refused(bad: str) -> None:
    with pytest.raises(UsageError, match="is not a valid email address"):
        subscribers.normalize_address(bad)


def test_domain_is_case_insensitive_and_the_local_part_is_kept(tmp_path: Path) -> None:
    db = subscribers.connect(tmp_path)
    subscribers.add(db, "Ann.Lee@Example.COM", ["daily"], name="Ann")
    subscribers.add(db, "Ann.Lee@example.com", ["weekly"])
    everyone = list(subscribers.iter_all(db))
    assert [(s.address, s.name, s.digests) for s in everyone] == [
        ("Ann.Lee@example.com", "Ann", ("daily", "weekly"))
    ]


def test_csv_import_reports_bad_rows_and_export_round_trips(tmp_path: Path) -> None:
    db = subscribers.connect(tmp_path)
    with (DATA / "subscribers.csv").open(encoding="utf-8") as source:
        problems = subscribers.import_csv(db, source, "daily")
    assert problems == ["line 4: 'not-an-address' is not a valid email address"]
    out = io.StringIO()
    subscribers.export_csv(db, out)
    assert out.getvalue() == (DATA / "subscribers.expected.csv").read_text(encoding="utf-8")


def test_unsubscribing_from_the_last_digest_marks_the_subscriber(tmp_path: Path) -> None:
    db = subscribers.connect(tmp_path)
    subscribers.add(db, "ann@example.com", ["daily", "weekly"])
    subscribers.unsubscribe(db, "ann@example.com", "daily")
    assert subscribers.get(db, "ann@example.com").status == "active"  # type: ignore[union-attr]
    subscribers.unsubscribe(db, "ann@example.com", "weekly")
    assert subscribers.get(db, "ann@example.com").status == "unsubscribed"  # type: ignore[union-attr]


def altered(text: str) -> str:
    """The text with its last character changed (to a different one, always)."""
    return text[:-1] + ("B" if text[-1] == "A" else "A")


def test_forged_and_altered_tokens_are_rejected() -> None:
    token = tokens.make_token(b"secret", "ann@example.com", "daily")
    assert tokens.read_token(b"secret", token) == tokens.Unsubscribe("ann@example.com", "daily")
    with pytest.raises(tokens.InvalidToken):
        tokens.read_token(b"other secret", token)
    _, payload, signature = token.split(".")
    bob = tokens.make_token(b"secret", "bob@example.com", "daily").split(".")[1]
    with pytest.raises(tokens.InvalidToken):
        tokens.read_token(b"secret", f"v1.{bob}.{signature}")
    # the signature's last character carries two unused bits: a spelling that differs only
    # there decodes to the same bytes, and must still be refused
    alphabet = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
    respelled = signature[:-1] + alphabet[alphabet.index(signature[-1]) ^ 1]
    for broken in ("", "v1.", "v2.x.y", f"v1.{payload}", f"v1.{payload}.@@@",
                   f"v1.{payload}.{respelled}", f"v1.{payload}.{altered(signature)}",
                   f"v1.{altered(payload)}.{signature}"):
        with pytest.raises(tokens.InvalidToken):
            tokens.read_token(b"secret", broken)


def test_secret_is_generated_once_with_a_note_unless_the_environment_has_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FEEDS_TEST_SECRET", raising=False)
    first = tokens.load_secret(tmp_path, "FEEDS_TEST_SECRET")
    assert tokens.load_secret(tmp_path, "FEEDS_TEST_SECRET") == first
    text = (tmp_path / tokens.SECRET_FILE).read_text()
    assert "FEEDS_TEST_SECRET" in text and text.startswith("# Secret that signs")
    assert (tmp_path / tokens.SECRET_FILE).stat().st_mode & 0o077 == 0
    monkeypatch.setenv("FEEDS_TEST_SECRET", "from-env")
    assert tokens.load_secret(tmp_path, "FEEDS_TEST_SECRET") == b"from-env"


def call(app: Any, method: str, query: str = "", body: bytes = b"") -> tuple[str, str]:
    environ: dict[str, Any] = {"REQUEST_METHOD": method, "QUERY_STRING": query,
                               "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
                               "CONTENT_TYPE": "application/x-www-form-urlencoded"}
    setup_testing_defaults(environ)
    status: list[str] = []
    page = b"".join(app(environ, lambda s, h: status.append(s)))
    return status[0], page.decode()


def test_unsubscribe_app_get_confirms_post_unsubscribes(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    db = open_db(config)
    subscribers.add(db, "ann@example.com", ["daily"])
    secret = tokens.load_secret(config.state, config.mail.secret_env)
    token = tokens.make_token(secret, "ann@example.com", "daily")
    app = make_unsubscribe_app(config)

    status, page = call(app, "GET", f"token={token}")
    assert status == "200 OK" and '<form method="post">' in page and "确认退订" in page
    assert subscribers.get(db, "ann@example.com").status == "active"  # type: ignore[union-attr]

    status, page = call(app, "POST", f"token={token}", b"List-Unsubscribe=One-Click")
    assert status == "200 OK" and "ann@example.com 将不再收到 <strong>daily</strong> 摘要" in page
    assert subscribers.get(db, "ann@example.com").status == "unsubscribed"  # type: ignore[union-attr]
    assert call(app, "POST", "", f"token={token}".encode())[0] == "200 OK"  # repeat is harmless

    assert call(app, "POST", f"token={altered(token)}", b"List-Unsubscribe=One-Click")[0] == (
        "400 Bad Request")
    assert call(app, "DELETE", f"token={token}")[0] == "405 Method Not Allowed"
