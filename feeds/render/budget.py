"""Keeping a feed under its size budget: older items fall back to summaries, then go.

The file is always rendered whole (never truncated); the newest items keep their full
content as long as possible. Each step is a binary search, so a feed is rendered about
log2(items) times at most, and only when the first rendering is over budget.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from feeds.models import Article
from feeds.render.model import Entry

Make = Callable[[Sequence[Entry]], bytes]


@dataclass(frozen=True, slots=True)
class Fitted:
    data: bytes
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
    """Render ``articles`` (newest first) with ``make``, within ``budget`` bytes if given.

    With ``drop=False`` (archive pages, which must stay complete) items are only summarized.
    """
    entries = tuple(Entry(a, full) for a in articles)
    data = make(entries)
    if budget is None or len(data) <= budget:
        return Fitted(data, entries)
    over = len(data) - budget

    def with_full(count: int) -> tuple[Entry, ...]:
        return tuple(Entry(a, full and i < count) for i, a in enumerate(articles))

    summary_only = with_full(0)
    if full and (not drop or len(make(summary_only)) <= budget):
        keep = _largest(0, len(articles), lambda k: len(make(with_full(k))) <= budget)
        chosen = with_full(keep)
        return Fitted(make(chosen), chosen, summarized=len(articles) - keep, over=over)
    if not drop:
        return Fitted(data, entries, over=over)
    count = _largest(0, len(articles), lambda m: len(make(summary_only[:m])) <= budget)
    chosen = summary_only[:count]
    summarized = count if full else 0
    return Fitted(make(chosen), chosen, summarized, len(articles) - count, over)


def _largest(low: int, high: int, fits: Callable[[int], bool]) -> int:
    """The largest n in [low, high] with fits(n), assuming fits is monotone and fits(low)."""
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low
