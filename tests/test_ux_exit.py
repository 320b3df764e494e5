"""The console script's quick exit: output complete, exit code kept, at-exit handlers run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# the real entry point, with an at-exit handler of its own to show that handlers still run
ENTRY = """
import atexit, sys
atexit.register(lambda: print("at-exit handler ran", file=sys.stderr))
from feeds.cli import run
sys.argv = ["feeds", *sys.argv[1:]]
run()
"""
POST = "---\ntitle: Post {n}\ndate: 2026-11-{n:02d} 08:00:00\n---\n\n<p>Body {n}.</p>\n"


def feeds(cwd: Path, *args: str, workers: str = "1") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FEEDS_WORKERS": workers}
    return subprocess.run([sys.executable, "-c", ENTRY, *args], cwd=cwd, capture_output=True,
                          text=True, check=False, env=env)


def site(root: Path, posts: int) -> Path:
    content = root / "content"
    content.mkdir()
    for n in range(1, posts + 1):
        (content / f"post-{n}.md").write_text(POST.format(n=n % 28 + 1), encoding="utf-8")
    return content


def test_a_build_with_worker_processes_prints_its_whole_report_and_exits_0(
    tmp_path: Path,
) -> None:
    site(tmp_path, 60)
    done = feeds(tmp_path, "build", "--content", "content", "--site-url", "https://e.com/",
                 "--format", "json", "--limit", "0", workers="2")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)  # flushed whole before the process ended
    assert report["counts"]["articles"] == 60 and len(report["written"]) == 3
    assert "at-exit handler ran" in done.stderr
    assert all((tmp_path / "public" / name).is_file() for name in ("rss.xml", "atom.xml"))


def test_exit_codes_survive_the_quick_exit(tmp_path: Path) -> None:
    site(tmp_path, 2)
    (tmp_path / "bad.yaml").write_text("site: {url: 3}\nnope: 1\n", encoding="utf-8")
    bad = feeds(tmp_path, "build", "--config", "bad.yaml")
    assert bad.returncode == 2 and "nope" in bad.stderr
    assert "at-exit handler ran" in bad.stderr
    (tmp_path / "content" / "broken.md").write_text("---\ntitle: [\n---\nx\n", encoding="utf-8")
    checked = feeds(tmp_path, "check", "--content", "content", "--format", "json")
    assert checked.returncode == 1
    report = json.loads(checked.stdout)
    assert report["files"] == 3 and report["articles"] == 2
    assert [p["severity"] for p in report["problems"]] == ["error"]
