"""Many files: discover, read, lint each with the engine, gather results in a stable order."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import List, Sequence

from .config import Settings
from .diagnostics import READ_ERROR, Diagnostic, file_diagnostic
from .discovery import discover
from .engine import FileResult, RuleFailure, lint_source


@dataclass
class Report:
    files: int = 0
    diagnostics: List[Diagnostic] = field(default_factory=list)
    suppressed: Counter = field(default_factory=Counter)  # what # noqa silenced: code -> count
    failures: List[RuleFailure] = field(default_factory=list)

    def add(self, result: FileResult) -> None:
        self.files += 1
        self.diagnostics.extend(result.diagnostics)
        self.suppressed.update(result.suppressed)
        self.failures.extend(result.failures)


def lint_file(path: str, settings: Settings) -> FileResult:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return FileResult(path, [file_diagnostic(path, READ_ERROR, f"Cannot read the file: {reason}.")])
    return lint_source(data, path, settings.rules_for(path), settings.options)


def lint_paths(paths: Sequence[str], settings: Settings) -> Report:
    report = Report()
    for path in discover(paths, settings):
        report.add(lint_file(path, settings))
    report.diagnostics.sort()
    return report
