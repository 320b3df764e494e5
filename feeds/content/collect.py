"""collect(): every file found becomes an article, a skipped draft, or a problem.

Nothing is silently dropped: a file that cannot be read, normalized or cleaned is reported
with its path and the field at fault, and the run goes on with the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from feeds.config import Config
from feeds.content.bodyformat import render_markdown
from feeds.content.dedupe import drop_duplicates
from feeds.content.discover import Source, discover, missing_roots
from feeds.content.normalize import Meta, normalize_meta
from feeds.content.pipeline import (
    ArticleFacts,
    ContentInput,
    ContentResult,
    CorpusHints,
    article_facts,
    build_content,
    combine_facts,
)
from feeds.content.readers import ReadError, reader_for
from feeds.content.slugs import match_key
from feeds.content.workers import map_files
from feeds.errors import ConfigError
from feeds.models import Article, Author, Document, Problem, Severity


@dataclass(frozen=True)
class Collection:
    articles: tuple[Article, ...]  # newest first (published desc, then id)
    problems: tuple[Problem, ...]
    skipped: tuple[str, ...]  # drafts and future-dated articles left out
    files: int
    assets: tuple[tuple[Path, str], ...] = field(default=())  # local images to copy
    hints: CorpusHints | None = None  # what was learned: boilerplate, placeholder images

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)


@dataclass(frozen=True, slots=True)
class _Parsed:
    source: Source
    doc: Document
    meta: Meta
    content: ContentInput
    problems: tuple[Problem, ...] = ()  # its own warnings (fallbacks), shown by inspect


def collect(config: Config, *, now: datetime, paths: Sequence[Path] | None = None) -> Collection:
    """Read, normalize and clean every article of the configured content (or ``paths``).

    Three phases: per-file parsing (and what each article tells the corpus learner) on all
    cores, learning boilerplate and placeholders once in this process, then per-article
    cleaning on all cores again.
    """
    roots = list(paths) if paths else list(config.content.dirs)
    missing = missing_roots(roots)
    if missing:  # a typo must never turn into empty feeds written over good ones
        raise ConfigError(
            [f"content: {root}: no such file or folder" for root in missing],
            hint="check content.dirs in config.yaml or the --content flag",
        )
    sources = discover(roots, config.content.ignore, explicit=bool(paths))
    problems: list[Problem] = []
    skipped: list[str] = []
    parsed: list[_Parsed] = []
    facts: list[ArticleFacts] = []
    for item, item_facts, found in map_files(_parse_and_learn, sources, config):
        problems.extend(found)
        if item is None or item_facts is None:
            continue
        if _left_out(item.meta, config, now):
            skipped.append(item.source.display)
            continue
        parsed.append(item)
        facts.append(item_facts)
    hints = combine_facts(facts, [p.content for p in parsed], config)
    articles: list[Article] = []
    assets: list[tuple[Path, str]] = []
    for item, (result, found) in zip(
        parsed, map_files(_build, parsed, (config, hints)), strict=True
    ):
        problems.extend(found)
        if result is not None:
            articles.append(_article(item, result, config))
            assets.extend(result.assets)
    articles, duplicate_problems = drop_duplicates(articles)
    problems.extend(duplicate_problems)
    articles.sort(key=lambda a: (-a.published.timestamp(), a.id))
    return Collection(
        tuple(articles), tuple(problems), tuple(skipped), len(sources), tuple(assets), hints
    )


def _parse_and_learn(
    source: Source, config: Config
) -> tuple[_Parsed | None, ArticleFacts | None, list[Problem]]:
    """Runs in a worker: one file read, normalized, and described for the corpus learner."""
    problems: list[Problem] = []
    item = _parse(source, config, problems)
    if item is None:
        return None, None, problems
    return item, article_facts(item.content, config), problems


def _parse(source: Source, config: Config, problems: list[Problem]) -> _Parsed | None:
    reader = reader_for(source.path, explicit=source.explicit)
    if reader is None:
        return None
    try:
        doc = reader(source.path, source.display)
        meta, found = normalize_meta(doc, config.site, source.rel)
    except ReadError as exc:
        problems.append(Problem(source.display, exc.field, exc.message))
        return None
    except Exception as exc:  # one broken file never stops the run
        problems.append(Problem(source.display, "file", f"could not be read: {exc!r}"))
        return None
    if doc.encoding != "utf-8":
        found.append(
            Problem(
                source.display,
                "encoding",
                f"not UTF-8; decoded as {doc.encoding}",
                Severity.WARNING,
            )
        )
    problems.extend(found)
    if meta is None:
        return None
    html = render_markdown(doc.body) if doc.body_format == "markdown" else doc.body
    content = ContentInput(
        path=source.display,
        html=html,
        page_url=meta.url,
        title=meta.title,
        categories=meta.categories,
        metadata=doc.metadata,
        source_dir=source.path.parent,
        declared_summary=meta.declared_summary,
    )
    return _Parsed(source, doc, meta, content, tuple(found))


def _left_out(meta: Meta, config: Config, now: datetime) -> bool:
    return (meta.draft and not config.content.drafts) or (
        meta.published > now and not config.content.future
    )


def _build(
    item: _Parsed, shared: tuple[Config, CorpusHints]
) -> tuple[ContentResult | None, list[Problem]]:
    """Runs in a worker: one article cleaned; a failure becomes a problem, never a crash."""
    config, hints = shared
    try:
        result = build_content(item.content, config, hints)
    except Exception as exc:  # the cleaner must never take the run down with it
        return None, [Problem(item.source.display, "body", f"could not be cleaned: {exc!r}")]
    return result, list(result.problems)


def _article(item: _Parsed, result: ContentResult, config: Config) -> Article:
    meta = item.meta
    authors = meta.authors
    if result.byline and _names_only_the_site(meta, config):
        authors = (Author(result.byline),)
    return Article(
        id=meta.id,
        url=meta.url,
        title=meta.title,
        published=meta.published,
        updated=meta.updated,
        authors=authors,
        categories=meta.categories,
        tags=meta.tags,
        summary=result.summary,
        content_html=result.content_html,
        thumbnail=result.thumbnail,
        language=meta.language,
        source_path=item.source.display,
        slug=meta.slug,
        problems=item.problems + tuple(result.problems),
    )


def _names_only_the_site(meta: Meta, config: Config) -> bool:
    """A front-matter author that is just the site or feed name yields to a byline."""
    if not config.cleaning.byline.enabled:
        return False
    if not meta.authors:
        return True
    site_names = {match_key(n) for n in config.cleaning.byline.site_authors}
    site_names |= {match_key(c) for c in meta.categories}
    site_names.add(match_key(config.site.title))
    return all(match_key(a.name) in site_names for a in meta.authors)
