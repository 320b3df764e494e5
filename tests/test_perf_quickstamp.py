"""`feeds build` with nothing changed answers from its raw inputs, before the config is even
validated; anything that could change a feed sends it down the full path again. A build
that runs takes the config the last run with the same raw inputs validated, and never one
made from other inputs."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_perf_cache import POST, mtimes, write_site

from feeds.buildstamp import raw_inputs
from feeds.config import default_config, load_config
from feeds.config.canonical import settings_text
from feeds.config.frozen import Frozen, freeze
from feeds.config.memo import MEMO_FILE, pydantic_identity

NOW = "2026-11-26T12:00:00Z"
CONFIG = """site:
  url: ${QUICK_SITE_URL}
  timezone: Asia/Shanghai
content:
  dirs: [content]
digests:
  - {name: daily, subject: "Today", schedule: "0 8 * * *"}
"""
# runs the real entry point and says, on the way out, what the run had to import, and
# whether it built the config schema (a config from feeds.config.memo needs none)
PROBE = """
import atexit, json, sys
def report():
    seen = {m: m in sys.modules for m in sys.argv[1:3]}
    root = sys.modules.get("feeds.config.root")
    seen["schema built"] = bool(root and root.Config.__pydantic_complete__)
    print(json.dumps(seen), file=sys.stderr)
atexit.register(report)
from feeds.cli import main
main(sys.argv[3:])
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_site(tmp_path)
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QUICK_SITE_URL", "https://example.com/")
    return tmp_path


