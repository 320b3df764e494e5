"""Which articles go into a feed, in which order: filters, order, limit, per-name expansion.

Names (categories, tags, authors) are matched NFKC-normalized and case-insensitively, so
``新浪财经－国內`` (full-width hyphen) and ``新浪财经-国內`` select the same articles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from feeds.config.sections.feeds import ArticleFilter, FeedSpec
from feeds.content.slugs import match_key, slugify
from feeds.models import Article, sort_newest_first


@dataclass(frozen=True, slots=True)
class Group:
    """The articles of one category, tag or author, for a ``per:`` feed."""

    name: str  # display form, from the newest article that uses it
    slug: str
    articles: tuple[Article, ...]


def select(articles: Iterable[Article], spec: FeedSpec, limit: int | None = None) -> list[Article]:
    """The feed's articles, newest first by ``spec.order`` (ties by id), at most ``limit``.

    ``limit`` overrides ``spec.limit``; 0 means every article.
    """
    include, exclude = spec.include, spec.exclude
    if include.is_empty() and exclude.is_empty():
        chosen = list(articles)
    else:
        chosen = [a for a in articles if _wanted(a, include, exclude)]
    sort_newest_first(chosen, spec.order)
    most = spec.limit if limit is None else limit
    return chosen[:most] if most else chosen


def _wanted(article: Article, include: ArticleFilter, exclude: ArticleFilter) -> bool:
    if not include.is_empty() and not matches(article, include):
        return False
    return exclude.is_empty() or not matches(article, exclude)


def matches(article: Article, rule: ArticleFilter) -> bool:
    """True when the article has any category, tag, author or source the rule lists."""
    pairs = (
        (rule.categories, article.categories),
        (rule.tags, article.tags),
        (rule.authors, tuple(a.name for a in article.authors)),
    )
    for wanted, present in pairs:
        if wanted and {match_key(w) for w in wanted} & {match_key(p) for p in present}:
            return True
    return any(source_matches(article.source_path, pattern) for pattern in rule.sources)


def source_matches(path: str, pattern: str) -> bool:
    """Glob match on the source path, or on any tail of it (patterns are content-relative)."""
    posix = path.replace("\\", "/")
    return fnmatchcase(posix, pattern) or fnmatchcase(posix, "*/" + pattern.lstrip("/"))


def names_of(article: Article, per: str) -> Sequence[str]:
    if per == "category":
        return article.categories
    if per == "tag":
        return article.tags
    return tuple(a.name for a in article.authors)


def groups(articles: Sequence[Article], per: str, *, transliterate: bool = False) -> list[Group]:
    """One group per distinct name (matched by key), in order of first use (newest first)."""
    display: dict[str, str] = {}
    members: dict[str, list[Article]] = {}
    for article in articles:
        for name in names_of(article, per):
            key = match_key(name)
            if not key:
                continue
            display.setdefault(key, name.strip())
            bucket = members.setdefault(key, [])
            if not bucket or bucket[-1] is not article:
                bucket.append(article)
    return [
        Group(display[key], slugify(display[key], transliterate=transliterate), tuple(found))
        for key, found in members.items()
    ]
