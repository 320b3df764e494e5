"""The unsubscribe endpoint: a small WSGI application any WSGI server can host.

``GET ?token=…`` only shows a confirmation page with a button (link scanners and mail
previews fetch URLs; a GET must never unsubscribe anyone). ``POST`` unsubscribes: either that
button, or a mail client's RFC 8058 one-click request (body ``List-Unsubscribe=One-Click``,
token in the URL). Forged or altered tokens get 400; repeating a request is harmless.
``feeds serve`` mounts it at /unsubscribe.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from feeds.config import Config
from feeds.digest import subscribers, tokens
from feeds.errors import UsageError

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
MAX_BODY = 8192

_PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;
line-height:1.5;color:#111827}}button{{font-size:1rem;padding:.6rem 1.2rem;border:0;
border-radius:6px;background:#1f6feb;color:#fff;cursor:pointer}}
@media (prefers-color-scheme:dark){{body{{background:#0d1117;color:#e6edf3}}}}</style>
</head><body><h1>{title}</h1>{body}</body></html>
"""


def make_unsubscribe_app(config: Config) -> WSGIApp:
    """The WSGI callable; the secret and the store are opened per request (cheap, safe)."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        if method not in ("GET", "HEAD", "POST"):
            return _respond(start_response, "405 Method Not Allowed", config,
                            "Not allowed", "<p>Use GET or POST.</p>", [("Allow", "GET, POST")])
        query = parse_qs(environ.get("QUERY_STRING", ""))
        form = _form(environ) if method == "POST" else {}
        token = (form.get("token") or query.get("token") or [""])[0]
        secret = tokens.load_secret(config.state, config.mail.secret_env)
        try:
            request = tokens.read_token(secret, token)
        except tokens.InvalidToken:
            return _respond(start_response, "400 Bad Request", config, "Invalid link",
                            "<p>This unsubscribe link is not valid. Please use the link from "
                            "the most recent email, or reply to it.</p>")
        if method == "POST":
            return _unsubscribe(start_response, config, request)
        return _confirm(start_response, config, request, token)

    return app


def _confirm(start_response: StartResponse, config: Config, request: tokens.Unsubscribe,
             token: str) -> Iterable[bytes]:
    who, digest = html.escape(request.address), html.escape(request.digest)
    body = (f"<p>Stop sending the <strong>{digest}</strong> digest of "
            f"{html.escape(config.site.title)} to <strong>{who}</strong>?</p>"
            f'<form method="post"><input type="hidden" name="token" '
            f'value="{html.escape(token)}"><button type="submit">Unsubscribe</button></form>')
    return _respond(start_response, "200 OK", config, "Unsubscribe", body)


def _unsubscribe(start_response: StartResponse, config: Config,
                 request: tokens.Unsubscribe) -> Iterable[bytes]:
    db = subscribers.connect(config.state)
    try:
        subscribers.unsubscribe(db, request.address, request.digest)
    except UsageError:
        pass  # an address the store would not accept today: nothing to remove
    finally:
        db.close()
    body = (f"<p>{html.escape(request.address)} will no longer receive the "
            f"<strong>{html.escape(request.digest)}</strong> digest.</p>")
    return _respond(start_response, "200 OK", config, "Unsubscribed", body)


def _form(environ: dict[str, Any]) -> dict[str, list[str]]:
    try:
        length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_BODY)
    except ValueError:
        length = 0
    raw = environ["wsgi.input"].read(length) if length > 0 else b""
    return parse_qs(raw.decode("utf-8", "replace"))


def _respond(start_response: StartResponse, status: str, config: Config, title: str,
             body: str, extra: list[tuple[str, str]] | None = None) -> Iterable[bytes]:
    page = _PAGE.format(lang=html.escape(config.site.language), title=html.escape(title),
                        body=body).encode("utf-8")
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(page))),
        ("Cache-Control", "no-store"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Robots-Tag", "noindex"),
        *(extra or []),
    ]
    start_response(status, headers)
    return [page]
