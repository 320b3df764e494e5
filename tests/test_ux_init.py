"""`feeds init`: the folder it writes validates, builds and yields readable feeds."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
import yaml

from feeds.cli import main
from feeds.config import load_config
from feeds.config.root import Config


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out + captured.err


def test_config_validates_and_holds_every_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run(["init", str(tmp_path), "--title", "Notes 笔记", "--timezone",
                   "Asia/Shanghai", "--site-url", "https://example.org/blog"], capsys)
    assert code == 0
    config = load_config(tmp_path / "config.yaml")
    assert config.site.title == "Notes 笔记"
    assert config.site.url == "https://example.org/blog/"
    assert config.site.timezone == "Asia/Shanghai"
    assert [f.format for f in config.feeds] == ["rss", "atom", "json"]
    daily = config.digest("daily")
    assert daily is not None and daily.templates == tmp_path / "templates"
    assert config.mail.transport.kind == "outbox"
    written = yaml.safe_load((tmp_path / "config.yaml").read_text(encoding="utf-8"))
    assert set(written) == {f.alias or k for k, f in Config.model_fields.items()}


def test_commented_schedule_examples_show_their_shape_and_validate_uncommented(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["init", str(tmp_path)], capsys)
    path = tmp_path / "config.yaml"
    text = path.read_text(encoding="utf-8")
    examples = [
        "  # build: {every: 10m}\n",
        "  # feeds:\n  #   - {name: news, only: [rss, atom], every: 10m}\n",
    ]
    assert all(example in text for example in examples)
    for example in examples:
        text = text.replace(example, example.replace("# ", "", 1).replace("#   ", "  ", 1))
    path.write_text(text, encoding="utf-8")
    schedule = load_config(path).schedule
    assert schedule.build is not None and schedule.build.describe() == "every 10m"
    assert [(f.name, f.only, f.schedule.describe()) for f in schedule.feeds] == [
        ("news", ["rss", "atom"], "every 10m")]


def test_templates_and_example_article_are_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["init", str(tmp_path)], capsys)
    assert sorted(p.name for p in (tmp_path / "templates").iterdir()) == [
        "digest.html.j2", "digest.txt.j2"]
    article = (tmp_path / "content" / "hello-feeds.md").read_text(encoding="utf-8")
    assert article.startswith("---\ntitle: Hello, feeds\n")


def test_build_works_in_the_new_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(["init", str(tmp_path), "--title", "Mine"], capsys)
    monkeypatch.chdir(tmp_path)
    code, output = run(["build"], capsys)
    assert code == 0, output
    for name, version in (("rss.xml", "rss20"), ("atom.xml", "atom10")):
        parsed = feedparser.parse((tmp_path / "public" / name).read_bytes())
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        assert parsed.version == version
        assert parsed.feed.title == "Mine"
        assert [e.title for e in parsed.entries] == ["Hello, feeds"]
    # feedparser 6.0 has no JSON Feed support: read it as JSON
    feed = json.loads((tmp_path / "public" / "feed.json").read_bytes())
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert [item["title"] for item in feed["items"]] == ["Hello, feeds"]


def test_refuses_to_overwrite_and_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "config.yaml").write_text("site: {title: kept}\n", encoding="utf-8")
    code, output = run(["init", str(tmp_path)], capsys)
    assert code == 2
    assert f"{tmp_path / 'config.yaml'} already exists; nothing was written" in output
    assert "--force" in output
    assert (tmp_path / "config.yaml").read_text(encoding="utf-8") == "site: {title: kept}\n"
    assert not (tmp_path / "templates").exists()


def test_force_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "config.yaml").write_text("site: {title: old}\n", encoding="utf-8")
    code, _ = run(["init", str(tmp_path), "--force", "--title", "New"], capsys)
    assert code == 0
    assert load_config(tmp_path / "config.yaml").site.title == "New"


def test_existing_articles_get_no_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    posts = tmp_path / "source" / "_posts"
    posts.mkdir(parents=True)
    (posts / "mine.md").write_text("---\ntitle: Mine\n---\nbody\n", encoding="utf-8")
    code, _ = run(["init", str(tmp_path), "--content", "source/_posts"], capsys)
    assert code == 0
    assert sorted(p.name for p in posts.iterdir()) == ["mine.md"]
    config = load_config(tmp_path / "config.yaml")
    assert config.content.dirs == [posts]


def test_unknown_timezone_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = run(["init", str(tmp_path), "--timezone", "Mars/Olympus"], capsys)
    assert code == 2
    assert "--timezone: 'Mars/Olympus' is not an IANA timezone" in output
    assert not (tmp_path / "config.yaml").exists()


def test_missing_default_templates_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import feeds.digest.render

    empty = tmp_path / "installed-templates"
    empty.mkdir()
    monkeypatch.setattr(feeds.digest.render, "default_template_dir", lambda: empty)
    code, output = run(["init", str(tmp_path / "site")], capsys)
    assert code == 1
    assert f"the default digest templates are missing from this installation ({empty})" in output
    assert not (tmp_path / "site" / "config.yaml").exists()
