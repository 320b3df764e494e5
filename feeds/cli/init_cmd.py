"""`feeds init`: a new site folder that `feeds build` works in as it is.

Writes a commented config.yaml (generated from the schema), copies the default digest
templates for editing, and adds one example article when the content folder has none.
Never prompts; never overwrites a file unless --force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from feeds.cli.common import EXIT_OK, common_options, options, resolve_now, say
from feeds.errors import FeedsError, UsageError

ARTICLE_SUFFIXES = (".md", ".markdown", ".html", ".htm")
EXAMPLE_NAME = "hello-feeds.md"


@dataclass(frozen=True, slots=True)
class Planned:
    """One file init will write: where, and its bytes."""

    path: Path
    data: bytes


@click.command()
@click.argument("directory", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--title", default="My site", show_default=True, help="Site title.")
@click.option(
    "--timezone",
    default="UTC",
    show_default=True,
    help="IANA timezone for dates written without one (e.g. Asia/Shanghai).",
)
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@common_options
def init(directory: Path, title: str, timezone: str, force: bool) -> int:
    """Write config.yaml, editable templates and an example article into DIRECTORY.

    --site-url sets site.url (default http://localhost:8000/, what `feeds serve` uses);
    --content names the content folder(s) (default: content).
    """
    _check_timezone(timezone)
    opts = options()
    content_dirs = [str(p) for p in opts.content] or ["content"]
    values = _config_values(title, opts.site_url, timezone, content_dirs)
    now = resolve_now(None).astimezone(ZoneInfo(timezone))
    plan = plan_files(directory, values, content_dirs[0], now)
    _refuse_existing(plan, force)
    for item in plan:
        item.path.parent.mkdir(parents=True, exist_ok=True)
        item.path.write_bytes(item.data)
        say(f"wrote {item.path}")
    say(_next_steps(directory))
    return EXIT_OK


def plan_files(
    directory: Path, values: dict[str, Any], content_dir: str, now: datetime
) -> list[Planned]:
    """Every file init would write, without writing any."""
    from feeds.cli.config_template import config_yaml

    plan = [Planned(directory / "config.yaml", config_yaml(values).encode())]
    for template in default_templates():
        plan.append(Planned(directory / "templates" / template.name, template.read_bytes()))
    content = directory / content_dir
    if not _has_articles(content):
        plan.append(Planned(content / EXAMPLE_NAME, example_article(now).encode()))
    return plan


def default_templates() -> list[Path]:
    """The default digest templates (a checkout's templates/, or the installed copy)."""
    from feeds.digest.render import default_template_dir

    folder = default_template_dir()
    found = sorted(folder.glob("*.j2"))
    if not found:
        raise FeedsError(
            f"the default digest templates are missing from this installation ({folder})",
            hint="reinstall feeds; a package built without its templates/ folder is broken",
        )
    return found


def _config_values(
    title: str, site_url: str | None, timezone: str, content_dirs: list[str]
) -> dict[str, Any]:
    return {
        "site": {
            "title": title,
            "url": site_url or "http://localhost:8000/",
            "timezone": timezone,
        },
        "content": {"dirs": content_dirs},
        "mail": {"transport": {"kind": "outbox", "dir": "outbox"}},
        "digests": [
            {
                "name": "daily",
                "title": f"{title}: today's articles",
                "from": f"{title} <feeds@localhost>",
                "templates": "templates",
                "schedule": "0 8 * * *",
            }
        ],
    }


def _check_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"--timezone: {name!r} is not an IANA timezone",
            hint="use a name such as Asia/Shanghai, Europe/Berlin or UTC",
        ) from None


def _has_articles(folder: Path) -> bool:
    if not folder.is_dir():
        return False
    return any(p.suffix.lower() in ARTICLE_SUFFIXES for p in folder.rglob("*") if p.is_file())


def _refuse_existing(plan: list[Planned], force: bool) -> None:
    existing = [str(item.path) for item in plan if item.path.exists()]
    if existing and not force:
        raise UsageError(
            f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}; "
            "nothing was written",
            hint="use --force to overwrite, or init into another folder",
        )


def _next_steps(directory: Path) -> str:
    where = "" if directory.resolve() == Path.cwd() else f"cd {directory} && "
    return (
        f"next: {where}feeds build   (feeds into public/)\n"
        f"      {where}feeds serve   (preview at http://127.0.0.1:8000/)"
    )


def example_article(now: datetime) -> str:
    """A short Markdown article dated ``now`` (site time), showing the front matter keys."""
    stamp = now.strftime("%Y-%m-%d %H:%M:%S")
    return f"""\
---
title: Hello, feeds
date: {stamp}
categories:
  - Notes
tags:
  - feeds
  - getting started
summary: The first article of this site, written by feeds init.
---

This is an example article. Edit it, or delete it and add your own files: Markdown
(`.md`, `.markdown`) or HTML (`.html`, `.htm`), each with YAML front matter between `---`
lines, as Hexo, Jekyll and Hugo write them.

<!-- more -->

Front matter keys that are understood include `title`, `date` (dates without a timezone
are read in `site.timezone`), `updated`, `categories`, `tags`, `author`, `summary`,
`thumbnail` and `draft`. Run `feeds check` to see how each file is read, `feeds build`
to write the feeds, and `feeds serve` to preview them.
"""
