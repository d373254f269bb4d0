"""AIO000 (unused suppressions) and the other linters' codes that count as aiolint's own."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from aiolint.engine import lint_source
from aiolint.rules import REGISTRY, all_rules
from aiolint.suppression import PEER_CODES

SLEEP = "import time\n\nasync def f():\n    time.sleep(1)  {comment}\n"
BROAD = "async def f():\n    try:\n        await g()\n    except Exception:  {comment}\n        pass\n"


def codes(source, rules=None, options=None):
    result = lint_source(textwrap.dedent(source), "t.py", rules or all_rules(), options)
    return [(d.line, d.code) for d in result.diagnostics], result.suppressed


@pytest.mark.parametrize("source, comment, code", [
    (SLEEP, "# noqa: ASYNC251", "AIO301"),
    (BROAD, "# noqa: BLE001", "AIO501"),
    (BROAD, "# noqa: E722", "AIO501"),
    (BROAD, "# noqa: S110", "AIO501"),
    ("import asyncio\n\nasync def f():\n    try:\n        await g()\n    except asyncio.CancelledError:  {comment}\n"
     "        pass\n", "# noqa: ASYNC103", "AIO508"),
    ("async def f():\n    open('x')  {comment}\n", "# noqa: ASYNC230", "AIO304"),
])
def test_peer_codes_silence_the_same_finding_and_count_as_suppressed(source, comment, code):
    assert code in REGISTRY and any(peer in comment for peer in PEER_CODES[code])
    assert codes(source.format(comment=comment)) == ([], {code: 1})
    found, _ = codes(source.format(comment=comment), options={"peer-noqa": False})
    assert [c for _, c in found] == [code]


def test_a_peer_code_of_another_finding_does_not_silence():
    found, _ = codes(SLEEP.format(comment="# noqa: BLE001"))
    assert found == [(4, "AIO301")]


def test_peer_noqa_setting_and_statistics(tmp_path):
    (tmp_path / "t.py").write_text(BROAD.format(comment="# noqa: BLE001"))

    def run(*args):
        return subprocess.run([sys.executable, "-m", "aiolint", "--no-cache", "--statistics", "--extend-select",
                               "AIO501", *args, "t.py"],
                              capture_output=True, text=True, cwd=tmp_path)

    assert "AIO501  broad-except  (1 suppressed by noqa)" in run().stdout
    assert run("--no-peer-noqa").returncode == 1
    (tmp_path / "pyproject.toml").write_text("[tool.aiolint]\npeer-noqa = false\n")
    assert run().returncode == 1
    assert run("--peer-noqa").returncode == 0


def test_unused_noqa_is_off_by_default_and_its_fix_keeps_other_linters_codes(tmp_path):
    source = "import asyncio\n\nasync def f():\n    await asyncio.sleep(1)  # noqa: AIO301, E501\n"
    (tmp_path / "t.py").write_text(source)

    def run(*args):
        return subprocess.run([sys.executable, "-m", "aiolint", "--no-cache", *args, "t.py"],
                              capture_output=True, text=True, cwd=tmp_path)

    assert run().returncode == 0
    found = run("--extend-select", "AIO000")
    assert found.returncode == 1 and "t.py:4:29: AIO000" in found.stdout
    assert run("--extend-select", "AIO000", "--fix").returncode == 0
    assert (tmp_path / "t.py").read_text() == source.replace("AIO301, E501", "E501")


def test_unused_file_level_noqa_is_removed_with_its_line():
    source = "# aiolint: noqa: AIO301\nx = 1\n"
    result = lint_source(source, "t.py", [REGISTRY["AIO000"], REGISTRY["AIO301"]])
    (d,) = result.diagnostics
    assert (d.line, d.code, d.fix.edits[0].end_line) == (1, "AIO000", 2)


def test_codes_of_rules_not_enabled_are_not_judged():
    source = "import time\n\nasync def f():\n    time.sleep(1)  # noqa: AIO301\n"
    assert codes(source, [REGISTRY["AIO000"]]) == ([], {})
    assert codes(source, [REGISTRY["AIO000"], REGISTRY["AIO301"]]) == ([], {"AIO301": 1})
    used_nowhere = source.replace("time.sleep(1)", "pass")
    assert codes(used_nowhere, [REGISTRY["AIO000"], REGISTRY["AIO301"]])[0] == [(4, "AIO000")]
