"""One collect's bookkeeping: which files come from the build cache, which are read again,
what was learned, which articles are cleaned again; with progress for the slow parts."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from operator import attrgetter
from typing import TYPE_CHECKING

from feeds.content.cache import (
    ArticleCache,
    CleanedRow,
    digest,
    file_key,
)
from feeds.content.discover import Source
from feeds.content.normalize import Meta
from feeds.content.perfile import (
    CleanOutcome,
    FileRecord,
    Parsed,
    clean_task,
    describe_task,
    read_task,
    reread,
    with_facts,
)
from feeds.content.pipeline import ArticleFacts, ContentInput, CorpusHints, combine_facts
from feeds.content.shards import ShardPool
from feeds.content.workers import worker_count
from feeds.errors import FeedsError
from feeds.html.rules import source_of
from feeds.models import Problem
from feeds.statefiles import UNPICKLING_ERRORS

if TYPE_CHECKING:
    from feeds.config import Config

# progress(total, label) -> a context manager yielding advance(n); see feeds/cli/progress.py
ProgressFactory = Callable[[int, str], AbstractContextManager[Callable[[int], None]]]


@contextmanager
def silent_progress(_total: int, _label: str) -> Iterator[Callable[[int], None]]:
    yield _ignore


def _ignore(_n: int = 1) -> None:
    """advance() of a run nobody watches."""


_BATCH = 500  # cleaned rows written to the cache per transaction


class CollectRun:
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
        self.cache = ArticleCache.of(config) if use_cache else None
        # every dict of the run is keyed by the file's path string (Source.fspath)
        self.keys = {
            s.fspath: file_key(s.fspath, s.display, s.rel, s.explicit, s.stat) for s in sources
        }
        cached = self.cache.load(self.keys) if self.cache else {}
        # files whose record can be used as it is: unchanged since it was stored
        keys = self.keys
        self.valid = {path for path, (key, _) in cached.items() if key == keys[path]}
        self.records: dict[str, FileRecord] = {p: cached[p][1] for p in self.valid}
        # texts read in this process (to describe learned blocks); the rest stay in workers
        self.parsed: dict[str, Parsed] = {}
        self.pool = ShardPool(config)
        self.read: set[str] = set()  # files read in this run (not taken from the cache)
        self.outcomes: dict[str, CleanOutcome] = {}
        self.hints_fp = ""
        self.sources = sources

    def __enter__(self) -> CollectRun:
        self.pool.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.__exit__(*exc)
        if self.cache is not None:
            self.cache.close()

    def read_changed(self, keep_texts: bool) -> None:
        """Read every file the cache could not answer for; the workers keep the texts when
        ``keep_texts`` (every article will be cleaned)."""
        todo = [s for s in self.sources if s.fspath not in self.valid]
        if not todo:
            return
        if not self.pool.started and worker_count(len(todo)) > 1:
            # the workers start now and will describe and clean what they read: forked with
            # the cleaner imported, they need not each import it at their first article, on
            # the way to the learner (this process imports it to learn anyway): a cold
            # 10 000-article build learned ~20 ms sooner
            import feeds.html.document  # noqa: F401
        with self.progress(len(todo), "reading") as advance:
            records = self.pool.run(read_task, todo, _fspath, keep_texts, advance)
            for source, record in zip(todo, records, strict=True):
                self.records[source.fspath] = record
                self.read.add(source.fspath)

    def learn(self, kept: Sequence[Source], meanwhile: Meanwhile = None) -> CorpusHints:
        """What the newest articles of each source teach; ``meanwhile()`` runs here while
        the workers describe them (see ShardPool.run), or at once when none needs it."""
        sample = learning_sample(kept, self.records, self.config)
        self._describe([s for s in sample if self.records[s.fspath].facts is None], meanwhile)
        facts = [_facts_of(self.records[s.fspath]) for s in sample]
        facts_digest = digest([self.records[s.fspath].facts_digest for s in sample])
        hints = self.cache.load_hints(facts_digest) if self.cache else None
        if not isinstance(hints, CorpusHints):
            hints = combine_facts(facts, lambda i: self._content(sample[i]), self.config)
            if self.cache:
                self.cache.save_hints(facts_digest, hints)
        self.hints_fp = digest(
            (
                sorted((k, sorted(v)) for k, v in hints.boilerplate.items()),
                sorted(hints.placeholder_images),
            )
        )
        return hints

    def _describe(self, todo: Sequence[Source], meanwhile: Meanwhile) -> None:
        """Facts for the learner of ``todo`` (read again if they came from the cache)."""
        if not todo:
            _run(meanwhile)
            return
        with self.progress(len(todo), "learning") as advance:
            metas = {s.fspath: self.records[s.fspath].meta for s in todo}
            found = self.pool.run(describe_task, todo, _fspath, metas, advance, meanwhile)
            for source, facts in zip(todo, found, strict=True):
                if facts is None:
                    raise FeedsError(
                        f"{source.display}: changed while it was being read",
                        hint="run the command again",
                    )
                self.records[source.fspath] = with_facts(self.records[source.fspath], facts)
                self.read.add(source.fspath)  # its row gains the facts: stored again on save

    def _content(self, source: Source) -> ContentInput:
        """A sampled article's text, to describe its learned blocks: the texts stay in the
        workers, so this process reads the file itself (one per source that learned any).
        Its record already holds its facts and metadata, so only the text is taken."""
        if source.fspath not in self.parsed:
            meta = self.records[source.fspath].meta
            item = reread(source, meta, self.config) if meta is not None else None  # one file
            if item is None:  # the file changed under us since it was listed
                raise FeedsError(
                    f"{source.display}: changed while it was being read",
                    hint="run the command again",
                )
            self.parsed[source.fspath] = item
        return self.parsed[source.fspath].content

    def clean(
        self, kept: Sequence[Source], hints: CorpusHints, meanwhile: Meanwhile = None
    ) -> list[CleanOutcome]:
        """Each kept article's cleaning outcome (from the cache when it can); ``meanwhile()``
        runs here while the workers clean, or at once when none needs it."""
        self._reuse(kept)
        todo = [s for s in kept if s.fspath not in self.outcomes]
        if not todo:
            _run(meanwhile)
            return [self.outcomes[s.fspath] for s in kept]
        with self.progress(len(todo), "cleaning") as advance:
            blobs = self.pool.run(clean_task, todo, _fspath, hints, advance, meanwhile)
            batch: dict[str, CleanedRow] = {}
            for source, blob in zip(todo, blobs, strict=True):
                path = source.fspath
                self.outcomes[path] = pickle.loads(blob)
                key = self.keys.get(path)
                if key is not None:  # the worker's pickle is the row: stored now, then let go
                    batch[path] = CleanedRow(key, self.hints_fp, blob)
                    if len(batch) >= _BATCH:
                        batch = self._store(batch)
            self._store(batch)
        self.parsed.clear()  # the raw texts are not needed any more: keep the peak low
        return [self.outcomes[s.fspath] for s in kept]

    def _reuse(self, kept: Sequence[Source]) -> None:
        """Cleaning outcomes of unchanged files, made with the hints learned now."""
        wanted = {
            s.fspath: key
            for s in kept
            if s.fspath in self.valid and (key := self.keys[s.fspath]) is not None
        }
        if self.cache is None or not wanted:
            return
        for path, outcome in self.cache.cleaned(wanted, self.hints_fp, _outcome).items():
            if outcome is not None:
                self.outcomes[path] = outcome

    def _store(self, rows: dict[str, CleanedRow]) -> dict[str, CleanedRow]:
        """Write ``rows`` to the cache now; an empty batch to fill next."""
        if self.cache is not None and rows:
            self.cache.put(rows)
        return {}

    def save(self) -> None:
        """The records read in this run (new, changed, or given their facts) into the cache."""
        if self.cache is None:
            return
        rows = {
            path: (key, self.records[path])
            for path in self.read
            if (key := self.keys.get(path)) is not None and path in self.records
        }
        self.cache.save(rows, keep=self.keys)

    def warnings(self) -> list[Problem]:
        return self.cache.warnings if self.cache else []


# work of this process to do while the workers do theirs (see ShardPool.run)
Meanwhile = Callable[[], object] | None


def _run(meanwhile: Meanwhile) -> None:
    if meanwhile is not None:
        meanwhile()


def _fspath(source: Source) -> str:
    return source.fspath


def _outcome(blob: bytes) -> CleanOutcome | None:
    """A stored cleaning outcome, or None when it no longer loads (it is cleaned again)."""
    try:
        outcome = pickle.loads(blob)
    except UNPICKLING_ERRORS:
        return None
    return outcome if isinstance(outcome, CleanOutcome) else None


def _facts_of(record: FileRecord) -> ArticleFacts:
    assert record.facts is not None  # every article of the sample was described
    return record.facts


def learning_sample(
    kept: Sequence[Source], records: Mapping[str, FileRecord], config: Config
) -> list[Source]:
    """The articles learning reads: the newest ``cleaning.boilerplate.sample`` of each source
    (newest first, ties by id, as feeds order them), in the order of ``kept``.

    Bounded, so a cold build of a large archive parses most articles once, not twice; and an
    edit to an old article outside the sample changes nothing that was learned.
    """
    limit = config.cleaning.boilerplate.sample
    if not limit:
        return list(kept)
    settings = config.cleaning.boilerplate
    by, depth = settings.source_by, settings.category_depth
    groups: dict[str, tuple[list[str], list[Meta]]] = {}
    by_categories: dict[tuple[str, ...], str] = {}  # an archive has a few category lists
    for source in kept:
        meta = records[source.fspath].meta
        assert meta is not None  # only articles are kept
        categories = meta.categories
        if by == "category" and categories:
            key = by_categories.get(categories)
            if key is None:
                key = by_categories[categories] = source_of("", categories, by, depth)
        else:
            key = source_of(source.display, categories, by, depth)
        group = groups.get(key)  # not setdefault: that makes two lists for every article
        if group is None:
            group = groups[key] = ([], [])
        group[0].append(source.fspath)
        group[1].append(meta)
    chosen: set[str] = set()
    for paths, metas in groups.values():
        if len(metas) > limit:  # two stable sorts of positions, C-level keys: (-published, id)
            ids, dates = list(map(_ID, metas)), list(map(_PUBLISHED, metas))
            order = sorted(range(len(metas)), key=ids.__getitem__)
            order.sort(key=dates.__getitem__, reverse=True)
            paths = [paths[i] for i in order[:limit]]
        chosen.update(paths)
    return [s for s in kept if s.fspath in chosen]


_ID, _PUBLISHED = attrgetter("id"), attrgetter("published")
