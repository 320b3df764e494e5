"""Per-source cleaning rules from config: which apply to an article, and applying them."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import PurePosixPath

import soupsieve

from feeds.config.sections.cleaning import CleaningRule
from feeds.html.clean import Trash
from feeds.html.tree import BLOCK_TAGS, Tag, elements, gone, text_of


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The merged rules that apply to one article."""

    drop: tuple[str, ...] = ()
    unwrap: tuple[str, ...] = ()
    drop_text: tuple[re.Pattern[str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.drop or self.unwrap or self.drop_text)


def fold(text: str) -> str:
    """The matching form of a name: NFKC, case-folded, trimmed."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def rules_for(path: str, categories: Sequence[str], rules: Iterable[CleaningRule]) -> RuleSet:
    """Merge every rule whose paths or categories match (a rule naming neither always does)."""
    drop: list[str] = []
    unwrap: list[str] = []
    texts: list[re.Pattern[str]] = []
    folded = {fold(c) for c in categories}
    for rule in rules:
        if not _matches(rule, path, folded):
            continue
        drop.extend(s for s in rule.drop if s not in drop)
        unwrap.extend(s for s in rule.unwrap if s not in unwrap)
        texts.extend(re.compile(t) for t in rule.drop_text)
    return RuleSet(tuple(drop), tuple(unwrap), tuple(texts))


def _matches(rule: CleaningRule, path: str, categories: set[str]) -> bool:
    if not rule.paths and not rule.categories:
        return True
    if any(fold(c) in categories for c in rule.categories):
        return True
    return any(path_matches(path, pattern) for pattern in rule.paths)


def path_matches(path: str, pattern: str) -> bool:
    """Glob ``pattern`` against ``path`` and each of its trailing parts ('news/**' matches
    '/site/content/news/a.md'); '**/' may match no folder at all."""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    tails = ["/".join(parts[i:]) for i in range(len(parts))]
    patterns = {pattern, pattern.replace("**/", "")}
    return any(fnmatchcase(tail, p) for tail in tails for p in patterns)


def apply_rules(root: Tag, rules: RuleSet, trash: Trash, raw: str = "") -> None:
    """Drop, then unwrap, then drop paragraphs by text.

    ``raw`` (the source HTML) lets selectors that cannot match be skipped without a walk.
    """
    haystack = raw.lower()
    drop = [s for s in rules.drop if not raw or may_match(s, haystack)]
    unwrap = [s for s in rules.unwrap if not raw or may_match(s, haystack)]
    if drop:
        for el in select(root, drop):
            if not gone(el):
                trash.drop(el)
    if unwrap:
        for el in reversed(select(root, unwrap)):
            if not gone(el):
                el.unwrap()  # innermost first, so nested matches are all unwrapped
    if rules.drop_text:
        for el in leaf_blocks(root):
            if any(p.search(text_of(el)) for p in rules.drop_text):
                trash.drop(el)


_SIMPLE = re.compile(r"^([a-zA-Z][\w-]*)?((?:[.#][\w-]+)*)$")


@dataclass(frozen=True, slots=True)
class _Simple:
    """``tag``, ``.class``, ``#id`` and their compounds: matched without soupsieve."""

    tag: str | None
    classes: frozenset[str]
    ident: str | None

    def matches(self, el: Tag) -> bool:
        if self.tag is not None and el.name != self.tag:
            return False
        if self.ident is not None and el.get("id") != self.ident:
            return False
        if self.classes:
            have = el.get("class") or ()
            return self.classes.issubset(have.split() if isinstance(have, str) else have)
        return True


@functools.lru_cache(maxsize=256)
def _parse_simple(selector: str) -> _Simple | None:
    match = _SIMPLE.match(selector.strip())
    if not match or not selector.strip():
        return None
    parts = re.findall(r"([.#])([\w-]+)", match.group(2) or "")
    idents = [name for kind, name in parts if kind == "#"]
    if len(idents) > 1:
        return None
    tag = match.group(1).lower() if match.group(1) else None
    classes = frozenset(name for kind, name in parts if kind == ".")
    return _Simple(tag, classes, idents[0] if idents else None)


@functools.lru_cache(maxsize=256)
def _compiled(selectors: str) -> soupsieve.SoupSieve:
    return soupsieve.compile(selectors)


def select(root: Tag, selectors: Sequence[str]) -> list[Tag]:
    """Elements matching any of ``selectors``, in document order. Simple selectors are matched
    in one walk of our own; the rest go to soupsieve (compiled once, as one group)."""
    simple = [m for s in selectors if (m := _parse_simple(s)) is not None]
    rest = [s for s in selectors if _parse_simple(s) is None]
    found: dict[int, Tag] = {}
    if simple:
        for el in elements(root):
            if any(m.matches(el) for m in simple):
                found[id(el)] = el
    if rest:
        for el in _compiled(", ".join(rest)).select(root):
            found.setdefault(id(el), el)
        if simple:
            order = {id(n): i for i, n in enumerate(root.descendants)}
            return sorted(found.values(), key=lambda el: order[id(el)])
    return list(found.values())


_CLASS_OR_ID = re.compile(r"[.#]((?:[\w-]|\\.)+)")
_ATTR_VALUE = re.compile(r"""\[\s*[\w-]+\s*[~|^$*]?=\s*(["']?)([^"'\]\s]+)\1\s*\]""")


def may_match(selector: str, haystack: str) -> bool:
    """False only when ``selector`` certainly matches nothing in the lower-cased source: a
    class, id or attribute value it requires does not occur in it at all. Selectors with
    alternatives or negations are always tried."""
    if any(token in selector for token in (",", ":not", ":is", ":where", ":has", "\\")):
        return True
    tokens = [m.group(1) for m in _CLASS_OR_ID.finditer(selector)]
    tokens += [m.group(2) for m in _ATTR_VALUE.finditer(selector)]
    return all(token.lower() in haystack for token in tokens)


def leaf_blocks(root: Tag) -> list[Tag]:
    """Block elements that hold no other block: paragraphs, in document order (linear time)."""
    holds_block: set[int] = set()
    leaves: list[Tag] = []
    for el in reversed(list(elements(root))):
        inner = any(
            isinstance(c, Tag) and (c.name in BLOCK_TAGS or id(c) in holds_block)
            for c in el.contents
        )
        if inner:
            holds_block.add(id(el))
        elif el.name in BLOCK_TAGS:
            leaves.append(el)
    leaves.reverse()
    return leaves


def source_of(path: str, categories: Sequence[str], by: str = "category", depth: int = 2) -> str:
    """The source an article belongs to, for learning: its leading categories, or its folder."""
    if by == "category" and categories:
        return "/".join(c.strip() for c in categories[:depth])
    folder = PurePosixPath(path.replace("\\", "/")).parent.as_posix()
    return folder if folder != "." else ""
