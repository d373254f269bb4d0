"""Many files: discover them, take what the cache knows, lint the rest, report in a stable order.

The rest is linted in this process or, when there are enough files, in a process
pool: workers import the engine once, take files in chunks (largest first, so
that no big file is left running alone at the end) and send results back as
plain data. Output is sorted, so it does not depend on the number of processes.
This module does not import LibCST: a run whose every file is cached never does.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import signal
import threading
from collections import Counter
from dataclasses import dataclass, field
from sys import intern
from typing import (Any, Callable, Collection, Dict, FrozenSet, Iterable, Iterator, List, Mapping, Optional, Sequence,
                    Tuple)

from .cache import ResultCache, Stamp, content_digest, from_data, run_key, settings_digest, stamp, to_data
from .config import ConfigError, Settings
from .diagnostics import (FILE_TIMEOUT, FILE_TOO_LARGE, READ_ERROR, UNCACHED_CODES, Diagnostic, FileResult,
                          RuleFailure, file_diagnostic)
from .discovery import Filters, discover, is_below, python_files_under
from .memory import LARGE_TEXT, give_back_freed_memory
from .semantics.project import (Project, absolute_path, import_order, imported_modules, marks_a_project,
                                project_root)
from .source import DecodeError, FileTooLarge, decode, read_source

# A worker should get at least this many files: below that, starting a process
# (which imports LibCST, 0.2 s) costs more than it saves.
FILES_PER_WORKER = 8
# Rounds of linting again the files whose questions about the project got new answers: an answer can
# raise a new question (a factory's result, then an attribute of it), so more than one, but few.
JOIN_ROUNDS = 3

# (path, enabled codes, rule options[, the answers to its questions about the project]): what a worker
# needs to lint a file.
Task = Tuple[Any, ...]
# The digest of the bytes linted (None when the file could not be read) and the result as plain data.
Outcome = Tuple[Optional[str], Dict[str, Any]]


class InternalError(Exception):
    """The run cannot go on, through no fault of the configuration: exit code 2, in one line."""


@dataclass(frozen=True)
class Limits:
    """What one file may cost: larger files are not read (AIO004), slower ones are stopped (AIO005)."""

    max_bytes: Optional[int] = None
    seconds: Optional[float] = None

    @classmethod
    def of(cls, settings: Settings) -> "Limits":
        return cls(int(settings.max_file_size * 1_000_000), settings.file_timeout)


class FileTimeout(BaseException):
    """The file's time is up. A BaseException, so that the engine's guard around each rule
    (which catches Exception) lets it through."""


@contextlib.contextmanager
def time_limit(seconds: Optional[float]) -> Iterator[List[bool]]:
    """Raise FileTimeout in the code run inside, once ``seconds`` have passed (where a timer can
    interrupt it: on the main thread, with SIGALRM). Yields a flag that says the time ran out,
    in case the code caught it as something else."""
    expired = [False]
    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield expired
        return

    def expire(signum: int, frame: Any) -> None:
        expired[0] = True
        raise FileTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield expired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def too_large(path: str, size: int, limits: Limits) -> FileResult:
    limit = (limits.max_bytes or 0) / 1_000_000
    return FileResult(path, [file_diagnostic(
        path, FILE_TOO_LARGE, f"The file is {size / 1_000_000:.1f} MB, over the limit of {limit:g} MB; it was not "
                              f"checked (raise the limit with --max-file-size or max-file-size in the configuration).")])


def timed_out(path: str, limits: Limits) -> FileResult:
    return FileResult(path, [file_diagnostic(
        path, FILE_TIMEOUT, f"Checking the file took longer than {limits.seconds:g} s; it was not checked (raise the "
                            f"limit with --file-timeout or file-timeout in the configuration).")])


def cacheable(data: Mapping[str, Any]) -> bool:
    """A result that a later run would find again: not one that hit a limit or a dying process."""
    return not any(diagnostic["code"] in UNCACHED_CODES for diagnostic in data["diagnostics"])


@dataclass
class Report:
    files: int = 0
    diagnostics: List[Diagnostic] = field(default_factory=list)
    suppressed: Counter = field(default_factory=Counter)  # what # noqa silenced: code -> count
    failures: List[RuleFailure] = field(default_factory=list)
    cached: int = 0  # files whose results came from the cache
    restored: int = 0  # of those, files unchanged since the same run, taken from its snapshot unread
    parsed: int = 0  # files parsed and linted (the pre-filter skipped the others)
    processes: int = 1  # processes that linted
    project: Optional[Project] = None  # the files' summaries, joined: what --fix lints the files it fixes with
    relinted: int = 0  # files linted again by the join, with what other files said
    paths: List[str] = field(default_factory=list)  # the files linted (or taken from the cache)

    def add(self, result: FileResult, cached: bool = False) -> None:
        self.files += 1
        self.paths.append(result.path)
        self.diagnostics.extend(result.diagnostics)
        self.suppressed.update(result.suppressed)
        self.failures.extend(result.failures)
        self.cached += cached
        self.parsed += result.parsed and not cached


def default_jobs() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def collect_rarely() -> None:
    """Run the cyclic garbage collector every 10,000 allocations instead of every 700.

    A linting process allocates millions of tree nodes and frees them by reference
    counting (trees hold no cycles, and the engine breaks its own), so the collector's
    default pace scans young nodes again and again for nothing: about 2 % of a run.
    For the processes aiolint owns: the command line's and the pool's (see also ``kept_for_the_run``).
    """
    global _own_process
    gc.set_threshold(10_000, 20, 20)
    _own_process = True


_own_process = False  # whether collect_rarely() was called: the process is aiolint's own


@contextlib.contextmanager
def kept_for_the_run() -> Iterator[None]:
    """Around loading plain data that the run keeps to its end, in a process of aiolint's own: the collector
    paused, then what was loaded moved out of its sight (``gc.freeze``), where collections do not scan it again
    and again (a project's snapshot is hundreds of thousands of objects: 20 ms of a 0.4 s run). Plain data holds
    no cycles, and reference counting still frees it. Elsewhere (an editor's server), nothing is changed."""
    if not _own_process or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def read_error(path: str, error: OSError, what: str = "file") -> FileResult:
    reason = error.strerror or str(error)
    return FileResult(path, [file_diagnostic(path, READ_ERROR, f"Cannot read the {what}: {reason}.")])


def lint_task(task: Task, limits: Limits = Limits(), project: Optional[Project] = None) -> Outcome:
    """Read and lint one file, in a worker or in this process, within the limits. Its questions about the other
    files of its project are answered from the task's answers, else from ``project``, else unknown."""
    path, codes, options = task[:3]
    answers = task[3] if len(task) > 3 else None
    try:
        data = read_source(path, limits.max_bytes)
    except FileTooLarge as exc:
        return None, to_data(too_large(path, exc.size, limits))
    except OSError as exc:
        return None, to_data(read_error(path, exc))
    from .engine import lint_source  # imported once per process, and only when a file needs linting
    from .rules import REGISTRY

    answer = answers.get if answers is not None else (
        functools.partial(project.answer, path) if project is not None else None)
    try:
        with time_limit(limits.seconds) as expired:
            result = lint_source(data, path, [REGISTRY[code] for code in codes], options, project=answer)
    except FileTimeout:
        expired = [True]
    if expired[0]:
        return None, to_data(timed_out(path, limits))
    return content_digest(data), to_data(result)


def pool_size(jobs: int, files: int) -> int:
    """How many processes lint ``files`` files: 1 (this one, no pool) unless two or more get enough each."""
    workers = min(jobs, files // FILES_PER_WORKER)
    return workers if workers >= 2 else 1


def run_tasks(tasks: List[Task], workers: int, limits: Limits = Limits(),
              project: Optional[Project] = None) -> Iterable[Tuple[Task, Outcome]]:
    """Each task with its outcome as it completes, in their order, from a pool of ``workers`` processes if more
    than one. Questions about the project are answered from ``project``: in this process as it stands, in a
    worker as it stood when the pool started and with each file linted since (see ``pool``)."""
    if workers == 1:
        return ((task, lint_task(task, limits, project)) for task in tasks)
    from .pool import run_pool

    return run_pool(tasks, workers, limits, project if project is not None else Project())


def file_size(task: Task) -> int:
    try:
        return os.path.getsize(task[0])
    except OSError:
        return 0


def task_for(path: str, absolute: str, settings: Settings) -> Task:
    """What linting the file at ``path`` (``absolute``) takes: the codes and options of the settings that apply
    to it."""
    own = settings.for_directory(os.path.dirname(absolute))
    return path, enabled_codes(own.codes_for(path)), own.options


@functools.lru_cache(maxsize=64)
def enabled_codes(codes: FrozenSet[str]) -> Tuple[str, ...]:
    """The codes as tasks hold them: one tuple for all the files that enable the same (held by every task)."""
    return tuple(sorted(codes))


class SettingsCache:
    """The result cache as the settings key it: an entry per file content and the settings that apply to it.
    It notes what each file held when the run first read it, and its stamp then, for the run's snapshot."""

    def __init__(self, settings: Settings) -> None:
        self.store = ResultCache(settings.cache_dir)
        self._digests: Dict[Tuple[FrozenSet[str], int], str] = {}  # the settings digest of each (codes, options)
        self.stamps: Dict[str, Tuple[Optional[Stamp], str]] = {}  # path -> (its stamp, the digest of its content)
        self.restored: Dict[str, FileResult] = {}  # path -> the result taken from the previous run's snapshot
        self._runs_over: Dict[str, Optional[Snapshot]] = {}  # see run_over

    def settings_key(self, codes: Iterable[str], options: Mapping[str, Any]) -> str:
        known = (frozenset(codes), id(options))  # options are those of one Settings, which lives for the run
        if known not in self._digests:
            self._digests[known] = settings_digest(known[0], options)
        return self._digests[known]

    def key(self, digest: str, codes: Iterable[str], options: Mapping[str, Any]) -> str:
        return ResultCache.key(digest, self.settings_key(codes, options))

    def read(self, path: str, max_bytes: Optional[int]) -> str:
        """The digest of the file's content, its stamp taken before it is read."""
        stamped = stamp(path)
        digest = content_digest(read_source(path, max_bytes))
        self.stamps[path] = (stamped, digest)
        return digest

    def read_again(self, path: str, digest: Optional[str]) -> None:
        """The file was read again (linted, summarized): if it changed since it was first read, its stamp no
        longer says what its result was made from."""
        known = self.stamps.get(path)
        if known is not None and known[1] != digest:
            self.stamps[path] = (None, digest or "")

    def snapshot(self, paths: Sequence[str]) -> Optional["Snapshot"]:
        """The snapshot of the last run over these paths from here (None: none, or unreadable)."""
        with kept_for_the_run():
            found = self.store.get_run(run_key(paths))
        parts = [found[0].get(part) for part in ("files", "results", "project")] if found else []
        return Snapshot(*parts, mark=found[1]) if found and all(isinstance(part, dict) for part in parts) else None

    def previous_run(self, paths: Sequence[str], found: Found) -> Optional["Snapshot"]:
        """The snapshot of the last run over the same paths from here, to start this one from, its files gone
        since forgotten by its project: if every file it knew that is still found is in the same project."""
        previous = self.snapshot(paths)
        if previous is None:
            return None
        still = set(found.values())
        if any(path in still and project_root(os.path.dirname(path)) != known[3]
               for path, known in previous.files.items()):
            return None  # a file moved to another project: the model cannot move it
        previous.whole = True
        previous.gone = [(path, known[3]) for path, known in previous.files.items() if path not in still]
        return previous

    def run_over(self, root: str) -> Optional["Snapshot"]:
        """The snapshot of the last run here over the directory ``root`` (named as it is, or relative to here),
        or over ``.`` when ``root`` is in it: what a run over a few of its files reads the rest from."""
        if root not in self._runs_over:
            here = os.getcwd()
            names = [root, os.path.relpath(root)] + (["."] if here == root or is_below(root, here) else [])
            self._runs_over[root] = next(filter(None, (self.snapshot([name]) for name in names)), None)
        return self._runs_over[root]

    def save_run(self, paths: Sequence[str], found: Found, results: "Results", project: Project,
                 previous: Optional["Snapshot"]) -> None:
        """The snapshot of this run (which ``found`` the files of): each file's stamp (none for a result the next
        run should make again), result and settings, and the project."""
        files, data = {}, {}
        for path, (task, result, _) in results.items():
            absolute = found.get(path) or absolute_path(path)
            data[absolute] = previous.results[absolute] if previous and self.restored.get(path) is result else \
                to_data(result)
            stamped, digest = self.stamps.get(path, (None, ""))
            if not cacheable(data[absolute]) or data[absolute]["failures"]:
                stamped = None
            files[absolute] = (stamped, digest, self.settings_key(task[1], task[2]),
                               project_root(os.path.dirname(absolute)))
        self.store.put_run(run_key(paths), {"files": files, "results": data, "project": project.state()})

    def get(self, digest: str, codes: Iterable[str], options: Mapping[str, Any], path: str) -> Optional[FileResult]:
        return self.store.get(self.key(digest, codes, options), path)

    def put(self, digest: str, codes: Iterable[str], options: Mapping[str, Any], data: Mapping[str, Any]) -> None:
        self.store.put(self.key(digest, codes, options), data)


# path -> (its task, its result, whether the result came from the cache)
Results = Dict[str, Tuple[Task, FileResult, bool]]
# The files a run found: the path it found each by -> its absolute path (made once: the run asks for it often).
Found = Dict[str, str]


def found_files(paths: Sequence[str], settings: Settings,
                unreadable: Optional[List[Tuple[str, OSError]]] = None) -> Found:
    """The files ``discover`` finds, each with its absolute path."""
    return {path: absolute_path(path) for path in discover(paths, settings, unreadable)}


@dataclass
class Snapshot:
    """A run as it ended (``SettingsCache.save_run``), by absolute path: each file's stamp, the digest of its
    content, its settings digest and its project's root; its result (as plain data); the project's ``state()``."""

    files: Dict[str, Tuple[Optional[Stamp], str, str, str]]
    results: Dict[str, Dict[str, Any]]
    project: Dict[str, Any]
    mark: bool = False  # the entries of the results taken from it are to be marked read (``ResultCache.get_run``)
    whole: bool = False  # the run's project is this one's, restored: its files are in it already
    gone: List[Tuple[str, str]] = field(default_factory=list)  # its files no longer found, and their roots

    def result(self, path: str, absolute: str, settings: str) -> Optional[Tuple[FileResult, Tuple[Stamp, str]]]:
        """The result of the file at ``path`` (``absolute``), and its stamp and digest, if its stamp and settings
        are still those of the snapshot."""
        known = self.files[absolute]
        if known[0] is None or known[2] != settings:
            return None
        try:
            if stamp(path) != tuple(known[0]):
                return None
        except OSError:
            return None
        return from_data(path, self.results[absolute]), (known[0], known[1])


def take_cached(found: Found, settings: Settings, store: Optional[SettingsCache], limits: Limits,
                results: Results, project: Project, problem: Callable[[FileResult], None],
                previous: Optional[Snapshot] = None) -> List[Task]:
    """The tasks of the files the cache has no result for. The results it has go into ``results`` and their
    summaries into ``project``; a file that cannot be read (or is too large) goes to ``problem``. A file that
    has not changed since the ``previous`` run is taken from its snapshot unread (and added to ``project`` as
    that run's project knew it, unless ``project`` is that project, restored)."""
    todo = []
    for path, absolute in found.items():
        task = task_for(path, absolute, settings)
        if store is not None:
            if previous is not None and absolute in previous.files:
                unchanged = previous.result(path, absolute, store.settings_key(task[1], task[2]))
                if unchanged is not None and (previous.whole or project.transplant(previous.project, absolute)):
                    results[path] = (task, unchanged[0], True)
                    store.stamps[path] = unchanged[1]
                    store.restored[path] = unchanged[0]
                    if previous.mark:  # so that the entry outlives a month of runs that take it from snapshots
                        store.store.mark_read(store.key(unchanged[1][1], task[1], task[2]))
                    continue
                if previous.whole:
                    project.add(absolute, {})  # what it said then is not what it says now: nothing, until it is read
            try:
                digest = store.read(path, limits.max_bytes)
            except FileTooLarge as exc:
                problem(too_large(path, exc.size, limits))
                continue
            except OSError as exc:
                problem(read_error(path, exc))
                continue
            hit = store.get(digest, task[1], task[2], path)
            if hit is not None:
                results[path] = (task, hit, True)
                add_to_project(project, path, hit)
                continue
        todo.append(task)
    return todo


def lint_into(results: Results, todo: List[Task], workers: int, limits: Limits, store: Optional[SettingsCache],
              project: Project, first: bool) -> None:
    """Lint the tasks into ``results`` (caching what a later run would find again). With ``first``, they are
    linted for the first time in the run: their summaries go into ``project``."""
    if first:  # in a pool too: a worker answers what the files linted before its file say
        todo = foreseen(todo, project, limits)
        if workers == 1:
            project.reader = functools.partial(read_summary, results, project, store)
    elif workers > 1:  # linted again with their answers, in any order: the largest first, not to end on one
        todo = sorted(todo, key=file_size, reverse=True)
    try:
        for task, (digest, data) in run_tasks(todo, workers, limits, project):
            if store is not None:
                store.read_again(task[0], digest)
                if digest is not None and cacheable(data):
                    store.put(digest, task[1], task[2], data)
            result = from_data(task[0], data)
            if first:
                add_to_project(project, task[0], result)
            else:  # linted again with answers: its summary is the one added the first time
                result.summary = {}
            results[task[0]] = (task, result, False)
    finally:
        project.reader = None  # the join reads what it wants after each round, so that every answer is redone


def foreseen(tasks: List[Task], project: Project, limits: Limits) -> List[Task]:
    """The tasks of the files still to add to ``project``, every other file of the run added, in the order to
    lint them (in this process, or handed to a pool's workers): each file after the files of its project that
    it imports (shallow modules first otherwise), so that what it asks of them is known when it is linted, not
    in the join. Each file's text is announced to the project, which can then tell an attribute name that no
    file to come assigns."""
    by_path = {task[0]: task for task in sorted(tasks, key=lambda task: task[0].count(os.sep))}
    imports = {}
    read = 0
    for path in by_path:
        try:
            text = decode(read_source(path, limits.max_bytes))
        except (OSError, FileTooLarge, DecodeError):  # linting it says why; it says nothing meanwhile
            text = ""
        project.announce(path, text)
        imports[path] = tuple(map(intern, imported_modules(text)))
        read += len(text)
    project.foreseen = True
    order = import_order(imports)
    del imports
    if read >= LARGE_TEXT:  # the texts, read and freed
        give_back_freed_memory()
    return [by_path[path] for path in order]


def add_to_project(project: Project, path: str, result: FileResult) -> None:
    """The file's summary goes into the project, which keeps its own index of it; the result lets it go (kept
    by both, the summaries of a large project would be held twice)."""
    project.add(path, result.summary)
    result.summary = {}


def summarize_wanted(results: Results, project: Project, store: Optional[SettingsCache]) -> bool:
    """Summarize the files skipped by the pre-filter that questions were about, caching their summaries
    with their results; whether there were any."""
    wanted = project.take_wanted()
    if not wanted:
        return False
    by_path = {os.path.abspath(path): entry for path, entry in results.items()}
    for path in sorted(wanted):
        if path in by_path:
            summarize_into(project, by_path[path], store)
    return True


def read_summary(results: Results, project: Project, store: Optional[SettingsCache], path: str) -> None:
    """``Project.reader`` for a run in this process: summarize the file at ``path`` (absolute), linted already
    (``results`` has it under the path the run found it by: absolute, or relative to here, as a rule)."""
    entry = results.get(path) or results.get(os.path.relpath(path))
    if entry is None:
        entry = next((each for given, each in results.items() if os.path.abspath(given) == path), None)
    if entry is not None:
        summarize_into(project, entry, store)


def summarize_into(project: Project, entry: Tuple[Task, FileResult, bool], store: Optional[SettingsCache]) -> None:
    """Summarize a file the pre-filter skipped into the project, caching the summary with its result (a file
    that cannot be read says nothing)."""
    task, result, _ = entry
    read = summary_on_disk(task[0], task[2])
    if read is None:
        return
    data, result.summary = read
    if store is not None:
        digest = content_digest(data)
        store.read_again(task[0], digest)
        store.put(digest, task[1], task[2], to_data(result))
    add_to_project(project, task[0], result)


def summary_on_disk(path: str, options: Mapping[str, Any]) -> Optional[Tuple[bytes, Dict[str, Any]]]:
    """The content of the file at ``path`` and its summary, parsed whatever the pre-filter says (None: it cannot
    be read)."""
    from .engine import summarize

    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return data, summarize(data, path, options)


def new_answers(path: str, result: FileResult, project: Project) -> Optional[Dict[str, str]]:
    """The project's answers to the file's questions, if they differ from those its result was made with."""
    answers = {}
    for question in result.questions:
        answer = project.answer(path, question)
        if answer is not None:
            answers[question] = answer
    return answers if answers != result.answers else None


def unsettled(results: Results, project: Project, store: Optional[SettingsCache],
              asking: Optional[Results] = None) -> List[Task]:
    """The join: the files of ``asking`` (default: all the ``results``) whose questions about the project now
    have other answers than those their result was made with, as tasks carrying the new answers. The files
    skipped by the pre-filter that questions are about are summarized first (and their summaries cached)."""
    todo: List[Task] = []
    for _ in range(JOIN_ROUNDS):
        todo = []
        for path, (task, result, _) in (results if asking is None else asking).items():
            answers = new_answers(path, result, project)
            if answers is not None:
                todo.append((*task[:3], answers))
        if not summarize_wanted(results, project, store):
            break
    return todo


def cached_project(root: str, settings: Settings, store: Optional[SettingsCache], limits: Limits, project: Project,
                   known: Results, skip: Collection[str] = ()) -> List[Task]:
    """Add to ``project`` and ``known`` what the cache holds of the files ``aiolint ROOT`` finds (but those
    in ``skip``), as their summaries and results (from the snapshot of a run over ``root`` where it has them
    unchanged); the tasks of the files it has nothing current for."""
    found = {path: absolute for path, absolute in found_files([root], settings).items() if absolute not in skip}
    previous = store.run_over(os.path.abspath(root)) if store is not None else None
    return take_cached(found, settings, store, limits, known, project, lambda _: None, previous)


def project_files(root: str, settings: Settings, store: Optional[SettingsCache]) -> Tuple[Project, Results]:
    """The project whose root is ``root`` as ``aiolint ROOT`` sees it, for a caller that lints one of its files:
    the summaries of its files, from the cache where it has them, else linted in this process (and cached), and
    their results. Files that cannot be read, listed or parsed say nothing (their summaries are empty)."""
    limits = Limits.of(settings)
    project = Project([root])
    results: Results = {}
    todo = cached_project(root, settings, store, limits, project, results)
    lint_into(results, todo, 1, limits, store, project, first=True)
    project.sealed = True
    return project, results


def lint_in_project(data: Any, path: str, rules: Sequence[type], options: Mapping[str, Any],
                    known: Tuple[Project, Results], store: Optional[SettingsCache], result: Optional[FileResult] = None,
                    replaces: bool = False) -> FileResult:
    """Lint ``data`` as the file ``path`` of the project ``known`` (its index and its files' results), its
    questions answered as the join of a run settles them; ``result``, a result of the file to start from (a
    cached one). With ``replaces``, ``data`` is not what the file on disk holds (an editor's buffer): what it
    says takes the place of what the file says."""
    from .engine import lint_source

    project, results = known
    if replaces:
        results.pop(os.path.abspath(path), None)
        if result is not None:  # a summary says only what the file itself says: made without the project, the same
            project.add(path, result.summary)
    task = (path, tuple(sorted(rule.code for rule in rules)), options)
    for round_ in range(JOIN_ROUNDS + 1):
        if result is None:
            result = lint_source(data, path, rules, options, project=functools.partial(project.answer, path))
            if replaces:
                project.add(path, result.summary)
        if round_ == JOIN_ROUNDS or not unsettled(results, project, store, {path: (task, result, False)}):
            break
        result = None
    return result


def lint_text(data: Any, path: str, settings: Settings, store: Optional[SettingsCache]) -> FileResult:
    """Lint ``data``, the text of the file ``path`` as standard input or an editor holds it, with ``settings``
    (the run's: each file of the project gets those that apply to it). When it asks about other files, they
    are answered from what the cache ``store`` knows of its project, as for ``aiolint FILE``: a file the
    cache does not know says nothing (fewer findings, never a false one)."""
    from .engine import lint_source

    own = settings.for_file(path)
    rules, options = own.rules_for(path), own.options
    result = lint_source(data, path, rules, options)
    root = project_root(os.path.dirname(os.path.abspath(path)))
    if store is None or not result.questions or not marks_a_project(root):
        return result
    project, known = Project(), {}
    if not include_cached(root, settings, store, Limits.of(settings), project, known, {os.path.abspath(path)}):
        return result
    project.sealed = True
    return lint_in_project(data, path, rules, options, (project, known), store, result, replaces=True)


def include_cached(root: str, settings: Settings, store: SettingsCache, limits: Limits, project: Project,
                   known: Results, skip: Collection[str]) -> bool:
    """Add what the cache knows of the project at ``root`` (but the files in ``skip``) as ``cached_project``
    does, the project complete when the cache knows every file; False when a broken configuration of one of
    its directories stops it (the files named stand alone)."""
    try:
        missing = cached_project(root, settings, store, limits, project, known, skip)
    except ConfigError:
        return False
    if not missing:
        project.include(root)
    return True


def projects_of_files(paths: Sequence[str], settings: Settings, store: SettingsCache, limits: Limits,
                      project: Project, named: Results) -> Results:
    """For files named in a run (a pre-commit hook's), what the cache knows of the rest of their projects: the
    results of the other files, whose summaries go into ``project``. A project whose every other file has a
    current result is complete (its attribute names can be answered); of one that has files the cache does
    not know, those files say nothing: fewer findings, never a false one. Projects complete already (held
    wholly by a directory named in the run, or every file named) are left alone, as is a file in no project."""
    known: Results = {}
    roots = [root for root in sorted({project_root(os.path.dirname(os.path.abspath(path))) for path in paths})
             if not project.complete(root) and marks_a_project(root)]
    named_paths = {os.path.abspath(path) for path in named} if roots else set()
    for root in roots:
        include_cached(root, settings, store, limits, project, known, named_paths)
    return known


def include_wholly_named(paths: Sequence[str], settings: Settings, project: Project) -> None:
    """A project whose every file that `aiolint ROOT` would lint is among the files named in the run (`aiolint
    $(git ls-files '*.py')`) is complete from the start, as if its root were named: its files' questions about
    each other are answered as they are linted, with the cache or without, not by linting them again in the
    join. The search of a project stops at its first file not named, and skips what it excludes."""
    named = {os.path.abspath(path) for path in paths}
    filters = Filters(settings)
    for root in sorted({project_root(os.path.dirname(path)) for path in named}):
        if not project.complete(root) and marks_a_project(root) and wholly_named(root, named, filters):
            project.include(root)


def wholly_named(root: str, named: Collection[str], filters: Filters) -> bool:
    """Whether every file that `aiolint ROOT` would lint is named; not when a broken configuration of one of its
    directories stops the search (the files named stand alone, as ``include_cached`` leaves them)."""
    try:
        return all(path in named for path in python_files_under(root, filters))
    except ConfigError:
        return False


def lint_paths(paths: Sequence[str], settings: Settings, jobs: int = 1, cache: bool = False) -> Report:
    """Lint files and directories with ``jobs`` processes, reading and writing ``settings.cache_dir`` if ``cache``.

    Each file's result comes with its summary for the project model; after every file, the join
    answers the questions files asked of the others, and a file whose answers changed is linted
    again with them (see ``semantics/model.py``).
    """
    store = SettingsCache(settings) if cache else None
    limits = Limits.of(settings)
    report = Report()
    results: Results = {}
    unreadable: List[Tuple[str, OSError]] = []
    found = found_files(paths, settings, unreadable)
    for directory, error in unreadable:
        report.add(read_error(directory, error, "directory"))
    previous = store.previous_run(paths, found) if store is not None else None
    directories = [path for path in paths if os.path.isdir(path)]
    project = Project.restored(previous.project, directories) if previous else Project(directories)
    for path, root in previous.gone if previous else ():
        project.forget(path, root)
    named_files = [os.path.normpath(path) for path in paths if not os.path.isdir(path)]
    include_wholly_named(named_files, settings, project)
    todo = take_cached(found, settings, store, limits, results, project, report.add, previous)
    report.processes = pool_size(jobs, len(todo))
    known: Results = {}  # the other files of the projects of files named alone, as the cache knows them
    # In this process, a file's questions are answered from the files seen so far (the cached ones, in a
    # run on a few changed files); the join below settles the rest.
    for round_ in range(JOIN_ROUNDS + 1):
        lint_into(results, todo, pool_size(jobs, len(todo)), limits, store, project, first=round_ == 0)
        project.sealed = True
        if round_ == JOIN_ROUNDS:
            break
        if round_ == 0 and store is not None:  # only a named file that asked something of others needs its project
            asking = [path for path in named_files if path in results and results[path][1].questions]
            known = projects_of_files(asking, settings, store, limits, project, results)
        todo = unsettled({**known, **results}, project, store, results)
        report.relinted += len(todo)
        if not todo:
            break
    # A run that read the rest of a project from the cache (``known``) leaves no snapshot: the next would not see
    # those files change.
    unchanged = previous is not None and not report.relinted and len(store.restored) == len(results) == len(
        previous.files)
    if store is not None and not known and not unchanged:
        store.save_run(paths, found, results, project, previous)
    report.project = project
    report.restored = sum(store.restored.get(path) is result for path, (_, result, _) in results.items()) if store \
        else 0
    for _, result, cached in results.values():
        report.add(result, cached=cached)
    report.diagnostics.sort()
    report.failures.sort(key=lambda failure: (failure.path, failure.code))
    return report
