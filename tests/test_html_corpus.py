"""The issue's "done when", over the 14 real scraped posts in ../shared/corpus/news/.

Learning and building run over the whole collection with the shipped scraped-news rules
(tests/data/html/news_rules.yaml, the same rules config.yaml carries).
"""

from __future__ import annotations

import re
from pathlib import Path

import frontmatter
import pytest
from html_support import DATA
from lxml import html as lxml_html

from feeds.config import Config, default_config, load_config
from feeds.content.pipeline import ContentInput, ContentResult, build_content, learn_corpus

QR = "https://n.sinaimg.cn/finance/cece9e13/20200514/343233024.png"
SITE = "https://news.example.org/"
_SPACE = re.compile(r"[\s\u3000\xa0]+")


@pytest.fixture(scope="module")
def corpus_dir() -> Path:
    shared = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "news"
    if not shared.is_dir():
        pytest.skip("../shared/corpus/news is not available")
    return shared


@pytest.fixture(scope="module")
def shipped() -> Config:
    return load_config(DATA / "news_rules.yaml", {"site": {"url": SITE}})


@pytest.fixture(scope="module")
def corpus(corpus_dir: Path, shipped: Config) -> list[tuple[ContentInput, ContentResult]]:
    inputs = []
    for path in sorted(corpus_dir.glob("*.md")):
        post = frontmatter.load(path)
        inputs.append(
            ContentInput(
                path=str(path),
                html=post.content,
                page_url=f"{SITE}news/{len(inputs)}/",
                title=str(post.metadata.get("title", "")),
                categories=tuple(str(c) for c in post.metadata.get("categories") or ()),
                metadata=post.metadata,
                source_dir=path.parent,
            )
        )
    assert len(inputs) == 14
    hints = learn_corpus(inputs, shipped)
    return [(one, build_content(one, shipped, hints)) for one in inputs]


def flat(text: str) -> str:
    return _SPACE.sub("", text)


def text_of(html: str) -> str:
    if not html.strip():
        return ""
    return lxml_html.fragment_fromstring(html, create_parent="div").text_content()


def raw_paragraphs(body: str) -> list[str]:
    """Paragraph texts of the raw body that are article text (not promo, editor or byline)."""
    root = lxml_html.fragment_fromstring(body, create_parent="div")
    found = []
    for p in root.iter("p"):
        if p.get("class") == "article-editor" or p.xpath(
            "ancestor::*[contains(@class,'appendQr')]"
        ):
            continue
        text = flat(p.text_content())
        if text and not text.startswith("作者："):
            found.append(text)
    return found


def test_no_style_css_comments_or_escaped_markup(corpus):
    for one, result in corpus:
        html = result.content_html
        assert "<style" not in html, one.path
        assert not re.search(r"[{}]|&#123;|&#125;|border:1px|float:left", html), one.path
        assert "<!--" not in html and "-->" not in html, one.path
        assert "<pre" not in html and "&lt;p" not in html and "&lt;div" not in html, one.path


def test_no_promo_or_editor_line(corpus):
    for one, result in corpus:
        for junk in ("海量资讯", "appendQr", "责任编辑", QR, "article_adlist", "百万用户都在看"):
            assert junk not in result.content_html, (one.path, junk)


def test_article_text_is_intact(corpus):
    for one, result in corpus:
        out = flat(text_of(result.content_html))
        for paragraph in raw_paragraphs(one.html):
            assert paragraph in out, (one.path, paragraph[:40])


def test_keyword_links_no_longer_split_the_phrase(corpus):
    (zhejiang,) = [r for i, r in corpus if "浙江" in Path(i.path).name]
    assert "协同创新产业体系" in text_of(zhejiang.content_html)
    assert "realstock" not in zhejiang.content_html
    (hololens,) = [r for i, r in corpus if "HoloLens" in Path(i.path).name]
    assert "产品路线图" in text_of(hololens.content_html)


