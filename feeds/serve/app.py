"""The development server's WSGI application: routes to the index, the digest previews,
the unsubscribe app and the output folder.

The site (config, last build's outcome) lives in ``DevSite`` so that a rebuild in the
watcher thread can swap the config while requests are being answered.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from html import escape
from wsgiref.util import application_uri, shift_path_info

from feeds.config.root import Config
from feeds.errors import FeedsError
from feeds.render import FORMATS
from feeds.serve.index import index_page, listing
from feeds.serve.static import Environ, StartResponse, StaticFiles, feed_types, plain

WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]
Previewer = Callable[[Config, str, datetime], str]  # (config, digest name, now) -> HTML
Clock = Callable[[], datetime]
HTML = "text/html; charset=utf-8"
NOT_FOUND_HINT = (
    "feeds writes feeds and digests, not article pages: an item's link is site.url plus\n"
    "site.permalink, where your site generator (Hexo, Jekyll, Hugo...) publishes the page.\n"
)


class DevSite:
    """The current config and what the last build said; replaced as a whole under a lock."""

    def __init__(self, config: Config, status: Sequence[str] = ()) -> None:
        self._lock = threading.Lock()
        self._config = config
        self._status: tuple[str, ...] = tuple(status)
        self._static = self._make_static(config)

    @property
    def config(self) -> Config:
        with self._lock:
            return self._config

    @property
    def status(self) -> tuple[str, ...]:
        with self._lock:
            return self._status

    @property
    def static(self) -> StaticFiles:
        with self._lock:
            return self._static

    def update(self, config: Config | None = None, status: Sequence[str] | None = None) -> None:
        with self._lock:
            if config is not None:
                self._config, self._static = config, self._make_static(config)
            if status is not None:
                self._status = tuple(status)

    @staticmethod
    def _make_static(config: Config) -> StaticFiles:
        types = {name: fmt.media_type for name, fmt in FORMATS.items()}
        return StaticFiles(config.output, feed_types(config.feeds, types), NOT_FOUND_HINT)


def make_app(
    site: DevSite,
    *,
    clock: Clock,
    preview: Previewer | None = None,
    unsubscribe: WSGIApp | None = None,
) -> WSGIApp:
    """The WSGI app; ``clock`` gives the moment a digest preview is rendered for."""

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        if path == "/" and environ.get("REQUEST_METHOD", "GET") in ("GET", "HEAD"):
            return _index(site, environ, start_response)
        if path.startswith("/_digest/"):
            return _preview(site, preview, clock, path, start_response)
        if path == "/unsubscribe" or path.startswith("/unsubscribe/"):
            if unsubscribe is None:
                return plain(start_response, "404 Not Found", "unsubscribe app not available\n")
            shift_path_info(environ)
            return unsubscribe(environ, start_response)
        return site.static(environ, start_response)

    return app


def _index(site: DevSite, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    config = site.config
    page = index_page(config, listing(config), application_uri(environ), site.status)
    return plain(start_response, "200 OK", page, [("Cache-Control", "no-cache")], HTML)


def _preview(
    site: DevSite,
    preview: Previewer | None,
    clock: Clock,
    path: str,
    start_response: StartResponse,
) -> Iterable[bytes]:
    name = path.removeprefix("/_digest/").strip("/")
    config = site.config
    if config.digest(name) is None:
        known = ", ".join(d.name for d in config.digests) or "none configured"
        return plain(start_response, "404 Not Found", f"no digest {name!r} (known: {known})\n")
    if preview is None:
        return plain(start_response, "501 Not Implemented", "digest preview not available\n")
    try:
        page = preview(config, name, clock())
    except Exception as exc:  # a development server shows the failure instead of dying
        text = str(exc) if isinstance(exc, FeedsError) else f"{type(exc).__name__}: {exc}"
        body = f"<!DOCTYPE html><title>preview failed</title><pre>{escape(text)}</pre>\n"
        return plain(start_response, "500 Internal Server Error", body, [], HTML)
    return plain(start_response, "200 OK", page, [("Cache-Control", "no-store")], HTML)
