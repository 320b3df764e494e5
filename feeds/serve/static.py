"""Serving the output folder over WSGI, the way a well-configured web server would.

Correct feed media types, strong ETags (a hash of the bytes, so an unchanged rebuild keeps
its ETag) and Last-Modified with 304 answers, gzip when the client accepts it, and no path
ever outside the folder. GET and HEAD only.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any

StartResponse = Callable[..., Any]
Environ = dict[str, Any]
TypeFor = Callable[[str], str | None]

# media types whose bytes shrink under gzip
COMPRESSIBLE = ("text/", "application/rss+xml", "application/atom+xml", "application/feed+json",
                "application/json", "application/xml", "application/javascript", "image/svg+xml")
MIN_GZIP_BYTES = 256
XML_FEED_TYPES = ("application/rss+xml", "application/atom+xml")
_EXTRA_TYPES = {".xsl": "text/xsl", ".js": "application/javascript"}  # text/xsl: as the PI says


@dataclass(frozen=True, slots=True)
class Entity:
    """One file as it is served: bytes, type, validators."""

    body: bytes
    content_type: str
    etag: str
    last_modified: str
    mtime: float


class StaticFiles:
    """A WSGI app serving files under ``root``; ``type_for`` names feed types by path."""

    def __init__(
        self, root: Path, type_for: TypeFor | None = None, not_found_hint: str = ""
    ) -> None:
        self.root = root
        self.type_for = type_for or (lambda _path: None)
        self.not_found_hint = not_found_hint
        self._cache: dict[tuple[Path, int, int], Entity] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            return plain(start_response, "405 Method Not Allowed", "GET or HEAD only\n",
                         [("Allow", "GET, HEAD")])
        relative = request_path(environ)
        if relative is None:
            return plain(start_response, "400 Bad Request", "bad path\n")
        found = self._locate(relative)
        if found is None:
            return plain(start_response, "404 Not Found",
                         f"not found: /{relative}\n{self.not_found_hint}")
        if found.is_dir():
            return self._directory(environ, start_response, relative, found)
        entity = self._entity(relative, found)
        return respond(environ, start_response, entity)

    def _locate(self, relative: str) -> Path | None:
        """The file for ``relative``, or None when it is missing or outside the root."""
        root = self.root.resolve()
        candidate = (root / relative).resolve()
        if not candidate.is_relative_to(root) or not candidate.exists():
            return None
        return candidate

    def _directory(
        self, environ: Environ, start_response: StartResponse, relative: str, folder: Path
    ) -> Iterable[bytes]:
        if relative and not relative.endswith("/"):
            location = environ.get("SCRIPT_NAME", "") + "/" + relative + "/"
            start_response("301 Moved Permanently", [("Location", location),
                                                     ("Content-Length", "0")])
            return [b""]
        index = folder / "index.html"
        if not index.is_file():
            return plain(start_response, "404 Not Found", f"no index.html in /{relative}\n")
        return respond(environ, start_response, self._entity(relative + "index.html", index))

    def _entity(self, relative: str, path: Path) -> Entity:
        stat = path.stat()
        key = (path, stat.st_mtime_ns, stat.st_size)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        body = path.read_bytes()
        entity = Entity(
            body=body,
            content_type=content_type(relative, self.type_for),
            etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
            last_modified=formatdate(stat.st_mtime, usegmt=True),
            mtime=stat.st_mtime,
        )
        with self._lock:
            self._cache[key] = entity
        return entity


def request_path(environ: Environ) -> str | None:
    """PATH_INFO as a relative path (UTF-8, as the client sent it), or None if it tries to
    leave the folder (``..``, backslashes, NUL, drive letters)."""
    raw = environ.get("PATH_INFO", "/") or "/"
    try:
        text = raw.encode("latin-1").decode("utf-8")  # PEP 3333 hands bytes over as latin-1
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    if "\\" in text or "\x00" in text:
        return None
    parts = text.split("/")
    if any(part in ("..", ".") for part in parts):
        return None
    return text.lstrip("/")


def content_type(relative: str, type_for: TypeFor) -> str:
    """The configured feed type for feed paths, else by suffix; text gets charset=utf-8."""
    kind = type_for(relative)
    if kind is None:
        suffix = Path(relative).suffix.lower()
        kind = _EXTRA_TYPES.get(suffix) or mimetypes.guess_type(relative)[0]
        kind = kind or "application/octet-stream"
    textual = kind.startswith("text/") or kind.endswith(("+xml", "+json", "/xml", "/json"))
    return f"{kind}; charset=utf-8" if textual and "charset" not in kind else kind


def respond(environ: Environ, start_response: StartResponse, entity: Entity) -> Iterable[bytes]:
    """200 with the body (gzip when accepted), or 304 when the client's copy is current."""
    gzipped = accepts_gzip(environ) and compressible(entity)
    etag = entity.etag[:-1] + '-gz"' if gzipped else entity.etag
    headers = [
        ("ETag", etag),
        ("Last-Modified", entity.last_modified),
        ("Cache-Control", "no-cache"),
        ("Vary", "Accept-Encoding, Accept" if is_xml_feed(entity) else "Accept-Encoding"),
    ]
    if not_modified(environ, entity, (entity.etag, etag)):
        start_response("304 Not Modified", headers)
        return [b""]
    body = gzip.compress(entity.body, mtime=0) if gzipped else entity.body
    kind = entity.content_type
    if is_xml_feed(entity) and prefers_html(environ):
        kind = "application/xml; charset=utf-8"  # see prefers_html
    headers += [("Content-Type", kind), ("Content-Length", str(len(body)))]
    if gzipped:
        headers.append(("Content-Encoding", "gzip"))
    start_response("200 OK", headers)
    return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [body]


