"""A one-shot build leaves its garbage to the process's exit; nothing else ever keeps any."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_perf_cache import NOW, config_for, write_site

from feeds import afterlife
from feeds.build import run_build
from feeds.cli import main
from feeds.content.collectrun import CollectRun
from feeds.models import Article


class Thing:
    """Something a weak reference can follow."""


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(afterlife, "_allowed", False)
    monkeypatch.setattr(afterlife, "_kept", None)
    yield


def site_with_config(root: Path) -> Path:
    """Eight articles and a config.yaml that builds them with the default feeds."""
    write_site(root)
    config = root / "config.yaml"
    config.write_text(
        f"site: {{url: 'https://example.com/'}}\ncontent: {{dirs: [{root}/content]}}\n"
        f"output: {root}/out\nstate: {root}/state\n",
        encoding="utf-8",
    )
    return config


def kept_after(thing_is_given: bool = True) -> bool:
    """Whether a Thing handed to outlive() is still alive once its last reference is gone."""
    thing = Thing()
    alive = weakref.ref(thing)
    if thing_is_given:
        afterlife.outlive(thing)
    del thing
    return alive() is not None


def test_nothing_is_kept_unless_the_process_ends_right_after() -> None:
    afterlife.until_exit()  # a build command, but not run by the console script
    assert not kept_after()
    afterlife.allow()  # the console script, but no one-shot build (feeds schedule, serve)
    assert not kept_after()


def test_a_one_shot_build_of_the_console_script_keeps_what_it_is_given() -> None:
    afterlife.allow()
    afterlife.until_exit()
    assert kept_after() and not kept_after(thing_is_given=False)


def test_a_build_leaves_its_records_index_and_articles_to_the_exit(tmp_path: Path) -> None:
    write_site(tmp_path)
    config = config_for(
        tmp_path, feeds=[{"name": "rss", "format": "rss", "path": "rss.xml", "limit": 3}]
    )
    afterlife.allow()
    afterlife.until_exit()
    run_build(config, now=NOW)
    kept = afterlife._kept or []
    runs = [k for k in kept if isinstance(k, CollectRun)]
    assert len(runs) == 1 and len(runs[0].records) == 8
    indexes = [k for k in kept if isinstance(k, list) and k and isinstance(k[0], Article)]
    assert [len(index) for index in indexes] == [8]  # every article, though 3 were cleaned
    assert any(getattr(k, "articles", None) for k in kept)  # the collection


def test_the_cli_in_a_process_that_goes_on_keeps_nothing(tmp_path: Path) -> None:
    """Tests and library callers run `main`, not the console script: each build's
    garbage is freed as usual, so memory never grows from build to build."""
    config = site_with_config(tmp_path)
    with pytest.raises(SystemExit) as done:
        main(["build", "--config", str(config), "--quiet"])
    assert done.value.code == 0 and (tmp_path / "out" / "rss.xml").is_file()
    assert afterlife._kept is None


def test_settle_hides_what_is_kept_from_the_collector_only_when_keeping() -> None:
    before = gc.get_freeze_count()
    afterlife.settle()
    assert gc.get_freeze_count() == before
    afterlife.allow()
    afterlife.until_exit()
    try:
        afterlife.outlive(Thing())
        afterlife.settle()
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()


def test_the_console_script_keeps_a_builds_garbage_until_its_exit(tmp_path: Path) -> None:
    """The wiring end to end: ``feeds.cli.run`` allows, ``feeds build`` keeps; what was
    kept is still there when the at-exit handlers run, just before os._exit."""
    config = site_with_config(tmp_path)
    script = (
        "import atexit, sys\n"
        "from feeds import afterlife\n"
        "from feeds.cli import run\n"
        "atexit.register(lambda: print('kept', len(afterlife._kept or [])))\n"
        f"sys.argv = ['feeds', 'build', '--config', {str(config)!r}, '--quiet']\n"
        "run()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-2:] == ["kept", "3"]  # the records, the index, the collection
