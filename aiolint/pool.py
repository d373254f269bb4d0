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

A worker starts with the project as the parent knows it (the files cached, and the
attribute names the files to come may assign), and each file it is given comes with
the summaries of the files linted since its last one, by any worker: as in one
process, a file's questions about the files linted before it are answered at once,
and the join lints again only the files whose answers were still in flight.
"""

from __future__ import annotations

import collections
import functools
import multiprocessing
import os
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection, wait
from typing import Any, Deque, Dict, Iterator, List, Mapping, Optional, Tuple

from .cache import to_data
from .diagnostics import LINTER_DIED, FileResult, file_diagnostic
from .runner import Limits, Outcome, Task, collect_rarely, lint_task, summary_on_disk, timed_out
from .semantics.project import Project

Summaries = List[Tuple[str, Mapping[str, Any]]]  # (path, summary) of each file linted, in the order they came in
KILL_GRACE = 10.0  # seconds past the time limit before the parent kills a worker that did not stop itself
PARENT_CHECK = 1.0  # seconds between a worker's checks that its parent is alive (where the system cannot tell it)


class Worker:
    def __init__(self, context: Any, limits: Limits, project: Project) -> None:
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=work, args=(theirs, os.getpid(), limits, project), daemon=True,
                                       name="aiolint-worker")
        self.process.start()
        theirs.close()
        self.task: Optional[Task] = None
        self.started = 0.0
        self.retry = False  # the task is being retried alone
        self.told = 0  # how many of the run's summaries it has been sent

    def give(self, task: Task, summaries: Summaries, retry: bool = False) -> None:
        self.task, self.started, self.retry = task, time.monotonic(), retry
        self.connection.send((task, summaries[self.told:]))
        self.told = len(summaries)

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()


def died(path: str) -> Outcome:
    return None, to_data(FileResult(path, [file_diagnostic(
        path, LINTER_DIED, "The process checking this file died, twice (killed by the system, as when memory runs "
                           "out, or a crash in LibCST's parser); the file was not checked.")]))


def run_pool(tasks: List[Task], workers: int, limits: Limits, project: Project) -> Iterator[Tuple[Task, Outcome]]:
    """Each task with its outcome, as they complete, from ``workers`` processes given the tasks in their order,
    which start from ``project``."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pending: Deque[Task] = collections.deque(tasks)
    summaries: Summaries = []
    retries: Deque[Task] = collections.deque()
    idle: List[Worker] = []
    busy: Dict[Connection, Worker] = {}
    grace = limits.seconds + KILL_GRACE if limits.seconds else None
    try:
        while pending or retries or busy:
            while pending and len(busy) < workers:
                task = pending.popleft()
                worker = idle.pop() if idle else Worker(context, limits, project)
                try:
                    worker.give(task, summaries)
                except OSError:  # an idle worker that died meanwhile: a fresh one takes the file
                    worker.stop()
                    worker = Worker(context, limits, project)
                    worker.give(task, summaries)
                busy[worker.connection] = worker
            if not pending and not busy and retries:  # a file whose worker died runs alone, in a fresh process
                for worker in idle:
                    worker.stop()
                idle.clear()
                worker = Worker(context, limits, project)
                worker.give(retries.popleft(), summaries, retry=True)
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
                    if outcome[1]["summary"]:
                        summaries.append((task[0], outcome[1]["summary"]))
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


def work(connection: Connection, parent: int, limits: Limits, project: Project) -> None:
    """A worker: lint the files it is given, one at a time, until told to stop or its parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the workers
    end_with_parent(parent)
    collect_rarely()
    while True:
        try:
            given = connection.recv()
        except (EOFError, OSError):
            return
        if given is None:
            return
        task, summaries = given
        for path, summary in summaries:
            project.add(path, summary)
        # A file the pre-filter skipped is read when a question is about it (the parent's join reads it as well,
        # for its own answers, and caches what it says).
        project.reader = functools.partial(read_on_demand, project, options=task[2])
        connection.send(lint_task(task, limits, project))


def read_on_demand(project: Project, path: str, options: Mapping[str, Any]) -> None:
    """A worker's ``Project.reader``: add what the file at ``path`` says (nothing, if it cannot be read)."""
    read = summary_on_disk(path, options)
    if read is not None:
        project.add(path, read[1])


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
