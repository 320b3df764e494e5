"""bench/digest.py end to end at a tiny size: a real aiosmtpd server in its own process, real
subscribers, real sends; the benchmark's own exactly-once and unsubscribe-link checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "digest.py"


def test_the_digest_benchmark_sends_each_subscriber_one_personal_message(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--sizes", "4", "9", "--articles", "40",
         "--connections", "1", "2", "--results", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    runs = json.loads((tmp_path / "digest.json").read_text())["runs"]
    assert [(r["subscribers"], r["connections"]) for r in runs] == [(4, 1), (4, 2), (9, 1),
                                                                     (9, 2)]
    for run in runs:
        assert run["sent"] == run["subscribers"] and run["articles"] > 0
        assert run["each_once"] and run["own_unsubscribe_links"]
        assert run["mb_sent"] > 0 and run["server_cpu_s"] > 0
    assert "NOT" not in done.stdout
