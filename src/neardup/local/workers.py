"""Forked worker processes that can be stopped at any moment without hanging.

``multiprocessing.Pool.terminate()`` kills its workers wherever they are. A worker killed while it
writes a reply keeps the result queue's lock, and the pool's own shutdown then waits for that lock
forever (CPython gh-96995, gh-73945): ``neardup scan`` hung on about one Ctrl-C in thirty on a
100 MB folder. A :class:`WorkerPool` that is left with replies still unread (an error, Ctrl-C, a
consumer that stops early) first tells its workers to skip the tasks they have not started, waits a
few seconds at most for the replies under way, and only then terminates its workers, idle, as it
does a pool that has finished its work.

Ctrl-C is also held while a pool forks its workers and raised once it stands: an interrupt inside
``Pool()`` left a half-built pool whose housekeeping thread, at exit, forked a new worker for each
one Python's exit handler had just killed, and that orphan kept the scan's output pipes open
forever (1 in 5 interrupts timed right after the first worker appeared); in a fork's own callbacks
the interrupt was even swallowed, and the scan ran on.

A worker that dies in the middle of a task (the kernel kills the largest process when memory runs
out) never replies, and ``Pool`` waits for that reply forever; it quietly starts another worker in
its place. A :class:`WorkerPool` waiting for a reply checks every moment whether one of its workers
has died, and raises :class:`~neardup.errors.WorkerError` instead of hanging.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.pool import AsyncResult
from types import TracebackType
from typing import Any, TypeVar

from neardup.errors import WorkerError

__all__ = ["STOP_GRACE_SECONDS", "WorkerPool", "forked_map", "work_ranges"]

T = TypeVar("T")
R = TypeVar("R")

# How often a reader waiting for a reply looks for dead workers.
_WATCH_SECONDS = 0.25

# How long a pool being stopped waits for the tasks its workers are in the middle of; past it, it
# terminates them anyway (a task stuck for longer is worth the small risk of a hang).
STOP_GRACE_SECONDS = 10.0

_stopping: Any = None  # in a worker: its pool's stop event


def _start_worker(stopping: Any) -> None:
    global _stopping
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is handled once, in the parent, which stops the pool
    _stopping = stopping


def _run(call: tuple[Callable[[Any], Any], Any]) -> Any:
    function, task = call
    if _stopping is not None and _stopping.is_set():
        return None  # the pool is being stopped: nobody reads this reply
    return function(task)


@contextmanager
def _sigint_held() -> Iterator[list[bool]]:
    """Ctrl-C only noted (``[True]``) while the block runs; as it was before, after it."""
    noted = [False]
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or not callable(previous):
        yield noted  # handlers can only be set from the main thread; nothing to hold otherwise
        return

    def note(signum: int, frame: Any) -> None:
        noted[0] = True

    signal.signal(signal.SIGINT, note)
    try:
        yield noted
    finally:
        signal.signal(signal.SIGINT, previous)


class WorkerPool:
    """``workers`` processes (forked where the platform can) running module-level functions.

    Use it as a context manager: leaving the block stops the workers, gracefully when replies
    are still unread (see the module's docstring).
    """

    def __init__(self, workers: int, context: str = "fork") -> None:
        ctx = multiprocessing.get_context(context)
        self._stop = ctx.Event()
        with _sigint_held() as interrupted:
            self._pool = ctx.Pool(workers, initializer=_start_worker, initargs=(self._stop,))
        self._unread: dict[int, AsyncResult[Any]] = {}
        # Pool keeps its worker processes in a private list and replaces a dead one unasked: the
        # processes are remembered here, the first ones and every replacement seen since.
        self._workers: dict[int, Any] = {}
        self._dead_workers()  # remembers the first ones
        if interrupted[0]:
            self.close()
            raise KeyboardInterrupt

    def imap(self, function: Callable[[T], R], tasks: Iterable[T]) -> Generator[R, None, None]:
        """``function(task)`` for every task, in order; all are queued at once, replies read lazily."""
        pending = deque(self._submit(function, tasks))
        while pending:
            yield self._read(pending.popleft())

    def map_async(self, function: Callable[[T], R], tasks: Iterable[T]) -> Callable[[], list[R]]:
        """Queue ``function(task)`` for every task now; the returned call waits for the replies."""
        results = self._submit(function, tasks)
        return lambda: [self._read(result) for result in results]

    def _submit(self, function: Callable[[T], R], tasks: Iterable[T]) -> list[AsyncResult[Any]]:
        results = [self._pool.apply_async(_run, ((function, task),)) for task in tasks]
        self._unread.update((id(result), result) for result in results)
        return results

    def _read(self, result: AsyncResult[Any]) -> Any:
        while not result.ready():
            result.wait(_WATCH_SECONDS)
            if not result.ready():
                self._watch_workers()
        value = result.get()  # raises what the task raised
        del self._unread[id(result)]
        return value

    def _dead_workers(self) -> int:
        for process in getattr(self._pool, "_pool", ()):
            self._workers.setdefault(process.pid, process)
        return sum(process.exitcode is not None for process in self._workers.values())

    def _watch_workers(self) -> None:
        """Raise WorkerError when a worker of this pool has died."""
        if not self._dead_workers():
            return
        for process in self._workers.values():
            code = process.exitcode
            if code is not None:
                how = f"was killed by signal {-code}" if code < 0 else f"exited with status {code}"
                hint = " (as the kernel does when memory runs out)" if code == -9 else ""
                raise WorkerError(
                    f"worker process {process.pid} {how}{hint} in the middle of its work; the run is "
                    "stopped. Run again with fewer --jobs or more memory, or report it if it recurs."
                )

    def close(self) -> None:
        """Stop the workers (see the module's docstring); idempotent."""
        try:
            if self._unread:
                self._stop.set()
                deadline = time.monotonic() + STOP_GRACE_SECONDS
                # A dead worker's task never replies: stop waiting once only those are left.
                while time.monotonic() < deadline:
                    waiting = [r for r in self._unread.values() if not r.ready()]
                    if len(waiting) <= self._dead_workers():
                        break
                    waiting[0].wait(min(_WATCH_SECONDS, max(0.0, deadline - time.monotonic())))
                self._unread.clear()
        finally:
            self._pool.terminate()
            self._pool.join()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


S = TypeVar("S")

# What the workers of a forked map run and read (the function and its shared inputs: a scan's
# texts, documents, passages...). Set just before the pool forks, so workers inherit them (from
# the spill files, or copy-on-write) instead of receiving them pickled with every task.
_FORKED: tuple[Callable[[Any, Any], Any], Any] | None = None


def _run_forked(task: Any) -> Any:
    assert _FORKED is not None, "only run inside forked_map"
    function, shared = _FORKED
    return function(shared, task)


def forked_map(function: Callable[[S, T], R], shared: S, tasks: Sequence[T], workers: int) -> list[R]:
    """``[function(shared, t) for t in tasks]``, on ``workers`` forked processes (one: in this
    one). ``shared`` reaches the workers by fork, never pickled; each task is pickled."""
    global _FORKED
    _FORKED = function, shared
    try:
        if workers > 1 and len(tasks) > 1 and os.name == "posix":
            with WorkerPool(workers) as pool:
                return list(pool.imap(_run_forked, tasks))
        return [function(shared, t) for t in tasks]
    finally:
        _FORKED = None


def work_ranges(count: int, workers: int) -> list[tuple[int, int]]:
    """``range(count)`` in about 8 slices per worker, so that the last ones finish together."""
    step = max(1, count // (workers * 8))
    return [(i, min(i + step, count)) for i in range(0, count, step)]
