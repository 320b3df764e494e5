"""Rendering Markdown frees what cmark-gfm allocates: a scheduler renders for months."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cmarkgfm import cmark

from feeds.content.bodyformat import render_markdown

POST = "\n\n".join(
    f"## 第{i}节\n\n| a | b |\n| - | - |\n| ~~x~~ | **y** |\n\n- 一\n- 二\n\n<div>raw {i}</div>"
    for i in range(40)
)


def resident() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_the_same_html_as_cmarkgfms_own_wrapper() -> None:
    expected = cmark.markdown_to_html_with_extensions(
        POST, options=cmark.Options.CMARK_OPT_UNSAFE, extensions=["table", "strikethrough"]
    )
    assert render_markdown(POST) == expected
    assert "<del>x</del>" in expected and "<table>" in expected and "<div>raw 3</div>" in expected


@pytest.mark.skipif(not Path("/proc/self/statm").is_file(), reason="needs /proc")
def test_rendering_many_posts_does_not_grow_the_process() -> None:
    for _ in range(50):  # allocator warm-up
        render_markdown(POST)
    before = resident()
    for _ in range(1000):
        render_markdown(POST)
    grown = resident() - before
    # leaking the tree and the output, as cmarkgfm's wrapper does, grows it by ~200 MB here
    assert grown < 8 * 1024 * 1024, f"grew {grown / 1048576:.1f} MB over 1 000 renders"
