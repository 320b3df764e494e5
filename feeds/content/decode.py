"""Bytes to text: UTF-8 (with or without BOM) first, legacy encodings detected and reported."""

from __future__ import annotations

from dataclasses import dataclass


class UndecodableError(ValueError):
    """The bytes are binary data, or text in no encoding we can identify."""


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str


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
    return DecodedText(text.replace("\r\n", "\n").replace("\r", "\n"), encoding)


def _decode_legacy(data: bytes) -> tuple[str, str]:
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
