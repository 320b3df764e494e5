"""The service in-process: watch-triggered rebuilds, the status file, and a bounded stop."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from test_schedule_support import Calls, make_config

from feeds.schedule.service import SchedulerService
from feeds.schedule.state import STATE_DB, JobState
from feeds.schedule.status import STATUS_NAME, read_status_file


def watching(tmp_path: Path, calls: Calls, **schedule: object) -> SchedulerService:
    content = tmp_path / "content"
    content.mkdir(exist_ok=True)
    config = make_config(tmp_path, content={"dirs": [str(content)]},
                         schedule={"watch": True, "watch_delay": "0.2s", **schedule})
    return SchedulerService(config, functions=calls.table)


def test_a_new_article_triggers_a_watch_build(tmp_path: Path) -> None:
    calls = Calls()
    service = watching(tmp_path, calls)
    service.start()
    try:
        (tmp_path / "content" / "new.md").write_text("---\ntitle: x\n---\nx\n", encoding="utf-8")
        assert calls.called.wait(10)
    finally:
        assert service.stop(timeout=10)
    assert [job for job, _ in calls.calls] == ["build"]
    row = JobState(tmp_path / "state" / STATE_DB).get("build")
    assert row and row.last and row.last.reason == "watch"


def test_the_status_file_follows_the_service(tmp_path: Path) -> None:
    calls = Calls()
    service = watching(tmp_path, calls, build={"every": "10m"})
    service.start()
    running = read_status_file(tmp_path / "state" / STATUS_NAME)
    assert service.stop(timeout=10)
    stopped = read_status_file(tmp_path / "state" / STATUS_NAME)
    assert running and stopped
    assert running["service"]["running"] is True and running["service"]["watch"] is True
    assert running["jobs"][0]["job"] == "build" and running["jobs"][0]["next"] is not None
    assert stopped["service"]["running"] is False and stopped["jobs"][0]["next"] is None


def test_stop_gives_up_on_a_stuck_job_after_its_timeout(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    calls = Calls(hold=threading.Event())
    service = watching(tmp_path, calls)
    service.start()
    (tmp_path / "content" / "new.md").write_text("x", encoding="utf-8")
    assert calls.called.wait(10)
    with caplog.at_level(logging.INFO, logger="feeds.schedule"):
        assert service.stop(timeout=0.01) is False
    assert calls.hold is not None
    calls.hold.set()
    assert "event=stop note=\"still running after 0.01s: build\"" in caplog.text
    assert "event=stopped clean=false" in caplog.text


class _Seen(logging.Handler):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text, self.seen = text, threading.Event()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())
        if self.text in record.getMessage():
            self.seen.set()


def test_a_run_that_would_overlap_the_previous_one_is_skipped_and_logged(tmp_path: Path) -> None:
    calls = Calls(hold=threading.Event())
    service = SchedulerService(make_config(tmp_path, schedule={"build": {"every": "1s"}}),
                               functions=calls.table)
    seen = _Seen("event=overlap")
    log = logging.getLogger("feeds.schedule")
    log.addHandler(seen)
    service.start()
    try:
        assert calls.called.wait(10)
        assert seen.seen.wait(10)  # the next second's run found the first still going
    finally:
        assert calls.hold is not None
        calls.hold.set()
        assert service.stop(timeout=10)
        log.removeHandler(seen)
    overlap = next(line for line in seen.lines if "event=overlap" in line)
    assert overlap.startswith("job=build event=overlap fire=")
    assert overlap.endswith('note="the previous run is still going; this one is skipped"')
