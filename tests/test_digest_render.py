"""Rendering: escaping, templates that override and extend, inlined CSS, the size budget."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html
from test_digest_support import NOW, make_article, make_config

from feeds.digest import tokens
from feeds.digest.compose import Composer
from feeds.digest.message import to_email
from feeds.digest.render import default_template_dir
from feeds.errors import ConfigError

DATA = Path(__file__).parent / "data" / "digest"


def composer(tmp: Path, articles: tuple, **digest: object) -> Composer:  # type: ignore[type-arg]
    config = make_config(tmp, digest=dict(digest))
    spec = config.digests[0]
    return Composer(config, spec, articles, end=NOW, secret=b"k" * 32)


def html_and_text(
    c: Composer, address: str = "ann@example.com", name: str = "Ann"
) -> tuple[str, str]:
    message = to_email(c.message(address, name, c.for_subscriber(())).data)
    html_part, text_part = message.get_body(("html",)), message.get_body(("plain",))
    assert html_part is not None and text_part is not None
    return html_part.get_content(), text_part.get_content()


def test_article_text_is_data_never_template_code(tmp_path: Path) -> None:
    tricky = make_article(1, title="{{ date }} <b>bold</b> & co", summary="{% if 1 %}x{% endif %}")
    page, text = html_and_text(composer(tmp_path, (tricky,)))
    assert "{{ date }} &lt;b&gt;bold&lt;/b&gt; &amp; co" in page
    assert "{% if 1 %}x{% endif %}" in page and "{{ date }} <b>bold</b> & co" in text


def test_css_is_inlined_and_the_style_block_kept(tmp_path: Path) -> None:
    page, _ = html_and_text(composer(tmp_path, (make_article(1),)))
    tree = lxml_html.fromstring(page)
    title_link = tree.xpath("//h2[@class='title']/a")[0]
    assert "text-decoration: none" in title_link.get("style")
    assert "prefers-color-scheme: dark" in tree.xpath("//style")[0].text


def test_images_are_absolute_with_size_and_alt(tmp_path: Path) -> None:
    page, _ = html_and_text(composer(tmp_path, (make_article(1),)))
    img = lxml_html.fromstring(page).xpath("//img")[0]
    assert img.get("src") == "https://news.example.com/img/1.jpg"
    assert (img.get("width"), img.get("height"), img.get("alt")) == ("120", "68", "图1")


def test_subscriber_values_are_escaped_and_unsubscribe_token_is_valid(tmp_path: Path) -> None:
    page, text = html_and_text(composer(tmp_path, (make_article(1),)),
                               address="o'hara@example.com", name="<Ann & Co>")
    assert "&lt;Ann &amp; Co&gt;" in page and "<Ann & Co>" in text
    link = re.search(r"https://news\.example\.com/unsubscribe\?token=([\w.%-]+)", text)
    assert link is not None
    found = tokens.read_token(b"k" * 32, link.group(1))
    assert (found.address, found.digest) == ("o'hara@example.com", "daily")
    assert "__FEEDS_SUB_" not in page + text


def test_output_is_byte_identical_for_the_same_input(tmp_path: Path) -> None:
    articles = tuple(make_article(n, hours_ago=n + 1) for n in range(4))
    first = composer(tmp_path, articles).message("ann@example.com", "Ann",
                                                 composer(tmp_path, articles).for_subscriber(()))
    c = composer(tmp_path, articles)
    second = c.message("ann@example.com", "Ann", c.for_subscriber(()))
    assert first.data == second.data


def test_size_budget_drops_later_items_to_title_and_link(tmp_path: Path) -> None:
    long = "很长的摘要。" * 300
    articles = tuple(make_article(n, hours_ago=n + 1, summary=long) for n in range(30))
    c = composer(tmp_path, articles, max_html_bytes=40_000)
    edition = c.for_subscriber(())
    page, _ = html_and_text(c)
    assert len(page.encode()) < 40_000
    modes = edition.rendered.modes
    assert modes[0] == "full" and "brief" in modes
    assert list(modes) == sorted(modes, key=["full", "brief", "hidden"].index)
    assert page.count('class="brief') == modes.count("brief")


def test_size_budget_ends_with_and_n_more_linking_to_the_web_copy(tmp_path: Path) -> None:
    articles = tuple(make_article(n, hours_ago=n / 100 + 0.1, title="标题" * 120)
                     for n in range(300))
    c = composer(tmp_path, articles, max_html_bytes=20_000, max_items=300)
    edition = c.for_subscriber(())
    page, text = html_and_text(c)
    hidden = edition.rendered.modes.count("hidden")
    assert hidden > 0 and len(page.encode()) < 20_000
    assert f"还有 {hidden} 篇。" in page and f"还有 {hidden} 篇。" in text
    assert 'href="https://news.example.com/digests/daily/2026-11-26-0800.html"' in page


def test_user_template_overrides_and_extends_the_default(tmp_path: Path) -> None:
    c = composer(tmp_path, (make_article(1),), templates=str(DATA / "templates_extend"))
    page, text = html_and_text(c)
    assert "Custom footer for 示例新闻" in page
    assert "第1条：测试新闻" in page  # the default's items block is still there
    assert text.startswith("示例新闻")  # the text template falls back to the default


def test_undefined_variable_in_a_template_is_an_error(tmp_path: Path) -> None:
    c = composer(tmp_path, (make_article(1),), templates=str(DATA / "templates_undefined"))
    with pytest.raises(ConfigError, match="no_such_variable"):
        c.for_subscriber(())


def test_default_templates_are_found_through_the_package(tmp_path: Path) -> None:
    assert (default_template_dir() / "digest.html.j2").is_file()
    packaged = Path(__file__).parents[1] / "feeds" / "templates" / "digest.html.j2"
    assert packaged.read_bytes() == (default_template_dir() / "digest.html.j2").read_bytes()


def test_grouping_by_category_puts_headings_in_order(tmp_path: Path) -> None:
    articles = (make_article(1, hours_ago=1, categories=("财经",)),
                make_article(2, hours_ago=2, categories=("体育",)),
                make_article(3, hours_ago=3, categories=("财经",)))
    page, _ = html_and_text(composer(tmp_path, articles, group_by="category"))
    sections = lxml_html.fromstring(page).xpath("//td[contains(@class,'section')]/text()")
    assert sections == ["财经", "体育"]
