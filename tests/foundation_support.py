"""Shared helpers for the foundation tests (readers, normalization, check/inspect)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from feeds.cli import main
from feeds.config import Config, default_config
from feeds.content.collect import Collection, collect

DATA = Path(__file__).parent / "data" / "foundation"
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
SITE = {"url": "https://example.com/", "timezone": "Asia/Shanghai"}


def fixture(name: str) -> Path:
    path = DATA / name
    assert path.exists(), f"missing fixture {path}"
    return path


def make_config(site: dict[str, Any] | None = None, **content: Any) -> Config:
    overrides: dict[str, Any] = {"site": {**SITE, **(site or {})}}
    if content:
        overrides["content"] = content
    return default_config(overrides)


def collect_paths(*paths: Path, config: Config | None = None, now: datetime = NOW) -> Collection:
    return collect(config or make_config(), now=now, paths=list(paths))


def only_article(name: str, config: Config | None = None) -> Any:
    """The one article a fixture file yields (fails with its problems otherwise)."""
    result = collect_paths(fixture(name), config=config)
    assert len(result.articles) == 1, [str(p) for p in result.problems]
    return result.articles[0]


def messages(result: Collection) -> list[tuple[str, str, str]]:
    """(file name, field, severity) of every problem: what the user is told, in short."""
    return [(Path(p.path).name, p.field, str(p.severity)) for p in result.problems]


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> Run:
    """Run the real ``feeds`` entry point in-process and capture its exit code and streams."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    captured = capsys.readouterr()
    code = exited.value.code
    return Run(code if isinstance(code, int) else 1, captured.out, captured.err)
