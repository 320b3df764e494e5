"""Progress for long runs and the one-line summary every command ends with.

Progress is drawn (rich, on stderr) only when stderr is a terminal and ``-q`` was not given,
so cron mail and CI logs stay clean. Use::

    with progress(len(paths), "reading") as advance:
        for path in paths:
            ...
            advance()          # or advance(n)

    say(summary_line((1204, "article"), (3, "feed written"), "2 unchanged", seconds=1.3))
    # -> "1204 articles, 3 feeds written, 2 unchanged in 1.3s"
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

import click

Advance = Callable[..., None]


def _quiet_option() -> bool:
    """-q of the running command, when there is one (the helper also works outside click)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return False
    from feeds.cli.common import Options

    opts = ctx.find_root().obj
    return bool(opts.quiet) if isinstance(opts, Options) else False


def progress_enabled(stream: TextIO | None = None, *, quiet: bool | None = None) -> bool:
    """True when a progress bar would be seen by a person: a terminal, and no -q."""
    stream = stream if stream is not None else sys.stderr
    if quiet if quiet is not None else _quiet_option():
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@contextmanager
def progress(
    total: int | None,
    label: str,
    *,
    stream: TextIO | None = None,
    quiet: bool | None = None,
) -> Iterator[Advance]:
    """Yield ``advance(n=1)``; draws a transient bar on a terminal, does nothing otherwise.

    ``total=None`` draws a spinner with a count instead of a bar.
    """
    if not progress_enabled(stream, quiet=quiet):
        yield _noop
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(file=stream if stream is not None else sys.stderr)
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=total)

        def advance(n: int = 1) -> None:
            bar.advance(task, n)

        yield advance


def _noop(n: int = 1) -> None:
    """The advance of a silent progress: costs one call."""


def plural(count: int, noun: str) -> str:
    """'1 article', '2 articles', '3 feeds written', '2 entries' (the first word is the noun,
    given in the singular)."""
    first, _, rest = noun.partition(" ")
    if count != 1:
        if first.endswith("y") and first[-2:-1] not in "aeiou":
            first = first[:-1] + "ies"
        elif first.endswith(("s", "x", "ch", "sh")):
            first += "es"
        else:
            first += "s"
    return f"{count} {first}" + (f" {rest}" if rest else "")


def summary_line(*parts: tuple[int, str] | str, seconds: float | None = None) -> str:
    """The closing line of a command: counted parts joined by commas, then the duration.

    A part is ``(count, "noun phrase")`` (pluralized) or a ready string (kept as is).
    """
    words = [p if isinstance(p, str) else plural(*p) for p in parts]
    text = ", ".join(words)
    if seconds is not None:
        text += f" in {format_seconds(seconds)}"
    return text


def format_seconds(seconds: float) -> str:
    """Short human duration: '0.42s', '12.3s', '2m05s'."""
    if seconds < 1:
        return f"{seconds:.2f}s"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m{rest:02d}s"
