"""`make bench` (digests): personalized digests sent to an SMTP server on 127.0.0.1.

A site of --articles posts (the benchmark corpus) is built once, so the digest reads the
build cache as one sent after `feeds build` does. For each list size a fresh state gets that
many subscribers, each with their own choice of categories (so editions differ) and their
own unsubscribe link, and `feeds digest daily --send` is timed: wall time and the sending
process's peak memory, which should stay flat as the list grows. The SMTP server is aiosmtpd
in a process of its own (`--serve`); it counts what each recipient got and its own CPU time
(most of a message's time is the server's: the client waits for each reply), and the run
counts only if every subscriber got exactly one message. Prints a table and writes
bench/results/digest.json. Figures, not pass/fail.

    python bench/digest.py [--sizes 1000 5000 10000] [--connections 1 3] [--articles 1000]
                           [--server-delay SECONDS] [--results DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import itertools
import json
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import FEEDS, SITE, make_corpus, timed  # noqa: E402

CONFIG = """\
site:
  title: Bench News
  url: {site}
mail:
  transport:
    kind: smtp
    host: 127.0.0.1
    port: {port}
    connections: {connections}
  unsubscribe_url: {site}unsubscribe
  unsubscribe_mailto: unsubscribe@bench.example.com
digests:
  - name: daily
    title: Bench Daily
    subject: "{{{{ site.title }}}} · {{{{ date }}}} · {{{{ count }}}}"
    from: Bench News <digest@bench.example.com>
    max_items: 20
    group_by: category
"""
WINDOW = 60  # the newest articles the digest's period holds (--since): max_items picks 20


class _Counting:
    """aiosmtpd handler: accepts everything; counts messages per recipient, bytes, and the
    distinct unsubscribe links (each subscriber's own)."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.counts: Counter[str] = Counter()
        self.links: set[bytes] = set()
        self.bytes = 0

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        if self.delay:  # a remote server's latency, without its CPU
            await asyncio.sleep(self.delay)
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        data = envelope.original_content
        self.counts.update(envelope.rcpt_tos)
        self.bytes += len(data)
        start = data.find(b"\r\nList-Unsubscribe: <")
        if start >= 0:
            self.links.add(data[start : data.find(b">", start)])
        return "250 2.0.0 accepted"


def serve(port: int, delay: float) -> None:
    """The SMTP server: says "ready", runs until SIGTERM, then prints what it received."""
    from aiosmtpd.controller import Controller

    stop = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop)  # for sigwait; the server thread inherits it
    handler = _Counting(delay)
    # data_size_limit: a digest of 20 articles with full HTML is ~150 KB; the default (32 MB)
    # would do too, but the server should look like a real one, not an unlimited sink
    controller = Controller(handler, hostname="127.0.0.1", port=port,
                            server_kwargs={"data_size_limit": 10 * 1024 * 1024})
    controller.start()
    print("ready", flush=True)
    signal.sigwait(stop)
    controller.stop()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"counts": handler.counts, "bytes": handler.bytes,
                      "links": len(handler.links),
                      "cpu_s": usage.ru_utime + usage.ru_stime}), flush=True)


class Server:
    """The counting server in its own process, so its CPU is not this benchmark's."""

    def __init__(self, delay: float) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.proc = subprocess.Popen([sys.executable, __file__, "--serve", str(self.port),
                                      "--server-delay", str(delay)],
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != "ready":
            raise SystemExit("the SMTP server did not start")

    def received(self) -> dict[str, Any]:
        """Stop the server; what it received."""
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=30)
        return dict(json.loads(out))


