"""Cleaning: what is always removed, per-source rules, indents, empties, URLs, sanitizing."""

from __future__ import annotations

import re

import pytest
from html_support import NEWS_RULES, PAGE, build, config, fixture, texts, tree


@pytest.fixture(scope="module")
def sina() -> str:
    return build(fixture("scraped_sina_promo.html"), config(cleaning=NEWS_RULES)).content_html


@pytest.fixture(scope="module")
def sina_default() -> str:
    """The same article with no rules at all: generic cleaning only."""
    return build(fixture("scraped_sina_promo.html")).content_html


@pytest.mark.parametrize("fixture_name", ["sina", "sina_default"])
def test_style_blocks_go_with_their_css_text(fixture_name: str, request: pytest.FixtureRequest):
    html = request.getfixturevalue(fixture_name)
    assert "<style" not in html
    assert "appendQr_wrap" not in html
    assert "&#123;" not in html and "{" not in html and "border:1px" not in html


@pytest.mark.parametrize("fixture_name", ["sina", "sina_default"])
def test_comments_are_removed(fixture_name: str, request: pytest.FixtureRequest):
    html = request.getfixturevalue(fixture_name)
    assert "<!--" not in html and "news_keyword_pub" not in html and "文末二维码" not in html


def test_rules_drop_the_promo_and_the_editor_line(sina: str):
    assert "海量资讯" not in sina
    assert "343233024.png" not in sina
    assert "责任编辑" not in sina


def test_keyword_links_are_unwrapped_so_the_phrase_reads_as_one(sina: str):
    assert "协同创新产业体系" in "".join(texts(sina))
    assert "realstock" not in sina


def test_without_rules_keyword_link_text_still_reads_as_one_phrase(sina_default: str):
    # the link survives (it is a real link) but the phrase is not split by spaces or blocks
    root = tree(sina_default)
    assert any("协同创新产业体系" in t.text_content() for t in root.iter("p"))


def test_full_width_indents_are_trimmed(sina: str):
    for text in texts(sina):
        assert not text.startswith(("\u3000", " ")), text
    assert "<p>二是推进" in sina


def test_indents_at_both_ends_of_a_paragraph_are_trimmed():
    html = build("<p>\u3000\u3000两端都有缩进\u3000 </p><li>\u00a0列表\u3000</li>").content_html
    assert "<p>两端都有缩进</p>" in html and "<li>列表</li>" in html


def test_whitespace_only_paragraphs_and_empty_wrappers_are_gone(sina: str):
    root = tree(sina)
    for el in root.iter("p", "span", "div", "font"):
        has_media = el.find(".//img") is not None or el.tag == "img"
        assert has_media or el.text_content().strip("\u3000 \n\t\xa0"), el.tag
    assert not re.search(r"<p>[\s\u3000]*</p>", sina)
    assert "img_descr" not in sina and "<span></span>" not in sina


def test_output_has_no_runs_of_blank_lines(sina: str):
    assert "\n\n" not in sina
    assert sina == sina.strip()


def test_byline_leaves_the_content(sina: str):
    assert "作者：" not in sina


def test_sanitized_output_keeps_no_presentational_attributes(sina: str):
    assert "cms-style" not in sina and "class=" not in sina and " id=" not in sina


def test_protocol_relative_image_becomes_https_and_keeps_referrerpolicy(sina: str):
    root = tree(sina)
    (img,) = root.iter("img")
    assert img.get("src") == "https://n.sinaimg.cn/finance/transform/115/w550h365/20211106/0d5b.png"
    assert img.get("referrerpolicy") == "no-referrer"


@pytest.fixture(scope="module")
def active() -> str:
    return build(fixture("active_content.html")).content_html


@pytest.mark.parametrize(
    "forbidden",
    ["<script", "<noscript", "<iframe", "<form", "<input", "<button", "<object", "<embed",
     "<svg", "document.write", "NewsArticle", "enable javascript", "steal()", "pwn()"],
)  # fmt: skip
def test_active_content_is_removed_with_its_content(active: str, forbidden: str):
    assert forbidden not in active


def test_no_event_handlers_or_script_urls(active: str):
    assert not re.search(r"\son\w+\s*=", active)
    lowered = active.lower()
    for scheme in ("javascript:", "vbscript:", "data:"):
        assert scheme not in lowered


def test_link_text_survives_when_its_unsafe_href_is_dropped(active: str):
    assert "js link" in active and "obfuscated" in active


def test_tracking_pixels_are_removed_real_images_kept(active: str):
    root = tree(active)
    srcs = [img.get("src") for img in root.iter("img")]
    assert srcs == ["https://img.example.com/real.jpg"]
    (img,) = root.iter("img")
    assert (img.get("width"), img.get("height"), img.get("alt")) == ("640", "360", "Real")


