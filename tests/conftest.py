"""Every test runs in an empty working folder of its own.

Configs built without a file put their state folder (``.feeds``) under the working folder; tests
running in parallel must never share one, nor leave one in the repository. Module-scoped fixtures
run before function-scoped ones, so each worker first moves to a folder of its own for the session.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# The property tests explore new examples on every run, except where a red run costs more
# than a missed case: `make test` (CI) sets FEEDS_TEST_DERANDOMIZE so the same examples run
# each time, and a failure there is one anyone can reproduce.
settings.register_profile("repeatable", derandomize=True, print_blob=True)
if os.environ.get("FEEDS_TEST_DERANDOMIZE"):
    settings.load_profile("repeatable")


@pytest.fixture(scope="session", autouse=True)
def _worker_working_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    before = Path.cwd()
    folder = tmp_path_factory.mktemp("worker-cwd")
    os.chdir(folder)
    yield folder
    os.chdir(before)


@pytest.fixture(autouse=True)
def _own_working_folder(tmp_path_factory: pytest.TempPathFactory,
                        monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path_factory.mktemp("cwd")
    monkeypatch.chdir(folder)
    return folder
