"""Two files claiming one id or URL: both are reported and one is kept, predictably."""

from __future__ import annotations

from collections.abc import Sequence

from feeds.models import Article, Problem, Severity


def drop_duplicates(articles: Sequence[Article]) -> tuple[list[Article], list[Problem]]:
    """Keep the article whose source path sorts first; report both sides of each clash."""
    kept: list[Article] = []
    owners: dict[tuple[str, str], Article] = {}
    problems: list[Problem] = []
    for article in sorted(articles, key=lambda a: a.source_path):
        # a plain lookup, not a generator per article: this runs over every article of a build
        if ("url", article.url) in owners:
            key = "url"
        elif ("id", article.id) in owners:
            key = "id"
        else:
            owners[("id", article.id)] = article
            owners[("url", article.url)] = article
            kept.append(article)
            continue
        owner = owners[(key, getattr(article, key))]
        value = getattr(article, key)
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
