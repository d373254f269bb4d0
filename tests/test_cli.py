"""The command line as a new user meets it: real processes, real files, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiolint import cli
from aiolint.rules import REGISTRY

from .conftest import FIXTURES, POLL_EXAMPLE as POLL
from .rule_probes import Crashes



def aiolint(*args, cwd=None, script=False):
    command = [str(Path(sys.executable).with_name("aiolint"))] if script else [sys.executable, "-m", "aiolint"]
    return subprocess.run([*command, *map(str, args)], capture_output=True, text=True, cwd=cwd)


def test_console_script_lints_the_fixtures_and_exits_1():
    run = aiolint(FIXTURES, script=True)
    assert run.returncode == 1, run.stderr
    lines = run.stdout.splitlines()
    assert lines and all(line.startswith(str(FIXTURES)) for line in lines)
    assert "Found" in run.stderr


def test_the_poll_example_reports_exactly_aio301_and_aio503(tmp_path):
    (tmp_path / "poll.py").write_text(POLL)
    run = aiolint("poll.py", "--output-format", "json", cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    assert [(d["line"], d["code"]) for d in json.loads(run.stdout)] == [(5, "AIO301"), (10, "AIO503")]


def test_text_output_is_path_line_col_code_message(tmp_path):
    (tmp_path / "poll.py").write_text(POLL)
    run = aiolint("poll.py", "--select", "AIO301", cwd=tmp_path)
    (line,) = run.stdout.splitlines()
    assert line.startswith("poll.py:5:5: AIO301 ")


def test_json_objects_have_exactly_the_contract_fields():
    run = aiolint(FIXTURES, "--output-format", "json")
    findings = json.loads(run.stdout)
    assert findings
    fields = {"path", "line", "column", "end_line", "end_column", "code", "name", "message", "fix"}
    assert all(set(finding) == fields for finding in findings)
    assert findings == sorted(findings, key=lambda d: (d["path"], d["line"], d["column"]))


def test_select_reports_only_the_selected_code():
    run = aiolint("--select", "AIO301", FIXTURES, "--quiet")
    codes = {line.split()[1] for line in run.stdout.splitlines()}
    assert codes == {"AIO301"}
    assert run.stderr == ""


def test_ignore_by_prefix_and_exit_zero(tmp_path):
    (tmp_path / "poll.py").write_text(POLL)
    assert aiolint("--ignore", "AIO3,AIO5", "poll.py", cwd=tmp_path).returncode == 0
    assert aiolint("--exit-zero", "poll.py", cwd=tmp_path).returncode == 0


def test_bad_input_is_reported_and_the_run_goes_on(tmp_path):
    (tmp_path / "a_syntax.py").write_text("def broken(:\n    pass\n")
    (tmp_path / "b_latin1.py").write_bytes("# -*- coding: latin-1 -*-\nname = 'Müller'\n".encode("latin-1"))
    (tmp_path / "c_binary.py").write_bytes(b"x = '\xff\xfe\xfa'\n")
    (tmp_path / "d_poll.py").write_text(POLL)
    run = aiolint(".", "--output-format", "json", cwd=tmp_path)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    by_file = {}
    for finding in json.loads(run.stdout):
        by_file.setdefault(finding["path"], []).append(finding["code"])
    assert by_file == {"a_syntax.py": ["AIO001"], "c_binary.py": ["AIO002"], "d_poll.py": ["AIO301", "AIO503"]}


def test_missing_path_is_a_usage_error_naming_it(tmp_path):
    run = aiolint("no/such/dir", cwd=tmp_path)
    assert run.returncode == 2
    assert "no/such/dir" in run.stderr


def test_unknown_code_is_a_usage_error(tmp_path):
    run = aiolint("--select", "AIO399", ".", cwd=tmp_path)
    assert run.returncode == 2
    assert "AIO399" in run.stderr


def test_rules_lists_every_rule_and_explain_prints_its_docs():
    listing = aiolint("rules")
    assert listing.returncode == 0
    for code, rule in REGISTRY.items():
        assert f"{code}  {rule.name}" in listing.stdout
    explained = aiolint("explain", "AIO503")
    assert explained.returncode == 0
    for section in ("What it does", "Why is this bad?", "Example", "Use instead", "Known limits"):
        assert f"## {section}" in explained.stdout
    assert aiolint("explain", "AIO009").returncode == 2


def test_default_path_is_the_current_directory(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "poll.py").write_text(POLL)
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "vendored.py").write_text(POLL)
    run = aiolint("--select", "AIO301", cwd=tmp_path)
    assert run.stdout.splitlines() == [line for line in run.stdout.splitlines() if line.startswith("pkg/poll.py:5:")]
    assert len(run.stdout.splitlines()) == 1


def test_a_rule_that_crashes_is_an_internal_error_exit_2(tmp_path, monkeypatch):
    monkeypatch.setitem(REGISTRY, Crashes.code, Crashes)
    (tmp_path / "one.py").write_text(POLL)
    (tmp_path / "two.py").write_text(POLL)
    result = CliRunner().invoke(cli.main, ["--select", "AIO991,AIO301", str(tmp_path)])
    assert result.exit_code == 2
    assert "AIO991" in result.output and "one.py" in result.output and "two.py" in result.output
    assert result.output.count("AIO301") == 2  # both files were still linted


@pytest.mark.parametrize("rule", sorted(REGISTRY.values(), key=lambda r: r.code), ids=lambda r: r.code)
def test_every_rule_documents_every_section(rule):
    sections = rule.doc_sections()
    assert list(sections) == ["What it does", "Why is this bad?", "Example", "Use instead", "Known limits"]
    assert all(sections.values())
    assert rule.message.rstrip().endswith(".") and rule.summary


def test_a_shared_paragraph_is_written_out_where_a_rule_names_it():
    """Rules that skip test code say so with the same words, and no ``{name}`` line is left unexpanded."""
    expected_warnings = "Nor is code under `pytest.warns(...)`"
    skipping = {code: rule.doc_sections()["Known limits"] for code, rule in REGISTRY.items()
                if "is not checked: tests use such code on purpose" in rule.documentation()}
    assert {"AIO505", "AIO701", "AIO803"} <= set(skipping)
    assert expected_warnings in skipping["AIO803"] and expected_warnings not in skipping["AIO701"]
    for rule in REGISTRY.values():
        assert not any(line.strip().startswith("{") and line.strip().endswith("}")
                       for line in rule.documentation().splitlines()), rule.code


def test_a_bug_outside_the_rules_is_exit_2_with_its_traceback(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug in the engine")

    monkeypatch.setattr(cli, "lint_paths", broken)
    (tmp_path / "poll.py").write_text(POLL)
    result = CliRunner().invoke(cli.main, [str(tmp_path)])
    assert result.exit_code == 2  # not 1, which would read as "findings"
    assert "aiolint: internal error (a bug in aiolint" in result.output
    assert "ValueError: a bug in the engine" in result.output
