"""Learned boilerplate: blocks (same markup, same text) that recur across a source's articles.

Each candidate block gets a digest computed bottom-up in one pass (children before parents), so
fingerprinting an article is linear in its size whatever its depth. Counting needs only these
8-byte digests per article; descriptions for ``feeds check`` are made afterwards for the few
blocks that were learned.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from feeds.html.clean import Trash
from feeds.html.tree import Tag, classes, collapse, elements, raw_text, ruby_elements

if TYPE_CHECKING:
    from feeds.config.sections.cleaning import BoilerplateSettings

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
# Most text between tags is the newline or space parsing left (see tree.parse): collapsed to
# nothing, and checked inline since there is one such piece per element.
_LAID_OUT = ("\n", " ")


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


# An element folded: (digest, characters of text, whether an image or link sits inside)
_Folded = tuple[bytes, int, bool]


def candidate_blocks(root: Tag, settings: BoilerplateSettings) -> list[Block]:
    """The blocks of ``root`` that could be boilerplate, outermost first."""
    return [Block(digest.hex(), el, size) for el, digest, size in _candidates(root, settings)]


def candidate_digests(root: Tag, settings: BoilerplateSettings) -> frozenset[str]:
    """The digests of :func:`candidate_blocks`: all that learning counts, without making a
    Block for each."""
    return frozenset(digest.hex() for _, digest, _ in _candidates(root, settings))


def _candidates(root: Tag, settings: BoilerplateSettings) -> list[tuple[Tag, bytes, int]]:
    folded: dict[Tag, _Folded] = {}
    ruby = ruby_elements(root)
    nodes = elements(root)
    for el in reversed(nodes):
        folded[el] = _fold(el, folded, el in ruby)
    total = _total(root, (folded[child][1] for child in root))
    found: list[tuple[Tag, bytes, int]] = []
    if total == 0:
        return found  # never the whole article: duplicates and tiny posts keep their content
    for el in nodes:
        if el.tag not in CANDIDATES:
            continue
        digest, size, has_media = folded[el]
        if _eligible(size, has_media, total, settings):
            found.append((el, digest, size))
    return found


def _total(root: Tag, child_sizes: Iterable[int]) -> int:
    """Characters of text in ``root``: its own pieces and its children's ``child_sizes``."""
    total = len(collapse(root.text)) if root.text else 0
    for child, size in zip(root, child_sizes, strict=True):
        total += size + (len(collapse(child.tail)) if child.tail else 0)
    return total


def _eligible(size: int, has_media: bool, total: int, settings: BoilerplateSettings) -> bool:
    """Whether a block of ``size`` characters can be boilerplate of an article of ``total``."""
    if size > settings.max_chars or size >= total:
        return False
    return size >= settings.min_chars or has_media


def _fold(el: Tag, folded: dict[Tag, _Folded], ruby: bool) -> _Folded:
    """Digest (tag, key attributes, children's digests, text), text size and whether media
    sits inside, from the children's (already computed). Ruby annotations are not text.
    The pieces are hashed in one call: the same bytes as feeding them one by one."""
    tag = el.tag
    head = tag
    for attr in _KEY_ATTRS:  # get() makes no attribute-map object, unlike .attrib
        value = el.get(attr)
        if value and attr == "class":
            value = " ".join(value.split())
        if value:
            head += f"\x00{attr}={value}"
    has_media = tag == "img" or (tag == "a" and el.get("href") is not None)
    size = 0
    text = el.text
    if text and not ruby and text not in _LAID_OUT and (text := collapse(text)):
        head += "\x02" + text
        size = len(text)
    pieces = [head.encode()]
    for child in el:
        digest, child_size, child_media = folded[child]
        pieces.append(b"\x01" + digest)
        size += child_size
        has_media = has_media or child_media
        text = child.tail
        if text and not ruby and text not in _LAID_OUT and (text := collapse(text)):
            pieces.append(("\x02" + text).encode())
            size += len(text)
    return hashlib.blake2b(b"".join(pieces), digest_size=8).digest(), size, has_media


# What a learned block looks like before it is hashed: its tag and characters of text. An
# element of another shape cannot have a learned digest, so it is never hashed.
Shape = tuple[str, int]


def block_shapes(blocks: Iterable[Block], digests: Collection[str]) -> dict[str, Shape]:
    """The shape of each block of ``blocks`` whose digest is in ``digests``, by digest."""
    return {b.digest: (b.element.tag, b.size) for b in blocks if b.digest in digests}


