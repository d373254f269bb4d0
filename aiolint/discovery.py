"""Paths given on the command line -> the Python files to lint."""

from __future__ import annotations

import fnmatch
import os
from typing import Iterable, Iterator, List, Sequence

from .config import ConfigError


def is_excluded(name: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def discover(paths: Iterable[str], exclude: Sequence[str]) -> List[str]:
    """Files to lint, in a stable order. A file named explicitly is always linted."""
    found: List[str] = []
    for path in paths:
        if os.path.isdir(path):
            found.extend(walk(path, exclude))
        elif os.path.exists(path):
            found.append(path)
        else:
            raise ConfigError(f"{path}: no such file or directory")
    return sorted(set(found))


def walk(root: str, exclude: Sequence[str]) -> Iterator[str]:
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not is_excluded(d, exclude))
        for filename in filenames:
            if filename.endswith((".py", ".pyi")) and not is_excluded(filename, exclude):
                yield os.path.normpath(os.path.join(directory, filename))
