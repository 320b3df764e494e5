"""`feeds serve`: preview the feeds and digests locally, rebuilding as you edit."""

from __future__ import annotations

import errno
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from feeds.cli.common import (
    EXIT_OK,
    common_options,
    load_settings,
    now_option,
    options,
    resolve_now,
    say,
    warn,
)
from feeds.config.root import Config
from feeds.errors import UsageError

LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAX_STATUS_PROBLEMS = 20


@click.command()
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="TCP port (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback exposes the server.")
@click.option("--no-rebuild", is_flag=True,
              help="Serve the output as it is: no build at start, no rebuild on change.")
@now_option
@common_options
def serve(port: int, host: str, no_rebuild: bool, now: str | None) -> int:
    """Serve the output folder with an index page, digest previews and unsubscribe.

    A development server: correct feed types, ETag/Last-Modified (304), gzip, and a
    rebuild whenever content or config.yaml change. Stop it with Ctrl-C.
    """
    from feeds.serve.app import DevSite, make_app
    from feeds.serve.preview import digest_preview
    from feeds.serve.rebuild import Rebuilder, watch_roots
    from feeds.serve.watch import Watcher

    ctx = click.get_current_context()
    clock = _clock(now)
    site = DevSite(load_settings())
    config_file = _config_file()

    def load() -> Config:
        with ctx.scope(cleanup=False):  # load_settings reads the flags from the click context
            result: Config = load_settings()
            return result

    log = _thread_safe_say()
    rebuild = Rebuilder(site, load, lambda c: build_status(c, clock), log)
    watcher = None
    if not no_rebuild:
        rebuild()
        watcher = Watcher(lambda: watch_roots(site.config, config_file), rebuild)
    app = make_app(site, clock=clock, preview=digest_preview,
                   unsubscribe=_unsubscribe_app(site))
    server = _start(app, host, port, log if options().verbose else None)
    _announce(server.url, host, watcher is not None)
    if watcher is not None:
        watcher.start()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        say("stopped")
    finally:
        if watcher is not None:
            watcher.stop()
        server.stop()
    return EXIT_OK


def build_status(config: Config, clock: Callable[[], datetime]) -> list[str]:
    """Run the build; its summary line, then each failed feed and error (for the index)."""
    from feeds.build import run_build
    from feeds.cli.progress import summary_line
    from feeds.models import Severity

    started = time.monotonic()
    moment = clock()
    report = run_build(config, now=moment)
    counts = report.counts
    first = f"built at {moment.astimezone(config.site.tz):%H:%M:%S}: " + summary_line(
        (counts.get("articles", 0), "article"),
        (len(report.written), "file written"),
        f"{len(report.unchanged)} unchanged",
        (len(report.problems), "problem"),
        seconds=time.monotonic() - started,
    )
    failed = [f"not updated: {path}" for path in report.failed]
    errors = [str(p) for p in report.problems if p.severity is Severity.ERROR]
    return [first, *failed, *errors[:MAX_STATUS_PROBLEMS]]


def _clock(now: str | None) -> Callable[[], datetime]:
    """--now pins the moment (reproducible previews); otherwise each call reads the clock."""
    if now is not None:
        fixed = resolve_now(now)
        return lambda: fixed
    return lambda: resolve_now(None)


def _config_file() -> Path | None:
    path = options().config
    if path is None and Path("config.yaml").is_file():
        path = Path("config.yaml")
    return path.resolve() if path is not None else None


def _unsubscribe_app(site: Any) -> Callable[..., Iterable[bytes]] | None:
    """The digest package's unsubscribe app, made for the current config (after reloads)."""
    try:
        from feeds.digest.unsubscribe import make_unsubscribe_app
    except ImportError:
        return None
    made: dict[int, Callable[..., Iterable[bytes]]] = {}

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        config = site.config
        if id(config) not in made:
            made.clear()
            made[id(config)] = make_unsubscribe_app(config)
        return made[id(config)](environ, start_response)

    return app


def _thread_safe_say() -> Callable[[str], None]:
    """say() for the watcher and request threads, which have no click context of their own."""
    quiet = options().quiet

    def log(message: str) -> None:
        if not quiet:
            click.echo(message, err=True)

    return log


def _start(app: Any, host: str, port: int, log: Callable[[str], None] | None) -> Any:
    from feeds.serve.server import DevServer

    try:
        return DevServer(app, host, port, log=log).start()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} on {host} is already in use",
                             hint="pick another with --port (or --port 0 for any)") from None
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                         hint="check --host") from None


def _announce(url: str, host: str, watching: bool) -> None:
    say(f"serving on {url}" + ("  (rebuilding on change)" if watching else ""))
    if host not in LOOPBACK:
        warn(f"warning: listening on {host}: a development server, reachable by others; "
             "use a real web server in production (see README)")
