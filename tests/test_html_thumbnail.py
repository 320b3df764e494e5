"""Thumbnails: candidates in order, placeholders and promos skipped, a normalized record."""

from __future__ import annotations

from pathlib import Path

import pytest
from html_support import NEWS_RULES, build, config, fixture, item
from PIL import Image

from feeds.content.pipeline import CorpusHints, build_content, learn_corpus
from feeds.html.images import mime_for, size_from_url
from feeds.html.thumbnail import ignored
from feeds.models import Thumbnail

QR = "https://n.sinaimg.cn/finance/cece9e13/20200514/343233024.png"
PHOTO = "https://n.sinaimg.cn/spider20220731/732/w478h254/20220731/3e3d.gif"
BODY = f'<p>正文。</p><div class="img_wrapper"><img src="{PHOTO}" alt=""></div>'


def test_front_matter_thumbnail_comes_first_with_size_from_its_url():
    thumb = build(BODY, metadata={"thumbnail": PHOTO}, title="AI 篮球裁判").thumbnail
    assert thumb == Thumbnail(PHOTO, "image/gif", 478, 254, "AI 篮球裁判")


@pytest.mark.parametrize(
    "metadata",
    [
        {"image": {"feature": "/img/feature.jpg"}},
        {"photos": ["/img/feature.jpg", "/img/other.jpg"]},
        {"cover": "https://news.example.org/img/feature.jpg"},
        {"og_image": "//news.example.org/img/feature.jpg"},
        {"thumbnail": "", "banner": "/img/feature.jpg"},
    ],
)
def test_front_matter_forms(metadata: dict[str, object]):
    thumb = build("<p>x</p>", metadata=metadata).thumbnail
    assert thumb is not None and thumb.url == "https://news.example.org/img/feature.jpg"
    assert thumb.mime_type == "image/jpeg"


def test_first_big_enough_content_image_when_front_matter_has_none():
    html = (
        '<p><img src="https://x.org/icons/rss.png"><img class="emoji" src="https://x.org/e.png">'
        '<img src="https://x.org/small.png" width="40" height="40">'
        '<img src="https://x.org/pixel.gif" width="1" height="1">'
        '<img src="https://x.org/photo.jpg" width="800" height="450" alt="A harbour"></p>'
    )
    assert build(html).thumbnail == Thumbnail(
        "https://x.org/photo.jpg", "image/jpeg", 800, 450, "A harbour"
    )


def test_no_image_means_no_thumbnail():
    assert build("<p>只有文字。</p>").thumbnail is None


def test_promo_image_used_as_headimg_is_skipped_when_its_block_is_removed():
    meta = {"headimg": QR, "thumbnail": QR}
    result = build(fixture("scraped_sina_promo.html"), config(cleaning=NEWS_RULES), metadata=meta)
    assert result.thumbnail is not None
    assert (
        result.thumbnail.url
        == "https://n.sinaimg.cn/finance/transform/115/w550h365/20211106/0d5b.png"
    )
    assert (result.thumbnail.width, result.thumbnail.height) == (550, 365)


def test_promo_only_article_has_no_thumbnail():
    html = f'<p>正文。</p><div class="appendQr_wrap"><img src="{QR}"></div>'
    result = build(html, config(cleaning=NEWS_RULES), metadata={"headimg": QR})
    assert result.thumbnail is None


def test_image_shared_by_much_of_the_collection_is_a_placeholder():
    cfg = config()
    inputs = [
        item(f"<p>第{i}篇。</p>", metadata={"thumbnail": QR}, path=f"content/{i}.md")
        for i in range(4)
    ] + [item(BODY, metadata={"thumbnail": PHOTO}, path="content/x.md")]
    hints = learn_corpus(inputs, cfg)
    assert hints.placeholder_images == frozenset({QR})
    assert hints.placeholder_counts == {QR: 4}
    assert build_content(inputs[0], cfg, hints).thumbnail is None
    assert build_content(inputs[-1], cfg, hints).thumbnail.url == PHOTO  # type: ignore[union-attr]


