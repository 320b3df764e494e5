"""`feeds serve`: real HTTP requests against the development server on 127.0.0.1."""

from __future__ import annotations

import gzip
import http.client
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from feeds.config import default_config
from feeds.config.root import Config
from feeds.serve.app import DevSite, make_app
from feeds.serve.server import DevServer

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
RSS = b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>' + (
    b"<item><title>x</title></item>" * 40) + b"</channel></rss>\n"


def site_config(root: Path) -> Config:
    return default_config(
        {
            "output": str(root / "public"),
            "feeds": [
                {"name": "rss", "format": "rss", "path": "rss.xml"},
                {"name": "atom", "format": "atom", "path": "atom.xml"},
                {"name": "json", "format": "json", "path": "feed.json"},
                {"name": "tags", "format": "atom", "path": "tags/{slug}.xml", "per": "tag"},
            ],
            "digests": [{"name": "daily"}],
        },
        base_dir=root,
    )


def echo_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """Stands in for the unsubscribe app: answers with what it was mounted as."""
    body = f"{environ['SCRIPT_NAME']}|{environ['PATH_INFO']}|{environ['QUERY_STRING']}".encode()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body]


@pytest.fixture(scope="module")
def site_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("site")


@pytest.fixture(scope="module")
def server(site_root: Path) -> Iterator[DevServer]:
    """One server for the module (starting and stopping costs a poll interval)."""
    tmp_path = site_root
    public = tmp_path / "public"
    (public / "tags").mkdir(parents=True)
    (public / "rss.xml").write_bytes(RSS)
    (public / "atom.xml").write_bytes(b'<?xml version="1.0"?><feed/>')
    (public / "feed.json").write_bytes(b'{"version": "https://jsonfeed.org/version/1.1"}')
    (public / "tags" / "新闻.xml").write_bytes(b'<?xml version="1.0"?><feed/>')
    (public / "notes.txt").write_bytes(b"plain")
    (tmp_path / "secret.txt").write_bytes(b"outside")
    site = DevSite(site_config(tmp_path), ["built: 3 feeds"])

    def preview(config: Config, name: str, now: datetime) -> str:
        return f"<html><body>digest {name} at {now.isoformat()}</body></html>"

    app = make_app(site, clock=lambda: NOW, preview=preview, unsubscribe=echo_app)
    with DevServer(app, "127.0.0.1", 0) as running:
        yield running


