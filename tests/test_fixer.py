"""Fixes applied to real files through the real command line, and the fixer's own guarantees."""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys

import pytest

from aiolint.diagnostics import Diagnostic, Edit, FileResult, Fix
from aiolint import cli
from aiolint.fixer import MAX_ROUNDS, Fixing, apply_fixes, fix_file, fix_source, record, write_atomically
from aiolint.runner import Report

from .conftest import FIXTURES
from .test_cli import POLL  # AIO301 on line 5, AIO503 on line 10: both with unsafe fixes

FIXED_POLL = POLL.replace("    time.sleep(1)", "    await asyncio.sleep(1)").replace(
    "except ah.ClientTimeout", "except asyncio.TimeoutError")


def aiolint(*args, cwd, stdin=None):
    """The real command; output as bytes, since some tests compare source bytes."""
    return subprocess.run([sys.executable, "-m", "aiolint", *map(str, args)], capture_output=True, cwd=cwd,
                          input=stdin)


def fixed_bytes(data):
    """What the two fixes must make of POLL's bytes, whatever their encoding: those edits and nothing else."""
    for old, new in [(b"    time.sleep(1)", b"    await asyncio.sleep(1)"),
                     (b"except ah.ClientTimeout", b"except asyncio.TimeoutError")]:
        assert data.count(old) == 1
        data = data.replace(old, new)
    return data


