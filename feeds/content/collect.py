"""collect(): every file found becomes an article, a skipped draft, or a problem.

Nothing is silently dropped: a file that cannot be read, normalized or cleaned is reported
with its path and the field at fault, and the run goes on with the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from collections.abc import Collection as Collection_
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from feeds.afterlife import outlive
from feeds.content.collectrun import CollectRun, ProgressFactory, silent_progress
from feeds.content.dedupe import drop_duplicates
from feeds.content.discover import Source, discover, missing_roots
from feeds.content.normalize import Meta
from feeds.content.perfile import CleanOutcome, FileRecord
from feeds.content.pipeline import ContentResult, CorpusHints
from feeds.content.slugs import match_key
from feeds.errors import ConfigError
from feeds.gcpause import collector_paused
from feeds.models import Article, Author, Problem, Severity, sort_newest_first
from feeds.timings import Timings

if TYPE_CHECKING:
    from feeds.config import Config

__all__ = ["Chooser", "Collection", "ProgressFactory", "collect"]


@dataclass(frozen=True)
class Collection:
    articles: tuple[Article, ...]  # newest first (published desc, then id)
    problems: tuple[Problem, ...]
    skipped: tuple[str, ...]  # drafts and future-dated articles left out
    files: int
    assets: tuple[tuple[Path, str], ...] = field(default=())  # local images to copy
    hints: CorpusHints | None = None  # what was learned: boilerplate, placeholder images
    next_due: datetime | None = None  # when the earliest future-dated article comes due
    indexed: int | None = None  # with a chooser: every article found, cleaned or not

    @property
    def article_total(self) -> int:
        """How many articles there are, also those a chooser left uncleaned."""
        return len(self.articles) if self.indexed is None else self.indexed

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)


@collector_paused()  # see feeds.gcpause: what a collect makes lives until it ends
def collect(
    config: Config,
    *,
    now: datetime,
    paths: Sequence[Path] | None = None,
    use_cache: bool = True,
    sources: Sequence[Source] | None = None,
    progress: ProgressFactory | None = None,
    clean_only: Chooser | None = None,
    timings: Timings | None = None,
    cleaned: Callable[[int], object] | None = None,
) -> Collection:
    """Read, normalize and clean every article of the configured content (or ``paths``).

    Phases: reading and normalizing every file on all cores; describing the learner's
    sample (the newest articles of each source) on all cores and learning boilerplate and
    placeholders from it in this process; choosing what the feeds show (with ``clean_only``,
    here while the workers describe); cleaning on all cores again, in the workers that read
    the texts (the cache is saved here meanwhile). With the cache,
    unchanged files skip the per-file work. ``cleaned(n)`` is called once the n articles to
    gather are cleaned, before they are gathered.
    """
    roots = list(paths) if paths else list(config.content.dirs)
    missing = missing_roots(roots)
    if missing:  # a typo must never turn into empty feeds written over good ones
        raise ConfigError(
            [f"content: {root}: no such file or folder" for root in missing],
            hint="check content.dirs in config.yaml or the --content flag",
        )
    timings = timings or Timings()
    if sources is None:  # the caller may have listed them already (the build stamp does)
        with timings.phase("discover"):
            sources = discover(roots, config.content.ignore, explicit=bool(paths))
    with timings.phase("load"):  # the build cache's rows for every file
        run = CollectRun(config, sources, use_cache, progress or silent_progress)
    with run:
        with timings.phase("parse"):
            run.read_changed(keep_texts=clean_only is None)
        problems = [p for s in sources for p in run.records[s.fspath].problems]
        kept, skipped, due = _partition(sources, run, config, now)
        # with a chooser: clean just what the caller will show, the rest stays indexed; the
        # choice needs no learning, so it is made while the workers describe the sample
        selection = (
            _Selection(kept, run, config, clean_only, timings) if clean_only is not None else None
        )
        with timings.phase("learn"):
            hints = run.learn(kept, meanwhile=selection)
        if selection is not None:
            kept = [s for s in kept if s.display in selection.picked()]

        def save() -> None:  # while the workers clean (run.clean always runs it), not after
            with timings.phase("cache"):
                run.save()

        with timings.phase("clean"):
            outcomes = run.clean(kept, hints, meanwhile=save)
        if cleaned is not None:
            cleaned(len(kept))
    # the workers have stopped: the articles the parent makes now never share the peak with them
    articles, assets = _gather(kept, outcomes, run, config, problems)
    problems.extend(run.warnings())
    articles, found = drop_duplicates(articles)
    problems.extend(selection.duplicates if selection is not None else found)
    sort_newest_first(articles)
    # the records of every file and the index of every article are garbage from here on
    outlive(run, selection.index if selection is not None else None)
    return Collection(
        tuple(articles),
        tuple(problems),
        tuple(skipped),
        len(sources),
        tuple(assets),
        hints,
        due,
        len(selection.index) if selection is not None else None,
    )


class _Selection:
    """The chooser's pick from the index of every kept article: made by calling it once."""

    def __init__(
        self, kept: Sequence[Source], run: CollectRun, config: Config, chooser: Chooser,
        timings: Timings,
    ) -> None:
        self.kept, self.run, self.config, self.chooser = kept, run, config, chooser
        self.timings = timings
        self.index: list[Article] = []
        self.duplicates: list[Problem] = []
        self.chosen: Collection_[str] | None = None

    def __call__(self) -> None:
        with self.timings.phase("select"):
            self.index, self.duplicates = _index(self.kept, self.run, self.config)
            self.chosen = self.chooser(self.index)

    def picked(self) -> Collection_[str]:
        assert self.chosen is not None, "the chooser never ran: nothing would be cleaned"
        return self.chosen


