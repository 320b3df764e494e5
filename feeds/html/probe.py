"""Asking a remote image for its type and size (only when ``thumbnails.probe`` is on).

A ranged GET reads at most ``max_bytes``; Pillow reads the size from that header. http/https
only; the host is resolved once and every address checked (no private, loopback or link-local
targets unless allowed), and the connection goes to the checked address so DNS cannot change
its answer in between. Results, failures included, are cached as JSON in the state folder.
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import json
import os
import socket
import ssl
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from PIL import ImageFile

_REDIRECTS = 3
_USER_AGENT = "feeds/0.1 (+thumbnail probe)"


@dataclass(frozen=True, slots=True)
class ProbeResult:
    ok: bool
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    length: int | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ProbeSettings:
    timeout: float
    max_bytes: int
    allow_private: bool
    cache_dir: Path


class ProbeRefused(Exception):
    """The URL may not be fetched (scheme, address) or did not answer usefully."""


def probe(url: str, settings: ProbeSettings) -> ProbeResult:
    """Type and size of the image at ``url``, from the cache or the network."""
    cache = settings.cache_dir / (hashlib.sha256(url.encode()).hexdigest() + ".json")
    try:
        return ProbeResult(**json.loads(cache.read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        pass
    try:
        result = _fetch(url, settings)
    except (ProbeRefused, OSError, http.client.HTTPException, ValueError) as exc:
        result = ProbeResult(ok=False, reason=str(exc)[:200] or type(exc).__name__)
    _store(cache, result)
    return result


def _store(cache: Path, result: ProbeResult) -> None:
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(asdict(result), sort_keys=True), "utf-8")
        tmp.replace(cache)
    except OSError:
        pass  # a cache that cannot be written only costs a later probe


def _fetch(url: str, settings: ProbeSettings) -> ProbeResult:
    for _ in range(_REDIRECTS + 1):
        conn, path = _connect(url, settings)
        try:
            conn.request("GET", path, headers=_headers(settings.max_bytes))
            response = conn.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                url = urljoin(url, response.getheader("Location") or "")
                continue
            if response.status not in (200, 206):
                raise ProbeRefused(f"HTTP {response.status}")
            return _read(response, settings.max_bytes)
        finally:
            conn.close()
    raise ProbeRefused("too many redirects")


def _headers(max_bytes: int) -> dict[str, str]:
    return {
        "Range": f"bytes=0-{max_bytes - 1}",
        "User-Agent": _USER_AGENT,
        "Accept": "image/*",
    }


def _connect(url: str, settings: ProbeSettings) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProbeRefused(f"not an http(s) URL: {url}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = _checked_address(parts.hostname, port, settings.allow_private)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if parts.scheme == "https":
        return _PinnedHTTPS(parts.hostname, port, address, settings.timeout), path
    return _PinnedHTTP(parts.hostname, port, address, settings.timeout), path


def _checked_address(host: str, port: int, allow_private: bool) -> str:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise ProbeRefused(f"{host} has no address")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not allow_private and not ip.is_global:
            raise ProbeRefused(f"{host} resolves to a non-public address ({ip})")
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _read(response: http.client.HTTPResponse, max_bytes: int) -> ProbeResult:
    mime = (response.getheader("Content-Type") or "").split(";")[0].strip().lower() or None
    if mime is not None and not mime.startswith("image/"):
        raise ProbeRefused(f"not an image ({mime})")
    parser = ImageFile.Parser()
    read = 0
    while read < max_bytes and parser.image is None:
        chunk = response.read(min(8192, max_bytes - read))
        if not chunk:
            break
        read += len(chunk)
        try:
            parser.feed(chunk)
        except (OSError, ValueError, SyntaxError):
            break
    width, height = parser.image.size if parser.image is not None else (None, None)
    return ProbeResult(True, mime, width, height, _length(response))


def _length(response: http.client.HTTPResponse) -> int | None:
    total = (response.getheader("Content-Range") or "").rpartition("/")[2]
    if total.isdigit():
        return int(total)
    length = response.getheader("Content-Length")
    return int(length) if response.status == 200 and length and length.isdigit() else None
