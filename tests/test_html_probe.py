"""Probing remote thumbnails, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from html_support import build, config
from PIL import Image

from feeds.html.probe import ProbeSettings, probe


def _png_bytes(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format="PNG")
    return out.getvalue() + b"\x00" * 200_000  # padding: a probe must not read it all


PNG = _png_bytes((640, 360))


class Handler(BaseHTTPRequestHandler):
    requests: ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self) -> None:
        Handler.requests.append((self.path, self.headers.get("Range")))
        if self.path == "/moved.png":
            self.send_response(302)
            self.send_header("Location", "/photo.png")
            self.end_headers()
        elif self.path.startswith("/photo.png"):
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PNG)))
            self.end_headers()
            self.wfile.write(PNG)
        elif self.path == "/page.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html></html>")
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Handler.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def settings(tmp_path: Path, allow_private: bool = True) -> ProbeSettings:
    return ProbeSettings(3.0, 65536, allow_private, tmp_path / "probes")


def test_probe_reads_type_size_and_length_with_a_ranged_request(server: str, tmp_path: Path):
    result = probe(server + "/photo.png", settings(tmp_path))
    assert (result.ok, result.mime_type, result.width, result.height) == (
        True,
        "image/png",
        640,
        360,
    )
    assert result.length == len(PNG)
    assert Handler.requests == [("/photo.png", "bytes=0-65535")]


def test_probe_results_are_cached_in_the_state_folder(server: str, tmp_path: Path):
    first = probe(server + "/photo.png", settings(tmp_path))
    again = probe(server + "/photo.png", settings(tmp_path))
    assert first == again and len(Handler.requests) == 1
    assert len(list((tmp_path / "probes").glob("*.json"))) == 1


def test_redirects_are_followed(server: str, tmp_path: Path):
    assert probe(server + "/moved.png", settings(tmp_path)).width == 640


@pytest.mark.parametrize(("path", "reason"), [("/page.html", "not an image"), ("/nope", "404")])
def test_useless_answers_are_failures(server: str, tmp_path: Path, path: str, reason: str):
    result = probe(server + path, settings(tmp_path))
    assert not result.ok and reason in result.reason


def test_loopback_is_refused_unless_allowed(server: str, tmp_path: Path):
    result = probe(server + "/photo.png", settings(tmp_path, allow_private=False))
    assert not result.ok and "non-public" in result.reason
    assert Handler.requests == []


def test_only_http_and_https(tmp_path: Path):
    assert not probe("ftp://127.0.0.1/x.png", settings(tmp_path)).ok


def test_build_probes_only_when_enabled(server: str, tmp_path: Path):
    meta = {"thumbnail": server + "/photo.png?v=1"}
    off = build("<p>x</p>", metadata=meta).thumbnail
    assert off is not None and off.width is None and Handler.requests == []
    cfg = config(thumbnails={"probe": True, "allow_private": True}, state=str(tmp_path / "state"))
    on = build("<p>x</p>", cfg, metadata=meta).thumbnail
    assert on is not None and (on.width, on.height, on.mime_type) == (640, 360, "image/png")
    assert on.length == len(PNG)
