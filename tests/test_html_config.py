"""The cleaning and thumbnails sections: defaults, validation messages, the shipped rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from html_support import DATA, config

from feeds.config import load_config
from feeds.errors import ConfigError
from feeds.html.rules import may_match, path_matches, rules_for, source_of


def test_defaults_are_generic():
    cfg = config()
    assert cfg.cleaning.rules == [] and cfg.thumbnails.ignore == []
    assert cfg.cleaning.boilerplate.enabled and not cfg.thumbnails.probe
    assert cfg.thumbnails.fields[:2] == ["thumbnail", "headimg"]


def test_shipped_news_rules_load():
    cfg = load_config(DATA / "news_rules.yaml")
    assert cfg.cleaning.rules[0].drop[0] == ".appendQr_wrap"
    assert cfg.thumbnails.ignore == ["*.picsum.photos/*"]


def test_bad_selector_and_regex_are_reported_with_their_key_path(tmp_path: Path):
    path = tmp_path / "config.yaml"
    path.write_text(
        "cleaning:\n  rules:\n    - drop: ['div[']\n      drop_text: ['(unclosed']\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    text = str(caught.value)
    assert "cleaning.rules[0].drop[0]" in text and "not a valid CSS selector" in text
    assert "cleaning.rules[0].drop_text[0]" in text and "not a valid regular expression" in text


def test_a_single_selector_may_be_written_without_a_list():
    cfg = config(cleaning={"rules": [{"categories": "新浪财经", "paths": "news/**"}]})
    assert cfg.cleaning.rules[0].categories == ["新浪财经"]


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("/site/content/news/a.md", "news/**", True),
        ("content/news/2021/a.md", "news/**", True),
        ("content/blog/a.md", "news/**", False),
        ("news/a.md", "**/news/*.md", True),
        ("C:\\site\\news\\a.md", "news/*", True),
    ],
)
def test_path_globs(path: str, pattern: str, expected: bool):
    assert path_matches(path, pattern) is expected


def test_categories_match_nfkc_and_case_insensitively():
    cfg = config(
        cleaning={
            "rules": [
                {"categories": ["新浪财经－国內"], "drop": [".x"]},
                {"categories": ["OTHER"], "drop": [".y"]},
            ]
        }
    )
    assert rules_for("a.md", ("新浪财经-国內",), cfg.cleaning.rules).drop == (".x",)
    assert rules_for("a.md", ("other",), cfg.cleaning.rules).drop == (".y",)


def test_sources():
    assert source_of("c/news/a.md", ("金融", "新浪财经", "国内")) == "金融/新浪财经"
    assert source_of("c/news/a.md", ()) == "c/news"
    assert source_of("c/news/a.md", ("金融",), by="folder") == "c/news"


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        (".appendQr_wrap", True),  # class names compare case-insensitively: never a false skip
        ("p.article-editor", False),
        ('span[id^="stock_"]', True),
        ("span[id^=quote_]", False),
        ("div > .missing, .appendQr_wrap", True),  # alternatives are always tried
        ("div:not(.missing)", True),
        ("div", True),
    ],
)
def test_selectors_that_cannot_match_are_skipped(selector: str, expected: bool):
    haystack = '<div class="clearfix appendqr_wrap"><span id="stock_sz300832">'
    assert may_match(selector, haystack) is expected


def _has(el: object, *names: str) -> bool:
    from feeds.html.tree import classes

    return set(names) <= set(classes(el))  # type: ignore[arg-type]


# Each selector group with the same question asked in plain Python over the tree.
_BY_HAND = [
    ([".appendQr_wrap"], lambda el: _has(el, "appendQr_wrap")),
    (
        ["p.article-editor", "div"],
        lambda el: el.tag == "div" or (el.tag == "p" and _has(el, "article-editor")),
    ),
    (
        ["a.keyword", 'span[id^="stock_"]'],
        lambda el: (
            (el.tag == "a" and _has(el, "keyword"))
            or (el.tag == "span" and (el.get("id") or "").startswith("stock_"))
        ),
    ),
    (
        ["#stock_sz300832", "div.appendQr_normal.missing", ".clearfix.appendQr_wrap"],
        lambda el: el.get("id") == "stock_sz300832" or _has(el, "clearfix", "appendQr_wrap"),
    ),
    (
        ["div > div", "p", "blockquote.fin_reference p"],
        lambda el: el.tag == "p" or (el.tag == "div" and el.getparent().tag == "div"),
    ),
]


@pytest.mark.parametrize(("selectors", "wanted"), _BY_HAND)
def test_selectors_match_what_they_say(selectors: list[str], wanted: object):
    from feeds.html.rules import select
    from feeds.html.tree import parse

    root = parse((DATA / "scraped_sina_promo.html").read_text(encoding="utf-8"))
    expected = [el for el in root.iterdescendants() if wanted(el)]  # type: ignore[operator]
    ignored: list[str] = []
    assert select(root, selectors, ignored) == expected and not ignored
    assert expected or selectors == [".missing"]


def test_selectors_the_cleaner_cannot_use_are_config_errors_with_their_key_path():
    from feeds.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        config(cleaning={"rules": [{"drop": ["p.ad", "p:-soup-contains(广告)"]}]})
    (problem,) = caught.value.problems
    assert problem.startswith(
        "cleaning.rules[0].drop[1]: 'p:-soup-contains(广告)' is not a valid CSS selector ("
    )


@pytest.mark.parametrize(
    ("selector", "usable"),
    [
        ("p.ad", True),
        ('span[id^="stock_"]', True),
        ("div:is(.a, .b) > p:first-child", True),
        ("a:has(> img)", True),
        ("p:-soup-contains(广告)", False),
        ("div >", False),
        ("p::before", False),
    ],
)
def test_selector_errors_say_what_the_cleaner_cannot_use(selector: str, usable: bool):
    from feeds.html.rules import selector_error

    assert (selector_error(selector) is None) is usable
