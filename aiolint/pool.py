"""Linting processes that no one file can take down with the others.

Each worker is given one file at a time, so the parent always knows which file a
worker holds. A worker that takes longer than the file's time limit (plus a grace
period: the worker stops itself at the limit where it can) is killed and its file
reported (AIO005); a worker that dies (the system killed it, as when memory runs
out, or LibCST's parser crashed) has its file retried alone, in a fresh process once
the other files are done, and reported (AIO006) if it dies again. Every other file's
result is kept, and each result is handed back as soon as it is in, so that the cache
keeps what a run interrupted midway has done. Workers end when their parent does,
even one killed with SIGKILL.
"""

from __future__ import annotations

import collections
import multiprocessing
import os
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection, wait
from typing import Any, Deque, Dict, Iterator, List, Optional, Tuple

from .cache import to_data
from .diagnostics import LINTER_DIED, FileResult, file_diagnostic
from .runner import Limits, Outcome, Task, collect_rarely, lint_task, timed_out

KILL_GRACE = 10.0  # seconds past the time limit before the parent kills a worker that did not stop itself
PARENT_CHECK = 1.0  # seconds between a worker's checks that its parent is alive (where the system cannot tell it)


class Worker:
    def __init__(self, context: Any, limits: Limits) -> None:
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=work, args=(theirs, os.getpid(), limits), daemon=True,
                                       name="aiolint-worker")
        self.process.start()
        theirs.close()
        self.task: Optional[Task] = None
        self.started = 0.0
        self.retry = False  # the task is being retried alone

    def give(self, task: Task, retry: bool = False) -> None:
        self.task, self.started, self.retry = task, time.monotonic(), retry
        self.connection.send(task)

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()


def died(path: str) -> Outcome:
    return None, to_data(FileResult(path, [file_diagnostic(
        path, LINTER_DIED, "The process checking this file died, twice (killed by the system, as when memory runs "
                           "out, or a crash in LibCST's parser); the file was not checked.")]))


def run_pool(tasks: List[Task], workers: int, limits: Limits) -> Iterator[Tuple[Task, Outcome]]:
    """Each task with its outcome, as they complete, from ``workers`` processes."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pending: Deque[Task] = collections.deque(tasks)
    retries: Deque[Task] = collections.deque()
    idle: List[Worker] = []
    busy: Dict[Connection, Worker] = {}
    grace = limits.seconds + KILL_GRACE if limits.seconds else None
    try:
        while pending or retries or busy:
            while pending and len(busy) < workers:
                task = pending.popleft()
                worker = idle.pop() if idle else Worker(context, limits)
                try:
                    worker.give(task)
                except OSError:  # an idle worker that died meanwhile: a fresh one takes the file
                    worker.stop()
                    worker = Worker(context, limits)
                    worker.give(task)
                busy[worker.connection] = worker
            if not pending and not busy and retries:  # a file whose worker died runs alone, in a fresh process
                for worker in idle:
                    worker.stop()
                idle.clear()
                worker = Worker(context, limits)
                worker.give(retries.popleft(), retry=True)
                busy[worker.connection] = worker
            timeout = None
            if grace is not None:
                oldest = min(worker.started for worker in busy.values())
                timeout = max(0.0, oldest + grace - time.monotonic())
            sentinels = {worker.process.sentinel: worker for worker in busy.values()}
            ready = wait([*busy, *sentinels], timeout)
            done = set()
            for ready_object in ready:
                worker = busy.get(ready_object) or sentinels.get(ready_object)  # type: ignore[arg-type]
                if worker is None or worker.connection in done:
                    continue
                done.add(worker.connection)
                del busy[worker.connection]
                task = worker.task
                assert task is not None
                try:
                    outcome = worker.connection.recv() if worker.connection.poll() else None
                except (EOFError, OSError):
                    outcome = None
                if outcome is not None:
                    idle.append(worker)
                    yield task, outcome
                    continue
                worker.stop()  # it died with the file
                if worker.retry:
                    yield task, died(task[0])
                else:
                    retries.append(task)
            if grace is not None:
                now = time.monotonic()
                for connection, worker in list(busy.items()):
                    if now - worker.started >= grace:  # it did not stop itself: stop it
                        del busy[connection]
                        worker.stop()
                        assert worker.task is not None
                        yield worker.task, (None, to_data(timed_out(worker.task[0], limits)))
    finally:
        for worker in [*idle, *busy.values()]:
            try:
                worker.connection.send(None)
            except OSError:
                pass
        for worker in [*idle, *busy.values()]:
            worker.process.join(timeout=1)
            worker.stop()


def work(connection: Connection, parent: int, limits: Limits) -> None:
    """A worker: lint the files it is given, one at a time, until told to stop or its parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the workers
    end_with_parent(parent)
    collect_rarely()
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        connection.send(lint_task(task, limits))


def end_with_parent(parent: int) -> None:
    """Exit when the parent process ends, however it ends (killed with SIGKILL, it cannot stop us itself)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            PR_SET_PDEATHSIG = 1
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass  # the watch below still ends the process
    if os.getppid() != parent:  # it ended before we could ask
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="aiolint-parent-watch", daemon=True).start()
