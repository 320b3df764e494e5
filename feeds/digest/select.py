"""Which articles a digest contains: the period, the filters, the limit, the grouping.

Pure functions: the period boundaries and the ids already sent are passed in by the caller
(the ledger knows them), so the same inputs always give the same selection.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from feeds.content.slugs import match_key
from feeds.models import Article, sort_newest_first

if TYPE_CHECKING:
    from feeds.config.sections.digests import DigestSpec
    from feeds.config.sections.feeds import ArticleFilter


@dataclass(frozen=True, slots=True)
class Group:
    """Articles under one heading (``title`` is empty when the digest is not grouped)."""

    title: str
    articles: tuple[Article, ...]


def select_articles(
    articles: Iterable[Article],
    spec: DigestSpec,
    *,
    start: datetime,
    end: datetime,
    already_sent: Collection[str] = (),
) -> tuple[Article, ...]:
    """Articles published in (start, end], matching the digest's filters, newest first.

    ``already_sent`` holds ids contained in earlier runs of this digest: an article is never
    sent twice even if its date was moved back into a later period.
    """
    chosen = [
        a
        for a in articles
        if start < a.published <= end
        and a.id not in already_sent
        and (spec.include.is_empty() or matches(a, spec.include))
        and not (not spec.exclude.is_empty() and matches(a, spec.exclude))
    ]
    sort_newest_first(chosen)
    return tuple(chosen[: spec.max_items])


def matches(article: Article, rule: ArticleFilter) -> bool:
    """True when any value of any non-empty list in ``rule`` matches the article."""
    if _overlap(article.categories, rule.categories) or _overlap(article.tags, rule.tags):
        return True
    if _overlap([a.name for a in article.authors], rule.authors):
        return True
    return any(fnmatch.fnmatch(article.source_path, p) for p in rule.sources)


def for_categories(articles: Sequence[Article], categories: Sequence[str]) -> tuple[Article, ...]:
    """A subscriber's own category filter (empty: everything)."""
    if not categories:
        return tuple(articles)
    return tuple(a for a in articles if _overlap(a.categories, categories))


def group_articles(articles: Sequence[Article], group_by: str) -> tuple[Group, ...]:
    """Group by first category (in order of first appearance), or one untitled group."""
    if group_by != "category":
        return (Group("", tuple(articles)),) if articles else ()
    groups: dict[str, list[Article]] = {}
    titles: dict[str, str] = {}
    for article in articles:
        name = article.categories[0] if article.categories else ""
        key = match_key(name)
        titles.setdefault(key, name)
        groups.setdefault(key, []).append(article)
    ordered = sorted(groups, key=lambda k: k == "")  # uncategorized last, others as they came
    return tuple(Group(titles[k], tuple(groups[k])) for k in ordered)


def _overlap(values: Iterable[str], wanted: Iterable[str]) -> bool:
    keys = {match_key(w) for w in wanted}
    return bool(keys) and any(match_key(v) in keys for v in values)
