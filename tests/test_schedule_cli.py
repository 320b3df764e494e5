"""`feeds schedule --list / --once` and `feeds status`, in-process through main()."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_schedule_support import DATA

from feeds.cli import main
from feeds.digest import subscribers
from feeds.schedule.lock import StateLock

NOW = "2026-11-26T00:00:00Z"  # 08:00 in Shanghai


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(argv))
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out, captured.err


def write_config(tmp_path: Path, **sections: Any) -> Path:
    data: dict[str, Any] = {
        "site": {"title": "示例新闻", "url": "https://news.example.com/",
                 "timezone": "Asia/Shanghai"},
        "content": {"dirs": [str(DATA / "content")]},
        "state": "state",
        "output": "public",
        "digests": [{"name": "daily", "schedule": "0 8 * * *", "first_window": "3650d",
                     "from": "news@example.com"}],
        "mail": {"transport": {"kind": "outbox", "dir": "outbox"}},
        "schedule": {"build": {"every": "10m"}},
    }
    data.update(sections)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_list_prints_the_next_three_runs_in_the_site_timezone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "schedule", "--list", "--config",
                         str(DATA / "config-example.yaml"), "--now", "2026-11-26T14:03:00Z")
    assert (code, err) == (0, "")
    assert out == (DATA / "list-example.txt").read_text(encoding="utf-8")


def test_list_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schedule", "--list", "--format", "json", "--config",
                       str(DATA / "config-example.yaml"), "--now", "2026-11-26T14:03:00Z")
    data = json.loads(out)
    assert code == 0 and data["timezone"] == "Asia/Shanghai" and data["watch"] is False
    assert data["jobs"][1] == {"job": "digest:daily", "schedule": "cron 0 8 * * *", "next": [
        "2026-11-27T08:00:00+08:00", "2026-11-28T08:00:00+08:00", "2026-11-29T08:00:00+08:00"]}


def test_once_runs_a_real_build_and_status_shows_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    code, out, err = run(capsys, "schedule", "--once", "build", "--config", str(config),
                         "--now", NOW)
    assert (code, out) == (0, "")
    line = err.strip()
    assert " INFO job=build reason=once outcome=ok fire=2026-11-26T08:00:00+08:00 " in line
    assert "articles=2" in line and "written=3" in line
    assert (tmp_path / "public" / "rss.xml").is_file()
    code, out, _ = run(capsys, "status", "--config", str(config))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "scheduler: not running; times in Asia/Shanghai"
    assert lines[3].startswith("build         every 10m       2026-11-26 08:00 +08:00  ok (once,")
    assert lines[4].startswith("digest:daily  cron 0 8 * * *  -                        never run")
    assert lines[-1] == "last digest sends: none"


def test_once_sends_a_digest_and_status_shows_the_send(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    db = subscribers.connect(tmp_path / "state")
    subscribers.add(db, "reader@example.org", ["daily"])
    db.close()
    code, _, err = run(capsys, "schedule", "--once", "daily", "--config", str(config),
                       "--now", NOW)
    assert code == 0 and "job=digest:daily reason=once outcome=ok status=sent" in err
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    code, out, _ = run(capsys, "status", "--config", str(config), "--format", "json")
    document = json.loads(out)
    assert document["digests"][0] | {"run": 0} == {
        "digest": "daily", "run": 0, "period_start": "2016-11-28T08:00:00+08:00",
        "period_end": "2026-11-26T08:00:00+08:00", "status": "done", "articles": 2,
        "recipients": {"sent": 1},
    }
    assert document["jobs"][1]["last"]["status"] == "sent"


def test_once_with_an_unknown_job_names_the_known_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "schedule", "--once", "weekly", "--config",
                       str(write_config(tmp_path)))
    assert code == 2
    assert err == "error: no job named 'weekly'\n  hint: jobs: build, digest:daily\n"


def test_nothing_to_schedule_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, schedule={}, digests=[])
    code, _, err = run(capsys, "schedule", "--config", str(config))
    assert code == 2
    assert err == (
        "error: configuration is invalid:\n  schedule: nothing to schedule\n"
        "  hint: set schedule.build, schedule.feeds, a digest's schedule, "
        "or schedule.watch: true\n"
    )


def test_now_belongs_to_list_and_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "schedule", "--config", str(write_config(tmp_path)),
                       "--now", NOW)
    assert code == 2 and "--now goes with --list or --once" in err


def test_a_second_scheduler_is_refused_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    with StateLock(tmp_path / "state"):
        code, _, err = run(capsys, "schedule", "--config", str(config))
        _, status_out, _ = run(capsys, "status", "--config", str(config))
    assert code == 2
    assert err.startswith("error: another 'feeds schedule' (pid ")
    assert err.endswith(
        f"is already running with state folder {tmp_path / 'state'}\n"
        "  hint: stop it first, or give this one its own folder with --state\n"
    )
    assert status_out.startswith("scheduler: running (pid ")


def test_list_shows_a_feed_set_as_its_own_job(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "schedule", "--list", "--config",
                         str(DATA / "config-feed-set.yaml"), "--now", "2026-11-26T14:03:00Z")
    assert (code, err) == (0, "")
    assert out == (DATA / "list-feed-set.txt").read_text(encoding="utf-8")


def test_once_builds_a_feed_set_and_status_shows_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, schedule={
        "build": {"every": "1h"}, "feeds": [{"name": "news", "only": ["rss"], "every": "10m"}]})
    code, out, err = run(capsys, "schedule", "--once", "build:news", "--config", str(config),
                         "--now", NOW)
    assert (code, out) == (0, "")
    assert " INFO job=build:news reason=once outcome=ok fire=2026-11-26T08:00:00+08:00 " in err
    assert "written=1" in err
    assert sorted(p.name for p in (tmp_path / "public").iterdir()) == ["rss.xml"]
    code, out, _ = run(capsys, "status", "--config", str(config), "--format", "json")
    jobs = {job["job"]: job for job in json.loads(out)["jobs"]}
    assert list(jobs) == ["build", "build:news", "digest:daily"]
    assert jobs["build:news"]["schedule"] == "every 10m"
    assert jobs["build:news"]["last"]["outcome"] == "ok" and jobs["build"]["last"] is None


def test_once_names_feed_sets_among_the_known_jobs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, schedule={"feeds": [{"name": "daily", "only": "rss",
                                                          "every": "10m"}]})
    code, _, err = run(capsys, "schedule", "--once", "weekly", "--config", str(config))
    assert code == 2
    assert err == "error: no job named 'weekly'\n  hint: jobs: build, build:daily, digest:daily\n"
    code, _, err = run(capsys, "schedule", "--once", "daily", "--config", str(config))
    assert code == 2
    assert err == ("error: 'daily' is both a feed set and a digest\n"
                   "  hint: say build:daily or digest:daily\n")
