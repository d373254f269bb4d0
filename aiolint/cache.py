"""Results per file, cached by content: a run where nothing changed reads them back instead of linting.

An entry's key is the digest of the file's bytes and of the settings that apply to
that file (its enabled codes, the rule options); entries live in a directory per
build of aiolint (``catalog.build_id``), so a new version or an edited rule starts
afresh. An entry is plain JSON without the file's path: identical files share one.
Writes go to a temporary file renamed into place, so concurrent runs never see half
an entry; an entry that cannot be read is a miss, and the run writes it again.

A run over directories or files also leaves a snapshot of itself (``run-`` and a digest of where it
ran and what it was given): each file's stat when it was read, its result, and the run's project
model (``semantics/project.py``). The same run again takes from it the files whose stat has not
changed, without reading them, their entries or their summaries; the project comes back whole, and
only what changed is read and added to it. A stat vouches for a file only when the file had not
changed for ``SETTLED_NS`` before it was read (within a timestamp's resolution, a change could
leave the stat as it was); its inode and change time catch a content restored under an old time.

Every version of a file's content gets an entry of its own, so a run that writes
entries also removes, at most once a day, those no run has read for ``STALE_AFTER``
(a hit marks its entry as read, once a day at most): the directory stays about as
large as what the project holds, however long one build of aiolint is used.
"""

from __future__ import annotations

import json
import marshal
import os
import re
import time
from typing import Any, Collection, Dict, Mapping, Optional, Tuple

from . import catalog
from .catalog import atomic_write, build_directory, new_digest
from .diagnostics import Diagnostic, FileResult, RuleFailure

CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by aiolint.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)
BUILD_DIR = re.compile(r"^[0-9][\w.+!-]*-[0-9a-f]{16}$")  # the names build_id() gives
DAY = 24 * 3600
STALE_AFTER = 30 * DAY  # an entry no run has read for this long is removed
SETTLED_NS = 2 * 10**9  # how long a file must have been unchanged for its stat to vouch for its content
RUN_PREFIX = "run-"
# What a file's stat says of its content: (modification time, change time, size, inode).
Stamp = Tuple[int, int, int, int]
PRUNED = ".pruned"  # in a build directory: its time says when stale entries were last removed


def content_digest(data: bytes) -> str:
    return new_digest(data).hexdigest()


def settings_digest(codes: Collection[str], options: Mapping[str, Any]) -> str:
    """What decides a file's result besides its bytes: the rules enabled for it and their options."""
    text = json.dumps({"codes": sorted(codes), "options": options}, sort_keys=True, default=repr)
    return new_digest(text.encode()).hexdigest()


def stamp(path: str) -> Optional[Stamp]:
    """The file's stamp, or None when it changed too recently for its stat to vouch for what it holds."""
    found = os.stat(path)
    if time.time_ns() - max(found.st_mtime_ns, found.st_ctime_ns) < SETTLED_NS:
        return None
    return found.st_mtime_ns, found.st_ctime_ns, found.st_size, found.st_ino


def run_key(paths: Collection[str]) -> str:
    """The snapshot of a run: where it ran and the paths it was given."""
    return RUN_PREFIX + new_digest(json.dumps([os.getcwd(), list(paths)]).encode()).hexdigest()


def to_data(result: FileResult) -> Dict[str, Any]:
    """A result as plain data, without its path: what workers send back and the cache stores."""
    diagnostics = []
    for diagnostic in result.diagnostics:
        data = diagnostic.to_dict()
        del data["path"]
        diagnostics.append(data)
    return {"diagnostics": diagnostics, "suppressed": result.suppressed, "parsed": result.parsed,
            "failures": [[failure.code, failure.error] for failure in result.failures],
            "summary": result.summary, "questions": result.questions, "answers": result.answers}


def from_data(path: str, data: Mapping[str, Any]) -> FileResult:
    return FileResult(
        path,
        [Diagnostic.from_dict({**item, "path": path}) for item in data["diagnostics"]],
        dict(data["suppressed"]),  # code -> count
        [RuleFailure(path, code, error) for code, error in data["failures"]],
        bool(data["parsed"]),
        dict(data.get("summary") or {}),
        list(data.get("questions") or ()),
        dict(data.get("answers") or {}),
    )


