"""Making every URL in an article absolute, and lazy-loaded images real.

``//host/x`` becomes ``https://host/x`` (feed readers and mail clients have no page scheme to
inherit); URLs that cannot be parsed or use a scheme other than the allowed ones are dropped.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlparse, urlsplit, urlunparse, uses_netloc, uses_relative

from feeds.html.tree import Tag, elements, unwrap

LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel", "ftp"})
MEDIA_SCHEMES = frozenset({"http", "https"})
LAZY_SRC = ("data-src", "data-original", "data-actualsrc", "data-lazy-src", "data-url")
LAZY_SRCSET = ("data-srcset", "data-lazy-srcset")
# (tag, attribute, allowed schemes); srcset is handled on its own
URL_ATTRS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("a", "href", LINK_SCHEMES),
    ("area", "href", LINK_SCHEMES),
    ("img", "src", MEDIA_SCHEMES),
    ("source", "src", MEDIA_SCHEMES),
    ("video", "src", MEDIA_SCHEMES),
    ("video", "poster", MEDIA_SCHEMES),
    ("audio", "src", MEDIA_SCHEMES),
    ("track", "src", MEDIA_SCHEMES),
    ("blockquote", "cite", MEDIA_SCHEMES),
    ("q", "cite", MEDIA_SCHEMES),
    ("del", "cite", MEDIA_SCHEMES),
    ("ins", "cite", MEDIA_SCHEMES),
)
_URL_TAGS = frozenset(tag for tag, _, _ in URL_ATTRS)
_PLACEHOLDER_WORDS = ("blank", "spacer", "lazy", "loading", "placeholder", "pixel", "grey.gif")
_PLACEHOLDER_SRC = re.compile("|".join(map(re.escape, _PLACEHOLDER_WORDS)), re.I)
_C0_AND_SPACE = "".join(map(chr, range(0x21)))  # stripped from both ends, as browsers do
_HOST = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.?$")  # names (IDN letters included), not '%zz'
_TAB_NEWLINE = str.maketrans("", "", "\t\n\r")  # removed anywhere, as browsers do

# Given a relative reference, return the URL of a local copy, or None to resolve normally.
LocalResolver = Callable[[str], "str | None"]


@dataclass(frozen=True, slots=True)
class Resolver:
    """Resolves references found in one article."""

    base: str
    local: LocalResolver | None = None

    def __call__(self, ref: str, schemes: frozenset[str] = LINK_SCHEMES) -> str | None:
        ref = ref.strip()
        if not ref:
            return None
        if self.local is not None and _is_relative(ref):
            found = self.local(ref)
            if found:
                return found
        return absolute(ref, self.base, schemes)


@functools.lru_cache(maxsize=8192)
def absolute(ref: str, base: str, schemes: frozenset[str] = LINK_SCHEMES) -> str | None:
    """``ref`` made absolute against ``base``; None when unusable or not in ``schemes``.

    Memoized (a pure function): learning and building resolve the same references."""
    ref = cleaned_ref(ref)
    simple = _SIMPLE_URL.match(ref)
    if simple is not None:  # most references: the answer without parsing a URL four times
        if simple[1] not in schemes:
            return None
        return ref if _HOST.match(simple[2]) else None
    return resolved(ref, base, schemes)


# An http(s) URL that urljoin and urlsplit give back exactly as written: a lower-case
# scheme, a host of letters, digits, dots and hyphens (no port, no user), and a path, query
# and fragment with no space, control character or ';' (parameters), the query and fragment
# not empty when their mark is there (urlunparse drops an empty one)
_SIMPLE_URL = re.compile(
    r"(https?)://([A-Za-z0-9.-]+)(?:/[^\x00-\x20\x7f?#;]*)?"
    r"(?:\?[^\x00-\x20\x7f#;]+)?(?:#[^\x00-\x20\x7f;]+)?\Z"
)


def cleaned_ref(ref: str) -> str:
    """Spaces and controls off both ends, tabs and newlines out, ``//host`` made https."""
    ref = ref.strip(_C0_AND_SPACE)
    if "\t" in ref or "\n" in ref or "\r" in ref:  # rare: translate() is slow even then
        ref = ref.translate(_TAB_NEWLINE)
    return "https:" + ref if ref.startswith("//") else ref


