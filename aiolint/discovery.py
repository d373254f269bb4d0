"""Paths given on the command line -> the Python files to lint.

Directories are searched for ``*.py`` and ``*.pyi``, leaving out what ``exclude``
and the ``.gitignore`` files exclude. A path named explicitly is linted even when
excluded, unless ``force-exclude`` is on.
"""

from __future__ import annotations

import fnmatch
import os
import re
from typing import TYPE_CHECKING, Dict, Iterable, Iterator, List, Optional, Tuple

from .config import ConfigError, Settings

if TYPE_CHECKING:
    import pathspec


class GitIgnore:
    """The ``.gitignore`` files under the work tree's top, each applying to its own directory.

    As git: the deepest file with a pattern matching a path decides (so a nested
    ``!keep.py`` re-includes), then ``.git/info/exclude``.
    """

    def __init__(self, top: str) -> None:
        self.top = top
        self._specs: Dict[str, Optional["pathspec.GitIgnoreSpec"]] = {}  # ignore file -> its patterns
        self._chains: Dict[str, List[Tuple[str, "pathspec.GitIgnoreSpec"]]] = {}  # see _ignore_files
        # A directory as a walk names it -> it made absolute, and the ignore files that apply in it (None: not
        # below the top): asked once per directory rather than once per file.
        self._directories: Dict[str, Tuple[str, Optional[List[Tuple[str, "pathspec.GitIgnoreSpec"]]]]] = {}
        self._info_exclude = os.path.join(top, ".git", "info", "exclude")

    @classmethod
    def for_root(cls, root: str) -> "GitIgnore":
        """From the git work tree's top above ``root`` (or ``root`` itself outside a repository)."""
        directory = root
        while not os.path.exists(os.path.join(directory, ".git")):
            parent = os.path.dirname(directory)
            if parent == directory:
                return cls(root)
            directory = parent
        return cls(directory)

    def _patterns(self, path: str) -> Optional["pathspec.GitIgnoreSpec"]:
        """The patterns of an ignore file, read once (None: no such file)."""
        if path not in self._specs:
            try:
                with open(path, encoding="utf-8", errors="replace") as handle:
                    import pathspec  # only once there are patterns: a run on named files rarely needs it

                    self._specs[path] = pathspec.GitIgnoreSpec.from_lines(handle)
            except OSError:  # no such file (the usual case), or unreadable: nothing to apply
                self._specs[path] = None
        return self._specs[path]

    def _ignore_files(self, directory: str) -> List[Tuple[str, "pathspec.GitIgnoreSpec"]]:
        """The ``.gitignore`` files that apply in a directory below the top (and their directories), deepest
        first: found once per directory, as every file of a walk asks."""
        known = self._chains.get(directory)
        if known is None:
            above = self._ignore_files(os.path.dirname(directory)) if directory != self.top else []
            spec = self._patterns(os.path.join(directory, ".gitignore"))
            known = self._chains[directory] = [(directory, spec), *above] if spec is not None else above
        return known

    def ignored(self, path: str, is_dir: bool) -> bool:
        """Whether git ignores this file or directory for itself.

        Being below an ignored directory does not count: a walk decides on a directory
        before entering it, and enters an ignored one only when it was named explicitly,
        to lint what it holds.
        """
        directory, name = os.path.split(path)
        known = self._directories.get(directory)
        if known is None:
            absolute = os.path.abspath(directory)
            below = absolute == self.top or is_below(absolute, self.top)
            known = self._directories[directory] = (absolute, self._ignore_files(absolute) if below else None)
        absolute, chain = known
        if chain is None or not name:  # outside the top
            return False
        path = os.path.join(absolute, name)
        suffix = "/" if is_dir else ""  # for patterns such as "build/" that match directories only
        for directory, spec in chain:
            verdict = own_verdict(spec, directory, path, suffix)
            if verdict is not None:
                return verdict
        info_exclude = self._patterns(self._info_exclude)
        return info_exclude is not None and bool(own_verdict(info_exclude, self.top, path, suffix))


def own_verdict(spec: "pathspec.GitIgnoreSpec", base: str, path: str, suffix: str) -> Optional[bool]:
    """A .gitignore's verdict on a path itself (None: none of its patterns decides).

    Its patterns are relative to ``base``; ``build/`` also matches everything below
    ``build``, which is not a verdict on those paths themselves.
    """
    verdict = spec.check_file(posix_relpath(path, base) + suffix).include
    parent = os.path.dirname(path)
    if verdict and parent != base and spec.check_file(posix_relpath(parent, base) + "/").include:
        return False
    return verdict


