"""Many files: parallel runs give the same output as serial ones, in a stable order, keeping no trees."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import libcst as cst

from aiolint.config import Settings
from aiolint.runner import FILES_PER_WORKER, lint_paths, pool_size
from aiolint.runner import lint_task as runner_lint_task

from .conftest import FIXTURES, ROOT


def copies(tmp_path: Path, count: int) -> Path:
    """``count`` copies of every fixture, in nested directories."""
    for copy in range(count):
        directory = tmp_path / f"pkg{copy}" / "sub"
        directory.mkdir(parents=True)
        for fixture in FIXTURES.glob("*.py"):
            (directory / fixture.name).write_bytes(fixture.read_bytes())
    return tmp_path


def settings_for(tmp_path: Path) -> Settings:
    return Settings(root=str(tmp_path), respect_gitignore=False)


def aiolint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "aiolint", "--no-cache", *args], cwd=cwd, env=env,
                          capture_output=True, text=True)


def test_two_processes_print_exactly_what_one_does(tmp_path):
    copies(tmp_path, 4)
    serial = aiolint("--jobs", "1", "-v", ".", cwd=tmp_path)
    parallel = aiolint("--jobs", "2", "-v", ".", cwd=tmp_path)
    assert "in 1 process;" in serial.stderr and "in 2 processes;" in parallel.stderr
    assert serial.returncode == parallel.returncode == 1
    assert parallel.stdout == serial.stdout != ""
    for output_format in ("json", "sarif"):
        assert (aiolint("-j", "2", "--output-format", output_format, ".", cwd=tmp_path).stdout
                == aiolint("-j", "1", "--output-format", output_format, ".", cwd=tmp_path).stdout)


def test_output_is_sorted_by_path_line_and_column(tmp_path):
    copies(tmp_path, 4)
    report = lint_paths([str(tmp_path)], settings_for(tmp_path), jobs=2)
    assert report.processes == 2
    keys = [(d.path, d.line, d.column) for d in report.diagnostics]
    assert keys == sorted(keys) and len({d.path for d in report.diagnostics}) > 1
    serial = lint_paths([str(tmp_path)], settings_for(tmp_path), jobs=1)
    assert report.diagnostics == serial.diagnostics
    assert [d.fix for d in report.diagnostics] == [d.fix for d in serial.diagnostics]
    assert (report.files, report.parsed, report.suppressed) == (serial.files, serial.parsed, serial.suppressed)


def test_no_pool_for_a_handful_of_files():
    assert pool_size(jobs=8, files=1) == 1
    assert pool_size(jobs=8, files=2 * FILES_PER_WORKER - 1) == 1
    assert pool_size(jobs=8, files=2 * FILES_PER_WORKER) == 2
    assert pool_size(jobs=1, files=1000) == 1
    assert pool_size(jobs=4, files=1000) == 4


def test_an_unreadable_file_is_reported_and_the_others_are_linted(tmp_path):
    copies(tmp_path, 3)
    os.symlink(tmp_path / "gone.py", tmp_path / "dangling.py")  # listed by the walk, cannot be opened
    for jobs, cache in ((1, False), (2, False), (1, True)):
        report = lint_paths([str(tmp_path)], settings_for(tmp_path), jobs=jobs, cache=cache)
        dangling = [d for d in report.diagnostics if d.path.endswith("dangling.py")]
        assert [d.code for d in dangling] == ["AIO002"]
        assert len({d.path for d in report.diagnostics}) > 10


def live_trees() -> int:
    gc.collect()
    return sum(1 for item in gc.get_objects() if isinstance(item, cst.Module))


def test_no_tree_outlives_its_file(tmp_path):
    copies(tmp_path, 2)
    before = live_trees()
    report = lint_paths([str(tmp_path)], settings_for(tmp_path), jobs=1)
    assert report.parsed > 5
    assert live_trees() == before


def test_the_rule_catalog_is_built_once_however_many_files(tmp_path, monkeypatch):
    """The configuration asks for the catalog for every file: building it each time (each rule's
    documentation parsed) once cost more than linting a small file."""
    from aiolint import catalog
    from aiolint.rules.base import Rule

    calls = []
    documentation = Rule.documentation.__func__
    monkeypatch.setattr(Rule, "documentation", classmethod(lambda cls: calls.append(cls) or documentation(cls)))
    catalog._catalog_of.cache_clear()
    copies(tmp_path, 4)
    report = lint_paths([str(tmp_path)], settings_for(tmp_path))
    assert report.files == 4 * len(list(FIXTURES.glob("*.py"))) and report.diagnostics
    assert 0 < len(calls) <= 2 * len(catalog.rule_catalog())  # documentation() and doc_sections(), per rule


def die(task):
    """A worker killed while it lints (by the system when memory runs out, or a crash in native code)."""
    os._exit(1)


def test_workers_that_die_cost_only_their_files(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from aiolint import cli, pool

    copies(tmp_path, 4)
    (tmp_path / "dies.py").write_text("import time\n")
    monkeypatch.setattr(pool, "lint_task", lambda task, limits, project: die(task) if task[0].endswith("dies.py")
                        else runner_lint_task(task, limits, project))
    result = CliRunner().invoke(cli.main, ["--no-cache", "--isolated", "--jobs", "2", str(tmp_path)])
    assert result.exit_code == 1
    assert "dies.py:1:1: AIO006 The process checking this file died, twice" in result.output
    serial = CliRunner().invoke(cli.main, ["--no-cache", "--isolated", "--jobs", "1", "--extend-exclude", "dies.py",
                                           str(tmp_path)])
    assert set(serial.output.splitlines()[:-1]) < set(result.output.splitlines())  # every other finding
    assert "Traceback" not in result.output