"""Shared pieces of the config schema: the frozen section base and common field types."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationInfo

from feeds.config.paths import config_path


class Section(BaseModel):
    """A config section: frozen, and unknown keys are errors (reported with a suggestion)."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", validate_default=True, revalidate_instances="always",
        defer_build=True,  # built on first validation: a memoized config never needs it
    )


def _resolve_path(value: Path, info: ValidationInfo) -> Path:
    """Relative paths are taken relative to the config file, not the working directory."""
    base = (info.context or {}).get("base_dir")
    return config_path(value, Path(base) if base is not None else None)


ConfigPath = Annotated[Path, AfterValidator(_resolve_path)]


def _check_site_url(value: str) -> str:
    if not value.startswith(("http://", "https://")) or value.rstrip("/")[-3:] == "://":
        raise ValueError(
            f"expected an absolute http(s) URL such as https://example.com/, got {value!r}"
        )
    return value if value.endswith("/") else value + "/"


SiteUrl = Annotated[str, AfterValidator(_check_site_url)]


def _check_relative_output(value: str) -> str:
    """Output paths stay inside the output directory: no absolute paths, no '..'."""
    parts = Path(value).parts
    if Path(value).is_absolute() or ".." in parts or not value.strip():
        raise ValueError(f"expected a path inside the output directory, got {value!r}")
    return value


OutputRelPath = Annotated[str, AfterValidator(_check_relative_output)]


def _check_regex(value: str) -> str:
    import re

    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"{value!r} is not a valid regular expression ({exc})") from None
    return value


Regex = Annotated[str, AfterValidator(_check_regex)]


def as_list(value: Any) -> Any:
    """Let a single value stand for a one-item list (``dirs: content``)."""
    if value is None:
        return []
    if isinstance(value, str | dict):
        return [value]
    return value


StrList = Annotated[list[str], BeforeValidator(as_list)]
PathList = Annotated[list[ConfigPath], BeforeValidator(as_list)]


_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> timedelta:
    """'90s', '10m', '24h', '7d', '2w', '1h30m', or a number of seconds."""
    import re

    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    text = str(value).strip().replace(" ", "")
    parts = re.findall(r"(\d+(?:\.\d+)?)([smhdw])", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"expected a duration such as '90s', '10m', '24h' or '7d', got {value!r}")
    return timedelta(seconds=sum(float(n) * _DURATION_UNITS[u] for n, u in parts))


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The section class inside ``X``, ``X | None`` or ``list[X]``, if any: how the loader,
    the README reference and ``feeds init`` walk the schema."""
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = model_in(arg)
        if found is not None:
            return found
    return None
