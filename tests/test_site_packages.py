"""The whole test environment's site-packages, linted: thousands of real files nobody wrote for
aiolint. Slow: deselect locally with ``-m 'not site_packages'``; CI runs it."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import sysconfig
import warnings

import pytest

from .conftest import ROOT


def parses(path: str) -> bool:
    try:
        with open(path, "rb") as handle, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(handle.read())
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError, OSError):
        return False


@pytest.mark.site_packages
def test_site_packages_lint_without_internal_errors_or_false_syntax_errors(tmp_path):
    site_packages = sysconfig.get_paths()["purelib"]
    run = subprocess.run(
        [sys.executable, "-m", "aiolint", "--isolated", "--no-cache", "--exclude", "__pycache__",
         "--no-respect-gitignore", "--select", "ALL", "--exit-zero", "--output-format", "json", "-v", site_packages],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "internal error" not in run.stderr
    files = int(run.stderr.split("aiolint: ", 1)[1].split(" files", 1)[0])
    assert files > 500  # pytest, LibCST, hypothesis, flake8, pre-commit and their dependencies
    findings = json.loads(run.stdout)
    false_syntax_errors = [d for d in findings if d["code"] == "AIO001" and parses(d["path"])]
    assert false_syntax_errors == []
