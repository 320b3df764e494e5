"""WebSub (W3C Recommendation): tell the hub which feeds changed after a build.

One ``hub.mode=publish`` POST per changed feed. A hub that is down or refuses is a warning:
the feeds are already written and subscribers still get them by polling.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Sequence
from urllib.parse import urlencode

from feeds import __version__
from feeds.models import Problem, Severity


def announce(hub: str, feed_urls: Sequence[str], *, timeout: float) -> list[Problem]:
    """POST a publish notification for each URL; problems (warnings) for those that failed."""
    problems = []
    for index, url in enumerate(feed_urls):
        reason, reachable = _publish(hub, url, timeout)
        if reason:
            # an unreachable hub is not tried again for every feed (each try may time out)
            urls = url if reachable else ", ".join(feed_urls[index:])
            problems.append(Problem(hub, "websub.hub", f"{urls} not announced: {reason}",
                                    Severity.WARNING))
        if not reachable:
            break
    return problems


def _publish(hub: str, url: str, timeout: float) -> tuple[str | None, bool]:
    """(reason it failed or None, whether the hub answered at all)."""
    body = urlencode({"hub.mode": "publish", "hub.url": url}).encode("ascii")
    request = urllib.request.Request(
        hub,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": f"feeds/{__version__} (WebSub publisher)",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        return f"the hub answered {exc.code} {exc.reason}", True
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"the hub is unreachable ({reason})", False
    return (None if 200 <= status < 300 else f"the hub answered {status}"), True
