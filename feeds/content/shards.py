"""Worker processes that keep what they read, so each later phase runs where the text is.

A collect works in phases over the same files: read and normalize every file, describe some
for the boilerplate learner, clean some. With a plain process pool each phase ships every
article's text back to the parent and out to a worker again (pickled twice, held in the
parent between phases). Here each worker has its own ``store``, where a task may keep the
text it read for a later phase; a later task for a file goes to the worker that first had
it, and only small records and the cleaned results travel. A worker with nothing of its
own left takes work from the others (and reads those files again): no core idles while
another has a queue.

One worker means no processes at all: the same functions run here, with one store.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from feeds.content.keep import Releaser, Store
from feeds.content.workers import worker_count
from feeds.errors import FeedsError

if TYPE_CHECKING:  # multiprocessing is imported when workers start: a rebuild needs none
    from multiprocessing.connection import Connection

T = TypeVar("T")

# func(item, shared, extra, store) -> result; a module-level function (sent by name)
Task = Callable[[Any, Any, Any, Store], Any]
# many(items, shared, extra, store) -> a result per item, in order (see batched)
BatchTask = Callable[[list[Any], Any, Any, Store], list[Any]]
_BATCH = "feeds_batch"  # the attribute batched() puts on a task
_CHUNK = 64  # items per message: large enough to amortize a round trip, small enough to share
_IN_FLIGHT = 4  # chunks sent ahead to each worker (see _Dispatch._results)


def _serve(conn: Connection, shared: Any) -> None:
    """A worker's loop: set up a phase, run chunks of it, until told to stop (or until the
    parent is gone). Ctrl-C is the parent's to handle: it stops the workers, which would
    otherwise each print a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    store = Store()
    releaser = Releaser(0)
    func: Task | None = None
    extra: Any = None
    while True:
        try:
            message = conn.recv()
        except EOFError:  # the parent ended without a word
            return
        if message is None:
            return
        if message[0] == "phase":
            _, func, extra = message
            continue
        _, number, chunk = message
        assert func is not None
        results = _in_one(func, chunk, shared, extra, store)
        if results is not None:
            conn.send(("done", number, results))
        else:
            results = []
            for position, item in enumerate(chunk):
                try:
                    results.append(func(item, shared, extra, store))
                except Exception as exc:  # reported by the parent, naming the item
                    conn.send(("failed", number, (position, f"{type(exc).__name__}: {exc}")))
                    break
            else:
                conn.send(("done", number, results))
        releaser.after(len(store))  # what the chunk let go of, back to the system


def batched(many: BatchTask) -> Callable[[Task], Task]:
    """Mark a task as also done a chunk at a time by ``many`` (the same results, in order):
    a worker, or this process without workers, hands it each chunk whole. A task whose
    items run through the same steps can take each step over the whole chunk, which keeps
    that step's code and data in the processor's caches (see feeds.html.document)."""

    def mark(func: Task) -> Task:
        setattr(func, _BATCH, many)
        return func

    return mark


def _in_one(
    func: Task, chunk: list[Any], shared: Any, extra: Any, store: Store
) -> list[Any] | None:
    """The chunk's results from the task's batch form; None when it has none, or when it
    raised: the chunk is then done item by item, and the item at fault is the one named."""
    many: BatchTask | None = getattr(func, _BATCH, None)
    if many is None:
        return None
    try:
        return many(chunk, shared, extra, store)
    except Exception:
        return None


class ShardPool:
    """``with ShardPool(shared) as pool: pool.run(func, items, key)``. Workers start with the
    first phase large enough to pay for them, and serve every phase after it."""

    def __init__(self, shared: Any) -> None:
        self.shared = shared
        self.local = Store()  # the store of the work done in this process
        self.owner: dict[str, int] = {}  # item key -> the worker that holds its text
        self.conns: list[Connection] = []
        self.procs: list[Any] = []

    def __enter__(self) -> ShardPool:
        return self

    @property
    def started(self) -> bool:
        """Whether worker processes are running (a later phase uses them)."""
        return bool(self.conns)

    def _start(self, size: int) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        for _ in range(size):
            parent, child = context.Pipe()
            proc = context.Process(target=_serve, args=(child, self.shared), daemon=True)
            proc.start()
            child.close()
            self.conns.append(parent)
            self.procs.append(proc)

    def __exit__(self, *_exc: object) -> None:
        self.local.clear()
        self.stop()

    def stop(self, at_once: bool = False) -> None:
        """End the workers (``at_once``: without letting them finish what they hold); a
        later phase starts new ones, which read again what these kept."""
        for conn in self.conns:
            if not at_once:
                with contextlib.suppress(OSError):
                    conn.send(None)
            conn.close()
        for proc in self.procs:
            if at_once:
                proc.kill()
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
        self.conns, self.procs, self.owner = [], [], {}

    def run(
        self,
        func: Task,
        items: Sequence[T],
        key: Callable[[T], str],
        extra: Any = None,
        advance: Callable[[int], None] | None = None,
        meanwhile: Callable[[], object] | None = None,
    ) -> Iterator[Any]:
        """``func(item, shared, extra, store)`` for each item, yielded in order. An item
        goes to the worker that first handled its key; new keys go to whoever is free.
        ``meanwhile()`` is this process's own work while theirs goes on: it runs in a thread
        once the workers have their first chunks, and no result is yielded before it is done
        (its error, if any, is raised here)."""
        if not self.conns and worker_count(len(items)) > 1:
            self._start(worker_count(len(items)))
        if not self.conns:
            if meanwhile is not None:
                meanwhile()
            for start in range(0, len(items), _CHUNK):
                chunk = list(items[start : start + _CHUNK])
                results = _in_one(func, chunk, self.shared, extra, self.local)
                if results is None:
                    results = [func(item, self.shared, extra, self.local) for item in chunk]
                yield from results
                if advance:
                    advance(len(chunk))
            return
        yield from _Dispatch(self, func, items, key, extra, advance).results(meanwhile)


