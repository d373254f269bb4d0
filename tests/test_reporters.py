"""Output formats for CI and editors (SARIF, GitHub annotations, JSON lines) and the terminal."""

from __future__ import annotations

import hashlib
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path
from typing import List

import jsonschema
import pytest

from aiolint.diagnostics import PARSE_ERROR, Diagnostic, Edit, Fix, file_diagnostic
from aiolint.engine import RuleFailure
from aiolint.reporters import REPORTERS, github
from aiolint.rules import REGISTRY
from aiolint.config import Selection, Settings
from aiolint.runner import Report, lint_paths

from .conftest import ROOT, fixture_files

SCHEMA = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"  # the OASIS schema, errata 01
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aiolint", "--isolated", *args], cwd=cwd,
                          capture_output=True, text=True)


def fixture_report() -> Report:
    """Every rule over every fixture, fixture projects included, as the CLI would report it."""
    settings = Settings(root=str(ROOT), respect_gitignore=False, selection=Selection(["AIO"]))
    previous = os.getcwd()
    os.chdir(ROOT)  # paths as the command line gives them: relative to where it runs
    try:
        report = lint_paths(["fixtures"], settings)
    finally:
        os.chdir(previous)
    assert report.diagnostics, "the fixtures report nothing: these tests would prove nothing"
    return report


def tricky_report() -> Report:
    """What real runs rarely combine: a fix, an odd path, a syntax error, a rule that failed."""
    code = next(iter(REGISTRY))
    with_fix = Diagnostic("odd dir/a,b:c.py", 3, 5, 4, 2, code, REGISTRY[code].name, "100% wrong,\nreally: yes",
                          Fix("safe", (Edit(3, 5, 3, 9, "await x"),)))
    broken = file_diagnostic("broken.py", PARSE_ERROR, "Syntax error: invalid syntax; the file was not checked.", 2, 7)
    return Report(files=2, diagnostics=[with_fix, broken], failures=[RuleFailure("c.py", code, "KeyError: 'x'")])


# -- SARIF --------------------------------------------------------------------------------------

def validate_sarif(text: str) -> dict:
    log = json.loads(text)
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(log)
    return log


def test_vendored_schema_is_the_official_one():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    jsonschema.Draft4Validator.check_schema(schema)
    # The file as published (errata 01), byte for byte: an edit to the vendored copy fails here.
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == SCHEMA_SHA256


def test_sarif_from_the_command_line_validates_and_describes_every_rule():
    run = cli("--output-format", "sarif", "--select", "AIO", "fixtures")
    assert run.returncode == 1, run.stderr
    log = validate_sarif(run.stdout)
    assert log["version"] == "2.1.0"
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "aiolint"
    described = {rule["id"]: rule for rule in driver["rules"]}
    for code, rule in REGISTRY.items():
        assert described[code]["name"] == rule.name
        assert described[code]["shortDescription"]["text"] == rule.summary
        assert described[code]["fullDescription"]["text"]
        assert described[code]["help"]["markdown"] == rule.documentation()
        assert described[code]["defaultConfiguration"]["enabled"] is rule.default_enabled


def test_sarif_results_point_at_the_findings():
    report = fixture_report()
    log = validate_sarif(REPORTERS["sarif"](report))
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == len(report.diagnostics)
    for result, d in zip(run["results"], report.diagnostics):
        assert result["ruleId"] == rules[result["ruleIndex"]]["id"] == d.code
        assert result["level"] == "error"
        assert result["message"]["text"] == d.message
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == Path(d.path).as_posix()  # relative, POSIX
        assert location["region"] == {"startLine": d.line, "startColumn": d.column,
                                      "endLine": d.end_line, "endColumn": d.end_column}


