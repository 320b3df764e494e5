"""A validated config as plain frozen records: what the config memo keeps.

Importing pydantic and defining the schema's sections costs ~80 ms of every start, a sixth
of a rebuild after one article changed. A config read back from the memo (feeds.config.memo)
is a tree of these records instead: the same field values in the same order, the same
methods (taken from the section's mixin in feeds.config.behaviour), equality and hashing by
value as pydantic's frozen models have them; and neither pydantic nor the schema is
imported to read it. Only what a section holds is kept: nothing validates it again.
"""

from __future__ import annotations

from typing import Any, ClassVar

from feeds.config.behaviour import Behaviour


class Frozen:
    """One section's values, read-only. ``model_fields`` names the fields in schema order,
    as the pydantic class's own does (feeds.config.canonical reads either)."""

    model_fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, values: dict[str, Any]) -> None:
        object.__setattr__(self, "__dict__", values)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((type(self).__name__, *self.__dict__.values()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self.__dict__.items())
        return f"{type(self).__name__}({shown})"

    def __reduce__(self) -> tuple[Any, ...]:
        cls = type(self)
        behaviour = cls.__mro__[1] if cls.__mro__[1] is not Frozen else None
        return _restore, (behaviour, cls.__name__, cls.model_fields, tuple(self.__dict__.values()))


_CLASSES: dict[tuple[type | None, str, tuple[str, ...]], type[Frozen]] = {}


def frozen_class(behaviour: type | None, name: str, fields: tuple[str, ...]) -> type[Frozen]:
    """The record class of a section called ``name`` with ``fields`` and the methods of
    ``behaviour`` (one class per combination, made once per process)."""
    key = (behaviour, name, fields)
    cls = _CLASSES.get(key)
    if cls is None:
        bases = (behaviour, Frozen) if behaviour is not None else (Frozen,)
        cls = _CLASSES[key] = type(name, bases, {"model_fields": fields, "__module__": __name__})
    return cls


def _restore(
    behaviour: type | None, name: str, fields: tuple[str, ...], values: tuple[Any, ...]
) -> Frozen:
    return frozen_class(behaviour, name, fields)(dict(zip(fields, values, strict=True)))


def freeze(value: Any) -> Any:
    """``value`` with every pydantic section in it (lists and tuples of them too) made a
    :class:`Frozen` record; other values as they are."""
    fields = getattr(type(value), "__pydantic_fields__", None)
    if fields is not None:
        names = tuple(fields)
        behaviour = next((b for b in type(value).__mro__ if _is_mixin(b)), None)
        cls = frozen_class(behaviour, type(value).__name__, names)
        return cls({name: freeze(getattr(value, name)) for name in names})
    if isinstance(value, list):
        return [freeze(item) for item in value]
    if isinstance(value, tuple):
        return tuple(freeze(item) for item in value)
    if isinstance(value, dict):
        return {key: freeze(item) for key, item in value.items()}
    return value


def _is_mixin(cls: type) -> bool:
    return issubclass(cls, Behaviour) and cls is not Behaviour and cls.__module__ == _MIXINS


_MIXINS = Behaviour.__module__
