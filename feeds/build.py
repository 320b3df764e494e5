"""``feeds build``: collect the articles, then render, check and publish every feed.

Each feed is parsed back and checked before it replaces the old file; a feed that fails
keeps the old file and is reported. Files are written only when their bytes change.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from feeds.afterlife import outlive
from feeds.buildreport import BuildReport
from feeds.errors import UsageError
from feeds.gcpause import collector_paused
from feeds.models import Article, Problem
from feeds.timings import Timings

if TYPE_CHECKING:
    from feeds.buildstamp import RawInputs
    from feeds.config import Config
    from feeds.config.sections.feeds import FeedSpec
    from feeds.content.collect import Collection, ProgressFactory
    from feeds.feedcheck.beside import Checker
    from feeds.publish import Drafts
    from feeds.render.feed import Rendered
    from feeds.render.plan import FeedJob


@dataclass
class _Tally:
    out_dir: Path
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    announce: list[str] = field(default_factory=list)  # rel paths of changed feeds
    items: int = 0  # items in the subscription feeds rendered
    timings: Timings = field(default_factory=Timings)  # render, check, write in this job

    def merge(self, other: _Tally) -> None:
        self.written += other.written
        self.unchanged += other.unchanged
        self.failed += other.failed
        self.problems += other.problems
        self.announce += other.announce
        self.timings.merge(other.timings.as_dict())

    def publish(self, rel_path: str, data: bytes) -> bool:
        from feeds.publish import Outcome, publish

        shown = str(self.out_dir / rel_path)
        outcome = publish(self.out_dir, rel_path, data)
        (self.written if outcome is Outcome.WRITTEN else self.unchanged).append(shown)
        return outcome is Outcome.WRITTEN


@collector_paused()  # see feeds.gcpause: the collector would find next to nothing
def run_build(
    config: Config,
    *,
    now: datetime,
    only: Sequence[str] = (),
    limit: int | None = None,
    out: Path | None = None,
    collection: Collection | None = None,
    strict: bool = False,
    progress: ProgressFactory | None = None,
    raw: RawInputs | None = None,
    timings: Timings | None = None,
) -> BuildReport:
    """Build the configured feeds (or ``only`` those named) into ``out`` or config.output.

    ``limit`` overrides every feed's item limit; ``limit=0`` means every article with full
    content and no size budget. ``now`` decides what is future-dated; it never appears in
    the output. When nothing the build reads has changed since the last one, the last
    result is reported again without reading a single article (see feeds.buildstamp);
    ``raw`` (the inputs as given on the command line) lets the next run tell that sooner.
    """
    specs = chosen_specs(config.feeds, only)
    out_dir = out or config.output
    stamp = None
    timings = timings or Timings()
    if collection is None:
        from feeds.buildstamp import BuildStamp

        with timings.phase("discover"):  # listing and stat'ing the sources is most of it
            stamp = BuildStamp.prepare(config, out=out_dir, only=only, limit=limit, raw=raw)
            replay = stamp.replay(now) if stamp else None
        if replay is not None:
            if stamp is not None and stamp.raw is not None:  # the raw inputs changed: noted
                stamp.record(replay.outputs, replay.problems, replay.counts, replay.due)
            return BuildReport.replayed(replay, strict, timings.as_dict())
    from feeds.feedcheck.beside import Checker  # imported late, as below

    with Checker() as checker:
        if collection is None:
            from feeds.content.collect import collect  # the replay path needs none of it

            collection = collect(
                config,
                now=now,
                sources=stamp.sources if stamp else None,
                progress=progress,
                clean_only=(
                    _shown_articles(config, specs, limit) if _can_choose(specs, limit) else None
                ),
                timings=timings,
                cleaned=functools.partial(_start_checker, checker, specs, limit),
            )
        report = _build_feeds(config, specs, collection, limit, out_dir, strict, timings, checker)
    outlive(collection)  # every article, garbage once the feeds are written
    if stamp is not None:
        if report.failed:
            stamp.forget()
        else:
            stamp.record(
                report.written + report.unchanged,
                report.problems,
                dict(report.counts),
                collection.next_due,
            )
    return report


def _build_feeds(
    config: Config,
    specs: Sequence[FeedSpec],
    collection: Collection,
    limit: int | None,
    out_dir: Path,
    strict: bool,
    timings: Timings,
    checker: Checker,
) -> BuildReport:
    from feeds.render.feed import EPOCH
    from feeds.render.plan import plan
    from feeds.render.text import is_aware

    tally = _Tally(out_dir)
    tally.problems.extend(collection.problems)
    with timings.phase("plan"):
        pools = _pools(collection.articles, {s.format for s in specs}, tally.problems)
        jobs, planning = plan(config, specs, pools, limit)
    tally.problems.extend(planning)
    # the date of a feed with no items: the newest article's, never the build time
    fallback = max((a.updated for a in collection.articles if is_aware(a.updated)), default=EPOCH)
    items = 0
    with timings.phase("feeds"):  # wall time of render + check + write, all jobs together
        for part in _publish_jobs(config, jobs, limit != 0, fallback, out_dir, checker):
            tally.merge(part)
            items += part.items
    timings.merge(tally.timings.as_dict())
    if any(s.stylesheet for s in specs):
        _publish_stylesheets(tally)
    _copy_assets(collection.assets, tally)
    _announce(config, tally)
    counts = {
        "files": collection.files,
        "articles": collection.article_total,
        "skipped": len(collection.skipped),
        "feeds": len(jobs),
        "items": items,
    }
    return BuildReport(
        tuple(tally.written),
        tuple(tally.unchanged),
        tuple(tally.failed),
        tuple(tally.problems),
        MappingProxyType(counts),
        strict,
        MappingProxyType(timings.as_dict()),
    )


def _start_checker(checker: Checker, specs: Sequence[FeedSpec], limit: int | None, n: int) -> None:
    """Once ``n`` articles are cleaned: start the checker (see feeds.feedcheck.beside) when
    the site-wide feeds alone will hold enough items to check beside. Its interpreter then
    starts while this process gathers the articles, which leaves the other core idle, not
    while the first feed renders (measured at 10 000 articles: 0.1 s less wall time). Feeds
    per category and filters are not counted: the plan that knows them comes later, and
    decides (see _run_jobs)."""
    items = 0
    for spec in specs:
        if spec.per is None:
            most = spec.limit if limit is None else limit
            items += min(most, n) if most else n
    if items >= _CHECK_BESIDE_ITEMS:
        checker.start()


def _can_choose(specs: Sequence[FeedSpec], limit: int | None) -> bool:
    """Whether the articles the feeds show can be chosen before any article is cleaned: not
    when every article is shown anyway, and not when a feed selects by author (a byline found
    while cleaning may replace the front-matter author)."""
    if limit == 0 or any(s.archive or s.limit == 0 for s in specs):
        return False
    return not any(s.per == "author" or s.include.authors or s.exclude.authors for s in specs)


def _shown_articles(
    config: Config, specs: Sequence[FeedSpec], limit: int | None
) -> Callable[[Sequence[Article]], set[str]]:
    """The chooser handed to collect: from the metadata of every article, the source paths
    of those some feed will show, those a feed must report as left out, and the newest
    (it dates empty feeds) — so cleaning a 10 000-article archive costs what 50 items cost."""
    from feeds.render.plan import plan

    def choose(index: Sequence[Article]) -> set[str]:
        left_out: list[Problem] = []
        jobs, _ = plan(config, specs, _pools(index, {s.format for s in specs}, left_out), limit)
        chosen = {a.source_path for job in jobs for a in job.items}
        chosen |= {p.path for p in left_out}
        if index:
            chosen.add(max(index, key=_UPDATED).source_path)  # C-level key: 10 000 calls
        return chosen

    return choose


_UPDATED = attrgetter("updated")


def chosen_specs(specs: Sequence[FeedSpec], only: Sequence[str]) -> list[FeedSpec]:
    """The specs named in ``only`` (all when empty); an unknown name is a usage error."""
    if not only:
        return list(specs)
    names = {s.name for s in specs}
    unknown = [n for n in only if n not in names]
    if unknown:
        raise UsageError(
            f"no feed named {', '.join(map(repr, unknown))}",
            hint=f"configured feeds: {', '.join(sorted(names)) or '(none)'}",
        )
    return [s for s in specs if s.name in set(only)]


def _pools(
    articles: Sequence[Article], formats: Iterable[str], problems: list[Problem]
) -> dict[str, list[Article]]:
    """Per format, the articles that have every field it requires; the rest are reported."""
    from feeds.render import FORMATS
    from feeds.render.fields import all_supply_every_field, missing_fields, supplies_every_field

    pools: dict[str, list[Article]] = {fmt: [] for fmt in sorted(formats)}
    required = {fmt: FORMATS[fmt].required for fmt in pools}
    every = sorted({name for names in required.values() for name in names})
    left_out: dict[tuple[str, str, str], list[str]] = {}
    if all_supply_every_field(articles):  # the usual case: no article lacks anything
        shared = list(articles)  # one list for every format: plan selects from it once
        return {fmt: shared for fmt in pools}
    complete = [a for a in articles if supplies_every_field(a)]
    if len(complete) == len(articles):
        return {fmt: complete for fmt in pools}
    for article in articles:  # each article checked once, whatever the number of formats
        missing = dict(missing_fields(article, every))
        for fmt, names in required.items():
            lacking = [(name, missing[name]) for name in names if name in missing]
            for name, reason in lacking:
                left_out.setdefault((article.source_path, name, reason), []).append(fmt)
            if not lacking:
                pools[fmt].append(article)
    for (path, name, reason), fmts in left_out.items():
        problems.append(Problem(path, name, f"{reason}; left out of the {'/'.join(fmts)} feeds"))
    return pools


def _publish_jobs(
    config: Config,
    jobs: Sequence[FeedJob],
    budget: bool,
    fallback: datetime,
    out_dir: Path,
    checker: Checker,
) -> list[_Tally]:
    """Each job's outcome, in job order: a job whose inputs are unchanged since its files
    were published leaves them as they are (see feeds.rendermemo); the others are rendered,
    checked and published, and remembered when they succeed."""
    from feeds.rendermemo import RenderMemo

    memo = RenderMemo(config, out_dir)
    keys = [memo.key(job, budget) for job in jobs]
    parts: dict[int, _Tally] = {}
    for index, (job, key) in enumerate(zip(jobs, keys, strict=True)):
        known = memo.replay(job, key, fallback)
        if known is not None:
            files, items, problems = known
            shown = [str(out_dir / rel) for rel in files]
            parts[index] = _Tally(out_dir, unchanged=shown, problems=problems, items=items)
    todo = [index for index in range(len(jobs)) if index not in parts]
    done = _run_jobs(config, [jobs[index] for index in todo], budget, fallback, out_dir, checker)
    for index, part in zip(todo, done, strict=True):
        parts[index] = part
        if not part.failed:
            files = [os.path.relpath(path, out_dir) for path in part.written + part.unchanged]
            memo.record(jobs[index], keys[index], files, part.items, part.problems, fallback)
    memo.save()
    return [parts[index] for index in range(len(jobs))]


def _run_jobs(
    config: Config,
    jobs: Sequence[FeedJob],
    budget: bool,
    fallback: datetime,
    out_dir: Path,
    checker: Checker,
) -> list[_Tally]:
    """Render every feed here, then check and publish each, in _CHECK_ORDER (the tallies
    come back in job order). A large file is checked by a process beside this one while it
    is written and while the next renders (see feeds.feedcheck.beside), or here once all
    are rendered; the files of a job are published only when all of them are rendered, and
    a job whose rendering fails publishes none."""
    from contextlib import ExitStack

    from feeds.publish import Drafts

    checker.want(sum(len(job.items) for job in jobs) >= _CHECK_BESIDE_ITEMS)
    with ExitStack() as stack:
        stack.enter_context(checker)
        drafts = stack.enter_context(Drafts(out_dir, watcher=checker))
        rendered: dict[int, tuple[_Tally, list[Rendered]]] = {}
        for index in sorted(range(len(jobs)), key=lambda i: _CHECK_ORDER[jobs[i].spec.format]):
            tally = _Tally(out_dir)
            with tally.timings.phase("render"):
                files = _render(config, jobs[index], budget, fallback, tally, drafts)
            rendered[index] = (tally, files)
        checker.share()  # all rendered: check here too what the checker has not begun
        for tally, files in rendered.values():
            for file in files:
                tally.items += file.items if file.subscription else 0
                _check_and_publish(file, tally, checker)
    return [rendered[index][0] for index in range(len(jobs))]


# Feeds are rendered and published in this order, and reported in job order. The checker
# takes the first files rendered and this process checks what is left, so the slowest to
# check (Atom: RELAX NG on every entry) go first and JSON last. At 10 000 articles the
# checker then ends with this process, not 0.08 s after it.
_CHECK_ORDER = {"atom": 0, "rss": 1, "json": 2}

# items (summed over feeds) from which checking beside pays: an item takes ~0.04 ms to
# check, starting the checker ~30 ms of this process's time
_CHECK_BESIDE_ITEMS = 4000


def _render(
    config: Config,
    job: FeedJob,
    budget: bool,
    fallback: datetime,
    tally: _Tally,
    drafts: Drafts,
) -> list[Rendered]:
    """Every file of the job, its body written out to a draft (a large feed to a temp file
    as it is rendered) before any is checked: a RenderError fails the whole job."""
    from dataclasses import replace

    from feeds.render import RenderError
    from feeds.render.feed import render_job

    try:
        return [
            replace(rendered, body=drafts.write(rendered.path, rendered.body, rendered.format))
            for rendered in render_job(config, job, budget=budget, fallback=fallback)
        ]
    except RenderError as exc:
        tally.failed.append(str(tally.out_dir / job.path))
        tally.problems.append(Problem(exc.source, "feed", f"{exc.feed}: {exc.reason}"))
        return []


def _check_and_publish(rendered: Rendered, tally: _Tally, checker: Checker) -> None:
    from feeds.feedcheck import check
    from feeds.publish import Draft, Outcome

    draft = rendered.body
    assert isinstance(draft, Draft)  # _render wrote it out
    tally.problems.extend(rendered.problems)
    if draft.file is not None:  # a large feed: checked beside, as it was written
        errors, seconds = checker.verdict(draft.file)
        tally.timings.add("check", seconds)
    else:
        with tally.timings.phase("check"):
            errors = check(draft.read(), expect=rendered.format)
    if errors:
        draft.discard()
        tally.failed.append(str(tally.out_dir / rendered.path))
        shown = "; ".join(errors[:5]) + (f"; and {len(errors) - 5} more" if len(errors) > 5 else "")
        tally.problems.append(
            Problem(
                str(tally.out_dir / rendered.path),
                "feed",
                f"failed its check, the old file was kept: {shown}",
            )
        )
        return
    with tally.timings.phase("write"):
        outcome = draft.publish()
    where = str(tally.out_dir / rendered.path)
    (tally.written if outcome is Outcome.WRITTEN else tally.unchanged).append(where)
    if outcome is Outcome.WRITTEN and rendered.subscription:
        tally.announce.append(rendered.path)


def _publish_stylesheets(tally: _Tally) -> None:
    """The bundled browser stylesheets, copied next to the feeds (same origin as them)."""
    from feeds.render.feed import STYLESHEETS

    checkout = Path(__file__).resolve().parents[1] / "templates"
    for name, _media_type in STYLESHEETS:
        source = checkout / name
        if not source.is_file():  # installed: the copy inside the package
            from importlib import resources

            source = Path(str(resources.files("feeds").joinpath("templates", name)))
        tally.publish(name, source.read_bytes())


def _copy_assets(assets: Sequence[tuple[Path, str]], tally: _Tally) -> None:
    """Local images the articles use, copied into the output (only when changed)."""
    for source, rel_path in sorted(set(assets)):
        try:
            data = source.read_bytes()
        except OSError as exc:
            tally.problems.append(Problem(str(source), "image", f"cannot be copied: {exc}"))
            continue
        tally.publish(rel_path, data)


def _announce(config: Config, tally: _Tally) -> None:
    hub = config.websub.hub
    if not hub or not tally.announce:
        return
    from feeds.render.plan import feed_url
    from feeds.websub import announce

    urls = [feed_url(config, path) for path in tally.announce]
    tally.problems.extend(announce(hub, urls, timeout=config.websub.timeout))
