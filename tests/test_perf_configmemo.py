"""A build takes the config the last run with the same raw inputs validated (kept in the
state folder), and never one made from other inputs."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_perf_cache import POST, write_site

from feeds.config import load_config
from feeds.config.canonical import settings_text
from feeds.config.memo import MEMO_FILE

NOW = "2026-11-26T12:00:00Z"
CONFIG = """site:
  url: ${MEMO_SITE_URL}
  title: First title
content:
  dirs: [content]
"""
# the real entry point; on the way out it says whether any config schema was built
PROBE = """
import atexit, json, sys
def built():
    from feeds.config import Config
    return Config.__pydantic_complete__
atexit.register(lambda: print(json.dumps({"schema built": built()}), file=sys.stderr))
from feeds.cli import main
main(sys.argv[1:])
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_site(tmp_path)
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MEMO_SITE_URL", "https://example.com/")
    return tmp_path


def build() -> tuple[dict[str, Any], bool]:
    """One `feeds build` in its own process: its report, and whether it built the schema."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "build", "--format", "json", "--now", NOW],
        capture_output=True, text=True, check=False, env=os.environ.copy(),
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), json.loads(done.stderr.strip().splitlines()[-1])["schema built"]


def add_post(site: Path, day: int) -> None:
    (site / "content" / f"post-{day}.md").write_text(POST.format(title="新", day=day), "utf-8")


def memo(site: Path) -> dict[str, Any]:
    with (site / ".feeds" / MEMO_FILE).open("rb") as file:
        found: dict[str, Any] = pickle.load(file)
    return found


def feed_text(site: Path) -> str:
    return (site / "public" / "rss.xml").read_text("utf-8")


def test_a_rebuild_takes_the_remembered_config_and_builds_no_schema(site: Path) -> None:
    _, built = build()
    assert built  # validating is building
    add_post(site, 9)
    report, built = build()
    assert report["written"] and not built  # the cache keys and stamps read it as it is
    # the entry is what the build used: a changed one shows in the feed
    entries = memo(site)
    (key, config), = entries.items()
    entries[key] = config.model_copy(update={"site": config.site.model_copy(
        update={"title": "Remembered title"})})
    (site / ".feeds" / MEMO_FILE).write_bytes(pickle.dumps(entries))
    add_post(site, 10)
    build()
    assert "<title>Remembered title</title>" in feed_text(site)


@pytest.mark.parametrize("change", ["env", "config"])
def test_other_raw_inputs_are_validated_again(
    site: Path, change: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    build()
    if change == "env":
        monkeypatch.setenv("MEMO_SITE_URL", "https://elsewhere.example.com/")
    else:
        (site / "config.yaml").write_text(CONFIG.replace("First", "Second"), "utf-8")
    _, built = build()
    assert built
    text = feed_text(site)
    assert ("elsewhere.example.com" in text) if change == "env" else ("Second title" in text)
    assert len(memo(site)) == 2  # both kept: a scheduler and cron may alternate


@pytest.mark.parametrize("garbage", [b"", b"not a pickle", pickle.dumps(["a", "list"]),
                                     pickle.dumps({"key": "not a config"})],
                         ids=["empty", "text", "list", "stray entry"])
def test_an_unreadable_memo_is_replaced_not_trusted(site: Path, garbage: bytes) -> None:
    (site / ".feeds").mkdir()
    (site / ".feeds" / MEMO_FILE).write_bytes(garbage)
    report, built = build()
    assert built and report["written"]
    assert "First title" in feed_text(site)
    assert all(type(c).__name__ == "Config" for c in memo(site).values())


def test_an_unwritable_state_folder_only_costs_the_memo(site: Path) -> None:
    (site / ".feeds").mkdir()
    (site / ".feeds" / MEMO_FILE).mkdir()  # cannot be replaced by a file
    report, _ = build()
    assert report["written"] and report["exit_code"] == 0
    assert "First title" in feed_text(site)


def test_settings_text_follows_every_nested_value(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    base = ("site: {url: 'https://example.com/'}\n"
            "cleaning:\n  rules:\n    - {paths: [a], drop: [.x]}\n")
    path.write_text(base, encoding="utf-8")
    first = load_config(path)
    path.write_text(base.replace(".x", ".y"), encoding="utf-8")
    changed = load_config(path)
    path.write_text(base, encoding="utf-8")
    again = load_config(path)
    assert settings_text(first.cleaning) == settings_text(again.cleaning)
    assert settings_text(first.cleaning) != settings_text(changed.cleaning)
    rest = {"cleaning"}
    assert settings_text(first, exclude=rest) == settings_text(changed, exclude=rest)
    assert settings_text(pickle.loads(pickle.dumps(first))) == settings_text(first)