def resolved(ref: str, base: str, schemes: frozenset[str]) -> str | None:
    """:func:`absolute` the long way, for any reference."""
    try:
        url = _join(base, ref)
        parts = urlsplit(url)  # parsed already by _join when it is ``ref`` (urlsplit caches)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in schemes:
        return None
    if scheme in ("http", "https") and not _valid_host(parts.hostname or ""):
        return None
    return url


def _join(base: str, ref: str) -> str:
    """``urljoin(base, ref)``. Nearly every reference in an article names its own scheme and
    host; for those urljoin answers early (the reference as written, or re-assembled from
    its parts) and this gives the same answers without parsing ``base`` into its six parts
    and the reference twice. Anything else goes to urljoin itself."""
    split = urlsplit(ref) if base else None  # (without a base urljoin parses nothing)
    if split is not None and split.scheme:
        if split.scheme != urlsplit(base).scheme or split.scheme not in uses_relative:
            return ref
        if split.scheme in uses_netloc and split.netloc:
            return urlunparse(urlparse(ref))
    return urljoin(base, ref)


def _valid_host(host: str) -> bool:
    if _HOST.match(host):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_relative(ref: str) -> bool:
    return not ref.startswith(("/", "#", "?")) and ":" not in ref.split("/", 1)[0]


def best_src(img: Tag) -> str | None:
    """The image's real source: ``src``, unless it is empty, inline data or a lazy-loading
    placeholder and a ``data-src``-style attribute names the real one."""
    src = (img.get("src") or "").strip()
    if src and not src.startswith("data:") and not _is_placeholder(src):
        return src
    for attr in LAZY_SRC:
        value = img.get(attr)
        if value is not None and value.strip():
            return value.strip()
    return src or None


def _is_placeholder(src: str) -> bool:
    if src.isascii():  # nearly every URL: substring tests, several times faster than re.I
        lowered = src.lower()
        return any(word in lowered for word in _PLACEHOLDER_WORDS)
    return _PLACEHOLDER_SRC.search(src) is not None  # re.I also folds 'ſ' to 's', 'K' to 'k'


def promote_lazy(img: Tag) -> None:
    """``data-src``/``data-original``/``data-srcset`` become ``src``/``srcset``."""
    src = best_src(img)
    if src is not None:
        img.set("src", src)
    for attr in LAZY_SRCSET:
        value = img.get(attr)
        if value is not None and value.strip() and not img.get("srcset"):
            img.set("srcset", value.strip())
            break


def absolutize(root: Tag, resolve: Resolver) -> None:
    """Rewrite href/src/srcset/poster/cite in place; unusable values are removed."""
    for el in elements(root):
        if el.tag in ("img", "source"):
            promote_lazy(el)
        if el.tag in _URL_TAGS:
            _rewrite_attrs(el, resolve)
        if el.tag == "a" and el.get("href") is None:
            unwrap(el)  # a link whose target was unusable is just its text
            continue
        srcset = el.get("srcset")
        if srcset is not None:
            fixed = rewrite_srcset(srcset, resolve)
            if fixed:
                el.set("srcset", fixed)
            else:
                del el.attrib["srcset"]


def _rewrite_attrs(el: Tag, resolve: Resolver) -> None:
    for tag, attr, schemes in URL_ATTRS:
        if el.tag == tag:
            value = el.get(attr)
            if value is None:
                continue
            url = resolve(value, schemes)
            if url is None:
                del el.attrib[attr]
            else:
                el.set(attr, url)


def rewrite_srcset(value: str, resolve: Resolver) -> str:
    """Each ``url [descriptor]`` candidate made absolute; bad candidates dropped."""
    out = []
    for candidate in value.split(","):
        pieces = candidate.split()
        if not pieces:
            continue
        url = resolve(pieces[0], MEDIA_SCHEMES)
        if url:
            out.append(" ".join([url, *pieces[1:2]]))
    return ", ".join(out)
