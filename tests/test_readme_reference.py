"""The README's configuration reference is generated from the schema and must not drift."""

from pathlib import Path

from feeds.config.reference import END, START, render_reference, splice

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_reference_matches_schema() -> None:
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text
    assert splice(text) == text, (
        "README.md's configuration reference is stale: "
        "run .venv/bin/python -m feeds.config.reference --write README.md"
    )


def test_reference_lists_every_top_level_section() -> None:
    reference = render_reference()
    for key in ("site", "content", "output", "state", "cleaning", "thumbnails", "feeds",
                "digests", "schedule", "mail"):
        assert f"| `{key}" in reference
