"""Input a repository may hold that a linter does not choose: none of it hangs a run, sinks it,
or costs the other files their findings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aiolint.config import Settings
from aiolint.runner import lint_paths

from .conftest import ROOT

ORDINARY = "import time\n\nasync def poll():\n    time.sleep(1)\n"  # AIO301 on line 4
# A run that hangs fails the test instead of stopping the suite.
HANG = 120


def aiolint(*args: str, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "aiolint", *args], cwd=cwd, env=env, capture_output=True,
                          timeout=HANG, **kwargs)


def ordinary_files(directory: Path, count: int) -> None:
    for number in range(count):
        (directory / f"ordinary{number}.py").write_text(ORDINARY)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("args", [["--no-cache", "-j", "1"], ["-j", "1"], ["--no-cache", "-j", "2"], ["-j", "2"]])
def test_a_fifo_is_reported_without_being_read(tmp_path, args):
    ordinary_files(tmp_path, 20)  # enough for two processes
    os.mkfifo(tmp_path / "pipe.py")
    for paths in (["."], ["pipe.py", "ordinary0.py"]):
        run = aiolint(*args, *paths, cwd=tmp_path, text=True)
        assert run.returncode == 1, run.stderr
        assert "pipe.py:1:1: AIO002 Cannot read the file: it is a FIFO (named pipe), not a regular file." in run.stdout
        assert "ordinary0.py:4:5: AIO301" in run.stdout


def test_a_directory_that_cannot_be_listed_is_reported(tmp_path, monkeypatch):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text(ORDINARY)
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "b.py").write_text(ORDINARY)
    if os.geteuid() == 0 if hasattr(os, "geteuid") else False:  # root lists any directory: refuse it as the system would
        scandir = os.scandir

        def refusing(path=".", *rest):
            if os.fspath(path) == str(locked):
                raise PermissionError(13, "Permission denied", str(locked))
            return scandir(path, *rest)

        monkeypatch.setattr(os, "scandir", refusing)
    else:
        locked.chmod(0)
    try:
        report = lint_paths([str(tmp_path)], Settings(root=str(tmp_path), respect_gitignore=False))
    finally:
        locked.chmod(0o755)
    assert [(d.path, d.code, d.message) for d in report.diagnostics if d.code == "AIO002"] == [
        (str(locked), "AIO002", "Cannot read the directory: Permission denied.")]
    assert report.files == 2
    assert [d.code for d in report.diagnostics if d.path.endswith("a.py")] == ["AIO301"]


NAMES = {"bad\xff.py": b"bad\xff.py", "new\nline.py": b"new\nline.py"}  # what the tests write, and as bytes


@pytest.fixture
def odd_names(tmp_path):
    """A file whose name is not UTF-8 and one whose name holds a newline, each with one finding."""
    for name in NAMES.values():
        with open(os.path.join(os.fsencode(tmp_path), name), "w") as handle:
            handle.write(ORDINARY)
    return tmp_path


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names")
def test_odd_file_names_in_text_output(odd_names):
    run = aiolint("--no-cache", ".", cwd=odd_names)
    assert run.returncode == 1, run.stderr
    lines = run.stdout.decode("utf-8").splitlines()  # valid UTF-8, one line per finding
    assert len(lines) == 2
    assert lines[0].startswith('"bad\\xff.py":4:5: AIO301 ') and lines[1].startswith('"new\\nline.py":4:5: AIO301 ')


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names")
@pytest.mark.parametrize("output_format", ["json", "json-lines", "github"])
def test_odd_file_names_in_json_and_github_output(odd_names, output_format):
    run = aiolint("--no-cache", "--output-format", output_format, ".", cwd=odd_names)
    assert run.returncode == 1, run.stderr
    text = run.stdout.decode("utf-8")
    assert "\\udc" not in text and "\udcff" not in text
    if output_format == "github":
        assert len(text.splitlines()) == 2
        assert "file=bad\\xff.py," in text and "file=new%0Aline.py," in text
        return
    found = json.loads(text) if output_format == "json" else [json.loads(line) for line in text.splitlines()]
    assert sorted(d["path"] for d in found) == ["bad\\xff.py", "new\nline.py"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names")
def test_odd_file_names_in_sarif(odd_names):
    import jsonschema

    run = aiolint("--no-cache", "--output-format", "sarif", ".", cwd=odd_names)
    assert run.returncode == 1, run.stderr
    log = json.loads(run.stdout.decode("utf-8"))
    schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    uris = sorted(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                  for result in log["runs"][0]["results"])
    assert uris == ["bad%FF.py", "new%0Aline.py"]  # the name's bytes, percent-encoded


from aiolint.engine import lint_source  # noqa: E402

WORDS = "import aiohttp, time\n\nasync def poll():\n    time.sleep(1)\n"  # makes the pre-filter parse the file
ADJACENT_STRINGS = "x = (" + " ".join(['"a"'] * 3001) + ")\n"  # valid Python that LibCST cannot parse


@pytest.mark.parametrize("source, verdict", [
    (ADJACENT_STRINGS, None),  # valid: never AIO001
    ("x = 'a\0b'\n", "AIO001"),  # no version of Python accepts a NUL byte
    ("x = " + "[" * 300 + "]" * 300 + "\n", "AIO001"),  # nor brackets nested past 200
    ("x = " + "[" * 199 + "]" * 199 + "\n", None),
    ("x = '" + "(" * 300 + "'\n", None),  # brackets in a string do not nest
    ("def broken(:\n    pass\n", "AIO001"),
], ids=["adjacent-strings", "nul", "deep-brackets", "199-brackets", "brackets-in-a-string", "broken"])
def test_aio001_does_not_depend_on_the_prefilter(source, verdict):
    skipped = lint_source(source, "x.py")
    parsed = lint_source(source + WORDS, "x.py")
    assert not skipped.parsed
    for result in (skipped, parsed):
        assert [d.code for d in result.diagnostics if d.code == "AIO001"] == ([verdict] if verdict else [])


def test_valid_python_that_libcst_cannot_parse_is_aio003_not_a_syntax_error():
    parsed = lint_source(ADJACENT_STRINGS + WORDS, "x.py")
    assert [d.code for d in parsed.diagnostics] == ["AIO003"]
    assert parsed.diagnostics[0].message.startswith("Valid Python that LibCST, the parser aiolint checks with, "
                                                    "cannot parse")


def test_fix_does_not_overwrite_an_edit_made_while_it_was_fixing(tmp_path):
    from aiolint.fixer import Fixing, fix_file, record
    from aiolint.rules import default_rules

    path = tmp_path / "poll.py"
    original = "import asyncio\n" + ORDINARY  # AIO301 with a fix
    path.write_text(original)
    edits = []

    def lint_while_someone_edits(source):
        if not edits:  # the first lint: meanwhile, an editor appends a line
            with open(path, "a") as handle:
                handle.write("EDITED = True\n")
            edits.append(path.read_text())
        return lint_source(source, str(path), default_rules())

    fixed = fix_file(str(path), lint_while_someone_edits, unsafe=True)
    assert path.read_text() == original + "EDITED = True\n"  # the edit is kept, the fix not written
    assert fixed.fixed == 0 and [d.code for d in fixed.result.diagnostics] == ["AIO301"]
    fixing = Fixing(unsafe=True)
    record(fixed, str(path), fixing)
    assert fixing.errors == [] and len(fixing.warnings) == 1 and "changed while it was being fixed" in fixing.warnings[0]
