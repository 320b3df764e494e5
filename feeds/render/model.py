"""What a renderer is given: the feed's own data and its entries, already chosen and ordered."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from feeds.models import Article, Author


@dataclass(frozen=True, slots=True)
class Link:
    """A feed-level link other than alternate/self: hub, prev-archive, next-archive, current."""

    rel: str
    href: str


@dataclass(frozen=True, slots=True)
class FeedMeta:
    """Everything about one feed file except its entries.

    ``updated`` is the newest entry's date (never the build time); ``stylesheets`` are
    (href, media type) pairs for ``xml-stylesheet`` processing instructions.
    """

    name: str
    title: str
    description: str
    home_url: str
    self_url: str
    language: str
    updated: datetime
    authors: tuple[Author, ...] = ()
    icon: str | None = None
    logo: str | None = None
    links: tuple[Link, ...] = ()
    stylesheets: tuple[tuple[str, str], ...] = ()
    archive: bool = False  # an RFC 5005 archive page (fh:archive)
    id: str = ""  # feed id (Atom); default: self_url. Archive pages share the feed's id.
    generator: str = "feeds"

    @property
    def feed_id(self) -> str:
        return self.id or self.self_url


@dataclass(frozen=True, slots=True)
class Entry:
    """One article in a feed; ``full`` is False when only its summary is carried."""

    article: Article
    full: bool = True


Renderer = Callable[[FeedMeta, Sequence[Entry]], bytes]
# The same document in pieces, made as they are read: a large feed is never whole in memory.
ChunkRenderer = Callable[[FeedMeta, Sequence[Entry]], Iterable[bytes]]


class RenderError(Exception):
    """Rendering one entry failed; names the feed and the article's source file."""

    def __init__(self, feed: str, source: str, reason: str) -> None:
        super().__init__(f"{feed}: {source}: {reason}")
        self.feed = feed
        self.source = source
        self.reason = reason
