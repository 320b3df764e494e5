"""Progress shows on a terminal only; the summary line reads well."""

from __future__ import annotations

import io

import click
import pytest
from click.testing import CliRunner

from feeds.cli.common import common_options
from feeds.cli.progress import format_seconds, plural, progress, progress_enabled, summary_line


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as stderr does in an interactive shell."""

    def isatty(self) -> bool:
        return True


def test_silent_without_a_terminal() -> None:
    stream = io.StringIO()
    with progress(3, "reading", stream=stream) as advance:
        for _ in range(3):
            advance()
    assert stream.getvalue() == ""


def test_drawn_on_a_terminal() -> None:
    stream = Terminal()
    with progress(3, "reading", stream=stream) as advance:
        advance(3)
    assert "reading" in stream.getvalue()
    assert "3/3" in stream.getvalue()


def test_quiet_wins_over_a_terminal() -> None:
    stream = Terminal()
    with progress(3, "reading", stream=stream, quiet=True) as advance:
        advance()
    assert stream.getvalue() == ""


def test_q_flag_of_the_running_command_silences_it() -> None:
    seen: list[bool] = []

    @click.command()
    @common_options
    def job() -> None:
        seen.append(progress_enabled(Terminal()))

    CliRunner().invoke(job, ["-q"])
    CliRunner().invoke(job, [])
    assert seen == [False, True]


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (1, "article", "1 article"),
        (0, "article", "0 articles"),
        (3, "feed written", "3 feeds written"),
        (2, "entry", "2 entries"),
        (2, "day", "2 days"),
        (2, "address", "2 addresses"),
    ],
)
def test_plural(count: int, noun: str, expected: str) -> None:
    assert plural(count, noun) == expected


def test_summary_line() -> None:
    line = summary_line((1204, "article"), (3, "feed written"), "2 unchanged", (1, "problem"),
                        seconds=1.26)
    assert line == "1204 articles, 3 feeds written, 2 unchanged, 1 problem in 1.3s"
    assert summary_line((0, "message sent")) == "0 messages sent"


@pytest.mark.parametrize(
    ("seconds", "expected"), [(0.421, "0.42s"), (12.34, "12.3s"), (125.2, "2m05s")]
)
def test_format_seconds(seconds: float, expected: str) -> None:
    assert format_seconds(seconds) == expected
