"""`feeds schedule` as a real process: jobs every second, a build, a feed-set build and a
digest (to an SMTP server on 127.0.0.1) happen, SIGTERM exits 0, a second scheduler is
refused, and a restart does not send the digest again.

The waits below poll a separate process's files with a deadline; no schedule is slept on.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from test_schedule_support import DATA, SmtpSink

from feeds.digest import subscribers
from feeds.schedule.status import STATUS_NAME, read_status_file

REPO = Path(__file__).resolve().parents[1]


def wait_until(check: Callable[[], Any], what: str, timeout: float = 10) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def start(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "feeds", "schedule", "--config", str(config)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def stop(process: subprocess.Popen[str], signals: int = 1) -> tuple[int, str]:
    for _ in range(signals):  # timeout(1) and impatient people send more than one
        process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=15)
    return process.returncode, err


def last_run(state: Path, job: str) -> dict[str, Any] | None:
    document = read_status_file(state / STATUS_NAME) or {}
    entry = next((j for j in document.get("jobs", []) if j["job"] == job), None)
    return entry["last"] if entry else None


def service_pid(state: Path) -> int | None:
    document = read_status_file(state / STATUS_NAME) or {}
    pid = (document.get("service") or {}).get("pid")
    return pid if isinstance(pid, int) else None


def test_the_service_builds_sends_stops_cleanly_and_does_not_resend(tmp_path: Path) -> None:
    state = tmp_path / "state"
    db = subscribers.connect(state)
    subscribers.add(db, "reader@example.org", ["daily"])
    db.close()
    with SmtpSink() as sink:
        config = tmp_path / "config.yaml"
        config.write_text(yaml.safe_dump({
            "site": {"title": "Schedule", "url": "https://news.example.com/",
                     "timezone": "Asia/Shanghai"},
            "content": {"dirs": [str(DATA / "content")]},
            "state": str(state),
            "output": str(tmp_path / "public"),
            "mail": {"transport": {"kind": "smtp", "host": "127.0.0.1", "port": sink.port,
                                   "security": "none", "timeout": 5}},
            "digests": [{"name": "daily", "from": "news@example.com", "first_window": "3650d",
                         "schedule": {"every": "1s"}}],
            "schedule": {"build": {"every": "1s"}, "log_file": str(tmp_path / "schedule.log"),
                         "feeds": [{"name": "json", "only": ["json"], "every": "1s"}]},
        }), encoding="utf-8")

        first = start(config)
        try:
            wait_until(lambda: len(sink.messages) == 1, "the digest")
            build = wait_until(lambda: last_run(state, "build"), "a build")
            feed_set = wait_until(lambda: last_run(state, "build:json"), "a feed-set build")
            second = subprocess.run(
                [sys.executable, "-m", "feeds", "schedule", "--config", str(config)],
                cwd=REPO, capture_output=True, text=True, timeout=30,
            )
        finally:
            code, err = stop(first)
        assert code == 0, err
        assert build["outcome"] == "ok" and build["counts"]["articles"] == 2
        assert feed_set["outcome"] == "ok"  # one feed, written now or by the build before
        assert feed_set["counts"]["written"] + feed_set["counts"]["unchanged"] == 1
        assert (tmp_path / "public" / "rss.xml").is_file()
        assert second.returncode == 2
        assert "another 'feeds schedule' (pid " in second.stderr
        assert "event=stopping signal=SIGTERM" in err and "event=stopped clean=true" in err
        assert "Traceback" not in err
        log = (tmp_path / "schedule.log").read_text(encoding="utf-8")
        assert "job=digest:daily reason=schedule outcome=ok status=sent" in log
        assert sink.messages[0]["To"] == "reader@example.org"

        with sqlite3.connect(state / subscribers.DB_FILE) as ledger:
            sent = ledger.execute(
                "SELECT r.status, d.address, d.state FROM runs r JOIN deliveries d "
                "ON d.run_id = r.id WHERE r.digest = 'daily'").fetchall()
        assert sent == [("done", "reader@example.org", "sent")]

        before = last_run(state, "digest:daily")
        assert before is not None
        again = start(config)
        try:
            wait_until(lambda: service_pid(state) == again.pid
                       and (run := last_run(state, "digest:daily"))
                       and run["fire"] > before["fire"], "a digest run after the restart")
        finally:
            code, err = stop(again, signals=2)
        assert code == 0, err
        assert len(sink.messages) == 1  # the restart found nothing new to send
        document = json.loads((state / STATUS_NAME).read_text(encoding="utf-8"))
        assert document["service"]["running"] is False
