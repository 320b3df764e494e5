"""The validated config, kept in the state folder for the next run with the same raw inputs.

Validating config.yaml imports pydantic and builds every section's schema: ~130 ms of each
build from cron, most of what an incremental build costs besides its articles. The key
digests all a config is made from (the file's bytes, the environment variables it names,
the command-line overrides, the working and home folders, the program: see
feeds.buildstamp.raw_inputs), so an entry found under it is the config validation would
give. It is kept as frozen records (feeds.config.frozen), so reading it back imports
neither pydantic nor the schema. The memo also records the pydantic that validated it: an
entry made by another release is validated again. Anything unreadable is ignored and the
config is validated again: a memo never fails a build.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from feeds.config.frozen import Frozen, freeze
from feeds.statefiles import UNPICKLING_ERRORS, write_atomically

if TYPE_CHECKING:
    from feeds.config.root import Config

MEMO_FILE = "config-memo.pickle"
KEEP = 8  # one per combination of config file and flags; the oldest goes first


def remembered_config(key: str, state: Path, validate: Callable[[], Config]) -> Config:
    """The config stored under ``key`` in ``state`` (as frozen records), else ``validate()``
    (stored when its state folder is ``state``: where the next run looks)."""
    path = state / MEMO_FILE
    validator = pydantic_identity()
    memo = {k: v for k, v in _load(path, validator).items() if isinstance(v, Frozen)}
    found = memo.get(key)
    if found is not None:
        return cast("Config", found)
    config = validate()
    if config.state == state:
        memo[key] = freeze(config)  # the newest last
        _save(path, validator, dict(list(memo.items())[-KEEP:]))
    return config


def known_config(key: str, state: Path) -> Config | None:
    """The config stored under ``key`` in ``state``, if any: never validates."""
    found = _load(state / MEMO_FILE, pydantic_identity()).get(key)
    return cast("Config", found) if isinstance(found, Frozen) else None


def pydantic_identity() -> str:
    """Which pydantic release is installed, without importing it (that is what the memo
    spares): a digest of its version module's text; empty when it cannot be read."""
    spec = find_spec("pydantic")
    folders = spec.submodule_search_locations if spec is not None else None
    if not folders:
        return ""
    try:
        text = (Path(next(iter(folders))) / "version.py").read_bytes()
    except OSError:
        return ""
    return hashlib.sha256(text).hexdigest()


def _load(path: Path, validator: str) -> dict[object, object]:
    try:
        with path.open("rb") as file:
            made_by, memo = pickle.load(file)
    except (OSError, *UNPICKLING_ERRORS):
        return {}
    usable = validator and made_by == validator and isinstance(memo, dict)
    return memo if usable else {}


def _save(path: Path, validator: str, memo: dict[object, Any]) -> None:
    """An unwritable state folder only costs the next run a validation."""
    with contextlib.suppress(OSError):
        write_atomically(path, pickle.dumps((validator, memo), protocol=pickle.HIGHEST_PROTOCOL))
