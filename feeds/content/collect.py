"""collect(): every file found becomes an article, a skipped draft, or a problem.

Nothing is silently dropped: a file that cannot be read, normalized or cleaned is reported
with its path and the field at fault, and the run goes on with the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from feeds.config import Config
from feeds.content.bodyformat import render_markdown
from feeds.content.cache import ArticleCache, CachedFile, config_fingerprint, digest, file_key
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
from feeds.errors import ConfigError, FeedsError
from feeds.models import Article, Author, Document, Problem, Severity


@dataclass(frozen=True)
class Collection:
    articles: tuple[Article, ...]  # newest first (published desc, then id)
    problems: tuple[Problem, ...]
    skipped: tuple[str, ...]  # drafts and future-dated articles left out
    files: int
    assets: tuple[tuple[Path, str], ...] = field(default=())  # local images to copy
    hints: CorpusHints | None = None  # what was learned: boilerplate, placeholder images
    next_due: datetime | None = None  # when the earliest future-dated article comes due

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


@dataclass(frozen=True)  # no slots: slotted frozen records unpickle several times slower
class _Record:
    """A file's parse outcome without its text: what the cache keeps between runs."""

    meta: Meta | None  # None: not an article (its problems say why)
    facts: ArticleFacts | None
    problems: tuple[Problem, ...]  # everything reading and normalizing reported
    own: tuple[Problem, ...]  # the article's own warnings, attached to the Article
    facts_digest: str = ""  # the facts in a stable form: what learning depends on


@dataclass(frozen=True)
class _Outcome:
    """One article's cleaning outcome."""

    result: ContentResult | None
    problems: tuple[Problem, ...]


def collect(
    config: Config,
    *,
    now: datetime,
    paths: Sequence[Path] | None = None,
    use_cache: bool = True,
    sources: Sequence[Source] | None = None,
    progress: ProgressFactory | None = None,
) -> Collection:
    """Read, normalize and clean every article of the configured content (or ``paths``).

    Three phases: per-file parsing (and what each article tells the corpus learner) on all
    cores, learning boilerplate and placeholders once in this process, then per-article
    cleaning on all cores again. With the cache, unchanged files skip both per-file phases.
    """
    roots = list(paths) if paths else list(config.content.dirs)
    missing = missing_roots(roots)
    if missing:  # a typo must never turn into empty feeds written over good ones
        raise ConfigError(
            [f"content: {root}: no such file or folder" for root in missing],
            hint="check content.dirs in config.yaml or the --content flag",
        )
    if sources is None:  # the caller may have listed them already (the build stamp does)
        sources = discover(roots, config.content.ignore, explicit=bool(paths))
    run = _Run(config, sources, use_cache, progress or _silent)
    problems = [p for s in sources for p in run.records[s.path].problems]
    kept: list[Source] = []
    skipped: list[str] = []
    due: list[datetime] = []
    for source in sources:
        meta = run.records[source.path].meta
        if meta is None:
            continue
        if not _left_out(meta, config, now):
            kept.append(source)
            continue
        skipped.append(source.display)
        if meta.published > now and not meta.draft:  # it will come due by itself
            due.append(meta.published)
    hints = run.learn(kept)
    articles: list[Article] = []
    assets: list[tuple[Path, str]] = []
    for source, outcome in zip(kept, run.clean(kept, hints), strict=True):
        problems.extend(outcome.problems)
        if outcome.result is not None:
            articles.append(_article(source, run.records[source.path], outcome.result, config))
            assets.extend(outcome.result.assets)
    run.save()
    problems.extend(run.warnings())
    articles, duplicate_problems = drop_duplicates(articles)
    problems.extend(duplicate_problems)
    articles.sort(key=lambda a: (-a.published.timestamp(), a.id))
    return Collection(
        tuple(articles),
        tuple(problems),
        tuple(skipped),
        len(sources),
        tuple(assets),
        hints,
        min(due, default=None),
    )


