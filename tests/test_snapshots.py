"""What users see of every fixture, pinned: each finding's range, code and message, and each fix.

The ``# error:`` annotations (``test_fixtures.py``) check which lines are reported; these
snapshots check everything else a user reads: columns, end of the range, the message's
words, whether a fix is safe and the code it writes. One text file per fixture (and per
fixture project) under ``tests/__snapshots__/test_snapshots/``, so that a change shows in
review as a diff of what users see. Create or update them with::

    .venv/bin/python -m pytest tests/test_snapshots.py --snapshot-update

and read the diff (``git diff tests/__snapshots__``) before committing it.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Dict, Iterable, List

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from aiolint.config import Selection, Settings
from aiolint.diagnostics import Diagnostic
from aiolint.engine import lint_source
from aiolint.fixer import apply_fixes, lines_with_ends, parses
from aiolint.rules import all_rules
from aiolint.runner import lint_paths

from .conftest import FIXTURES, fixture_files

PROJECTS = FIXTURES / "projects"
UPDATE_COMMAND = ".venv/bin/python -m pytest tests/test_snapshots.py --snapshot-update"


class TextSnapshot(SingleFileSnapshotExtension):
    """One plain text file per snapshot, readable in a diff."""

    _write_mode = WriteMode.TEXT
    file_extension = "txt"
    _file_extension = "txt"  # the name older syrupy versions read


def fixture_projects() -> List[Path]:
    """Multi-file fixtures: each directory under ``fixtures/projects/`` is linted as one run."""
    return sorted(path for path in PROJECTS.iterdir() if path.is_dir()) if PROJECTS.is_dir() else []


def cases() -> list:
    return ([pytest.param(path, id=path.name) for path in fixture_files()]
            + [pytest.param(path, id=f"project-{path.name}") for path in fixture_projects()])


def render(diagnostics: Iterable[Diagnostic], sources: Dict[str, str], with_path: bool) -> str:
    """``line:col-end_line:end_col CODE message`` per finding, each fix under it as a diff."""
    out = []
    for d in diagnostics:
        where = f"{d.path}:" if with_path else ""
        out.append(f"{where}{d.line}:{d.column}-{d.end_line}:{d.end_column} {d.code} {d.message}\n")
        if d.fix is not None:
            out.append(f"    fix ({d.fix.applicability}):\n")
            out.extend(f"    {line}" for line in fix_diff(sources[d.path], d))
    return "".join(out) or "(no findings)\n"


def fix_diff(source: str, diagnostic: Diagnostic) -> List[str]:
    """The fix applied alone to the source, as a unified diff (no file header) with one line of context."""
    fixed, made = apply_fixes(source, [diagnostic.fix])
    assert made == [diagnostic.fix], f"the fix of {diagnostic.code} at line {diagnostic.line} does not apply"
    assert parses(fixed), f"the fix of {diagnostic.code} at line {diagnostic.line} gives code that does not parse"
    lines = difflib.unified_diff(lines_with_ends(source), lines_with_ends(fixed), n=1)
    return [line if line.endswith("\n") else line + "\n" for line in list(lines)[2:]]


def lint_fixture(path: Path) -> str:
    if path.is_dir():
        settings = Settings(selection=Selection(select=("ALL",)), respect_gitignore=False, root=str(path))
        report = lint_paths([str(path)], settings)
        assert report.failures == []
        diagnostics = [d.__class__(**{**d.__dict__, "path": settings.relative(d.path)}) for d in report.diagnostics]
        sources = {d.path: (path / d.path).read_text(encoding="utf-8") for d in diagnostics}
        return render(diagnostics, sources, with_path=True)
    source = path.read_text(encoding="utf-8")
    result = lint_source(source, path.name, all_rules())
    assert result.failures == []
    return render(result.diagnostics, {path.name: source}, with_path=False)


@pytest.fixture
def text_snapshot(snapshot):
    return snapshot.use_extension(TextSnapshot)


@pytest.mark.parametrize("fixture", cases())
def test_findings_snapshot(fixture, text_snapshot, request):
    seen = lint_fixture(fixture)
    location = Path(text_snapshot.extension.get_location(test_location=text_snapshot.test_location,
                                                          index=text_snapshot.index))
    if not location.exists() and not request.config.option.update_snapshots:
        pytest.fail(f"{fixture.relative_to(FIXTURES)} has no snapshot of its findings: create it with\n"
                    f"    {UPDATE_COMMAND}\nand review what it records before committing it.", pytrace=False)
    assert seen == text_snapshot


def test_every_snapshot_has_a_fixture():
    """A snapshot left behind by a renamed or deleted fixture would pin nothing."""
    directory = Path(__file__).parent / "__snapshots__" / Path(__file__).stem
    expected = {f"test_findings_snapshot[{case.id}].{TextSnapshot.file_extension}" for case in cases()}
    stale = sorted(path.name for path in directory.iterdir() if path.name not in expected)
    assert stale == [], f"snapshots of no fixture (delete them): {stale}"
