"""Size budget: older items fall back to summaries, then fewer items; never a cut file."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from feeds_support import articles, meta, parse

from feeds.feedcheck import check
from feeds.render import Entry, chunk_renderer, renderer
from feeds.render.budget import fit

BIG = "<p>" + "长三角一体化发展。" * 400 + "</p>"  # ~11 KB of UTF-8 each


def pieces(entries: Sequence[Entry]) -> Iterable[bytes]:
    return chunk_renderer("rss")(meta(), entries)


def make(entries: Sequence[Entry]) -> bytes:
    return renderer("rss")(meta(), entries)


def test_fits_without_change_under_budget() -> None:
    items = articles(5)
    fitted = fit(pieces, items, full=True, budget=1_000_000)
    assert (fitted.summarized, fitted.dropped, fitted.note(1_000_000)) == (0, 0, None)
    assert fitted.data == make([Entry(a) for a in items])


def test_without_a_budget_nothing_is_rendered_ahead() -> None:
    """The caller writes the document piece by piece: fitting must not hold it whole."""
    items = articles(5)
    made: list[int] = []

    def counted(entries: Sequence[Entry]) -> Iterable[bytes]:
        made.append(len(entries))
        return pieces(entries)

    fitted = fit(counted, items, full=True, budget=None)
    assert (fitted.data, made, fitted.over) == (None, [], 0)
    assert [e.article for e in fitted.entries] == items and all(e.full for e in fitted.entries)


def test_older_items_fall_back_to_summary_first() -> None:
    items = articles(10, content_html=BIG)
    whole = len(make([Entry(a) for a in items]))
    fitted = fit(pieces, items, full=True, budget=whole // 2)
    assert fitted.data is not None and fitted.over == whole - whole // 2
    assert len(fitted.data) <= whole // 2 and fitted.dropped == 0
    kept = [e.full for e in fitted.entries]
    assert kept == sorted(kept, reverse=True) and 0 < kept.count(True) < 10  # newest keep it
    assert fitted.summarized == kept.count(False)
    assert len(parse(fitted.data).entries) == 10 and check(fitted.data) == []
    assert fitted.note(whole // 2) == (
        f"{whole} bytes is over the {whole // 2}-byte budget; "
        f"the {fitted.summarized} oldest items carry only their summary"
    )


def test_then_the_oldest_items_go() -> None:
    items = articles(40, content_html=BIG, summary="摘要" * 500)
    summaries_only = len(make([Entry(a, False) for a in items]))
    fitted = fit(pieces, items, full=True, budget=summaries_only // 2)
    assert fitted.data is not None
    assert len(fitted.data) <= summaries_only // 2 and check(fitted.data) == []
    assert 0 < fitted.dropped < 40 and fitted.summarized == 40 - fitted.dropped
    assert [e.article.id for e in fitted.entries] == [a.id for a in items[: 40 - fitted.dropped]]
    assert "oldest items were left out" in (fitted.note(summaries_only // 2) or "")


def test_archive_pages_are_never_shortened() -> None:
    items = articles(40, content_html=BIG, summary="摘要" * 500)
    fitted = fit(pieces, items, full=True, budget=10_000, drop=False)
    assert fitted.dropped == 0 and len(fitted.entries) == 40
    assert all(not e.full for e in fitted.entries)
    assert fitted.data is None  # still over the budget: written piece by piece, not held
