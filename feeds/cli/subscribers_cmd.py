"""``feeds subscribers``: who gets which digest (an SQLite store in the state folder)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from sqlite3 import Connection

import click

from feeds.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    common_options,
    format_option,
    load_settings,
    print_json,
    say,
    warn,
)
from feeds.errors import UsageError


@contextmanager
def _store(*digests: str | None) -> Iterator[Connection]:
    """The subscriber store, after checking that every named digest is configured."""
    from feeds.digest import subscribers

    config = load_settings()
    for name in digests:
        if name is not None and config.digest(name) is None:
            known = ", ".join(d.name for d in config.digests) or "none configured"
            raise UsageError(f"no digest named {name!r}", hint=f"digests in config.yaml: {known}")
    db = subscribers.connect(config.state)
    try:
        yield db
    finally:
        db.close()


@click.group()
@common_options
def subscribers() -> None:
    """Add, remove, list, import and export digest subscribers."""


@subscribers.command()
@click.argument("address")
@click.option("--digest", "digests", multiple=True, required=True, help="Digest name (repeatable).")
@click.option("--name", default=None, help="The subscriber's name.")
@click.option("--category", "categories", multiple=True, help="Only these categories.")
@common_options
def add(address: str, digests: tuple[str, ...], name: str | None,
        categories: tuple[str, ...]) -> int:
    """Subscribe ADDRESS to one or more digests."""
    from feeds.digest import subscribers as store

    with _store(*digests) as db:
        sub = store.add(db, address, digests, name=name, categories=categories)
    say(f"{sub.address}: subscribed to {', '.join(sub.digests)}")
    return EXIT_OK


@subscribers.command()
@click.argument("address")
@click.option("--digest", default=None, help="Only this digest (default: remove entirely).")
@common_options
def remove(address: str, digest: str | None) -> int:
    """Remove ADDRESS (from one digest, or altogether)."""
    from feeds.digest import subscribers as store

    with _store() as db:
        gone = store.remove(db, address, digest)
    if not gone:
        warn(f"{address}: not subscribed")
        return EXIT_PROBLEMS
    say(f"{address}: removed" + (f" from {digest}" if digest else ""))
    return EXIT_OK


@subscribers.command(name="list")
@format_option
@common_options
def list_(fmt: str) -> int:
    """List every subscriber with status and digests."""
    from feeds.digest import subscribers as store

    with _store() as db:
        everyone = list(store.iter_all(db))
    if fmt == "json":
        print_json([{"address": s.address, "name": s.name, "status": s.status,
                     "digests": list(s.digests)} for s in everyone])
        return EXIT_OK
    for s in everyone:
        click.echo(f"{s.address}\t{s.name}\t{s.status}\t{','.join(s.digests)}")
    return EXIT_OK


@subscribers.command(name="import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--digest", default=None, help="Digest for rows without a 'digests' column.")
@common_options
def import_(file: Path, digest: str | None) -> int:
    """Add subscribers from a CSV file (columns: address,name,digests,categories,status)."""
    from feeds.digest import subscribers as store

    known = [d.name for d in load_settings().digests]
    with _store(digest) as db, file.open(encoding="utf-8-sig", newline="") as source:
        problems = store.import_csv(db, source, digest, known)
        total = sum(1 for _ in store.iter_all(db))
    for problem in problems:
        warn(f"{file}: {problem}")
    say(f"{file}: imported; {total} subscriber(s) in the store, {len(problems)} row(s) rejected")
    return EXIT_PROBLEMS if problems else EXIT_OK


@subscribers.command()
@common_options
def export() -> int:
    """Write every subscription as CSV to stdout."""
    from feeds.digest import subscribers as store

    with _store() as db:
        store.export_csv(db, sys.stdout)
    return EXIT_OK
