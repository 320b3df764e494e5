"""feedcheck: our own feeds pass; each broken fixture fails with a message naming the fault."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from feeds_support import DATA, articles, render

from feeds.feedcheck import check, check_file
from feeds.render import FORMATS

CHECK = DATA / "check"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_rendered_feeds_pass(fmt: str) -> None:
    assert check(render(fmt, articles(3)), expect=fmt) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("rss-channel-without-title.xml", ["<channel> needs a non-empty <title>"]),
        ("rss-bad-pubdate.xml",
         ["line 3: <item> <pubDate> 'Thu, 32 Nov 2021 03:38:02' is not an RFC 822 date "
          "with a zone"]),
        ("rss-duplicate-guid.xml", ["guid 'x' is used 2 times"]),
        ("rss-item-without-title-relative-link.xml", [
            "line 3: <item> needs a <title> or a <description>",
            "line 3: <item> <link> '/relative/' is not an absolute URL",
        ]),
        ("latin1-declaration.xml",
         ['no XML declaration with encoding="UTF-8" at the start of the file']),
        ("atom-no-author-no-link-or-content.xml", [
            "line 2: entry has no author and the feed has none",
            "line 2: entry has neither content nor an alternate link",
        ]),
        ("atom-duplicate-id.xml", ["entry id 'urn:e' is used 2 times"]),
        ("json-version-1.0-no-title.json", [
            "version: expected 'https://jsonfeed.org/version/1.1', got 'https://jsonfeed.org/version/1'",
            "title: required, a non-empty string",
        ]),
        ("json-broken-items.json", [
            "home_page_url: '/home' is not an absolute URL",
            "items[0].content_html or content_text: one is required",
            "items[0].date_published: '2021-11-04 03:38' is not an RFC 3339 date",
            "items[1].authors: each needs a name, url or avatar",
            "items[2].attachments[0]: needs url and mime_type",
            "item id '2' is used 2 times",
        ]),
    ],
)
def test_broken_feeds_are_named_precisely(name: str, expected: list[str]) -> None:
    assert check_file(CHECK / name) == expected


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("not-well-formed.xml", "not well-formed XML: xmlParseEntityRef: no name, line 3"),
        ("json-syntax-error.json", "not valid UTF-8 JSON: Expecting value: line 1 column 73"),
        ("atom-missing-id-bad-updated.xml", "line 2: Expecting an element id, got nothing"),
        ("atom-rfc822-updated.xml",
         "line 2: Type dateTime doesn't allow value 'Thu, 04 Nov 2021 03:38:02 +0000'"),
    ],
)
def test_parser_and_schema_errors_are_reported(name: str, start: str) -> None:
    errors = check_file(CHECK / name)
    assert any(e.startswith(start) for e in errors), errors


def test_kind_mismatch_and_unreadable_file(tmp_path: Path) -> None:
    assert check(render("rss", articles(1)), expect="atom") == [
        "expected a atom feed, found rss"
    ]
    assert check_file(tmp_path / "missing.xml") == ["cannot read: No such file or directory"]


def test_every_fixture_is_used() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    assert all(f'"{p.name}"' in source for p in CHECK.iterdir())


@pytest.mark.parametrize("attachments", [3, None, True, "x"])
def test_json_attachments_that_are_no_list_are_an_error_not_a_crash(attachments: object) -> None:
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "t",
            "items": [{"id": "1", "content_text": "c", "attachments": attachments}]}
    assert check(json.dumps(feed).encode()) == ["items[0].attachments: must be a list"]