def not_modified(environ: Environ, entity: Entity, etags: tuple[str, ...]) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    match = environ.get("HTTP_IF_NONE_MATCH")
    if match is not None:
        given = {tag.strip().removeprefix("W/") for tag in match.split(",")}
        return "*" in given or any(tag in given for tag in etags)
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if not since:
        return False
    try:
        moment = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    return int(entity.mtime) <= moment.timestamp()


def is_xml_feed(entity: Entity) -> bool:
    return entity.content_type.startswith(XML_FEED_TYPES)


def prefers_html(environ: Environ) -> bool:
    """True for a browser opening the feed: it ranks text/html above the feed types.

    Chromium shows application/rss+xml and application/atom+xml as plain text and never
    applies the feed's XSLT stylesheet; as application/xml it does. Feed readers either
    name the feed types or rank them above text/html, so they still get the feed type.
    """
    ranks = accept_ranks(environ.get("HTTP_ACCEPT", ""))
    html = ranks.get("text/html", 0.0)
    return html > 0 and html > max(ranks.get(kind, 0.0) for kind in XML_FEED_TYPES)


def accept_ranks(header: str) -> dict[str, float]:
    """Media type -> quality for the types an Accept header names explicitly."""
    ranks: dict[str, float] = {}
    for item in header.split(","):
        kind, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        if kind:
            ranks[kind.lower()] = quality
    return ranks


def accepts_gzip(environ: Environ) -> bool:
    """True when Accept-Encoding lists gzip (or *) with a non-zero quality."""
    for item in environ.get("HTTP_ACCEPT_ENCODING", "").split(","):
        name, _, params = item.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            quality = params.strip().removeprefix("q=")
            try:
                return not params or float(quality) > 0
            except ValueError:
                return False
    return False


def compressible(entity: Entity) -> bool:
    return len(entity.body) >= MIN_GZIP_BYTES and entity.content_type.startswith(COMPRESSIBLE)


def plain(
    start_response: StartResponse,
    status: str,
    text: str,
    extra: list[tuple[str, str]] | None = None,
    kind: str = "text/plain; charset=utf-8",
) -> Iterable[bytes]:
    """A short answer with a body (errors, redirects, small pages)."""
    body = text.encode("utf-8")
    headers = [("Content-Type", kind), ("Content-Length", str(len(body))), *(extra or [])]
    start_response(status, headers)
    return [body]


def feed_types(feeds: Iterable[Any], types: Mapping[str, str]) -> TypeFor:
    """A ``type_for`` from the configured feeds: their paths (``{slug}`` as a wildcard)."""
    import fnmatch

    patterns = [(spec.path.replace("{slug}", "*"), types[spec.format]) for spec in feeds]

    def type_for(relative: str) -> str | None:
        for pattern, kind in patterns:
            if fnmatch.fnmatchcase(relative, pattern):
                return kind
        return None

    return type_for
