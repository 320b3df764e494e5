"""Learned boilerplate: recurring blocks of one source are dropped; content is never learned."""

from __future__ import annotations

from html_support import config, item

from feeds.content.pipeline import (
    article_facts,
    build_content,
    combine_facts,
    learn_corpus,
)

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