def write_subscribers(path: Path, size: int, categories: list[str]) -> None:
    """``size`` subscribers; a third take every category, the rest the commonest one and a
    subset of the others of their own (so nobody's edition is empty)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        rows = csv.writer(handle)
        rows.writerow(["address", "name", "digests", "categories", "status"])
        for n in range(size):
            chosen = categories[:1] + [c for bit, c in enumerate(categories[1:]) if n >> bit & 1]
            rows.writerow([f"reader{n:06d}@example.com", f"Reader {n}", "daily",
                           "" if n % 3 == 0 else ";".join(chosen), "active"])


def run_size(
    site: Path, size: int, categories: list[str], period: tuple[str, str], connections: int,
    delay: float,
) -> dict[str, Any]:
    state = site / f"state-{size}-{connections}"
    shutil.copytree(site / "state", state)
    subscribers = site / f"subscribers-{size}.csv"
    write_subscribers(subscribers, size, categories)
    server = Server(delay)
    try:
        config = site / f"config-{size}-{connections}.yaml"
        config.write_text(CONFIG.format(site=SITE, port=server.port, connections=connections),
                          encoding="utf-8")
        common = ["--config", str(config), "--content", str(site / "posts"),
                  "--state", str(state)]
        subprocess.run([FEEDS, "subscribers", "import", str(subscribers), *common, "--quiet"],
                       check=True)
        since, now = period
        wall, peak_mb, out = timed([FEEDS, "digest", "daily", "--send", "--since", since,
                                    "--now", now, "--format", "json", *common])
    finally:
        received = server.received()
    report = json.loads(out)
    counts = Counter(received["counts"])
    exact = report["sent"] == size and len(counts) == size and set(counts.values()) == {1}
    personal = received["links"] == size
    return {
        "subscribers": size,
        "connections": connections,
        "wall_s": round(wall, 3),
        "ms_per_message": round(wall / size * 1000, 3),
        "peak_mb": round(peak_mb, 1),
        "sent": report["sent"],
        "articles": len(report["articles"]),
        "mb_sent": round(received["bytes"] / 1048576, 1),
        "server_cpu_s": round(received["cpu_s"], 2),
        "each_once": exact,
        "own_unsubscribe_links": personal,
    }


def period_and_categories(out: Path) -> tuple[tuple[str, str], list[str]]:
    """The digest's period (the newest WINDOW articles) and the commonest categories in it."""
    items = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"][:WINDOW]
    dates = [datetime.fromisoformat(i["date_published"].replace("Z", "+00:00")) for i in items]
    seen = Counter(tag for item in items for tag in item.get("tags", []))
    period = (dates[-1].isoformat(), (dates[0] + timedelta(hours=1)).isoformat())
    return period, [tag for tag, _ in seen.most_common(6)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000, 10000])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--connections", type=int, nargs="*", default=[1, 3],
                        help="transport.connections to time each size with (default 1 3)")
    parser.add_argument("--results", type=Path, default=HERE / "results",
                        help="folder for digest.json (default: bench/results)")
    parser.add_argument("--server-delay", type=float, default=0.0, metavar="SECONDS",
                        help="the server waits this long before answering each MAIL "
                        "(a remote server's latency)")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.server_delay)
        return
    with tempfile.TemporaryDirectory(prefix="bench-digest-") as tmp:
        site = Path(tmp)
        make_corpus(site / "posts", args.articles)
        subprocess.run([FEEDS, "build", "--content", str(site / "posts"), "--site-url", SITE,
                        "--out", str(site / "out"), "--state", str(site / "state"),
                        "--limit", "0", "--quiet"], check=True)  # every article cached
        period, categories = period_and_categories(site / "out")
        print(f"{'subscribers':>11} {'conns':>5} {'wall s':>8} {'ms/msg':>7} {'peak MB':>8} "
              f"{'MB sent':>8} {'server CPU s':>12}  note")
        rows = []
        for size, connections in itertools.product(args.sizes, args.connections):
            row = run_size(site, size, categories, period, connections, args.server_delay)
            rows.append(row)
            note = f"{row['articles']} articles" + (
                "" if row["each_once"] else "; NOT each subscriber exactly once") + (
                "" if row["own_unsubscribe_links"] else "; unsubscribe links NOT all distinct")
            print(f"{size:>11} {connections:>5} {row['wall_s']:>8.2f} "
                  f"{row['ms_per_message']:>7.2f} {row['peak_mb']:>8.1f} {row['mb_sent']:>8.1f} "
                  f"{row['server_cpu_s']:>12.2f}  {note}")
    results = args.results
    results.mkdir(parents=True, exist_ok=True)
    report = {
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "server": "aiosmtpd on 127.0.0.1, in its own process",
        "server_delay_s": args.server_delay,
        "runs": rows,
    }
    (results / "digest.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"written {results / 'digest.json'}")
    if not all(r["each_once"] and r["own_unsubscribe_links"] for r in rows):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
