from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Set, Tuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
# The foundation issue's example: AIO301 on line 5 and AIO503 on line 10, nothing else.
POLL_EXAMPLE = """\
import time, asyncio
import aiohttp as ah

async def poll(session):
    time.sleep(1)
    await asyncio.to_thread(time.sleep, 1)
    try:
        async with session.get("https://example.com") as r:
            return await r.text()
    except ah.ClientTimeout:
        return None
"""
# Sources whose layout is easy to get wrong: line endings, tabs, form feeds, continuations...
TRICKY = {
    "crlf": "import os\r\n\r\nasync def f(a,\r\n            b):\r\n    if a:\r\n        pass\r\n    elif b:\r\n        x = 1\r\n    else:\r\n        y = 2\r\n",
    "cr": "x = 1\ry = [\r  2,\r]\r",
    "form-feed-and-tabs": "\x0c\nclass A:\n\tdef f(self):\n\t\treturn 1\n",
    "unicode": "s = 'héllo wörld 🎉'; t = s  # ça\nprint(s, t)\n",
    "decorated": "@a.b(1)\n@c\nasync def f():\n    try:\n        await g()\n    except (A, B) as e:\n        raise\n"
                 "    else:\n        pass\n    finally:\n        h()\n    try:\n        pass\n    except* C:\n        pass\n",
    "no-trailing-newline": "def f():\n    return {'a': [1, (2, 3)], **d}",
    "continuations": "x = 1 + \\\n    2\nwith open(p) as a, \\\n     open(q) as b:\n    pass\n",
    "empty": "",
}
EXPECTED = re.compile(r"#\s*error:\s*(?P<codes>AIO\d{3}(?:\s*,\s*AIO\d{3})*)")


def expected_findings(path: Path) -> Set[Tuple[int, str]]:
    """The (line, code) pairs a fixture announces with ``# error: AIO101, AIO201`` comments."""
    found = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = EXPECTED.search(line)
        if match:
            found.update((number, code.strip()) for code in match.group("codes").split(","))
    return found


def fixture_files():
    return sorted(FIXTURES.glob("*.py"))


def sources():
    """(name, text) of every fixture and of the tricky sources."""
    yield from ((path.name, path.read_text(encoding="utf-8")) for path in fixture_files())
    yield from TRICKY.items()


SLEEPS = "import time\n\nasync def poll():\n    time.sleep(1)\n"  # AIO301 on line 4


def run_aiolint(*args, cwd, env=None, stdin=None):
    """``python -m aiolint ARGS`` in ``cwd``, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "aiolint", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, input=stdin)


def write_tree(root, files):
    """Write ``{relative path: dedented text}`` under ``root``, making the directories."""
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))


def copy_project(tmp_path: Path, name: str) -> Path:
    """A copy of the fixture project ``fixtures/projects/<name>`` to change in a test."""
    target = tmp_path / name
    shutil.copytree(FIXTURES / "projects" / name, target)
    return target


@pytest.fixture(autouse=True)
def unsettled(monkeypatch):
    """No file counts as settled, unless a test asks for ``settled``: a test's files are seconds old, and whether
    they had settled by a later run would depend on the machine's speed. (Runs in other processes may find
    them settled: what they print does not depend on it, but for ``--verbose``'s last count.)"""
    from aiolint import cache

    monkeypatch.setattr(cache, "SETTLED_NS", 10**18)


@pytest.fixture
def settled(monkeypatch):
    """Files count as settled at once, so that a run's snapshot vouches for them: a test's files are seconds
    old, too recent for their stat to say what they hold."""
    from aiolint import cache

    monkeypatch.setattr(cache, "SETTLED_NS", 0)
