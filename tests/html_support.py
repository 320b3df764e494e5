"""Shared helpers for the content (HTML) tests: inputs, configs, fixtures, HTML read-back."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lxml import html as lxml_html

from feeds.config import Config, default_config
from feeds.content.pipeline import ContentInput, ContentResult, CorpusHints, build_content

DATA = Path(__file__).parent / "data" / "html"
PAGE = "https://news.example.org/2021/11/04/post/"
SITE = {"url": "https://news.example.org/"}
# A small version of the shipped scraped-news rules
NEWS_RULES = {
    "rules": [
        {
            "categories": ["新浪财经"],
            "drop": [".appendQr_wrap", "p.article-editor"],
            "unwrap": ["a.keyword", 'span[id^="stock_"]'],
            "drop_text": ["^责任编辑："],
        }
    ]
}


def fixture(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def config(**sections: Any) -> Config:
    return default_config({"site": SITE, **sections})


def item(
    html: str,
    *,
    path: str = "content/news/post.md",
    title: str = "标题",
    categories: tuple[str, ...] = ("金融", "新浪财经"),
    metadata: Mapping[str, Any] | None = None,
    source_dir: Path | None = None,
    summary: str | None = None,
    page_url: str = PAGE,
) -> ContentInput:
    return ContentInput(
        path=path,
        html=html,
        page_url=page_url,
        title=title,
        categories=categories,
        metadata=dict(metadata or {}),
        source_dir=source_dir or Path("/nonexistent"),
        declared_summary=summary,
    )


def build(
    html: str, cfg: Config | None = None, hints: CorpusHints | None = None, **kw: Any
) -> ContentResult:
    return build_content(item(html, **kw), cfg or config(), hints or CorpusHints())


def tree(content_html: str) -> Any:
    """The content read back with lxml (a real parser, not string matching)."""
    return lxml_html.fragment_fromstring(content_html or "<div></div>", create_parent="div")


def texts(content_html: str) -> list[str]:
    """Text of each paragraph-like element, as a reader would see it."""
    root = tree(content_html)
    return [el.text_content() for el in root.iter("p", "li", "h1", "h2", "h3", "blockquote")]
