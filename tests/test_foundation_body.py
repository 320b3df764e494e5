"""Body format: HTML bodies are never run through Markdown; Markdown renders CommonMark+GFM bits."""

from __future__ import annotations

import pytest
from foundation_support import fixture, only_article

from feeds.content.bodyformat import detect_body_format, render_markdown
from feeds.content.readers import read_text_document


def body_format(name: str) -> str:
    return read_text_document(fixture(name), name).body_format


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("seed_like_indented_html.md", "html"),  # raw HTML in a .md file
        ("html_suffix_body.html", "html"),  # the suffix decides
        ("format_declared_html.md", "html"),  # an explicit format: html wins
        ("markdown_table_strikethrough.md", "markdown"),
        ("markdown_after_html_block.md", "markdown"),  # <div align=center> then Markdown
        ("markdown_after_inline_html.md", "markdown"),  # <img> then **bold** and [links](…)
        ("yaml_front_matter.md", "markdown"),
    ],
)
def test_body_format_detection(name: str, expected: str) -> None:
    assert body_format(name) == expected


def test_seed_indented_html_stays_html_not_a_code_block() -> None:
    article = only_article("seed_like_indented_html.md")
    html = article.content_html
    assert "<pre" not in html and "<code" not in html
    assert "&lt;div" not in html and "&lt;img" not in html
    assert "流网络" in html  # text inside the 12-space indented part survives as markup


def test_html_file_with_indented_markup_is_not_markdown() -> None:
    html = only_article("html_suffix_body.html").content_html
    assert "<pre" not in html
    assert "<p>Indented HTML in an .html file is never a code block.</p>" in html
    assert "<h1>" not in html  # '# ...' in an HTML body is text, not a heading


def test_markdown_renders_tables_and_strikethrough() -> None:
    html = only_article("markdown_table_strikethrough.md").content_html
    assert "<table>" in html and "<th>format</th>" in html and "<td>RSS</td>" in html
    assert "<del>wrong</del>" in html
    assert "<pre><code>indented code stays code in Markdown" in html


def test_markdown_after_an_opening_html_block_still_renders() -> None:
    html = only_article("markdown_after_html_block.md").content_html
    assert "<h1>Project name</h1>" in html
    assert "<li>first point</li>" in html and "<ol>" in html


def test_declared_format_overrides_the_suffix() -> None:
    assert detect_body_format("<p>x</p>", ".html", {"format": "markdown"}) == "markdown"
    assert detect_body_format("# x", ".md", {"markup": "html"}) == "html"


def test_render_markdown_is_commonmark_with_raw_html_kept() -> None:
    assert render_markdown("a <kbd>b</kbd>\n") == "<p>a <kbd>b</kbd></p>\n"
    assert render_markdown("*em* ~~del~~\n") == "<p><em>em</em> <del>del</del></p>\n"


def test_markdown_after_an_inline_html_image_renders_its_emphasis_and_links() -> None:
    html = only_article("markdown_after_inline_html.md").content_html
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.com/more"' in html
    assert "**" not in html
