"""Print the CLI reference (Markdown) from the click commands themselves, so it stays true.

    python docs/cli_reference.py            # print it
    python docs/cli_reference.py --check README.md   # exit 1 if README.md lacks it verbatim
    python docs/cli_reference.py --write README.md   # replace it between the markers
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from feeds.cli import cli

COMMON = ("config", "content", "site_url", "state", "verbose", "quiet")


def reference() -> str:
    """The whole reference: the options every command takes, then one section per command."""
    ctx = click.Context(cli, info_name="feeds")
    lines = ["### Options of every command", "", *_table(_common(cli), ctx), ""]
    lines += [
        "Exit codes: `0` success (warnings allowed), `1` problems in the content (or any "
        "problem with `--strict`), `2` usage or configuration error.",
        "",
    ]
    assert isinstance(cli, click.Group)
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        if command is not None:
            lines += _command(name, command, ctx)
    return "\n".join(lines).rstrip() + "\n"


def _common(command: click.Command) -> list[click.Parameter]:
    return [p for p in command.params if p.name in COMMON]


def _command(name: str, command: click.Command, parent: click.Context) -> list[str]:
    ctx = click.Context(command, info_name=name, parent=parent)
    pieces = command.collect_usage_pieces(ctx)
    lines = [f"### feeds {name}", "", f"`feeds {name} {' '.join(pieces)}`", ""]
    help_text = (command.help or "").split("\f")[0].strip()
    lines += [_paragraphs(help_text), ""]
    own = [p for p in command.params if p.name not in COMMON and isinstance(p, click.Option)]
    if own:
        lines += [*_table(own, ctx), ""]
    if isinstance(command, click.Group):
        for sub in command.list_commands(ctx):
            found = command.get_command(ctx, sub)
            if found is not None:
                lines += _command(f"{name} {sub}", found, ctx)
    return lines


def _table(params: Sequence[click.Parameter], ctx: click.Context) -> list[str]:
    rows = ["| option | meaning |", "| --- | --- |"]
    for param in params:
        record = param.get_help_record(ctx)
        if record is None:
            continue
        flags, meaning = (text.replace("|", "\\|") for text in record)  # GFM tables
        rows.append(f"| `{flags}` | {meaning} |")
    return rows


def _paragraphs(text: str) -> str:
    """click's help text, with its hard line breaks joined into Markdown paragraphs."""
    return "\n\n".join(" ".join(block.split()) for block in text.split("\n\n"))


START, END = "<!-- cli-reference:start -->\n", "<!-- cli-reference:end -->"


def write(path: Path, text: str) -> bool:
    """Replace what is between the markers in ``path``; False when the markers are missing."""
    page = path.read_text(encoding="utf-8")
    head, start, rest = page.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        return False
    path.write_text(head + START + text + END + tail, encoding="utf-8")
    return True


def main(argv: list[str]) -> int:
    text = reference()
    if argv[:1] == ["--write"] and len(argv) == 2:
        if write(Path(argv[1]), text):
            return 0
        print(f"{argv[1]}: no {START.strip()} ... {END} markers", file=sys.stderr)
        return 1
    if argv[:1] == ["--check"] and len(argv) == 2:
        if text in Path(argv[1]).read_text(encoding="utf-8"):
            return 0
        print(f"{argv[1]} does not hold the current CLI reference; regenerate it with "
              "python docs/cli_reference.py", file=sys.stderr)
        return 1
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
