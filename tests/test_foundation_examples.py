"""content/: the team's example articles check clean and cover every convention."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from foundation_support import run_cli

CONTENT = Path(__file__).resolve().parents[1] / "content"


def in_copy_of_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Work beside a copy of content/, so no state folder lands in the repository."""
    shutil.copytree(CONTENT, tmp_path / "content")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def report(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
           tmp_path: Path) -> dict[str, Any]:
    in_copy_of_examples(tmp_path, monkeypatch)
    run = run_cli(capsys, "check", "--content", "content", "--format", "json",
                  "--now", "2026-11-26T12:00:00Z")
    assert run.code == 0, run.out
    data: dict[str, Any] = run.json()
    return data


def test_examples_check_clean_and_only_the_draft_is_skipped(report: dict[str, Any]) -> None:
    assert report["problems"] == []
    assert 10 <= report["files"] <= 20
    assert report["articles"] == report["files"] - 1
    assert report["skipped"] == ["content/blog/caching-thoughts.md"]


def test_examples_include_recent_articles_for_the_digest_demo(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    in_copy_of_examples(tmp_path, monkeypatch)
    run = run_cli(capsys, "inspect", "content", "--now", "2026-11-26T12:00:00Z")
    published = [datetime.fromisoformat(a["published"]) for a in run.json()]
    recent = [p for p in published if datetime(2026, 11, 19, 16, tzinfo=UTC) <= p
              < datetime(2026, 11, 26, tzinfo=UTC)]
    assert len(recent) >= 4
    assert all(p < datetime(2026, 11, 26, tzinfo=UTC) for p in published)


@pytest.mark.parametrize(
    ("relative", "marker"),
    [
        ("news/sina/hangzhou-drone-delivery.md", "date: Wed, 25 Nov 2026 02:15:00 GMT"),
        ("news/sina/hangzhou-drone-delivery.md", "            <style>"),  # blank line + 12 spaces
        ("news/sina/hangzhou-drone-delivery.md", ".appendQr_wrap&#123;"),
        ("news/sina/hangzhou-drone-delivery.md", 'class="article-editor">责任编辑：'),
        ("news/sina/hangzhou-drone-delivery.md", 'class="keyword"'),
        ("news/sina/hangzhou-drone-delivery.md", "　　作者："),
        ("news/oschina/litestore-3-released.md", "date: 2026年11月18日 14:20"),
        ("blog/writing-feeds-readers-love.md", "<!-- more -->"),
        ("blog/writing-feeds-readers-love.md", "https://example.com/images/"),
        ("blog/lantern-festival-photos.md", "updated: "),
        ("blog/lantern-festival-photos.md", "](lantern.png)"),
        ("blog/lantern-festival-photos.md", "author:\n  name: "),
        ("blog/caching-thoughts.md", "draft: true"),
        ("blog/_posts/2026-11-9-jekyll-style-notes.md", "layout: post"),
        ("notes/timezones-are-not-offsets.md", "lastmod = "),
        ("notes/weekend-reading.md", '"date": 1794621600'),
        ("notes/moving-to-a-new-domain.md", "guid: "),
        ("pages/release-notes-0-9.html", "<article>"),
    ],
)
def test_examples_cover_each_convention(relative: str, marker: str) -> None:
    assert marker in (CONTENT / relative).read_text(encoding="utf-8")


def test_the_local_example_image_is_a_real_png() -> None:
    from PIL import Image

    with Image.open(CONTENT / "blog" / "lantern.png") as image:
        assert image.format == "PNG" and image.size == (160, 96)


def test_the_jekyll_example_has_no_date_field() -> None:
    text = (CONTENT / "blog" / "_posts" / "2026-11-9-jekyll-style-notes.md").read_text("utf-8")
    front_matter = text.split("---")[1]
    assert "date" not in front_matter
