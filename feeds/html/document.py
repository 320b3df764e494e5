"""One article from raw HTML to clean, safe content: the order of the steps lives here.

The document is parsed once; learning (:func:`facts`) and building (:func:`build`) share the
same first steps, so a block's digest is the same in both.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from feeds.html import clean, thumbnail
from feeds.html.assets import LocalAssets, resized
from feeds.html.boilerplate import (
    Block,
    Shape,
    candidate_blocks,
    candidate_digests,
    drop_learned,
)
from feeds.html.byline import take_byline
from feeds.html.images import remove_pixels
from feeds.html.rules import apply_rules, rules_for, source_of
from feeds.html.sanitize import sanitize, xml_safe
from feeds.html.summary import cut, html_to_text, opening_paragraphs
from feeds.html.tree import Tag, drop, parse, serialize, text_of
from feeds.html.urls import MEDIA_SCHEMES, Resolver, absolutize, best_src
from feeds.models import Problem, Severity, Thumbnail

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from feeds.config import Config
    from feeds.content.pipeline import ContentInput

MARKER = "feeds-excerpt-end"
_MORE_COMMENT = re.compile(r"<!--\s*(.*?)\s*-->", re.S)


@dataclass(frozen=True, slots=True)
class Built:
    html: str
    summary: str
    thumbnail: Thumbnail | None
    byline: str | None
    problems: tuple[Problem, ...]
    assets: tuple[tuple[Path, str], ...]
    boilerplate_removed: int


def prepare(html: str, separator: str) -> str:
    """Mark the excerpt separator with an element before parsing (parsing drops comments).

    A comment separator such as ``<!-- more -->`` also matches ``<!--more-->``.
    """
    html = xml_safe(html)
    if not separator.strip():
        return html
    pattern = _comment_separator(separator)
    if pattern is not None:
        return pattern.sub(f"<{MARKER}></{MARKER}>", html, count=1)
    return html.replace(separator, f"<{MARKER}></{MARKER}>", 1)


@functools.lru_cache(maxsize=16)
def _comment_separator(separator: str) -> re.Pattern[str] | None:
    """The pattern for a comment separator (made once, not per article), None for others."""
    comment = _MORE_COMMENT.fullmatch(separator.strip())
    if comment is None:
        return None
    return re.compile(r"<!--\s*" + re.escape(comment.group(1)) + r"\s*-->", re.I)


def source_key(item: ContentInput, config: Config) -> str:
    s = config.cleaning.boilerplate
    return source_of(item.path, item.categories, s.source_by, s.category_depth)


def _resolver(item: ContentInput, config: Config) -> tuple[Resolver, LocalAssets]:
    assets = LocalAssets(item.source_dir, config.site.url)
    return Resolver(item.page_url, assets), assets


def _parse_clean(item: ContentInput, config: Config) -> tuple[Tag, clean.Trash, list[str]]:
    """The shared first steps: parse, remove active/hidden content, apply the source's rules."""
    trash = clean.Trash()
    prune = functools.partial(clean.remove_if_active_or_hidden, trash=trash)
    root = parse(prepare(item.html, config.content.excerpt_separator), prune)
    rules = rules_for(item.path, item.categories, config.cleaning.rules)
    ignored = apply_rules(root, rules, trash, item.html)
    return root, trash, ignored


def blocks(item: ContentInput, config: Config) -> list[Block]:
    root, _, _ = _parse_clean(item, config)
    return candidate_blocks(root, config.cleaning.boilerplate)


@dataclass(frozen=True, slots=True)
class Facts:
    source: str
    signature: str  # hash of the article's text: duplicates count once when learning
    blocks: frozenset[str]
    images: frozenset[str]


def facts(item: ContentInput, config: Config) -> Facts:
    """Source, text signature, candidate block digests and every image URL of one article."""
    root, trash, _ = _parse_clean(item, config)
    settings = config.cleaning.boilerplate
    digests = candidate_digests(root, settings) if settings.enabled else frozenset()
    signature = hashlib.blake2b(text_of(root).encode(), digest_size=8).hexdigest()
    resolve, _ = _resolver(item, config)
    refs = set(trash.images)
    refs.update(thumbnail.front_matter_images(item.metadata, config.thumbnails.fields))
    for img in root.iter("img"):
        src = best_src(img)
        if src:
            refs.add(src)
    urls = {resolve(ref, MEDIA_SCHEMES) for ref in refs}
    return Facts(source_key(item, config), signature, digests, frozenset(u for u in urls if u))


