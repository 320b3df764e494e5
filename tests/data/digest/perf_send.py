"""Measure: N personalized digests to an aiosmtpd server on 127.0.0.1 (issue 7's target:
10 000 in under 60 s, flat memory). Not a test (too slow for the suite); run by hand:

    .venv/bin/python tests/data/digest/perf_send.py [N]

The server runs in its own process, counting what it accepts. Prints elapsed time, rate,
the sender's CPU time and its resident memory sampled every 2 s.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TESTS))

from test_digest_support import NOW, FakeCollection, free_port, make_article, make_config  # noqa: E402

from feeds.digest.run import open_db, run_digest  # noqa: E402

SINK = """
import sys, time
from aiosmtpd.controller import Controller
class Count:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        Count.n += 1
        return "250 OK"
Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1])).start()
print("ready", flush=True)
while True:
    time.sleep(3600)
"""


def seed(config_dir: Path, port: int, count: int) -> object:
    config = make_config(config_dir, port=port)
    db = open_db(config)
    db.execute("BEGIN")
    for i in range(count):
        address = f"reader{i:05d}@example.com"
        db.execute("INSERT INTO subscribers(address, name) VALUES (?, ?)", (address, f"读者{i}"))
        db.execute("INSERT INTO subscriptions(address, digest) VALUES (?, 'daily')", (address,))
    db.execute("COMMIT")
    db.close()
    return config


def resident_mb() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() // 2**20


def main(count: int) -> None:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SINK, str(port)], stdout=subprocess.PIPE,
                              text=True)
    assert server.stdout is not None and server.stdout.readline().strip() == "ready"
    samples: list[int] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(2):
            samples.append(resident_mb())

    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = seed(Path(tmp), port, count)
            articles = FakeCollection(tuple(make_article(k, hours_ago=k / 2 + 0.1)
                                            for k in range(20)))
            threading.Thread(target=sample, daemon=True).start()
            started = time.perf_counter()
            report = run_digest(config, "daily", now=NOW, collection=articles)  # type: ignore[arg-type]
            elapsed = time.perf_counter() - started
            done.set()
    finally:
        server.kill()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rate = report.sent / elapsed
    print(f"{report.sent} sent ({report.status}) in {elapsed:.1f} s = {rate:.0f}/s;"
          f" sender CPU {usage.ru_utime + usage.ru_stime:.1f} s;"
          f" RSS every 2 s (MB): {samples}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
