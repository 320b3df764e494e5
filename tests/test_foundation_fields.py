"""Titles, authors, categories and tags: one small normalization function per field."""

from __future__ import annotations

import pytest
from foundation_support import collect_paths, fixture, make_config, only_article

from feeds.content import fields
from feeds.content.slugs import match_key
from feeds.models import Author

SITE_AUTHOR = {"author": {"name": "Site Desk", "email": "desk@example.com"}}


# --- titles -------------------------------------------------------------------------------


def test_title_is_stripped_unescaped_and_collapsed() -> None:
    assert only_article("title_needs_cleaning.md").title == "Fish & Chips: a history"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("  a &amp;\n\t b  ", "a & b"), ("&lt;tag&gt; &#8212; &quot;q&quot;", "<tag> — \"q\""),
     (None, ""), (" ", ""), (2021, "2021")],
)
def test_clean_title(value: object, expected: str) -> None:
    assert fields.clean_title(value) == expected


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("title_number.md", "1.10"),
        ("title_date.md", "2021-01-01"),
        ("title_number_toml.md", "1.10"),
        ("title_number_json.md", "1.10"),
    ],
)
def test_a_title_yaml_reads_as_a_number_or_date_stays_the_written_text(
    name: str, title: str
) -> None:
    assert only_article(name).title == title


@pytest.mark.parametrize(
    ("name", "title", "message"),
    [
        (
            "title_blank_with_heading.md",
            "The heading stands in",
            "blank (' '); used the first heading 'The heading stands in'",
        ),
        (
            "title_missing_html_heading.md",
            "HTML heading",
            "missing; used the first heading 'HTML heading'",
        ),
    ],
)
def test_blank_or_missing_title_falls_back_to_the_first_heading_with_a_warning(
    name: str, title: str, message: str
) -> None:
    result = collect_paths(fixture(name))
    assert [a.title for a in result.articles] == [title]
    assert [(p.field, p.message, str(p.severity)) for p in result.problems] == [
        ("title", message, "warning")
    ]


def test_blank_title_and_no_heading_is_an_error() -> None:
    result = collect_paths(fixture("title_blank_no_heading.md"))
    assert result.articles == ()
    assert [(p.field, p.message, str(p.severity)) for p in result.problems] == [
        ("title", "blank (' '), and the body has no heading to use instead", "error")
    ]


# --- authors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("author_string.md", (Author("Jane Doe", "jane@example.com"),)),
        (
            "authors_list.md",
            (Author("Jane Doe"), Author("李雷", None, "https://example.com/lilei")),
        ),
        (
            "author_mapping.md",
            (Author("韩梅梅", "meimei@example.com", "https://example.com/meimei"),),
        ),
        ("author_missing.md", (Author("Site Desk", "desk@example.com"),)),  # site default
    ],
)
def test_authors_from_a_string_a_list_or_a_mapping(
    name: str, expected: tuple[Author, ...]
) -> None:
    assert only_article(name, make_config(SITE_AUTHOR)).authors == expected


def test_no_author_and_no_site_author_gives_no_authors() -> None:
    assert only_article("author_missing.md").authors == ()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Jane  ", (Author("Jane"),)),
        ({"nick": "jd", "link": "https://j.example"}, (Author("jd", None, "https://j.example"),)),
        ({"email": "only@example.com"}, (Author("only@example.com", "only@example.com"),)),
        ([None, "", {"url": "https://x.example"}], ()),
        (None, ()),
    ],
)
def test_author_edge_cases(value: object, expected: tuple[Author, ...]) -> None:
    assert fields.authors(value) == expected


# --- categories and tags ------------------------------------------------------------------


def test_categories_and_tags_from_lists_deduplicated_nfkc_and_case_insensitively() -> None:
    article = only_article("categories_list.md")
    # '新浪财经-国內' (ASCII hyphen) is the same category as '新浪财经－国內' (full-width)
    assert article.categories == ("金融", "新浪财经－国內", "Finance")
    assert article.tags == ("Python", "Rust")  # 'python' and full-width 'ＰＹＴＨＯＮ' folded in


def test_categories_and_tags_from_strings_and_comma_separated_strings() -> None:
    article = only_article("categories_string.md")
    assert article.categories == ("Engineering",)
    assert article.tags == ("feeds", "rss", "中文")  # ',', '，' and '、' all separate


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a, b ,, c", ("a", "b", "c")),
        (["Books, Films & Music", "TV"], ("Books, Films & Music", "TV")),  # a list item is one
        (["  spaced   out  "], ("spaced out",)),
        ([["Parent", "Child"], "Other"], ("Parent", "Child", "Other")),  # Hexo hierarchies
        ([1, 2.5], ("1", "2.5")),
        (None, ()),
        ("", ()),
    ],
)
def test_names(value: object, expected: tuple[str, ...]) -> None:
    assert fields.names(value) == expected


def test_match_key_is_nfkc_casefolded_with_dashes_unified() -> None:
    assert match_key("新浪财经－国內") == match_key("新浪财经-国內") == match_key("新浪财经 国內")
    assert match_key("ＰＹＴＨＯＮ") == match_key("Python") == "python"
    assert match_key("Straße") == match_key("STRASSE")
