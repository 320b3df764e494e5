"""The scheduler's memory (SQLite), the lock file, and the status document and file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from feeds.schedule.lock import SchedulerRunning, StateLock, lock_holder
from feeds.schedule.state import STATE_DB, JobState, RunRecord
from feeds.schedule.status import (
    format_listing,
    format_status,
    job_entries,
    read_status_file,
    write_status_file,
)

T0 = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_new_job_counts_from_its_registration(tmp_path: Path) -> None:
    state = JobState(tmp_path / STATE_DB)
    first = state.register("build", "every 10m", T0)
    again = state.register("build", "every 10m", T0 + timedelta(hours=1))
    assert (first.is_new, first.previous_trigger, first.row.last_handled) == (True, None, T0)
    assert (again.is_new, again.previous_trigger, again.row.since) == (False, None, T0)


def test_a_changed_trigger_counts_from_the_change(tmp_path: Path) -> None:
    state = JobState(tmp_path / STATE_DB)
    state.register("build", "every 10m", T0)
    changed = state.register("build", "every 5m", T0 + timedelta(hours=1))
    assert changed.previous_trigger == "every 10m"
    assert changed.row.last_handled == T0 + timedelta(hours=1)


def test_runs_move_the_mark_and_rebase_skips_the_past(tmp_path: Path) -> None:
    state = JobState(tmp_path / STATE_DB)
    state.register("build", "every 10m", T0)
    run = RunRecord("build", T0 + timedelta(minutes=10), T0 + timedelta(minutes=10, seconds=1),
                    1.5, "ok", "schedule", {"articles": 3})
    state.record(run, "every 10m")
    assert state.get("build").last_handled == run.fire  # type: ignore[union-attr]
    state.rebase("build", T0 + timedelta(days=7))
    row = state.get("build")
    assert row and row.last == run and row.last_handled == T0 + timedelta(days=7)


def test_a_job_run_by_hand_gets_a_row_and_removed_jobs_are_forgotten(tmp_path: Path) -> None:
    state = JobState(tmp_path / STATE_DB)
    state.record(RunRecord("digest:weekly", T0, T0, 0.1, "ok", "once"), "unscheduled")
    state.register("build", "every 10m", T0)
    assert sorted(state.rows()) == ["build", "digest:weekly"]
    assert state.forget_except({"build"}) == ["digest:weekly"]
    assert list(state.rows()) == ["build"]


def test_a_second_scheduler_on_the_same_state_folder_is_refused(tmp_path: Path) -> None:
    with StateLock(tmp_path):
        assert lock_holder(tmp_path) == os.getpid()
        with pytest.raises(SchedulerRunning) as caught:
            StateLock(tmp_path).acquire()
    assert str(caught.value) == (
        f"another 'feeds schedule' (pid {os.getpid()}) is already running with state folder "
        f"{tmp_path}\n  hint: stop it first, or give this one its own folder with --state"
    )
    assert caught.value.exit_code == 2
    assert lock_holder(tmp_path) is None
    with StateLock(tmp_path):  # free again after release
        pass


def test_the_lock_dies_with_its_process(tmp_path: Path) -> None:
    code = (
        "import sys, os; from pathlib import Path; from feeds.schedule.lock import StateLock; "
        "StateLock(Path(sys.argv[1])).acquire(); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, timeout=30)
    assert lock_holder(tmp_path) is None  # no stale lock after a crash
    with StateLock(tmp_path):
        pass


def test_the_status_file_is_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "schedule-status.json"
    write_status_file(path, {"jobs": [], "timezone": "UTC"})
    assert read_status_file(path) == {"jobs": [], "timezone": "UTC"}
    assert not path.with_name(path.name + ".tmp").exists()
    path.write_text("{half", encoding="utf-8")
    assert read_status_file(path) is None


def test_status_text_shows_last_and_next_runs_on_the_site_clock(tmp_path: Path) -> None:
    state = JobState(tmp_path / STATE_DB)
    state.register("build", "every 10m", T0)
    state.record(RunRecord("build", T0, T0, 1.25, "ok", "schedule", {"articles": 2}),
                 "every 10m")
    state.record(RunRecord("digest:daily", T0, T0, 0.5, "error", "schedule",
                           error="SMTP refused\n  hint: x"), "cron 0 8 * * *")
    entries = job_entries([("build", "every 10m"), ("digest:daily", "cron 0 8 * * *")],
                          state.rows(), {"build": T0 + timedelta(minutes=10)}, SHANGHAI)
    document = {"timezone": "Asia/Shanghai", "service": {"running": False}, "jobs": entries}
    assert json.loads(json.dumps(document)) == document
    assert format_status(document).splitlines() == [
        "scheduler: not running; times in Asia/Shanghai",
        "",
        "job           schedule        last run                 outcome                 "
        "next run",
        "build         every 10m       2026-11-26 08:00 +08:00  ok (schedule, 1.2s)     "
        "2026-11-26 08:10 +08:00",
        "digest:daily  cron 0 8 * * *  2026-11-26 08:00 +08:00  error (schedule, 0.5s)  -",
        "  digest:daily: SMTP refused",
    ]


def test_listing_shows_seconds_only_when_a_time_has_them() -> None:
    fires = [T0, T0 + timedelta(seconds=1)]
    assert format_listing([("build", "every 1s", fires), ("digest:x", "cron 0 8 1 1 *", [])],
                          "UTC", UTC).splitlines() == [
        "job       schedule        next runs (UTC)",
        "build     every 1s        2026-11-26 00:00 +00:00   2026-11-26 00:00:01 +00:00",
        "digest:x  cron 0 8 1 1 *  never",
    ]
