"""One scheduler per state folder: an flock()ed lock file holding the owner's pid.

flock is released by the kernel when the process dies, so a crash never leaves a stale
lock behind (no pid-liveness guessing). The file itself is left in place: unlinking it
would race with a second process opening it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from feeds.errors import UsageError

LOCK_NAME = "schedule.lock"


class SchedulerRunning(UsageError):
    """Another ``feeds schedule`` holds the lock of this state folder."""

    def __init__(self, state_dir: Path, pid: int | None) -> None:
        who = f"pid {pid}" if pid else "another process"
        super().__init__(
            f"another 'feeds schedule' ({who}) is already running with state folder {state_dir}",
            hint="stop it first, or give this one its own folder with --state",
        )
        self.pid = pid


class StateLock:
    """``with StateLock(state_dir):`` — held for the life of the scheduler."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.path = state_dir / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            os.close(fd)
            raise SchedulerRunning(self.state_dir, pid) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> StateLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def lock_holder(state_dir: Path) -> int | None:
    """The pid of the scheduler running on ``state_dir``, or None if none is."""
    path = state_dir / LOCK_NAME
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _read_pid(fd) or -1
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _read_pid(fd: int) -> int | None:
    text = os.pread(fd, 32, 0).decode(errors="replace").strip()
    return int(text) if text.isdigit() else None
