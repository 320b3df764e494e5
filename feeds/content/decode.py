"""Bytes to text: UTF-8 (with or without BOM) first, legacy encodings detected and reported."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


class UndecodableError(ValueError):
    """The bytes are binary data, or text in no encoding we can identify."""


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str


_LATIN = re.compile(r"[\u00a0-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u2013-\u2026\u20ac]")


def decode_bytes(data: bytes) -> DecodedText:
    """Decode file bytes; line endings are normalized to LF."""
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UndecodableError("binary data (NUL bytes), not a text file")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = _decode_legacy(data)
    if "\r" in text:  # one scan (most files have none) instead of two replacing passes
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return DecodedText(text, encoding)


def _share(pattern: re.Pattern[str], text: str) -> float:
    """How much of the non-ASCII text matches ``pattern`` (1.0 for pure ASCII)."""
    wide = [ch for ch in text if ord(ch) > 127]
    return sum(1 for ch in wide if pattern.match(ch)) / len(wide) if wide else 1.0


def _gb2312_share(text: str) -> float:
    """Real GBK/GB18030 Chinese is almost all common (GB2312) characters; Latin-1 bytes read
    as GBK land in the rare extension rows instead."""
    wide = [ch for ch in text if ord(ch) > 127]
    common = 0
    for ch in wide:
        try:
            ch.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(wide) if wide else 1.0


def _latin_shaped(text: str) -> bool:
    """cp1252 reads any byte as some Latin character; real Latin text has its accents inside
    ASCII words, while CJK bytes read as cp1252 come out as long runs of accented letters."""
    if _share(_LATIN, text) < 0.9:
        return False
    runs = re.findall(r"[^\x00-\x7f]{3,}", text)
    wide = sum(1 for ch in text if ord(ch) > 127)
    return not wide or sum(len(run) for run in runs) / wide < 0.3


# Tried in order; the first that decodes strictly and reads as plausible text wins. Short
# files give a statistical detector too little to go on (it read 测试 as Big5, café as cp1006).
# Simplified Chinese first: the scraped sources this tool is for are mostly GBK/GB18030;
# anything else goes to charset-normalizer.
_CANDIDATES: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("gb18030", lambda text: _gb2312_share(text) >= 0.9),
    ("cp1252", _latin_shaped),
)


def _decode_legacy(data: bytes) -> tuple[str, str]:
    for encoding, plausible in _CANDIDATES:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if plausible(text):
            return text, encoding
    return _detect(data)


def _detect(data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None:
        raise UndecodableError("not UTF-8, and no other text encoding fits")
    encoding = best.encoding
    if encoding in {"gb2312", "gbk"}:
        encoding = "gb18030"  # the superset: decodes every GBK/GB2312 file and more
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError):
        raise UndecodableError(f"not UTF-8, and not valid {encoding} either") from None
