"""From one run's articles to each subscriber's message.

The expensive part (templates, CSS inlining, size budget) is done once per distinct article
list — once per run, or once per category filter in use — and cached; per subscriber only
the placeholders are filled in and the MIME message is assembled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import quote

from feeds.digest import message as mime
from feeds.digest import render, tokens
from feeds.digest.select import for_categories, group_articles
from feeds.digest.views import Mode, base_context, group_views, labels, preheader
from feeds.models import Article

if TYPE_CHECKING:
    from feeds.config import Config
    from feeds.config.sections.digests import DigestSpec


@dataclass(frozen=True, slots=True)
class Mail:
    """One recipient's message, ready for the transport."""

    message_id: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Edition:
    """The shared part of the digest for one article list."""

    subject: str
    rendered: render.Rendered
    count: int


class Composer:
    def __init__(
        self,
        config: Config,
        spec: DigestSpec,
        articles: Sequence[Article],
        *,
        end: datetime,
        secret: bytes,
    ) -> None:
        self.config, self.spec, self.articles = config, spec, tuple(articles)
        self.end, self.secret = end, secret
        self.domain = mime.domain_of(config.site.url)
        self.web_url = web_url(config, spec, end)
        self.edition = lru_cache(maxsize=64)(self._edition)
        self.unsubscribe_base = unsubscribe_base(config)
        self.list_id = mime.list_id(spec.title or config.site.title, spec.name, self.domain)
        self.mailbox = config.mail.unsubscribe_mailto or mime.parse_address(
            spec.from_address, "from").addr_spec

    def for_subscriber(self, categories: Sequence[str]) -> Edition:
        return self.edition(tuple(sorted(categories)))

    def message(self, address: str, name: str, edition: Edition) -> Mail:
        token = tokens.make_token(self.secret, address, self.spec.name)
        unsubscribe = f"{self.unsubscribe_base}?token={quote(token)}"
        values = {
            "name": name,
            "address": address,
            "greeting_name": name or address.partition("@")[0],
            "unsubscribe_url": unsubscribe,
        }
        page, text = render.personalize(edition.rendered, values)
        msg_id = mime.message_id(self.spec.name, self.end, address, self.domain)
        envelope = mime.Envelope(
            subject=edition.subject,
            sender=self.spec.from_address,
            recipient=address,
            recipient_name=name,
            date=self.end.astimezone(self.config.site.tz),
            message_id=msg_id,
            list_id=self.list_id,
            unsubscribe_url=unsubscribe,
            unsubscribe_mailto=mime.mailto(self.mailbox, token),
            reply_to=self.spec.reply_to,
        )
        return Mail(msg_id, mime.build_message(envelope, page, text))

    def web_page(self) -> str:
        """The "view in browser" copy: every article in full, no subscriber details."""
        edition = self._render(self.articles, web=True)
        page, _ = render.personalize(
            edition.rendered,
            {"name": "", "address": "", "greeting_name": "", "unsubscribe_url": ""},
        )
        return page

    def _edition(self, categories: tuple[str, ...]) -> Edition:
        return self._render(for_categories(self.articles, categories), web=False)

    def _render(self, articles: Sequence[Article], *, web: bool) -> Edition:
        env = render.environment(self.spec.templates)
        groups = group_articles(articles, self.spec.group_by)
        count = len(articles)
        context = base_context(self.config, self.spec, end=self.end, count=count,
                               web_url=self.web_url)
        subject = render.render_subject(self.spec.subject, context)
        context |= {"subject": subject, "preheader": preheader(self.spec, groups),
                    "t": labels(self.config.site.language), "is_web_copy": web,
                    "more_url": self.web_url or self.config.site.url}

        def attempt(modes: Sequence[Mode]) -> tuple[str, str]:
            shown = {**context, "groups": group_views(groups, modes, self.config),
                     "more": sum(1 for m in modes if m == "hidden")}
            return render.render_once(env, shown)

        if web:
            modes = tuple(render.modes_of(("full", count)))
            page, text = attempt(modes)
            return Edition(subject, render.Rendered(page, text, modes), count)
        budget = render.render_within_budget(attempt, count, self.spec.max_html_bytes)
        return Edition(subject, budget, count)


def web_url(config: Config, spec: DigestSpec, end: datetime) -> str | None:
    if not spec.web_copy:
        return None
    return config.site.url + web_path(config, spec, end)


def web_path(config: Config, spec: DigestSpec, end: datetime) -> str:
    """``digests/<name>/<YYYY-MM-DD-HHMM>.html`` (period end, site time), under the output."""
    return f"digests/{spec.name}/{end.astimezone(config.site.tz):%Y-%m-%d-%H%M}.html"


def unsubscribe_base(config: Config) -> str:
    return config.mail.unsubscribe_url or config.site.url + "unsubscribe"
