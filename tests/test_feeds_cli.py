"""`feeds build` and `feeds validate` end to end: real content files, collect, exit codes,
the problem lines and summary people read, and the shared example corpus."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from feeds_support import DATA, assert_valid_atom, parse, shared  # noqa: F401 (fixture)

from feeds.cli import main

CONTENT = DATA / "content"
NOW = "2026-11-26T12:00:00Z"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(argv))
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out, captured.err


def build_args(tmp_path: Path, content: Path = CONTENT, *extra: str) -> list[str]:
    return ["build", "--content", str(content), "--site-url", "https://news.example.org/",
            "--out", str(tmp_path / "public"), "--now", NOW, *extra]


@pytest.fixture(autouse=True)
def _no_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no ./config.yaml: the default feeds are built


def test_build_from_a_content_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *build_args(tmp_path))
    assert code == 0 and out == ""
    assert err.splitlines()[-1].startswith(
        "3 files written, 0 unchanged, 0 failed; 3 feeds from 4 articles; 0 problems (0 errors) in "
    )
    public = tmp_path / "public"
    atom = (public / "atom.xml").read_bytes()
    assert_valid_atom(atom)
    entries = parse(atom).entries
    assert [e.title for e in entries] == [
        "国内新闻：一体化发展的第二篇",
        "浙江：借势长三角一体化发展 推动共同富裕示范区建设",
        "Control characters in the body",
        "Hello, feeds & readers",
    ]  # the draft is left out
    body = entries[2].content[0].value
    assert "\x0b" not in body and "\x0c" not in body and "\x1b" not in body and "\t" in body
    rss = parse((public / "rss.xml").read_bytes())
    assert rss.entries[1].media_thumbnail[0]["url"].startswith("https://n.sinaimg.cn/")
    assert [t.term for t in rss.entries[0].tags] == ["新浪财经-国內", "长三角", "经济"]
    assert json.loads((public / "feed.json").read_text())["items"][3]["authors"] == [
        {"name": "Zoë Ng"}
    ]


def test_rebuild_reports_unchanged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, *build_args(tmp_path))
    stamp = (tmp_path / "public" / "rss.xml").stat().st_mtime_ns
    code, out, _ = run(capsys, *build_args(tmp_path, CONTENT, "--format", "json"))
    report = json.loads(out)
    assert code == 0 and report["written"] == [] and len(report["unchanged"]) == 3
    assert report["counts"] == {"files": 5, "articles": 4, "skipped": 1, "feeds": 3, "items": 12}
    assert (tmp_path / "public" / "rss.xml").stat().st_mtime_ns == stamp


def test_problems_are_printed_and_strict_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "content"  # the cwd: messages name it content/...
    shutil.copytree(CONTENT, content)
    (content / "broken.md").write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    code, _, err = run(capsys, *build_args(tmp_path, Path("content")))
    assert "content/broken.md: front matter: invalid YAML front matter at line 3, column 1: " \
        "did not find expected ',' or ']'" in err.splitlines()
    assert code == 0 and len(os.listdir(tmp_path / "public")) == 3
    code, _, _ = run(capsys, *build_args(tmp_path, Path("content"), "--strict"))
    assert code == 1


def test_usage_and_config_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *build_args(tmp_path, CONTENT, "--only", "nope"))
    assert code == 2 and "no feed named 'nope'" in err
    (tmp_path / "config.yaml").write_text(
        "feeds:\n  - {name: a, format: rss, path: x.xml}\n  - {name: b, format: atom, "
        "path: x.xml}\n", encoding="utf-8")
    code, _, err = run(capsys, *build_args(tmp_path))
    assert code == 2 and "feed path 'x.xml' is used by 2 entries" in err
    code, _, err = run(capsys, *build_args(tmp_path, CONTENT, "--limit", "-1"))
    assert code == 2


def test_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, *build_args(tmp_path))
    good = [str(tmp_path / "public" / n) for n in ("rss.xml", "atom.xml", "feed.json")]
    code, _, err = run(capsys, "validate", *good)
    assert code == 0 and err.splitlines() == [f"{name}: ok" for name in good]
    bad = str(DATA / "check" / "rss-duplicate-guid.xml")
    code, out, _ = run(capsys, "validate", "--format", "json", bad)
    assert code == 1
    assert json.loads(out) == [{"file": bad, "ok": False, "errors": ["guid 'x' is used 2 times"]}]


def test_shared_corpus_builds_valid_feeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], shared: Path  # noqa: F811
) -> None:
    code, _, err = run(capsys, *build_args(tmp_path, shared / "corpus" / "news", "--limit", "0"))
    assert code == 0, err
    public = tmp_path / "public"
    atom = (public / "atom.xml").read_bytes()
    assert_valid_atom(atom)
    titles = [e.title for e in parse(atom).entries]
    assert "浙江：借势长三角一体化发展 推动共同富裕示范区建设" in titles
    assert len(parse((public / "rss.xml").read_bytes()).entries) == len(titles) >= 12
    code, _, err = run(capsys, "validate", *(str(p) for p in sorted(public.iterdir())))
    assert code == 0, err
