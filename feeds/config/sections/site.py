"""``site:``: what the site is called, where it lives, how its URLs are made."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from feeds.config.base import Section, SiteUrl
from feeds.config.behaviour import SiteBehaviour


class AuthorSetting(Section):
    """A person: a name, optionally an email address and a home page."""

    name: str = Field(description="The author's name as readers see it.")
    email: str | None = Field(default=None, description="Email address (optional).")
    url: str | None = Field(default=None, description="Home page URL (optional).")


class SiteSection(SiteBehaviour, Section):
    """The site every feed and digest belongs to."""

    title: str = Field(default="My site", description="Site title; the default feed title.")
    url: SiteUrl = Field(
        default="http://localhost:8000/",
        description="Absolute base URL of the site; every link in a feed is made absolute with it.",
    )
    description: str = Field(default="", description="One line about the site (RSS needs one).")
    language: str = Field(default="en", description="Language tag of the content, e.g. zh-CN.")
    author: AuthorSetting | None = Field(
        default=None,
        description="Default author for articles that name none: a name or {name, email, url}.",
    )
    timezone: str = Field(
        default="UTC",
        description="IANA timezone for dates written without one, and for schedules.",
    )
    permalink: str = Field(
        default=":year/:month/:day/:title/",
        description="URL pattern for articles without a link field: Hexo style "
        "(:year :month :day :title :slug :category) or {year}/{slug}/ style.",
    )
    transliterate: bool = Field(
        default=False,
        description="Transliterate non-Latin text in slugs instead of keeping it "
        "(percent-encoded in URLs).",
    )
    icon: str | None = Field(default=None, description="URL of a small square icon for feeds.")
    logo: str | None = Field(default=None, description="URL of a wide logo image for feeds.")

    @model_validator(mode="before")
    @classmethod
    def _author_shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("author"), str):
            data = {**data, "author": {"name": data["author"]}}
        return data

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"expected an IANA timezone such as 'Asia/Shanghai' or 'UTC', got {value!r}"
            ) from None
        return value
