"""``feeds status``: the last and next run of every job and the last digest sends.

Built from the state folder and config.yaml alone, so it answers whether or not the service
is running (the lock file says whether it is).
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from feeds.schedule.lock import lock_holder
from feeds.schedule.state import STATE_DB, JobRow, JobState
from feeds.schedule.status import STATUS_NAME, job_entries, read_status_file, short_time
from feeds.schedule.triggers import in_zone, jobs_from_config, next_fire

if TYPE_CHECKING:
    from feeds.config import Config


def status_overview(config: Config, now: datetime, sends: int = 3) -> dict[str, Any]:
    """The status document; ``sends`` digest runs per digest, newest first."""
    tz = config.site.tz
    specs = jobs_from_config(config)
    rows = _rows(config)
    jobs = [(spec.id, spec.description) for spec in specs]
    jobs += [(job, "unscheduled") for job in rows if job not in {s.id for s in specs}]
    next_runs = {spec.id: next_fire(spec.trigger, now) for spec in specs}
    return {
        "timezone": config.site.timezone,
        "service": _service(config),
        "jobs": job_entries(jobs, rows, next_runs, tz),
        "digests": digest_sends(config, tz, sends),
    }


def _rows(config: Config) -> dict[str, JobRow]:
    path = config.state / STATE_DB
    return JobState(path).rows() if path.exists() else {}


def _service(config: Config) -> dict[str, Any]:
    pid = lock_holder(config.state)
    if pid is None:
        return {"running": False}
    document = read_status_file(config.state / STATUS_NAME) or {}
    started = (document.get("service") or {}).get("started")
    return {"running": True, "pid": pid if pid > 0 else None, "started": started}


def digest_sends(config: Config, tz: tzinfo, limit: int) -> list[dict[str, Any]]:
    """The latest runs of each configured digest, from the send ledger."""
    from feeds.digest import ledger
    from feeds.digest.subscribers import DB_FILE, connect

    if not config.digests or not (config.state / DB_FILE).exists():
        return []
    db = connect(config.state)
    try:
        ledger.prepare(db)
        return [
            {
                "digest": digest.name,
                "run": summary.run.id,
                "period_start": in_zone(summary.run.start, tz).isoformat(),
                "period_end": in_zone(summary.run.end, tz).isoformat(),
                "status": summary.run.status,
                "articles": len(summary.run.article_ids),
                "recipients": dict(sorted(summary.counts.items())),
            }
            for digest in config.digests
            for summary in ledger.history(db, digest.name, limit)
        ]
    finally:
        db.close()


def format_sends(sends: list[dict[str, Any]]) -> list[str]:
    """Lines for the 'last digest sends' part of ``feeds status``."""
    if not sends:
        return ["last digest sends: none"]
    lines = ["last digest sends:"]
    for send in sends:
        recipients = ", ".join(f"{n} {state}" for state, n in send["recipients"].items())
        lines.append(
            f"  {send['digest']}  run {send['run']}  up to {short_time(send['period_end'])}"
            f"  {send['status']}  {send['articles']} articles  {recipients or 'no recipients'}"
        )
    return lines
