"""The command line: --version, common options on either side, check and inspect, exit codes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from foundation_support import DATA, fixture, run_cli

from feeds import __version__

INSPECT_FIELDS = [
    "id", "url", "title", "published", "updated", "authors", "categories", "tags", "summary",
    "content_html", "thumbnail", "language", "source_path", "problems",
]


@pytest.fixture(autouse=True)
def no_config_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from an empty folder, so the repository's config.yaml is not picked up."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A content folder with one good article, one warning and one error."""
    content = tmp_path / "content"
    content.mkdir()
    for name in ("yaml_front_matter.md", "title_blank_with_heading.md", "invalid_yaml.md"):
        shutil.copy(fixture(name), content / name)
    return content


def write_config(folder: Path, body: str) -> Path:
    path = folder / "site.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "--version")
    assert (run.code, run.out) == (0, f"feeds, version {__version__}\n")


def test_check_text_lists_problems_and_a_summary_on_stderr(
    capsys: pytest.CaptureFixture[str], site: Path
) -> None:
    run = run_cli(capsys, "check", "content", "--now", "2026-11-26T00:00:00Z")
    assert run.code == 1  # one error
    assert run.out == ""
    lines = run.err.splitlines()
    assert lines[:2] == [
        "content/invalid_yaml.md: front matter: invalid YAML front matter at line 3, column 5: "
        "did not find expected ',' or ']'",
        "content/title_blank_with_heading.md: title: blank (' '); used the first heading "
        "'The heading stands in' (warning)",
    ]
    assert re.fullmatch(
        r"3 files: 2 articles, 0 skipped \(drafts or future\), 2 problems \(1 errors\) "
        r"in \d+\.\d\ds",
        lines[2],
    )
    assert len(lines) == 3


def test_check_exits_0_with_only_warnings_and_1_with_strict(
    capsys: pytest.CaptureFixture[str], site: Path
) -> None:
    (site / "invalid_yaml.md").unlink()
    assert run_cli(capsys, "check", "content").code == 0
    assert run_cli(capsys, "check", "--strict", "content").code == 1


def test_check_json_on_stdout(capsys: pytest.CaptureFixture[str], site: Path) -> None:
    run = run_cli(capsys, "check", "--format", "json", "content")
    assert run.code == 1 and run.err == ""
    data = run.json()
    assert data["articles"] == 2
    assert data["problems"] == [
        {
            "path": "content/invalid_yaml.md",
            "field": "front matter",
            "message": "invalid YAML front matter at line 3, column 5: "
            "did not find expected ',' or ']'",
            "severity": "error",
        },
        {
            "path": "content/title_blank_with_heading.md",
            "field": "title",
            "message": "blank (' '); used the first heading 'The heading stands in'",
            "severity": "warning",
        },
    ]


@pytest.mark.parametrize(
    "argv",
    [
        ["--content", "articles", "check", "--format", "json"],
        ["check", "--content", "articles", "--format", "json"],
        ["--config", "site.yaml", "check", "--format", "json"],
        ["check", "--format", "json", "--config", "site.yaml"],
        ["-q", "check", "--format", "json", "articles"],
        ["check", "articles", "-v", "--format", "json"],
        ["-v", "--state", "state", "check", "articles", "--format", "json"],
        ["check", "--state", "state", "--site-url", "https://e.example/", "--format", "json",
         "articles"],
    ],
)
def test_common_options_before_or_after_the_command_name(
    capsys: pytest.CaptureFixture[str], site: Path, argv: list[str]
) -> None:
    site.rename(site.parent / "articles")  # not the default folder: the option must count
    write_config(site.parent, "content:\n  dirs: [articles]\n")
    run = run_cli(capsys, *argv)
    assert run.code == 1
    assert run.json()["articles"] == 2


def test_without_options_the_default_content_folder_is_read(
    capsys: pytest.CaptureFixture[str], site: Path
) -> None:
    assert run_cli(capsys, "check", "--format", "json").json()["articles"] == 2


def test_site_url_flag_overrides_the_config(capsys: pytest.CaptureFixture[str], site: Path) -> None:
    config = write_config(site.parent, "site:\n  url: https://config.example/\n")
    target = str(site / "yaml_front_matter.md")
    from_config = run_cli(capsys, "inspect", "--config", str(config), target).json()
    from_flag = run_cli(
        capsys, "--site-url", "https://flag.example/", "inspect", "--config", str(config), target
    ).json()
    assert from_config[0]["url"].startswith("https://config.example/")
    assert from_flag[0]["url"].startswith("https://flag.example/")


