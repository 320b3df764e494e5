"""What a one-shot build made, left for the process's exit instead of freed mid-run.

The ``feeds`` console script ends with ``os._exit`` (see :func:`feeds.cli.run`): whatever
is alive then is never freed object by object. A build makes garbage while its feeds are
still to be written (the record of every file, the index of every article), and freeing
it there costs time the user waits for: ~15 ms of a ~0.45 s rebuild of 10 000 articles.

Keeping is switched on only when both hold: the process will end with that exit (``run``
calls :func:`allow`), and the command is a one-shot build (it calls :func:`until_exit`).
A long-running ``feeds schedule`` and anything that imports feeds as a library (tests
included) free as usual, so memory never grows from one build to the next.
"""

from __future__ import annotations

_allowed = False
_kept: list[object] | None = None


def allow() -> None:
    """The process ends with os._exit after this command: keeping may be switched on."""
    global _allowed
    _allowed = True


def until_exit() -> None:
    """From now on :func:`outlive` keeps what it is given (when :func:`allow` was called)."""
    global _kept
    if _allowed and _kept is None:
        _kept = []


def outlive(*things: object) -> None:
    """Keep ``things`` alive until the process exits, when keeping is on; else nothing."""
    if _kept is not None:
        _kept.extend(things)


def settle() -> None:
    """After the build: what is kept (and everything else alive now) is moved out of the
    cyclic collector's sight. The build ran with the collector paused (feeds.gcpause), so
    its objects were never examined; the first collection after it would walk every one
    (~40 ms after a 10 000-article rebuild) to free nothing."""
    if _kept is not None:
        import gc

        gc.freeze()
