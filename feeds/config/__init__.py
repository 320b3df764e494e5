"""Configuration: a declared schema (pydantic models) validated once into frozen types."""

from feeds.config.loader import default_config, load_config
from feeds.config.root import Config

__all__ = ["Config", "default_config", "load_config"]