def drop_learned(
    root: Tag,
    learned: frozenset[str],
    settings: BoilerplateSettings,
    trash: Trash,
    shapes: frozenset[Shape] | None = None,
) -> int:
    """Remove every block of ``root`` whose digest was learned; returns how many.

    ``shapes``, the shapes of all the learned blocks when known, spares hashing: only blocks
    of those shapes are hashed (measured: ~50 us an article instead of ~100), and the blocks
    removed are the same, since a block of another shape has another digest.

    All or nothing: when the learned blocks hold more than half of the article's text, they
    stay. Boilerplate is a small part of an article; most of one recurring is a near-duplicate
    (the same story scraped three times), and keeping a promo beats losing a story.
    """
    wanted = _as_bytes(learned)  # compared as bytes: no hex string per candidate
    doomed: list[tuple[Tag, int]] = []
    inside: set[Tag] = set()
    found = _candidates(root, settings) if shapes is None else _shaped(root, settings, shapes)
    for element, digest, size in found:
        if digest in wanted and element not in inside:
            doomed.append((element, size))
            inside.update(element.iterdescendants())
    if not doomed:
        return 0
    total = len(collapse(raw_text(root)))
    if total and sum(size for _, size in doomed) > total * _MAX_REMOVED_SHARE:
        return 0
    for element, _ in doomed:
        trash.drop(element)
    return len(doomed)


def _shaped(
    root: Tag, settings: BoilerplateSettings, shapes: frozenset[Shape]
) -> list[tuple[Tag, bytes, int]]:
    """:func:`_candidates` of the given shapes only, each hashed as _fold hashes it."""
    ruby = ruby_elements(root)
    nodes = elements(root)
    measured: dict[Tag, tuple[int, bool]] = {}
    for el in reversed(nodes):
        measured[el] = _measure(el, measured, el in ruby)
    total = _total(root, (measured[child][0] for child in root))
    found: list[tuple[Tag, bytes, int]] = []
    if total == 0:
        return found
    folded: dict[Tag, _Folded] = {}
    for el in nodes:
        size, has_media = measured[el]
        if el.tag not in CANDIDATES or (el.tag, size) not in shapes:
            continue
        if not _eligible(size, has_media, total, settings):
            continue
        if el not in folded:  # else inside a block hashed before (document order: outer first)
            for inner in reversed(list(el.iterdescendants())):
                folded[inner] = _fold(inner, folded, inner in ruby)
            folded[el] = _fold(el, folded, el in ruby)
        found.append((el, folded[el][0], size))
    return found


def _measure(el: Tag, measured: dict[Tag, tuple[int, bool]], ruby: bool) -> tuple[int, bool]:
    """The size and media of :func:`_fold`, without the digest: the same pieces of text."""
    tag = el.tag
    has_media = tag == "img" or (tag == "a" and el.get("href") is not None)
    size = 0
    text = el.text
    if text and not ruby and text not in _LAID_OUT and (text := collapse(text)):
        size = len(text)
    for child in el:
        child_size, child_media = measured[child]
        size += child_size
        has_media = has_media or child_media
        text = child.tail
        if text and not ruby and text not in _LAID_OUT and (text := collapse(text)):
            size += len(text)
    return size, has_media


@lru_cache(maxsize=64)
def _as_bytes(digests: frozenset[str]) -> frozenset[bytes]:
    """A source's learned digests as the bytes _fold makes (once per source, not article)."""
    return frozenset(bytes.fromhex(d) for d in digests)


def learn(
    per_article: Iterable[tuple[str, str, Iterable[str]]], settings: BoilerplateSettings
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
    inside: set[Tag] = set()  # elements of blocks already listed: only the outermost is shown
    for block in blocks:
        if block.digest not in counts or block.element in inside:
            continue
        inside.update(block.element.iterdescendants())
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
    names = classes(el)
    if names:
        return el.tag + "".join(f".{c}" for c in names)
    ident = el.get("id")
    return f"{el.tag}#{ident}" if ident else str(el.tag)


def preview_of(el: Tag, limit: int = 60) -> str:
    text = collapse(raw_text(el))
    if not text:
        img = next(el.iter("img"), None)
        src = img.get("src") if img is not None else None
        return f"[image {src}]" if src is not None else "[no text]"
    return text if len(text) <= limit else text[: limit - 1] + "…"
