"""``feeds digest NAME``: preview, dry-run, send, test-send, or show the ledger."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from feeds.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    common_options,
    format_option,
    load_settings,
    print_json,
    say,
)
from feeds.errors import UsageError


def parse_when(value: str | None, tz: Any) -> datetime | None:
    """ISO 8601; a value without a zone is in the site timezone."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        hint = "e.g. 2026-11-26T08:00 (site time) or 2026-11-26T00:00Z"
        raise UsageError(f"{value!r} is not an ISO 8601 date", hint=hint) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


@click.command()
@click.argument("name")
@click.option("--preview", "action", flag_value="preview", help="Write HTML/text for a sample.")
@click.option("--dry-run", "action", flag_value="dry-run", help="List recipients and articles.")
@click.option("--send", "action", flag_value="send", help="Send the digest (resumes if needed).")
@click.option("--status", "action", flag_value="status", help="Show the last runs.")
@click.option("--to", "to_address", metavar="ADDRESS", help="Test send to one address only.")
@click.option("--now", "now_text", metavar="ISO", help="Period end (default: now).")
@click.option("--since", "since_text", metavar="ISO", help="Period start for this run.")
@click.option("--transport", "transport_url", metavar="URL",
              help="smtp://[user@]host[:port], smtps://user@host[:port] or outbox:DIR.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for --preview (default: <state>/preview).")
@format_option
@common_options
def digest(
    name: str,
    action: str | None,
    to_address: str | None,
    now_text: str | None,
    since_text: str | None,
    transport_url: str | None,
    out_dir: Path | None,
    fmt: str,
) -> int:
    """Preview, check or send the email digest NAME declared in config.yaml."""
    from feeds.digest import preview
    from feeds.digest.run import find_spec

    if to_address:
        action = "to" if action in (None, "send") else action
    if action is None:
        hint = "--preview, --dry-run, --send, --to ADDRESS or --status"
        raise UsageError("say what to do", hint=hint)
    config = load_settings()
    find_spec(config, name)
    if action == "status":
        return _status(config, name, fmt)
    tz = config.site.tz
    now = parse_when(now_text, tz) or datetime.now(UTC)
    since = parse_when(since_text, tz)
    if action == "send":
        return _send(config, name, now, since, transport_url, fmt)
    the_plan = preview.plan(config, name, now=now, since=since)
    if action == "dry-run":
        return _dry_run(config, the_plan, fmt)
    if action == "preview":
        paths = preview.write_preview(config, the_plan, out_dir or config.state / "preview")
        _out(fmt, {"html": str(paths[0]), "text": str(paths[1]), "eml": str(paths[2])},
             "\n".join(str(p) for p in paths))
        return EXIT_OK
    reply = preview.send_test(config, the_plan, to_address or "", transport_url)
    _out(fmt, {"to": to_address, "reply": reply, "articles": len(the_plan.articles)},
         f"sent to {to_address}: {reply}")
    return EXIT_OK


def _send(config: Any, name: str, now: datetime, since: datetime | None,
          transport_url: str | None, fmt: str) -> int:
    from feeds.digest.run import run_digest

    report = run_digest(config, name, now=now, since=since, transport_url=transport_url)
    if fmt == "json":
        print_json(report.as_dict())
    else:
        for address, reply in report.failures:
            say(f"  {address}: {reply}")
        resumed = f", resumed run(s) {list(report.resumed_runs)}" if report.resumed_runs else ""
        say(f"{name}: {report.status}: {len(report.articles)} article(s), sent {report.sent}, "
            f"failed {report.failed_temp} temporarily and {report.failed_perm} permanently, "
            f"skipped {report.skipped}{resumed}")
        if report.web_copy:
            say(f"web copy: {report.web_copy}")
    return EXIT_PROBLEMS if report.failed_temp or report.failed_perm else EXIT_OK


def _dry_run(config: Any, the_plan: Any, fmt: str) -> int:
    from feeds.digest import preview
    from feeds.models import iso_utc

    people = [(s.address, s.name, list(s.categories))
              for s in preview.recipients(config, the_plan.spec.name)]
    data: dict[str, Any] = {
        "digest": the_plan.spec.name,
        "period": {"start": iso_utc(the_plan.start), "end": iso_utc(the_plan.end)},
        "articles": [{"id": a.id, "title": a.title, "published": iso_utc(a.published)}
                     for a in the_plan.articles],
        "recipients": [{"address": a, "name": n, "categories": c} for a, n, c in people],
    }
    lines = [f"period {data['period']['start']} .. {data['period']['end']}",
             f"{len(the_plan.articles)} article(s):"]
    tz = config.site.tz
    lines += [f"  {a.published.astimezone(tz):%Y-%m-%d %H:%M}  {a.title}"
              for a in the_plan.articles]
    lines.append(f"{len(people)} recipient(s):")
    lines += [f"  {a}" + (f" ({n})" if n else "") for a, n, _ in people]
    _out(fmt, data, "\n".join(lines))
    return EXIT_OK


def _status(config: Any, name: str, fmt: str) -> int:
    from feeds.digest import ledger
    from feeds.digest.run import open_db
    from feeds.models import iso_utc

    db = open_db(config)
    try:
        runs = ledger.history(db, name)
    finally:
        db.close()
    data = [{"run": s.run.id, "status": s.run.status,
             "period": {"start": iso_utc(s.run.start), "end": iso_utc(s.run.end)},
             "articles": len(s.run.article_ids), "recipients": s.counts} for s in runs]
    lines = [f"#{s.run.id}  {iso_utc(s.run.start)} .. {iso_utc(s.run.end)}  {s.run.status:<7} "
             f"{len(s.run.article_ids)} article(s)  "
             + ", ".join(f"{k} {v}" for k, v in sorted(s.counts.items()))
             for s in runs]
    _out(fmt, data, "\n".join(lines) or f"{name}: no runs yet")
    return EXIT_OK


def _out(fmt: str, data: Any, text: str) -> None:
    if fmt == "json":
        print_json(data)
    else:
        click.echo(text)
