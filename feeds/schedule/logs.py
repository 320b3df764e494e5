"""Structured logs of the service: one logfmt line per job run, to stderr and a file.

    2026-11-27T08:00:01+08:00 INFO job=digest:daily reason=schedule outcome=ok
      fire=2026-11-27T08:00:00+08:00 started=2026-11-27T08:00:00+08:00 duration=0.84s sent=3

logfmt (key=value, quoted when needed) reads well in journalctl and greps/parses easily.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from datetime import datetime, tzinfo
from pathlib import Path

from feeds.schedule.state import RunRecord
from feeds.schedule.triggers import in_zone

LOGGER = "feeds.schedule"
_HANDLER_MARK = "_feeds_schedule_handler"


def logger() -> logging.Logger:
    return logging.getLogger(LOGGER)


def logfmt(**fields: object) -> str:
    """``key=value`` pairs in the given order; None values left out."""
    return " ".join(f"{key}={_value(value)}" for key, value in fields.items() if value is not None)


def _value(value: object) -> str:
    text = str(value)
    if text and not any(c in text for c in ' "=\\\n\t'):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def job_line(run: RunRecord, tz: tzinfo) -> str:
    """The one line that says what a job run did."""
    fields: dict[str, object] = {
        "job": run.job,
        "reason": run.reason,
        "outcome": run.outcome,
        "status": run.note,
        "fire": in_zone(run.fire, tz).isoformat(timespec="seconds"),
        "started": in_zone(run.started, tz).isoformat(timespec="seconds"),
        "duration": f"{run.duration:.2f}s",
    }
    fields.update({key: value for key, value in sorted(run.counts.items()) if key not in fields})
    fields["error"] = run.error.splitlines()[0] if run.error else None
    return logfmt(**fields)


class ZoneFormatter(logging.Formatter):
    """Timestamps as ISO 8601 with the offset, on the site's clock."""

    def __init__(self, tz: tzinfo) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s")
        self.tz = tz

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, self.tz).isoformat(timespec="seconds")


def setup_logging(tz: tzinfo, log_file: Path | None, level: int = logging.INFO) -> None:
    """Send the service's logs (and APScheduler's errors) to stderr and ``log_file``.

    WatchedFileHandler reopens the file after logrotate moves it.
    """
    teardown_logging()
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.handlers.WatchedFileHandler(log_file, encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(ZoneFormatter(tz))
        setattr(handler, _HANDLER_MARK, True)
    # APScheduler's own warnings (misfires, overlaps) are logged by us as job lines
    for name, wanted in (("feeds", level), ("apscheduler", max(level, logging.ERROR))):
        target = logging.getLogger(name)
        for handler in handlers:
            target.addHandler(handler)
        target.setLevel(wanted)
        target.propagate = False


def teardown_logging() -> None:
    """Undo setup_logging (the CLI runs in-process in tests; nothing should outlive it)."""
    closed: list[logging.Handler] = []
    for name in ("feeds", "apscheduler"):
        target = logging.getLogger(name)
        for handler in [h for h in target.handlers if getattr(h, _HANDLER_MARK, False)]:
            target.removeHandler(handler)
            closed.append(handler)
        target.propagate = True
        target.setLevel(logging.NOTSET)
    for handler in closed:
        handler.close()
