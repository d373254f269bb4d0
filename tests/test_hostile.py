"""Input a repository may hold that a linter does not choose: none of it hangs a run, sinks it,
or costs the other files their findings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aiolint import source
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
        (directory / f"ordinary{number}.py").write_text(f"{ORDINARY}# {number}\n")  # each its own cache entry


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


# -- limits, and processes that die ---------------------------------------------------------------

from aiolint import pool  # noqa: E402
from aiolint.config import Selection  # noqa: E402
from aiolint.rules import REGISTRY  # noqa: E402

from .rule_probes import DiesOn, Hangs  # noqa: E402

needs_fork = pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(),
                                reason="the probes reach the workers by fork")


@pytest.fixture
def probes(monkeypatch):
    monkeypatch.setitem(REGISTRY, DiesOn.code, DiesOn)
    monkeypatch.setitem(REGISTRY, Hangs.code, Hangs)


def probed(tmp_path, **limits) -> Settings:
    return Settings(selection=Selection(select=("AIO301", "AIO992", "AIO993")), root=str(tmp_path),
                    respect_gitignore=False, **limits)


def by_file(report):
    return {os.path.basename(d.path): d.code for d in report.diagnostics}


@needs_fork
def test_a_file_whose_process_dies_is_retried_alone_then_reported_and_the_others_are_kept(tmp_path, probes):
    ordinary_files(tmp_path, 20)
    (tmp_path / "crash.py").write_text("LINTER_DIES = True\n" + ORDINARY)
    report = lint_paths([str(tmp_path)], probed(tmp_path), jobs=2)
    assert report.processes == 2
    found = by_file(report)
    assert found.pop("crash.py") == "AIO006"
    assert found == {f"ordinary{number}.py": "AIO301" for number in range(20)}
    assert len((tmp_path / "crash.py.attempts").read_text().split()) == 2  # once among the others, once alone


@needs_fork
@pytest.mark.parametrize("jobs, marker", [(1, "HANGS"), (2, "HANGS"), (2, "HANGS_DEAF")])
def test_a_file_over_the_time_limit_is_aio005_and_the_others_are_kept(tmp_path, probes, monkeypatch, jobs, marker):
    monkeypatch.setattr(pool, "KILL_GRACE", 1.0)  # HANGS_DEAF: the parent stops it
    ordinary_files(tmp_path, 20)
    (tmp_path / "slow.py").write_text(f"{marker} = True\n" + ORDINARY)
    report = lint_paths([str(tmp_path)], probed(tmp_path, file_timeout=1), jobs=jobs)
    found = by_file(report)
    assert found.pop("slow.py") == "AIO005"
    assert found == {f"ordinary{number}.py": "AIO301" for number in range(20)}
    [slow] = [d for d in report.diagnostics if d.path.endswith("slow.py")]
    assert slow.message == ("Checking the file took longer than 1 s; it was not checked (raise the limit with "
                            "--file-timeout or file-timeout in the configuration).")


def test_a_file_over_the_size_limit_is_aio004_and_not_read(tmp_path):
    ordinary_files(tmp_path, 1)
    (tmp_path / "big.py").write_text("x = 1\n" * 200_000)  # 1.2 MB
    for cache in (False, True):
        run = aiolint("--max-file-size", "1", *([] if cache else ["--no-cache"]), ".", cwd=tmp_path, text=True)
        assert run.returncode == 1, run.stderr
        assert run.stdout.splitlines() == [
            "big.py:1:1: AIO004 The file is 1.2 MB, over the limit of 1 MB; it was not checked (raise the limit with "
            "--max-file-size or max-file-size in the configuration).",
            "ordinary0.py:4:5: AIO301 `time.sleep()` blocks the event loop; use `await asyncio.sleep()`."]
    assert aiolint("--max-file-size", "2", "--no-cache", "big.py", cwd=tmp_path).returncode == 0


def test_a_file_that_grew_after_its_size_was_taken_is_read_whole_and_the_limit_still_holds(tmp_path, monkeypatch):
    path = tmp_path / "growing.py"
    path.write_bytes(b"x = 1\n" * 1000)  # 6,000 bytes, of which the size taken says 60
    taken = os.fstat

    def size_before_growth(descriptor):
        found = taken(descriptor)
        return os.stat_result((*found[:6], 60, *found[7:]))

    monkeypatch.setattr(source.os, "fstat", size_before_growth)
    assert source.read_source(str(path)) == path.read_bytes()
    assert source.read_source(str(path), 6000) == path.read_bytes()
    with pytest.raises(source.FileTooLarge) as raised:
        source.read_source(str(path), 5999)
    assert raised.value.size == 6000


RUN_AND_WAIT = """\
import sys
sys.path.insert(0, sys.argv[1])
from aiolint.config import Selection, Settings
from aiolint.rules import REGISTRY
from aiolint.runner import lint_paths
from tests.rule_probes import Hangs
REGISTRY[Hangs.code] = Hangs
lint_paths([sys.argv[2]], Settings(selection=Selection(select=("AIO301", "AIO993")), root=sys.argv[2],
           respect_gitignore=False), jobs=2, cache=True)
