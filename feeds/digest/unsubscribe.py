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
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from feeds.digest import subscribers, tokens
from feeds.errors import UsageError

if TYPE_CHECKING:
    from feeds.config import Config

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
            words = _words(config)
            return _respond(start_response, "400 Bad Request", config, words["invalid"],
                            f"<p>{words['invalid_text']}</p>")
        if method == "POST":
            return _unsubscribe(start_response, config, request)
        return _confirm(start_response, config, request, token)

    return app


def _confirm(start_response: StartResponse, config: Config, request: tokens.Unsubscribe,
             token: str) -> Iterable[bytes]:
    words = _words(config)
    question = words["confirm"].format(
        digest=html.escape(request.digest), site=html.escape(config.site.title),
        address=html.escape(request.address))
    body = (f"<p>{question}</p>"
            f'<form method="post"><input type="hidden" name="token" '
            f'value="{html.escape(token)}"><button type="submit">{words["button"]}</button></form>')
    return _respond(start_response, "200 OK", config, words["title"], body)


def _unsubscribe(start_response: StartResponse, config: Config,
                 request: tokens.Unsubscribe) -> Iterable[bytes]:
    db = subscribers.connect(config.state)
    try:
        subscribers.unsubscribe(db, request.address, request.digest)
    except UsageError:
        pass  # an address the store would not accept today: nothing to remove
    finally:
        db.close()
    words = _words(config)
    done = words["done_text"].format(address=html.escape(request.address),
                                     digest=html.escape(request.digest))
    return _respond(start_response, "200 OK", config, words["done"], f"<p>{done}</p>")


_ENGLISH = {
    "title": "Unsubscribe",
    "confirm": "Stop sending the <strong>{digest}</strong> digest of {site} to "
               "<strong>{address}</strong>?",
    "button": "Unsubscribe",
    "done": "Unsubscribed",
    "done_text": "{address} will no longer receive the <strong>{digest}</strong> digest.",
    "invalid": "Invalid link",
    "invalid_text": "This unsubscribe link is not valid. Please use the link from the most "
                    "recent email, or reply to it.",
}
_CHINESE = {
    "title": "退订",
    "confirm": "不再向 <strong>{address}</strong> 发送{site}的 <strong>{digest}</strong> 摘要？",
    "button": "确认退订",
    "done": "已退订",
    "done_text": "{address} 将不再收到 <strong>{digest}</strong> 摘要。",
    "invalid": "链接无效",
    "invalid_text": "这个退订链接无效。请使用最近一封邮件中的链接，或直接回复那封邮件。",
}


def _words(config: Config) -> dict[str, str]:
    return _CHINESE if config.site.language.lower().startswith("zh") else _ENGLISH


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
