"""A threaded wsgiref server that can run in the foreground or in a background thread.

The standard library's server, with one thread per request so that a slow preview never
holds up a feed reader, and request logging routed to a callback (quiet by default).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from feeds.serve.app import WSGIApp

Log = Callable[[str], None]


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _ThreadingWSGIServer6(_ThreadingWSGIServer):
    address_family = socket.AF_INET6


def _handler(log: Log | None) -> type[WSGIRequestHandler]:
    class Handler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            if log is not None:
                log(f"{self.address_string()} {format % args}")

    return Handler


class DevServer:
    """``DevServer(app, host, port)``; port 0 picks a free port (see ``.port``)."""

    def __init__(self, app: WSGIApp, host: str = "127.0.0.1", port: int = 8000,
                 log: Log | None = None) -> None:
        server_class = _ThreadingWSGIServer6 if ":" in host else _ThreadingWSGIServer
        self.httpd = make_server(host, port, app, server_class=server_class,
                                 handler_class=_handler(log))
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self.httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.2)

    def start(self) -> DevServer:
        """Serve in a daemon thread (tests, and the CLI while it waits for Ctrl-C)."""
        self._thread = threading.Thread(target=self.serve_forever, name="feeds-serve",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> DevServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
