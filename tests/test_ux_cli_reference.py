"""docs/cli_reference.py: the CLI reference is generated from click and misses nothing."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import click
import pytest

from feeds.cli import cli

SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "cli_reference.py"


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cli_reference", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_command_and_option_is_documented(generator: ModuleType) -> None:
    text = generator.reference()
    ctx = click.Context(cli, info_name="feeds")
    assert isinstance(cli, click.Group)
    names = cli.list_commands(ctx)
    assert {"init", "serve", "build", "check"} <= set(names)
    for name in names:
        command = cli.get_command(ctx, name)
        assert command is not None
        assert f"### feeds {name}\n" in text
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.opts[-1] in text, (name, param.opts)


def test_check_mode(generator: ModuleType, tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\n" + generator.reference() + "\nmore\n", encoding="utf-8")
    assert generator.main(["--check", str(readme)]) == 0
    readme.write_text("# x\n\n### feeds serve\n", encoding="utf-8")
    assert generator.main(["--check", str(readme)]) == 1


def test_readme_holds_the_current_reference(generator: ModuleType) -> None:
    readme = SCRIPT.parents[1] / "README.md"
    assert "<!-- cli-reference:start -->" in readme.read_text(encoding="utf-8")
    assert generator.main(["--check", str(readme)]) == 0, "run: python docs/cli_reference.py"


def test_write_mode_replaces_between_markers(generator: ModuleType, tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- cli-reference:start -->\nold\n<!-- cli-reference:end -->\nend\n",
                      encoding="utf-8")
    assert generator.main(["--write", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("intro\n<!-- cli-reference:start -->\n### Options of every command")
    assert text.endswith("<!-- cli-reference:end -->\nend\n") and "\nold\n" not in text
    assert generator.main(["--check", str(readme)]) == 0
    (tmp_path / "plain.md").write_text("no markers\n", encoding="utf-8")
    assert generator.main(["--write", str(tmp_path / "plain.md")]) == 1
