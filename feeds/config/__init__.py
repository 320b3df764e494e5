"""Configuration: a declared schema (pydantic models) validated once into frozen types.

The names below are imported on first use: a build whose config comes from the memo
(feeds.config.memo) reads parts of this package without the schema or pydantic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from feeds.config.loader import default_config, load_config
    from feeds.config.root import Config

__all__ = ["Config", "default_config", "load_config"]


def __getattr__(name: str) -> Any:
    if name == "Config":
        from feeds.config.root import Config

        return Config
    if name in ("default_config", "load_config"):
        from feeds.config import loader

        return getattr(loader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
