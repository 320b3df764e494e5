"""Large feed files checked in a process of their own while this one renders the next.

A build with feeds of thousands of items renders them in this process and hands each file
to a checker process as soon as its draft goes to disk: the checker reads the file while
it is still being written (``_Growing``) and answers with the file's errors. Both cores
work, and the articles stay in one process. Worker processes forked to render would share
this process's pages only until they touched them, and rendering touches every article:
CPython writes each object's reference count, so every page holding one was copied into
each worker (measured at 100 000 articles: ~600 MB of private copies per worker). The
checker is a new interpreter, not a fork, for the same reason: a forked child would keep
the pages this process goes on to write, copied on its behalf.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported when the checker starts
    import subprocess
    from multiprocessing.connection import Connection

_WAIT = 0.002  # seconds the checker waits for more of a file before reading again
_MAIN = "import sys; from feeds.feedcheck.beside import main; main(*map(int, sys.argv[1:]))"


class Checker:
    """``with Checker() as checker``: ``follow(path, kind)`` when a draft file is created,
    ``finish(path, size)`` once all of it is written, ``verdict(path)`` for its errors;
    ``share()`` once nothing more is to be written, so this process checks files too.
    The process starts with the first file followed (when ``wanted``: starting one costs a
    small build more than it saves), or sooner with ``start()``; nothing starts when no file
    is followed and ``start()`` is not called."""

    def __init__(self, wanted: bool = True) -> None:
        self._wanted = wanted  # False: every file is checked here (a small build)
        self._conn: Connection | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._kinds: dict[Path, str] = {}  # every file followed, in order
        self._started: set[Path] = set()  # files the checker began
        self._verdicts: dict[Path, tuple[list[str], float]] = {}
        self._here: dict[Path, tuple[list[str], float]] = {}  # files checked in this process

    def __enter__(self) -> Checker:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Start the process now, before any file is followed: its interpreter starts while
        this process has other work (a new one takes ~0.1 s of a core before it can check)."""
        self._start_once()

    def _start_once(self) -> None:
        """The process, unless it is running or files are followed already (the first file
        decides: later ones never start one)."""
        if self._proc is None and not self._kinds and _worth_a_process():
            self._start()

    def want(self, wanted: bool) -> None:
        """Decide now whether files are checked beside; a process not wanted is stopped."""
        self._wanted = wanted
        if not wanted:
            self.close()

    def follow(self, path: Path, kind: str) -> None:
        if self._wanted:
            self._start_once()
        self._kinds[path] = kind
        self._send(("follow", str(path), kind))

    def finish(self, path: Path, size: int) -> None:
        self._send(("size", str(path), size))

    def verdict(self, path: Path) -> tuple[list[str], float]:
        """The errors of a file followed and finished, and the CPU seconds its check took
        (waits for the checker). Should the checker be gone, the file is checked here."""
        if path not in self._kinds:
            raise ValueError(f"{path} was never followed")
        if path in self._here:
            return self._here.pop(path)
        while path not in self._verdicts and self._conn is not None:
            self._take()
        if path in self._verdicts:
            return self._verdicts.pop(path)
        return self._check_here(path)

    def share(self) -> None:
        """Check here, last first, the files the checker has not begun, while it works
        through the others: neither process waits for the other at the end."""
        while self._conn is not None:
            while self._conn is not None and self._conn.poll(0):
                self._take()
            done = self._started | self._here.keys()
            waiting = [path for path in self._kinds if path not in done]
            if not waiting or self._conn is None:
                return
            last = waiting[-1]
            self._send(("skip", str(last), ""))  # begun meanwhile: checked twice, no harm
            self._here[last] = self._check_here(last)

    def _check_here(self, path: Path) -> tuple[list[str], float]:
        from feeds.feedcheck import check_file

        started = time.process_time()
        errors = check_file(path, self._kinds[path])
        return errors, time.process_time() - started

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(OSError):  # already gone
                conn.send(None)
            conn.close()
        if self._proc is not None:  # every verdict is in, or none is wanted any more:
            if self._proc.poll() is None:  # a checker still starting up is not waited for
                self._proc.kill()
            self._proc.wait()
            self._proc = None

    def _start(self) -> None:
        """A new interpreter running :func:`main`, talking over a socket pair: not a fork
        (see above), and not multiprocessing's spawn, which would run the caller's main
        script again in the child when it has no ``if __name__ == "__main__"`` guard."""
        import socket
        import subprocess
        import sys
        from multiprocessing.connection import Connection

        from feeds.feedcheck import STREAM_FROM

        ours, theirs = socket.socketpair()
        with theirs:
            try:
                self._proc = subprocess.Popen(
                    [sys.executable, "-c", _MAIN, str(theirs.fileno()), str(STREAM_FROM)],
                    pass_fds=[theirs.fileno()],
                    stdin=subprocess.DEVNULL,
                    env={**os.environ, "PYTHONPATH": _import_path()},
                )
            except OSError:  # no interpreter to start (embedded Python): checked here
                ours.close()
                return
        self._conn = Connection(ours.detach())

    def _send(self, message: tuple[str, str, Any]) -> None:
        # verdicts taken first: a checker blocked on sending them would stop reading these
        while self._conn is not None and self._conn.poll(0):
            self._take()
        if self._conn is None:
            return  # the checker is gone: verdict() checks here
        try:
            self._conn.send(message)
        except OSError:
            self.close()

    def _take(self) -> None:
        assert self._conn is not None
        try:
            what, shown, errors, seconds = self._conn.recv()
        except (EOFError, OSError):
            self.close()
            return
        if what == "started":
            self._started.add(Path(shown))
        elif Path(shown) not in self._here:
            self._verdicts[Path(shown)] = (errors, seconds)


