"""The index page of the development server: every feed and digest, with subscribe links.

``listing`` looks at the output folder (I/O); ``index_page`` is a pure function of what it
found, so the page is the same bytes for the same site.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from feeds.config.root import Config
from feeds.render import FORMATS

_LABELS = {"rss": "RSS 2.0", "atom": "Atom 1.0", "json": "JSON Feed 1.1"}
_STYLE = """
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.6rem;margin-bottom:.2rem} h2{font-size:1.15rem;margin-top:2rem}
ul{padding-left:1.2rem} li{margin:.3rem 0} code{background:#f3f3f3;padding:0 .25rem}
.kind{color:#666;font-size:.85rem} .status{color:#555} .bad{color:#a00}
"""


@dataclass(frozen=True, slots=True)
class FeedFile:
    """One feed file that exists in the output folder."""

    name: str  # the feed's config name
    format: str
    path: str  # relative to the output folder, '/' separated


@dataclass(frozen=True, slots=True)
class Listing:
    """What the index shows: feeds found, digests configured, digest web copies found."""

    feeds: tuple[FeedFile, ...]
    digests: tuple[str, ...]
    web_copies: tuple[str, ...]


def listing(config: Config) -> Listing:
    """Scan the output folder for the configured feeds and the digests' web copies."""
    out = config.output
    found: list[FeedFile] = []
    for spec in config.feeds:
        pattern = spec.path.replace("{slug}", "*") if spec.per else spec.path
        for path in sorted(out.glob(pattern)):
            if path.is_file():
                found.append(FeedFile(spec.name, spec.format, path.relative_to(out).as_posix()))
    copies = sorted(p.relative_to(out).as_posix() for p in (out / "digests").rglob("*.html"))
    return Listing(tuple(found), tuple(d.name for d in config.digests), tuple(copies[-20:]))


def index_page(config: Config, found: Listing, base_url: str, status: Sequence[str]) -> str:
    """The HTML page; ``base_url`` is where the server is reached (for subscribe links)."""
    title = escape(config.site.title)
    head = "".join(
        f'<link rel="alternate" type="{FORMATS[f.format].media_type}" '
        f'title="{escape(f.name)}" href="{escape(_url(base_url, f.path))}">'
        for f in found.feeds
    )
    body = [f"<h1>{title}</h1>", '<p class="kind">feeds development server</p>']
    body += _status_block(status)
    body += _feeds_block(found.feeds, base_url)
    body += _digests_block(found.digests, found.web_copies)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title} · feeds</title>{head}<style>{_STYLE}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def _status_block(status: Sequence[str]) -> list[str]:
    if not status:
        return []
    first, *rest = status
    css = "status bad" if rest else "status"
    lines = [f'<p class="{css}">{escape(first)}</p>']
    if rest:
        lines.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in rest) + "</ul>")
    return lines


def _feeds_block(feeds: Sequence[FeedFile], base_url: str) -> list[str]:
    lines = ["<h2>Feeds</h2>"]
    if not feeds:
        return [*lines, "<p>No feed files yet: run <code>feeds build</code>.</p>"]
    lines.append("<p>Paste a link into your feed reader to subscribe.</p><ul>")
    for feed in feeds:
        url = _url(base_url, feed.path)
        kind = FORMATS[feed.format].media_type
        label = _LABELS.get(feed.format, feed.format)
        if feed.name != feed.format:
            label = f"{feed.name} · {label}"
        lines.append(
            f'<li><a href="{escape(url)}" type="{kind}">{escape(url)}</a> '
            f'<span class="kind">{escape(label)}</span></li>'
        )
    return [*lines, "</ul>"]


def _digests_block(digests: Sequence[str], copies: Sequence[str]) -> list[str]:
    lines = ["<h2>Digests</h2>"]
    if not digests:
        return [*lines, "<p>No digests configured (<code>digests:</code> in config.yaml).</p>"]
    lines.append("<ul>")
    for name in digests:
        lines.append(
            f'<li><a href="/_digest/{quote(name)}">{escape(name)}</a> '
            '<span class="kind">preview of the next email</span></li>'
        )
    lines.append("</ul>")
    if copies:
        lines.append("<p>Sent digests (web copies):</p><ul>")
        lines += [f'<li><a href="/{quote(c)}">{escape(c)}</a></li>' for c in reversed(copies)]
        lines.append("</ul>")
    return lines


def _url(base_url: str, relative: str) -> str:
    return base_url.rstrip("/") + "/" + quote(relative)
