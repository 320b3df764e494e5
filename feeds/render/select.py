"""Which articles go into a feed, in which order: filters, order, limit, per-name expansion.

Names (categories, tags, authors) are matched NFKC-normalized and case-insensitively, so
``新浪财经－国內`` (full-width hyphen) and ``新浪财经-国內`` select the same articles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from operator import attrgetter
from typing import TYPE_CHECKING

from feeds.content.slugs import match_key, slugify
from feeds.models import Article, sort_newest_first

if TYPE_CHECKING:
    from feeds.config.sections.feeds import ArticleFilter, FeedSpec


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


_NAMES = {"category": attrgetter("categories"), "tag": attrgetter("tags")}


def names_of(article: Article, per: str) -> Sequence[str]:
    if per == "category":
        return article.categories
    if per == "tag":
        return article.tags
    return tuple(a.name for a in article.authors)


def groups(articles: Sequence[Article], per: str, *, transliterate: bool = False) -> list[Group]:
    """One group per distinct name (matched by key), in order of first use (newest first);
    a name's display form is the one its newest article writes."""
    # an archive has a few distinct lists of names: each list is matched once, and its
    # articles (their positions) join the groups of its keys together
    positions: dict[Sequence[str], list[int]] = {}
    read = _NAMES.get(per)  # categories and tags are read at C level, authors' names made
    for index, names in enumerate(map(read, articles) if read else
                                  (names_of(a, per) for a in articles)):
        at = positions.get(names)  # not setdefault: that makes a list for every article
        if at is None:
            positions[names] = [index]
        else:
            at.append(index)
    # lists come in the order of their first article, so keys are met in order of first use
    display: dict[str, str] = {}
    lists: dict[str, list[list[int]]] = {}
    for names, places in positions.items():
        for name in names:
            key = match_key(name)
            if not key:
                continue
            found = lists.setdefault(key, [])
            if found and found[-1] is places:
                continue  # the same key twice in one list of names
            found.append(places)
            display.setdefault(key, name.strip())
    made = []
    for key, found in lists.items():
        name = display[key]
        chosen = found[0] if len(found) == 1 else sorted(set().union(*found))
        made.append(Group(name, slugify(name, transliterate=transliterate),
                          tuple(articles[i] for i in chosen)))
    return made
