"""AIO304 and AIO309 leave test code alone: a test that sets up or removes its files blocks only its own
event loop. Test modules are told by their file name (pytest's ``test_*.py``, ``*_test.py``, ``conftest.py``),
tests and fixtures elsewhere by what they are. The other AIO3xx codes still report there: a sleep or a
sync request can stall the test's own server."""

from __future__ import annotations

import textwrap

import pytest

from aiolint.engine import lint_source
from aiolint.rules import all_rules

BLOCKING = textwrap.dedent("""\
    import asyncio
    import os
    import time

    async def helper(path):
        time.sleep(1)
        with open(path) as f:
            f.read()
        os.path.exists(path)
        asyncio.run(helper(path))
    """)
EVERYWHERE = [(6, "AIO301"), (7, "AIO304"), (9, "AIO309"), (10, "AIO307")]


def found(path):
    result = lint_source(BLOCKING, path, all_rules())
    assert result.failures == []
    return [(d.line, d.code) for d in result.diagnostics if d.code.startswith("AIO3")]


@pytest.mark.parametrize("path", ["tests/test_upload.py", "test_upload.py", "pkg/upload_test.py", "tests/conftest.py",
                                  "/abs/project/conftest.py"])
def test_a_test_module_reports_no_file_system_call(path):
    assert found(path) == [(6, "AIO301"), (10, "AIO307")]


@pytest.mark.parametrize("path", ["upload.py", "tests/helpers.py", "test/upload.py", "pkg/testing.py", "latest.py",
                                  "pkg/test_upload.pyi.bak", "contest.py", "tests_upload.py"])
def test_any_other_module_reports_everything(path):
    # A directory named `tests` says nothing: it may lie above the project (`/home/me/tests/project`).
    assert found(path) == EVERYWHERE