class _Run:
    """One collect's state: which files were read now, which came from the cache."""

    def __init__(
        self,
        config: Config,
        sources: Sequence[Source],
        use_cache: bool,
        progress: ProgressFactory,
    ) -> None:
        self.config = config
        self.progress = progress
        self.cache = (
            ArticleCache(config.state / "cache.sqlite", config_fingerprint(config))
            if use_cache
            else None
        )
        self.keys = {s.path: file_key(s.path, s.display, s.rel, s.explicit) for s in sources}
        cached = self.cache.load(str(p) for p in self.keys) if self.cache else {}
        self.valid = {
            s.path: cached[str(s.path)]
            for s in sources
            if str(s.path) in cached and cached[str(s.path)].key == self.keys[s.path]
        }
        self.records: dict[Path, _Record] = {p: c.record for p, c in self.valid.items()}
        self.parsed: dict[Path, _Parsed] = {}  # texts in memory, dropped once cleaned
        self.read: set[Path] = set()  # files read in this run (not taken from the cache)
        self.outcomes: dict[Path, _Outcome] = {}
        self.cleaned: set[Path] = set()  # cleaned in this run (not taken from the cache)
        self.hints_fp = ""
        self._read([s for s in sources if s.path not in self.valid])

    def _read(self, sources: Sequence[Source]) -> None:
        if not sources:
            return
        with self.progress(len(sources), "reading") as advance:
            results = map_files(_parse_and_learn, sources, self.config, advance)
        for source, (item, record) in zip(sources, results, strict=True):
            self.records[source.path] = record
            self.read.add(source.path)
            if item is not None:
                self.parsed[source.path] = item

    def learn(self, kept: Sequence[Source]) -> CorpusHints:
        facts = [_facts_of(self.records[s.path]) for s in kept]
        facts_digest = digest([self.records[s.path].facts_digest for s in kept])
        hints = self.cache.load_hints(facts_digest) if self.cache else None
        if not isinstance(hints, CorpusHints):
            hints = combine_facts(facts, lambda i: self._content(kept[i]), self.config)
            if self.cache:
                self.cache.save_hints(facts_digest, hints)
        self.hints_fp = digest(
            (
                sorted((k, sorted(v)) for k, v in hints.boilerplate.items()),
                sorted(hints.placeholder_images),
            )
        )
        return hints

    def _content(self, source: Source) -> ContentInput:
        """An article's text, read again if it came from the cache."""
        if source.path not in self.parsed:
            item, record = _parse_and_learn(source, self.config)  # one file: no pool, no bar
            self.records[source.path] = record
            self.read.add(source.path)
            if item is None:  # the file changed under us since it was listed
                raise FeedsError(f"{source.display}: changed while it was being read",
                                 hint="run the command again")
            self.parsed[source.path] = item
        return self.parsed[source.path].content

    def clean(self, kept: Sequence[Source], hints: CorpusHints) -> list[_Outcome]:
        for source in kept:
            cached = self.valid.get(source.path)
            if cached is not None and cached.hints_fp == self.hints_fp and cached.result:
                self.outcomes[source.path] = cached.result
        todo = [s for s in kept if s.path not in self.outcomes]
        self._read([s for s in todo if s.path not in self.parsed])
        items = [self.parsed[s.path] for s in todo]
        if not items:
            return [self.outcomes[s.path] for s in kept]
        with self.progress(len(items), "cleaning") as advance:
            results = map_files(_build, items, (self.config, hints), advance)
        for source, outcome in zip(todo, results, strict=True):
            self.outcomes[source.path] = outcome
            self.cleaned.add(source.path)
        self.parsed.clear()  # the raw texts are not needed any more: keep the peak low
        return [self.outcomes[s.path] for s in kept]

    def save(self) -> None:
        if self.cache is None:
            return
        rows = {
            str(path): CachedFile(
                key,
                self.records[path],
                self.hints_fp if path in self.outcomes else None,
                self.outcomes.get(path),
            )
            for path, key in self.keys.items()
            if key is not None
            and path in self.records
            and (path in self.read or path in self.cleaned)
        }
        self.cache.save(rows, keep=(str(p) for p in self.keys))

    def warnings(self) -> list[Problem]:
        return self.cache.warnings if self.cache else []


# progress(total, label) -> a context manager yielding advance(n); see feeds/cli/progress.py
ProgressFactory = Callable[[int, str], AbstractContextManager[Callable[[int], None]]]


@contextmanager
def _silent(_total: int, _label: str) -> Iterator[Callable[[int], None]]:
    yield _ignore


def _ignore(_n: int = 1) -> None:
    """advance() of a run nobody watches."""


def _facts_of(record: _Record) -> ArticleFacts:
    assert record.facts is not None  # every kept article was described when parsed
    return record.facts


def _canonical(facts: ArticleFacts) -> tuple[Any, ...]:
    """Facts in a form whose pickle is the same in every process (set order is not)."""
    return tuple(
        tuple(sorted(value)) if isinstance(value, set | frozenset) else value
        for value in (getattr(facts, f.name) for f in fields(facts))
    )


def _parse_and_learn(source: Source, config: Config) -> tuple[_Parsed | None, _Record]:
    """Runs in a worker: one file read, normalized, and described for the corpus learner."""
    problems: list[Problem] = []
    item = _parse(source, config, problems)
    if item is None:
        return None, _Record(None, None, tuple(problems), ())
    facts = article_facts(item.content, config)
    return item, _Record(
        item.meta, facts, tuple(problems), item.problems, digest(_canonical(facts))
    )


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


def _build(item: _Parsed, shared: tuple[Config, CorpusHints]) -> _Outcome:
    """Runs in a worker: one article cleaned; a failure becomes a problem, never a crash."""
    config, hints = shared
    try:
        result = build_content(item.content, config, hints)
    except Exception as exc:  # the cleaner must never take the run down with it
        return _Outcome(
            None, (Problem(item.source.display, "body", f"could not be cleaned: {exc!r}"),)
        )
    return _Outcome(result, tuple(result.problems))


def _article(source: Source, record: _Record, result: ContentResult, config: Config) -> Article:
    meta = record.meta
    assert meta is not None  # only kept articles get here
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
        source_path=source.display,
        slug=meta.slug,
        problems=record.own + tuple(result.problems),
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
