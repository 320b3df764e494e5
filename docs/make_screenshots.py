"""Pictures for the README: the digest on desktop and phone, and a feed page in a browser.

Builds the example site (config.yaml + content/ of this repository) into a temporary folder
at a fixed moment, serves it with the development server on 127.0.0.1, and photographs it
with headless Chromium:

    python docs/make_screenshots.py          # or: make screenshots
    CHROMIUM=/path/to/chrome python docs/make_screenshots.py

Writes docs/digest-desktop.png, docs/digest-phone.png and docs/feed-page.png.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # the example content's latest week
# (file, path on the server, width, height, extra flags). The feed page is shot with XSLT
# off: Chromium is removing XSLT (156 shows a removal banner on XSLT pages), so the page
# people will see is the feed.css rendering that the feed also names.
SHOTS = (
    ("digest-desktop.png", "/_digest/daily", 600, 1500, ()),
    ("digest-phone.png", "/_digest/daily", 375, 1300, ()),
    ("feed-page.png", "/rss.xml", 1000, 1100, ("--disable-features=XSLT",)),
)
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--force-device-scale-factor=1", "--virtual-time-budget=5000",
)


def find_chromium() -> str:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", "chromium",
                      "chromium-browser", "google-chrome"):
        if candidate and shutil.which(candidate):
            return str(shutil.which(candidate))
    raise SystemExit("make_screenshots: no Chromium found (install chromium or set CHROMIUM)")


def example_config(work: Path) -> Any:
    """The repository's example config, built into ``work`` with the feed stylesheet on and a
    weekly-window digest so the picture has a week of articles in it."""
    from feeds.config import load_config

    overrides = {
        "output": str(work / "public"),
        "state": str(work / "state"),
        "feeds": [
            {"name": "rss", "format": "rss", "path": "rss.xml", "stylesheet": True},
            {"name": "atom", "format": "atom", "path": "atom.xml", "stylesheet": True},
        ],
        "digests": [{"name": "daily", "title": "Feeds Example News · daily",
                     "first_window": "7d", "group_by": "category"}],
    }
    return load_config(ROOT / "config.yaml", overrides)


def shoot(chromium: str, url: str, out: Path, size: tuple[int, int], extra: tuple[str, ...],
          profile: Path) -> None:
    width, height = size
    command = [chromium, *CHROMIUM_FLAGS, *extra, f"--user-data-dir={profile}",
               f"--window-size={width},{height}", f"--screenshot={out}", url]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0 or not out.is_file():
        raise SystemExit(f"make_screenshots: chromium failed for {url}:\n{result.stderr[-2000:]}")
    print(f"wrote {out.relative_to(ROOT)} ({width}x{height})")


def main() -> int:
    from feeds.build import run_build
    from feeds.serve.app import DevSite, make_app
    from feeds.serve.preview import digest_preview
    from feeds.serve.server import DevServer

    chromium = find_chromium()
    os.environ.setdefault("FEEDS_SECRET", "screenshots-only-secret")
    with tempfile.TemporaryDirectory(prefix="feeds-shots-") as temp:
        work = Path(temp)
        config = example_config(work)
        report = run_build(config, now=NOW)
        if report.failed:
            raise SystemExit(f"make_screenshots: build failed: {report.failed}")
        app = make_app(DevSite(config), clock=lambda: NOW, preview=digest_preview)
        with DevServer(app, "127.0.0.1", 0) as server:
            for name, path, width, height, extra in SHOTS:
                shoot(chromium, server.url.rstrip("/") + path, ROOT / "docs" / name,
                      (width, height), extra, work / "profile")
    return 0


if __name__ == "__main__":
    sys.exit(main())
