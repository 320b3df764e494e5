"""/_digest/NAME renders the real digest (the digest package's templates) for a sample
reader, and leaves the send ledger alone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import html

from feeds.config import default_config
from feeds.serve.preview import digest_preview

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def test_preview_shows_the_new_articles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDS_SECRET", "test-secret-for-preview")
    content = tmp_path / "content"
    content.mkdir()
    (content / "fresh.md").write_text(
        "---\ntitle: Fresh news\ndate: 2026-11-26 07:00:00\n---\nToday's body.\n",
        encoding="utf-8")
    (content / "old.md").write_text(
        "---\ntitle: Old news\ndate: 2026-10-01 07:00:00\n---\nOld body.\n", encoding="utf-8")
    config = default_config(
        {"site": {"title": "Preview site"}, "content": {"dirs": [str(content)]},
         "state": str(tmp_path / "state"), "digests": [{"name": "daily"}]},
        base_dir=tmp_path,
    )
    page = digest_preview(config, "daily", NOW)
    titles = html.fromstring(page).xpath("//a/text()")
    assert any("Fresh news" in t for t in titles)
    assert not any("Old news" in t for t in titles)
    # read-only: preview twice, same page (no run recorded that would move the period)
    assert digest_preview(config, "daily", NOW) == page