def build(*extra: str) -> tuple[dict[str, Any], dict[str, bool]]:
    """One `feeds build` in its own process: its JSON report, whether it imported the
    config schema (pydantic) and the content pipeline (lxml), and built the schema."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "pydantic", "lxml", "build", "--format", "json",
         "--now", NOW, *extra],
        capture_output=True, text=True, check=False, env=os.environ.copy(),
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), json.loads(done.stderr.strip().splitlines()[-1])


def test_an_unchanged_build_answers_without_the_schema(site: Path) -> None:
    """Nor does it read or clean anything; it imports the pipeline only while a child
    process lists the sources (feeds.content.aside), in case a file changed."""
    first, imported = build()
    assert first["written"] and imported == {"pydantic": True, "lxml": True,
                                             "schema built": True}
    before = mtimes(site / "public")
    again, imported = build()
    assert imported == {"pydantic": False, "lxml": True, "schema built": False}
    assert again["written"] == [] and sorted(again["unchanged"]) == sorted(first["written"])
    assert again["counts"] == first["counts"] and again["problems"] == first["problems"]
    assert mtimes(site / "public") == before


@pytest.mark.parametrize("change", ["env", "config", "content", "output removed", "flag"])
def test_anything_that_could_change_a_feed_builds_again(site: Path, change: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    build()
    extra: list[str] = []
    if change == "env":  # the config names the variable: its value is an input
        monkeypatch.setenv("QUICK_SITE_URL", "https://elsewhere.example.com/")
    elif change == "config":
        text = CONFIG.replace("timezone: Asia/Shanghai", "timezone: Asia/Shanghai\n  title: New")
        (site / "config.yaml").write_text(text, encoding="utf-8")
    elif change == "content":
        (site / "content" / "post-9.md").write_text(POST.format(title="新", day=9), "utf-8")
    elif change == "output removed":
        (site / "public" / "rss.xml").unlink()
    else:
        extra = ["--limit", "2"]
    report, imported = build(*extra)
    assert report["written"], change
    # validated again only when the config's own inputs changed; else taken from the memo
    assert imported["pydantic"] == (change in ("env", "config")), change
    if change == "env":
        assert "elsewhere.example.com" in (site / "public" / "rss.xml").read_text("utf-8")


def test_a_digest_edit_rebuilds_nothing_and_the_next_run_answers_quickly(site: Path) -> None:
    build()
    before = mtimes(site / "public")
    (site / "config.yaml").write_text(CONFIG.replace("Today", "Today's news"), "utf-8")
    report, imported = build()  # the raw inputs changed: the validated config tells
    assert report["written"] == [] and imported["pydantic"] and not imported["lxml"]
    report, imported = build()
    assert report["written"] == [] and not imported["pydantic"]
    assert mtimes(site / "public") == before


@pytest.mark.parametrize(
    "config_text, flags",
    [
        (None, {}),
        ("site: {url: 'https://example.com/'}\n", {}),
        ("state: var/cache\n", {}),
        ("state: ../elsewhere/./state\n", {}),
        ("state: ~/feeds-state\n", {}),
        ("state: /srv/feeds/state\n", {}),
        ("state: var/cache\n", {"state": "/tmp/flag-state"}),
    ],
)
def test_the_state_folder_is_found_where_the_config_puts_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config_text: str | None,
    flags: dict[str, str],
) -> None:
    """The quick answer looks for its stamp where the validated config keeps it; were the
    two to disagree, the quick path would silently never be taken."""
    monkeypatch.chdir(tmp_path)
    config_file = None
    if config_text is not None:
        config_file = tmp_path / "conf" / "feeds.yaml"
        config_file.parent.mkdir()
        config_file.write_text(config_text, encoding="utf-8")
    raw = raw_inputs(config_file=config_file, overrides=flags, out=None, only=(), limit=None)
    config = (default_config(flags) if config_file is None
              else load_config(config_file, flags))
    assert raw is not None and raw.state == config.state


def test_a_state_folder_only_validation_can_resolve_gives_no_quick_answer(tmp_path: Path) -> None:
    config_file = tmp_path / "config.yaml"
    config_file.write_text("state: ${STATE_DIR}/feeds\n", encoding="utf-8")
    assert raw_inputs(config_file=config_file, overrides={}, out=None, only=(),
                      limit=None) is None


def test_the_raw_key_changes_with_every_input(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config_file = tmp_path / "config.yaml"
    config_file.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("QUICK_SITE_URL", "https://example.com/")

    def key(**given: Any) -> str:
        args: dict[str, Any] = {"config_file": config_file, "overrides": {}, "out": None,
                                "only": (), "limit": None, **given}
        raw = raw_inputs(**args)
        assert raw is not None
        return raw.key

    base = key()
    assert key() == base
    others = [
        key(overrides={"site": {"url": "https://other.example.com/"}}),
        key(out=tmp_path / "elsewhere"),
        key(only=("rss",)),
        key(limit=0),
    ]
    monkeypatch.setenv("QUICK_SITE_URL", "https://changed.example.com/")
    others.append(key())
    monkeypatch.setenv("QUICK_SITE_URL", "https://example.com/")
    config_file.write_text(CONFIG + "\n", encoding="utf-8")
    others.append(key())
    config_file.write_text(CONFIG, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")  # relative paths in flags now mean something else
    others.append(key())
    assert base not in others and len(set(others)) == len(others)


def test_a_failed_build_forgets_both_layers_of_its_stamp(site: Path) -> None:
    """A build that did not publish every feed must be run again, never replayed."""
    from datetime import UTC, datetime

    from feeds.buildstamp import STAMP_FILE, BuildStamp, quick_replay

    config_file = site / "config.yaml"
    config = load_config(config_file)
    raw = raw_inputs(config_file=config_file, overrides={}, out=None, only=(), limit=None)
    stamp = BuildStamp.prepare(config, out=config.output, only=(), limit=None, raw=raw)
    assert raw is not None and stamp is not None and stamp.raw is raw
    other = {"someone-else": {"inputs": "x"}}
    (config.state).mkdir(parents=True, exist_ok=True)
    (config.state / STAMP_FILE).write_text(json.dumps(other), encoding="utf-8")
    stamp.record([], [], {"articles": 8}, None)
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert stamp.replay(now) is not None and quick_replay(raw, now) is not None
    stamp.forget()
    assert stamp.replay(now) is None and quick_replay(raw, now) is None
    assert json.loads((config.state / STAMP_FILE).read_text("utf-8")) == other


def memo(site: Path) -> dict[str, Any]:
    with (site / ".feeds" / MEMO_FILE).open("rb") as file:
        made_by, found = pickle.load(file)
    assert made_by == pydantic_identity()
    return found  # type: ignore[no-any-return]


def feed_text(site: Path) -> str:
    return (site / "public" / "rss.xml").read_text("utf-8")


def add_post(site: Path, day: int) -> None:
    (site / "content" / f"post-{day}.md").write_text(POST.format(title="新", day=day), "utf-8")


def test_a_rebuild_takes_the_remembered_config_without_pydantic(site: Path) -> None:
    """feeds.config.memo: the config the last run with the same raw inputs validated, read
    back as frozen records: neither pydantic nor the schema is imported."""
    assert build()[1]["schema built"]  # validating is building
    add_post(site, 9)
    report, imported = build()
    assert report["written"] and not imported["pydantic"] and imported["lxml"]
    # the entry is what the build used: a changed one shows in the feed
    entries = memo(site)
    (key, config), = entries.items()
    assert isinstance(config, Frozen)
    real = load_config(site / "config.yaml")
    entries[key] = freeze(real.model_copy(update={"site": real.site.model_copy(
        update={"title": "Remembered title"})}))
    (site / ".feeds" / MEMO_FILE).write_bytes(pickle.dumps((pydantic_identity(), entries)))
    add_post(site, 10)
    build()
    assert "<title>Remembered title</title>" in feed_text(site)
    # made by another pydantic: not trusted, whatever it holds
    (site / ".feeds" / MEMO_FILE).write_bytes(pickle.dumps(("0.1", entries)))
    add_post(site, 11)
    assert build()[1]["schema built"]
    assert "<title>Remembered title</title>" not in feed_text(site)


@pytest.mark.parametrize("change", ["env", "config"])
def test_other_raw_inputs_are_validated_again(
    site: Path, change: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    build()
    if change == "env":
        monkeypatch.setenv("QUICK_SITE_URL", "https://elsewhere.example.com/")
    else:
        text = CONFIG.replace("timezone: Asia/Shanghai", "timezone: Asia/Shanghai\n  title: New")
        (site / "config.yaml").write_text(text, encoding="utf-8")
    assert build()[1]["schema built"]
    text = feed_text(site)
    assert ("elsewhere.example.com" in text) if change == "env" else ("<title>New</title>" in text)
    assert len(memo(site)) == 2  # both kept: a scheduler and cron may alternate


@pytest.mark.parametrize("garbage", [b"", b"not a pickle", pickle.dumps(["a", "list"]),
                                     pickle.dumps({"key": "not a config"}),
                                     pickle.dumps((pydantic_identity(), {"key": "no config"}))],
                         ids=["empty", "text", "list", "no version", "stray entry"])
def test_an_unreadable_memo_is_replaced_not_trusted(site: Path, garbage: bytes) -> None:
    (site / ".feeds").mkdir()
    (site / ".feeds" / MEMO_FILE).write_bytes(garbage)
    report, imported = build()
    assert imported["schema built"] and report["written"]
    assert "https://example.com/" in feed_text(site)
    assert all(type(c).__name__ == "Config" and isinstance(c, Frozen)
               for c in memo(site).values())


def test_an_unwritable_state_folder_only_costs_the_memo(site: Path) -> None:
    (site / ".feeds").mkdir()
    (site / ".feeds" / MEMO_FILE).mkdir()  # cannot be replaced by a file
    report, _ = build()
    assert report["written"] and report["exit_code"] == 0
    assert "https://example.com/" in feed_text(site)
    assert not list((site / ".feeds").glob(".*.tmp"))  # the failed write left nothing


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
