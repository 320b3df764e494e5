"""`feeds serve` as a user runs it: init, serve, edit an article, see the feed follow."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from feeds.cli import main


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode("utf-8"))


def wait_for(url: str, text: str, deadline: float) -> str:
    """Poll until the page holds ``text``: the rebuild runs in the server's own time."""
    while True:
        page = fetch(url)
        if text in page or time.monotonic() > deadline:
            return page
        time.sleep(0.1)


def test_serve_builds_rebuilds_and_stops(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["init", str(tmp_path), "-q"])
    process = subprocess.Popen(
        [sys.executable, "-m", "feeds", "serve", "--port", "0", "-v"],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stderr is not None
        lines = [process.stderr.readline() for _ in range(2)]
        assert lines[0].startswith("built at "), lines
        match = re.match(r"serving on (http://127\.0\.0\.1:\d+/)", lines[1])
        assert match, lines
        url = match.group(1)
        assert "Hello, feeds" in fetch(url + "rss.xml")
        assert f'href="{url}atom.xml"' in fetch(url)
        article = tmp_path / "content" / "hello-feeds.md"
        article.write_text(article.read_text(encoding="utf-8").replace(
            "title: Hello, feeds", "title: Edited while serving"), encoding="utf-8")
        page = wait_for(url + "rss.xml", "Edited while serving", time.monotonic() + 15)
        assert "Edited while serving" in page
        # the watcher survives its first rebuild: a second edit is picked up too
        article.write_text(article.read_text(encoding="utf-8").replace(
            "Edited while serving", "Edited twice"), encoding="utf-8")
        page = wait_for(url + "rss.xml", "Edited twice", time.monotonic() + 15)
        assert "Edited twice" in page
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert "stopped" in err
    assert "Traceback" not in err
    assert '"GET /rss.xml HTTP/1.1" 200' in err  # -v logs requests
