"""Running one job: the log line, the stored record, failures that never escape, and a
stop that lets the running job finish."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from test_schedule_support import Calls, make_config

from feeds.build import BuildReport
from feeds.digest.run import DigestReport
from feeds.errors import DeliveryError
from feeds.schedule.logs import job_line, logfmt
from feeds.schedule.runner import JobRunner, counts_of, outcome_of
from feeds.schedule.state import STATE_DB, JobState, RunRecord
from feeds.schedule.triggers import BUILD_JOB, JobRef
from feeds.schedule.triggers import DIGEST_PREFIX as D

FIRE = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
STARTED = FIRE + timedelta(seconds=1)
DAILY = JobRef(D + "daily", "digest", "daily")


def runner_for(tmp_path: Path, calls: Calls) -> JobRunner:
    config = make_config(tmp_path, site={"timezone": "Asia/Shanghai",
                                         "url": "https://news.example.com/"})
    state = JobState(tmp_path / "state" / STATE_DB)
    return JobRunner(config, state, triggers={"build": "every 10m"}, functions=calls.table,
                     clock=lambda: STARTED)


def test_a_build_report_gives_its_counts_and_outcome() -> None:
    report = BuildReport(written=("a.xml", "b.json"), unchanged=("c.xml",),
                         counts={"articles": 14, "feeds": 3}).as_dict()
    assert counts_of(report) == {"written": 2, "unchanged": 1, "failed": 0, "articles": 14,
                                 "feeds": 3, "problems": 0}
    assert outcome_of(report) == "ok"
    assert outcome_of(BuildReport(failed=("a.xml",)).as_dict()) == "partial"


@pytest.mark.parametrize(("status", "outcome"), [
    ("sent", "ok"), ("skipped", "ok"), ("up-to-date", "ok"), ("partial", "partial"),
    ("stopped", "interrupted"),
])
def test_a_digest_report_status_decides_the_outcome(status: str, outcome: str) -> None:
    report = DigestReport("daily", status, 3, FIRE, FIRE, ("a", "b"), sent=5).as_dict()
    assert outcome_of(report) == outcome
    assert counts_of(report)["sent"] == 5 and counts_of(report)["articles"] == 2


def test_the_job_line_is_logfmt_on_the_site_clock() -> None:
    run = RunRecord("digest:daily", FIRE, STARTED, 0.8413, "ok", "schedule",
                    {"sent": 3, "articles": 12}, note="sent")
    assert job_line(run, UTC) == (
        "job=digest:daily reason=schedule outcome=ok status=sent "
        "fire=2026-11-26T00:00:00+00:00 started=2026-11-26T00:00:01+00:00 duration=0.84s "
        "articles=12 sent=3"
    )
    assert logfmt(note='a "b" c', empty="", none=None) == r'note="a \"b\" c" empty=""'


def test_a_run_is_logged_once_and_remembered(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    calls = Calls()
    runner = runner_for(tmp_path, calls)
    with caplog.at_level(logging.INFO, logger="feeds.schedule"):
        run = runner.run(BUILD_JOB, FIRE)
    assert run is not None and calls.calls == [("build", FIRE)]
    assert [r.getMessage() for r in caplog.records] == [
        "job=build reason=schedule outcome=ok fire=2026-11-26T08:00:00+08:00 "
        f"started=2026-11-26T08:00:01+08:00 duration={run.duration:.2f}s articles=2 written=1"
    ]
    row = runner.state.get("build")
    assert row is not None and row.trigger == "every 10m" and row.last == run
    assert row.last_ok == FIRE


def test_a_failing_job_is_logged_with_its_traceback_and_the_next_run_is_normal(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    calls = Calls(fail={"build": RuntimeError("disk on fire")})
    runner = runner_for(tmp_path, calls)
    with caplog.at_level(logging.INFO, logger="feeds.schedule"):
        failed = runner.run(BUILD_JOB, FIRE)
        del calls.fail["build"]
        later = runner.run(BUILD_JOB, FIRE + timedelta(minutes=10))
    assert failed is not None and failed.outcome == "error"
    assert failed.error == "RuntimeError: disk on fire"
    error = caplog.records[0]
    assert error.levelno == logging.ERROR and error.exc_info is not None
    assert 'error="RuntimeError: disk on fire"' in error.getMessage()
    assert "Traceback" in caplog.text and "disk on fire" in caplog.text
    assert later is not None and later.outcome == "ok"
    row = runner.state.get("build")
    assert row and row.last == later and row.last_ok == FIRE + timedelta(minutes=10)


def test_a_user_error_is_a_message_without_a_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    calls = Calls(fail={DAILY.id: DeliveryError("SMTP refused", hint="check mail.transport")})
    runner = runner_for(tmp_path, calls)
    with caplog.at_level(logging.INFO, logger="feeds.schedule"):
        run = runner.run(DAILY, FIRE)
    assert run is not None and run.error == "SMTP refused\n  hint: check mail.transport"
    assert caplog.records[0].exc_info is None and "Traceback" not in caplog.text
    assert caplog.records[1].getMessage() == (
        "digest:daily: SMTP refused\n  hint: check mail.transport"
    )


def test_the_digest_gets_the_stop_event_and_stop_waits_for_the_running_job(
    tmp_path: Path,
) -> None:
    calls = Calls(hold=threading.Event())
    runner = runner_for(tmp_path, calls)
    worker = threading.Thread(target=runner.run, args=(DAILY, FIRE))
    worker.start()
    assert calls.called.wait(10)
    runner.stop.set()
    assert calls.stops == [runner.stop] and calls.stops[0].is_set()
    assert runner.running() == [DAILY.id] and not runner.wait_idle(0.01)
    assert calls.hold is not None
    calls.hold.set()  # the digest finishes its current message
    assert runner.wait_idle(10)
    worker.join()
    assert runner.run(BUILD_JOB, FIRE) is None  # nothing new starts once stopping
    assert [job for job, _ in calls.calls] == [DAILY.id]


def test_a_missed_run_is_logged_as_a_warning_and_recorded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    runner = runner_for(tmp_path, Calls())
    with caplog.at_level(logging.INFO, logger="feeds.schedule"):
        runner.missed(BUILD_JOB, FIRE)
    assert caplog.records[0].levelno == logging.WARNING
    assert caplog.records[0].getMessage().startswith("job=build reason=schedule outcome=missed")
    row = runner.state.get("build")
    assert row and row.last and row.last.outcome == "missed" and row.last_ok is None