def test_summaries_read_like_the_opening(corpus):
    for one, result in corpus:
        out = flat(text_of(result.content_html))
        if not out:
            assert result.summary == "", one.path
            continue
        assert 0 < len(result.summary) <= 200, one.path
        assert 0 <= out.find(flat(result.summary)[:12]) < 100, (one.path, result.summary[:30])
        for junk in ("作者：", "责任编辑", "{", "<", "海量资讯"):
            assert junk not in result.summary, (one.path, junk)


def test_thumbnail_is_a_content_image_or_none_never_the_promo(corpus):
    for one, result in corpus:
        thumb = result.thumbnail
        if thumb is None:
            continue
        assert thumb.url != QR and "picsum.photos" not in thumb.url, one.path
        assert thumb.url.startswith("https://"), one.path
        assert f'src="{thumb.url}"' in result.content_html, one.path
        assert thumb.alt, one.path


def test_expected_thumbnails(corpus):
    by_name = {Path(i.path).name: r.thumbnail for i, r in corpus}
    assert by_name["0！.md"] is None  # its headimg is the QR promo, and it has no other image
    assert by_name["浙江：借势长三角一体化发展 推动共同富裕示范区建设.md"] is None
    assert by_name["4MLinux 400 稳定版发布.md"] is None  # picsum placeholder
    ai = by_name["AI 篮球裁判火了，走步算得特别准，就问哈登慌不慌.md"]
    assert ai is not None and (ai.width, ai.height, ai.mime_type) == (478, 254, "image/gif")
    cpu = by_name["CPU 为什么很少会坏？.md"]
    assert cpu is not None and "_720w" in cpu.url  # not the author's avatar (its headimg)


def test_byline_of_the_seed(corpus):
    (zhejiang,) = [r for i, r in corpus if "浙江" in Path(i.path).name]
    assert zhejiang.byline == "一财资讯"
    assert not any(r.problems for _, r in corpus)


def test_without_rules_learning_still_removes_the_promo(corpus_dir: Path, corpus):
    """A user who points feeds at the archive without writing rules: the promo recurs in every
    新浪财经 post, so it is learned; the QR image is a placeholder, never a thumbnail."""
    cfg = default_config({"site": {"url": SITE}})
    inputs = [one for one, _ in corpus]
    hints = learn_corpus(inputs, cfg)
    assert QR in hints.placeholder_images
    assert [b.selector for b in hints.learned] == ["div.clearfix.appendQr_wrap"]
    for one in inputs:
        result = build_content(one, cfg, hints)
        assert "海量资讯" not in result.content_html and "<style" not in result.content_html
        assert "<!--" not in result.content_html
        assert result.thumbnail is None or result.thumbnail.url != QR


def test_check_lists_what_it_learned(tmp_path: Path) -> None:
    """`feeds check` shows learned boilerplate and placeholders, in text and in JSON."""
    import json
    import subprocess
    import sys

    source = tmp_path / "posts"
    source.mkdir()
    promo = (
        '<div class="promo"><img src="https://cdn.example.com/qr.png"> 扫码下载我们的应用程序</div>'
    )
    for i in range(4):
        (source / f"p{i}.md").write_text(
            f"---\ntitle: 第{i}篇\ndate: 2024-01-0{i + 1}\ncategories: [news]\n"
            f"thumbnail: https://cdn.example.com/qr.png\n---\n\n"
            f"<div><p>正文第{i}篇，内容各不相同，编号{i * 7}。</p>{promo}</div>\n",
            encoding="utf-8",
        )
    run = subprocess.run(
        [sys.executable, "-m", "feeds", "check", "--content", str(source), "--format", "json"],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )
    report = json.loads(run.stdout)
    assert [b["selector"] for b in report["learned_boilerplate"]] == ["div.promo"]
    assert report["placeholder_images"] == {"https://cdn.example.com/qr.png": 4}
    text = subprocess.run(
        [sys.executable, "-m", "feeds", "check", "--content", str(source)],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    ).stderr
    assert "boilerplate in news: div.promo in 4 articles" in text
    assert ("placeholder image in 4 of the 4 articles learned from: "
            "https://cdn.example.com/qr.png") in text
