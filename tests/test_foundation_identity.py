"""Identity: link fields, permalink patterns, id/guid, CJK slugs, duplicates; drafts and future."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from foundation_support import collect_paths, fixture, make_config, only_article

from feeds.content.slugs import slugify

ZJ = "%E6%B5%99%E6%B1%9F%E9%95%BF%E4%B8%89%E8%A7%92"  # 浙江长三角, percent-encoded


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("link_field.md", "https://example.com/custom/path/"),  # site-relative link
        ("permalink_field.md", "https://elsewhere.example.org/p/1"),  # absolute permalink
        ("url_field.md", "https://example.com/2021/%E8%B7%AF%E5%BE%84/"),  # relative, CJK
    ],
)
def test_link_permalink_and_url_fields_give_the_url_and_the_id(name: str, url: str) -> None:
    article = only_article(name)
    assert article.url == url
    assert article.id == url


@pytest.mark.parametrize(
    ("pattern", "url"),
    [
        (":year/:month/:day/:title/", "https://example.com/2021/11/05/my-declared-slug/"),
        (":year/:i_month/:i_day/:name/", "https://example.com/2021/11/5/my-declared-slug/"),
        ("{year}/{slug}/", "https://example.com/2021/my-declared-slug/"),
        ("{year}/{month}/{title}.html", "https://example.com/2021/11/my-declared-slug.html"),
        (":category/:title/", f"https://example.com/{'%E6%96%B0%E9%97%BB-%E8%B5%84%E8%AE%AF'}"
         "/my-declared-slug/"),
    ],
)
def test_permalink_patterns_hexo_and_brace_styles(pattern: str, url: str) -> None:
    # slug_field.md: date 2021-11-05 07:00 in Asia/Shanghai (still 11-04 in UTC), declared slug
    article = only_article("slug_field.md", make_config({"permalink": pattern}))
    assert article.url == url
    assert article.slug == "my-declared-slug"


def test_without_a_slug_the_file_name_is_the_title_part() -> None:
    assert only_article("guid_field_wins.md").url == (
        "https://example.com/2021/11/04/guid-field-wins/"
    )


@pytest.mark.parametrize(
    ("name", "expected_id"),
    [
        ("id_field_wins.md", "urn:uuid:3f1c1a52-1111-4c3b-9e0c-0123456789ab"),
        ("guid_field_wins.md", "tag:example.com,2021:guid-wins"),
    ],
)
def test_an_id_or_guid_field_wins_over_the_url(name: str, expected_id: str) -> None:
    article = only_article(name)
    assert article.id == expected_id
    assert article.url != expected_id


def test_ids_are_stable_across_rebuilds_and_mtime(tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    shutil.copy(fixture("yaml_front_matter.md"), post)
    first = collect_paths(tmp_path).articles[0]
    os.utime(post, (1_000_000_000, 1_000_000_000))
    second = collect_paths(tmp_path).articles[0]
    assert first.id == second.id == "https://example.com/2021/11/04/post/"
    assert first == second


def test_cjk_slugs_are_kept_and_percent_encoded_in_urls() -> None:
    article = only_article("浙江长三角.md")
    assert article.slug == "浙江长三角"
    assert article.url == f"https://example.com/2021/11/04/{ZJ}/"


def test_transliterate_option_romanizes_cjk_slugs() -> None:
    pytest.importorskip("anyascii")
    article = only_article("浙江长三角.md", make_config({"transliterate": True}))
    assert article.url == "https://example.com/2021/11/04/zhejiangzhangsanjiao/"


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Hello, World!", "hello-world"),
        ("  a_b  c--d ", "a-b-c-d"),
        ("浙江：借势长三角", "浙江-借势长三角"),
        ("ＡＢＣ　全角", "abc-全角"),  # NFKC: full-width letters and space
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_transliterate_strips_accents() -> None:
    assert slugify("Café Ünïcode", transliterate=True) == "cafe-unicode"


@pytest.mark.parametrize(
    ("folder", "field", "hint"),
    [("duplicate_id", "id", "its own id"), ("duplicate_url", "url", "its own link or slug")],
)
def test_duplicate_ids_and_urls_are_both_reported_and_the_first_path_is_kept(
    folder: str, field: str, hint: str
) -> None:
    result = collect_paths(fixture(folder))
    assert [Path(a.source_path).name for a in result.articles] == ["a_first.md"]
    reported = [(Path(p.path).name, p.field, str(p.severity)) for p in result.problems]
    assert reported == [("a_first.md", field, "warning"), ("b_second.md", field, "error")]
    assert result.problems[0].message.endswith("b_second.md; this file is kept")
    assert hint in result.problems[1].message


def test_duplicates_keep_the_same_file_whatever_the_order_of_the_paths() -> None:
    a, b = fixture("duplicate_id/a_first.md"), fixture("duplicate_id/b_second.md")
    forward = collect_paths(a, b).articles
    backward = collect_paths(b, a).articles
    assert forward == backward and Path(forward[0].source_path).name == "a_first.md"


# --- drafts and future posts --------------------------------------------------------------


@pytest.mark.parametrize("name", ["draft_true.md", "published_false.md", "future_dated.md"])
def test_drafts_and_future_posts_are_skipped_not_problems(name: str) -> None:
    result = collect_paths(fixture(name))
    assert result.articles == () and result.problems == ()
    assert [Path(p).name for p in result.skipped] == [name]


def test_drafts_are_included_when_asked() -> None:
    config = make_config(drafts=True)
    result = collect_paths(fixture("draft_true.md"), fixture("published_false.md"), config=config)
    assert sorted(a.title for a in result.articles) == ["Draft", "Unpublished"]


def test_future_posts_are_included_when_asked_or_once_their_time_has_come() -> None:
    assert only_article("future_dated.md", make_config(future=True)).title == "From the future"
    later = collect_paths(fixture("future_dated.md"), now=datetime(2099, 1, 2, tzinfo=UTC))
    assert [a.title for a in later.articles] == ["From the future"]


def test_articles_are_newest_first_then_by_id() -> None:
    result = collect_paths(fixture("duplicate_id"), fixture("toml_front_matter.md"),
                           fixture("title_number.md"), fixture("title_date.md"))
    keys = [(a.published, a.id) for a in result.articles]
    assert keys == sorted(keys, key=lambda k: (-k[0].timestamp(), k[1]))


def test_a_link_that_is_not_text_falls_back_to_the_pattern_with_a_warning() -> None:
    result = collect_paths(fixture("link_not_a_string.md"))
    assert [a.url for a in result.articles] == ["https://example.com/2021/11/04/link-not-a-string/"]
    assert [(p.field, p.message, str(p.severity)) for p in result.problems] == [
        ("link", "expected a URL, got ['a', 'b']; used the permalink pattern", "warning")
    ]
