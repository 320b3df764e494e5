"""Per-source cleaning rules from config: which apply to an article, and applying them."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from lxml import etree

from feeds.html.clean import Trash
from feeds.html.tree import (
    BLOCK_TAGS,
    RUBY_TEXT,
    Tag,
    collapse,
    elements,
    plain_text,
    text_of,
    unwrap,
)

if TYPE_CHECKING:
    from cssselect import HTMLTranslator

    from feeds.config.sections.cleaning import CleaningRule


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The merged rules that apply to one article."""

    drop: tuple[str, ...] = ()
    unwrap: tuple[str, ...] = ()
    drop_text: tuple[re.Pattern[str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.drop or self.unwrap or self.drop_text)


@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """The matching form of a name: NFKC, case-folded, trimmed."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


# A rule as plain tuples: (paths, categories, drop, unwrap, drop_text)
_Strs = tuple[str, ...]
_RuleKey = tuple[_Strs, _Strs, _Strs, _Strs, _Strs]


def rules_for(path: str, categories: Sequence[str], rules: Iterable[CleaningRule]) -> RuleSet:
    """Merge every rule whose paths or categories match (a rule naming neither always does)."""
    key = tuple(
        (tuple(r.paths), tuple(r.categories), tuple(r.drop), tuple(r.unwrap), tuple(r.drop_text))
        for r in rules
    )
    by_path = any(paths for paths, *_ in key)  # else every article of a category shares one
    return _merged(path if by_path else "", tuple(categories), key)


@functools.lru_cache(maxsize=1024)
def _merged(path: str, categories: tuple[str, ...], rules: tuple[_RuleKey, ...]) -> RuleSet:
    drop: list[str] = []
    unwrap: list[str] = []
    texts: list[re.Pattern[str]] = []
    folded = {fold(c) for c in categories}
    for rule in rules:
        if not _matches(rule, path, folded):
            continue
        drop.extend(s for s in rule[2] if s not in drop)
        unwrap.extend(s for s in rule[3] if s not in unwrap)
        texts.extend(re.compile(t) for t in rule[4])
    return RuleSet(tuple(drop), tuple(unwrap), tuple(texts))


def _matches(rule: _RuleKey, path: str, categories: set[str]) -> bool:
    paths, names = rule[0], rule[1]
    if not paths and not names:
        return True
    if any(fold(c) in categories for c in names):
        return True
    return any(path_matches(path, pattern) for pattern in paths)


def path_matches(path: str, pattern: str) -> bool:
    """Glob ``pattern`` against ``path`` and each of its trailing parts ('news/**' matches
    '/site/content/news/a.md'); '**/' may match no folder at all."""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    tails = ["/".join(parts[i:]) for i in range(len(parts))]
    patterns = {pattern, pattern.replace("**/", "")}
    return any(fnmatchcase(tail, p) for tail in tails for p in patterns)


def apply_rules(root: Tag, rules: RuleSet, trash: Trash, raw: str = "") -> list[str]:
    """Drop, then unwrap, then drop paragraphs by text; returns the selectors that could not
    be used (see :func:`select`).

    ``raw`` (the source HTML) lets selectors that cannot match be skipped without a walk.
    """
    ignored: list[str] = []
    if rules.drop or rules.unwrap:
        haystack = raw.lower()  # only articles with selector rules pay for this
        drop = [s for s in rules.drop if not raw or may_match(s, haystack)]
        unwrap_ = [s for s in rules.unwrap if not raw or may_match(s, haystack)]
        if drop:
            removed: set[Tag] = set()
            for el in select(root, drop, ignored):
                if el not in removed:  # inside an element already dropped
                    removed.update(el.iter())
                    trash.drop(el)
        if unwrap_:
            for el in reversed(select(root, unwrap_, ignored)):
                unwrap(el)  # innermost first, so nested matches are all unwrapped
    if rules.drop_text:
        _drop_by_text(root, rules.drop_text, trash)
    return ignored


def _drop_by_text(root: Tag, patterns: Sequence[re.Pattern[str]], trash: Trash) -> None:
    # Ruby annotations are rare: looked for once in the article, not once per paragraph.
    has_ruby = next(root.iter(*RUBY_TEXT), None) is not None
    for el in leaf_blocks(root):
        text = text_of(el) if has_ruby else collapse(plain_text(el))
        if any(p.search(text) for p in patterns):
            trash.drop(el)


def selector_error(selector: str) -> str | None:
    """Why the cleaner cannot use ``selector`` (for config validation), or None when it can."""
    return _translated(selector)[1]


def _xpath(selector: str) -> str | None:
    """The XPath of one selector (below the context element), None when unusable."""
    return _translated(selector)[0]


@functools.lru_cache(maxsize=256)
def _translated(selector: str) -> tuple[str | None, str | None]:
    # imported when a rule names a selector: most configs have none (5 ms of every start)
    from cssselect import SelectorError

    try:
        path = _translator().css_to_xpath(selector, prefix="descendant::")
        etree.XPath(path)
    except (SelectorError, ValueError, NotImplementedError, etree.XPathError) as exc:
        return None, (str(exc).splitlines() or [type(exc).__name__])[0]
    return path, None


@functools.cache
def _translator() -> HTMLTranslator:
    from cssselect import HTMLTranslator

    return HTMLTranslator()


@functools.lru_cache(maxsize=256)
def _compiled(selectors: tuple[str, ...]) -> tuple[etree.XPath | None, tuple[str, ...]]:
    """One compiled XPath for a group of selectors (compiled once per group, not per article),
    and the selectors left out of it."""
    paths = [(s, _xpath(s)) for s in selectors]
    usable = [p for _, p in paths if p is not None]
    bad = tuple(s for s, p in paths if p is None)
    return (etree.XPath(" | ".join(usable)) if usable else None), bad


def select(root: Tag, selectors: Sequence[str], ignored: list[str] | None = None) -> list[Tag]:
    """Elements below ``root`` matching any of ``selectors``, in document order (cssselect's
    XPath, evaluated by libxml2). Selectors it cannot translate are added to ``ignored``."""
    xpath, bad = _compiled(tuple(selectors))
    if ignored is not None:
        ignored.extend(s for s in bad if s not in ignored)
    if xpath is None:
        return []
    found = xpath(root)
    assert isinstance(found, list)
    return [el for el in found if isinstance(el, etree._Element)]


_CLASS_OR_ID = re.compile(r"[.#]((?:[\w-]|\\.)+)")
_ATTR_VALUE = re.compile(r"""\[\s*[\w-]+\s*[~|^$*]?=\s*(["']?)([^"'\]\s]+)\1\s*\]""")


def may_match(selector: str, haystack: str) -> bool:
    """False only when ``selector`` certainly matches nothing in the lower-cased source: a
    class, id or attribute value it requires does not occur in it at all. Selectors with
    alternatives or negations are always tried."""
    tokens = _required_tokens(selector)
    return tokens is None or all(token in haystack for token in tokens)


@functools.lru_cache(maxsize=256)
def _required_tokens(selector: str) -> tuple[str, ...] | None:
    """The lower-cased class names, ids and attribute values ``selector`` requires, None
    when it cannot be told (alternatives, negations, escapes). Read once per selector, not
    once per article."""
    if any(token in selector for token in (",", ":not", ":is", ":where", ":has", "\\")):
        return None
    tokens = [m.group(1) for m in _CLASS_OR_ID.finditer(selector)]
    tokens += [m.group(2) for m in _ATTR_VALUE.finditer(selector)]
    return tuple(token.lower() for token in tokens)


def leaf_blocks(root: Tag) -> list[Tag]:
    """Block elements that hold no other block: paragraphs, in document order (linear time)."""
    holds_block: set[Tag] = set()  # elements with a block somewhere below them
    leaves: list[Tag] = []
    for el in reversed(elements(root)):  # descendants before their ancestors
        if el.tag in BLOCK_TAGS:
            if el not in holds_block:
                leaves.append(el)
            holds_block.add(el.getparent())
        elif el in holds_block:
            holds_block.add(el.getparent())
    leaves.reverse()
    return leaves


def source_of(path: str, categories: Sequence[str], by: str = "category", depth: int = 2) -> str:
    """The source an article belongs to, for learning: its leading categories, or its folder."""
    if by == "category" and categories:
        return "/".join(c.strip() for c in categories[:depth])
    folder = PurePosixPath(path.replace("\\", "/")).parent.as_posix()
    return folder if folder != "." else ""
