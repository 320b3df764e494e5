"""Feed renderers, one module per format, registered in one table.

The config's allowed ``format`` values come from ``FORMATS``; renderer modules are imported
only when a feed of their format is built (lxml stays out of start-up).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import cast

from feeds.render.model import ChunkRenderer, Entry, FeedMeta, Link, Renderer, RenderError


@dataclass(frozen=True, slots=True)
class Format:
    """A feed format: where its renderer lives, what it is served as, what items need."""

    module: str
    media_type: str
    syntax: str  # "xml" or "json": how feedcheck reads it back
    required: tuple[str, ...]  # article fields without which an item is left out


_LINKED = ("id", "title", "url", "date")  # readers show nothing useful without these
FORMATS: dict[str, Format] = {
    "atom": Format("feeds.render.atom", "application/atom+xml", "xml", _LINKED),
    "json": Format("feeds.render.jsonfeed", "application/feed+json", "json", ("id", "date")),
    "rss": Format("feeds.render.rss", "application/rss+xml", "xml", _LINKED),
}


def renderer(name: str) -> Renderer:
    """The render function of format ``name`` (a key of FORMATS)."""
    module = importlib.import_module(FORMATS[name].module)
    return cast(Renderer, module.render)


def chunk_renderer(name: str) -> ChunkRenderer:
    """The render function of format ``name`` that gives the document in pieces."""
    module = importlib.import_module(FORMATS[name].module)
    return cast(ChunkRenderer, module.render_chunks)


__all__ = [
    "FORMATS",
    "ChunkRenderer",
    "Entry",
    "FeedMeta",
    "Format",
    "Link",
    "RenderError",
    "Renderer",
    "chunk_renderer",
    "renderer",
]
