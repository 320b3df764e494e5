"""The contract between metadata normalization and HTML content processing.

``collect`` learns boilerplate and placeholder images once, from the articles of its learning
sample (``learn_corpus`` over their HTML, in pieces: see below), then calls ``build_content``
once per article. Both are pure apart from reading
local images next to the sources, and the caches in the state folder that only
``thumbnails.resize`` (resized copies) and ``thumbnails.probe`` (network answers) use.

``learn_corpus`` is ``combine_facts(map(article_facts, inputs))``: a caller with a worker pool
or a build cache can run and cache ``article_facts`` per article (it is picklable and depends
only on the article and the config) and combine the results itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from feeds.html import boilerplate
from feeds.html.boilerplate import LearnedBlock, Shape
from feeds.html.byline import replaces_author
from feeds.models import Problem, Severity, Thumbnail

if TYPE_CHECKING:
    from feeds.config import Config
    from feeds.html.document import Built

__all__ = [
    "ArticleFacts",
    "ContentInput",
    "ContentResult",
    "CorpusHints",
    "LearnedBlock",
    "article_facts",
    "build_content",
    "build_contents",
    "byline_replaces_author",
    "combine_facts",
    "learn_corpus",
]


@dataclass(frozen=True)
class ContentInput:
    """One article's body (already HTML: Markdown is rendered before) and its context."""

    path: str
    html: str
    page_url: str
    title: str
    categories: tuple[str, ...]
    metadata: Mapping[str, Any]
    source_dir: Path
    declared_summary: str | None = None


@dataclass(frozen=True)
class ContentResult:
    """Clean, sanitized HTML with absolute URLs; a plain-text summary; the chosen thumbnail;
    the byline found at the top of the body (see ``byline_replaces_author``)."""

    content_html: str
    summary: str
    thumbnail: Thumbnail | None
    byline: str | None = None
    problems: tuple[Problem, ...] = ()
    # (source file, path relative to the output folder) of local images to copy
    assets: tuple[tuple[Path, str], ...] = field(default=())
    boilerplate_removed: int = 0  # learned blocks dropped from this article


@dataclass(frozen=True)
class CorpusHints:
    """What was learned across the whole collection."""

    # source → digests of its learned boilerplate blocks
    boilerplate: Mapping[str, frozenset[str]] = field(default_factory=dict)
    placeholder_images: frozenset[str] = frozenset()
    # for `feeds check`: each learned block described, and how many articles use each placeholder
    learned: tuple[LearnedBlock, ...] = ()
    placeholder_counts: Mapping[str, int] = field(default_factory=dict)
    articles: int = 0
    # source → the shapes of all its learned blocks, so cleaning hashes only blocks of those
    # shapes (see boilerplate.drop_learned); a source missing here has every block hashed
    shapes: Mapping[str, frozenset[Shape]] = field(default_factory=dict)


@dataclass(frozen=True)
class ArticleFacts:
    """What one article contributes to learning."""

    source: str
    signature: str
    # sorted tuples, not sets: the build cache unpickles the facts of every article on each
    # incremental build, and rebuilding 10 000 frozensets cost more than the rest of the row
    blocks: tuple[str, ...]
    images: tuple[str, ...]


def article_facts(item: ContentInput, config: Config) -> ArticleFacts:
    """The block digests and image URLs of one article (one parse)."""
    # the HTML cleaner is imported when an article is first parsed: a rebuild that parses
    # none (an old article edited, its feeds unchanged) is spared ~25 ms of imports
    from feeds.html import document

    try:
        found = document.facts(item, config)
    except Exception:  # a broken article must not stop learning for the others
        return ArticleFacts(document.source_key(item, config), item.path, (), ())
    return ArticleFacts(
        found.source, found.signature, tuple(sorted(found.blocks)), tuple(sorted(found.images))
    )


def learn_corpus(inputs: Sequence[ContentInput], config: Config) -> CorpusHints:
    return combine_facts(
        [article_facts(item, config) for item in inputs], inputs.__getitem__, config
    )


