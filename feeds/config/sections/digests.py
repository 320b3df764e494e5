"""``mail:`` and ``digests:``: email digests and how they are delivered."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from feeds.config.base import ConfigPath, Duration, Section
from feeds.config.sections.feeds import ArticleFilter
from feeds.config.sections.schedule import JobSchedule

_MAILBOX = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")
ENV_REFERENCE = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*\}$")


class TransportSettings(Section):
    """Where digests go: an outbox folder of .eml files, or an SMTP server."""

    kind: Literal["outbox", "smtp"] = Field(default="outbox", description="outbox or smtp.")
    dir: ConfigPath = Field(default=Path("outbox"), description="Outbox folder (kind: outbox).")
    host: str = Field(default="localhost", description="SMTP server host.")
    port: int | None = Field(
        default=None, ge=1, le=65535, description="SMTP port (default 25, 587 STARTTLS, 465 TLS)."
    )
    security: Literal["starttls", "tls", "none"] = Field(
        default="none", description="starttls, tls (implicit) or none (a local relay)."
    )
    username: str | None = Field(default=None, description="SMTP login name.")
    password: str | None = Field(
        default=None, description="SMTP password: only as an environment reference, ${VAR}."
    )
    rate_limit: float = Field(
        default=0, ge=0, description="Most messages per second (0: no limit)."
    )
    connections: int = Field(
        default=1, ge=1, le=16,
        description="SMTP connections sending at once; rate_limit is shared by all of them.",
    )
    timeout: float = Field(default=30, gt=0, description="Seconds per SMTP operation.")
    retries: int = Field(
        default=3, ge=0, le=10, description="Retries of a temporary failure (4xx, dropped link)."
    )
    backoff: float = Field(
        default=2.0, ge=0, description="Seconds before the first retry; doubled for each next one."
    )

    @field_validator("password")
    @classmethod
    def _secret_from_environment(cls, value: str | None) -> str | None:
        if value is not None and not ENV_REFERENCE.match(value):
            raise ValueError(
                "secrets are read from the environment only: write password: ${SMTP_PASSWORD}"
            )
        return value


class MailSection(Section):
    """Defaults shared by every digest."""

    transport: TransportSettings = Field(default_factory=TransportSettings)
    unsubscribe_url: str | None = Field(
        default=None,
        description="Base URL of the unsubscribe endpoint (the WSGI app); default: "
        "<site.url>unsubscribe.",
    )
    unsubscribe_mailto: str | None = Field(
        default=None,
        description="Address that receives mailto unsubscribe requests (default: the digest's "
        "from address).",
    )
    secret_env: str = Field(
        default="FEEDS_SECRET",
        description="Environment variable holding the secret that signs unsubscribe tokens.",
    )


class DigestSpec(Section):
    """One email digest: which articles, how it looks, who sends it, when."""

    name: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
        description="Digest name, used on the command line (feeds digest NAME) and in List-Id.",
    )
    title: str | None = Field(default=None, description="Heading of the email.")
    subject: str = Field(
        default="{{ site.title }} · {{ date }} · {{ count }} articles",
        description="Subject line, a Jinja2 string with site, date, count and digest.",
    )
    from_address: str = Field(
        alias="from", default="feeds@localhost", description="From address ('Name <addr>')."
    )
    reply_to: str | None = Field(default=None, description="Reply-To address.")
    include: ArticleFilter = Field(default_factory=ArticleFilter)
    exclude: ArticleFilter = Field(default_factory=ArticleFilter)
    max_items: int = Field(default=30, ge=1, description="Most articles in one digest.")
    group_by: Literal["category", "none"] = Field(default="none", description="Group articles.")
    first_window: Duration = Field(
        default=timedelta(hours=24), description="Period of the first digest (before any send)."
    )
    send_empty: bool = Field(default=False, description="Send a digest with no articles.")
    templates: ConfigPath | None = Field(
        default=None, description="Folder of templates overriding digest.html.j2/digest.txt.j2."
    )
    transport: TransportSettings | None = Field(
        default=None, description="Overrides mail.transport for this digest."
    )
    schedule: JobSchedule | None = Field(default=None, description="When the digest is sent.")
    max_html_bytes: int = Field(
        default=100_000,
        ge=10_000,
        description="Size budget of the HTML part (Gmail clips at 102 KB).",
    )
    preheader: str | None = Field(
        default=None,
        description="Preview text shown after the subject in inboxes (default: the first titles).",
    )
    web_copy: bool = Field(
        default=True,
        description="Also write the digest as a web page under <output>/digests/ "
        "(the 'view in browser' link).",
    )

    @field_validator("from_address", "reply_to")
    @classmethod
    def _mailbox(cls, value: str | None) -> str | None:
        from email.utils import parseaddr  # 9 ms of every start, for a digest's addresses

        if value is not None and not _MAILBOX.match(parseaddr(value)[1]):
            raise ValueError(f"expected 'Name <address@example.com>' or an address, got {value!r}")
        return value

    @field_validator("subject")
    @classmethod
    def _subject_template(cls, value: str) -> str:
        from jinja2 import Environment, TemplateSyntaxError

        try:
            Environment().parse(value)
        except TemplateSyntaxError as exc:
            raise ValueError(f"not a valid Jinja2 template: {exc.message}") from None
        return value
