"""Reading config.yaml: YAML with line numbers, ${ENV} references, overrides, validation.

Every problem is reported at once, each with its key path and line:
``feeds[1].format: expected one of 'atom', 'json', 'rss'; got 'rdf' (config.yaml:14)``.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from feeds.config.base import model_in
from feeds.config.root import Config
from feeds.errors import ConfigError

Loc = tuple[str | int, ...]
ENV_PATTERN = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
SECRET_KEYS = {"password"}  # kept as ${VAR} and read from the environment when used
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def default_config(
    overrides: Mapping[str, Any] | None = None, base_dir: Path | None = None
) -> Config:
    """The configuration used when there is no config file: defaults plus command-line flags."""
    return _validate(dict(overrides or {}), base_dir or Path.cwd(), {}, "(flags)")


def load_config(path: Path, overrides: Mapping[str, Any] | None = None) -> Config:
    """Read, expand and validate ``path``; raise ConfigError listing every problem."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise ConfigError([f"{path}: not valid YAML: {_yaml_reason(exc)}"]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError([f"{path}: expected a mapping of sections at the top level"])
    lines = _line_map(node) if node is not None else {}
    data, env_problems = _expand_env(data, (), lines, path.name)
    data = _merge(data, overrides or {})
    try:
        config = _validate(data, path.resolve().parent, lines, path.name)
    except ConfigError as exc:
        # a key whose ${VAR} is unset is reported once, not again as an invalid value
        unset = {problem.split(": ", 1)[0] for problem in env_problems}
        rest = [p for p in exc.problems if p.split(": ", 1)[0] not in unset]
        raise ConfigError(env_problems + rest, exc.hint) from None
    if env_problems:
        raise ConfigError(env_problems)
    return config


def _validate(data: dict[str, Any], base_dir: Path, lines: dict[Loc, int], name: str) -> Config:
    try:
        return Config.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as exc:
        described = [_describe(err, data, lines, name) for err in exc.errors()]
        # in the order they are written in the file (pydantic groups unknown keys last)
        problems = [text for _, text in sorted(described, key=lambda item: item[0])]
        raise ConfigError(problems, hint="see the configuration reference in README.md") from None


def _describe(err: Any, data: Any, lines: dict[Loc, int], name: str) -> tuple[int, str]:
    """The line (0 when unknown) and the text of one validation problem."""
    loc = _data_loc(err["loc"], data)
    where = _format_loc(loc) or "(top level)"
    message = _message(err, loc)
    line = _nearest_line(loc, lines)
    suffix = f" ({name}:{line})" if line else ""
    return line or 0, f"{where}: {message}{suffix}"


def _message(err: Any, loc: Loc) -> str:
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "literal_error":
        options = ", ".join(sorted(re.findall(r"'[^']*'", str(ctx.get("expected", "")))))
        return f"expected one of {options}; got {value!r}"
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else "?"
        known = _known_keys(loc[:-1])
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f" (known keys: {', '.join(known)})"
        return f"unknown key {key!r}{hint}"
    if kind == "missing":
        return "required, but missing"
    text = str(err["msg"]).removeprefix("Value error, ")
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"{text[0].lower()}{text[1:]}; got {value!r}"
    return text


def _known_keys(loc: Loc) -> list[str]:
    """The keys allowed at ``loc``, found by walking the Config model's type hints."""
    model: Any = Config
    for part in loc:
        if isinstance(part, int):
            continue
        found = model_in(model)
        field = found.model_fields.get(str(part)) if found is not None else None
        if field is None:
            return []
        model = field.annotation
    found = model_in(model)
    if found is None:
        return []
    return sorted(f.alias or k for k, f in found.model_fields.items())


def _data_loc(loc: tuple[Any, ...], data: Any) -> Loc:
    """Drop pydantic's union-member labels so the path names keys the user wrote."""
    kept: list[str | int] = []
    node = data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            kept.append(part)
            node = node[part]
        elif isinstance(part, str) and "[" not in part and not part[:1].isupper():
            kept.append(part)  # a missing or unknown key
            node = None
    return tuple(kept)


def _format_loc(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _nearest_line(loc: Loc, lines: dict[Loc, int]) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def _line_map(node: yaml.Node, loc: Loc = ()) -> dict[Loc, int]:
    """Key path -> 1-based line where that key (or list item) is written."""
    lines: dict[Loc, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*loc, str(key_node.value))
            lines[child] = key_node.start_mark.line + 1
            lines.update(_line_map(value_node, child))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*loc, index)
            lines[child] = item.start_mark.line + 1
            lines.update(_line_map(item, child))
    return lines


def _expand_env(value: Any, loc: Loc, lines: dict[Loc, int], name: str) -> tuple[Any, list[str]]:
    """Replace ${VAR} with the environment's value; secrets stay references until used."""
    problems: list[str] = []
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            out[key], sub = _expand_env(item, (*loc, str(key)), lines, name)
            problems += sub
        return out, problems
    if isinstance(value, list):
        items = []
        for index, item in enumerate(value):
            expanded, sub = _expand_env(item, (*loc, index), lines, name)
            items.append(expanded)
            problems += sub
        return items, problems
    if not isinstance(value, str) or (loc and loc[-1] in SECRET_KEYS):
        return value, problems

    def replace(match: re.Match[str]) -> str:
        var = match.group(1)
        if var not in os.environ:
            line = _nearest_line(loc, lines)
            problems.append(
                f"{_format_loc(loc)}: environment variable {var} is not set ({name}:{line})"
            )
            return match.group(0)
        return os.environ[var]

    return ENV_PATTERN.sub(replace, value), problems


def resolve_secret(reference: str | None) -> str | None:
    """Read a ``${VAR}`` secret from the environment at the moment it is needed."""
    if reference is None:
        return None
    match = ENV_PATTERN.fullmatch(reference)
    return os.environ.get(match.group(1)) if match else None


def _merge(base: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _yaml_reason(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})" if mark else problem
