"""What the command line and the configuration need to know of the rules, without importing them.

Importing the rules imports LibCST, which alone costs about 0.2 s: a run whose every
file is cached must not pay that just to check ``--select`` against the known codes.
So the codes, names, defaults and documentation (which SARIF carries) are stored in
the result cache, next to the results of the same build of aiolint, by the run that
fills it; later runs read them from there. The build id (the version and the sizes
and times of aiolint's own source files) keys both.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import glob
import importlib.util
import json
import os
import sys
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping, Optional, Tuple

from . import __version__

try:  # CPython's own BLAKE2: importing ``hashlib`` loads OpenSSL, 3.5 MB of every run's memory, for cache keys
    from _blake2 import blake2b
except ImportError:  # an interpreter built without it
    from hashlib import blake2b

PACKAGE = os.path.dirname(os.path.abspath(__file__))


def new_digest(data: bytes = b"") -> Any:
    """A hash of ``data`` (more can be added with ``update``) for the cache's keys: 32 bytes of BLAKE2b."""
    return blake2b(data, digest_size=32)


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    default_enabled: bool
    summary: str
    description: str  # the "What it does" section
    documentation: str  # every section, in Markdown
    fixable: str = ""  # "safe", "unsafe" or "": whether its findings may carry a fix


CATALOG_FILE = "rules.json"

_build_id: Optional[str] = None
_location: Optional[str] = None  # the stored catalog to read, set by look_in()
_stored: Optional[Mapping[str, RuleInfo]] = None


def build_id() -> str:
    """This build of aiolint: its version, its source files and LibCST's, by size and modification time.

    A rule edited in a development install must not be served results or codes of
    the rule as it was, even though the version number did not change.
    """
    global _build_id
    if _build_id is None:
        digest = new_digest(__version__.encode())
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


def build_directory(cache_dir: str) -> str:
    """Where the results and the rule catalog of this build live in a cache directory."""
    return os.path.join(cache_dir, build_id())


def look_in(cache_dir: str) -> None:
    """Read the catalog from this cache directory when it is first needed (before then, nothing is read)."""
    global _location, _stored
    location = os.path.join(build_directory(cache_dir), CATALOG_FILE)
    if location != _location:
        _location, _stored = location, None


def rule_catalog() -> Mapping[str, RuleInfo]:
    """Every rule by code, in code order: from the registry if it is imported, else as stored for this build."""
    global _stored
    registry = sys.modules.get("aiolint.rules")
    if registry is not None and hasattr(registry, "REGISTRY"):
        return from_registry(registry.REGISTRY)  # live: tests may register rules of their own
    if _stored is None and _location is not None:
        _stored = read_stored(_location)
    if _stored is None:
        from .rules import REGISTRY

        return from_registry(REGISTRY)
    return _stored


def from_registry(registry: Mapping[str, Any]) -> Mapping[str, RuleInfo]:
    return _catalog_of(tuple(registry.values()))


@functools.lru_cache(maxsize=8)
def _catalog_of(rules: Tuple[Any, ...]) -> Mapping[str, RuleInfo]:
    """Made once per set of rule classes: the configuration asks for the catalog for every file linted."""
    return MappingProxyType({
        rule.code: RuleInfo(rule.code, rule.name, rule.default_enabled, rule.summary,
                            rule.doc_sections().get("What it does") or rule.summary,
                            rule.documentation() or rule.summary, rule.fixable)
        for rule in rules})


def read_stored(path: str) -> Optional[Mapping[str, RuleInfo]]:
    """The stored catalog, or None when it is missing or unreadable (it is then rebuilt)."""
    try:
        with open(path, encoding="utf-8") as handle:
            rows = json.load(handle)
        return {row["code"]: RuleInfo(**row) for row in rows}
    except (OSError, ValueError, TypeError, KeyError):
        return None


def store_in(directory: str) -> None:
    """Store the catalog in a build directory of the cache, if missing there and the registry is at hand.

    A run that found no stored catalog has imported the registry to check codes,
    so it is that run, the one that fills the cache, that stores it.
    """
    path = os.path.join(directory, CATALOG_FILE)
    registry = sys.modules.get("aiolint.rules")
    if registry is None or not hasattr(registry, "REGISTRY") or os.path.exists(path):
        return
    rows = [dataclasses.asdict(info) for info in from_registry(registry.REGISTRY).values()]
    atomic_write(path, json.dumps(rows).encode())


def atomic_write(path: str, data: bytes, mode: Optional[int] = None, durable: bool = False) -> None:
    """Write to a temporary file in the same directory, then rename it over ``path``:
    a concurrent reader, or a crash, sees the old file or the new one, never half of one.

    ``mode`` sets the new file's permissions; ``durable`` syncs it to disk first (for
    users' files; cache entries can be lost and rebuilt, so they skip the cost).
    """
    temp = f"{path}.{os.getpid()}.tmp"  # a process writes one file at a time: no two writers share it
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
