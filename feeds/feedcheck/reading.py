"""What the streaming checks read from: any binary source with ``read(size)``, such as an
open file or a file still being written (see feeds.feedcheck.beside)."""

from __future__ import annotations

from typing import Protocol


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class Rejoined:
    """``head`` (already read from ``rest`` to look at the start) followed by ``rest``: the
    whole document again, without seeking back (a file being written may not allow it).
    A read of n bytes gives n bytes unless the document ends first, as a file's does."""

    def __init__(self, head: bytes, rest: Readable) -> None:
        self._head = head
        self._at = 0  # how much of head was read
        self._rest = rest

    def read(self, size: int = -1, /) -> bytes:
        left = len(self._head) - self._at
        if not left:
            return self._rest.read(size)
        if 0 <= size <= left:
            self._at += size
            return self._head[self._at - size : self._at]
        block, self._head = self._head[self._at :], b""
        self._at = 0
        return block + self._rest.read(size - len(block) if size >= 0 else -1)
