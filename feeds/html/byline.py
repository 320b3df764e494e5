"""Bylines at the top of scraped bodies (``作者：一财资讯``): found, taken out, and named.

Whether the byline then becomes the article's author is decided by :func:`replaces_author`:
only when the front matter names the site rather than a person.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from feeds.html.clean import Trash
from feeds.html.rules import fold, leaf_blocks
from feeds.html.tree import Tag, text_of

if TYPE_CHECKING:
    from feeds.config.sections.cleaning import BylineSettings

_LOOKED_AT = 2  # only the first paragraphs with text can be a byline


def take_byline(root: Tag, settings: BylineSettings, trash: Trash) -> str | None:
    """Remove a byline paragraph at the top of ``root`` and return the name in it."""
    if not settings.enabled or not settings.patterns:
        return None
    patterns = _compiled(tuple(settings.patterns))
    seen = 0
    for block in leaf_blocks(root):
        text = text_of(block)
        if not text:
            continue
        name = _match(text, patterns)
        if name:
            trash.drop(block)
            return name
        seen += 1
        if seen >= _LOOKED_AT:
            return None
    return None


@functools.lru_cache(maxsize=64)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """The config's patterns compiled once, not once per article."""
    return tuple(re.compile(p) for p in patterns)


def _match(text: str, patterns: Sequence[re.Pattern[str]]) -> str | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            name = match.groupdict().get("name") or match.group(0)
            name = name.strip(" \u3000:：|｜/")
            if name:
                return name
    return None


def replaces_author(
    author: str | None, categories: Sequence[str], settings: BylineSettings
) -> bool:
    """True when a byline should become the article's author.

    That is when the front matter names no author, or names only the site: one of
    ``cleaning.byline.site_authors``, or one of the article's own categories (scraped posts
    file ``author: 新浪财经`` under the category ``新浪财经``). Compared NFKC, case-folded.
    """
    if not author or not author.strip():
        return True
    name = fold(author)
    return name in {fold(a) for a in settings.site_authors} or name in {fold(c) for c in categories}
