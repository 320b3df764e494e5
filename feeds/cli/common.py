"""What every command shares: common options, loading the config, printing, exit codes.

Exit codes: 0 success (warnings allowed), 1 problems in the content (or any problem with
--strict), 2 usage or configuration errors.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from feeds.errors import ConfigError, FeedsError

if TYPE_CHECKING:
    from feeds.buildstamp import RawInputs

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C


@dataclass
class Options:
    """The common options, whichever side of the command name they were given on."""

    config: Path | None = None
    content: tuple[Path, ...] = ()
    site_url: str | None = None
    state: Path | None = None
    verbose: int = 0
    quiet: bool = False


def _store(name: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        opts = ctx.find_root().ensure_object(Options)
        if value not in (None, (), 0, False):
            if name == "verbose":
                value = opts.verbose + value
            setattr(opts, name, value)
        return value

    return callback


def common_options(func: F) -> F:
    """Add --config/--content/--site-url/--state/-v/-q to a command (or the group)."""
    decorators = [
        click.option(
            "--config",
            type=click.Path(path_type=Path, dir_okay=False),
            expose_value=False,
            callback=_store("config"),
            help="Config file (default: ./config.yaml when present).",
        ),
        click.option(
            "--content",
            type=click.Path(path_type=Path),
            multiple=True,
            expose_value=False,
            callback=_store("content"),
            help="Content folder(s), instead of the configured ones.",
        ),
        click.option(
            "--site-url",
            expose_value=False,
            callback=_store("site_url"),
            help="Absolute site URL, instead of site.url.",
        ),
        click.option(
            "--state",
            type=click.Path(path_type=Path, file_okay=False),
            expose_value=False,
            callback=_store("state"),
            help="State folder (cache, subscribers, ledger), instead of the configured one.",
        ),
        click.option(
            "-v",
            "--verbose",
            count=True,
            expose_value=False,
            callback=_store("verbose"),
            help="More detail; -v also shows tracebacks.",
        ),
        click.option(
            "-q",
            "--quiet",
            is_flag=True,
            expose_value=False,
            callback=_store("quiet"),
            help="Only errors.",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def options() -> Options:
    return click.get_current_context().find_root().ensure_object(Options)


def load_settings(extra: dict[str, Any] | None = None, memo: RawInputs | None = None) -> Any:
    """The validated Config: config file (explicit, or ./config.yaml) + flags over it.
    With ``memo`` (this command's raw inputs): the config the last run with the same ones
    validated, when the state folder kept it (see feeds.config.memo)."""
    overrides = settings_overrides(extra)
    path = config_file()
    if path is not None and not path.is_file():
        raise ConfigError([f"{path}: no such config file"], hint="run 'feeds init' to write one")

    def validate() -> Any:
        from feeds.config import default_config, load_config  # pydantic: not for a memo hit

        return default_config(overrides) if path is None else load_config(path, overrides)

    if memo is None:
        return validate()
    from feeds.config.memo import remembered_config

    return remembered_config(memo.config_key, memo.state, validate)


def config_file() -> Path | None:
    """The config file a command reads: --config, else ./config.yaml when there is one."""
    path = options().config
    if path is None and Path("config.yaml").is_file():
        path = Path("config.yaml")
    return path


def settings_overrides(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The config values the common flags set, over the config file's."""
    opts = options()
    overrides: dict[str, Any] = dict(extra or {})
    if opts.content:
        overrides.setdefault("content", {})["dirs"] = [str(p.resolve()) for p in opts.content]
    if opts.site_url:
        overrides.setdefault("site", {})["url"] = opts.site_url
    if opts.state:
        overrides["state"] = str(opts.state.resolve())
    return overrides


def say(message: str) -> None:
    """A message for people: stderr, silenced by -q."""
    if not options().quiet:
        click.echo(message, err=True)


def warn(message: str) -> None:
    click.echo(message, err=True)


def print_json(data: Any) -> None:
    """Machine output: stdout, stable key order, UTF-8 kept readable."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def run_guarded(command: click.Command, argv: Sequence[str]) -> int:
    """Run a click command; turn user errors into a message and an exit code, no traceback."""
    try:
        result = command.main(args=list(argv), prog_name="feeds", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort as exc:
        if isinstance(exc.__cause__, KeyboardInterrupt):  # click's name for Ctrl-C
            click.echo("interrupted", err=True)
            return EXIT_INTERRUPTED
        click.echo("aborted", err=True)
        return EXIT_PROBLEMS
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except FeedsError as exc:
        click.echo(f"error: {exc}", err=True)
        if _verbose(argv):
            traceback.print_exc()
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        sys.stderr.close()
        return EXIT_OK
    return int(result or 0)


def _verbose(argv: Sequence[str]) -> bool:
    return any(a == "--verbose" or (a.startswith("-v") and set(a[1:]) == {"v"}) for a in argv)


format_option = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text",
    help="Output format: text for people, json for scripts.",
)


def now_option(func: F) -> F:
    """``--now ISO``: the moment the run pretends it is (default: the real now)."""
    return click.option(
        "--now",
        "now",
        default=None,
        metavar="ISO",
        help="Run as if it were this moment (ISO 8601; default: now).",
    )(func)


def resolve_now(value: str | None) -> Any:
    """--now as an aware UTC datetime; naive values are read in UTC."""
    from datetime import UTC, datetime

    if value is None:
        return datetime.now(UTC).replace(microsecond=0)
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        from feeds.errors import UsageError

        raise UsageError(f"--now: {value!r} is not an ISO 8601 date") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
