"""Learned boilerplate: blocks (same markup, same text) that recur across a source's articles.

Each candidate block gets a digest computed bottom-up in one pass (children before parents), so
fingerprinting an article is linear in its size whatever its depth. Counting needs only these
8-byte digests per article; descriptions for ``feeds check`` are made afterwards for the few
blocks that were learned.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from feeds.config.sections.cleaning import BoilerplateSettings
from feeds.html.clean import Trash
from feeds.html.tree import NavigableString, Tag, collapse, elements

# Blocks that can be boilerplate as a whole. Table parts, list items and headings are left out:
# recurring row labels or "Conclusion" headings are structure, not boilerplate.
CANDIDATES = frozenset(
    {
        "address", "aside", "blockquote", "center", "details", "div", "dl", "figure",
        "footer", "header", "nav", "ol", "p", "section", "table", "ul",
    }
)  # fmt: skip
_KEY_ATTRS = ("class", "src", "href")
_MAX_REMOVED_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class Block:
    """One candidate block of one article."""

    digest: str
    element: Tag
    size: int  # characters of text


@dataclass(frozen=True, slots=True)
class LearnedBlock:
    """A block learned as boilerplate, described so a user can turn it into a rule."""

    source: str
    digest: str
    count: int
    articles: int
    selector: str
    preview: str

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "digest": self.digest,
            "count": self.count,
            "articles": self.articles,
            "selector": self.selector,
            "preview": self.preview,
        }


def candidate_blocks(root: Tag, settings: BoilerplateSettings) -> list[Block]:
    """The blocks of ``root`` that could be boilerplate, outermost first."""
    digests: dict[int, bytes] = {}
    sizes: dict[int, int] = {}
    media: set[int] = set()
    found: list[Block] = []
    nodes = list(elements(root))
    for el in reversed(nodes):
        digests[id(el)], sizes[id(el)], has_media = _fold(el, digests, sizes, media)
        if has_media:
            media.add(id(el))
    total = sum(
        sizes[id(c)] if isinstance(c, Tag) else len(collapse(c))
        for c in root.contents
        if isinstance(c, Tag) or type(c) is NavigableString
    )
    for el in nodes:
        size = sizes[id(el)]
        if el.name not in CANDIDATES or size > settings.max_chars:
            continue
        if size < settings.min_chars and id(el) not in media:
            continue
        if total == 0 or size >= total:
            continue  # never the whole article: duplicates and tiny posts keep their content
        found.append(Block(digests[id(el)].hex(), el, size))
    return found


def _fold(
    el: Tag, digests: dict[int, bytes], sizes: dict[int, int], media: set[int]
) -> tuple[bytes, int, bool]:
    h = hashlib.blake2b(digest_size=8)
    h.update(el.name.encode())
    for attr in _KEY_ATTRS:
        value = el.get(attr)
        if value:
            text = " ".join(value) if isinstance(value, list) else str(value)
            h.update(f"\x00{attr}={text}".encode())
    size, has_media = 0, el.name == "img" or (el.name == "a" and el.has_attr("href"))
    for child in el.contents:
        if isinstance(child, Tag):
            h.update(b"\x01" + digests[id(child)])
            size += sizes[id(child)]
            has_media = has_media or id(child) in media
        elif type(child) is NavigableString:
            text = collapse(child)
            if text:
                h.update(b"\x02" + text.encode())
                size += len(text)
    return h.digest(), size, has_media


def drop_learned(
    root: Tag, learned: frozenset[str], settings: BoilerplateSettings, trash: Trash
) -> int:
    """Remove every block of ``root`` whose digest was learned; returns how many.

    All or nothing: when the learned blocks hold more than half of the article's text, they
    stay. Boilerplate is a small part of an article; most of one recurring is a near-duplicate
    (the same story scraped three times), and keeping a promo beats losing a story.
    """
    blocks = candidate_blocks(root, settings)
    doomed: list[Block] = []
    inside: set[int] = set()
    for block in blocks:
        if block.digest in learned and id(block.element) not in inside:
            doomed.append(block)
            inside.update(id(d) for d in block.element.descendants)
    total = len(collapse(root.get_text()))
    if total and sum(b.size for b in doomed) > total * _MAX_REMOVED_SHARE:
        return 0
    for block in doomed:
        trash.drop(block.element)
    return len(doomed)


def learn(
    per_article: Iterable[tuple[str, str, frozenset[str]]], settings: BoilerplateSettings
) -> tuple[dict[str, frozenset[str]], dict[str, tuple[Counter[str], int]]]:
    """Count digests per source over (source, text signature, digests) of each article; return
    (source → learned digests, source → (their counts, articles in the source)).

    Articles with the same text are counted once: a post scraped three times is not three
    witnesses that its paragraphs are boilerplate.
    """
    counts: dict[str, Counter[str]] = {}
    articles: Counter[str] = Counter()
    seen: set[tuple[str, str]] = set()
    for source, signature, digests in per_article:
        if (source, signature) in seen:
            continue
        seen.add((source, signature))
        articles[source] += 1
        counts.setdefault(source, Counter()).update(digests)
    learned: dict[str, frozenset[str]] = {}
    stats: dict[str, tuple[Counter[str], int]] = {}
    for source, counter in counts.items():
        n = articles[source]
        keep = frozenset(
            d for d, c in counter.items() if c >= settings.min_count and c / n >= settings.min_share
        )
        if keep:
            learned[source] = keep
            stats[source] = (Counter({d: counter[d] for d in keep}), n)
    return learned, stats


def describe(
    source: str,
    blocks: Iterable[Block],
    stats: tuple[Counter[str], int],
    described: Mapping[str, LearnedBlock],
) -> dict[str, LearnedBlock]:
    """Descriptions for learned digests among ``blocks`` not yet in ``described``."""
    counts, n = stats
    out: dict[str, LearnedBlock] = {}
    inside: set[int] = set()  # elements of blocks already listed: only the outermost is shown
    for block in blocks:
        if block.digest not in counts or id(block.element) in inside:
            continue
        inside.update(id(d) for d in block.element.descendants)
        if block.digest not in described and block.digest not in out:
            out[block.digest] = LearnedBlock(
                source,
                block.digest,
                counts[block.digest],
                n,
                selector_for(block.element),
                preview_of(block.element),
            )
    return out


def selector_for(el: Tag) -> str:
    """A CSS selector a user could paste into a rule: tag plus classes (or id)."""
    value: str | list[str] = el.get("class") or []
    classes: list[str] = value.split() if isinstance(value, str) else list(value)
    if classes:
        return el.name + "".join(f".{c}" for c in classes)
    ident = el.get("id")
    return f"{el.name}#{ident}" if isinstance(ident, str) and ident else el.name


def preview_of(el: Tag, limit: int = 60) -> str:
    text = collapse(el.get_text())
    if not text:
        img = el.find("img") if el.name != "img" else el
        src = img.get("src") if isinstance(img, Tag) else None
        return f"[image {src}]" if isinstance(src, str) else "[no text]"
    return text if len(text) <= limit else text[: limit - 1] + "…"
