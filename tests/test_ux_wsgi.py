"""feeds.serve.wsgi: the unsubscribe app as a production WSGI server loads it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest

from feeds.cli import main
from feeds.errors import ConfigError
from feeds.serve.wsgi import unsubscribe_app


def call(app: Any, query: str) -> tuple[str, bytes]:
    environ: dict[str, Any] = {"QUERY_STRING": query, "wsgi.input": io.BytesIO()}
    setup_testing_defaults(environ)
    seen: list[str] = []
    body = b"".join(app(environ, lambda status, headers: seen.append(status)))
    return seen[0], body


def test_factory_reads_feeds_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit):
        main(["init", str(tmp_path), "-q", "--title", "Factory site"])
    monkeypatch.setenv("FEEDS_CONFIG", str(tmp_path / "config.yaml"))
    monkeypatch.setenv("FEEDS_SECRET", "wsgi-test-secret")
    status, body = call(unsubscribe_app(), "token=forged")
    assert status == "400 Bad Request"
    assert b"not valid" in body


def test_bad_config_stops_start_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config.yaml").write_text("site: {titel: x}\n", encoding="utf-8")
    monkeypatch.setenv("FEEDS_CONFIG", str(tmp_path / "config.yaml"))
    with pytest.raises(ConfigError, match="did you mean 'title'"):
        unsubscribe_app()