def test_sarif_carries_fixes_syntax_errors_and_failed_rules():
    log = validate_sarif(REPORTERS["sarif"](tricky_report()))
    run = log["runs"][0]
    with_fix, broken = run["results"]
    assert with_fix["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "odd%20dir/a%2Cb%3Ac.py"
    change = with_fix["fixes"][0]["artifactChanges"][0]
    assert change["replacements"] == [{"deletedRegion": {"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 9},
                                       "insertedContent": {"text": "await x"}}]
    assert run["tool"]["driver"]["rules"][broken["ruleIndex"]]["id"] == "AIO001"
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert "KeyError" in invocation["toolExecutionNotifications"][0]["message"]["text"]


# -- GitHub workflow commands -------------------------------------------------------------------

ANNOTATION = re.compile(r"::error file=(?P<file>[^,:]+),line=(?P<line>\d+),col=(?P<col>\d+),"
                        r"endLine=(?P<end_line>\d+),endColumn=(?P<end_column>\d+),"
                        r"title=(?P<code>AIO\d{3}) (?P<name>[a-z0-9-]+)::(?P<message>[^\r\n]+)")


def test_github_annotations_are_one_line_per_finding():
    run = cli("--output-format", "github", "--select", "AIO", "fixtures")
    assert run.returncode == 1, run.stderr
    report = fixture_report()
    lines = run.stdout.splitlines()
    assert len(lines) == len(report.diagnostics)
    for line, d in zip(lines, report.diagnostics):
        match = ANNOTATION.fullmatch(line)
        assert match, line
        assert match.groupdict() == {"file": d.path, "line": str(d.line), "col": str(d.column),
                                     "end_line": str(d.end_line), "end_column": str(d.end_column),
                                     "code": d.code, "name": d.name, "message": github.escape_data(d.message)}


def test_github_escapes_what_would_break_the_command():
    first = REPORTERS["github"](tricky_report()).splitlines()[0]
    assert first.startswith("::error file=odd dir/a%2Cb%3Ac.py,line=3,col=5,endLine=4,endColumn=2,title=")
    assert first.endswith("::100%25 wrong,%0Areally: yes")


def test_readme_uses_only_formats_that_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    used = set(re.findall(r"--output-format ([a-z-]+)", readme))
    assert {"github", "sarif"} <= used <= set(REPORTERS)


# -- JSON lines ---------------------------------------------------------------------------------

def test_json_lines_holds_the_json_formats_objects_one_per_line():
    report = fixture_report()
    lines = REPORTERS["json-lines"](report).splitlines()
    assert [json.loads(line) for line in lines] == json.loads(REPORTERS["json"](report))
    assert len(lines) == len(report.diagnostics)


# -- text on a terminal -------------------------------------------------------------------------

def run_in_terminal(args: List[str], env_extra: dict) -> str:
    """Run aiolint with its stdout on a real pseudo-terminal; return what the terminal got."""
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    env.update(env_extra)
    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "aiolint", "--isolated", *args], cwd=ROOT, env=env,
                               stdout=terminal, stderr=subprocess.PIPE)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    process.communicate()
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


@pytest.fixture(scope="module")
def finding():
    """The first finding in the fixtures, as piped (plain) output shows it."""
    fixture = fixture_files()[0]
    path = str(fixture.relative_to(ROOT))
    run = cli("--select", "AIO", path)
    plain = run.stdout.splitlines()
    assert plain and "\x1b" not in run.stdout
    assert re.fullmatch(r"[^:]+:\d+:\d+: AIO\d{3} .+", plain[0])
    line, column = (int(part) for part in plain[0].split(":")[1:3])
    source = fixture.read_text(encoding="utf-8").splitlines()[line - 1]
    return path, plain[0], line, column, source


def assert_source_and_caret(output: str, finding) -> None:
    path, first, line, column, source = finding
    lines = ANSI.sub("", output).splitlines()
    assert lines[0] == first
    shown = lines.index(f"{line} | {source.rstrip()}")
    caret_line = lines[shown + 1]
    gutter = " " * len(str(line)) + " | "
    assert caret_line.startswith(gutter)
    assert caret_line[len(gutter):].index("^") == column - 1 or "\t" in source


def test_terminal_gets_colour_and_the_source_line_with_a_caret(finding):
    output = run_in_terminal(["--select", "AIO", finding[0]], {"TERM": "xterm"})
    assert ANSI.search(output)
    assert_source_and_caret(output, finding)


def test_the_caret_line_of_a_multi_line_finding_covers_its_first_line_to_the_end(tmp_path):
    path = tmp_path / "t.py"
    path.write_text("async def f(a):\n    try:\n        x = call(a,\n                 b)  \n    except:\n        pass\n")
    report = Report(files=1, diagnostics=[
        Diagnostic(str(path), 3, 13, 4, 19, "AIO501", "broad-except", "m"),  # `call(a,` ... `b)`
        Diagnostic(str(path), 5, 5, 6, 13, "AIO501", "broad-except", "m"),  # the whole handler
        Diagnostic(str(path), 3, 9, 3, 10, "AIO501", "broad-except", "m"),  # one character
    ])
    lines = REPORTERS["text"](report, context=True).splitlines()
    assert lines[1:4] == ["  |", "3 |         x = call(a,", "  |             ^^^^^^^"]
    assert lines[6:9] == ["  |", "5 |     except:", "  |     ^^^^^^^"]
    assert lines[11:14] == ["  |", "3 |         x = call(a,", "  |         ^"]


@pytest.mark.parametrize("how", [["--no-color"], "NO_COLOR"], ids=["--no-color", "NO_COLOR"])
def test_no_color_keeps_the_caret_but_drops_the_colours(finding, how):
    args = how if isinstance(how, list) else []
    env = {"TERM": "xterm", **({"NO_COLOR": "1"} if how == "NO_COLOR" else {})}
    output = run_in_terminal([*args, "--select", "AIO", finding[0]], env)
    assert "\x1b" not in output
    assert_source_and_caret(output, finding)
