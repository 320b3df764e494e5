"""Two files claiming one id or URL: both are reported and one is kept, predictably."""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter

from feeds.models import Article, Problem, Severity


def drop_duplicates(articles: Sequence[Article]) -> tuple[list[Article], list[Problem]]:
    """Keep the article whose source path sorts first; report both sides of each clash."""
    kept: list[Article] = []
    owners: dict[str, dict[str, Article]] = {"url": {}, "id": {}}  # value -> who claimed it
    problems: list[Problem] = []
    for article in sorted(articles, key=attrgetter("source_path")):
        # plain lookups, not a generator per article: this runs over every article of a build
        if article.url in owners["url"]:
            key = "url"
        elif article.id in owners["id"]:
            key = "id"
        else:
            owners["id"][article.id] = article
            owners["url"][article.url] = article
            kept.append(article)
            continue
        value = getattr(article, key)
        owner = owners[key][value]
        problems.append(
            Problem(
                owner.source_path,
                key,
                f"{value!r} is also claimed by {article.source_path}; this file is kept",
                Severity.WARNING,
            )
        )
        problems.append(
            Problem(
                article.source_path,
                key,
                f"{value!r} is already claimed by {owner.source_path}; this file is left out "
                f"(give it its own {'id' if key == 'id' else 'link or slug'})",
            )
        )
    return kept, problems