def test_placeholder_needs_a_minimum_count():
    cfg = config()
    inputs = [item("<p>a</p>", metadata={"thumbnail": PHOTO}, path=f"{i}.md") for i in range(2)]
    assert learn_corpus(inputs, cfg).placeholder_images == frozenset()


def test_ignored_hosts_fall_through_to_the_next_candidate():
    cfg = config(thumbnails={"ignore": ["*.picsum.photos/*"]})
    meta = {"thumbnail": "https://picsum.photos/400/300?random=3225"}
    assert build("<p>x</p>", cfg, metadata=meta).thumbnail is None
    assert build(BODY, cfg, metadata=meta).thumbnail.url == PHOTO  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("url", "pattern", "expected"),
    [
        ("https://picsum.photos/400/300?random=1", "*.picsum.photos/*", True),
        ("https://i.picsum.photos/id/1/400/300.jpg", "*.picsum.photos/*", True),
        ("https://notpicsum.photos/a.jpg", "*.picsum.photos/*", False),
        ("https://cdn.example.com/logo.png", "example.com", True),
        ("https://example.com.evil.org/a.png", "example.com", False),
        ("https://x.org/a.png", "https://x.org/a.png", True),
        ("https://x.org/promo/a.png", "https://x.org/promo/", True),
        ("https://x.org/a.png", "x.org/promo/", False),
    ],
)
def test_ignore_patterns(url: str, pattern: str, expected: bool):
    assert ignored(url, [pattern]) is expected


def test_avatar_named_in_front_matter_is_not_the_thumbnail():
    avatar = "https://pica.zhimg.com/v2-c085_l.jpg?source=8673f162"
    html = (
        f'<strong><img class="avatar" src="{avatar}"><span>温戈</span></strong>'
        '<figure><img src="https://pic2.zhimg.com/v2-65e4_720w.jpg?source=8673f162"></figure>'
    )
    thumb = build(html, metadata={"headimg": avatar}).thumbnail
    assert (
        thumb is not None and thumb.url == "https://pic2.zhimg.com/v2-65e4_720w.jpg?source=8673f162"
    )
    assert (thumb.width, thumb.mime_type) == (720, "image/jpeg")


def test_alt_comes_from_the_image_else_the_title():
    html = '<img src="https://x.org/a.jpg" alt="image ">'
    assert build(html, title="标题").thumbnail.alt == "标题"  # type: ignore[union-attr]
    html = '<img src="https://x.org/a.jpg" alt="Jack Dongarra">'
    assert build(html, title="2021").thumbnail.alt == "Jack Dongarra"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("url", "size"),
    [
        ("https://n.sinaimg.cn/x/w478h254/20220731/a.gif", (478, 254)),
        ("https://site.org/wp-content/uploads/photo-300x200.jpg", (300, 200)),
        ("https://pic2.zhimg.com/v2-65e4_720w.jpg?source=1", (720, None)),
        ("https://x.org/plain.jpg", (None, None)),
    ],
)
def test_size_from_url(url: str, size: tuple[int | None, int | None]):
    found = size_from_url(url)
    assert (found.width, found.height) == size


@pytest.mark.parametrize(
    ("url", "mime"),
    [
        ("https://x.org/a.JPG", "image/jpeg"),
        ("https://x.org/a.webp?x=1", "image/webp"),
        ("https://mmbiz.qpic.cn/a/640?wx_fmt=jpeg", "image/jpeg"),
        ("https://cors.example.dev/?http://lain.bgm.tv/pic/975.jpg", "image/jpeg"),
        ("https://img.36krcdn.com/20220207/v2_5eb3_img_000", None),
    ],
)
def test_mime_from_the_url(url: str, mime: str | None):
    assert mime_for(url) == mime


def _png(path: Path, size: tuple[int, int]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (200, 30, 30)).save(path)
    return path


