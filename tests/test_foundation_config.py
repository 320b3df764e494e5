"""config.yaml: all problems at once, key path + line, did-you-mean, relative paths, ${VAR}."""

from __future__ import annotations

from pathlib import Path

import pytest
from foundation_support import DATA

from feeds.config import default_config, load_config
from feeds.config.loader import resolve_secret
from feeds.errors import ConfigError

CONFIGS = DATA / "config"


def problems_of(name: str) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load_config(CONFIGS / name)
    assert raised.value.exit_code == 2
    return raised.value.problems


def test_every_problem_is_reported_at_once_with_key_path_line_and_suggestion() -> None:
    assert problems_of("many_problems.yaml") == [
        "site.url: expected an absolute http(s) URL such as https://example.com/, "
        "got 'example.com' (many_problems.yaml:3)",
        "site.timezon: unknown key 'timezon'; did you mean 'timezone'? (many_problems.yaml:4)",
        "site.timezone: expected an IANA timezone such as 'Asia/Shanghai' or 'UTC', "
        "got 'Mars/Olympus' (many_problems.yaml:5)",
        "content.drafs: unknown key 'drafs'; did you mean 'drafts'? (many_problems.yaml:8)",
        "feeds[1].format: expected one of 'atom', 'json', 'rss'; got 'rdf' (many_problems.yaml:15)",
        "mail.transport.password: secrets are read from the environment only: "
        "write password: ${SMTP_PASSWORD} (many_problems.yaml:18)",
    ]


def test_the_error_text_carries_a_hint_to_the_reference() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(CONFIGS / "many_problems.yaml")
    text = str(raised.value)
    assert text.startswith("configuration is invalid:\n  site.url: ")
    assert text.endswith("\n  hint: see the configuration reference in README.md")


def test_unknown_key_without_a_close_match_lists_the_known_keys(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("site:\n  url: https://example.com/\nzzz: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    (problem,) = raised.value.problems
    assert problem.startswith("zzz: unknown key 'zzz' (known keys: cleaning, content, digests, ")
    assert problem.endswith(" (config.yaml:3)")


def test_paths_are_relative_to_the_config_file_not_the_working_directory() -> None:
    config = load_config(CONFIGS / "relative_paths.yaml")
    assert config.content.dirs == [CONFIGS / "posts", DATA / "shared-posts", Path("/srv/absolute")]
    assert config.output == CONFIGS / "public"
    assert config.state == CONFIGS / ".feeds"
    assert config.site.url == "https://example.com/blog/"  # a trailing slash is added


def test_env_references_are_expanded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDS_TEST_SITE_URL", "https://env.example.com/")
    monkeypatch.setenv("FEEDS_TEST_TITLE", "Env")
    monkeypatch.setenv("FEEDS_TEST_UNSET_DIR", "/tmp/out")
    monkeypatch.setenv("FEEDS_TEST_SMTP_PASSWORD", "s3cret")
    config = load_config(CONFIGS / "env_references.yaml")
    assert config.site.url == "https://env.example.com/"
    assert config.site.title == "Env news"
    assert config.output == Path("/tmp/out/public")
    # the secret stays a reference in the config and is read only when used
    assert config.mail.transport.password == "${FEEDS_TEST_SMTP_PASSWORD}"
    assert resolve_secret(config.mail.transport.password) == "s3cret"


def test_unset_env_variables_are_each_reported_once_with_their_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for var in ("FEEDS_TEST_SITE_URL", "FEEDS_TEST_TITLE", "FEEDS_TEST_UNSET_DIR"):
        monkeypatch.delenv(var, raising=False)
    assert problems_of("env_references.yaml") == [
        "site.url: environment variable FEEDS_TEST_SITE_URL is not set (env_references.yaml:2)",
        "site.title: environment variable FEEDS_TEST_TITLE is not set (env_references.yaml:3)",
        "output: environment variable FEEDS_TEST_UNSET_DIR is not set (env_references.yaml:4)",
    ]


def test_a_password_written_literally_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("mail:\n  transport:\n    password: hunter2\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert raised.value.problems == [
        "mail.transport.password: secrets are read from the environment only: "
        "write password: ${SMTP_PASSWORD} (config.yaml:3)"
    ]


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("not_yaml.yaml", "not valid YAML: did not find expected ',' or ']' (line 3, column 1)"),
        ("top_level_list.yaml", "expected a mapping of sections at the top level"),
    ],
)
def test_a_file_that_is_not_a_mapping_is_one_clear_problem(name: str, problem: str) -> None:
    assert problems_of(name) == [f"{CONFIGS / name}: {problem}"]


def test_defaults_without_a_config_file() -> None:
    config = default_config({"site": {"url": "https://x.example"}})
    assert config.site.url == "https://x.example/"
    assert config.site.timezone == "UTC"
    assert config.site.permalink == ":year/:month/:day/:title/"
    assert config.content.drafts is False and config.content.future is False


def test_config_is_frozen() -> None:
    config = default_config()
    with pytest.raises(ValueError):
        config.site.title = "changed"


def test_typos_at_any_depth_get_a_suggestion() -> None:
    assert problems_of("nested_typos.yaml") == [
        "feed: unknown key 'feed'; did you mean 'feeds'? (nested_typos.yaml:1)",
        "site.author.name: required, but missing (nested_typos.yaml:4)",
        "site.author.nmae: unknown key 'nmae'; did you mean 'name'? (nested_typos.yaml:5)",
    ]


def test_default_sections_resolve_paths_against_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sections left out of config.yaml still resolve relative to the config file."""
    config_file = tmp_path / "site" / "config.yaml"
    config_file.parent.mkdir()
    config_file.write_text("site:\n  title: x\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    config = load_config(config_file)
    assert config.content.dirs == [tmp_path / "site" / "content"]
    assert config.output == tmp_path / "site" / "public"
    assert config.mail.transport.dir == tmp_path / "site" / "outbox"