def test_hidden_elements_are_removed_not_revealed(active: str):
    assert "hidden promo" not in active and "also hidden" not in active
    assert "styled but visible" in active and "style=" not in active


@pytest.fixture(scope="module")
def lazy() -> str:
    return build(fixture("lazy_and_relative.html")).content_html


def test_lazy_images_get_their_real_source(lazy: str):
    srcs = [img.get("src") for img in tree(lazy).iter("img")]
    assert srcs[:3] == [
        "https://news.example.org/images/lazy.jpg",
        "https://cdn.example.com/real.png",
        PAGE + "photo.jpg",
    ]


def test_srcset_is_made_absolute_and_bad_candidates_dropped(lazy: str):
    sets = [img.get("srcset") for img in tree(lazy).iter("img") if img.get("srcset")]
    assert sets == [
        f"{PAGE}small.jpg 480w, {PAGE}large.jpg 1080w",
        "https://img.example.com/a2.png 2x",
    ]


def test_links_and_media_are_absolute(lazy: str):
    root = tree(lazy)
    hrefs = [a.get("href") for a in root.iter("a")]
    assert hrefs[:3] == [
        "https://news.example.org/2021/11/04/other/",
        PAGE + "#notes",
        "mailto:x@example.com",
    ]
    (video,) = root.iter("video")
    assert video.get("src") == PAGE + "clip.mp4" and video.get("poster") == PAGE + "poster.jpg"


def test_broken_urls_are_dropped_not_fatal(lazy: str):
    assert "broken url" in lazy
    assert "[broken" not in lazy and "99999" not in lazy


def test_output_is_deterministic():
    cfg = config(cleaning=NEWS_RULES)
    html = fixture("scraped_sina_promo.html")
    assert build(html, cfg) == build(html, cfg)


def test_rules_only_apply_to_their_source():
    other = build(
        fixture("scraped_sina_promo.html"),
        config(cleaning=NEWS_RULES),
        categories=("编程", "开源中国"),
    )
    assert "责任编辑：李墨轩" in other.content_html


def test_rules_match_by_path_glob():
    rules = {"rules": [{"paths": ["news/**"], "drop_text": ["^责任编辑："]}]}
    html = fixture("scraped_sina_promo.html")
    assert (
        "责任编辑"
        not in build(
            html, config(cleaning=rules), path="/site/content/news/a.md", categories=()
        ).content_html
    )
    assert (
        "责任编辑"
        in build(
            html, config(cleaning=rules), path="/site/content/blog/a.md", categories=()
        ).content_html
    )


def test_drop_text_only_removes_paragraphs_not_their_wrappers():
    rules = {"rules": [{"drop_text": ["责任编辑"]}]}
    html = "<div><p>正文第一段，内容完整。</p><p>责任编辑：王蒙</p></div>"
    assert texts(build(html, config(cleaning=rules)).content_html) == ["正文第一段，内容完整。"]


def test_pre_keeps_its_whitespace():
    html = "<p>code:</p><pre><code>if x:\n\n    y()\n</code></pre>"
    assert "<pre><code>if x:\n\n    y()\n</code></pre>" in build(html).content_html


def test_semantic_markup_is_kept():
    html = (
        '<h2>H</h2><ul><li>a</li></ul><ol start="3"><li>b</li></ol><table><thead><tr>'
        '<th scope="col">c</th></tr></thead><tbody><tr><td colspan="2">d</td></tr></tbody>'
        '</table><figure><img src="https://x.org/i.png" alt="i"><figcaption>cap</figcaption>'
        '</figure><blockquote cite="https://x.org/">q</blockquote><p><code>c</code> '
        '<em>e</em> <strong>s</strong> <abbr title="t">a</abbr></p>'
    )
    out = build(html).content_html
    for piece in (
        "<h2>H</h2>",
        '<ol start="3">',
        '<th scope="col">',
        '<td colspan="2">',
        "<figcaption>cap</figcaption>",
        '<blockquote cite="https://x.org/">',
        "<code>c</code>",
        "<em>e</em>",
        "<strong>s</strong>",
        '<abbr title="t">',
    ):
        assert piece in out, piece


def test_ruby_annotations_survive():
    out = build("<p><ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>字</p>").content_html
    assert out == "<p><ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>字</p>"


def test_cdata_and_processing_instructions_are_removed():
    out = build("<p>a<![CDATA[x]]><?php echo 1; ?>b</p>").content_html
    assert "CDATA" not in out and "php" not in out and "a" in out and "b" in out
