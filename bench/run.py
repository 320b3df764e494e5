"""`make bench`: wall time and peak memory of `feeds build` (and Hugo, when installed).

Scenarios per corpus size: cold (empty state and output), warm (nothing changed), one article
changed, one added (each a median of --repeats runs; a changed or added article is put back
between runs, untimed; the cold builds alternate with Hugo's, see run_cold) — for the "full"
job (`--limit 0`: every article, full content, the same work as Hugo's RSS) and a
"realistic" config (site feeds + per-category feeds, 50 items).
Prints a table (with the time of each phase, from the build's JSON report) and writes
bench/results/results.json. A cold build's peak memory is that of the whole process tree (the
build and its worker processes: proportional set sizes summed, so pages a forked worker
shares with its parent count once), from a run of its own; the other scenarios' is the
largest process's (see timed). Figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_corpus import write_corpus  # noqa: E402

from feeds.timings import SIDE_PHASES  # noqa: E402 - phases within others, not summed

Run = tuple[float, float, str]  # wall seconds, peak MB, stdout (see timed)

# The yardstick: the team's shared corpus generator and Hugo site, when checked out
# beside the repository; a user's clone falls back to the copies in bench/.
SHARED_TOOLS = HERE.parents[1] / "shared" / "tools"

FEEDS = str(Path(sys.executable).with_name("feeds"))
SITE = "https://bench.example.com/"


def timed(
    cmd: list[str], cwd: Path | None = None, sample: bool = False
) -> tuple[float, float, str]:
    """Wall seconds, peak memory in MB and stdout of one command.

    Peak memory is the largest single process's maximum RSS (from wait4), or with
    ``sample`` that of the whole process tree (the command and its workers: proportional set
    size, sampled every 20 ms at first and ever less often, up to every 0.5 s), whichever is
    larger. Sampling reads each process's smaps_rollup, which takes its memory-map lock: it
    slowed a 100 000-article build by 40 % at 20 ms, and a 10 000-article realistic one by
    ~0.4 s even backing off. So the wall times of the table come from runs without it, and
    the tree's peak from a run of its own (see run_job)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
        if sample:
            peak, status, usage = _wait_sampling(proc.pid)
        else:
            peak, (_, status, usage) = 0, os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"failed: {' '.join(cmd)}\n{stderr.decode()[-2000:]}")
    peak_mb = max(peak / 1048576, usage.ru_maxrss / 1024)
    return wall, peak_mb, stdout.decode()


def _wait_sampling(pid: int) -> tuple[int, int, Any]:
    """Wait for ``pid``, sampling its process tree's memory: (peak bytes, status, rusage)."""
    peak = 0
    interval = 0.02
    while True:
        peak = max(peak, tree_memory(pid))
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return peak, status, usage
        time.sleep(interval)
        interval = min(interval * 1.2, 0.5)


PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def tree_memory(root: int) -> int:
    """Memory of ``root`` and all its descendants, from /proc (0 where there is none): the
    proportional set size, so pages forked workers share with their parent count once."""
    children: dict[int, list[int]] = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        total += _pss(proc / str(pid))
    return total


