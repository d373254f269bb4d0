"""Many files fixed: ``--fix`` over a run's report, beside the runner that made it.

The fixer (``fixer.py``) fixes one source given a function that lints it; this module
decides which files to fix, with which rules, writes them, caches what remains in
them and puts their remaining findings back into the report.
"""

from __future__ import annotations

import functools

from .cache import content_digest, to_data
from .config import Settings
from .engine import lint_source
from .fixer import Fixing, fix_file, record, applicable
from .reporters.names import quoted_path
from .runner import Report, SettingsCache


def fix_files(report: Report, settings: Settings, fixing: Fixing, cache: bool = False) -> None:
    """Fix the files of ``report`` that have fixes to make; their findings in it become those that remain.

    With ``cache``, what remains in a file written is cached, as a run would: the next run reads it."""
    store = SettingsCache(settings) if cache and fixing.write else None
    paths = sorted({d.path for d in report.diagnostics if applicable(d.fix, fixing.unsafe)})
    for path in paths:
        own = settings.for_file(path)  # the closest configuration's
        # What the other files of the project say is asked of the run's join, as the run asked it.
        project = functools.partial(report.project.answer, path) if report.project is not None else None
        lint = functools.partial(lint_source, path=path, rules=own.rules_for(path), options=own.options,
                                 project=project)
        try:
            fixed = fix_file(path, lint, fixing.unsafe, fixing.write)
        except OSError as exc:
            fixing.errors.append(f"{quoted_path(path)}: cannot fix the file: {exc.strerror or exc}")
            continue
        record(fixed, path, fixing)
        if store is not None and fixed.fixed:
            store.put(content_digest(fixed.data), own.codes_for(path), own.options, to_data(fixed.result))
        report.diagnostics = [d for d in report.diagnostics if d.path != path] + fixed.result.diagnostics
        report.failures = [f for f in report.failures if f.path != path] + fixed.result.failures
        report.suppressed.subtract(fixed.linted.suppressed)
        report.suppressed.update(fixed.result.suppressed)
    report.suppressed = +report.suppressed  # without the codes whose count fell to zero
    report.diagnostics.sort()
    report.failures.sort(key=lambda failure: (failure.path, failure.code))
