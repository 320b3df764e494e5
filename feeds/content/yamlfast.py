"""A fast path for the flat YAML front matter nearly every post has; PyYAML for the rest.

Front matter is mostly ``key: value`` lines, a flow list (``tags: [a, b]``) or a block list
(``categories:`` then ``- item`` lines). PyYAML's C loader still builds Python event and node
objects for each of them, the largest single cost of reading a post. Here such lines are
split by hand; what each scalar *means* (a string, a bool, a number, a date) is decided by
PyYAML's own resolver and constructors, so the values are the same. Anything else (nesting,
anchors, multi-line or escaped strings, comments after values, tabs) is not "simple": the
caller parses the whole text with PyYAML, errors and all.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*?))? *\Z")
_ITEM_LINE = re.compile(r" *- +(.*?) *\Z")
# a plain scalar may not start with an indicator, nor hold ": " or " #" (then it is not plain)
_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@`")
# YAML's other line breaks and a BOM; and the characters its reader refuses, with the
# pattern PyYAML compiled already (compiling the two as one cost 2.5 ms of every start)
_OTHER_BREAKS = re.compile("[\x85\u2028\u2029\ufeff]")
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE
_RESOLVER = Resolver()
# the first characters PyYAML tries implicit types for (bool, int, float, null, timestamp…):
# a plain scalar starting with any other character is a string, as resolve() would say,
# without its call (a dozen per post; titles and categories rarely start with one)
_TYPED_FIRST = frozenset(_RESOLVER.yaml_implicit_resolvers)
_TYPED_ANY = None in _TYPED_FIRST  # a resolver for every first character: none by default
_CONSTRUCTOR = SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_BUILDERS = {
    "tag:yaml.org,2002:bool": _CONSTRUCTOR.construct_yaml_bool,
    "tag:yaml.org,2002:int": _CONSTRUCTOR.construct_yaml_int,
    "tag:yaml.org,2002:float": _CONSTRUCTOR.construct_yaml_float,
    "tag:yaml.org,2002:null": _CONSTRUCTOR.construct_yaml_null,
    "tag:yaml.org,2002:timestamp": _CONSTRUCTOR.construct_yaml_timestamp,
}


class _NotSimple(Exception):
    """The text needs the real parser."""


def load_simple(raw: str) -> dict[str, Any] | None:
    """The mapping of a flat front matter, as PyYAML would load it; None when not flat."""
    if "\t" in raw or _OTHER_BREAKS.search(raw) or _NON_PRINTABLE.search(raw):
        return None  # tabs, other line breaks, characters PyYAML refuses: its business
    try:
        return _load(raw.split("\n"))
    except _NotSimple:
        return None


def _load(lines: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    listing: str | None = None  # the key whose block list is being read
    indent = -1  # the indentation of that list's items
    for line in lines:
        bare = line.lstrip(" ")
        if not bare or bare[0] == "#":
            continue  # blank lines and whole-line comments
        if line[0] == " " or line[0] == "-":
            match = _ITEM_LINE.match(line)
            if listing is None or match is None:
                raise _NotSimple
            if indent == -1:
                indent, data[listing] = len(line) - len(bare), []
            elif len(line) - len(bare) != indent:
                raise _NotSimple  # deeper items continue a scalar: PyYAML's to fold
            data[listing].append(_scalar(match.group(1), flow=False))
            continue
        match = _KEY_LINE.match(line)
        if match is None:
            raise _NotSimple
        key, value = match.group(1), match.group(2)
        if key in data or _resolve(key) != _STR:
            raise _NotSimple  # duplicate keys, or keys such as "yes" that are not strings
        listing, indent = None, -1
        if not value:
            data[key] = None  # "key:" alone is null, unless list items follow
            listing = key
        else:
            data[key] = _flow_list(value) if value[0] == "[" else _scalar(value, flow=False)
    return data


def _resolve(text: str) -> str:
    """The tag PyYAML's resolver gives the plain scalar ``text`` (never empty here)."""
    if text[0] not in _TYPED_FIRST and not _TYPED_ANY:
        return _STR
    return _RESOLVER.resolve(ScalarNode, text, (True, False))


def _flow_list(value: str) -> list[Any]:
    if not value.endswith("]") or any(c in value[1:-1] for c in "[]{}'\"#"):
        raise _NotSimple
    inner = value[1:-1].strip()
    if not inner:
        return []
    parts = [part.strip() for part in inner.split(",")]
    if parts and parts[-1] == "":
        parts.pop()  # a trailing comma is allowed in a flow sequence
    return [_scalar(part, flow=True) for part in parts]


def _scalar(text: str, flow: bool) -> Any:
    if not text:
        raise _NotSimple
    first = text[0]
    if first == "'":
        if len(text) < 2 or not text.endswith("'") or "'" in text[1:-1].replace("''", ""):
            raise _NotSimple
        return text[1:-1].replace("''", "'")
    if first == '"':
        if len(text) < 2 or not text.endswith('"') or '"' in text[1:-1] or "\\" in text:
            raise _NotSimple
        return text[1:-1]
    if first in _PLAIN_START or ": " in text or " #" in text or text.endswith(":"):
        raise _NotSimple
    if flow and any(c in text for c in ",[]{}"):
        raise _NotSimple
    tag = _resolve(text)
    if tag == _STR:
        return text
    builder = _BUILDERS.get(tag)
    if builder is None:
        raise _NotSimple  # merge keys, "=" values: leave them to PyYAML
    try:
        return builder(ScalarNode(tag, text))
    except (ValueError, yaml.YAMLError) as exc:
        raise _NotSimple from exc