def build(
    item: ContentInput,
    config: Config,
    learned: Mapping[str, frozenset[str]],
    placeholders: frozenset[str],
    shapes: Mapping[str, frozenset[Shape]] | None = None,
) -> Built:
    """Every step for one article, in order: shared cleaning, learned boilerplate, byline,
    URLs, pixels, tidying; then summary and thumbnail from the cleaned tree; then sanitizing."""
    built = build_many([item], config, learned, placeholders, shapes)[0]
    if isinstance(built, Exception):
        raise built
    return built


def build_many(
    items: Sequence[ContentInput],
    config: Config,
    learned: Mapping[str, frozenset[str]],
    placeholders: frozenset[str],
    shapes: Mapping[str, frozenset[Shape]] | None = None,
) -> list[Built | Exception]:
    """:func:`build` of each of ``items``, one step at a time over all of them: the same
    articles, faster. A step's code and data stay warm in the processor's caches while it
    runs over a batch; one article after another, each step ran ~1.5 times as long as in a
    loop of its own. Measured on 2 000 articles in batches of 64: 26 % less time.

    An article whose step raises gets that exception as its result and takes no further
    step; the others go on.
    """
    run = _Run(config, learned, placeholders, shapes)
    drafts = [_Draft(item) for item in items]
    for step in _STEPS:
        for draft in drafts:
            if draft.error is None:
                try:
                    step(draft, run)
                except Exception as exc:  # this article only: the batch goes on
                    draft.error = exc
    return [draft.error if draft.error is not None else draft.built for draft in drafts]


@dataclass(frozen=True, slots=True)
class _Run:
    """What every article of a batch is built with."""

    config: Config
    learned: Mapping[str, frozenset[str]]
    placeholders: frozenset[str]
    shapes: Mapping[str, frozenset[Shape]] | None


@dataclass(slots=True)
class _Draft:
    """One article on its way through the steps."""

    item: ContentInput
    root: Tag = None  # set by the steps, as are trash, resolve, assets and built
    trash: clean.Trash = None  # type: ignore[assignment]
    ignored: list[str] = field(default_factory=list)
    dropped: int = 0
    byline: str | None = None
    resolve: Resolver = None  # type: ignore[assignment]
    assets: LocalAssets = None  # type: ignore[assignment]
    summary: str = ""
    thumb: Thumbnail | None = None
    built: Built = None  # type: ignore[assignment]
    error: Exception | None = None


def _parse_step(d: _Draft, run: _Run) -> None:
    d.root, d.trash, d.ignored = _parse_clean(d.item, run.config)


def _learned_step(d: _Draft, run: _Run) -> None:
    source = source_key(d.item, run.config)
    known = run.learned.get(source)
    if known and run.config.cleaning.boilerplate.enabled:
        shaped = run.shapes.get(source) if run.shapes is not None else None
        d.dropped = drop_learned(d.root, known, run.config.cleaning.boilerplate, d.trash, shaped)


def _byline_step(d: _Draft, run: _Run) -> None:
    d.byline = take_byline(d.root, run.config.cleaning.byline, d.trash)


def _urls_step(d: _Draft, run: _Run) -> None:
    d.resolve, d.assets = _resolver(d.item, run.config)
    absolutize(d.root, d.resolve)


def _walk_step(walk: Callable[[Tag], None]) -> Callable[[_Draft, _Run], None]:
    """A step that is one walk over the article's tree."""

    def step(d: _Draft, _run: _Run) -> None:
        walk(d.root)

    return step


def _summary_step(d: _Draft, run: _Run) -> None:
    d.summary = _summary(d.item, d.root, run.config)


def _thumbnail_step(d: _Draft, run: _Run) -> None:
    d.thumb = _thumbnail(
        d.item, d.root, d.trash, d.resolve, d.assets, run.placeholders, run.config
    )


