"""Optional parts of a build: WebSub announcements, RFC 5005 archives, browser stylesheets."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from feeds_support import NOW, article, articles, assert_valid_atom, collection, make_config, parse
from lxml import etree

from feeds.build import run_build
from feeds.feedcheck import check_file
from feeds.models import Severity

ATOM = "{http://www.w3.org/2005/Atom}"
HISTORY = "{http://purl.org/syndication/history/1.0}"


class Hub(ThreadingHTTPServer):
    """A WebSub hub on 127.0.0.1 that records publish notifications."""

    def __init__(self, status: int = 204) -> None:
        self.pings: list[dict[str, list[str]]] = []
        self.status = status
        super().__init__(("127.0.0.1", 0), _HubHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hub"


class _HubHandler(BaseHTTPRequestHandler):
    server: Hub

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.server.pings.append(parse_qs(self.rfile.read(length).decode("ascii")))
        self.send_response(self.server.status)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def hub() -> Iterator[Hub]:
    server = Hub()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_hub_links_and_one_publish_per_changed_feed(tmp_path: Path, hub: Hub) -> None:
    config = make_config(tmp_path, websub={"hub": hub.url})
    report = run_build(config, now=NOW, collection=collection(articles(2)))
    assert report.problems == ()
    assert sorted(p["hub.url"][0] for p in hub.pings) == [
        "https://news.example.org/atom.xml",
        "https://news.example.org/feed.json",
        "https://news.example.org/rss.xml",
    ]
    assert all(p["hub.mode"] == ["publish"] for p in hub.pings)
    out = tmp_path / "public"
    atom_links = etree.parse(str(out / "atom.xml")).getroot().findall(ATOM + "link")
    assert ("hub", hub.url) in [(link.get("rel"), link.get("href")) for link in atom_links]
    rss = etree.parse(str(out / "rss.xml")).getroot()
    assert [a.get("href") for a in rss.iter(ATOM + "link") if a.get("rel") == "hub"] == [hub.url]
    hub.pings.clear()
    run_build(config, now=NOW, collection=collection(articles(2)))
    assert hub.pings == []  # nothing changed, nothing announced


def test_a_hub_that_is_down_is_a_warning(tmp_path: Path) -> None:
    closed = Hub()
    url = closed.url
    closed.server_close()  # nothing listens there any more
    config = make_config(tmp_path, websub={"hub": url, "timeout": 2})
    report = run_build(config, now=NOW, collection=collection(articles(1)))
    assert len(report.written) == 3 and report.exit_code == 0
    (problem,) = report.problems  # tried once, not once per feed
    assert problem.severity is Severity.WARNING
    assert problem.message.startswith(
        "https://news.example.org/rss.xml, https://news.example.org/atom.xml, "
        "https://news.example.org/feed.json not announced: the hub is unreachable ("
    )


def test_a_hub_that_refuses_is_a_warning(tmp_path: Path, hub: Hub) -> None:
    hub.status = 500
    config = make_config(tmp_path, websub={"hub": hub.url})
    report = run_build(config, now=NOW, only=["rss"], collection=collection(articles(1)))
    assert [str(p) for p in report.problems] == [
        f"{hub.url}: websub.hub: https://news.example.org/rss.xml not announced: "
        "the hub answered 500 Internal Server Error"
    ]


def _links(path: Path) -> dict[str, str]:
    """Feed-level links (not the entries' ones) by rel."""
    found = etree.parse(str(path)).xpath(
        "/a:feed/a:link | /rss/channel/a:link", namespaces={"a": ATOM[1:-1]}
    )
    return {a.get("rel"): a.get("href") for a in found}


def test_archive_pages_are_complete_and_linked(tmp_path: Path) -> None:
    feeds = [{"name": "a", "format": "atom", "path": "news/atom.xml", "limit": 20,
              "archive": True}]
    items = articles(45)
    config = make_config(tmp_path, feeds)
    report = run_build(config, now=NOW, collection=collection(items))
    out = tmp_path / "public" / "news"
    assert sorted(p.name for p in (out / "archive").iterdir()) == ["atom-1.xml", "atom-2.xml"]
    base = "https://news.example.org/news/"
    assert _links(out / "atom.xml")["prev-archive"] == base + "archive/atom-2.xml"
    first, second = out / "archive" / "atom-1.xml", out / "archive" / "atom-2.xml"
    assert _links(first) == {"alternate": "https://news.example.org/", "self": base +
                             "archive/atom-1.xml", "current": base + "atom.xml",
                             "next-archive": base + "archive/atom-2.xml"}
    assert _links(second)["prev-archive"] == base + "archive/atom-1.xml"
    seen: set[str] = set()
    for path in (out / "atom.xml", first, second):
        data = path.read_bytes()
        assert_valid_atom(data)
        assert check_file(path) == []
        seen |= {e.id for e in parse(data).entries}
    assert seen == {a.id for a in items}  # subscription + archives = every article
    assert etree.parse(str(first)).getroot().find(HISTORY + "archive") is not None
    assert [e.id for e in parse(first.read_bytes()).entries][-1] == items[-1].id  # oldest
    assert len(report.written) == 3


def test_rss_archive_pages(tmp_path: Path) -> None:
    feeds = [{"name": "r", "format": "rss", "path": "rss.xml", "limit": 10, "archive": True}]
    run_build(make_config(tmp_path, feeds), now=NOW, collection=collection(articles(25)))
    out = tmp_path / "public"
    assert _links(out / "rss.xml")["prev-archive"] == "https://news.example.org/archive/rss-2.xml"
    assert check_file(out / "archive" / "rss-1.xml") == []
    assert len(parse((out / "archive" / "rss-1.xml").read_bytes()).entries) == 10


def test_stylesheet_is_linked_relatively_and_copied(tmp_path: Path) -> None:
    feeds = [{"name": "r", "format": "rss", "path": "rss.xml", "stylesheet": True},
             {"name": "c", "format": "atom", "path": "c/{slug}/atom.xml", "per": "category",
              "stylesheet": True},
             {"name": "j", "format": "json", "path": "feed.json", "stylesheet": True}]
    report = run_build(make_config(tmp_path, feeds), now=NOW,
                       collection=collection([article(0, categories=("Tech",))]))
    out = tmp_path / "public"
    assert str(out / "feed.css") in report.written
    assert (out / "feed.css").read_bytes().startswith(b"/* feeds: how an RSS or Atom feed")
    rss = (out / "rss.xml").read_bytes()
    assert rss.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n'
                          b'<?xml-stylesheet href="feed.css" type="text/css"?>\n<rss ')
    nested = (out / "c" / "tech" / "atom.xml").read_bytes()
    assert b'<?xml-stylesheet href="../../feed.css" type="text/css"?>' in nested
    assert parse(rss).entries and check_file(out / "c" / "tech" / "atom.xml") == []
    assert rss.count(b"xml-stylesheet") == 1
    assert check_file(out / "feed.json") == []  # JSON has no stylesheet; nothing added
