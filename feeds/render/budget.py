"""Keeping a feed under its size budget: older items fall back to summaries, then go.

The file is always complete (never truncated); the newest items keep their full content as
long as possible. Each step is a binary search, so a feed is rendered about log2(items) times
at most, and only when the first rendering is over budget; a trial rendering stops as soon
as it passes the budget, and at most ``budget`` bytes of any rendering are held.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from feeds.models import Article
from feeds.render.model import Entry

Make = Callable[[Sequence[Entry]], Iterable[bytes]]  # the document of these entries, in pieces


@dataclass(frozen=True, slots=True)
class Fitted:
    data: bytes | None  # the document when it fits the budget; else None: render ``entries``
    entries: tuple[Entry, ...]
    summarized: int = 0  # older items that carry only their summary
    dropped: int = 0  # oldest items left out
    over: int = 0  # bytes over the budget of the first rendering (0: it fitted)

    def note(self, budget: int) -> str | None:
        """The warning to report, or None when everything fitted."""
        if not self.over:
            return None
        text = f"{self.over + budget} bytes is over the {budget}-byte budget"
        if self.summarized:
            text += f"; the {self.summarized} oldest items carry only their summary"
        if self.dropped:
            text += f"; the {self.dropped} oldest items were left out"
        return text


def fit(
    make: Make, articles: Sequence[Article], *, full: bool, budget: int | None, drop: bool = True
) -> Fitted:
    """Choose what of ``articles`` (newest first) ``make`` renders within ``budget`` bytes.

    Without a budget nothing is rendered here: the caller writes ``make(entries)`` piece by
    piece. With one, no more than ``budget`` bytes of a rendering are ever kept. With
    ``drop=False`` (archive pages, which must stay complete) items are only summarized.
    """
    entries = tuple(Entry(a, full) for a in articles)
    if budget is None:
        return Fitted(None, entries)
    data, size = _within(make(entries), budget, measure=True)
    if data is not None:
        return Fitted(data, entries)
    over = size - budget

    def fits(chosen: Sequence[Entry]) -> bool:
        size = 0
        for piece in make(chosen):  # stops rendering once past the budget
            size += len(piece)
            if size > budget:
                return False
        return True

    def with_full(count: int) -> tuple[Entry, ...]:
        return tuple(Entry(a, full and i < count) for i, a in enumerate(articles))

    summary_only = with_full(0)
    if full and (not drop or fits(summary_only)):
        keep = _largest(0, len(articles), lambda k: fits(with_full(k)))
        chosen = with_full(keep)
        data = _within(make(chosen), budget)[0]
        return Fitted(data, chosen, summarized=len(articles) - keep, over=over)
    if not drop:
        return Fitted(None, entries, over=over)
    count = _largest(0, len(articles), lambda m: fits(summary_only[:m]))
    chosen = summary_only[:count]
    summarized = count if full else 0
    data = _within(make(chosen), budget)[0]
    return Fitted(data, chosen, summarized, len(articles) - count, over)


def _within(
    pieces: Iterable[bytes], budget: int, *, measure: bool = False
) -> tuple[bytes | None, int]:
    """The document if it is at most ``budget`` bytes, and its size. Past the budget nothing
    more is kept, and unless ``measure`` nothing more is rendered (the size is then partial)."""
    kept: list[bytes] = []
    size = 0
    for piece in pieces:
        size += len(piece)
        if size <= budget:
            kept.append(piece)
        elif not measure:
            break
    return (b"".join(kept) if size <= budget else None), size


def _largest(low: int, high: int, fits: Callable[[int], bool]) -> int:
    """The largest n in [low, high] with fits(n), assuming fits is monotone and fits(low)."""
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low
