"""Learned boilerplate: recurring blocks of one source are dropped; content is never learned."""

from __future__ import annotations

from dataclasses import replace

import pytest
from html_support import config, item
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.content.pipeline import (
    article_facts,
    build_content,
    combine_facts,
    learn_corpus,
)
from feeds.html import boilerplate
from feeds.html.clean import Trash
from feeds.html.tree import parse, serialize

PROMO = (
    '<div class="clearfix appendQr_wrap"><div class="appendQr_normal">'
    '<img src="https://n.sinaimg.cn/qr.png"></div>'
    '<div class="appendQr_normal_txt">海量资讯、精准解读，尽在新浪财经APP</div></div>'
)
SINA = ("金融", "新浪财经")
STORY = "内蒙古自治区纪委监委日前公布的信息显示，专项整治工作已累计为国家挽回经济损失。"


def sina_article(n: int, promo: bool = True, categories: tuple[str, ...] = SINA):
    body = (
        f"<div><p>　　第{n}篇正文，内容各不相同，编号{n * 7919}。{STORY}</p>"
        f"{PROMO if promo else ''}</div>"
    )
    return item(body, path=f"content/news/{n}.md", categories=categories)


def test_recurring_block_is_learned_and_dropped():
    cfg = config()
    inputs = [sina_article(n) for n in range(5)]
    hints = learn_corpus(inputs, cfg)
    result = build_content(inputs[0], cfg, hints)
    assert "海量资讯" not in result.content_html and "qr.png" not in result.content_html
    assert "第0篇正文" in result.content_html
    assert result.boilerplate_removed == 1


def test_learned_blocks_are_described_for_check():
    hints = learn_corpus([sina_article(n) for n in range(5)], config())
    (block,) = hints.learned  # only the outermost block is listed
    assert (block.source, block.count, block.articles) == ("金融/新浪财经", 5, 5)
    assert block.selector == "div.clearfix.appendQr_wrap"
    assert block.preview == "海量资讯、精准解读，尽在新浪财经APP"
    assert block.as_dict()["selector"] == "div.clearfix.appendQr_wrap"


def test_below_the_count_nothing_is_learned():
    inputs = [sina_article(n, promo=n < 2) for n in range(4)]
    assert learn_corpus(inputs, config()).boilerplate == {}


def test_below_the_share_nothing_is_learned():
    inputs = [sina_article(n, promo=n < 3) for n in range(20)]  # 3 of 20 = 15 % < 20 %
    assert learn_corpus(inputs, config()).boilerplate == {}
    cfg = config(cleaning={"boilerplate": {"min_share": 0.1}})
    assert learn_corpus(inputs, cfg).boilerplate != {}


def test_learning_is_per_source():
    inputs = [sina_article(n) for n in range(3)]
    inputs += [sina_article(n, categories=("编程", "开源中国")) for n in range(3, 5)]
    hints = learn_corpus(inputs, config())
    assert set(hints.boilerplate) == {"金融/新浪财经"}
    other = build_content(inputs[-1], config(), hints)
    assert "海量资讯" in other.content_html


def test_source_by_folder():
    cfg = config(cleaning={"boilerplate": {"source_by": "folder"}})
    inputs = [sina_article(n, categories=()) for n in range(3)]
    assert set(learn_corpus(inputs, cfg).boilerplate) == {"content/news"}


def test_learning_can_be_switched_off():
    cfg = config(cleaning={"boilerplate": {"enabled": False}})
    inputs = [sina_article(n) for n in range(5)]
    hints = learn_corpus(inputs, cfg)
    assert hints.boilerplate == {} and hints.learned == ()
    assert "海量资讯" in build_content(inputs[0], cfg, hints).content_html


def test_short_recurring_headings_and_identical_articles_are_kept():
    body = "<div><p>注：</p><p>同一篇文章被抓取了多次，正文完全相同。</p></div>"
    inputs = [item(body, path=f"{n}.md", categories=SINA) for n in range(4)]
    hints = learn_corpus(inputs, config())
    result = build_content(inputs[0], config(), hints)
    assert "注：" in result.content_html and "正文完全相同" in result.content_html


def test_facts_can_be_computed_separately_and_combined():
    cfg = config()
    inputs = [sina_article(n) for n in range(5)]
    facts = [article_facts(i, cfg) for i in inputs]
    assert combine_facts(facts, inputs.__getitem__, cfg) == learn_corpus(inputs, cfg)
    assert facts[0].source == "金融/新浪财经"
    assert "https://n.sinaimg.cn/qr.png" in facts[0].images


def test_an_article_made_only_of_learned_blocks_keeps_them():
    footer = "<p>关注我们的公众号，获取更多精彩内容。</p>"
    inputs = [
        item(
            f"<div><p>第{n}篇正文，编号{n * 7919}。{STORY}</p>{PROMO}{footer}</div>",
            path=f"{n}.md",
            categories=SINA,
        )
        for n in range(4)
    ]
    only = item(f"<div>{PROMO}{footer}</div>", path="content/news/only.md", categories=SINA)
    cfg = config()
    hints = learn_corpus([*inputs, only], cfg)
    assert build_content(inputs[0], cfg, hints).boilerplate_removed == 2
    kept = build_content(only, cfg, hints)
    assert kept.boilerplate_removed == 0 and "关注我们的公众号" in kept.content_html