def _gather(
    kept: Sequence[Source],
    outcomes: Sequence[CleanOutcome],
    run: CollectRun,
    config: Config,
    problems: list[Problem],
) -> tuple[list[Article], list[tuple[Path, str]]]:
    """The articles cleaned and the local images they use; their problems onto ``problems``."""
    articles: list[Article] = []
    assets: list[tuple[Path, str]] = []
    for source, outcome in zip(kept, outcomes, strict=True):
        problems.extend(outcome.problems)
        if outcome.result is not None:
            articles.append(_article(source, run.records[source.fspath], outcome.result, config))
            assets.extend(outcome.result.assets)
    return articles, assets


def _partition(
    sources: Sequence[Source], run: CollectRun, config: Config, now: datetime
) -> tuple[list[Source], list[str], datetime | None]:
    """Articles kept; drafts and future posts left out; when the first future one comes due."""
    kept: list[Source] = []
    skipped: list[str] = []
    due: list[datetime] = []
    records = run.records
    drafts, future = config.content.drafts, config.content.future  # looked up once
    for source in sources:
        meta = records[source.fspath].meta
        if meta is None:
            continue
        if (drafts or not meta.draft) and (future or meta.published <= now):  # not left out
            kept.append(source)
            continue
        skipped.append(source.display)
        if meta.published > now and not meta.draft:  # it will come due by itself
            due.append(meta.published)
    return kept, skipped, min(due, default=None)


def _index(
    kept: Sequence[Source], run: CollectRun, config: Config
) -> tuple[list[Article], list[Problem]]:
    """Every kept article with its metadata only (no content, summary or thumbnail, and the
    front-matter authors), newest first and without duplicates: what a chooser selects from."""
    index = [_article(s, run.records[s.fspath], _NO_CONTENT, config) for s in kept]
    index, problems = drop_duplicates(index)
    sort_newest_first(index)
    return index, problems


# chooser(index) -> the source paths (Article.source_path) whose content is needed
Chooser = Callable[[Sequence[Article]], Collection_[str]]
_NO_CONTENT = ContentResult(content_html="", summary="", thumbnail=None)


def _article(source: Source, record: FileRecord, result: ContentResult, config: Config) -> Article:
    meta = record.meta
    assert meta is not None  # only kept articles get here
    authors = meta.authors
    if result.byline and _names_only_the_site(meta, config):
        authors = (Author(result.byline),)
    # Article's own __init__ sets each of its 15 fields through object.__setattr__ (it is
    # frozen): 2 µs an article, and the index makes one per article of the archive. Filling
    # the instance dict is the same record in a fifth of the time (a test holds the fields
    # set here to Article's).
    article: Article = _NEW(Article)
    article.__dict__.update(
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
    return article


_NEW = object.__new__


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
