"""From config and articles to the list of feed files to write, each with its articles.

A ``per:`` spec becomes one job per category, tag or author. Two jobs that land on one file
are reported and the later one is left out (config validation catches the plain case of
two feeds with one path; this catches expansions colliding with each other or with it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from feeds.models import Article, Problem, Severity
from feeds.render.select import groups, select

if TYPE_CHECKING:
    from feeds.config import Config
    from feeds.config.sections.feeds import FeedSpec


@dataclass(frozen=True, slots=True)
class FeedJob:
    """One feed file: its spec, where it goes, what it is called, what it carries."""

    name: str  # spec name, or "name/slug" for a per: expansion
    spec: FeedSpec
    path: str  # relative to the output folder, '/'-separated
    title: str
    articles: tuple[Article, ...]  # every article chosen, in feed order (archives use all)
    limit: int  # items in the subscription feed; 0 means all

    @property
    def items(self) -> tuple[Article, ...]:
        return self.articles[: self.limit] if self.limit else self.articles


def feed_url(config: Config, path: str) -> str:
    """The public URL of an output file: site URL + percent-encoded path (CJK slugs)."""
    return config.site.url + quote(path, safe="/-._~")


def plan(
    config: Config,
    specs: Sequence[FeedSpec],
    pools: Mapping[str, Sequence[Article]],
    limit: int | None = None,
) -> tuple[list[FeedJob], list[Problem]]:
    """Jobs for ``specs``; ``pools`` maps each format to the articles it can carry."""
    jobs: list[FeedJob] = []
    problems: list[Problem] = []
    taken: dict[str, str] = {}
    selections: dict[tuple[int, str], list[Article]] = {}
    for spec in specs:
        expanded, skipped = _expand(config, spec, pools[spec.format], limit, selections)
        if skipped:
            problems.append(
                Problem(spec.name, "per", f"left out {', '.join(skipped)}: no letters or digits "
                        "to make a slug from", Severity.WARNING)
            )
        for job in expanded:
            owner = taken.setdefault(job.path, job.name)
            if owner == job.name:
                jobs.append(job)
            else:
                problems.append(Problem(job.path, "path", f"{job.name} and {owner} both write "
                                        f"this file; {job.name} was left out"))
    return jobs, problems


def _expand(
    config: Config,
    spec: FeedSpec,
    pool: Sequence[Article],
    limit: int | None,
    selections: dict[tuple[int, str], list[Article]],
) -> tuple[list[FeedJob], list[str]]:
    site = config.site
    most = spec.limit if limit is None else limit
    if spec.per is None:
        title = spec.title or site.title
        chosen = tuple(_selected(pool, spec, selections))
        return [FeedJob(spec.name, spec, spec.path, title, chosen, most)], []
    jobs, skipped = [], []
    selected = _selected(pool, spec, selections)
    for group in groups(selected, spec.per, transliterate=site.transliterate):
        if not group.slug:
            skipped.append(repr(group.name))
            continue
        pattern = spec.title or "{site} · {name}"
        title = pattern.replace("{site}", site.title).replace("{name}", group.name)
        path = spec.path.replace("{slug}", group.slug)
        # a group keeps the order of the selection it comes from, all of whose articles
        # passed the filters: selecting it again (a pass over every article) changes nothing
        items = group.articles
        jobs.append(FeedJob(f"{spec.name}/{group.slug}", spec, path, title, items, most))
    return jobs, skipped


def _selected(
    pool: Sequence[Article], spec: FeedSpec, selections: dict[tuple[int, str], list[Article]]
) -> list[Article]:
    """``select(pool, spec, 0)``, made once per pool and order for the specs without filters
    (the site's RSS, Atom and JSON feeds share one pool): each is a pass over the archive.
    The list is shared, so nothing may change it."""
    if not (spec.include.is_empty() and spec.exclude.is_empty()):
        return select(pool, spec, 0)
    key = (id(pool), spec.order)
    found = selections.get(key)
    if found is None:
        found = selections[key] = select(pool, spec, 0)
    return found