def test_local_image_is_measured_copied_and_linked(tmp_path: Path):
    src = _png(tmp_path / "post" / "pics" / "chart.png", (640, 320))
    result = build(
        '<p>图：</p><img src="pics/chart.png" alt="Chart">', source_dir=tmp_path / "post"
    )
    thumb = result.thumbnail
    assert thumb is not None and thumb.url.startswith("https://news.example.org/media/")
    assert (thumb.width, thumb.height, thumb.mime_type, thumb.alt) == (
        640,
        320,
        "image/png",
        "Chart",
    )
    ((copied, out),) = result.assets
    assert copied == src.resolve() and thumb.url == "https://news.example.org/" + out
    assert f'src="{thumb.url}"' in result.content_html


def test_local_names_with_spaces_and_cjk_are_percent_encoded(tmp_path: Path):
    _png(tmp_path / "post" / "图 1.png", (320, 200))
    result = build('<img src="%E5%9B%BE%201.png">', source_dir=tmp_path / "post")
    thumb = result.thumbnail
    assert thumb is not None and thumb.url.endswith("/%E5%9B%BE%201.png")
    ((_, out),) = result.assets
    assert out.endswith("/图 1.png")


def test_local_files_outside_the_article_folder_are_never_used(tmp_path: Path):
    _png(tmp_path / "secret.png", (640, 320))
    (tmp_path / "post").mkdir()
    result = build('<img src="../secret.png">', source_dir=tmp_path / "post")
    assert result.assets == ()
    assert result.thumbnail is not None and "media/" not in result.thumbnail.url


def test_resize_writes_a_cached_copy_into_thumbs(tmp_path: Path):
    _png(tmp_path / "post" / "big.png", (1200, 600))
    cfg = config(thumbnails={"resize": {"enabled": True, "width": 300}}, state=str(tmp_path / "st"))
    result = build('<img src="big.png">', cfg, source_dir=tmp_path / "post")
    thumb = result.thumbnail
    assert thumb is not None and "/thumbs/" in thumb.url
    assert (thumb.width, thumb.height) == (300, 150)
    cached = list((tmp_path / "st" / "thumbs").iterdir())
    assert len(cached) == 1 and Image.open(cached[0]).size == (300, 150)
    assert any(out.startswith("thumbs/") for _, out in result.assets)
    assert build('<img src="big.png">', cfg, source_dir=tmp_path / "post") == result


def test_no_thumbnail_from_hints_that_do_not_apply():
    assert build(BODY, hints=CorpusHints(placeholder_images=frozenset({QR}))).thumbnail.url == PHOTO  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("url", "width", "expected"),
    [
        ("https://feeds.feedburner.com/~r/example/~4/abc", None, True),
        ("https://pixel.wp.com/g.gif?v=ext", None, True),
        ("https://mail.example.com/wf/open?upn=abc", None, True),
        ("https://img.example.com/spacer.gif", None, True),
        ("https://img.example.com/p.png", 1, True),
        ("https://img.example.com/pixel-art/hero.jpg", None, False),
        ("https://img.example.com/tracking-shot.jpg", 800, False),
    ],
)
def test_tracking_pixels(url: str, width: int | None, expected: bool):
    from feeds.html.images import Size, is_tracking_pixel

    assert is_tracking_pixel(url, Size(width, None)) is expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<img src="https://x.org/icons/rss.png">', True),
        ('<img src="https://x.org/img/site-logo.png">', True),
        ('<img class="wp-smiley" src="https://x.org/s/1f600.png">', True),
        ('<img class="author-avatar" src="https://x.org/u/1.jpg">', True),
        ('<img src="https://x.org/2021/silicon-wafer.jpg">', False),
        ('<img src="https://x.org/catalog/item.jpg">', False),
    ],
)
def test_icons_are_recognised(html: str, expected: bool):
    from feeds.html.images import is_iconish
    from feeds.html.tree import parse

    img = next(parse(html).iter("img"))
    assert is_iconish(img, img.get("src", "")) is expected
