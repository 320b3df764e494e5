"""What a build did, as reported to the command line, the scheduler and `--format json`.

Kept apart from the build itself so that replaying an unchanged build (see feeds.buildstamp)
can report without importing the config schema or the content pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from feeds.models import Problem, Severity

if TYPE_CHECKING:
    from feeds.buildstamp import Replay


@dataclass(frozen=True)
class BuildReport:
    """What a build did. Paths are output files; problems include the content's own."""

    written: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)
    strict: bool = False
    timings: Mapping[str, float] = field(default_factory=dict)  # seconds per phase

    @classmethod
    def replayed(cls, replay: Replay, strict: bool, timings: Mapping[str, float]) -> BuildReport:
        """The report of an unchanged build: every output unchanged, its problems again."""
        return cls((), replay.outputs, (), replay.problems, MappingProxyType(replay.counts),
                   strict, MappingProxyType(dict(timings)))

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def exit_code(self) -> int:
        """0 when every feed was published; 1 when one failed, or with strict and any problem."""
        return 1 if self.failed or (self.strict and self.problems) else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "written": list(self.written),
            "unchanged": list(self.unchanged),
            "failed": list(self.failed),
            "counts": dict(self.counts),
            "problems": [p.as_dict() for p in self.problems],
            "exit_code": self.exit_code,
            "timings": dict(self.timings),
        }