class _Dispatch:
    """One phase over the workers: queues per owner, results put back in order."""

    def __init__(
        self,
        pool: ShardPool,
        func: Task,
        items: Sequence[Any],
        key: Callable[[Any], str],
        extra: Any,
        advance: Callable[[int], None] | None,
    ) -> None:
        self.pool = pool
        self.items = items
        self.key = key
        self.advance = advance
        self.queues: list[deque[list[int]]] = [deque() for _ in pool.conns]
        self.free: deque[list[int]] = deque()  # items no worker has seen yet
        own: list[list[int]] = [[] for _ in pool.conns]
        new: list[int] = []
        for index, item in enumerate(items):
            worker = pool.owner.get(key(item))
            (new if worker is None else own[worker]).append(index)
        for worker, indexes in enumerate(own):
            self.queues[worker].extend(_split(indexes))
        self.free.extend(_split(new))
        for conn in pool.conns:
            conn.send(("phase", func, extra))

    def _next_for(self, worker: int) -> list[int] | None:
        """Its own work first, then new work, then the tail of the longest other queue."""
        if self.queues[worker]:
            return self.queues[worker].popleft()
        if self.free:
            return self.free.popleft()
        longest = max(range(len(self.queues)), key=lambda w: len(self.queues[w]))
        return self.queues[longest].pop() if self.queues[longest] else None

    def _send(self, worker: int, sent: dict[int, list[int]], number: int) -> bool:
        chunk = self._next_for(worker)
        if chunk is None:
            return False
        for index in chunk:
            self.pool.owner.setdefault(self.key(self.items[index]), worker)
        sent[number] = chunk
        self.pool.conns[worker].send(("chunk", number, [self.items[i] for i in chunk]))
        return True

    def results(self, meanwhile: Callable[[], object] | None = None) -> Iterator[Any]:
        finished = False
        try:
            yield from self._results(meanwhile)
            finished = True
        finally:
            if not finished:  # a failure, or a caller that stopped reading: answers of
                self.pool.stop(at_once=True)  # this phase must never reach the next one

    def _results(self, meanwhile: Callable[[], object] | None) -> Iterator[Any]:
        conns = self.pool.conns
        sent: dict[int, list[int]] = {}
        done: dict[int, Any] = {}
        number = 0
        busy = 0
        # chunks in flight per worker, handed out in turns (a short phase is shared evenly):
        # with two, a worker still waited now and then for this process, which also runs
        # the caller's work on the results and a thread beside (measured: 4 vs 2 saved
        # ~0.1 s of a 5.5 s build)
        for _ in range(_IN_FLIGHT):
            for worker in range(len(conns)):
                if self._send(worker, sent, number):
                    number, busy = number + 1, busy + 1
        aside = _Aside(meanwhile) if meanwhile is not None else None
        try:
            yield from self._collect(conns, sent, done, number, busy, aside)
        finally:
            if aside is not None:
                aside.thread.join()  # never outlives the phase, even when it failed

    def _collect(
        self,
        conns: list[Connection],
        sent: dict[int, list[int]],
        done: dict[int, Any],
        number: int,
        busy: int,
        aside: _Aside | None,
    ) -> Iterator[Any]:
        """Answers received and new chunks sent until every item is done; results yielded
        in order once ``aside`` has finished (the workers are kept fed meanwhile: run here,
        it left them idle for the second it took at 100 000 articles)."""
        from multiprocessing.connection import wait

        following = 0
        while busy or following in done:
            for ready in wait(conns) if busy else ():
                worker = conns.index(ready)  # type: ignore[arg-type]
                status, got, payload = _receive(conns[worker])
                busy -= 1
                if status == "failed":
                    position, reason = payload
                    item = self.items[sent[got][position]]
                    raise FeedsError(
                        f"{self.key(item)}: failed in a worker process: {reason}",
                        hint="this is a bug in feeds; please report it with this file",
                    )
                for index, result in zip(sent.pop(got), payload, strict=True):
                    done[index] = result
                if self.advance:
                    self.advance(len(payload))
                if self._send(worker, sent, number):
                    number, busy = number + 1, busy + 1
            if aside is not None:
                if busy and aside.thread.is_alive():
                    continue  # results wait; the workers do not
                aside.finish()
                aside = None
            while following in done:  # the last answer in lets the last results out here
                yield done.pop(following)
                following += 1
        if aside is not None:  # a phase with nothing to send
            aside.finish()


class _Aside:
    """``work()`` in a thread, started at once."""

    def __init__(self, work: Callable[[], object]) -> None:
        self.error: BaseException | None = None

        def run() -> None:
            try:
                work()
            except BaseException as exc:  # handed to the thread that yields the results
                self.error = exc

        self.thread = threading.Thread(target=run, name="meanwhile", daemon=True)
        self.thread.start()

    def finish(self) -> None:
        """Wait for the work to end; raise its error, if any."""
        self.thread.join()
        if self.error is not None:
            raise self.error


def _receive(conn: Connection) -> tuple[str, int, Any]:
    try:
        message: tuple[str, int, Any] = conn.recv()
    except EOFError:
        raise FeedsError("a worker process died", hint="is the machine short of memory?") from None
    return message


def _split(indexes: list[int]) -> list[list[int]]:
    return [indexes[start : start + _CHUNK] for start in range(0, len(indexes), _CHUNK)]