def _built_step(d: _Draft, run: _Run) -> None:
    marker = next(d.root.iter(MARKER), None)
    if marker is not None:
        drop(marker)
    html = sanitize(serialize(d.root)).strip()
    d.built = Built(
        html,
        d.summary,
        d.thumb,
        d.byline,
        _problems(d.item, html, d.ignored),
        _copies(d.assets, html, d.thumb, run.config),
        d.dropped,
    )


# build()'s steps in order: pixels and each of the five tidying passes are steps of their own
_STEPS: tuple[Callable[[_Draft, _Run], None], ...] = (
    _parse_step,
    _learned_step,
    _byline_step,
    _urls_step,
    _walk_step(remove_pixels),
    _walk_step(clean.trim_indents),
    _walk_step(clean.remove_empty),
    _walk_step(clean.unwrap_single_wrappers),
    _walk_step(clean.trim_edges),
    _walk_step(clean.tidy_whitespace),
    _summary_step,
    _thumbnail_step,
    _built_step,
)


def _summary(item: ContentInput, root: Tag, config: Config) -> str:
    limit = config.content.summary_length
    if item.declared_summary and item.declared_summary.strip():
        return cut(html_to_text(item.declared_summary), limit)
    marker = next(root.iter(MARKER), None)
    if marker is not None:
        text = opening_paragraphs(root, limit * 50, stop=marker)
        if text:
            return cut(text, limit)
    return cut(opening_paragraphs(root, limit) or text_of(root), limit)


def _thumbnail(
    item: ContentInput,
    root: Tag,
    trash: clean.Trash,
    resolve: Resolver,
    assets: LocalAssets,
    placeholders: frozenset[str],
    config: Config,
) -> Thumbnail | None:
    removed = {resolve(ref, MEDIA_SCHEMES) for ref in trash.images}
    ctx = thumbnail.ThumbnailContext(
        page_url=item.page_url, title=item.title, metadata=item.metadata,
        settings=config.thumbnails, placeholders=placeholders,
        removed=frozenset(u for u in removed if u), content=thumbnail.content_images(root),
        resolve=resolve, assets=assets,
    )  # fmt: skip
    chosen = thumbnail.choose(ctx)
    if chosen is None:
        return None
    return _finish(chosen, assets, config)


def _finish(thumb: Thumbnail, assets: LocalAssets, config: Config) -> Thumbnail:
    """Resize a local thumbnail, or probe a remote one whose type or size is unknown."""
    s = config.thumbnails
    local = assets.by_url(thumb.url)
    if local is not None and s.resize.enabled:
        small = resized(local, s.resize.width, config.state / "thumbs", config.site.url)
        if small is not local:
            assets.found[small.output] = small
            return Thumbnail(small.url, small.mime_type, small.width, small.height, thumb.alt)
    if local is None and s.probe and (thumb.width is None or thumb.mime_type is None):
        # imported here: probing (HTTP, TLS, Pillow) is off by default, and these imports
        # cost every build ~15 ms
        from feeds.html.probe import ProbeSettings, probe

        settings = ProbeSettings(
            s.probe_timeout, s.probe_max_bytes, s.allow_private, config.state / "probes"
        )
        found = probe(thumb.url, settings)
        if found.ok:
            return Thumbnail(
                thumb.url,
                found.mime_type or thumb.mime_type,
                found.width or thumb.width,
                found.height or thumb.height,
                thumb.alt,
                found.length,
            )
    return thumb


def _copies(
    assets: LocalAssets, html: str, thumb: Thumbnail | None, config: Config
) -> tuple[tuple[Path, str], ...]:
    wanted = {thumb.url} if thumb else set()
    used = {i.output for i in assets.found.values() if i.url in html or i.url in wanted}
    return tuple(pair for pair in assets.copies() if pair[1] in used)


def _problems(item: ContentInput, html: str, ignored: list[str]) -> tuple[Problem, ...]:
    found = [
        Problem(
            item.path,
            "cleaning",
            f"selector {selector!r} is not supported by the cleaner; the rule was skipped",
            Severity.WARNING,
        )
        for selector in ignored
    ]
    if not html and item.html.strip():
        found.append(
            Problem(
                item.path,
                "content",
                "nothing left after cleaning (check the cleaning rules)",
                Severity.WARNING,
            )
        )
    return tuple(found)