def _pss(folder: Path) -> int:
    """A process's proportional set size in bytes (its resident size where the kernel has
    no smaps_rollup)."""
    try:
        for line in (folder / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int((folder / "statm").read_text().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0


def feeds_cmd(corpus: Path, work: Path, job: str) -> list[str]:
    cmd = [
        FEEDS,
        "build",
        "--content",
        str(corpus),
        "--site-url",
        SITE,
        "--out",
        str(work / "out"),
        "--state",
        str(work / "state"),
        "--format",
        "json",  # the report carries the time of each phase
    ]
    if job == "full":
        cmd += ["--limit", "0", "--config", str(work / "empty.yaml")]
    else:
        cmd += ["--config", str(HERE / "realistic.yaml")]
    return cmd


def snapshot(folder: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


JOBS = ("full", "realistic")


def cold_build(corpus: Path, work: Path, job: str, sample: bool = False) -> Run:
    """One build from empty state and output."""
    shutil.rmtree(work / "out", ignore_errors=True)
    shutil.rmtree(work / "state", ignore_errors=True)
    return timed(feeds_cmd(corpus, work, job), sample=sample)


# Largest corpus whose cold builds alternate with Hugo's. Past it Hugo holds over 10 GB
# (12.6 GB at 100 000 articles): the build after it met memory the VM had given back to its
# host (first touch of a page: up to ~20 us) and a page cache emptied of the corpus, so
# there Hugo builds after all of ours, as it once did first.
ALTERNATE_UP_TO = 10_000


def run_cold(
    corpus: Path, works: dict[str, Path], hugo: HugoSite | None, repeats: int, alternate: bool
) -> tuple[dict[str, list[Run]], list[Run]]:
    """The cold builds of every job, and Hugo's. With ``alternate``, in rounds: Hugo, then
    each job, ``repeats`` times. A shared machine speeds up and slows down over a run;
    alternating, each round meets the same machine, so the ratios to Hugo hold even when
    the seconds move."""
    runs: dict[str, list[Run]] = {job: [] for job in works}
    hugo_runs: list[Run] = []
    for _ in range(repeats):
        if hugo is not None and alternate:
            hugo_runs.append(hugo.build())
        for job, work in works.items():
            runs[job].append(cold_build(corpus, work, job))
    if hugo is not None and not alternate:
        hugo_runs = [hugo.build() for _ in range(repeats)]
    return runs, hugo_runs


def run_job(
    corpus: Path, work: Path, job: str, cold: list[Run], repeats: int
) -> dict[str, dict[str, Any]]:
    """The scenarios of one job: its cold builds (made by run_cold), then one more for the
    process tree's memory, and the rebuilds on the state it leaves."""
    results: dict[str, dict[str, Any]] = {}
    results["cold"] = summarize(cold)
    results["cold"]["peak_mb"] = round(cold_build(corpus, work, job, sample=True)[1], 1)
    before = snapshot(work / "out")
    results["warm"] = summarize([timed(feeds_cmd(corpus, work, job)) for _ in range(repeats)])
    results["warm"]["files_rewritten"] = rewritten(before, work / "out")
    posts = sorted(corpus.rglob("*.md"))
    victim = posts[len(posts) // 2]
    original = victim.read_text(encoding="utf-8")
    runs, before = [], snapshot(work / "out")
    for number in range(repeats):  # each run edits it anew, then puts it back, untimed
        victim.write_text(original + f"\n<p>edited {number}</p>\n", encoding="utf-8")
        runs.append(timed(feeds_cmd(corpus, work, job)))
        if number == 0:
            changed_files = rewritten(before, work / "out")
        victim.write_text(original, encoding="utf-8")
        timed(feeds_cmd(corpus, work, job))
    results["one-changed"] = summarize(runs)
    results["one-changed"]["files_rewritten"] = changed_files
    added = corpus / "added.md"
    runs, before = [], snapshot(work / "out")
    for number in range(repeats):  # newest of all: it enters the feeds; then removed
        added.write_text(ADDED.replace("today", f"today {number}"), encoding="utf-8")
        runs.append(timed(feeds_cmd(corpus, work, job)))
        if number == 0:
            added_files = rewritten(before, work / "out")
        added.unlink()
        timed(feeds_cmd(corpus, work, job))
    results["one-added"] = summarize(runs)
    results["one-added"]["files_rewritten"] = added_files
    return results


ADDED = """---
title: Added today
date: 2026-11-20 08:00:00
categories: [金融, 新浪财经]
---

<p>A post added to the archive.</p>
"""


def rewritten(before: dict[str, int], folder: Path) -> int:
    return sum(1 for k, v in snapshot(folder).items() if before.get(k) != v)


def summarize(runs: list[tuple[float, float, str]]) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "wall_s": round(statistics.median(r[0] for r in runs), 3),
        "peak_mb": round(max(r[1] for r in runs), 1),
    }
    reports = [json.loads(r[2]) for r in runs if r[2].startswith("{")]
    if reports:  # median seconds per phase, from `feeds build --format json`
        names = list(dict.fromkeys(n for rep in reports for n in rep.get("timings", {})))
        figures["phases"] = {
            n: round(statistics.median(rep["timings"].get(n, 0.0) for rep in reports), 3)
            for n in names
        }
        # the rest of the wall time: interpreter start, imports, reading the config
        top = sum(v for n, v in figures["phases"].items() if n not in SIDE_PHASES)
        figures["phases"]["start"] = round(max(0.0, figures["wall_s"] - top), 3)
    return figures


def phase_line(phases: dict[str, float]) -> str:
    return "  ".join(f"{name} {seconds:.2f}" for name, seconds in phases.items())


class HugoSite:
    """The Hugo site of the issue's yardstick, with ``corpus`` as its posts, in a temporary
    folder: ``build()`` times one build from an empty output folder."""

    def __init__(self, hugo: str, corpus: Path) -> None:
        self.hugo = hugo
        self._tmp = tempfile.TemporaryDirectory()
        self.site = Path(self._tmp.name) / "site"
        shared_site = SHARED_TOOLS / "perf" / "hugo-site"
        shutil.copytree(shared_site if shared_site.is_dir() else HERE / "hugo-site", self.site)
        shutil.copytree(corpus, self.site / "content" / "posts")

    @classmethod
    def of(cls, corpus: Path) -> HugoSite | None:
        """The site, when ``hugo`` is on PATH."""
        hugo = shutil.which("hugo")
        return cls(hugo, corpus) if hugo else None

    def build(self) -> Run:
        shutil.rmtree(self.site / "public", ignore_errors=True)
        return timed([self.hugo, "--quiet", "-s", str(self.site)])

    def close(self) -> None:
        self._tmp.cleanup()


def ratios(runs: list[Run], hugo: list[Run]) -> list[float]:
    """Each round's cold build over Hugo's of the same round."""
    return [round(ours[0] / theirs[0], 2) for ours, theirs in zip(runs, hugo, strict=True)]


def make_corpus(corpus: Path, size: int) -> None:
    tool = SHARED_TOOLS / "make_corpus.py"
    if tool.is_file():
        subprocess.run([sys.executable, str(tool), str(corpus), str(size)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    else:
        write_corpus(corpus, size)


def print_job(size: int, job: str, scenarios: dict[str, Any], hugo: dict[str, Any] | None) -> None:
    for scenario, figures in scenarios.items():
        note = ""
        if hugo and scenario == "cold":
            note = f"{figures['wall_s'] / hugo['wall_s']:.2f}x Hugo"
            if "hugo_ratio_per_round" in figures:
                rounds = ", ".join(f"{r:.2f}" for r in figures["hugo_ratio_per_round"])
                note += f" (rounds: {rounds})"
        if "files_rewritten" in figures:
            note = f"{int(figures['files_rewritten'])} files rewritten"
        print(
            f"{size:>9} {job:<10} {scenario:<12} {figures['wall_s']:>8.3f} "
            f"{figures['peak_mb']:>8.1f}  {note}"
        )
        if figures.get("phases"):
            print(f"{'':>9} {'':<10} {'phases s:':<12} {phase_line(figures['phases'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also 100 000 articles")
    parser.add_argument("--sizes", type=int, nargs="*", help="corpus sizes (default 1000 10000)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sizes = args.sizes or ([1000, 10000] + ([100000] if args.large else []))
    # an installed program has its bytecode compiled (pip does it); an editable checkout run
    # with PYTHONDONTWRITEBYTECODE would compile every module on every start instead
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent / "feeds")],
                   check=True, stdout=subprocess.DEVNULL)
    report: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "sizes": {},
    }
    print(f"{'articles':>9} {'job':<10} {'scenario':<12} {'wall s':>8} {'peak MB':>8}  note")
    for size in sizes:
        corpus = Path(tempfile.mkdtemp(prefix=f"bench-{size}-"))
        make_corpus(corpus, size)
        entry: dict[str, Any] = {}
        site = HugoSite.of(corpus)
        with tempfile.TemporaryDirectory() as tmp:
            works = {job: Path(tmp) / job for job in JOBS}
            for work in works.values():
                work.mkdir()
                (work / "empty.yaml").write_text("{}\n")
            alternate = size <= ALTERNATE_UP_TO
            try:
                cold, hugo_runs = run_cold(corpus, works, site, args.repeats, alternate)
            finally:  # its copy of the corpus is not needed past the cold builds
                if site is not None:
                    site.close()
            hugo = summarize(hugo_runs) if hugo_runs else None
            entry["hugo"] = hugo
            for job in JOBS:
                entry[job] = run_job(corpus, works[job], job, cold[job], args.repeats)
                if hugo_runs and alternate:
                    entry[job]["cold"]["hugo_ratio_per_round"] = ratios(cold[job], hugo_runs)
                print_job(size, job, entry[job], hugo)
        if hugo:
            print(
                f"{size:>9} {'hugo':<10} {'cold':<12} {hugo['wall_s']:>8.3f} "
                f"{hugo['peak_mb']:>8.1f}  runs: " + ", ".join(f"{r[0]:.2f}" for r in hugo_runs)
            )
        report["sizes"][str(size)] = entry  # type: ignore[index]
        shutil.rmtree(corpus, ignore_errors=True)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"written {out / 'results.json'}")


if __name__ == "__main__":
    main()
