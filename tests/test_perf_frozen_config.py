"""feeds.config.frozen: the memo's copy of a validated config reads, compares and behaves as
the config it was made from, and reading it back imports no pydantic."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from feeds.config import Config, load_config
from feeds.config.base import model_in
from feeds.config.canonical import settings_text
from feeds.config.frozen import Frozen, freeze

RICH = """
site:
  title: Rich
  url: https://example.com/news
  timezone: Asia/Shanghai
  author: {name: Editor, email: ed@example.com}
content:
  dirs: [posts, more]
  ignore: ["*.tmp.md"]
cleaning:
  rules:
    - {paths: ["news/*"], drop: [.ad], drop_text: ["扫码.*"]}
  boilerplate: {sample: 50, source_by: folder}
  byline: {site_authors: [Rich]}
feeds:
  - {name: rss, format: rss, path: rss.xml, include: {categories: [科技]}}
  - {name: cats, format: atom, path: "c/{slug}/atom.xml", per: category, limit: 20}
mail:
  transport: {kind: smtp, host: 127.0.0.1, port: 2525, security: none}
digests:
  - name: daily
    subject: Today
    schedule: "0 8 * * *"
    first_window: 2d
    exclude: {tags: [ads]}
schedule:
  build: {every: 10m}
  feeds:
    - {name: quick, only: [rss], every: 90s}
"""


@pytest.fixture
def config(tmp_path: Path) -> Config:
    path = tmp_path / "config.yaml"
    path.write_text(RICH, encoding="utf-8")
    return load_config(path)


def sections(model: type[BaseModel]) -> list[type[BaseModel]]:
    """``model`` and every section class inside it."""
    found = [model]
    for field in model.model_fields.values():
        inner = model_in(field.annotation)
        if inner is not None and inner not in found:
            found += [s for s in sections(inner) if s not in found]
    return found


def test_the_copy_reads_as_the_config_in_every_cache_key(config: Config) -> None:
    frozen = freeze(config)
    assert settings_text(frozen) == settings_text(config)
    for name in ("site", "content", "cleaning", "thumbnails", "websub", "mail", "schedule"):
        assert settings_text(getattr(frozen, name)) == settings_text(getattr(config, name))
    assert settings_text(frozen.feeds[1]) == settings_text(config.feeds[1])
    again = pickle.loads(pickle.dumps(frozen))
    assert again == frozen and settings_text(again) == settings_text(config)
    rest = {"cleaning"}
    assert settings_text(frozen, exclude=rest) == settings_text(config, exclude=rest)


def test_every_value_is_the_configs(config: Config) -> None:
    frozen = freeze(config)

    def walk(real: Any, copy: Any, where: str) -> None:
        if isinstance(real, BaseModel):
            assert type(copy).__name__ == type(real).__name__, where
            assert tuple(type(copy).model_fields) == tuple(type(real).model_fields), where
            for name in type(real).model_fields:
                walk(getattr(real, name), getattr(copy, name), f"{where}.{name}")
        elif isinstance(real, list | tuple):
            assert type(copy) is type(real) and len(copy) == len(real), where
            for index, (a, b) in enumerate(zip(real, copy, strict=True)):
                walk(a, b, f"{where}[{index}]")
        else:
            assert copy == real and type(copy) is type(real), where

    walk(config, frozen, "config")
    assert frozen.content.dirs[0].is_absolute() and frozen.site.url == "https://example.com/news/"


def test_the_copy_has_the_sections_methods(config: Config) -> None:
    frozen = freeze(config)
    assert frozen.site.tz == config.site.tz
    assert frozen.feed("cats") == freeze(config.feed("cats")) and frozen.feed("nope") is None
    assert frozen.digest("daily") == freeze(config.digest("daily"))
    assert frozen.feeds[0].include.is_empty() is False and frozen.feeds[1].include.is_empty()
    assert frozen.schedule.build.describe() == config.schedule.build.describe() == "every 10m"
    quick = frozen.schedule.feeds[0]
    assert quick.schedule.describe() == config.schedule.feeds[0].schedule.describe()


@pytest.mark.parametrize("section", sections(Config), ids=lambda s: s.__name__)
def test_a_sections_behaviour_lives_where_its_copy_finds_it(section: type[BaseModel]) -> None:
    """Methods and properties defined on a section itself would be missing from its frozen
    copy: they belong in its mixin in feeds.config.behaviour (validators are private)."""
    own = [name for name, value in vars(section).items()
           if not name.startswith(("_", "model_")) and (callable(value) or
                                                       isinstance(value, property))]
    assert own == []


def test_the_copy_is_read_only_and_compares_by_value(config: Config) -> None:
    frozen = freeze(config)
    with pytest.raises(AttributeError, match="frozen"):
        frozen.site.title = "Changed"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="frozen"):
        del frozen.site.title  # type: ignore[misc]
    other = freeze(config.model_copy(update={"site": config.site.model_copy(
        update={"title": "Other"})}))
    assert freeze(config) == frozen and other != frozen and other.site != frozen.site
    assert hash(freeze(config.site)) == hash(frozen.site)
    assert isinstance(frozen, Frozen) and "title='Rich'" in repr(frozen.site)


def test_reading_the_copy_back_imports_no_pydantic(config: Config, tmp_path: Path) -> None:
    stored = tmp_path / "frozen.pickle"
    stored.write_bytes(pickle.dumps(freeze(config)))
    probe = (
        "import pickle, sys\n"
        f"c = pickle.loads(open({str(stored)!r}, 'rb').read())\n"
        "from feeds.config.canonical import settings_text\n"
        "print(c.site.tz, c.feed('rss').name, len(settings_text(c)))\n"
        "print(sorted(m for m in sys.modules if m.startswith(('pydantic', 'feeds.config.'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    tz, modules = done.stdout.splitlines()
    assert tz == f"Asia/Shanghai rss {len(settings_text(config))}"
    assert modules == str(["feeds.config.behaviour", "feeds.config.canonical",
                           "feeds.config.frozen"])
