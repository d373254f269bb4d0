"""The pre-commit hook, through the real ``pre-commit try-repo`` on a throw-away git repository.

``try-repo`` installs the hook's repository into a fresh environment with pip, so
these tests take a while and need the package index.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aiolint.engine import lint_source

from .conftest import ROOT, fixture_files

CLEAN = "import asyncio\n\n\nasync def main():\n    await asyncio.sleep(1)\n"


def commit_everything(root: Path) -> None:
    for args in (["init", "-q"], ["config", "user.email", "tests@example.com"], ["config", "user.name", "tests"],
                 ["add", "."], ["commit", "-q", "-m", "snapshot"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A git repository with a bad file, a clean one, and a bad one its configuration excludes."""
    bad = next((f for f in fixture_files() if lint_source(f.read_bytes(), f.name).diagnostics), None)
    assert bad is not None, "no fixture reports anything with the default rules"
    root = tmp_path_factory.mktemp("project")
    (root / "bad.py").write_bytes(bad.read_bytes())
    (root / "clean.py").write_text(CLEAN, encoding="utf-8")
    (root / "generated").mkdir()
    (root / "generated" / "client.py").write_bytes(bad.read_bytes())
    (root / "pyproject.toml").write_text('[tool.aiolint]\nextend-exclude = ["generated"]\n', encoding="utf-8")
    commit_everything(root)
    first = lint_source(bad.read_bytes(), "bad.py").diagnostics[0]
    return root, f"bad.py:{first.line}:{first.column}: {first.code} "


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    """This checkout as it is on disk, committed into a clone-like repository of its own.

    try-repo on the checkout itself would take HEAD plus changes to tracked files only;
    a snapshot of every file git does not ignore tests exactly the code under test.
    """
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, check=True, capture_output=True, text=True).stdout.split("\0")
    snapshot = tmp_path_factory.mktemp("aiolint-repo")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, snapshot / name)
    commit_everything(snapshot)
    return snapshot


def try_repo(hook_repo: Path, root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GIT_", "PRE_COMMIT"))}
    env["PRE_COMMIT_HOME"] = str(root.parent / "pre-commit-home")  # not the user's cache
    env["NO_COLOR"] = "1"
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "aiolint", *args],
                          cwd=root, env=env, capture_output=True, text=True)


def test_hook_fails_on_the_bad_file_and_names_the_finding(hook_repo, project):
    root, finding = project
    run = try_repo(hook_repo, root, "--all-files")
    assert run.returncode == 1, run.stdout + run.stderr
    assert finding in run.stdout
    assert "clean.py" not in run.stdout
    # pre-commit names generated/client.py, but the configuration excludes it (--force-exclude).
    assert "generated" not in run.stdout


def test_hook_runs_once_for_all_files_with_one_summary(hook_repo, project, tmp_path):
    root = tmp_path / "many"
    shutil.copytree(project[0], root, ignore=shutil.ignore_patterns(".git"))
    for number in range(8):  # enough files for pre-commit to split them among processes, were the hook parallel
        (root / f"extra_{number}.py").write_text("x = 1\n")
    commit_everything(root)
    run = try_repo(hook_repo, root, "--all-files", "--verbose")
    summaries = [line for line in run.stdout.splitlines() if line.startswith(("Found ", "All checks passed"))]
    assert len(summaries) == 1, run.stdout


def test_hook_passes_on_the_clean_file(hook_repo, project):
    root, _ = project
    run = try_repo(hook_repo, root, "--files", "clean.py")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "aiolint" in run.stdout and "Passed" in run.stdout


def pre_commit(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, capture_output=True, text=True)


def test_manifest_is_valid_for_pre_commit():
    run = pre_commit("validate-manifest", ".pre-commit-hooks.yaml")
    assert run.returncode == 0, run.stdout + run.stderr


def test_readme_snippet_is_a_valid_config_using_this_hook(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    snippets = [block for block in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "\nrepos:" in "\n" + block]
    assert len(snippets) == 1, "the README shows one .pre-commit-config.yaml snippet"
    (tmp_path / ".pre-commit-config.yaml").write_text(snippets[0], encoding="utf-8")
    run = pre_commit("validate-config", ".pre-commit-config.yaml", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    manifest = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    for hook_id in re.findall(r"- id: (\S+)", snippets[0]):
        assert f"- id: {hook_id}\n" in manifest