def test_unsafe_fixes_are_applied_with_unsafe_fixes(tmp_path):
    path = tmp_path / "poll.py"
    path.write_text(POLL)
    run = aiolint("--fix", "--unsafe-fixes", "poll.py", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert path.read_text() == FIXED_POLL
    assert run.stdout == b""
    assert run.stderr.decode() == "All checks passed (1 file checked; 2 fixed).\n"



def test_the_run_after_a_fix_reads_the_fixed_files_from_the_cache(tmp_path):
    (tmp_path / "poll.py").write_text(POLL)
    (tmp_path / "blocking.py").write_bytes((FIXTURES / "AIO3xx_blocking.py").read_bytes())  # findings remain
    fixing = aiolint("--fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert b"fixed" in fixing.stderr and (tmp_path / "poll.py").read_text() == FIXED_POLL
    after = aiolint("--verbose", ".", cwd=tmp_path)
    assert b"2 files: 2 from the cache, 0 linted" in after.stderr
    assert after.stdout == aiolint("--no-cache", ".", cwd=tmp_path).stdout == fixing.stdout != b""

def test_unsafe_fixes_are_only_counted_without_unsafe_fixes(tmp_path):
    path = tmp_path / "poll.py"
    path.write_text(POLL)
    run = aiolint("--fix", "poll.py", cwd=tmp_path)
    assert run.returncode == 1
    assert path.read_text() == POLL
    assert [line.split()[1] for line in run.stdout.decode().splitlines()] == ["AIO301", "AIO503"]
    assert run.stderr.decode() == (
        "Found 2 findings in 1 file (1 file checked; 2 unsafe fixes available with --unsafe-fixes).\n")
    plain = aiolint("poll.py", cwd=tmp_path)
    assert "2 unsafe fixes available with --fix --unsafe-fixes" in plain.stderr.decode()


def test_the_findings_that_remain_are_reported_and_decide_the_exit_code(tmp_path):
    path = tmp_path / "poll.py"
    path.write_text(POLL + "\nasync def ask():\n    return input('x')\n")  # AIO308: no fix
    run = aiolint("--fix", "--unsafe-fixes", "poll.py", cwd=tmp_path)
    assert run.returncode == 1
    assert run.stdout.decode().startswith("poll.py:14:12: AIO308 ")
    assert len(run.stdout.splitlines()) == 1
    assert run.stderr.decode() == "Found 1 finding in 1 file (1 file checked; 2 fixed).\n"


@pytest.mark.parametrize("name, data", [
    ("crlf", POLL.replace("\n", "\r\n").encode()),
    ("mixed line endings", POLL.replace("import aiohttp as ah\n", "import aiohttp as ah\r").encode()),
    ("latin-1 with a cookie", ("# -*- coding: latin-1 -*-\n# délai: café crème\n" + POLL).encode("latin-1")),
    ("utf-8 with a BOM", b"\xef\xbb\xbf" + ("# délai\n" + POLL).encode()),
])
def test_everything_outside_the_edits_is_kept_byte_for_byte(tmp_path, name, data):
    path = tmp_path / "poll.py"
    path.write_bytes(data)
    run = aiolint("--fix", "--unsafe-fixes", "poll.py", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert path.read_bytes() == fixed_bytes(data)


def test_diff_shows_the_changes_and_writes_nothing(tmp_path):
    path = tmp_path / "poll.py"
    path.write_text(POLL)
    run = aiolint("--diff", "--unsafe-fixes", "poll.py", cwd=tmp_path)
    assert run.returncode == 1
    assert path.read_text() == POLL
    diff = run.stdout.decode()
    assert diff.startswith("--- poll.py\n+++ poll.py\n@@ ")
    assert "\n-    time.sleep(1)\n+    await asyncio.sleep(1)\n" in diff
    assert "\n-    except ah.ClientTimeout:\n+    except asyncio.TimeoutError:\n" in diff
    assert run.stderr.decode() == "Would fix 2 findings in 1 file (1 file checked).\n"
    if shutil.which("patch"):  # the diff is one that patch applies, giving what --fix writes
        subprocess.run(["patch", "-s", "poll.py"], input=run.stdout, cwd=tmp_path, check=True)
        assert path.read_text() == FIXED_POLL


def test_diff_with_nothing_to_fix_exits_0(tmp_path):
    (tmp_path / "poll.py").write_text(POLL)
    run = aiolint("--diff", "poll.py", cwd=tmp_path)  # both fixes are unsafe
    assert (run.returncode, run.stdout) == (0, b"")
    assert run.stderr.decode() == "Nothing to fix (1 file checked; 2 unsafe fixes available with --unsafe-fixes).\n"


def test_the_file_mode_is_kept_and_a_symlink_stays_a_link(tmp_path):
    target = tmp_path / "poll.py"
    target.write_text(POLL)
    target.chmod(0o754)
    link = tmp_path / "link.py"
    link.symlink_to(target.name)
    run = aiolint("--fix", "--unsafe-fixes", "--no-respect-gitignore", "link.py", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert link.is_symlink() and target.read_text() == FIXED_POLL
    assert stat.S_IMODE(target.stat().st_mode) == 0o754
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".aiolint_cache") == ["link.py", "poll.py"]


def test_fixing_the_fixtures_twice_changes_nothing_the_second_time(tmp_path):
    for fixture in FIXTURES.glob("*.py"):
        shutil.copy(fixture, tmp_path / fixture.name)
    first = aiolint("--fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert b" fixed)" in first.stderr, first.stderr
    after_first = {path.name: path.read_bytes() for path in tmp_path.glob("*.py")}
    second = aiolint("--fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert {path.name: path.read_bytes() for path in tmp_path.glob("*.py")} == after_first
    assert b"fixed" not in second.stderr
    # What the first run reported is what remains: exactly the second run's findings.
    assert first.stdout == second.stdout and first.returncode == second.returncode == 1


def test_standard_input_is_fixed_onto_standard_output(tmp_path):
    data = POLL.replace("\n", "\r\n").encode()
    run = aiolint("-", "--stdin-filename", "poll.py", "--fix", "--unsafe-fixes", cwd=tmp_path, stdin=data)
    assert (run.returncode, run.stdout) == (0, fixed_bytes(data))
    assert run.stderr.decode() == "All checks passed (1 file checked; 2 fixed).\n"
    # Nothing to fix: the source comes back as it was, the findings on standard error.
    run = aiolint("-", "--stdin-filename", "poll.py", "--fix", cwd=tmp_path, stdin=data)
    assert (run.returncode, run.stdout) == (1, data)
    assert run.stderr.decode().startswith("poll.py:5:5: AIO301 ")


# -- the fixer's API, with diagnostics made up for what no rule offers -------------------------
def offering(*fixes_for):
    """A lint function whose findings carry the fixes that ``fixes_for(text)`` gives."""
    def lint(text):
        fixes = [fix for make in fixes_for for fix in make(text)]
        return FileResult("x.py", [Diagnostic("x.py", 1, 1, 1, 1, "AIO999", "made-up", "m", fix) for fix in fixes])
    return lint


def replace(line, column, end_line, end_column, content, applicability="safe"):
    return Fix(applicability, (Edit(line, column, end_line, end_column, content),))


def test_a_fix_whose_result_would_not_parse_is_not_written(tmp_path):
    path = tmp_path / "app.py"
    path.write_bytes(b"x = f(1)\ny = 2\n")
    # The first round renames y, which parses; the second drops a parenthesis, which does not.
    lint = offering(lambda text: [replace(2, 1, 2, 2, "z")] if text.startswith("x = f(1)\ny")
                    else [replace(1, 8, 1, 9, "")])
    fixed = fix_file(str(path), lint)
    assert path.read_bytes() == b"x = f(1)\ny = 2\n"
    assert fixed.fixed == 0 and fixed.data == path.read_bytes()
    assert fixed.error == ("the fixes for AIO999 would give code that does not parse (a bug in aiolint); "
                           "the file was left unchanged")
    assert fixed.result.diagnostics == fixed.linted.diagnostics == lint("x = f(1)\ny = 2\n").diagnostics


def test_overlapping_fixes_the_first_is_made_and_the_other_waits():
    text = "value = compute(a, b)\n"
    rename = replace(1, 1, 1, 6, "v")
    whole = replace(1, 1, 1, 22, "value = 0")
    argument = replace(1, 17, 1, 18, "x")
    assert apply_fixes(text, [whole, argument, rename]) == ("v = compute(x, b)\n", [rename, argument])
    # Two insertions at one place: which goes first is not known, so one waits for the next round.
    first, second = replace(1, 1, 1, 1, "# a\n"), replace(1, 1, 1, 1, "# b\n")
    assert apply_fixes(text, [first, second]) == ("# a\n" + text, [first])


def test_a_fix_is_made_whole_or_not_at_all():
    text = "a = 1\nb = 2\n"
    two_edits = Fix("safe", (Edit(1, 5, 1, 6, "10"), Edit(2, 5, 2, 6, "20")))
    assert apply_fixes(text, [two_edits]) == ("a = 10\nb = 20\n", [two_edits])
    # Its first edit overlaps nothing, its second one an edit of a fix taken before it: neither is made.
    taken = Fix("safe", (Edit(1, 1, 1, 2, "c"), Edit(2, 1, 2, 6, "b = 3")))
    assert apply_fixes(text, [two_edits, taken]) == ("c = 1\nb = 3\n", [taken])


def test_a_fix_for_positions_the_text_does_not_have_is_not_made():
    text = "a = 1\n"
    assert apply_fixes(text, [replace(3, 1, 3, 2, "b"), replace(1, 1, 1, 9, "b")]) == (text, [])


def test_line_breaks_in_an_edit_become_the_files():
    text = "if x:\r\n    pass\r\n"
    assert apply_fixes(text, [replace(2, 5, 2, 9, "a()\nb()\r\n")])[0] == "if x:\r\n    a()\r\nb()\r\n\r\n"


def test_rounds_go_on_until_nothing_applies():
    # Each "aa" becomes "a": the fixes overlap, so one is made per round until one "a" is left.
    def halve(text):
        return [replace(1, i + 1, 1, i + 3, "a") for i in range(len(text)) if text.startswith("aa", i)]

    fixed = fix_source(b"aaaa\n", offering(halve))
    assert (fixed.data, fixed.fixed, fixed.result.diagnostics) == (b"a\n", 3, [])


def toggle(text):
    """Fixes that undo each other: "a" becomes "b", and "b" becomes "a"."""
    return [replace(1, 1, 1, 2, "b" if text[0] == "a" else "a")]


def test_fixes_that_undo_each_other_stop_after_max_rounds():
    fixed = fix_source(b"a\n", offering(toggle))
    assert fixed.fixed == MAX_ROUNDS
    assert fixed.data == (b"a\n" if MAX_ROUNDS % 2 == 0 else b"b\n")
    assert fixed.unsettled  # the run warns, as ruff does when its fixes do not converge


def test_fixes_that_settle_in_the_last_round_are_not_unsettled():
    def step_down(text):  # "k" -> "j" -> ... -> "a": one fix a round, MAX_ROUNDS in all
        return [replace(1, 1, 1, 2, chr(ord(text[0]) - 1))] if text[0] > "a" else []

    fixed = fix_source(chr(ord("a") + MAX_ROUNDS).encode() + b"\n", offering(step_down))
    assert (fixed.data, fixed.fixed, fixed.unsettled) == (b"a\n", MAX_ROUNDS, False)


def test_unsettled_fixes_are_a_warning_that_leaves_the_exit_code_alone(capsys):
    fixing = Fixing()
    record(fix_source(b"a\n", offering(toggle)), "x.py", fixing)
    assert cli.finish(Report(files=1), quiet=True, exit_zero=False, fixing=fixing) == 0
    assert f"aiolint: warning: x.py: the fixes did not settle after {MAX_ROUNDS} rounds" in capsys.readouterr().err


def test_unsafe_fixes_only_when_asked():
    lint = offering(lambda text: [replace(1, 1, 1, 2, "b", "unsafe")] if text.startswith("a") else [])
    assert fix_source(b"a = 1\n", lint).data == b"a = 1\n"
    assert fix_source(b"a = 1\n", lint, unsafe=True).data == b"b = 1\n"


def test_fixed_text_that_the_encoding_cannot_hold_is_not_written(tmp_path):
    path = tmp_path / "app.py"
    original = "# -*- coding: latin-1 -*-\nname = 'é'\n".encode("latin-1")
    path.write_bytes(original)
    fixed = fix_file(str(path), offering(lambda text: [replace(2, 9, 2, 10, "€")] if "é" in text else []))
    assert path.read_bytes() == original and fixed.fixed == 0
    assert "cannot be written in the file's encoding (iso-8859-1)" in fixed.error


def test_a_failed_write_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "pkg.py"
    target.mkdir()  # os.replace cannot put a file where a directory is
    with pytest.raises(OSError):
        write_atomically(str(target), b"a = 1\n")
    assert [p.name for p in tmp_path.iterdir()] == ["pkg.py"] and target.is_dir()
