"""WorkerPool: replies in order, errors passed on, and an early stop that skips what has not started."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from neardup.errors import WorkerError
from neardup.local.workers import WorkerPool

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the pool forks")


def _square(x: int) -> int:
    return x * x


def _fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("task 3 failed")
    return x


def _slow_mark(task: tuple[str, int]) -> int:
    folder, k = task
    Path(folder, f"{k}.started").touch()
    time.sleep(0.2)
    Path(folder, f"{k}.done").touch()
    return k


def test_replies_come_in_task_order() -> None:
    with WorkerPool(2) as pool:
        assert list(pool.imap(_square, range(20))) == [x * x for x in range(20)]
        replies = pool.map_async(_square, [5, 6])
        assert replies() == [25, 36]


def test_a_failing_task_raises_its_error_in_the_parent() -> None:
    with pytest.raises(ValueError, match="task 3 failed"), WorkerPool(2) as pool:
        list(pool.imap(_fail_on_three, range(10)))


def test_leaving_early_skips_the_tasks_not_started_and_returns_promptly(tmp_path: Path) -> None:
    tasks = [(str(tmp_path), k) for k in range(40)]  # 40 x 0.2 s on 2 workers: 4 s to run them all
    started = time.perf_counter()
    with WorkerPool(2) as pool:
        replies = pool.imap(_slow_mark, tasks)
        assert next(replies) == 0
        replies.close()  # the consumer stops: the rest are unread
    seconds = time.perf_counter() - started
    started_tasks = sorted(p.stem for p in tmp_path.glob("*.started"))
    assert len(started_tasks) < 10, f"{len(started_tasks)} of 40 tasks ran after the consumer stopped"
    # what was under way finished (Pool.terminate() alone kills workers mid-task, and mid-reply)
    assert started_tasks == sorted(p.stem for p in tmp_path.glob("*.done"))
    assert seconds < 3.0


def test_an_interrupted_consumer_stops_the_pool(tmp_path: Path) -> None:
    tasks = [(str(tmp_path), k) for k in range(40)]
    with pytest.raises(KeyboardInterrupt), WorkerPool(2) as pool:
        for k in pool.imap(_slow_mark, tasks):
            if k == 1:
                raise KeyboardInterrupt
    assert len(list(tmp_path.glob("*.started"))) < 10


def test_ctrl_c_while_the_pool_starts_is_raised_once_it_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    real = multiprocessing.get_context("fork")
    built: list[Any] = []

    class InterruptedWhileForking:
        def Event(self) -> Any:
            return real.Event()

        def Pool(self, *args: Any, **kwargs: Any) -> Any:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)  # Python runs the handler here: an interrupt inside Pool() leaves it half built
            built.append(real.Pool(*args, **kwargs))
            return built[-1]

    monkeypatch.setattr(multiprocessing, "get_context", lambda method=None: InterruptedWhileForking())
    handler = signal.getsignal(signal.SIGINT)  # Python's, or one another library installed (pyspark does)
    with pytest.raises(KeyboardInterrupt):
        WorkerPool(2)
    assert built, "the interrupt broke into the pool's construction"
    assert all(not worker.is_alive() for worker in built[0]._pool), "the pool's workers outlived the interrupt"
    assert signal.getsignal(signal.SIGINT) is handler


def _die_on_two(x: int) -> int:
    if x == 2:
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer does
    time.sleep(0.05)
    return x


def test_a_worker_killed_mid_task_raises_worker_error_instead_of_hanging() -> None:
    started = time.perf_counter()
    with pytest.raises(WorkerError, match="killed by signal 9"), WorkerPool(2) as pool:
        list(pool.imap(_die_on_two, range(20)))
    assert time.perf_counter() - started < 5.0  # Pool alone waits for the lost reply forever