def get(server: DevServer, path: str, **headers: str) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(server.url.rstrip("/") + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def raw_get(server: DevServer, path: str) -> int:
    """A request whose path is sent exactly as written (urllib would not send '..')."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=5)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/rss.xml", "application/rss+xml; charset=utf-8"),
        ("/atom.xml", "application/atom+xml; charset=utf-8"),
        ("/feed.json", "application/feed+json; charset=utf-8"),
        ("/tags/%E6%96%B0%E9%97%BB.xml", "application/atom+xml; charset=utf-8"),
        ("/notes.txt", "text/plain; charset=utf-8"),
        ("/", "text/html; charset=utf-8"),
    ],
)
def test_content_types(server: DevServer, path: str, expected: str) -> None:
    status, headers, _ = get(server, path)
    assert (status, headers["Content-Type"]) == (200, expected)


def test_etag_gives_304(server: DevServer) -> None:
    status, headers, body = get(server, "/rss.xml")
    assert status == 200 and body == RSS
    etag = headers["ETag"]
    assert get(server, "/rss.xml", **{"If-None-Match": etag})[0] == 304
    assert get(server, "/rss.xml", **{"If-None-Match": f'"other", W/{etag}'})[0] == 304
    assert get(server, "/rss.xml", **{"If-None-Match": '"other"'})[0] == 200


def test_last_modified_gives_304(server: DevServer) -> None:
    _, headers, _ = get(server, "/rss.xml")
    since = headers["Last-Modified"]
    assert get(server, "/rss.xml", **{"If-Modified-Since": since})[0] == 304
    old = "Thu, 01 Jan 1998 00:00:00 GMT"
    assert get(server, "/rss.xml", **{"If-Modified-Since": old})[0] == 200


def test_etag_changes_with_the_bytes(server: DevServer, site_root: Path) -> None:
    first = get(server, "/atom.xml")[1]["ETag"]
    (site_root / "public" / "atom.xml").write_bytes(b'<?xml version="1.0"?><feed>new</feed>')
    status, headers, _ = get(server, "/atom.xml", **{"If-None-Match": first})
    assert status == 200 and headers["ETag"] != first


def test_gzip_when_accepted(server: DevServer) -> None:
    status, headers, body = get(server, "/rss.xml", **{"Accept-Encoding": "gzip, br"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in headers["Vary"]
    assert gzip.decompress(body) == RSS
    assert int(headers["Content-Length"]) == len(body) < len(RSS)
    # the gzip variant has its own ETag, and it revalidates too
    again = get(server, "/rss.xml", **{"Accept-Encoding": "gzip", "If-None-Match": headers["ETag"]})
    assert again[0] == 304


def test_no_gzip_when_refused(server: DevServer) -> None:
    _, headers, body = get(server, "/rss.xml", **{"Accept-Encoding": "gzip;q=0"})
    assert headers["Content-Encoding"] is None and body == RSS


@pytest.mark.parametrize(
    "path", ["/../secret.txt", "/%2e%2e/secret.txt", "/tags/../../secret.txt", "/..%2fsecret.txt",
             "/%5c..%5csecret.txt"])
def test_path_traversal_is_refused(server: DevServer, path: str) -> None:
    assert raw_get(server, path) in (400, 404)


def test_missing_file_is_404_with_a_hint(server: DevServer) -> None:
    status, _, body = get(server, "/2026/11/26/hello/")
    assert status == 404
    assert body.decode().startswith("not found: /2026/11/26/hello/\nfeeds writes feeds and")


def test_index_lists_feeds_and_digests(server: DevServer) -> None:
    _, _, body = get(server, "/")
    page = body.decode()
    base = server.url
    for path in ("rss.xml", "atom.xml", "feed.json", "tags/%E6%96%B0%E9%97%BB.xml"):
        assert f'href="{base}{path}"' in page
    autodiscovery = (
        f'<link rel="alternate" type="application/rss+xml" title="rss" href="{base}rss.xml">'
    )
    assert autodiscovery in page
    assert '<a href="/_digest/daily">daily</a>' in page
    assert "built: 3 feeds" in page


def test_digest_preview(server: DevServer) -> None:
    status, headers, body = get(server, "/_digest/daily")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert body == b"<html><body>digest daily at 2026-11-26T08:00:00+00:00</body></html>"
    status, _, body = get(server, "/_digest/weekly")
    assert status == 404 and b"known: daily" in body


def test_unsubscribe_is_mounted(server: DevServer) -> None:
    status, _, body = get(server, "/unsubscribe?token=abc")
    assert (status, body) == (200, b"/unsubscribe||token=abc")


def test_other_methods_are_refused(server: DevServer) -> None:
    request = urllib.request.Request(server.url + "rss.xml", data=b"x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=5)
    assert error.value.code == 405


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
READER = "application/rss+xml, application/atom+xml;q=0.9, text/html;q=0.5, */*;q=0.1"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (BROWSER, "application/xml; charset=utf-8"),  # so the feed's stylesheet applies
        (READER, "application/rss+xml; charset=utf-8"),
        ("*/*", "application/rss+xml; charset=utf-8"),
    ],
)
def test_browsers_get_xml_readers_get_the_feed_type(
    server: DevServer, accept: str, expected: str
) -> None:
    _, headers, _ = get(server, "/rss.xml", Accept=accept)
    assert headers["Content-Type"] == expected
    assert headers["Vary"] == "Accept-Encoding, Accept"


def test_failing_preview_is_a_page_not_a_crash(tmp_path: Path) -> None:
    def broken(config: Config, name: str, now: datetime) -> str:
        raise KeyError("subject")

    app = make_app(DevSite(site_config(tmp_path)), clock=lambda: NOW, preview=broken)
    with DevServer(app, "127.0.0.1", 0) as running:
        status, _, body = get(running, "/_digest/daily")
    assert status == 500 and b"KeyError: &#x27;subject&#x27;" in body


def test_port_in_use_is_a_usage_error(
    server: DevServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from feeds.cli import main

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--no-rebuild", "--port", str(server.port)])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"error: port {server.port} on 127.0.0.1 is already in use" in err
    assert "hint: pick another with --port (or --port 0 for any)" in err
