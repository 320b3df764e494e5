"""What happens to one file, in a worker process: read and normalize it, describe it for
the corpus learner when it is in the learner's sample, and later clean it. Results are
plain frozen records that pickle well (no slots: slotted frozen dataclasses unpickle
several times slower, and the build cache unpickles tens of thousands of them)."""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from feeds.content.bodyformat import FORMAT_KEYS, detect_body_format, render_markdown
from feeds.content.cache import digest
from feeds.content.discover import Source
from feeds.content.keep import Store
from feeds.content.normalize import Meta, normalize_meta
from feeds.content.pipeline import (
    ArticleFacts,
    ContentInput,
    ContentResult,
    CorpusHints,
    article_facts,
    build_contents,
)
from feeds.content.readers import ReadError, read_text_body, reader_for
from feeds.content.shards import batched
from feeds.content.suffixes import suffix_of
from feeds.models import Document, Problem, Severity

if TYPE_CHECKING:
    from feeds.config import Config


@dataclass(frozen=True)
class Parsed:
    """A file read and normalized, with its text (kept in memory only until cleaned).

    Only what cleaning needs: the parent holds one per article between reading and cleaning,
    so the raw document (and a Markdown post's source text) stays in the worker.
    """

    source: Source
    content: ContentInput


class Unread(NamedTuple):
    """What a worker keeps of an article past its budget for texts: what cleaning needs
    besides the text (see :func:`read_again`), so the file is read again without its front
    matter being parsed and normalized a second time. Plain values, kept packed (see
    feeds.content.keep)."""

    url: str
    title: str
    categories: tuple[str, ...]
    declared_summary: str | None
    fields: dict[str, Any]  # the front-matter fields cleaning reads (see cleaning_fields)

    @classmethod
    def of(cls, meta: Meta, metadata: Mapping[str, Any], config: Config) -> Unread:
        """From the article's metadata and its document's front matter."""
        fields = cleaning_fields(metadata, config)
        return cls(meta.url, meta.title, meta.categories, meta.declared_summary, fields)


@dataclass(frozen=True)
class FileRecord:
    """A file's parse outcome without its text: what the cache keeps between runs."""

    meta: Meta | None  # None: not an article (its problems say why)
    facts: ArticleFacts | None  # None until learning reads the article
    problems: tuple[Problem, ...]  # everything reading and normalizing reported
    own: tuple[Problem, ...]  # the article's own warnings, attached to the Article
    facts_digest: str = ""  # the facts in a stable form: what learning depends on


@dataclass(frozen=True)
class CleanOutcome:
    """One article's cleaning outcome."""

    result: ContentResult | None
    problems: tuple[Problem, ...]


def parse_one(
    source: Source, config: Config, text: bool = True
) -> tuple[Parsed | None, FileRecord]:
    """Runs in a worker: one file read and normalized; its facts for the corpus learner come
    later, and only if it is among the articles learning reads (see :func:`with_facts`).
    Without ``text`` only the record is made (no Markdown rendered): the Parsed is None."""
    problems: list[Problem] = []
    parsed = parse_file(source, config, problems)
    record = _record(parsed, problems)
    if parsed is None or not text:
        return None, record
    meta, doc, _own = parsed
    return Parsed(source, content_of(source, doc, meta, config)), record


def _record(
    parsed: tuple[Meta, Document, tuple[Problem, ...]] | None, problems: list[Problem]
) -> FileRecord:
    """The record of a file parse_file read (None: not an article)."""
    if parsed is None:
        return FileRecord(None, None, tuple(problems), ())
    return FileRecord(parsed[0], None, tuple(problems), parsed[2])


def describe_one(item: Parsed, config: Config) -> ArticleFacts:
    """Runs in a worker: what one article tells the corpus learner (one parse)."""
    return article_facts(item.content, config)


def with_facts(record: FileRecord, facts: ArticleFacts) -> FileRecord:
    """``record`` with the article's facts, and their digest (what learning depends on)."""
    facts_digest = digest((facts.source, facts.signature, facts.blocks, facts.images))
    return replace(record, facts=facts, facts_digest=facts_digest)


def parse_file(
    source: Source, config: Config, problems: list[Problem]
) -> tuple[Meta, Document, tuple[Problem, ...]] | None:
    """Metadata, the document and the article's own warnings; None when not an article
    (``problems`` says why)."""
    return parse_files([source], config, [problems])[0]


