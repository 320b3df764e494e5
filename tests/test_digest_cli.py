"""The CLI end to end on a small content folder: subscribers, dry-run, preview, send, status."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_digest_support import SmtpServer, parse

from feeds.cli import cli
from feeds.cli.common import run_guarded

SITE = Path(__file__).parent / "data" / "digest" / "site"
NOW = "2026-11-26T08:00"  # site time (Asia/Shanghai)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    shutil.copytree(SITE, tmp_path / "site")
    return tmp_path / "site"


def feeds(site: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run_guarded(cli, ["--config", str(site / "config.yaml"), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_subscribe_dry_run_send_and_status(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert feeds(site, capsys, "subscribers", "add", "Demo@Example.com", "--digest", "daily",
                 "--name", "Demo Reader")[0] == 0
    code, out, _ = feeds(site, capsys, "digest", "daily", "--dry-run", "--now", NOW,
                         "--format", "json")
    plan = json.loads(out)
    assert code == 0 and [a["title"] for a in plan["articles"]] == [
        "New RISC-V laptop ships with 16 GB of RAM", "沪指收涨 0.8%，成交额放大"]
    assert plan["recipients"] == [{"address": "Demo@example.com", "name": "Demo Reader",
                                   "categories": []}]

    code, out, _ = feeds(site, capsys, "digest", "daily", "--send", "--now", NOW,
                         "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["status"] == "sent" and report["sent"] == 1
    [eml] = (site / "outbox").glob("*.eml")
    message = parse(eml.read_bytes())
    assert str(message["To"]) == "Demo Reader <Demo@example.com>"
    assert (site / "public/digests/daily/2026-11-26-0800.html").is_file()

    code, out, _ = feeds(site, capsys, "digest", "daily", "--send", "--now", NOW)
    assert code == 0 and len(list((site / "outbox").glob("*.eml"))) == 1
    code, out, _ = feeds(site, capsys, "digest", "daily", "--status", "--format", "json")
    [run] = json.loads(out)
    assert run["status"] == "done" and run["recipients"] == {"sent": 1} and run["articles"] == 2


def test_preview_writes_html_text_and_eml(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = feeds(site, capsys, "digest", "daily", "--preview", "--now", NOW)
    paths = [Path(p) for p in out.split()]
    assert code == 0 and [p.suffix for p in paths] == [".html", ".txt", ".eml"]
    assert "沪指收涨" in paths[0].read_text(encoding="utf-8")
    assert "reader@example.com" in paths[1].read_text(encoding="utf-8")


def test_test_send_to_one_address_leaves_the_ledger_alone(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with SmtpServer() as server:
        code, out, err = feeds(site, capsys, "digest", "daily", "--to", "me@example.com",
                               "--now", NOW, "--transport", f"smtp://127.0.0.1:{server.port}")
        assert code == 0, err
        assert server.counts() == {"me@example.com": 1}
    code, out, _ = feeds(site, capsys, "digest", "daily", "--status")
    assert out.strip() == "daily: no runs yet"


def test_user_errors_have_messages_not_tracebacks(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = feeds(site, capsys, "digest", "weekly", "--send")
    assert code == 2 and "no digest named 'weekly'" in err and "Traceback" not in err
    code, _, err = feeds(site, capsys, "digest", "daily")
    assert code == 2 and "--preview, --dry-run, --send" in err
    code, _, err = feeds(site, capsys, "digest", "daily", "--send", "--transport",
                         "smtp://u:pw@example.com")
    assert code == 2 and "password in the transport URL" in err
    code, _, err = feeds(site, capsys, "subscribers", "add", "nobody", "--digest", "daily")
    assert code == 2 and "'nobody' is not a valid email address" in err


def test_subscribers_import_export_remove(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv_file = Path(__file__).parent / "data" / "digest" / "subscribers.csv"
    code, _, err = feeds(site, capsys, "subscribers", "import", str(csv_file), "--digest", "daily")
    assert code == 1 and "line 2: no digest named 'weekly' in config.yaml" in err
    assert "line 4: 'not-an-address' is not a valid email address" in err
    assert "2 subscriber(s) in the store, 2 row(s) rejected" in err
    assert feeds(site, capsys, "subscribers", "remove", "BOB@example.com")[0] == 1  # local part
    assert feeds(site, capsys, "subscribers", "remove", "bob@EXAMPLE.com")[0] == 0
    code, out, _ = feeds(site, capsys, "subscribers", "export")
    assert "bob@" not in out and out.startswith("address,name,digests,categories,status\n")
