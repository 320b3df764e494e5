"""Facts about images: size from attributes or URL, type from the name, icons and pixels."""

from __future__ import annotations

import functools
import mimetypes
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from feeds.html.tree import Tag, drop

MIME_BY_EXT = {
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "jfif": "image/jpeg", "png": "image/png",
    "gif": "image/gif", "webp": "image/webp", "avif": "image/avif", "svg": "image/svg+xml",
    "bmp": "image/bmp", "ico": "image/x-icon", "tif": "image/tiff", "tiff": "image/tiff",
    "heic": "image/heic",
}  # fmt: skip
_EXT = re.compile(r"\.([A-Za-z0-9]{2,5})$")
# Sizes written into CDN URLs: /w478h254/, -300x200.jpg, _720w.jpg, /400/300 (picsum-like)
_URL_WH = re.compile(r"[/_-]w(\d{2,4})h(\d{2,4})(?=[/_.-])")
_URL_XY = re.compile(r"[-_](\d{2,4})x(\d{2,4})\.[A-Za-z]{3,4}$")
_URL_W = re.compile(r"_(\d{2,4})w\.[A-Za-z]{3,4}$")
_ICONISH = re.compile(r"icon|emoji|emoticon|smiley|avatar|logo|badge|spinner|favicon", re.I)
# in paths only as whole words: /icons/rss.png and site-logo.png, not silicon-wafer.jpg
_ICONISH_PATH = re.compile(
    r"(?:^|[^a-z])(?:icons?|emoji|emoticons?|smileys?|avatars?|logos?|badges?|spinner|favicon)"
    r"(?:[^a-z]|$)",
    re.I,
)
# Known beacons only: a word like "pixel" in a path (pixel-art/hero.jpg) is no evidence.
# Each pattern with the lower-case text any match of it contains: an ASCII URL holding
# none of these cannot match, which substring tests tell far faster than the regex.
_BEACONS = (
    ("feedburner.com/~", r"feedburner\.com/~[rf]"),
    ("stats.wordpress.com", r"stats\.wordpress\.com"),
    ("pixel.wp.com", r"pixel\.wp\.com"),
    ("google-analytics.com/", r"google-analytics\.com/"),
    ("doubleclick.net", r"doubleclick\.net"),
    ("/wf/open?", r"/wf/open\?"),
    ("/track/open", r"/track/open"),
    ("facebook.com/tr?", r"facebook\.com/tr\?"),
    ("bat.bing.com/action", r"bat\.bing\.com/action"),
    ("1x1.", r"[/_.-]1x1\.(?:gif|png)\b"),
    (".gif", r"/(?:beacon|pixel|spacer|blank)\.gif\b"),
)
_BEACON = re.compile("|".join(pattern for _, pattern in _BEACONS), re.I)
_BEACON_HINTS = tuple(hint for hint, _ in _BEACONS)
_NUMBER = re.compile(r"^\s*(\d{1,5})(?:\.\d+)?\s*(?:px)?\s*$")
_STYLE_DIM = re.compile(
    r"(?<![-\w])(width|height)\s*:\s*(\d{1,5})(?:\.\d+)?(?:px)?(?=\s*(?:;|!|$))", re.I
)


@dataclass(frozen=True, slots=True)
class Size:
    width: int | None = None
    height: int | None = None

    def known(self) -> bool:
        return self.width is not None or self.height is not None


@functools.lru_cache(maxsize=4096)
def mime_for(url: str) -> str | None:
    """The image type from the path's extension, else a format named in the query."""
    parts = urlsplit(url)
    match = _EXT.search(parts.path)
    if match and match.group(1).lower() in MIME_BY_EXT:
        return MIME_BY_EXT[match.group(1).lower()]
    query = parse_qs(parts.query)
    for key in ("wx_fmt", "format", "fm", "type"):
        for value in query.get(key, []):
            if value.lower() in MIME_BY_EXT:
                return MIME_BY_EXT[value.lower()]
    match = _EXT.search(parts.query)  # proxies: ?http://host/pic.jpg
    if match and match.group(1).lower() in MIME_BY_EXT:
        return MIME_BY_EXT[match.group(1).lower()]
    guessed, _ = mimetypes.guess_type(parts.path)
    return guessed if guessed and guessed.startswith("image/") else None


@functools.lru_cache(maxsize=4096)
def size_from_url(url: str) -> Size:
    path = urlsplit(url).path
    for pattern in (_URL_WH, _URL_XY):
        match = pattern.search(path)
        if match:
            return Size(int(match.group(1)), int(match.group(2)))
    match = _URL_W.search(path)
    return Size(int(match.group(1)), None) if match else Size()


def size_from_attrs(img: Tag) -> Size:
    """width/height attributes, inline style, or data-img-size-val="1080,462"."""
    width, height = _number(img.get("width")), _number(img.get("height"))
    style = img.get("style")
    if style is not None:
        for name, value in _STYLE_DIM.findall(style):
            if name.lower() == "width" and width is None:
                width = int(value)
            elif name.lower() == "height" and height is None:
                height = int(value)
    pair = img.get("data-img-size-val")
    if pair is not None and width is None and height is None:
        nums = [_number(p) for p in pair.split(",")]
        if len(nums) == 2 and None not in nums:
            width, height = nums
    return Size(width, height)


def _number(value: str | None) -> int | None:
    if value is None:
        return None
    match = _NUMBER.match(value)
    return int(match.group(1)) if match else None


def size_of(img: Tag, url: str) -> Size:
    found = size_from_attrs(img)
    if found.width is not None and found.height is not None:
        return found
    guess = size_from_url(url)
    return Size(
        found.width if found.width is not None else guess.width,
        found.height if found.height is not None else guess.height,
    )


def is_tracking_pixel(url: str, size: Size) -> bool:
    if (size.width is not None and size.width <= 2) or (
        size.height is not None and size.height <= 2
    ):
        return True
    if url.isascii():  # (re.I also folds 'ſ' and the Kelvin sign: those keep the regex)
        lowered = url.lower()
        if not any(hint in lowered for hint in _BEACON_HINTS):
            return False
    return _BEACON.search(url) is not None


def is_iconish(img: Tag, url: str) -> bool:
    """Icons, emoji, avatars and logos: fine inside the text, never a thumbnail."""
    for attr in ("class", "id", "role"):
        text = img.get(attr)
        if text is not None and _ICONISH.search(text):
            return True
    return _iconish_path(url)


@functools.lru_cache(maxsize=4096)
def _iconish_path(url: str) -> bool:
    tail = "/".join(urlsplit(url).path.rsplit("/", 2)[-2:])  # folder and file name
    return _ICONISH_PATH.search(tail) is not None


def remove_pixels(root: Tag) -> None:
    """Images without a usable src, and tracking pixels, are removed from the content."""
    for img in list(root.iter("img")):
        src = img.get("src")
        if not src or is_tracking_pixel(src, size_from_attrs(img)):
            drop(img)
