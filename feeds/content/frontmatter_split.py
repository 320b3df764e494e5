"""Splitting front matter from the body: YAML (---), TOML (+++) or JSON ({...}).

python-frontmatter's handlers find the boundaries; the values are parsed here with PyYAML's
C loader (several times faster than the pure-Python one on large archives).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml
from frontmatter.default_handlers import BaseHandler, JSONHandler, YAMLHandler

from feeds.content.yamlfast import load_simple

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _TomlBoundaries(BaseHandler):
    """python-frontmatter only defines its TOML handler when the old ``toml`` package is
    installed; the boundaries are all we need from it (values go through tomllib)."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"


_HANDLERS = (("yaml", YAMLHandler()), ("toml", _TomlBoundaries()), ("json", JSONHandler()))


class FrontMatterError(ValueError):
    """Front matter is present but cannot be parsed."""


@dataclass(frozen=True, slots=True)
class SplitText:
    metadata: dict[str, Any]
    body: str
    kind: str  # "yaml" | "toml" | "json" | "none"
    raw: str = ""


def split_front_matter(text: str) -> SplitText:
    """Metadata and body; a text with no front matter gives empty metadata."""
    found = _boundaries(text)
    if found is None:
        return SplitText({}, text, "none")
    kind, raw, body, skipped_lines = found
    return SplitText(_parse(kind, raw, skipped_lines), body, kind, raw)


def body_of(text: str) -> str:
    """The body :func:`split_front_matter` gives, without parsing the front matter: for a
    text whose metadata is known already (FrontMatterError when it is not closed)."""
    found = _boundaries(text)
    return text if found is None else found[2]


def _boundaries(text: str) -> tuple[str, str, str, int] | None:
    """(kind, raw front matter, body, lines before it) of the front matter that opens
    ``text``; None when none does."""
    stripped = text.lstrip("\n \t")
    for kind, handler in _HANDLERS:
        if handler.detect(stripped):
            raw, body = _split(handler, stripped, kind)
            return kind, raw, body, text[: len(text) - len(stripped)].count("\n")
    return None


def _split(handler: Any, text: str, kind: str) -> tuple[str, str]:
    try:
        raw, body = handler.split(text)
    except ValueError:
        raise FrontMatterError(f"{kind.upper()} front matter is not closed") from None
    return raw, body


class _TomlError(ValueError):
    """TOML front matter tomllib refused (tomllib is imported for the rare post that has it)."""


def _toml(raw: str) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise _TomlError(str(exc)) from None


def _parse(kind: str, raw: str, skipped_lines: int = 0) -> dict[str, Any]:
    try:
        if kind == "yaml":
            data = load_simple(raw)
            if data is None:
                data = yaml.load(raw, Loader=_Loader)
        elif kind == "toml":
            data = _toml(raw)
        else:
            data = json.loads(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        # raw starts right after the opening '---' (with its newline): line 0 of raw is
        # the delimiter's own line, so the file line is mark.line + 1 (+ skipped blank lines)
        line = mark.line + 1 + skipped_lines if mark else 0
        where = f" at line {line}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or "invalid YAML"
        raise FrontMatterError(f"invalid YAML front matter{where}: {reason}") from None
    except (_TomlError, json.JSONDecodeError) as exc:
        raise FrontMatterError(f"invalid {kind.upper()} front matter: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError(
            f"front matter must be a mapping of keys to values, got {type(data).__name__}"
        )
    return {str(k): v for k, v in data.items()}


def raw_scalar(raw: str, key: str) -> str | None:
    """The text of a top-level YAML scalar as written (so `title: 1.10` stays '1.10')."""
    try:
        node = yaml.compose(raw, Loader=_Loader)
    except yaml.YAMLError:
        return None
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if key_node.value == key and isinstance(value_node, yaml.ScalarNode):
            return str(value_node.value)
    return None


def raw_number(raw: str, key: str) -> str | None:
    """A top-level TOML or JSON number as written (``title = 1.10`` stays '1.10')."""
    key_pattern = rf'(?:"{re.escape(key)}"|{re.escape(key)})'
    match = re.search(rf"^\s*{key_pattern}\s*[=:]\s*([-+]?[0-9][0-9_.eE+-]*)\s*,?\s*$",
                      raw, re.MULTILINE)
    return match.group(1) if match else None
