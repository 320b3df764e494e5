"""One exception root for everything a user can cause; each error carries a hint.

Only the CLI prints them (without a traceback unless ``-v``).
"""

from __future__ import annotations


class FeedsError(Exception):
    """Base of every error the user can fix. ``exit_code`` follows the documented codes."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class UsageError(FeedsError):
    """A command was called wrongly (bad flag value, unknown name)."""

    exit_code = 2


class ConfigError(FeedsError):
    """config.yaml has one or more problems; ``problems`` lists every one of them."""

    exit_code = 2

    def __init__(self, problems: list[str], hint: str | None = None) -> None:
        self.problems = problems
        text = "configuration is invalid:\n" + "\n".join(f"  {p}" for p in problems)
        super().__init__(text, hint)


class ContentError(FeedsError):
    """The content has errors and the run was asked to fail on them (``--strict``)."""

    exit_code = 1


class DeliveryError(FeedsError):
    """Mail could not be handed to the transport at all (not a per-recipient failure)."""

    exit_code = 1
