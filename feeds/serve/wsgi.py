"""Entry points for production WSGI servers.

    FEEDS_CONFIG=/srv/feeds/config.yaml gunicorn 'feeds.serve.wsgi:unsubscribe_app()'
    FEEDS_CONFIG=/srv/feeds/config.yaml waitress-serve --call feeds.serve.wsgi:unsubscribe_app

The factory reads the config named by ``FEEDS_CONFIG`` (default ./config.yaml) once, at
start-up; a config problem stops the server before it accepts a request.
"""

from __future__ import annotations

import os
from pathlib import Path

from feeds.config import load_config
from feeds.serve.app import WSGIApp

CONFIG_VARIABLE = "FEEDS_CONFIG"


def unsubscribe_app() -> WSGIApp:
    """The digest unsubscribe app (GET confirms, POST and RFC 8058 one-click unsubscribe)."""
    from feeds.digest.unsubscribe import make_unsubscribe_app

    config = load_config(Path(os.environ.get(CONFIG_VARIABLE, "config.yaml")))
    return make_unsubscribe_app(config)
