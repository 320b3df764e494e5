"""The generated config.yaml text: defaults, descriptions, optional and required keys."""

from __future__ import annotations

from pydantic import Field

from feeds.cli.config_template import _model_lines, config_yaml, scalar
from feeds.config.base import Section


class Inner(Section):
    """An inner section."""

    name: str = Field(description="Required name.")
    size: int = Field(default=3, description="How many.")


class Outer(Section):
    """Outer."""

    inner: Inner | None = Field(default=None, description="Optional inner section.")
    tags: list[str] = Field(default_factory=lambda: ["a", "b"], description="Some tags.")
    label: str | None = Field(default=None, description="An optional label.")


def test_optional_keys_are_commented_and_lists_written_in_blocks() -> None:
    assert _model_lines(Outer, {}, indent=0) == [
        "",
        "# Optional inner section.",
        "# inner:",
        "",
        "# Some tags.",
        "tags:",
        "  - a",
        "  - b",
        "",
        "# An optional label.",
        "# label:",
    ]


def test_required_keys_inside_a_written_section_are_marked() -> None:
    lines = _model_lines(Outer, {"inner": {"size": 5}}, indent=0)
    assert lines[2:8] == [
        "inner:",
        "  # Required name.",
        "  # name:    (required when this section is used)",
        "  # How many.",
        "  size: 5",
        "",
    ]


def test_values_are_quoted_only_when_yaml_needs_it() -> None:
    assert scalar("My site") == "My site"
    assert scalar("") == "''"
    assert scalar("yes") == "'yes'"
    assert scalar("a: b") == "'a: b'"
    assert scalar(["x"]) == "[x]"


def test_header_and_values_given_override_defaults() -> None:
    text = config_yaml({"site": {"title": "站点"}})
    assert text.startswith("# config.yaml for feeds:")
    assert "\n  title: 站点\n" in text
    assert "\n  title: My site\n" not in text