class ResultCache:
    def __init__(self, root: str) -> None:
        self.root = root
        self.directory = build_directory(root)
        self._ready = False
        self._now = time.time()

    @staticmethod
    def key(digest: str, settings: str) -> str:
        """The entry of a file's content (its digest) under the settings (their digest) that apply to it."""
        return new_digest(f"{digest}:{settings}".encode()).hexdigest()

    def get(self, key: str, path: str) -> Optional[FileResult]:
        """The cached result for this key, under this path; None when missing or unreadable."""
        entry = os.path.join(self.directory, key)
        try:
            with open(entry, "rb") as handle:
                result = from_data(path, json.loads(handle.read()))
                if self._now - os.fstat(handle.fileno()).st_mtime > DAY:
                    os.utime(entry)  # read: not stale
                return result
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None  # missing, or corrupt: linting the file again rewrites it

    def get_run(self, key: str) -> Optional[Tuple[Dict[str, Any], bool]]:
        """A run's snapshot (in ``marshal``, the format of ``__pycache__``: plain data with the sets and tuples
        of the project model, which JSON has not), and whether it was last marked read more than a day ago:
        then the entries of the results taken from it are to be marked read too (``mark_read``), as if read;
        None when missing or unreadable."""
        path = os.path.join(self.directory, key)
        try:
            with open(path, "rb") as handle:
                snapshot = marshal.loads(handle.read())
                stale = self._now - os.fstat(handle.fileno()).st_mtime > DAY
                if stale:
                    os.utime(path)
        except (OSError, ValueError, EOFError, TypeError):
            return None
        return (snapshot, stale) if isinstance(snapshot, dict) else None

    def mark_read(self, key: str) -> None:
        """Mark an entry read (not stale) without reading it."""
        try:
            os.utime(os.path.join(self.directory, key))
        except OSError:
            pass  # removed meanwhile: nothing to keep

    def put_run(self, key: str, snapshot: Mapping[str, Any]) -> None:
        """Store a run's snapshot beside the entries it was made of (none written: no snapshot to make)."""
        if not os.path.isdir(self.directory):
            return
        try:
            atomic_write(os.path.join(self.directory, key), marshal.dumps(dict(snapshot)))
        except (OSError, ValueError):
            pass  # as for entries

    def put(self, key: str, data: Mapping[str, Any]) -> None:
        """Store a result (never one with rule failures: those must show again on the next run)."""
        if data["failures"]:
            return
        try:
            self._prepare()
            atomic_write(os.path.join(self.directory, key), json.dumps(data).encode())
        except OSError:
            pass  # a cache that cannot be written costs speed, never results

    def _prepare(self) -> None:
        """Create the directory, tagged so that git and backup tools leave it alone, without older builds,
    with the rule catalog of this build."""
        if self._ready:
            return
        os.makedirs(self.root, exist_ok=True)
        for name, content in ((".gitignore", "*\n"), ("CACHEDIR.TAG", CACHEDIR_TAG)):
            if not os.path.exists(os.path.join(self.root, name)):
                atomic_write(os.path.join(self.root, name), content.encode())
        if not os.path.isdir(self.directory):
            os.makedirs(self.directory, exist_ok=True)
            self._prune_builds()
        else:
            self._prune_entries()
        catalog.store_in(self.directory)
        self._ready = True

    def _prune_entries(self) -> None:
        """Remove the entries no run has read for STALE_AFTER (and temporary files a killed run left),
        unless that was done less than a day ago."""
        mark = os.path.join(self.directory, PRUNED)
        try:
            if self._now - os.stat(mark).st_mtime < DAY:
                return
        except OSError:
            pass  # never pruned
        atomic_write(mark, b"")
        with os.scandir(self.directory) as found:
            for entry in found:
                if entry.name in (catalog.CATALOG_FILE, PRUNED):
                    continue
                try:
                    age = self._now - entry.stat().st_mtime
                    if age > STALE_AFTER or (entry.name.endswith(".tmp") and age > DAY):
                        os.unlink(entry.path)
                except OSError:
                    pass  # removed meanwhile by a concurrent run

    def _prune_builds(self) -> None:
        # Only directories named as builds are: never anything else someone keeps there.
        for name in os.listdir(self.root):
            path = os.path.join(self.root, name)
            if path != self.directory and BUILD_DIR.match(name) and os.path.isdir(path):
                import shutil  # only when a new build starts the directory afresh

                shutil.rmtree(path, ignore_errors=True)
