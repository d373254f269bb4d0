"""``--write-baseline FILE`` and ``--baseline FILE``: accept today's findings, fail on new ones.

The file is JSON, sorted, one entry per accepted finding with its line-independent
identity (see ``fingerprints``), paths relative to the project root: it reads well in
a pull request and shrinks as findings are fixed (fixed ones are *stale* entries).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Collection, Dict, List, Optional, Set

from .catalog import atomic_write
from .config import ConfigError, relative_path
from .diagnostics import Diagnostic
from .fingerprints import Identity, identities
from .reporters.names import json_path

FORMAT_VERSION = 1


@dataclass
class BaselineOutcome:
    """What applying a baseline did: how many findings it hid, and which of its entries matched nothing."""

    baselined: int = 0
    stale: List[Identity] = field(default_factory=list)


def read_baseline(path: str) -> List[Identity]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such baseline file (write one with --write-baseline)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ConfigError(f"{path}: not a baseline file (invalid JSON: {exc})") from None
    try:
        if data.get("version") != FORMAT_VERSION:
            raise ConfigError(f"{path}: baseline format version {data.get('version')!r} is not {FORMAT_VERSION}")
        return [Identity(str(e["path"]), str(e["code"]), str(e["scope"]), str(e["source"]), int(e["occurrence"]))
                for e in data["findings"]]
    except (AttributeError, KeyError, TypeError, ValueError):
        raise ConfigError(f"{path}: not a baseline file (expected {{\"version\": 1, \"findings\": [...]}})") from None


def render_baseline(entries: Collection[Identity]) -> str:
    findings = [identity.to_dict() for identity in sorted(entries)]
    return json.dumps({"version": FORMAT_VERSION, "findings": findings}, indent=2, ensure_ascii=False) + "\n"


def write_baseline(path: str, diagnostics: List[Diagnostic], root: str, linted: Collection[str],
                   sources: Optional[Dict[str, str]] = None) -> int:
    """Record the findings; entries of files this run did not lint are kept. Returns the number of entries."""
    entries: Set[Identity] = set(identities(diagnostics, root, sources))
    if os.path.exists(path):
        try:
            previous = read_baseline(path)
        except ConfigError:
            previous = []  # overwritten: what was there is not a baseline
        linted_here = {json_path(relative_path(p, root)) for p in linted}
        entries.update(e for e in previous if e.path not in linted_here)
    directory = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(directory, exist_ok=True)
        atomic_write(path, render_baseline(entries).encode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the baseline: {exc.strerror or exc}") from None
    return len(entries)


def apply_baseline(diagnostics: List[Diagnostic], entries: List[Identity], root: str, linted: Collection[str],
                   sources: Optional[Dict[str, str]] = None) -> "tuple[List[Diagnostic], BaselineOutcome]":
    """The findings not in the baseline, and what the baseline hid. Entries are stale only for files
    this run linted (a run on part of the project says nothing of the rest)."""
    accepted = set(entries)
    kept, matched = [], set()
    for diagnostic, identity in zip(diagnostics, identities(diagnostics, root, sources)):
        if identity in accepted:
            matched.add(identity)
        else:
            kept.append(diagnostic)
    linted_here = {json_path(relative_path(p, root)) if p != "-" else "-" for p in linted}
    stale = sorted(e for e in accepted - matched if e.path in linted_here)
    return kept, BaselineOutcome(baselined=len(diagnostics) - len(kept), stale=stale)


def describe(outcome: BaselineOutcome) -> List[str]:
    """The summary's notes on the baseline."""
    notes = []
    if outcome.baselined:
        notes.append(f"{outcome.baselined} in the baseline")
    if outcome.stale:
        count = len(outcome.stale)
        notes.append(f"{count} stale baseline entr{'ies' if count != 1 else 'y'}: fixed, "
                     f"remove with --write-baseline")
    return notes