def parse_files(
    sources: Sequence[Source], config: Config, problems: Sequence[list[Problem]]
) -> list[tuple[Meta, Document, tuple[Problem, ...]] | None]:
    """:func:`parse_file` of each of ``sources`` (``problems``: a list for each), a step at
    a time over all of them: every document read, then every one normalized (see
    feeds.html.document.build_many: a step's code stays warm over a batch)."""
    docs = [_read(source, found) for source, found in zip(sources, problems, strict=True)]
    return [
        None if doc is None else _normalized(source, doc, config, found)
        for source, doc, found in zip(sources, docs, problems, strict=True)
    ]


def _read(source: Source, problems: list[Problem]) -> Document | None:
    """The document, or None: no reader takes the file, or it cannot be read (said in
    ``problems``)."""
    try:
        return _document(source)
    except Exception as exc:  # one broken file never stops the run
        problems.append(_unreadable(source, exc))
        return None


def _normalized(
    source: Source, doc: Document, config: Config, problems: list[Problem]
) -> tuple[Meta, Document, tuple[Problem, ...]] | None:
    try:
        meta, found = normalize_meta(doc, config.site, source.rel)
    except Exception as exc:
        problems.append(_unreadable(source, exc))
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
    return meta, doc, tuple(found)


def _unreadable(source: Source, exc: Exception) -> Problem:
    if isinstance(exc, ReadError):
        return Problem(source.display, exc.field, exc.message)
    return Problem(source.display, "file", f"could not be read: {exc!r}")


def content_of(source: Source, doc: Document, meta: Meta, config: Config) -> ContentInput:
    """What cleaning reads of a document: its body as HTML (Markdown rendered now)."""
    unread = Unread.of(meta, doc.metadata, config)
    return _content(source, unread, doc.body, doc.body_format == "markdown")


def cleaning_fields(metadata: Mapping[str, Any], config: Config) -> dict[str, Any]:
    """The front-matter fields cleaning reads, and those that declare the body's format:
    all of the front matter that an article's text needs besides its metadata."""
    return {
        name: metadata[name]
        for name in (*config.thumbnails.fields, *FORMAT_KEYS)
        if name in metadata
    }


def _content(source: Source, unread: Unread, body: str, markdown: bool) -> ContentInput:
    """The article's text made ready to clean, with what else cleaning needs."""
    return ContentInput(
        path=source.display,
        html=render_markdown(body) if markdown else body,
        page_url=unread.url,
        title=unread.title,
        categories=unread.categories,
        metadata=unread.fields,
        source_dir=_folder(os.path.dirname(source.fspath)),
        declared_summary=unread.declared_summary,
    )


def clean_many(items: Sequence[Parsed], shared: tuple[Config, CorpusHints]) -> list[CleanOutcome]:
    """Each of ``items`` cleaned, all together (see build_contents); a failure becomes a
    problem, never a crash."""
    config, hints = shared
    try:
        results = build_contents([item.content for item in items], config, hints)
    except Exception as exc:  # the cleaner must never take the run down with it
        return [
            CleanOutcome(
                None, (Problem(item.source.display, "body", f"could not be cleaned: {exc!r}"),)
            )
            for item in items
        ]
    return [CleanOutcome(result, tuple(result.problems)) for result in results]


# The tasks of a collect's phases, run by feeds.content.shards workers: ``store`` keeps the
# texts a worker read, so describing and cleaning need no second read of the file.


def read_tasks(
    sources: Sequence[Source], config: Config, keep: bool, store: Store
) -> list[FileRecord]:
    """:func:`read_task` of each of ``sources``, a step at a time (see parse_files)."""
    problems: list[list[Problem]] = [[] for _ in sources]
    parsed = parse_files(sources, config, problems)
    if keep:
        for source, one in zip(sources, parsed, strict=True):
            if one is None:
                continue
            meta, doc, _own = one
            if store.has_room():
                _keep(store, source, Parsed(source, content_of(source, doc, meta, config)))
            else:  # the text is read again when it is cleaned
                store.keep_plain(source.fspath, tuple(Unread.of(meta, doc.metadata, config)))
    return [_record(one, found) for one, found in zip(parsed, problems, strict=True)]


