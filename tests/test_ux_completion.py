"""Shell completion (click's): the scripts print, and completing names works."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def complete(env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "feeds"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o nosort -F _feeds_completion feeds"),
        ("zsh", "#compdef feeds"),
        ("fish", "complete --no-files --command feeds"),
    ],
)
def test_source_script(shell: str, marker: str) -> None:
    assert marker in complete({"_FEEDS_COMPLETE": f"{shell}_source"})


def test_completes_commands_and_options() -> None:
    commands = complete({"_FEEDS_COMPLETE": "bash_complete", "COMP_WORDS": "feeds se",
                         "COMP_CWORD": "1"})
    assert commands.split() == ["plain,serve"]
    options = complete({"_FEEDS_COMPLETE": "bash_complete", "COMP_WORDS": "feeds serve --no",
                        "COMP_CWORD": "2"})
    assert "plain,--no-rebuild" in options.split()
