"""The output formats added for CI dashboards and terminals, and the rough edges a new user meets."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from aiolint.cli import STATISTICS_FORMATS
from aiolint.diagnostics import Diagnostic
from aiolint.reporters import REPORTERS
from aiolint.reporters.text import render
from aiolint.runner import Report
from aiolint.terminal import use_color

SLEEPS = "import time\n\nasync def f():\n    time.sleep(1)\n    time.sleep(2)\n"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def aiolint(*args, cwd, env=None):
    environ = {key: value for key, value in os.environ.items()
               if key not in ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "CI_PROJECT_DIR")}
    environ.update(env or {})
    return subprocess.run([sys.executable, "-m", "aiolint", "--no-cache", "--isolated", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, env=environ)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "poll.py").write_text(SLEEPS)
    return tmp_path


def test_gitlab_code_quality_with_the_baselines_fingerprints(project):
    run = aiolint("--output-format", "gitlab", ".", cwd=project)
    issues = json.loads(run.stdout)
    assert [(i["check_name"], i["location"]["path"], i["location"]["positions"]["begin"]["line"]) for i in issues] == [
        ("AIO301", "app/poll.py", 4), ("AIO301", "app/poll.py", 5)]
    assert all(i["severity"] == "major" and i["description"].startswith("AIO301 ") for i in issues)
    aiolint("--write-baseline", "baseline.json", ".", cwd=project)
    from aiolint.baseline import read_baseline

    entries = read_baseline(str(project / "baseline.json"))
    assert sorted(i["fingerprint"] for i in issues) == sorted(e.fingerprint for e in entries)
    (project / "app" / "poll.py").write_text("# moved down\n\n" + SLEEPS)
    again = json.loads(aiolint("--output-format", "gitlab", ".", cwd=project).stdout)
    assert [i["fingerprint"] for i in again] == [i["fingerprint"] for i in issues]  # stable across edits above
    moved = aiolint("--output-format", "gitlab", "poll.py", cwd=project / "app", env={"CI_PROJECT_DIR": str(project)})
    assert [i["location"]["path"] for i in json.loads(moved.stdout)] == ["app/poll.py"] * 2


def test_junit_has_a_failing_case_per_finding_and_a_passing_one_when_clean(project):
    tree = ET.fromstring(aiolint("--output-format", "junit", ".", cwd=project).stdout)
    assert tree.tag == "testsuites" and tree.get("failures") == "2"
    cases = tree.findall("./testsuite/testcase")
    assert [case.get("name") for case in cases] == ["AIO301 at 4:5", "AIO301 at 5:5"]
    assert all(case.find("failure").get("type") == "AIO301" for case in cases)
    (project / "app" / "poll.py").write_text("x = 1\n")
    clean = ET.fromstring(aiolint("--output-format", "junit", ".", cwd=project).stdout)
    assert clean.get("failures") == "0" and clean.find("./testsuite/testcase").find("failure") is None


def test_concise_never_shows_source_and_full_always_does(project):
    concise = aiolint("--output-format", "concise", ".", cwd=project)
    assert concise.stdout.splitlines()[0].startswith("app/poll.py:4:5: AIO301 ") and "|" not in concise.stdout
    full = aiolint("--output-format", "full", ".", cwd=project)  # piped, yet with source lines
    assert "4 |     time.sleep(1)\n  |     ^^^^^^^^^^^^^" in full.stdout
    assert "\x1b" not in full.stdout


@pytest.mark.parametrize("args, env, coloured", [
    (["--color", "always"], {}, True),
    ([], {"FORCE_COLOR": "1"}, True),
    ([], {"CLICOLOR_FORCE": "1"}, True),
    ([], {"FORCE_COLOR": "0"}, False),
    (["--color", "never"], {"FORCE_COLOR": "1"}, False),
    ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    (["--color", "always", "--no-color"], {}, False),
    (["--color", "auto"], {}, False),  # piped
])
def test_color_flag_and_environment(project, args, env, coloured):
    run = aiolint(*args, ".", cwd=project, env=env)
    assert bool(ANSI.search(run.stdout)) is coloured
    assert ANSI.sub("", run.stdout).splitlines()[0].startswith("app/poll.py:4:5: AIO301")


def test_use_color_precedence():
    assert use_color(None, terminal=True, environ={}) is True
    assert use_color(None, terminal=True, environ={"NO_COLOR": "1"}) is False
    assert use_color("auto", terminal=False, environ={"FORCE_COLOR": "true"}) is True


@pytest.mark.parametrize("prefix", ["s = '🎉'; ", "s = '漢字'; ", "s = 'e\u0301'; "])
def test_carets_line_up_after_wide_and_combining_characters(prefix):
    line = f"    {prefix}time.sleep(1)"
    start = line.index("time")
    report = Report(diagnostics=[Diagnostic("-", 1, start + 1, 1, start + 14, "AIO301", "blocking-sleep", "m")])
    from aiolint.reporters import text

    original = text._read_lines
    text._read_lines = lambda path: [line]
    try:
        output = render(report, context=True)
    finally:
        text._read_lines = original
    source_line, caret_line = output.splitlines()[2:4]
    import unicodedata

    def display(s):
        return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)

    shown = source_line[len("1 | "):]
    carets = caret_line[len("  | "):]
    assert carets.index("^") == display(shown[:start])
    assert carets.count("^") == len("time.sleep(1)")


def test_output_file_creates_missing_directories(project):
    run = aiolint("--output-format", "json", "--output-file", "reports/ci/aiolint.json", ".", cwd=project)
    assert run.returncode == 1, run.stderr
    assert len(json.loads((project / "reports" / "ci" / "aiolint.json").read_text())) == 2


@pytest.mark.parametrize("output_format", sorted(REPORTERS))
def test_statistics_honour_each_format_or_refuse_it(project, output_format):
    run = aiolint("--statistics", "--output-format", output_format, ".", cwd=project)
    if output_format not in STATISTICS_FORMATS:
        assert run.returncode == 2 and "--statistics cannot be written as" in run.stderr
        assert run.stdout == ""
    elif output_format == "json":
        assert json.loads(run.stdout) == [{"code": "AIO301", "name": "blocking-sleep", "count": 2, "suppressed": 0,
                                           "fixable": False}]  # its fix is unsafe
    elif output_format == "json-lines":
        assert [json.loads(line) for line in run.stdout.splitlines()] == [
            {"code": "AIO301", "name": "blocking-sleep", "count": 2, "suppressed": 0, "fixable": False}]
    else:
        assert run.stdout == "2  AIO301  blocking-sleep\n"


def test_no_python_files_is_a_warning_not_all_checks_passed(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("x")
    run = aiolint("empty", cwd=tmp_path)
    assert run.returncode == 0
    assert "warning: no Python files found" in run.stderr


def test_rules_as_json(tmp_path):
    run = subprocess.run([sys.executable, "-m", "aiolint", "rules", "--output-format", "json"],
                         capture_output=True, text=True, cwd=tmp_path)
    rules = json.loads(run.stdout)
    by_code = {rule["code"]: rule for rule in rules}
    assert by_code["AIO501"]["peer_codes"] == ["BLE001", "E722", "S110", "S112"]
    assert by_code["AIO000"]["default"] is False
    assert "## What it does" in by_code["AIO301"]["documentation"]