def combine_facts(
    facts: Sequence[ArticleFacts], input_at: Callable[[int], ContentInput], config: Config
) -> CorpusHints:
    """Learned boilerplate per source and placeholder images, from every article's facts.

    ``input_at(i)`` gives the article of ``facts[i]``; it is only called to describe learned
    blocks (one article per source that has any is parsed again), so a caller whose texts
    are not in memory (the build cache) reads just those few.
    """
    settings = config.cleaning.boilerplate
    learned: dict[str, frozenset[str]] = {}
    described: tuple[LearnedBlock, ...] = ()
    shapes: dict[str, frozenset[Shape]] = {}
    if settings.enabled:
        learned, stats = boilerplate.learn(
            ((f.source, f.signature, f.blocks) for f in facts), settings
        )
        described, shapes = _describe(stats, facts, input_at, config)
    counts = _placeholder_counts((f.images for f in facts), len(facts), config)
    return CorpusHints(
        boilerplate=learned,
        placeholder_images=frozenset(counts),
        learned=described,
        placeholder_counts=counts,
        articles=len(facts),
        shapes=shapes,
    )


def _placeholder_counts(
    images: Iterable[Iterable[str]], total: int, config: Config
) -> dict[str, int]:
    seen: dict[str, int] = {}
    for urls in images:
        for url in urls:
            seen[url] = seen.get(url, 0) + 1
    s = config.thumbnails
    return {
        url: n
        for url, n in sorted(seen.items())
        if n >= s.placeholder_min_count and n > s.placeholder_share * total
    }


def _describe(
    stats: Mapping[str, Any],
    facts: Sequence[ArticleFacts],
    input_at: Callable[[int], ContentInput],
    config: Config,
) -> tuple[tuple[LearnedBlock, ...], dict[str, frozenset[Shape]]]:
    """Each learned block described, and the shapes of each source's learned blocks (of the
    sources whose every learned block was found again)."""
    from feeds.html import document  # see article_facts

    found: dict[str, LearnedBlock] = {}
    shapes: dict[str, frozenset[Shape]] = {}
    for source, (counts, _n) in sorted(stats.items()):
        wanted = set(counts)
        shaped: dict[str, Shape] = {}
        for index, fact in enumerate(facts):
            if fact.source != source or wanted.isdisjoint(fact.blocks):
                continue
            blocks = document.blocks(input_at(index), config)
            found.update(boilerplate.describe(source, blocks, stats[source], found))
            shaped.update(boilerplate.block_shapes(blocks, wanted))
            wanted -= {b.digest for b in blocks}  # nested learned blocks count as seen
            if not wanted:
                break
        if not wanted:
            shapes[source] = frozenset(shaped.values())
    described = tuple(sorted(found.values(), key=lambda b: (b.source, -b.count, b.digest)))
    return described, shapes


def build_content(item: ContentInput, config: Config, hints: CorpusHints) -> ContentResult:
    """Clean, sanitized HTML with absolute URLs, a plain-text summary, a byline and a
    thumbnail for one article. Never raises: broken input yields sanitized text and a problem."""
    return build_contents([item], config, hints)[0]


def build_contents(
    items: Sequence[ContentInput], config: Config, hints: CorpusHints
) -> list[ContentResult]:
    """:func:`build_content` of each of ``items``, cleaned together a step at a time (see
    feeds.html.document.build_many): the same results, faster."""
    from feeds.html import document  # see article_facts

    try:
        built = document.build_many(
            items, config, hints.boilerplate, hints.placeholder_images, hints.shapes
        )
    except Exception as exc:  # last line of defence: the output stays safe, the user is told
        return [_fallback(item, config, exc) for item in items]
    return [
        _fallback(item, config, one) if isinstance(one, Exception) else _result(one)
        for item, one in zip(items, built, strict=True)
    ]


def _result(built: Built) -> ContentResult:
    return ContentResult(
        content_html=built.html,
        summary=built.summary,
        thumbnail=built.thumbnail,
        byline=built.byline,
        problems=built.problems,
        assets=built.assets,
        boilerplate_removed=built.boilerplate_removed,
    )


def _fallback(item: ContentInput, config: Config, exc: Exception) -> ContentResult:
    from feeds.html.sanitize import sanitize
    from feeds.html.summary import cut, html_to_text

    try:
        html = sanitize(item.html)
    except Exception:
        html = ""
    problem = Problem(
        item.path,
        "content",
        f"could not clean the HTML ({type(exc).__name__}: {str(exc)[:120]}); only sanitized",
        Severity.WARNING,
    )
    summary = cut(html_to_text(item.declared_summary or html), config.content.summary_length)
    return ContentResult(html, summary, None, problems=(problem,))


def byline_replaces_author(author: str | None, categories: Sequence[str], config: Config) -> bool:
    """Should ``ContentResult.byline`` become the article's author? Yes when the front matter
    names no author, or only the site: an entry of ``cleaning.byline.site_authors`` or one of
    the article's own categories (NFKC, case-insensitive)."""
    return replaces_author(author, categories, config.cleaning.byline)