@batched(read_tasks)
def read_task(source: Source, config: Config, keep: bool, store: Store) -> FileRecord:
    """Read and normalize one file; keep its text for the phases after when ``keep``.

    Kept only when every article will be cleaned: a build that cleans the few articles its
    feeds show reads those again (0.2 ms each) rather than hold every text of the archive
    (~7 KB each in a worker: 340 MB per worker at 100 000 articles). Past the store's
    budget an article is kept Unread (see feeds.content.keep)."""
    return read_tasks([source], config, keep, store)[0]


def describe_task(
    source: Source, config: Config, metas: Mapping[str, Meta], store: Store
) -> ArticleFacts | None:
    """The learner's facts of one article; None when it is no longer an article. ``metas``
    holds the records' metadata: a text that must be read again is not normalized again."""
    item = _stored(source, config, store, keep=True, meta=metas.get(source.fspath))
    return None if item is None else describe_one(item, config)


def clean_tasks(
    sources: Sequence[Source], config: Config, hints: CorpusHints, store: Store
) -> list[bytes]:
    """:func:`clean_task` of each of ``sources``, the articles cleaned together (a chunk of
    the pool's at a time: see feeds.content.shards.batched)."""
    items = [_stored(source, config, store, keep=False) for source in sources]
    cleaned = iter(clean_many([item for item in items if item is not None], (config, hints)))
    return [
        # None: listed as an article, but no longer one (changed since)
        pickle.dumps(
            next(cleaned) if item is not None else CleanOutcome(None, (_changed(source),)),
            protocol=5,
        )
        for source, item in zip(sources, items, strict=True)
    ]


@batched(clean_tasks)
def clean_task(source: Source, config: Config, hints: CorpusHints, store: Store) -> bytes:
    """Runs in a worker: one article cleaned, pickled; its text let go. The pool would
    pickle the outcome anyway to send it back; as bytes, the same pickle is the build
    cache's row."""
    return clean_tasks([source], config, hints, store)[0]


def _stored(
    source: Source, config: Config, store: Store, keep: bool, meta: Meta | None = None
) -> Parsed | None:
    """The text read earlier by this worker, or read now (the file came from the cache,
    another worker read it, or it was kept Unread). With the record's ``meta`` only the
    document is read: its metadata is what normalizing it gave when the record was made
    (same file, same config)."""
    kept = store.look(source.fspath) if keep else store.take(source.fspath)
    if isinstance(kept, Parsed):
        return kept
    if isinstance(kept, tuple):  # kept Unread (as its plain values)
        item = read_again(source, Unread(*kept))
    elif meta is not None:
        item = reread(source, meta, config)
    else:
        item = parse_one(source, config)[0]
    if item is not None and keep:
        _keep(store, source, item)
    return item


def _keep(store: Store, source: Source, item: Parsed) -> None:
    # the HTML is most of it; ~2 KB for the metadata, the paths and the records' parts
    store.keep(source.fspath, item, 2048 + sys.getsizeof(item.content.html))


@lru_cache(maxsize=64)
def _folder(path: str) -> Path:
    """An article's folder: an archive has few, and a Path takes longer to make than the
    rest of an article's text to clean."""
    return Path(path)


def reread(source: Source, meta: Meta, config: Config) -> Parsed | None:
    """The text of a file whose record is known; None when it can no longer be read."""
    try:
        doc = _document(source)
    except Exception:  # gone or broken since its record was made: "changed while read"
        return None
    return None if doc is None else Parsed(source, content_of(source, doc, meta, config))


def read_again(source: Source, unread: Unread) -> Parsed | None:
    """:func:`reread` of an article kept Unread: only its body is read (the front matter is
    skipped, not parsed); the same text. None when it can no longer be read. Every reader
    is the text reader (a test holds READERS to that): its body is read_text_body's."""
    try:
        body = read_text_body(source.fspath)
    except Exception:  # gone or broken since it was read: "changed while read"
        return None
    markdown = detect_body_format(body, suffix_of(source.fspath), unread.fields) == "markdown"
    return Parsed(source, _content(source, unread, body, markdown))


def _document(source: Source) -> Document | None:
    """The file read by the reader its suffix calls for; None when no reader takes it.
    A file that cannot be read raises (ReadError, or whatever its reader met)."""
    path = source.fspath  # the string: Source.path would make a Path for nothing
    reader = reader_for(path, explicit=source.explicit)
    return None if reader is None else reader(path, source.display)


def _changed(source: Source) -> Problem:
    return Problem(source.display, "file", "changed while it was being read; run the command again")
