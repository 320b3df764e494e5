"""feedcheck in pieces: ``passes`` (the streaming check) is True only for files ``check``
finds no error in, and ``check_file`` on a large file reports exactly what ``check`` reports.

Broken fixtures, our own feeds, feeds broken one way at a time, valid feeds in shapes the
streaming check leaves to the whole one, JSON cut at every place a block can end.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from feeds_support import meta
from hypothesis import given, settings
from hypothesis import strategies as st
from test_feeds_golden import awkward_articles

from feeds.feedcheck import check, check_file, jsonstream, passes
from feeds.models import Article
from feeds.render import FORMATS, Entry, renderer

CHECK = Path(__file__).parent / "data" / "feeds" / "check"
KINDS = ("atom", "rss")  # of XML feed


def many(count: int) -> list[Article]:
    """Awkward articles (the one with a relative URL left out: it fails the check)."""
    awkward = awkward_articles()[:4]
    return [replace(awkward[i % len(awkward)], id=f"urn:x:{i}") for i in range(count)]


def written(tmp_path: Path, data: bytes, name: str = "feed") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def assert_same_verdict(path: Path, expect: str | None = None) -> list[str]:
    """passes() never lets through what check() rejects; check_file() read in pieces says
    exactly what check() says."""
    whole = check(path.read_bytes(), expect)
    assert not (passes(path, expect) and whole), whole
    assert check_file(path, expect) == whole
    return whole


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    """check_file reads every file in pieces first, however small."""
    monkeypatch.setattr("feeds.feedcheck.STREAM_FROM", 0)


@pytest.mark.usefixtures("streamed")
@pytest.mark.parametrize("name", sorted(p.name for p in CHECK.iterdir()))
def test_broken_fixtures_give_the_same_errors(name: str) -> None:
    assert not passes(CHECK / name)
    assert assert_same_verdict(CHECK / name)


@pytest.mark.usefixtures("streamed")
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_our_feeds_pass_in_pieces(tmp_path: Path, fmt: str) -> None:
    path = written(tmp_path, renderer(fmt)(meta(), [Entry(a) for a in many(120)]))
    assert passes(path, fmt) and check_file(path, fmt) == []
    others = sorted(set(FORMATS) - {fmt})
    assert not passes(path, others[0])
    assert check_file(path, others[0]) == [f"expected a {others[0]} feed, found {fmt}"]


Mutation = Callable[[bytes], bytes]


def once(old: bytes, new: bytes, nth: int = 1) -> Mutation:
    """Replace the nth occurrence of ``old``."""

    def mutate(data: bytes) -> bytes:
        at = -1
        for _ in range(nth):
            at = data.index(old, at + 1)
        return data[:at] + new + data[at + len(old) :]

    return mutate


ATOM_BROKEN: dict[str, Mutation] = {
    "entry without id": once(b"<id>urn:x:1</id>", b""),
    "duplicate id": once(b"urn:x:2<", b"urn:x:1<"),
    "bad date": once(b"<updated>2021", b"<updated>x2021", 4),
    "text between entries": once(b"</entry>\n  <entry>", b"</entry>\n  junk<entry>"),
    # whitespace to str.strip, text to RELAX NG (which skips only XML's four)
    "ideographic space between entries": once(
        b"</entry>\n  <entry>", "</entry>\u3000<entry>".encode()
    ),
    "no-break space after the last entry": once(
        b"</entry>\n</feed>", "</entry>\xa0</feed>".encode()
    ),
    "head after entries": once(b"</feed>", b"  <title>late</title>\n</feed>"),
    "no author anywhere": lambda d: once(b"<author>", b"<x:a xmlns:x='urn:x'>")(
        once(b"</author>", b"</x:a>")(once(b"<author>", b"<contributor>", 2)(
            once(b"</author>", b"</contributor>", 2)(d)))),
    "neither content nor link": lambda d: once(b'<content type="html">', b"<summary>")(
        once(b"</content>", b"</summary>")(once(b'rel="alternate"', b'rel="related"', 2)(d))),
    "bad UTF-8 in the last entry": lambda d: d[: d.rindex(b"</title>")] + b"\xff" + d[
        d.rindex(b"</title>") :],
    "bad UTF-8 after the feed": lambda d: d + b"\xc3",
    "trailing element": lambda d: d + b"<feed/>",
    "truncated": lambda d: d[: len(d) // 2],
    "no declaration": lambda d: d[d.index(b"\n") + 1 :],
}
RSS_BROKEN: dict[str, Mutation] = {
    "duplicate guid": once(b">urn:x:2<", b">urn:x:1<"),
    "item without title or description": lambda d: once(b"<title>", b"<x>", 2)(
        once(b"</title>", b"</x>", 2)(once(b"<description>", b"<y>", 2)(
            once(b"</description>", b"</y>", 2)(d)))),
    "relative link": once(b"<link>https://news.example.org/2021", b"<link>/2021"),
    "bad pubDate": once(b"<pubDate>Thu, 04", b"<pubDate>Thu, 44"),
    "enclosure without length": once(b'length="12345" ', b""),
    "empty channel title": once(b"<title>Example News</title>", b"<title> </title>"),
    "version 2.1": once(b'version="2.0"', b'version="2.1"'),
    "bad UTF-8 in the last item": lambda d: d[: d.rindex(b"</title>")] + b"\xed\xa0\x80" + d[
        d.rindex(b"</title>") :],
}
JSON_BROKEN: dict[str, Mutation] = {
    "item without id": once(b'"id": "urn:x:3",', b""),
    "duplicate id": once(b'"urn:x:2"', b'"urn:x:1"'),
    "bad date": once(b'"date_published": "2021', b'"date_published": "x2021'),
    "trailing comma": lambda d: d[: d.rindex(b"}")] + b"},\n ]\n}\n",
    "bad version": once(b"version/1.1", b"version/1.0"),
    "byte-order mark": lambda d: b"\xef\xbb\xbf" + d,
    "trailing data": lambda d: d + b"{}",
    "items not a list": lambda d: d[: d.index(b'"items": [')] + b'"items": 7\n}\n',
    "bad UTF-8 at the end": lambda d: d + b"\xe4\xb8",
    "not an object": lambda d: b"[" + d + b"]",
}
# valid, but the streaming check does not settle them: the whole check does
STILL_GOOD: dict[str, dict[str, Mutation]] = {
    "atom": {
        "comment between entries": once(b"</entry>\n  <entry>", b"</entry><!-- c --><entry>"),
        "no whitespace at all": lambda d: d.replace(b">\n", b">").replace(b">  ", b">"),
    },
    "rss": {
        "channel title after the items": lambda d: once(
            b"</channel>", b"<title>T</title></channel>"
        )(once(b"<title>Example News</title>", b"")(d)),
        "a second channel, broken": once(b"</rss>", b"<channel><item/><item/></channel></rss>"),
        "an item inside an item": once(b"</item>", b"<item><guid>urn:x:1</guid></item></item>"),
    },
    "json": {
        "items first": lambda d: b'{"items": ' + d[d.index(b"[", d.index(b'"items"')) : -3]
        + b", " + d[1 : d.index(b'"items"')].rstrip().rstrip(b",") + b"}\n",
        "a key twice": once(b'"title": "Example News"', b'"title": "x", "title": "Example News"'),
        "numbers everywhere": once(b'"version"', b'"n": [1, 2.5e3, -0, true, null], "version"'),
    },
}
BROKEN = {"atom": ATOM_BROKEN, "rss": RSS_BROKEN, "json": JSON_BROKEN}


def base(fmt: str) -> bytes:
    return renderer(fmt)(meta(), [Entry(a) for a in many(7)])


@pytest.mark.usefixtures("streamed")
@pytest.mark.parametrize(
    ("fmt", "name"), [(f, n) for f, cases in BROKEN.items() for n in cases]
)
def test_a_broken_feed_gives_the_errors_of_the_whole_check(
    tmp_path: Path, fmt: str, name: str
) -> None:
    path = written(tmp_path, BROKEN[fmt][name](base(fmt)))
    assert not passes(path)
    assert assert_same_verdict(path), "the mutation should break the feed"


@pytest.mark.usefixtures("streamed")
@pytest.mark.parametrize(
    ("fmt", "name"), [(f, n) for f, cases in STILL_GOOD.items() for n in cases]
)
def test_a_valid_feed_in_an_unusual_shape_is_never_refused(
    tmp_path: Path, fmt: str, name: str
) -> None:
    path = written(tmp_path, STILL_GOOD[fmt][name](base(fmt)))
    assert assert_same_verdict(path) == []


@pytest.mark.usefixtures("streamed")
@pytest.mark.parametrize("name", sorted(JSON_BROKEN) + sorted(STILL_GOOD["json"]) + ["good"])
def test_json_read_a_few_bytes_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Values cut at every place a block can end (numbers and literals included)."""
    monkeypatch.setattr(jsonstream, "BLOCK", 7)
    mutate = {**JSON_BROKEN, **STILL_GOOD["json"]}.get(name, lambda d: d)
    path = written(tmp_path, mutate(base("json")))
    verdict = assert_same_verdict(path)
    assert passes(path) == (name == "good" or name == "items first" or name.startswith("num"))
    assert bool(verdict) == (name in JSON_BROKEN)


@pytest.mark.usefixtures("streamed")
def test_a_json_item_too_large_to_stream_is_checked_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jsonstream, "BLOCK", 64)
    monkeypatch.setattr(jsonstream, "PENDING", 100)
    path = written(tmp_path, base("json"))
    assert not passes(path) and check_file(path) == []


@pytest.mark.usefixtures("streamed")
@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=30), st.sampled_from(KINDS))
def test_any_title_gets_the_same_verdict(text: str, fmt: str) -> None:
    """Raw text in a title: often not well-formed, sometimes not UTF-8 (lone surrogates)."""
    data = base(fmt).replace("浙江：借势长三角 0 &amp; &lt;co&gt;".encode(), text.encode(
        "utf-8", "surrogatepass"))
    with tempfile.TemporaryDirectory() as folder:
        assert_same_verdict(written(Path(folder), data))
