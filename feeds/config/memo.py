"""The validated config, kept in the state folder for the next run with the same raw inputs.

Validating config.yaml builds every section's schema first (pydantic), ~50 ms of each
build from cron, most of what an incremental build costs besides its articles. The key
digests all a config is made from (the file's bytes, the environment variables it names,
the command-line overrides, the working and home folders, the program: see
feeds.buildstamp.raw_inputs), so an entry found under it is the config validation would
give. The memo also records the pydantic it was made with: a model pickled by another
version is never trusted. Anything unreadable is ignored and the config is validated
again: a memo never fails a build.
"""

from __future__ import annotations

import contextlib
import pickle
from collections.abc import Callable
from pathlib import Path

from pydantic import VERSION

from feeds.config.root import Config
from feeds.statefiles import UNPICKLING_ERRORS, write_atomically

MEMO_FILE = "config-memo.pickle"
KEEP = 8  # one per combination of config file and flags; the oldest goes first


def remembered_config(key: str, state: Path, validate: Callable[[], Config]) -> Config:
    """The config stored under ``key`` in ``state``, else ``validate()`` (stored when its
    state folder is ``state``: where the next run looks)."""
    path = state / MEMO_FILE
    memo = {k: v for k, v in _load(path).items() if isinstance(v, Config)}  # no strays
    found = memo.get(key)
    if found is not None:
        return found
    config = validate()
    if config.state == state:
        memo[key] = config  # the newest last
        _save(path, dict(list(memo.items())[-KEEP:]))
    return config


def _load(path: Path) -> dict[object, object]:
    try:
        with path.open("rb") as file:
            version, memo = pickle.load(file)
    except (OSError, *UNPICKLING_ERRORS):
        return {}
    return memo if version == VERSION and isinstance(memo, dict) else {}


def _save(path: Path, memo: dict[object, Config]) -> None:
    """An unwritable state folder only costs the next run a validation."""
    with contextlib.suppress(OSError):
        write_atomically(path, pickle.dumps((VERSION, memo), protocol=pickle.HIGHEST_PROTOCOL))
