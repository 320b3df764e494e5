"""Rendering one planned feed: its metadata, its size budget, its RFC 5005 archive pages."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from feeds.models import Article, Author, Problem, Severity
from feeds.render import FORMATS, chunk_renderer
from feeds.render.budget import fit
from feeds.render.model import Entry, FeedMeta, Link
from feeds.render.plan import FeedJob, feed_url

if TYPE_CHECKING:
    from feeds.config import Config

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# CSS only: it works in every browser; XSLT is being removed from them (Chromium 156 shows a
# removal warning over XSLT-styled pages).
STYLESHEETS = (("feed.css", "text/css"),)
ARCHIVE_PAGE = 50  # items per archive page when the feed itself has no limit


@dataclass(frozen=True, slots=True)
class Rendered:
    """One file to publish: where, which format, its bytes, and what happened on the way.

    ``body`` is the document in pieces, read once (and let go of as it is read): a feed
    with no size budget is rendered while it is read, so it is never whole in memory, and
    a RenderError can come from there.
    """

    path: str
    format: str
    body: Iterable[bytes]
    items: int
    problems: tuple[Problem, ...] = ()
    subscription: bool = True  # False for archive pages (not announced to a hub)


def render_job(
    config: Config, job: FeedJob, *, budget: bool = True, fallback: datetime = EPOCH
) -> Iterator[Rendered]:
    """The feed file of ``job`` and, with ``archive: true``, its complete archive pages, one
    at a time (read each body before asking for the next file)."""
    spec = job.spec
    meta = _meta(config, job, fallback)
    pages = archive_pages(job) if spec.archive else []
    if pages:
        meta = replace(meta, links=(*meta.links, Link("prev-archive", _url(config, pages[-1][0]))))
    full = spec.content == "full" or not budget
    yield _fit(meta, job.items, job.path, spec.format, full=full,
               budget=spec.max_bytes if budget else None)
    for number, (path, items) in enumerate(pages, start=1):
        links = [Link("current", meta.self_url)]
        if number > 1:
            links.append(Link("prev-archive", _url(config, pages[number - 2][0])))
        if number < len(pages):
            links.append(Link("next-archive", _url(config, pages[number][0])))
        page = replace(meta, self_url=_url(config, path), archive=True, id=meta.feed_id,
                       links=tuple(links), stylesheets=_stylesheets(job, path))
        yield _fit(page, items, path, spec.format, full=full,
                   budget=spec.max_bytes if budget else None, drop=False)


def _fit(meta: FeedMeta, articles: Sequence[Article], path: str, fmt: str, *, full: bool,
         budget: int | None, drop: bool = True) -> Rendered:
    render = chunk_renderer(fmt)

    def make(entries: Sequence[Entry]) -> Iterable[bytes]:
        return render(meta, entries)

    fitted = fit(make, articles, full=full, budget=budget, drop=drop)
    body = iter(make(fitted.entries) if fitted.data is None else (fitted.data,))
    note = fitted.note(budget) if budget else None
    problems = (Problem(path, "max_bytes", note, Severity.WARNING),) if note else ()
    return Rendered(path, fmt, body, len(fitted.entries), problems, not meta.archive)


def _meta(config: Config, job: FeedJob, fallback: datetime) -> FeedMeta:
    site = config.site
    author = Author(site.author.name, site.author.email, site.author.url) if site.author else None
    links = (Link("hub", config.websub.hub),) if config.websub.hub else ()
    return FeedMeta(
        name=job.name,
        title=job.title,
        description=job.spec.description or site.description or job.title,
        home_url=site.url,
        self_url=_url(config, job.path),
        language=site.language,
        updated=fallback,
        authors=(author or Author(site.title),),
        icon=site.icon,
        logo=site.logo,
        links=links,
        stylesheets=_stylesheets(job, job.path),
    )


def _url(config: Config, path: str) -> str:
    return feed_url(config, path)


def _stylesheets(job: FeedJob, path: str) -> tuple[tuple[str, str], ...]:
    """Relative hrefs, so the page works from the web server and from a local folder."""
    if not job.spec.stylesheet or FORMATS[job.spec.format].syntax != "xml":
        return ()
    up = "../" * path.count("/")
    return tuple((up + name, media_type) for name, media_type in STYLESHEETS)


def archive_pages(job: FeedJob) -> list[tuple[str, tuple[Article, ...]]]:
    """Complete pages of the feed's articles, oldest first; the newest partial page is left
    to the subscription feed, so finished pages never change (and stay cached)."""
    size = job.limit or ARCHIVE_PAGE
    oldest_first = job.articles[::-1]
    count = len(oldest_first) // size
    folder, name = posixpath.split(job.path)
    stem, ext = posixpath.splitext(name)
    pages = []
    for number in range(1, count + 1):
        chunk = oldest_first[(number - 1) * size : number * size]
        path = posixpath.join(folder, "archive", f"{stem}-{number}{ext}")
        pages.append((path, chunk[::-1]))
    return pages