class _Inbox:
    """The checker's side: files to check in order, and the sizes of those finished."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.todo: deque[tuple[str, str]] = deque()
        self.sizes: dict[str, int] = {}
        self.skipped: set[str] = set()  # checked by the other process instead
        self.closed = False

    def take(self, timeout: float | None) -> None:
        """Take the next message, waiting at most ``timeout`` seconds (None: until one)."""
        if self.closed or (timeout is not None and not self.conn.poll(timeout)):
            return
        try:
            message = self.conn.recv()
        except EOFError:
            message = None
        if message is None:
            self.closed = True
        elif message[0] == "follow":
            self.todo.append((message[1], message[2]))
        elif message[0] == "skip":
            self.skipped.add(message[1])
        else:
            self.sizes[message[1]] = message[2]

    def next_file(self) -> tuple[str, str] | None:
        """The next file to check (waiting for one), or None once the build is over."""
        while self.conn.poll(0) and not self.closed:  # a skip may be waiting
            self.take(0)
        while True:
            while not self.todo and not self.closed:
                self.take(None)
            if not self.todo:
                return None
            path, kind = self.todo.popleft()
            if path not in self.skipped:
                return path, kind

    def size(self, path: str) -> int | None:
        """The final size of ``path``; None while it is still being written."""
        if path not in self.sizes and not self.closed:
            self.take(_WAIT)
        return self.sizes.get(path)


class _Growing:
    """A file being written, read like a finished one: ``read(n)`` gives ``n`` bytes
    unless the end of the finished file comes first, waiting for the writer if need be."""

    def __init__(self, path: str, inbox: _Inbox) -> None:
        self.path = path
        self.inbox = inbox
        self.handle = open(path, "rb", buffering=0)  # noqa: SIM115 (closed by the caller)

    def read(self, size: int = -1, /) -> bytes:
        pieces: list[bytes] = []
        got = 0
        while size < 0 or got < size:
            block = self.handle.read(-1 if size < 0 else size - got)
            if block:
                pieces.append(block)
                got += len(block)
                continue
            end = self.inbox.size(self.path)
            if (end is not None and self.handle.tell() >= end) or self.inbox.closed:
                break
        return b"".join(pieces)

    def wait_for_end(self) -> None:
        while self.inbox.size(self.path) is None and not self.inbox.closed:
            pass


def _worth_a_process() -> bool:
    """Not on one core, nor when worker processes are switched off (FEEDS_WORKERS=1), nor
    where a child cannot be handed a socket (Windows: no pass_fds)."""
    from feeds.content.workers import MIN_ITEMS_FOR_POOL, worker_count

    return os.name == "posix" and worker_count(2, weight=MIN_ITEMS_FOR_POOL) > 1


def _import_path() -> str:
    """PYTHONPATH for the checker: this copy of feeds first, so both run the same code."""
    here = str(Path(__file__).resolve().parents[2])
    return os.pathsep.join([here, *filter(None, [os.environ.get("PYTHONPATH")])])


def main(fd: int, stream_from: int) -> None:
    """The checker process: serve the build on the socket ``fd``. Ctrl-C reaches the whole
    process group: the build handles it and ends the checker, which stays quiet."""
    import signal
    from multiprocessing.connection import Connection

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _serve(Connection(fd), stream_from)


def _serve(conn: Connection, stream_from: int) -> None:
    """The checker's loop: check the files in the order they were followed; a file larger
    than ``stream_from`` in pieces first, as check_file does."""
    from feeds.feedcheck import check_whole, stream_passes
    from feeds.feedcheck.reading import Rejoined

    inbox = _Inbox(conn)
    while (file := inbox.next_file()) is not None:
        path, kind = file
        if not _tell(conn, ("started", path, [], 0.0)):
            return
        started = time.process_time()  # not the waits for the writer
        try:
            growing = _Growing(path, inbox)
        except OSError:
            errors = check_whole(Path(path), kind)  # says why it cannot be read
        else:
            with growing.handle:
                head = growing.read(stream_from + 1)
                passed = len(head) > stream_from and stream_passes(Rejoined(head, growing), kind)
                growing.wait_for_end()
            errors = [] if passed else check_whole(Path(path), kind)
        seconds = time.process_time() - started
        if inbox.closed or not _tell(conn, ("verdict", path, errors, seconds)):
            return  # the build is over: nobody waits for this verdict


def _tell(conn: Connection, message: tuple[str, str, list[str], float]) -> bool:
    """Send ``message`` to the build; False when it is gone."""
    try:
        conn.send(message)
    except OSError:
        return False
    return True
