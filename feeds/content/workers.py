"""How many processes per-file work may use.

Reading, parsing front matter, rendering Markdown and cleaning HTML are independent per file
and CPU-bound, so processes (not threads: the GIL) divide their time by the core count
(see feeds.content.shards); checking large feeds beside the rendering takes one more
(feeds.feedcheck.beside). Small amounts of work stay in-process: starting workers costs more
than it saves.
"""

from __future__ import annotations

import os

MIN_ITEMS_FOR_POOL = 400  # below this, a pool's start-up outweighs its gain


def worker_count(items: int, weight: int | None = None) -> int:
    """How many processes to use for ``items`` tasks (1 = run in this process); ``weight``
    is the amount of work when tasks are few but large (feeds of thousands of items).
    ``FEEDS_WORKERS`` overrides it (1: no worker processes at all)."""
    override = os.environ.get("FEEDS_WORKERS")
    if override and override.isdigit():
        return max(1, min(int(override), items))
    if (weight if weight is not None else items) < MIN_ITEMS_FOR_POOL or items < 2:
        return 1
    return max(1, min(os.cpu_count() or 1, 8, items))
