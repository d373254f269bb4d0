"""A fix relies only on names bound when the fixed code runs: the AIO301 fix spells
`asyncio.sleep` through an import that has run by then, or is not offered."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from aiolint.engine import lint_source
from aiolint.rules import REGISTRY

from .conftest import ROOT

TYPE_CHECKING_IMPORT = """\
from typing import TYPE_CHECKING
import time
if TYPE_CHECKING:
    import asyncio

async def pause():
    time.sleep(0)
"""
MAIN_IMPORT = """\
import time

async def pause():
    time.sleep(0)

if __name__ == "__main__":
    import asyncio
    asyncio.run(pause())
"""
LOCAL_AFTER = """\
import time

async def pause():
    time.sleep(0)
    import asyncio
"""


@pytest.mark.parametrize("source", [TYPE_CHECKING_IMPORT, MAIN_IMPORT, LOCAL_AFTER])
def test_the_fixed_code_runs(tmp_path, source):
    module = tmp_path / "paused.py"
    module.write_text(source)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    fixing = subprocess.run([sys.executable, "-m", "aiolint", "--no-cache", "--fix", "--unsafe-fixes", "paused.py"],
                            cwd=tmp_path, env=env, capture_output=True, text=True)
    assert fixing.returncode == 1, fixing.stderr  # the finding remains: no fix could be made
    assert "AIO301" in fixing.stdout
    run = subprocess.run([sys.executable, "-c", "import asyncio, paused; asyncio.run(paused.pause())"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize("source, spelled", [
    ("import time, asyncio\n\nasync def f():\n    time.sleep(1)\n", "await asyncio.sleep"),
    ("import time\nimport asyncio as aio\n\nasync def f():\n    time.sleep(1)\n", "await aio.sleep"),
    ("import time\nfrom asyncio import sleep\n\nasync def f():\n    time.sleep(1)\n", "await sleep"),
    ("import time\n\nasync def f():\n    import asyncio\n    time.sleep(1)\n", "await asyncio.sleep"),
    ("import time\ntry:\n    import asyncio\nexcept ImportError:\n    pass\n\nasync def f():\n    time.sleep(1)\n",
     "await asyncio.sleep"),
])
def test_imports_that_have_run_are_used(source, spelled):
    [finding] = lint_source(source, rules=[REGISTRY["AIO301"]]).diagnostics
    assert finding.fix is not None and finding.fix.edits[0].content == spelled


def calls_in_aiolint(function, *args):
    """How many Python functions of aiolint's own run during ``function(*args)``: a measure of work
    that does not depend on the machine."""
    package = os.path.dirname(os.path.abspath(sys.modules["aiolint"].__file__))
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event == "call" and frame.f_code.co_filename.startswith(package):
            count += 1

    sys.setprofile(profile)
    try:
        function(*args)
    finally:
        sys.setprofile(None)
    return count


def test_the_fix_costs_the_same_per_finding_however_many_there_are():
    """Twice the findings, about twice the work (it was four times: every finding rescanned every
    binding of the module when asyncio was not imported)."""
    def source(functions):
        return "import time\n" + "".join(f"\nasync def f{n}():\n    time.sleep(1)\n" for n in range(functions))

    rules = [REGISTRY["AIO301"]]
    small, large = (calls_in_aiolint(lint_source, source(count), "x.py", rules) for count in (400, 800))
    assert large / small < 2.5
