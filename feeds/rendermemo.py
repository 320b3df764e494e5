"""Feeds whose inputs are unchanged since they were last published are not rendered again.

A rebuild after one article changed usually leaves most feeds as they were: a category the
article is not in, a site feed it is too old for. Each feed job is keyed by everything its
bytes depend on (program, site and feed settings, every field of every article it shows,
and, for a feed left empty, the date it falls back to); when the key and the files it wrote
(size and mtime) are what the last build left, the files stand and its outcome (items,
warnings) is reported again.
Only small jobs are keyed: hashing a 10 000-item feed would cost about what rendering it does.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from feeds.config.canonical import settings_text
from feeds.fingerprint import code_fingerprint
from feeds.models import Problem
from feeds.statefiles import load_json, signature, unchanged, write_json

if TYPE_CHECKING:
    from feeds.config import Config
    from feeds.models import Article
    from feeds.render.plan import FeedJob

MEMO_FILE = "render-memo.json"
MAX_ITEMS = 1000  # articles in a job beyond which it is rendered without a key


class RenderMemo:
    """The jobs published by the last builds into one output folder, by key."""

    def __init__(self, config: Config, out_dir: Path) -> None:
        self.path = config.state / MEMO_FILE
        # what every job of this build depends on alike
        self._common = repr((code_fingerprint(), settings_text(config.site),
                             settings_text(config.websub)))
        self.out_dir = out_dir.absolute()
        self.folder = str(self.out_dir)
        self._all = load_json(self.path)
        self._mine: dict[str, Any] = self._all.get(self.folder, {})
        self._next: dict[str, Any] = {}  # entries of this build's jobs
        self._tried: set[str] = set()  # the jobs of this build, published or not
        self._digests: dict[int, bytes] = {}  # id(article) -> _digest_of(article)

    def key(self, job: FeedJob, budget: bool) -> str | None:
        """What the job's files depend on, digested; None for jobs too large to key. The
        date an empty feed falls back to is left out: it changes whenever a newer article
        appears anywhere, and only a feed that ended up empty shows it (see replay)."""
        articles = job.articles if job.spec.archive else job.items
        if len(articles) > MAX_ITEMS:
            return None
        digest = hashlib.sha256(self._common.encode("utf-8", "surrogateescape"))
        head = (settings_text(job.spec), job.name, job.path, job.title, job.limit, budget)
        digest.update(_digest_of(head))
        for article in articles:
            digest.update(self._article_digest(article))
        return digest.hexdigest()

    def _article_digest(self, article: Article) -> bytes:
        """An article's digest, made once per build: the site's RSS, Atom and JSON feeds
        and its category feeds show the same articles (650 items, ~340 articles, in the
        realistic bench), and the repr of one with its content is ~10 KB."""
        found = self._digests.get(id(article))
        if found is None:  # keyed by identity: the jobs hold every article until the end
            found = self._digests[id(article)] = _digest_of(article)
        return found

    def replay(
        self, job: FeedJob, key: str | None, fallback: datetime
    ) -> tuple[list[str], int, list[Problem]] | None:
        """(files relative to the output folder, items, warnings) of the job as last
        published, when nothing it depends on changed."""
        self._tried.add(job.path)
        entry = self._mine.get(job.path)
        if key is None or not entry or entry.get("key") != key:
            return None
        if entry.get("fallback") not in (None, fallback.isoformat()):
            return None  # an empty feed, dated by the newest article of all: it changed
        files = entry.get("files", {})
        if not files or not unchanged({str(self.out_dir / rel): s for rel, s in files.items()}):
            return None  # a file was changed or removed by someone else
        problems = [Problem.from_dict(p) for p in entry.get("problems", [])]
        self._next[job.path] = entry
        return list(files), int(entry.get("items", 0)), problems

    def record(self, job: FeedJob, key: str | None, files: Sequence[str], items: int,
               problems: Sequence[Problem], fallback: datetime) -> None:
        """The job was published: its ``files`` (relative to the output folder) now stand
        for ``key``."""
        if key is None:
            return
        self._next[job.path] = {
            "key": key,
            "files": {rel: signature(str(self.out_dir / rel)) for rel in files},
            "items": items,
            "problems": [p.as_dict() for p in problems],
            # the same inputs render the same items: only a feed left empty shows the date
            "fallback": None if items else fallback.isoformat(),
        }

    def save(self) -> None:
        """This build's entries, and those of feeds it did not build (``--only``, or a
        schedule's feed set): a job that failed loses its entry."""
        kept = {path: e for path, e in self._mine.items() if path not in self._tried}
        kept.update(self._next)
        if kept != self._mine:
            # a memo that cannot be written costs the next build its renders, nothing more
            with contextlib.suppress(OSError):
                write_json(self.path, {**self._all, self.folder: kept})


def _digest_of(part: object) -> bytes:
    """The repr of a frozen record (every field, in a fixed order), digested."""
    return hashlib.blake2b(repr(part).encode("utf-8", "surrogateescape"), digest_size=16).digest()