def test_inspect_prints_the_documented_fields(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(
        capsys, "inspect", "--site-url", "https://example.com/",
        str(fixture("author_mapping.md")), str(fixture("toml_front_matter.md")),
    )
    assert run.code == 0 and run.err == ""
    articles = run.json()
    assert [list(a) for a in articles] == [INSPECT_FIELDS, INSPECT_FIELDS]
    by_title = {a["title"]: a for a in articles}
    toml = by_title["TOML front matter"]
    assert (toml["published"], toml["updated"]) == ("2021-11-04T03:38:02Z", "2021-11-06T01:00:00Z")
    assert toml["tags"] == ["toml", "hugo"] and toml["thumbnail"] is None
    assert by_title["Author as a mapping"]["authors"] == [
        {"name": "韩梅梅", "email": "meimei@example.com", "url": "https://example.com/meimei"}
    ]


def test_inspect_includes_drafts_and_reports_problems_on_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = run_cli(capsys, "inspect", str(fixture("draft_true.md")), str(fixture("bom.md")),
                  str(fixture("date_unreadable.md")))
    assert run.code == 1
    assert sorted(a["title"] for a in run.json()) == ["Draft", "Starts with a BOM"]
    assert run.err.endswith(
        "date_unreadable.md: date: 'Thu, 32 Nov 2021' is not a date (RFC 822, ISO 8601, "
        "YYYY-MM-DD HH:MM:SS, YYYY年MM月DD日 or epoch seconds)\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "--format", "xml"], "Invalid value for '--format'"),
        (["check", "does-not-exist"], "Path 'does-not-exist' does not exist"),
        (["frobnicate"], "No such command 'frobnicate'"),
        (["inspect"], "Missing argument 'PATHS...'"),
        (["check", "--now", "yesterday"], "--now: 'yesterday' is not an ISO 8601 date"),
        (["--config", "missing.yaml", "check"], "missing.yaml: no such config file"),
    ],
)
def test_usage_errors_exit_2_without_a_traceback(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    run = run_cli(capsys, *argv)
    assert run.code == 2
    assert message in run.err and "Traceback" not in run.err
    assert run.out == ""


def test_configuration_errors_exit_2_with_every_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    shutil.copy(DATA / "config" / "many_problems.yaml", tmp_path / "config.yaml")
    run = run_cli(capsys, "check")  # ./config.yaml is used when present
    assert run.code == 2
    lines = run.err.splitlines()
    assert lines[0] == "error: configuration is invalid:"
    assert len([line for line in lines if "(config.yaml:" in line]) == 6
    assert lines[-1] == "  hint: see the configuration reference in README.md"


def test_inspect_lists_each_articles_own_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "inspect", str(fixture("title_blank_with_heading.md")))
    (article,) = run.json()
    assert article["problems"] == [
        {
            "path": str(fixture("title_blank_with_heading.md")),
            "field": "title",
            "message": "blank (' '); used the first heading 'The heading stands in'",
            "severity": "warning",
        }
    ]


def test_quiet_check_prints_only_what_fails_the_run(
    capsys: pytest.CaptureFixture[str], site: Path
) -> None:
    quiet = run_cli(capsys, "check", "-q", "content")
    assert quiet.code == 1
    assert quiet.err.splitlines() == [
        "content/invalid_yaml.md: front matter: invalid YAML front matter at line 3, column 5: "
        "did not find expected ',' or ']'"
    ]
    strict = run_cli(capsys, "-q", "check", "--strict", "content")
    assert len(strict.err.splitlines()) == 2  # with --strict the warning fails the run too


def test_a_content_folder_that_does_not_exist_is_an_error_not_an_empty_site(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = run_cli(capsys, "check", "--content", "contnet")
    assert run.code == 2  # a configuration error: nothing is read, so nothing can be overwritten
    assert run.err.splitlines()[:2] == [
        "error: configuration is invalid:",
        "  content: contnet: no such file or folder",
    ]


def test_ctrl_c_exits_130_saying_interrupted(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, site: Path
) -> None:
    """Click turns Ctrl-C into its Abort; the exit status still says interrupted (128 +
    SIGINT, as a shell reports it), not a content problem."""

    def interrupt(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("feeds.content.collect.collect", interrupt)
    run = run_cli(capsys, "check", "content")
    assert (run.code, run.err.strip()) == (130, "interrupted")
