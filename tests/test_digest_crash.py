"""A send killed with SIGKILL half-way resumes: nobody gets the digest twice, nobody is skipped."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_digest_support import Faults, SmtpServer, make_config

from feeds.digest import subscribers
from feeds.digest.run import open_db

PEOPLE = [f"reader{n:02d}@example.com" for n in range(30)]
TESTS = Path(__file__).parent

# The child runs the real job; the articles are hand-made so the test needs no content folder.
CHILD = """
import sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from test_digest_support import NOW, FakeCollection, make_article, make_config
from feeds.digest.run import run_digest
config = make_config(Path({tmp!r}), port={port}, connections={connections})
articles = FakeCollection(tuple(make_article(n, hours_ago=n + 1) for n in range(6)))
report = run_digest(config, "daily", now=NOW, collection=articles)
print(report.status, report.sent, *report.resumed_runs)
"""


def sent_count(state: Path) -> int:
    db = sqlite3.connect(state / subscribers.DB_FILE, timeout=5)
    try:
        row = db.execute("SELECT count(*) FROM deliveries WHERE state='sent'").fetchone()
        return int(row[0])
    except sqlite3.OperationalError:
        return 0  # tables not created yet
    finally:
        db.close()


def child(tmp: Path, port: int, connections: int) -> subprocess.Popen[str]:
    code = CHILD.format(tests=str(TESTS), tmp=str(tmp), port=port, connections=connections)
    env = {**os.environ, "PYTHONPATH": str(TESTS.parent)}
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


@pytest.mark.parametrize("connections", [1, 3])
def test_killed_run_resumes_exactly(tmp_path: Path, connections: int) -> None:
    """Killed once every connection waits for the server's answer to its next MAIL, and the
    ledger holds every message the server took: outside the one window where a recipient
    could get the message twice (accepted, not yet recorded: see feeds.digest.deliver).
    Killed at any moment (once 5 were recorded), three connections on a busy machine landed
    in it in 4 runs of 22."""
    # a slow server (each MAIL answered after 50 ms), which stops answering after 5 messages
    faults = Faults(delay=0.05, hold_after=5)
    with SmtpServer(faults) as server:
        config = make_config(tmp_path, port=server.port)
        db = open_db(config)
        for address in PEOPLE:
            subscribers.add(db, address, ["daily"])
        db.close()

        first = child(tmp_path, server.port, connections)
        deadline = time.monotonic() + 30
        while first.poll() is None and not (
            server.waiting == connections
            and sent_count(tmp_path / "state") == len(server.received)
        ):
            assert time.monotonic() < deadline, "the child never got going"
            time.sleep(0.01)  # polling a real subprocess, not simulating time
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        assert first.returncode == -signal.SIGKILL
        faults.released.set()  # the next run's connections are answered
        delivered_before = server.counts()
        print(f"killed after {sum(delivered_before.values())} of {len(PEOPLE)}")
        assert 5 <= sum(delivered_before.values()) < len(PEOPLE)
        assert set(delivered_before.values()) == {1}

        second = child(tmp_path, server.port, connections)
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
        assert out.split()[0] == "sent"  # the killed run was resumed and finished
        assert int(out.split()[1]) == len(PEOPLE) - sum(delivered_before.values())
        assert server.counts() == {address: 1 for address in PEOPLE}

        third = child(tmp_path, server.port, connections)
        out, _ = third.communicate(timeout=60)
        assert out.split()[:2] == ["up-to-date", "0"]
        assert server.counts() == {address: 1 for address in PEOPLE}