"""


@needs_fork
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds the workers in /proc")
def test_results_reach_the_cache_as_they_come_and_workers_end_with_their_killed_parent(tmp_path):
    import signal
    import time

    project = tmp_path / "project-with-a-hanging-file"
    project.mkdir()
    ordinary_files(project, 20)
    (project / "slow.py").write_text("HANGS = True\n" + ORDINARY)  # the largest file: given out first
    run = subprocess.Popen([sys.executable, "-c", RUN_AND_WAIT, str(ROOT), str(project)])
    cache = project / ".aiolint_cache"

    def entries():
        return [path for path in cache.rglob("*") if path.is_file() and len(path.name) == 64]

    def workers():
        found = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as handle:
                    if str(project).encode() in handle.read() and int(pid) != run.pid:
                        found.append(int(pid))
            except OSError:
                pass
        return found

    try:
        for _ in range(HANG * 10):
            if len(entries()) >= 20:
                break
            time.sleep(0.1)
        assert len(entries()) == 20  # every file but the hanging one, while the run goes on
        assert run.poll() is None and workers()
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
    for _ in range(100):
        if not workers():
            break
        time.sleep(0.1)
    assert workers() == []


# -- a repository of hostile input, linted together with ordinary files -------------------------

def generated(path: Path, megabytes: int) -> None:
    """A generated module of coroutines, ``megabytes`` large: each would be parsed (it has aiohttp words)."""
    block = "".join(f"async def fetch{n}(session):\n    return await session.get('https://example.com/{n}', "
                    f"timeout=10)\n\n" for n in range(1000))
    with open(path, "w") as handle:
        handle.write("import aiohttp\n\n")
        for _ in range(megabytes * 1_000_000 // len(block) + 1):
            handle.write(block)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_acceptance_fifo_deep_nesting_huge_file_and_an_ordinary_finding(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "deep.py").write_text("x = " + "[" * 3000 + "]" * 3000 + "\n")
    generated(tmp_path / "generated.py", 20)
    (tmp_path / "app.py").write_text(ORDINARY)
    run = aiolint("--jobs", "2", ".", cwd=tmp_path, text=True)
    assert run.returncode == 1, run.stderr
    assert [line.split(" ")[:2] for line in run.stdout.splitlines()] == [
        ["app.py:4:5:", "AIO301"], ["deep.py:1:205:", "AIO001"], ["generated.py:1:1:", "AIO004"],
        ["pipe.py:1:1:", "AIO002"]]


ADVERSARIAL = {
    "empty.py": b"",
    "binary.py": bytes(range(256)) * 4,  # not UTF-8: AIO002
    "bom.py": b"\xef\xbb\xbfimport time\n\nasync def nap():\n    time.sleep(1)\n",
    "bom_and_other_cookie.py": b"\xef\xbb\xbf# -*- coding: latin-1 -*-\nx = 1\n",  # AIO002
    "cr_only.py": b"import time\r\rasync def nap():\r    time.sleep(1)\r",
    "nul.py": b"x = 'a\0b'\n",  # AIO001
    "deep.py": b"x = " + b"(" * 3000 + b"1" + b")" * 3000 + b"\n",  # AIO001
    "adjacent_strings.py": ("import aiohttp\nx = (" + " ".join(['"a"'] * 3001) + ")\n").encode(),  # AIO003
    "huge_line.py": b"import aiohttp\nBLOB = '" + b"x" * 2_000_000 + b"'\n",
    "not_closed.py": b"async def f(:\n",  # AIO001
}
EXPECTED = {
    "bom.py": ["AIO301"], "cr_only.py": ["AIO301"], "binary.py": ["AIO002"], "bom_and_other_cookie.py": ["AIO002"],
    "nul.py": ["AIO001"], "deep.py": ["AIO001"], "adjacent_strings.py": ["AIO003"], "not_closed.py": ["AIO001"],
    "loop.py": ["AIO002"], "dangling.py": ["AIO002"], "pipe.py": ["AIO002"], "ordinary0.py": ["AIO301"],
}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_directory_of_adversarial_input(tmp_path, jobs):
    for name, data in ADVERSARIAL.items():
        (tmp_path / name).write_bytes(data)
    os.symlink("loop.py", tmp_path / "loop.py")  # a symbolic link to itself
    os.symlink("gone.py", tmp_path / "dangling.py")
    os.symlink(".", tmp_path / "subdir_loop")  # a directory link to its own directory: not followed
    os.mkfifo(tmp_path / "pipe.py")
    unreadable = hasattr(os, "geteuid") and os.geteuid() != 0  # root reads any file
    if unreadable:
        (tmp_path / "unreadable.py").write_text(ORDINARY)
        (tmp_path / "unreadable.py").chmod(0)
    ordinary_files(tmp_path, 1 if jobs == "1" else 10)  # with 2 jobs, enough files for two processes
    run = aiolint("--no-cache", "--jobs", jobs, "-v", ".", cwd=tmp_path, text=True)
    assert run.returncode == 1, run.stderr
    found: dict = {}
    for line in run.stdout.splitlines():
        location, code = line.split(" ")[:2]
        found.setdefault(location.rsplit(":", 3)[0], []).append(code)
    expected = {**EXPECTED, **{f"ordinary{n}.py": ["AIO301"] for n in range(1 if jobs == "1" else 10)}}
    if unreadable:
        expected["unreadable.py"] = ["AIO002"]
    assert found == expected
    assert f"in {jobs} process" in run.stderr and "internal error" not in run.stderr


def test_the_limits_are_configurable_and_checked(tmp_path):
    from aiolint.config import ConfigError, load_settings

    (tmp_path / "pyproject.toml").write_text("[tool.aiolint]\nmax-file-size = 20\nfile-timeout = 300\n")
    settings = load_settings(cwd=str(tmp_path))
    assert (settings.max_file_size, settings.file_timeout) == (20, 300)
    flags = load_settings(cwd=str(tmp_path), flags={"max-file-size": "0.5", "file-timeout": "10"})
    assert (flags.max_file_size, flags.file_timeout) == (0.5, 10)
    for bad in ("0", "-1", "many", "inf"):
        with pytest.raises(ConfigError, match="expected a positive number"):
            load_settings(cwd=str(tmp_path), flags={"max-file-size": bad})
