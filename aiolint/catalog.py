"""What the command line and the configuration need to know of the rules, without importing them.

Importing the rules imports LibCST, which alone costs about 0.2 s: a run whose every
file is cached must not pay that just to check ``--select`` against the known codes.
So the codes, names and defaults are read from the registry once per build of
aiolint and stored, as Python stores bytecode, in the package's ``__pycache__``;
later runs of the same build read them from there. The build id (the version and
the sizes and times of aiolint's own source files) also keys the result cache.
"""

from __future__ import annotations

import glob
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from typing import Dict, Optional

from . import __version__

PACKAGE = os.path.dirname(os.path.abspath(__file__))


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    default_enabled: bool


_build_id: Optional[str] = None
_stored: Optional[Dict[str, RuleInfo]] = None


def build_id() -> str:
    """This build of aiolint: its version, its source files and LibCST's, by size and modification time.

    A rule edited in a development install must not be served results or codes of
    the rule as it was, even though the version number did not change.
    """
    global _build_id
    if _build_id is None:
        digest = hashlib.sha256(__version__.encode())
        sources = sorted(glob.glob(os.path.join(PACKAGE, "**", "*.py"), recursive=True))
        spec = importlib.util.find_spec("libcst")  # finds, does not import
        if spec is not None and spec.origin:
            sources.append(spec.origin)
        for path in sources:
            try:
                stat = os.stat(path)
            except OSError:
                continue
            digest.update(f"{os.path.relpath(path, PACKAGE)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
        _build_id = f"{__version__}-{digest.hexdigest()[:16]}"
    return _build_id


def rule_catalog() -> Dict[str, RuleInfo]:
    """Every rule by code, in code order: from the registry if it is imported, else as stored for this build."""
    global _stored
    registry = sys.modules.get("aiolint.rules")
    if registry is not None and hasattr(registry, "REGISTRY"):
        return from_registry(registry.REGISTRY)  # live: tests may register rules of their own
    if _stored is None:
        _stored = read_stored(stored_path())
        if _stored is None:
            from .rules import REGISTRY

            _stored = from_registry(REGISTRY)
            store(_stored, stored_path())
    return _stored


def from_registry(registry: Dict[str, type]) -> Dict[str, RuleInfo]:
    return {code: RuleInfo(code, rule.name, rule.default_enabled) for code, rule in registry.items()}  # type: ignore[attr-defined]


def stored_path() -> str:
    # Next to this module's bytecode (which honours PYTHONPYCACHEPREFIX), one file per build.
    pycache = os.path.dirname(importlib.util.cache_from_source(os.path.abspath(__file__)))
    return os.path.join(pycache, f"aiolint-rules-{build_id()}.json")


def read_stored(path: str) -> Optional[Dict[str, RuleInfo]]:
    """The stored catalog, or None when it is missing or unreadable (it is then rebuilt)."""
    try:
        with open(path, encoding="utf-8") as handle:
            rows = json.load(handle)
        return {row["code"]: RuleInfo(row["code"], row["name"], bool(row["default_enabled"])) for row in rows}
    except (OSError, ValueError, TypeError, KeyError):
        return None


def store(catalog: Dict[str, RuleInfo], path: str) -> None:
    """Write the catalog atomically and drop those of other builds; where nothing may be written, skip it."""
    if sys.dont_write_bytecode:
        return
    rows = [{"code": r.code, "name": r.name, "default_enabled": r.default_enabled} for r in catalog.values()]
    directory = os.path.dirname(path)
    try:
        os.makedirs(directory, exist_ok=True)
        atomic_write(path, json.dumps(rows).encode())
        for old in glob.glob(os.path.join(directory, "aiolint-rules-*.json")):
            if old != path:
                os.unlink(old)
    except OSError:
        pass  # a read-only installation: every run reads the registry instead


def atomic_write(path: str, data: bytes) -> None:
    """Write to a temporary file in the same directory, then rename it over ``path``:
    a concurrent reader sees the old file or the new one, never half of one."""
    fd, temp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
