"""Summaries: where the text comes from, and how it is cut (CJK and Latin)."""

from __future__ import annotations

import pytest
from html_support import NEWS_RULES, build, config, fixture

from feeds.config.sections.cleaning import BylineSettings
from feeds.content.pipeline import byline_replaces_author
from feeds.html.summary import cut, html_to_text

ZH = (
    "内蒙古是产煤大区。一段时期以来，涉煤腐败成为自治区政治生态毒瘤！"
    "截至目前，全区共立案涉煤案件736件"
)


def test_short_text_is_kept_whole():
    assert cut("  短文本。 ", 20) == "短文本。"


def test_cjk_is_cut_at_the_last_sentence_end_when_near():
    assert cut(ZH, 40) == "内蒙古是产煤大区。一段时期以来，涉煤腐败成为自治区政治生态毒瘤！"


def test_cjk_without_a_near_sentence_end_is_cut_by_character_with_ellipsis():
    text = "协同创新产业体系" * 10
    out = cut(text, 21)
    assert out == "协同创新产业体系协同创新产业体系协同创新…"
    assert len(out) == 21


def test_closing_quote_stays_with_its_sentence():
    text = "他说：“我们会继续努力。”随后离开了会场，没有回答记者提出的任何问题和追问"
    assert cut(text, 24) == "他说：“我们会继续努力。”"


def test_latin_is_cut_at_a_word_boundary():
    text = "For his pioneering contributions to numerical algorithms and libraries that enabled"
    out = cut(text, 40)
    assert out == "For his pioneering contributions to…"
    assert len(out) <= 40


def test_latin_sentence_end_is_preferred_when_near():
    text = "Release 4.0 is out. It brings many changes to the installer and the desktop."
    assert cut(text, 36) == "Release 4.0 is out."


def test_decimal_points_are_not_sentence_ends():
    assert not cut("Version 3.5 adds new things and more things besides", 30).endswith("3.")


@pytest.mark.parametrize("limit", [20, 21, 37, 50, 199])
def test_never_longer_than_the_limit(limit: int):
    for text in (ZH * 5, "word " * 100, "x" * 500, "😀🇨🇳" * 80):
        assert len(cut(text, limit)) <= limit


def test_html_to_text_decodes_entities_and_drops_tags():
    assert html_to_text("<p>a &amp; b</p>\n<script>x()</script><p>&lt;c&gt;&#21326;</p>") == (
        "a & b <c>华"
    )


def test_declared_summary_wins_and_is_plain_text():
    result = build("<p>正文。</p>", summary="<b>摘要</b> &amp; 更多")
    assert result.summary == "摘要 & 更多"


def test_text_before_the_excerpt_separator():
    html = "<p>第一段。</p>\n<!-- more -->\n<p>第二段。</p>"
    result = build(html)
    assert result.summary == "第一段。"
    assert "第二段" in result.content_html and "more" not in result.content_html


def test_compact_separator_form_is_found_too():
    assert build("<p>Intro.</p><!--more--><p>Rest.</p>").summary == "Intro."


def test_configured_jekyll_separator():
    cfg = config(content={"excerpt_separator": "<!--excerpt-->"})
    assert build("<p>Head.</p><!--excerpt--><p>Tail.</p>", cfg).summary == "Head."


def test_first_paragraphs_skip_byline_headings_captions_and_tables():
    html = (
        "<p>　　作者：一财资讯</p><h2>小标题</h2><figure><img src='https://x.org/a.png'>"
        "<figcaption>图片来源于网络</figcaption></figure><table><tr><td>表格</td></tr></table>"
        "<p>　　正文开头。</p><p>第二段。</p>"
    )
    assert build(html).summary == "正文开头。第二段。"


def test_summary_of_the_seed_reads_like_the_opening():
    summary = build(fixture("scraped_sina_promo.html"), config(cleaning=NEWS_RULES)).summary
    assert summary.startswith("浙江把长三角一体化发展重大战略作为引领")
    assert "作者" not in summary and "海量资讯" not in summary and "{" not in summary


def test_summary_length_comes_from_config():
    cfg = config(content={"summary_length": 30})
    assert len(build("<p>" + ZH * 4 + "</p>", cfg).summary) <= 30


def test_byline_is_returned_and_removed():
    result = build(fixture("scraped_sina_promo.html"))
    assert result.byline == "一财资讯"
    assert "一财资讯" not in result.content_html


def test_latin_byline():
    result = build("<p>By Jane Doe</p><p>The story begins here.</p>")
    assert result.byline == "Jane Doe" and result.summary == "The story begins here."


def test_byline_only_at_the_top():
    result = build("<p>第一段。</p><p>第二段。</p><p>作者：某人</p>")
    assert result.byline is None and "作者：某人" in result.content_html


def test_bylines_can_be_switched_off():
    result = build(
        fixture("scraped_sina_promo.html"), config(cleaning={"byline": {"enabled": False}})
    )
    assert result.byline is None and "作者：一财资讯" in result.content_html


@pytest.mark.parametrize(
    ("author", "categories", "expected"),
    [
        ("新浪财经", ("金融", "新浪财经"), True),  # the author only names the category source
        ("新浪财經", ("金融",), True),  # listed as a site author (NFKC + case-insensitive)
        ("SINA", ("金融",), True),
        (None, (), True),
        ("陈金彪", ("金融", "新浪财经"), False),
    ],
)
def test_when_a_byline_becomes_the_author(
    author: str | None, categories: tuple[str, ...], expected: bool
):
    cfg = config(cleaning={"byline": {"site_authors": ["新浪财經", "sina"]}})
    assert byline_replaces_author(author, categories, cfg) is expected
    assert isinstance(cfg.cleaning.byline, BylineSettings)
