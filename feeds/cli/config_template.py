"""The commented config.yaml that ``feeds init`` writes, generated from the config schema.

Generated (not a hand-kept copy) so that every key, default and description stays true as
the schema grows: each key is written with its default and its description as a comment;
keys without a default are written commented out (with the field's example, if it has one).
"""

from __future__ import annotations

import textwrap
import typing
from collections.abc import Mapping
from datetime import timedelta
from pathlib import PurePath
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from feeds.config.base import model_in
from feeds.config.root import Config

WIDTH = 98
_MISSING: Any = object()

HEADER = """\
# config.yaml for feeds: every key is shown with its default; change what you need and delete
# the rest. Relative paths are relative to this file. Secrets (the SMTP password) are never
# written here: use ${VARIABLE} references to the environment.
# Check it with: feeds check     Build with: feeds build     Preview with: feeds serve
"""


def config_yaml(values: Mapping[str, Any]) -> str:
    """The whole file: the schema's defaults, with ``values`` (nested like the YAML) over them."""
    lines = _model_lines(Config, values, indent=0)
    return HEADER + "\n".join(lines) + "\n"


def _model_lines(model: type[BaseModel], values: Mapping[str, Any], indent: int) -> list[str]:
    lines: list[str] = []
    for name, field in model.model_fields.items():
        key = field.alias or name
        if indent == 0:
            lines.append("")
        lines += _comment(_describe(field), indent)
        lines += _field_lines(key, field, values.get(key, _MISSING), indent)
    return lines


def _describe(field: FieldInfo) -> str:
    """The field's description, else its section's docstring; lists of records name their keys."""
    model = model_in(field.annotation)
    text = field.description or (_first_paragraph(model.__doc__) if model else "")
    if model is not None and typing.get_origin(field.annotation) is list:
        keys = ", ".join(f.alias or k for k, f in model.model_fields.items())
        text += f" Keys of each entry: {keys}."
    return text


def _field_lines(key: str, field: FieldInfo, given: Any, indent: int) -> list[str]:
    pad = " " * indent
    if given is _MISSING and field.is_required():
        return [f"{pad}# {key}:    (required when this section is used)"]
    value = _default(field) if given is _MISSING else given
    section = model_in(field.annotation)
    if value is None or (value == [] and field.examples):
        return _example_lines(key, field, indent)
    if section is not None and typing.get_origin(field.annotation) is not list:
        nested = value if isinstance(value, Mapping) else {}
        return [f"{pad}{key}:", *_model_lines(section, nested, indent + 2)]
    return _value_lines(key, value, indent)


def _example_lines(key: str, field: FieldInfo, indent: int) -> list[str]:
    """An unset key, commented out; with the field's first example when it has one, so the
    reader sees the shape (``# build: {every: 10m}``), one flow-style line per list entry."""
    pad = " " * indent
    example = field.examples[0] if field.examples else None
    if example is None:
        return [f"{pad}# {key}:"]
    if isinstance(example, list):
        return [f"{pad}# {key}:", *(f"{pad}#   - {scalar(item)}" for item in example)]
    return [f"{pad}# {key}: {scalar(example)}"]


def _default(field: FieldInfo) -> Any:
    """The default as it would be written in YAML (sections as {}, records as mappings)."""
    if field.default_factory is None:
        return _plain(field.default)
    made = field.default_factory()  # type: ignore[call-arg]
    if isinstance(made, BaseModel):
        return {}
    return _plain(made)


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, timedelta):
        from feeds.config.behaviour import format_duration

        return format_duration(value)
    return value


def _value_lines(key: str, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, list) and value:
        dumped = yaml.safe_dump(
            value, allow_unicode=True, sort_keys=False, default_flow_style=False, width=WIDTH
        )
        return [f"{pad}{key}:", *(f"{pad}  {line}" for line in dumped.splitlines())]
    if isinstance(value, Mapping) and value:
        dumped = yaml.safe_dump(dict(value), allow_unicode=True, sort_keys=False, width=WIDTH)
        return [f"{pad}{key}:", *(f"{pad}  {line}" for line in dumped.splitlines())]
    return [f"{pad}{key}: {scalar(value)}"]


def scalar(value: Any) -> str:
    """One YAML scalar (or empty collection) on one line, quoted only when needed."""
    text = yaml.safe_dump(
        value, allow_unicode=True, default_flow_style=True, sort_keys=False, width=10**6
    )
    return text.removesuffix("\n").removesuffix("\n...").strip()


def _first_paragraph(doc: str | None) -> str:
    return " ".join((doc or "").strip().split("\n\n")[0].split())


def _comment(text: str, indent: int) -> list[str]:
    if not text:
        return []
    pad = " " * indent + "# "
    return textwrap.wrap(text, WIDTH - len(pad), initial_indent=pad, subsequent_indent=pad)
