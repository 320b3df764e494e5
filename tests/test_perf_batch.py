"""Articles cleaned a step at a time over a batch come out as they do one at a time; one that
fails takes only itself down; the pool hands a batched task whole chunks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from html_support import config, fixture, item

from feeds.content.keep import Store
from feeds.content.pipeline import ContentInput, build_content, build_contents, learn_corpus
from feeds.content.shards import ShardPool, batched
from feeds.html import document, tree
from feeds.html.tree import HELD_DOCUMENTS, parse

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "news"


def inputs() -> list[ContentInput]:
    """The test fixtures, the seed-like scraped posts, and bodies the steps treat apart:
    an excerpt separator, ruby, nothing left after cleaning, a deep tree."""
    bodies = [fixture(name) for name in
              ("active_content.html", "lazy_and_relative.html", "scraped_sina_promo.html")]
    if SHARED.is_dir():
        bodies += [path.read_text(encoding="utf-8").split("\n---", 1)[-1]
                   for path in sorted(SHARED.glob("*.md"))]
    promo = "<div class='promo'><p>关注公众号，获取更多新闻。</p><img src='/qr.png'></div>"
    bodies += [  # a source's promo, learned as boilerplate even without the shared corpus
        f"<p>第{n}篇报道的正文，内容各不相同，{'市场' * 40}。</p>{promo}" for n in range(6)
    ]
    bodies += [
        "<p>Lead.</p><!-- more --><p>Rest <ruby>漢<rt>kan</rt></ruby>.</p>",
        "<script>x()</script><style>p{}</style>",
        "<div>" * 300 + "deep" + "</div>" * 300,
        "",
    ]
    return [item(body, page_url=f"https://news.example.org/{n}/") for n, body in enumerate(bodies)]


def test_a_batch_is_built_as_each_article_is_alone() -> None:
    cfg = config()
    articles = inputs()
    hints = learn_corpus(articles, cfg)  # the scraped posts' promo is learned
    assert hints.boilerplate, "the batch should drop learned blocks too"
    alone = [build_content(one, cfg, hints) for one in articles]
    assert build_contents(articles, cfg, hints) == alone
    assert any(result.boilerplate_removed for result in alone)


def test_an_article_that_fails_a_step_takes_only_itself_down() -> None:
    cfg = config()
    good = item("<p>Kept <b>whole</b>.</p>")
    broken = item("<p>x</p>")
    object.__setattr__(broken, "html", None)  # the first step cannot even prepare it
    built = document.build_many([good, broken, good], cfg, {}, frozenset())
    assert isinstance(built[1], TypeError)
    assert built[0] == built[2] == document.build(good, cfg, {}, frozenset())
    results = build_contents([good, broken, good], cfg, learn_corpus([], cfg))
    assert results[0].content_html == results[2].content_html == "<p>Kept <b>whole</b>.</p>"
    assert results[1].content_html == ""
    assert [p.field for p in results[1].problems] == ["content"]  # only sanitized, and told


def test_a_failure_in_the_last_step_takes_only_its_article_down(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    copies = document._copies

    def failing(assets: Any, html: str, thumb: Any, cfg: Any) -> Any:
        if "boom" in html:
            raise RuntimeError("boom")
        return copies(assets, html, thumb, cfg)

    monkeypatch.setattr(document, "_copies", failing)
    cfg = config()
    built = document.build_many([item("<p>fine</p>"), item("<p>boom</p>")], cfg, {}, frozenset())
    assert isinstance(built[1], RuntimeError)
    assert not isinstance(built[0], Exception) and built[0].html == "<p>fine</p>"


def test_the_elements_of_the_last_documents_parsed_stay_held() -> None:
    """A batch's later walks reuse each element's Python object instead of making it again."""
    bodies = [parse(f"<p>{n}</p>") for n in range(HELD_DOCUMENTS + 5)]
    held = tree._last_parsed.documents
    assert len(held) == HELD_DOCUMENTS
    assert [snapshot[0] for snapshot in held] == bodies[-HELD_DOCUMENTS:]


def _many(items: list[str], shared: str, extra: str, store: Store) -> list[tuple[str, int]]:
    if "bad" in items:
        raise ValueError("the batch form fails")
    return [(f"{shared}{extra}{item}", len(items)) for item in items]


@batched(_many)
def _one(item: str, shared: str, extra: str, store: Store) -> tuple[str, int]:
    if item == "bad":
        raise ValueError("no good")
    return f"{shared}{extra}{item}", 1


def _key(item: str) -> str:
    return item


@pytest.fixture(params=["1", "2"])
def workers(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Without worker processes, and with two."""
    monkeypatch.setenv("FEEDS_WORKERS", request.param)
    return str(request.param)


ITEMS = [f"i{n}" for n in range(500)]


def test_the_pool_hands_a_batched_task_whole_chunks(workers: str) -> None:
    with ShardPool("s") as pool:
        results = list(pool.run(_one, ITEMS, _key, "-"))
    assert [text for text, _ in results] == [f"s-{item}" for item in ITEMS]
    assert {size for _, size in results} == {64, len(ITEMS) % 64}  # the batch form, by chunk


def test_a_failing_batch_is_done_again_item_by_item(workers: str) -> None:
    """So the item at fault is the one the error names."""
    items = [*ITEMS[:300], "bad", *ITEMS[301:]]
    with ShardPool("s") as pool, pytest.raises(Exception, match="no good") as caught:
        list(pool.run(_one, items, _key, "-"))
    if workers == "2":
        assert "bad" in str(caught.value)


def test_files_read_together_give_the_records_each_gives_alone(tmp_path: Path) -> None:
    """Good posts and every kind of bad one: the same records, problems and kept texts."""
    from feeds.content.discover import discover
    from feeds.content.perfile import read_task, read_tasks

    content = tmp_path / "content"
    content.mkdir()
    files = {
        "good.md": "---\ntitle: 好\ndate: 2021-11-04 11:38:02\ntags: [a, b]\n---\n\n# 好\n\ntext\n",
        "page.html": "---\ntitle: Page\ndate: Thu, 04 Nov 2021 03:38:02 GMT\n---\n<p>x</p>\n",
        "bad-yaml.md": "---\ntitle: [unclosed\n---\nbody\n",
        "empty.md": "",
        "no-date.md": "---\ntitle: No date\n---\nbody\n",
        "unclosed.md": "---\ntitle: x\n",
        "note.txt": "not an article suffix",
    }
    for name, text in files.items():
        (content / name).write_text(text, encoding="utf-8")
    latin = "---\ntitle: Café\ndate: 2021-01-01\n---\né\n"
    (content / "latin.md").write_bytes(latin.encode("latin-1"))
    cfg = config(content={"dirs": [str(content)]})
    sources = discover([content], [], explicit=False)
    assert len(sources) == 7
    alone, together = Store(), Store()
    one_by_one = [read_task(source, cfg, True, alone) for source in sources]
    assert read_tasks(sources, cfg, True, together) == one_by_one
    assert sorted(together) == sorted(alone) and len(together) == 3  # good, page, latin
    assert {p.field for record in one_by_one for p in record.problems} >= {
        "front matter", "file", "date", "encoding"
    }