def test_near_duplicate_stories_keep_their_text():
    """The same story scraped three times (only the editor line differs) in a source of six:
    its paragraphs recur, but they are most of each copy, so they are not boilerplate."""
    story = "".join(f"<p>第{k}段：{STORY}</p>" for k in range(3))
    copies = [
        item(
            f"<div>{story}<p>责任编辑：编辑{n}</p>{PROMO}</div>", path=f"dup{n}.md", categories=SINA
        )
        for n in range(3)
    ]
    cfg = config()
    hints = learn_corpus([*copies, *(sina_article(n) for n in range(3))], cfg)
    result = build_content(copies[0], cfg, hints)
    assert "第2段" in result.content_html and result.boilerplate_removed == 0
    assert "海量资讯" not in build_content(sina_article(9), cfg, hints).content_html


def test_learning_records_the_shape_of_every_learned_block_and_cleaning_uses_them():
    """Cleaning hashes only blocks of a learned shape (tag, characters of text): the result
    is the one of hashing every block."""
    footer = "<p>关注我们的公众号，获取更多精彩内容。</p>"
    inputs = [
        item(f"<div><p>第{n}篇正文，编号{n * 7919}。{STORY}</p>{PROMO}{footer}</div>",
             path=f"{n}.md", categories=SINA)
        for n in range(5)
    ]
    cfg = config()
    hints = learn_corpus(inputs, cfg)
    # the promo and its text (19 characters each), the QR image's div (none), the footer
    assert hints.shapes == {"金融/新浪财经": frozenset({("div", 19), ("div", 0), ("p", 18)})}
    shaped = [build_content(i, cfg, hints) for i in inputs]
    unshaped = replace(hints, shapes={})
    assert shaped == [build_content(i, cfg, unshaped) for i in inputs]
    assert all(r.boilerplate_removed == 2 and "海量资讯" not in r.content_html for r in shaped)


def test_only_blocks_of_a_learned_shape_are_hashed(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = config()
    hints = learn_corpus([sina_article(n) for n in range(5)], cfg)
    folds = 0
    fold = boilerplate._fold

    def counting(*args: object) -> object:
        nonlocal folds
        folds += 1
        return fold(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(boilerplate, "_fold", counting)
    article = sina_article(9)
    assert build_content(article, cfg, hints).boilerplate_removed == 1
    # the promo: its two divs and the image in one; nothing of the story
    assert folds == 4
    folds = 0
    assert build_content(article, cfg, replace(hints, shapes={})).boilerplate_removed == 1
    assert folds > 4


def test_a_source_whose_learned_blocks_are_not_all_found_again_has_no_shapes():
    """Shapes must be complete, or a learned block of a shape left out would never be hashed:
    when the article read again to describe them lacks one (here: it changed), none are kept."""
    inputs = [sina_article(n) for n in range(5)]
    cfg = config()
    facts = [article_facts(i, cfg) for i in inputs]
    hints = combine_facts(facts, lambda i: sina_article(i, promo=False), cfg)
    assert hints.boilerplate and hints.shapes == {}
    assert combine_facts(facts, inputs.__getitem__, cfg).shapes != {}


_HTML_PARTS = st.sampled_from([
    "<p>", "</p>", "<div>", "</div>", '<div class="promo  x">', "<section>", "</section>",
    "<ul><li>", "</li></ul>", "<table><tr><td>", "</td></tr></table>", "<span>", "</span>",
    '<img src="https://example.com/qr.png">', "<img>", '<a href="/more">', "</a>",
    "<ruby>字<rt>zi</rt></ruby>", "<br>", "<blockquote>", "</blockquote>", "<aside>", "</aside>",
])
_TEXTS = st.sampled_from([
    "", " ", "\n", "　", "扫码关注公众号", "第一段正文，讲一件事。", "more  text\n here",
    "\u200b", "短", "a" * 30,
])


@st.composite
def _articles(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.tuples(_HTML_PARTS, _TEXTS), min_size=1, max_size=40))
    return "".join(tag + text for tag, text in pieces)


@settings(max_examples=300, deadline=None)
@given(_articles(), st.data())
def test_hashing_only_learned_shapes_removes_what_hashing_every_block_removes(
    html: str, data: st.DataObject
) -> None:
    rules = config(cleaning={"boilerplate": {"min_chars": 2, "max_chars": 40}}).cleaning.boilerplate
    blocks = boilerplate.candidate_blocks(parse(html), rules)
    learned = frozenset(data.draw(st.lists(st.sampled_from([b.digest for b in blocks]))
                                  if blocks else st.just([])))
    shapes = frozenset(boilerplate.block_shapes(blocks, learned).values())
    every, shaped = parse(html), parse(html)
    assert boilerplate.drop_learned(every, learned, rules, Trash()) == boilerplate.drop_learned(
        shaped, learned, rules, Trash(), shapes
    )
    assert serialize(every) == serialize(shaped)
