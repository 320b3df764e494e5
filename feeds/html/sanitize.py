"""The allow-list sanitizer every article passes last (nh3, the Rust ammonia bindings).

Cleaning decides what is content; this decides what is safe. Semantic markup is kept
(headings, lists, tables, figures, code, quotes, media with their sources); no class, id or
style survives (hiding styles were acted on before: hidden elements are removed in cleaning),
no event handlers, and only http(s)/mailto/tel/ftp URLs.
"""

from __future__ import annotations

import re

import nh3

TAGS = frozenset(
    {
        "a", "abbr", "address", "article", "aside", "audio", "b", "bdi", "bdo", "blockquote",
        "br", "caption", "cite", "code", "col", "colgroup", "data", "dd", "del", "details",
        "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "footer", "h1", "h2", "h3",
        "h4", "h5", "h6", "header", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p",
        "picture", "pre", "q", "rp", "rt", "ruby", "s", "samp", "section", "small", "source",
        "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
        "time", "tr", "track", "u", "ul", "var", "video", "wbr",
    }
)  # fmt: skip
# Removed together with their content (the cleaner already did; this is the safety net).
DROP_WITH_CONTENT = frozenset(
    {
        "script", "style", "noscript", "iframe", "object", "embed", "form", "template", "svg",
        "math", "textarea", "select", "button", "title", "head", "frameset", "applet",
    }
)  # fmt: skip
_GLOBAL_ATTRS = {"lang", "dir", "title"}
ATTRIBUTES: dict[str, set[str]] = {
    "*": _GLOBAL_ATTRS,
    "a": {"href", "hreflang"},
    "img": {"src", "srcset", "sizes", "alt", "width", "height", "referrerpolicy", "loading"},
    "source": {"src", "srcset", "sizes", "type", "media", "width", "height"},
    "video": {"src", "poster", "controls", "width", "height", "preload", "loop", "muted"},
    "audio": {"src", "controls", "preload", "loop", "muted"},
    "track": {"src", "kind", "srclang", "label", "default"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope", "abbr"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "time": {"datetime"},
    "data": {"value"},
    "abbr": {"title"},
    "details": {"open"},
}
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel", "ftp"})

_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def _filter_attribute(tag: str, attr: str, value: str) -> str | None:
    """nh3 checks the schemes of href/src but not of srcset candidates; this does."""
    if attr != "srcset":
        return value
    kept = []
    for candidate in value.split(","):
        url = candidate.strip().split(" ", 1)[0]
        scheme = _SCHEME.match(re.sub(r"[\x00-\x20]", "", url))
        if url and (scheme is None or scheme.group(1).lower() in ("http", "https")):
            kept.append(candidate.strip())
    return ", ".join(kept) or None


_CLEANER = nh3.Cleaner(
    tags=set(TAGS),
    clean_content_tags=set(DROP_WITH_CONTENT),
    attributes=ATTRIBUTES,
    url_schemes=set(URL_SCHEMES),
    strip_comments=True,
    link_rel="noopener noreferrer",
    attribute_filter=_filter_attribute,
)


def sanitize(html: str) -> str:
    """Safe HTML: allowed tags and attributes only, no comments, no unsafe URLs."""
    return _CLEANER.clean(xml_safe(html))


def xml_safe(text: str) -> str:
    """``text`` without the control characters (and lone surrogates) XML forbids; tabs and
    newlines stay. Feeds are XML, and one such character makes a whole feed unreadable."""
    return _XML_ILLEGAL.sub("", text)
