"""AIO3xx beyond the fixture: the issue's acceptance snippet, messages, the sleep fix and the option."""

from __future__ import annotations

import re
import textwrap

import libcst as cst
import pytest

from aiolint.engine import lint_source
from aiolint.fixer import apply_fixes
from aiolint.rules import REGISTRY, all_rules
from aiolint.rules.base import DOC_SECTIONS, Rule
from aiolint.rules.blocking import OPTION, BlockingCall
from aiolint.semantics.blocking import BLOCKING_CALLS

from .conftest import POLL_EXAMPLE

BLOCKING_RULES = [rule for code, rule in REGISTRY.items() if code.startswith("AIO3")]


def lint(source, options=None, rules=None):
    return lint_source(textwrap.dedent(source), "example.py", rules or BLOCKING_RULES, options)


def found(result):
    return [(d.line, d.code) for d in result.diagnostics]


def test_acceptance_snippet_reports_only_the_called_sleep():
    source = POLL_EXAMPLE
    result = lint(source, rules=all_rules())
    assert result.failures == []
    assert [f for f in found(result) if f[1].startswith("AIO3")] == [(5, "AIO301")]


def test_message_names_the_resolved_call_and_the_alternative():
    result = lint("""\
        from time import sleep as nap
        async def f():
            nap(1)
            open("x")
        """)
    assert [d.message for d in result.diagnostics] == [
        "`time.sleep()` blocks the event loop; use `await asyncio.sleep()`.",
        "`open()` blocks the event loop; use `aiofiles`, `anyio.Path` or `await asyncio.to_thread(...)`.",
    ]


@pytest.mark.parametrize("imports, expected", [
    ("import asyncio", "        await asyncio.sleep(delay)\n"),
    ("import asyncio as aio", "        await aio.sleep(delay)\n"),
    ("from asyncio import sleep as asleep", "        await asleep(delay)\n"),
])
def test_sleep_fix_awaits_asyncio_sleep_under_its_local_name(imports, expected):
    source = f"import time\n{imports}\n\nasync def poll(delay):\n    while True:\n        time.sleep(delay)\n"
    (diagnostic,) = lint(source).diagnostics
    assert diagnostic.fix.applicability == "unsafe"
    fixed, _ = apply_fixes(source, [diagnostic.fix])
    assert fixed.splitlines(keepends=True)[-1] == expected
    cst.parse_module(fixed)
    assert lint(fixed).diagnostics == []


@pytest.mark.parametrize("source", [
    # `asyncio` is another thing here: no import can be added under that name
    "import time\nasync def f():\n    asyncio = None\n    time.sleep(1)\n",
    # a local `asyncio` is not the module
    "import time\nimport asyncio\nasync def f(asyncio):\n    time.sleep(1)\n",
    # `await await` does not parse (the code is wrong already: `time.sleep()` is not awaitable)
    "import time, asyncio\nasync def f():\n    await time.sleep(1)\n",
    # the function's own `import asyncio` runs after the call: the name is unbound there
    "import time\nasync def f(lock):\n    with lock:\n        time.sleep(1)\n        import asyncio\n",
    # `await time.sleep(1)()` would await what the call returns, called
    "import time, asyncio\nasync def f():\n    time.sleep(1)()\n",
    # `await` in a generator expression would make it an async generator
    "import time, asyncio\nasync def f():\n    return sum(time.sleep(1) or 1 for _ in range(2))\n",
])
def test_sleep_fix_is_not_offered_where_it_would_be_wrong(source):
    (diagnostic,) = lint(source).diagnostics
    assert diagnostic.code == "AIO301"
    assert diagnostic.fix is None


def test_option_adds_calls_to_the_code_it_names():
    source = """\
        import mylib
        async def f(url):
            mylib.fetch_sync(url)
            client = mylib.Client()
            client.download(url)
            mylib.other(url)
        def g(url):
            mylib.fetch_sync(url)
        """
    options = {OPTION: {"mylib.fetch_sync": "AIO302", "mylib.Client.download": "aio304"}}
    result = lint(source, options)
    assert found(result) == [(3, "AIO302"), (5, "AIO304")]
    assert result.diagnostics[0].message == (
        "`mylib.fetch_sync()` blocks the event loop; use the aiohttp session (or `httpx.AsyncClient`).")
    assert found(lint(source)) == []


def test_option_moves_a_known_call_to_another_code():
    source = "import os\nasync def f():\n    os.listdir('.')\n"
    assert found(lint(source)) == [(3, "AIO304")]
    assert found(lint(source, {OPTION: {"os.listdir": "AIO305"}})) == [(3, "AIO305")]


@pytest.mark.parametrize("value", [None, ["mylib.fetch"], {"mylib.fetch": 302}, "mylib.fetch"])
def test_option_of_the_wrong_shape_adds_nothing(value):
    result = lint("import mylib\nasync def f():\n    mylib.fetch()\n", {OPTION: value})
    assert result.failures == [] and found(result) == []


def test_triggers_come_from_the_table_and_the_option():
    sleep, file_io = REGISTRY["AIO301"], REGISTRY["AIO304"]
    assert sleep.triggers == {"time"}
    assert {"open", "pathlib", "os", "glob", "shutil", "importlib"} <= file_io.triggers
    options = {OPTION: {"mylib.fetch": "AIO301", "builtins.breakpoint": "AIO301"}}
    assert sleep.triggers_for(options) == {"time", "mylib", "breakpoint"}
    assert file_io.triggers_for(options) == file_io.triggers


def test_every_table_entry_belongs_to_a_blocking_rule():
    codes = {rule.code for rule in BLOCKING_RULES}
    assert {entry.code for entry in BLOCKING_CALLS.values()} == codes
    assert all(issubclass(rule, BlockingCall) for rule in BLOCKING_RULES)


@pytest.mark.parametrize("rule", BLOCKING_RULES, ids=lambda r: r.code)
def test_documentation_has_every_section(rule):
    sections = rule.doc_sections()
    assert list(sections) == list(DOC_SECTIONS)
    assert all(sections.values())


def test_documentation_is_the_docstring_dedented_under_its_first_line():
    class Documented(Rule):
        """First line.
        Second line, at the margin.
            Indented.
        """

    class OneLine(Rule):
        """Only a summary."""

    assert Documented.documentation() == "First line.\nSecond line, at the margin.\n    Indented."
    assert OneLine.documentation() == "Only a summary."


def test_a_blocking_rule_takes_its_calls_and_trigger_words_from_the_table_by_its_code():
    """Made when the class is created, at import: a new class shows how."""
    class Sleeps(BlockingCall):
        code = "AIO301"

    class Files(BlockingCall):
        code = "AIO304"

    assert Sleeps.table == {"time.sleep": "use `await asyncio.sleep()`"}
    assert Sleeps.triggers == frozenset({"time"})
    assert {"open", "pathlib", "shutil", ".read_text("} <= Files.triggers
    assert "pathlib.Path.read_text" in Files.table


def code_blocks(text):
    return re.findall(r"```python\n(.*?)```", text, re.S)


@pytest.mark.parametrize("rule", BLOCKING_RULES, ids=lambda r: r.code)
def test_documented_example_reports_and_its_alternative_does_not(rule):
    sections = rule.doc_sections()
    (example,) = code_blocks(sections["Example"])
    (alternative,) = code_blocks(sections["Use instead"])
    assert rule.code in {d.code for d in lint(example).diagnostics}
    assert lint(alternative).diagnostics == []
