"""Settings as text for cache keys, without pydantic's serializer.

``model_dump_json`` builds a section's serializer the first time it is called (the schema
is built on first use: see ``defer_build`` in feeds.config.base). A config read back from
the memo (feeds.config.memo) has built none, and building them for a handful of cache keys
would cost every incremental build more than the memo saves. The memo's frozen copies
(feeds.config.frozen) give the same text as the models they were made from, and reading
them imports no pydantic.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any


def settings_text(section: Any, exclude: Collection[str] = ()) -> str:
    """Every field of ``section`` (nested sections too) as text that changes whenever a
    value does: the same for equal settings in any process."""
    return repr(_section(section, exclude))


def _section(section: Any, exclude: Collection[str] = ()) -> tuple[str, tuple[Any, ...]]:
    names = [name for name in _fields(section) if name not in exclude]
    return type(section).__name__, tuple((name, _plain(getattr(section, name))) for name in names)


def _plain(value: Any) -> Any:
    """Sections and containers as tuples of their parts; other values as they are (their
    repr is deterministic: str, numbers, bools, None, paths, durations, enums)."""
    if _fields(value) is not None:
        return _section(value)
    if isinstance(value, list | tuple):
        return tuple(_plain(item) for item in value)
    if isinstance(value, dict):
        return tuple((key, _plain(item)) for key, item in value.items())
    if isinstance(value, set | frozenset):  # their order changes with the hash seed
        return tuple(sorted(repr(_plain(item)) for item in value))
    return value


def _fields(value: Any) -> Any:
    """The field names of a section, a pydantic model or its frozen copy; None otherwise."""
    return getattr(type(value), "model_fields", None)
