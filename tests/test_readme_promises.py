"""What the README promises users, checked as a user would meet it: a real process, a real project."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

import aiolint
from aiolint import cli
from aiolint.config import DEFAULT_EXCLUDE
from aiolint.rules import REGISTRY

from .conftest import ROOT, SLEEPS, run_aiolint as aiolint_run, write_tree as write
from .rule_probes import Crashes

README = (ROOT / "README.md").read_text(encoding="utf-8")
def reported_paths(run):
    return sorted({line.split(":")[0] for line in run.stdout.splitlines()})


# -- Configuration --------------------------------------------------------------------------------

def test_a_per_file_ignores_pattern_naming_a_directory_covers_every_file_below_it(tmp_path):
    write(tmp_path, {
        "pyproject.toml": """\
            [tool.aiolint]
            per-file-ignores = { "src/legacy" = ["AIO3"], "migrations" = ["AIO301"] }
            """,
        "src/legacy/a.py": SLEEPS,
        "src/legacy/deep/er/b.py": SLEEPS,
        "pkg/migrations/v1/m.py": SLEEPS,
        "migrations/m.py": SLEEPS,
        # Not below those directories: still reported.
        "src/legacy_extra/c.py": SLEEPS,
        "src/app.py": SLEEPS,
        "other/src/legacy/d.py": SLEEPS,  # "src/legacy" has a slash: it is matched from the root only
    })
    run = aiolint_run(".", cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    assert reported_paths(run) == ["other/src/legacy/d.py", "src/app.py", "src/legacy_extra/c.py"]


def readme_default_excludes():
    """The default of ``exclude`` in the README's configuration table."""
    row = re.search(r"^\| `exclude` \|[^|]*\| (?P<default>[^|]*) \|", README, re.M)
    assert row, "the README's configuration table has no `exclude` row"
    return re.findall(r"`([^`]+)`", row.group("default"))


def test_the_readme_lists_the_default_excludes_aiolint_applies():
    assert sorted(readme_default_excludes()) == sorted(DEFAULT_EXCLUDE)
    usage = re.search(r"skipping (?P<names>.*?) \(see `exclude` below\)", README, re.S)
    assert usage and set(re.findall(r"`([^`]+)`", usage.group("names"))) <= set(DEFAULT_EXCLUDE)


def test_every_default_exclude_is_excluded_at_any_depth(tmp_path):
    names = readme_default_excludes()
    write(tmp_path, {"kept.py": SLEEPS, **{f"{name}/a.py": SLEEPS for name in names},
                     **{f"pkg/{name}/deeper/b.py": SLEEPS for name in names}})
    run = aiolint_run(".", cwd=tmp_path)
    assert reported_paths(run) == ["kept.py"], run.stderr


# -- Exit codes -----------------------------------------------------------------------------------

def rule_crashes(monkeypatch):
    monkeypatch.setitem(REGISTRY, Crashes.code, Crashes)
    return ["--select", "AIO991,AIO301"]


def engine_bug(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug in the engine")

    monkeypatch.setattr(cli, "lint_paths", broken)
    return []


def fix_cannot_be_written(monkeypatch):
    def refuse(path, data):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr("aiolint.fixer.write_atomically", refuse)
    return ["--fix", "--unsafe-fixes"]


@pytest.mark.parametrize("internal_error", [rule_crashes, engine_bug, fix_cannot_be_written])
def test_exit_zero_never_hides_an_internal_error(tmp_path, monkeypatch, internal_error):
    (tmp_path / "poll.py").write_text("import asyncio\n" + SLEEPS)
    args = ["--isolated", "--no-cache", *internal_error(monkeypatch), str(tmp_path)]
    assert CliRunner().invoke(cli.main, args).exit_code == 2
    assert CliRunner().invoke(cli.main, ["--exit-zero", *args]).exit_code == 2


# -- Performance: the cache -----------------------------------------------------------------------

def test_the_cache_is_invalidated_when_aiolints_own_code_changes(tmp_path):
    """A development install whose rule is edited: the next run lints again, with the edited rule."""
    site = tmp_path / "site"
    shutil.copytree(os.path.dirname(aiolint.__file__), site / "aiolint",
                    ignore=shutil.ignore_patterns("__pycache__"))
    project = tmp_path / "project"
    write(project, {"poll.py": SLEEPS})
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run([sys.executable, "-c", "import aiolint; print(aiolint.__file__)"], cwd=project, env=env,
                           capture_output=True, text=True)
    assert where.stdout.startswith(str(site)), where.stderr

    def lint():
        return aiolint_run("--isolated", "--verbose", "poll.py", cwd=project, env=env)

    first, second = lint(), lint()
    assert "0 from the cache" in first.stderr
    assert "1 from the cache" in second.stderr and second.stdout == first.stdout
    table = site / "aiolint" / "semantics" / "blocking.py"
    text = table.read_text(encoding="utf-8")
    assert "use `await asyncio.sleep()`" in text
    table.write_text(text.replace("use `await asyncio.sleep()`", "use `await asyncio.sleep()` instead"),
                     encoding="utf-8")
    third = lint()
    assert "0 from the cache" in third.stderr
    assert "asyncio.sleep()` instead." in third.stdout
