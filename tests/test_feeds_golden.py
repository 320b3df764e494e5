"""Rendered bytes pinned: every format, plain / decorated / archive / empty, with the awkward
text a feed meets (escapes, control characters, tabs and newlines in attributes, CJK, emoji).

The files in data/feeds/golden were written by the whole-tree renderers; any change to how a
feed is assembled (streaming, chunking) must reproduce them byte for byte. After an intended
change of the output, rewrite them with ``python tests/test_feeds_golden.py``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from feeds_support import BASE, DATA, article, meta

from feeds.models import Article, Author, Thumbnail
from feeds.render import FORMATS, Entry, Link, renderer

GOLDEN = DATA / "golden"
SUFFIX = {"atom": "xml", "rss": "xml", "json": "json"}


def awkward_articles() -> list[Article]:
    """Articles that exercise every branch of the renderers and every escaping rule."""
    return [
        article(0),
        article(
            1,
            id="urn:uuid:6f1c-ü",
            title="tab\there\r\nCR & <b>\"quoted\"</b> ]]> \x0bgone 🙂",
            summary="   ",
            content_html="<p>a &amp; b &#1; &#x1F; &#9; ]]&gt; \x08</p>\r\n<pre>\tx</pre>",
            authors=(Author("A \"one\"", "a@example.org", "https://a.example.org/"),
                     Author("二")),
            categories=(),
            tags=("x", "X", " y "),
            thumbnail=Thumbnail("https://img.example.org/p.jpeg?w=1&h=2", None, 0, -1,
                                "alt with \"quotes\"\tand\nnewline & <tag>", None),
            language="",
        ),
        article(2, summary="", content_html="", thumbnail=None, authors=()),
        article(3, thumbnail=Thumbnail("https://img.example.org/unknown")),
        article(4, url="relative/not-absolute", updated=BASE - timedelta(days=3)),
    ]


def variants() -> dict[str, tuple[Any, list[Entry]]]:
    items = awkward_articles()
    entries = [Entry(a, full=i != 3) for i, a in enumerate(items)]
    decorated = meta(
        icon="https://news.example.org/icon.png",
        logo="https://news.example.org/logo.png?a=1&b=2",
        links=(Link("hub", "https://hub.example/"), Link("prev-archive", "https://n.org/a/1")),
        stylesheets=(("../feed.css", "text/css"), ("x.xsl?a=1&b=\"2\"", "text/xsl")),
        description="",
        authors=(Author("Ed", "ed@example.org", "https://ed.example.org/"), Author("Bo")),
    )
    archive = meta(archive=True, id="https://news.example.org/feed.xml",
                   self_url="https://news.example.org/archive/feed-1.xml",
                   links=(Link("current", "https://news.example.org/feed.xml"),))
    return {
        "plain": (meta(), entries),
        "decorated": (decorated, entries),
        "archive": (archive, entries[:2]),
        "empty": (replace(meta(), authors=()), []),
    }


def golden_path(fmt: str, variant: str) -> Path:
    return GOLDEN / f"{fmt}-{variant}.{SUFFIX[fmt]}"


@pytest.mark.parametrize("variant", sorted(variants()))
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_rendered_bytes_match_the_pinned_files(fmt: str, variant: str) -> None:
    feed_meta, entries = variants()[variant]
    assert renderer(fmt)(feed_meta, entries) == golden_path(fmt, variant).read_bytes()


if __name__ == "__main__":
    GOLDEN.mkdir(exist_ok=True)
    for fmt in FORMATS:
        for name, (feed_meta, entries) in variants().items():
            golden_path(fmt, name).write_bytes(renderer(fmt)(feed_meta, entries))
