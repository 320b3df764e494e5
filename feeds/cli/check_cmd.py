"""`feeds check` and `feeds inspect`: read everything, report problems, show articles."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from feeds.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    common_options,
    format_option,
    load_settings,
    now_option,
    print_json,
    say,
    warn,
)
from feeds.models import Severity

if TYPE_CHECKING:
    from feeds.content.collect import Collection


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@format_option
@now_option
@common_options
def check(paths: tuple[Path, ...], strict: bool, fmt: str, now: str | None) -> int:
    """Read every article and report each problem (exit 1 on errors)."""
    from feeds.cli.common import resolve_now
    from feeds.cli.progress import progress
    from feeds.content.collect import collect

    started = time.monotonic()
    config = load_settings()
    collection = collect(
        config, now=resolve_now(now), paths=list(paths) or None, progress=progress
    )
    failing = [p for p in collection.problems if strict or p.severity is Severity.ERROR]
    if fmt == "json":
        print_json(
            {
                "articles": len(collection.articles),
                "files": collection.files,
                "skipped": list(collection.skipped),
                "problems": [p.as_dict() for p in collection.problems],
                **_learned_json(collection),
            }
        )
    else:
        for problem in collection.problems:
            text = f"{problem}" + (" (warning)" if problem.severity is Severity.WARNING else "")
            (warn if problem in failing else say)(text)  # -q keeps only what fails the run
        say(
            f"{collection.files} files: {len(collection.articles)} articles, "
            f"{len(collection.skipped)} skipped (drafts or future), "
            f"{len(collection.problems)} problems ({len(collection.errors)} errors) "
            f"in {time.monotonic() - started:.2f}s"
        )
        _say_learned(collection)
    return EXIT_PROBLEMS if failing else EXIT_OK


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@now_option
@common_options
def inspect(paths: tuple[Path, ...], now: str | None) -> int:
    """Print the normalized articles of PATHS (files or folders) as a JSON array."""
    from feeds.cli.common import resolve_now
    from feeds.cli.progress import progress
    from feeds.content.collect import collect

    config = load_settings({"content": {"drafts": True, "future": True}})
    collection = collect(config, now=resolve_now(now), paths=list(paths), progress=progress)
    print_json([a.as_dict() for a in collection.articles])
    for problem in collection.problems:
        warn(str(problem) + (" (warning)" if problem.severity is Severity.WARNING else ""))
    return EXIT_PROBLEMS if collection.errors else EXIT_OK


def _learned_json(collection: Collection) -> dict[str, Any]:
    hints = collection.hints
    if hints is None:
        return {"learned_boilerplate": [], "placeholder_images": {}}
    return {
        "learned_boilerplate": [block.as_dict() for block in hints.learned],
        "placeholder_images": dict(hints.placeholder_counts),
    }


def _say_learned(collection: Collection) -> None:
    """What the cleaner learned across the collection, so a user can make rules of it."""
    hints = collection.hints
    if hints is None or not (hints.learned or hints.placeholder_counts):
        return
    say("learned from the collection (write them as cleaning.rules, or switch learning off "
        "with cleaning.boilerplate.enabled: false):")
    for block in hints.learned:
        say(f"  boilerplate in {block.source}: {block.selector} in {block.articles} articles: "
            f"{block.preview!r}")
    for url, count in sorted(hints.placeholder_counts.items()):
        say(f"  placeholder image in {count} of the {hints.articles} articles learned from: "
            f"{url}")
