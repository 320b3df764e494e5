"""What the templates see: plain records built from articles and the config, nothing more.

Per-subscriber values are not known here: the templates get placeholders for them
(``subscriber.name``, ``subscriber.unsubscribe_url`` …) that ``render.personalize`` fills in,
so the shared part of a digest is rendered once for thousands of recipients.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from feeds.digest.select import Group
from feeds.models import Article

if TYPE_CHECKING:
    from feeds.config import Config
    from feeds.config.sections.digests import DigestSpec

Mode = Literal["full", "brief", "hidden"]
THUMB_WIDTH = 120
PLACEHOLDER = "__FEEDS_SUB_{}__"
SUBSCRIBER_FIELDS = ("name", "address", "greeting_name", "unsubscribe_url")


@dataclass(frozen=True, slots=True)
class ItemView:
    title: str
    url: str
    summary: str
    date: str
    authors: str
    categories: tuple[str, ...]
    thumb_url: str | None
    thumb_width: int
    thumb_height: int
    thumb_alt: str
    mode: Mode


@dataclass(frozen=True, slots=True)
class GroupView:
    title: str
    items: tuple[ItemView, ...]


@dataclass(frozen=True, slots=True)
class Placeholders:
    """Stand-ins for the per-subscriber values, replaced after rendering."""

    name: str = PLACEHOLDER.format("name")
    address: str = PLACEHOLDER.format("address")
    greeting_name: str = PLACEHOLDER.format("greeting_name")
    unsubscribe_url: str = PLACEHOLDER.format("unsubscribe_url")


def item_view(article: Article, config: Config, mode: Mode) -> ItemView:
    tz = config.site.tz
    thumb = article.thumbnail
    width, height = THUMB_WIDTH, THUMB_WIDTH * 3 // 4
    if thumb and thumb.width and thumb.height:
        height = max(1, round(THUMB_WIDTH * thumb.height / thumb.width))
    return ItemView(
        title=article.title,
        url=article.url,
        summary=article.summary,
        date=article.published.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        authors=", ".join(a.name for a in article.authors),
        categories=article.categories,
        thumb_url=thumb.url if thumb else None,
        thumb_width=width,
        thumb_height=min(height, THUMB_WIDTH * 2),
        thumb_alt=(thumb.alt if thumb and thumb.alt else article.title),
        mode=mode,
    )


def group_views(groups: Sequence[Group], modes: Sequence[Mode], config: Config) -> list[GroupView]:
    """Groups with each article's display mode (by overall position); hidden items left out."""
    views, position = [], 0
    for group in groups:
        items = []
        for article in group.articles:
            mode = modes[position] if position < len(modes) else "hidden"
            position += 1
            if mode != "hidden":
                items.append(item_view(article, config, mode))
        if items:
            views.append(GroupView(group.title, tuple(items)))
    return views


def base_context(
    config: Config,
    spec: DigestSpec,
    *,
    end: datetime,
    count: int,
    web_url: str | None,
) -> dict[str, object]:
    """Values shared by the subject, the HTML and the text of one digest."""
    local = end.astimezone(config.site.tz)
    return {
        "site": config.site,
        "digest": spec,
        "title": spec.title or config.site.title,
        "date": local.strftime("%Y-%m-%d"),
        "count": count,
        "web_url": web_url,
        "language": config.site.language,
    }


def preheader(spec: DigestSpec, groups: Sequence[Group]) -> str:
    """The inbox preview line: configured, else the first titles joined."""
    if spec.preheader:
        return spec.preheader
    titles = [a.title for g in groups for a in g.articles][:3]
    return " · ".join(titles)[:140]


@dataclass(frozen=True, slots=True)
class Labels:
    """The template's fixed words, in the site's language (English or Chinese)."""

    view_in_browser: str
    greeting: str
    greeting_end: str
    read_more: str
    read_all: str
    unsubscribe: str
    sent_to: str
    web_copy_note: str
    count_format: str
    more_format: str

    def count(self, n: int) -> str:
        return self.count_format.format(n=n)

    def and_more(self, n: int) -> str:
        return self.more_format.format(n=n)


_ENGLISH = Labels(
    view_in_browser="View in browser",
    greeting="Hello",
    greeting_end=",",
    read_more="Read more",
    read_all="Read them all",
    unsubscribe="Unsubscribe",
    sent_to="Sent to",
    web_copy_note="This is the web copy of an email digest.",
    count_format="{n} articles",
    more_format="And {n} more.",
)
_CHINESE = Labels(
    view_in_browser="在浏览器中查看",
    greeting="",
    greeting_end="，您好！",
    read_more="阅读全文",
    read_all="查看全部",
    unsubscribe="退订",
    sent_to="发送给",
    web_copy_note="这是邮件摘要的网页版。",
    count_format="{n} 篇",
    more_format="还有 {n} 篇。",
)


def labels(language: str) -> Labels:
    return _CHINESE if language.lower().startswith("zh") else _ENGLISH
