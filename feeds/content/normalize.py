"""Document -> normalized metadata: title, dates, people, names, identity, draft status.

Pure: everything it needs (site settings, the content root) is passed in.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from feeds.content import fields
from feeds.content.dates import ACCEPTED, DateError, date_from_filename, to_utc
from feeds.content.slugs import absolute_url, build_permalink, slugify
from feeds.content.suffixes import stem_of
from feeds.models import Author, Document, Problem, Severity

if TYPE_CHECKING:
    from feeds.config.sections.site import SiteSection

DATE_KEYS = ("date", "published", "pubDate", "pubdate", "publishDate", "created")
UPDATED_KEYS = ("updated", "lastmod", "modified", "last_modified_at", "updated_at")
LINK_KEYS = ("link", "permalink", "url")
ID_KEYS = ("id", "guid", "uuid")
SUMMARY_KEYS = ("description", "excerpt", "summary", "abstract")


@dataclass(frozen=True)
class Meta:
    title: str
    published: datetime
    updated: datetime
    authors: tuple[Author, ...]
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    slug: str
    url: str
    id: str
    language: str
    declared_summary: str | None
    draft: bool


class _Report:
    """Collects the problems of one document."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def error(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.path, field, message, Severity.ERROR))

    def warn(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.path, field, message, Severity.WARNING))


def normalize_meta(
    doc: Document, site: SiteSection, rel_path: str
) -> tuple[Meta | None, list[Problem]]:
    """Normalized metadata, or None with at least one error when the file is no article.

    ``rel_path`` is the path relative to its content folder (for slugs and Jekyll dates).
    """
    report = _Report(doc.path)
    meta = doc.metadata
    stem = stem_of(rel_path)
    filename_date = date_from_filename(stem, site.tz)
    if filename_date:
        stem = filename_date[1]
    title = _title(doc, report)
    published = _published(meta, site, filename_date[0] if filename_date else None, report)
    if title is None or published is None:
        return None, report.problems
    updated = _updated(meta, site, published, report)
    categories = fields.names(meta.get("categories", meta.get("category")))
    slug = _slug(meta, title, stem, rel_path, site.transliterate)
    url = _url(meta, site, published, slug, categories, report)
    explicit_id = fields.first_value(meta, ID_KEYS)
    return (
        Meta(
            title=title,
            published=published,
            updated=updated,
            authors=fields.authors(meta.get("author", meta.get("authors"))) or _site_author(site),
            categories=categories,
            tags=fields.names(meta.get("tags", meta.get("tag"))),
            slug=slug,
            url=url,
            id=str(explicit_id[1]).strip() if explicit_id else url,
            language=str(meta.get("lang") or meta.get("language") or site.language),
            declared_summary=_declared_summary(meta),
            draft=_is_draft(meta),
        ),
        report.problems,
    )


def _title(doc: Document, report: _Report) -> str | None:
    title = fields.clean_title(doc.metadata.get("title"))
    if title:
        return title
    heading = fields.first_heading(doc.body, doc.body_format)
    written = doc.metadata.get("title")
    state = "missing" if written is None else f"blank ({written!r})"
    if heading:
        report.warn("title", f"{state}; used the first heading {heading!r}")
        return heading
    report.error("title", f"{state}, and the body has no heading to use instead")
    return None


def _published(
    meta: Any, site: SiteSection, from_filename: datetime | None, report: _Report
) -> datetime | None:
    # a bool is no date: `published: false` marks a draft
    found = fields.first_value(meta, DATE_KEYS, skip_bools=True)
    if found is None:
        if from_filename is not None:
            return from_filename
        report.error("date", f"missing (write date: in one of these forms: {ACCEPTED})")
        return None
    key, value = found
    try:
        return to_utc(value, site.tz)
    except DateError as exc:
        report.error(key, str(exc))
        return None


@functools.lru_cache(maxsize=1024)
def _category_slug(category: str, transliterate: bool) -> str:
    """An archive has a few categories and thousands of articles in each."""
    return slugify(category, transliterate=transliterate)


def _updated(meta: Any, site: SiteSection, published: datetime, report: _Report) -> datetime:
    found = fields.first_value(meta, UPDATED_KEYS)
    if found is None:
        return published
    key, value = found
    try:
        updated = to_utc(value, site.tz)
    except DateError as exc:
        report.warn(key, f"{exc}; used the publication date")
        return published
    if updated < published:
        report.warn(key, "is earlier than the publication date; used the publication date")
        return published
    return updated


def _slug(meta: Any, title: str, stem: str, rel_path: str, transliterate: bool) -> str:
    for candidate in (meta.get("slug"), stem, title):
        if candidate is not None and (slug := slugify(str(candidate), transliterate=transliterate)):
            return slug
    return hashlib.sha1(rel_path.encode("utf-8")).hexdigest()[:12]


def _url(
    meta: Any,
    site: SiteSection,
    published: datetime,
    slug: str,
    categories: tuple[str, ...],
    report: _Report,
) -> str:
    link = fields.first_value(meta, LINK_KEYS)
    if link is not None and isinstance(link[1], str):
        return absolute_url(site.url, link[1])
    if link is not None:
        report.warn(link[0], f"expected a URL, got {link[1]!r}; used the permalink pattern")
    path = build_permalink(
        site.permalink,
        published=published,
        site_tz=site.tz,
        slug=slug,
        title_slug=slug,  # as in Hexo, :title is the front-matter slug, else the file name
        category=_category_slug(categories[0], site.transliterate) if categories else "",
    )
    return site.url + path


def _site_author(site: SiteSection) -> tuple[Author, ...]:
    if site.author is None:
        return ()
    return (Author(site.author.name, site.author.email, site.author.url),)


def _declared_summary(meta: Any) -> str | None:
    found = fields.first_value(meta, SUMMARY_KEYS)
    return str(found[1]) if found else None


def _is_draft(meta: Any) -> bool:
    if fields.as_bool(meta.get("draft", False)) is True:
        return True
    published = meta.get("published")
    return isinstance(published, bool | str) and fields.as_bool(published) is False
