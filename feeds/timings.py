"""Wall time per phase of a run, for `--format json` reports and `make bench`.

Phases are named the way a user thinks of a build: discover (list and stat the files), parse
(read, front matter, normalize, what each article tells the learner), learn, clean, render,
check, write. Phases that run in worker processes add up each worker's time, so on several
cores their sum can exceed the run's wall time. Some phases run beside another and are part
of its time: ``select`` (choosing what the feeds show) beside ``learn``, ``cache`` (saving
the build cache) beside ``clean``, and ``render``, ``check`` and ``write`` within ``feeds``
(see SIDE_PHASES).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

# phases counted within another one (see the module's docstring): the others add up to the
# run's wall time
SIDE_PHASES = frozenset({"select", "cache", "render", "check", "write"})


class Timings:
    def __init__(self) -> None:
        self._seconds: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        self._seconds.setdefault(name, 0.0)  # listed in the order phases began
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - start)

    def add(self, name: str, seconds: float) -> None:
        self._seconds[name] = self._seconds.get(name, 0.0) + seconds

    def merge(self, other: Mapping[str, float]) -> None:
        for name, seconds in other.items():
            self.add(name, seconds)

    def as_dict(self) -> dict[str, float]:
        """Seconds per phase, in the order phases first ran, rounded to the millisecond."""
        return {name: round(seconds, 3) for name, seconds in self._seconds.items()}