def posix_relpath(path: str, start: str) -> str:
    """The path of an absolute path below the absolute directory ``start``, relative to it, with "/"."""
    return path[len(start.rstrip(os.sep)) + 1:].replace(os.sep, "/")


def is_below(path: str, directory: str) -> bool:
    """Whether an absolute path lies strictly inside an absolute directory (both normalized)."""
    return path.startswith(directory.rstrip(os.sep) + os.sep) and len(path) > len(directory.rstrip(os.sep)) + 1


class FileFilter:
    """Decides which paths are left out: ``exclude`` patterns, then the ``.gitignore`` files."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.gitignore = GitIgnore.for_root(settings.root) if settings.respect_gitignore else None
        # Patterns without "/" match a name: all in one expression, asked of every file and directory walked.
        names = [fnmatch.translate(pattern) for pattern in settings.exclude if "/" not in pattern]
        self.name_excluded = re.compile("|".join(names)).match if names else None
        self.rooted_patterns = [pattern for pattern in settings.exclude if "/" in pattern]

    def excluded(self, path: str, is_dir: bool) -> bool:
        """Whether this path itself is excluded (a walk has already looked at its parents)."""
        if self.name_excluded is not None and self.name_excluded(os.path.basename(path)):
            return True
        if self.rooted_patterns:
            relpath = self.settings.relative(path)
            if any(fnmatch.fnmatchcase(relpath, pattern) for pattern in self.rooted_patterns):
                return True
        return self.gitignore is not None and self.gitignore.ignored(path, is_dir)

    def force_excluded(self, path: str) -> bool:
        """Whether this path, or a directory above it inside the project root, is excluded.

        The root itself is never excluded (a project may live in a directory named ``build``);
        a path outside the root is judged by its own name only.
        """
        path = os.path.abspath(path)
        root = self.settings.root
        if not is_below(path, root):
            return path != root and self.excluded(path, os.path.isdir(path))
        is_dir = os.path.isdir(path)
        while is_below(path, root):
            if self.excluded(path, is_dir):
                return True
            path, is_dir = os.path.dirname(path), True
        return False


class Filters:
    """The FileFilter of each directory: that of the settings which apply there (each
    project of a monorepo excludes with its own configuration)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._filters: Dict[int, FileFilter] = {}

    def of(self, directory: str) -> FileFilter:
        settings = self.settings.for_directory(directory)
        known = self._filters.get(id(settings))
        if known is None:
            known = self._filters[id(settings)] = FileFilter(settings)
        return known


def discover(paths: Iterable[str], settings: Settings,
             unreadable: Optional[List[Tuple[str, OSError]]] = None) -> List[str]:
    """Files to lint, in a stable order. A path named explicitly is linted, unless force-exclude excludes it.

    The directories that cannot be listed are added to ``unreadable`` with why, so that they
    are reported rather than skipped in silence."""
    filters = Filters(settings)
    found: List[str] = []
    for path in paths:
        if not os.path.exists(path):
            raise ConfigError(f"{path}: no such file or directory")
        files = filters.of(os.path.dirname(os.path.abspath(path)))
        if files.settings.force_exclude and files.force_excluded(path):
            continue
        if os.path.isdir(path):
            found.extend(python_files_under(path, filters, unreadable))
        else:
            found.append(os.path.normpath(path))
    return sorted(set(found))


def python_files_under(root: str, filters: Filters,
                       unreadable: Optional[List[Tuple[str, OSError]]] = None) -> Iterator[str]:
    def cannot_list(error: OSError) -> None:
        if unreadable is not None:
            unreadable.append((os.path.normpath(error.filename or root), error))

    for directory, dirnames, filenames in os.walk(root, onerror=cannot_list):
        files = filters.of(directory)
        dirnames[:] = sorted(d for d in dirnames if not files.excluded(os.path.join(directory, d), is_dir=True))
        for filename in filenames:
            path = os.path.join(directory, filename)
            if filename.endswith((".py", ".pyi")) and not files.excluded(path, is_dir=False):
                yield os.path.normpath(path)
