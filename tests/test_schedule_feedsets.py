"""Feed sets (``schedule.feeds``): some feeds rebuilt on their own schedule, as job build:NAME.

Config → jobs and their errors, finding them by name, the runner calling the real build with
``only``, one build at a time, and the service catching a feed set up like any job.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from test_schedule_support import (
    DATA,
    Calls,
    cron_fired,
    make_config,
    run_until_first_call,
    seed_state,
)

from feeds.config import Config, load_config
from feeds.errors import ConfigError, UsageError
from feeds.schedule.runner import JobRunner
from feeds.schedule.service import SchedulerService
from feeds.schedule.state import STATE_DB, JobState
from feeds.schedule.triggers import BUILD_JOB, JobRef, job_names, jobs_from_config, resolve_job

FIRE = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
NEWS = {"name": "news", "only": ["rss", "atom"], "every": "10m"}


def test_each_feed_set_is_a_build_job_between_the_build_and_the_digests(tmp_path: Path) -> None:
    config = make_config(
        tmp_path,
        schedule={"build": "0 * * * *", "feeds": [NEWS, {"name": "json", "only": "json",
                                                          "cron": "30 * * * *"}]},
        digests=[{"name": "daily", "schedule": "0 8 * * *"}],
    )
    jobs = jobs_from_config(config)
    assert [(j.id, j.description) for j in jobs] == [
        ("build", "cron 0 * * * *"), ("build:news", "every 10m"), ("build:json", "cron 30 * * * *"),
        ("digest:daily", "cron 0 8 * * *"),
    ]
    assert jobs[1].ref == JobRef("build:news", "build", only=("rss", "atom"))
    assert jobs[2].ref.only == ("json",)  # a single name stands for a one-item list
    assert job_names(config) == ["build", "build:news", "build:json", "digest:daily"]


def test_a_feed_set_needs_no_schedule_build(tmp_path: Path) -> None:
    config = make_config(tmp_path, schedule={"feeds": [NEWS]})
    assert [j.id for j in jobs_from_config(config)] == ["build:news"]


@pytest.mark.parametrize(("fixture", "problems"), [
    ("feed-set-unknown-feed.yaml", [
        "schedule.feeds[0].only[1]: no feed named 'atoms' (feeds: rss, atom, json) "
        "(feed-set-unknown-feed.yaml:4)",
        "schedule.feeds[1].only: no feed named 'jsn' (feeds: rss, atom, json) "
        "(feed-set-unknown-feed.yaml:7)",
    ]),
    ("feed-set-repeated-name.yaml", [
        "schedule.feeds: name 'news' is used by 2 entries (each is the job build:NAME) "
        "(feed-set-repeated-name.yaml:2)",
    ]),
    ("feed-set-bad-shape.yaml", [
        "schedule.feeds[0].name: expected letters, digits, '-' and '_' (starting with a letter "
        "or digit), got 'news hourly' (feed-set-bad-shape.yaml:3)",
        "schedule.feeds[0].only: expected at least one feed name (for every feed, use "
        "schedule.build) (feed-set-bad-shape.yaml:4)",
    ]),
])
def test_bad_feed_sets_are_config_errors_with_key_paths(
    fixture: str, problems: list[str]
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(DATA / fixture)
    assert caught.value.problems == problems


@pytest.mark.parametrize(("schedule", "message"), [
    ({"cron": "0 * * * *", "every": "1h"}, "give exactly one of cron or every"),
    ({}, "give exactly one of cron or every"),
    ({"cron": "0 * * *"}, "expected 5 cron fields (minute hour day month weekday)"),
    ({"every": "0s"}, "expected a whole number of seconds, at least 1s, got 0s"),
])
def test_a_feed_set_has_exactly_one_valid_timing(
    tmp_path: Path, schedule: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        make_config(tmp_path, schedule={"feeds": [{"name": "news", "only": "rss", **schedule}]})
    assert len(caught.value.problems) == 1 and message in caught.value.problems[0]
    assert caught.value.problems[0].startswith("schedule.feeds[0]")


def test_only_is_checked_against_the_configured_feeds(tmp_path: Path) -> None:
    custom = [{"name": "rss", "format": "rss", "path": "news.xml"}]
    with pytest.raises(ConfigError) as caught:
        make_config(tmp_path, feeds=custom, schedule={"feeds": [NEWS]})
    assert caught.value.problems == [
        "schedule.feeds[0].only[1]: no feed named 'atom' (feeds: rss)"]


def test_feed_sets_are_found_by_job_id_or_bare_name(tmp_path: Path) -> None:
    config = make_config(tmp_path, schedule={"feeds": [NEWS]},
                         digests=[{"name": "daily"}])
    news = JobRef("build:news", "build", only=("rss", "atom"))
    assert resolve_job(config, "build:news") == resolve_job(config, "news") == news
    assert resolve_job(config, "build") == BUILD_JOB
    assert resolve_job(config, "build:daily") is None
    assert resolve_job(config, "digest:news") is None
    assert resolve_job(config, "daily") == JobRef("digest:daily", "digest", "daily")


def test_a_bare_name_of_both_a_feed_set_and_a_digest_must_be_spelled_out(
    tmp_path: Path,
) -> None:
    config = make_config(tmp_path, schedule={"feeds": [NEWS]}, digests=[{"name": "news"}])
    with pytest.raises(UsageError) as caught:
        resolve_job(config, "news")
    assert caught.value.message == "'news' is both a feed set and a digest"
    assert caught.value.hint == "say build:news or digest:news"
    assert resolve_job(config, "digest:news") == JobRef("digest:news", "digest", "news")
    assert resolve_job(config, "build:news") is not None


def test_the_runner_builds_only_the_feeds_of_the_set(tmp_path: Path) -> None:
    config = make_config(tmp_path, schedule={"feeds": [NEWS]})
    (spec,) = jobs_from_config(config)
    runner = JobRunner(config, JobState(tmp_path / "state" / STATE_DB),
                       triggers={spec.id: spec.description})
    run = runner.run(spec.ref, FIRE)
    assert run is not None and (run.job, run.outcome, run.fire) == ("build:news", "ok", FIRE)
    assert sorted(p.name for p in (tmp_path / "public").iterdir()) == ["atom.xml", "rss.xml"]
    row = runner.state.get("build:news")
    assert row and row.trigger == "every 10m" and row.last_ok == FIRE


class Overlap:
    """Job functions that report whether another job ran while they did."""

    def __init__(self) -> None:
        self.first_started = threading.Event()
        self.second_called = threading.Event()
        self.overlapped: bool | None = None

    def __call__(self, config: Config, job: JobRef, now: datetime,
                 stop: threading.Event) -> dict[str, Any]:
        if job.id == "build":
            self.first_started.set()
            # a job allowed to overlap starts at once; one that must wait never comes
            self.overlapped = self.second_called.wait(self.patience)
        else:
            self.second_called.set()
        return {}

    patience = 10.0


@pytest.mark.parametrize(("second", "patience", "overlaps"), [
    (JobRef("digest:daily", "digest", "daily"), 10.0, True),  # digests run alongside
    (JobRef("build:news", "build", only=("rss",)), 0.3, False),  # builds wait their turn
])
def test_one_build_at_a_time_but_digests_alongside(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, second: JobRef, patience: float,
    overlaps: bool,
) -> None:
    overlap = Overlap()
    overlap.patience = patience
    runner = JobRunner(make_config(tmp_path), JobState(tmp_path / "state" / STATE_DB),
                       functions={"build": overlap, "digest": overlap})
    first = threading.Thread(target=runner.run, args=(BUILD_JOB, FIRE))
    first.start()
    assert overlap.first_started.wait(10)
    with caplog.at_level(logging.INFO, logger="feeds.schedule"):
        later = runner.run(second, FIRE)
    first.join(10)
    assert overlap.overlapped is overlaps
    waited = f"job={second.id} event=waiting behind=build" in caplog.text
    assert waited is not overlaps
    assert later is not None and later.outcome == "ok" and overlap.second_called.is_set()


def test_a_missed_feed_set_run_is_caught_up_once_with_its_feeds(tmp_path: Path) -> None:
    cron, fire = cron_fired(timedelta(hours=1))
    seed_state(tmp_path, "build:news", f"cron {cron}", fire - timedelta(hours=1))
    calls = Calls()
    feed_set = {"name": "news", "only": ["rss", "atom"], "cron": cron}
    service = SchedulerService(make_config(tmp_path, schedule={"feeds": [feed_set]}),
                               functions=calls.table)
    plans = run_until_first_call(service, calls)
    assert [(p.job, p.run_at) for p in plans] == [("build:news", fire)]
    assert calls.calls == [("build:news", fire)] and calls.refs[0].only == ("rss", "atom")
    row = JobState(tmp_path / "state" / STATE_DB).get("build:news")
    assert row and row.last and (row.last.reason, row.last.outcome) == ("catch-up", "ok")


def test_a_week_of_missed_feed_set_runs_is_skipped(tmp_path: Path) -> None:
    cron, fire = cron_fired(timedelta(hours=7))
    seed_state(tmp_path, "build:news", f"cron {cron}", fire - timedelta(days=6, minutes=1))
    calls = Calls()
    feed_set = {"name": "news", "only": "rss", "cron": cron}
    service = SchedulerService(make_config(tmp_path, schedule={"feeds": [feed_set]}),
                               functions=calls.table)
    plans = service.start()
    assert service.stop(timeout=10)
    assert calls.calls == [] and [(p.missed, p.skipped) for p in plans] == [(7, True)]

