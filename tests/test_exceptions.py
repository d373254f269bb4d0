"""AIO5xx beyond the fixture: messages, the AIO503 fix and what it does at run time, the issue's example."""

from __future__ import annotations

import asyncio
import sys
import textwrap

import pytest

from aiolint.engine import lint_source
from aiolint.fixer import apply_fixes
from aiolint.rules import REGISTRY, all_rules

from .conftest import POLL_EXAMPLE

EXCEPTION_RULES = [rule for code, rule in REGISTRY.items() if code.startswith("AIO5")]


def lint(source, rules=None):
    result = lint_source(textwrap.dedent(source), "example.py", rules or EXCEPTION_RULES)
    assert result.failures == []
    return result.diagnostics


def test_the_issue_example_reports_the_blocking_sleep_and_the_wrong_class_only():
    source = POLL_EXAMPLE
    found = lint(source, all_rules())
    assert {(d.line, d.code) for d in found} == {(5, "AIO301"), (10, "AIO503")}
    [wrong_class] = [d for d in found if d.code == "AIO503"]
    assert wrong_class.message == (
        "`ah.ClientTimeout` is not an exception class, so Python raises TypeError as soon as an exception "
        "reaches this clause; catch `asyncio.TimeoutError` instead."
    )
    assert (wrong_class.line, wrong_class.column) == (10, 5)  # the `except` keyword


def test_the_fix_uses_the_name_asyncio_is_imported_under_and_is_unsafe():
    source = """\
        import asyncio as aio
        from aiohttp import ClientWSTimeout

        async def receive(ws):
            try:
                return await ws.receive()
            except (ConnectionError, ClientWSTimeout):
                return None
        """
    [found] = lint(source)
    assert found.fix.applicability == "unsafe"  # the handler never ran before: it now runs on timeouts
    [edit] = found.fix.edits
    assert (edit.line, edit.column, edit.end_line, edit.end_column) == (7, 30, 7, 45)
    assert apply_fixes(textwrap.dedent(source), [found.fix])[0].splitlines()[6] == (
        "    except (ConnectionError, aio.TimeoutError):"
    )


@pytest.mark.parametrize("source", [
    # asyncio not imported: no name to write
    "import aiohttp\ntry:\n    pass\nexcept aiohttp.ClientTimeout:\n    pass\n",
    # TimeoutError already caught: the fix would name it twice
    "import asyncio, aiohttp\ntry:\n    pass\nexcept (asyncio.TimeoutError, aiohttp.ClientTimeout):\n    pass\n",
    # two wrong classes: one replacement would leave the other
    "import asyncio, aiohttp\ntry:\n    pass\nexcept (aiohttp.ClientTimeout, aiohttp.ClientWSTimeout):\n    pass\n",
])
def test_no_fix_when_the_replacement_is_not_clear(source):
    [found] = lint(source)
    assert found.code == "AIO503" and found.fix is None


@pytest.mark.skipif(sys.version_info < (3, 11), reason="asyncio.Timeout is new in Python 3.11")
def test_the_reported_clause_raises_type_error_and_the_fixed_one_catches_the_timeout():
    source = textwrap.dedent("""\
        import asyncio

        def call(function):
            try:
                return function()
            except asyncio.Timeout:
                return "timed out"
        """)

    def times_out():
        raise asyncio.TimeoutError("total timeout")

    [found] = lint(source)
    before, after = {}, {}
    exec(compile(source, "before.py", "exec"), before)
    with pytest.raises(TypeError, match="do not inherit from BaseException"):
        before["call"](times_out)
    assert before["call"](lambda: "fine") == "fine"  # why tests on the happy path pass
    exec(compile(apply_fixes(source, [found.fix])[0], "after.py", "exec"), after)
    assert after["call"](times_out) == "timed out"


def test_python_3_14_unparenthesized_tuples_are_read_as_tuples():
    source = """\
        import asyncio
        import aiohttp

        async def fetch(session, url):
            try:
                return await session.get(url)
            except ValueError, Exception:
                return None
            try:
                return await session.get(url)
            except ValueError, aiohttp.ClientTimeout:
                return None
        """
    found = lint(source)
    assert [(d.line, d.code) for d in found] == [(7, "AIO501"), (11, "AIO503")]
    assert apply_fixes(textwrap.dedent(source), [found[1].fix])[0].splitlines()[10] == (
        "    except ValueError, asyncio.TimeoutError:"
    )


def test_messages_name_what_is_caught_and_how_to_let_cancellation_through():
    source = """\
        import asyncio as aio
        from asyncio import CancelledError as Cancelled

        async def read(queue):
            try:
                await queue.get()
            except:
                pass
            try:
                await queue.get()
            except (KeyError, aio.CancelledError):
                pass
            try:
                await queue.get()
            except Cancelled:
                pass
        """
    found = {(d.line, d.code): d.message for d in lint(source)}
    assert found[7, "AIO501"] == (
        "This handler catches everything and neither re-raises nor logs the traceback, so errors vanish "
        "silently; catch the exceptions you expect, re-raise, or log with `logger.exception()`."
    )
    assert found[7, "AIO502"] == (
        "This handler catches everything and the coroutine goes on after it, so the task cannot be "
        "cancelled (timeouts and shutdown stop working); put `except asyncio.CancelledError: raise` before it."
    )
    assert found[11, "AIO502"].startswith("This handler catches `aio.CancelledError` and the coroutine goes on")
    assert found[11, "AIO502"].endswith("; end the handler with `raise`.")
    assert found[15, "AIO508"] == (  # the last act of the coroutine
        "This handler catches `Cancelled` and then ends normally, so a task running it finishes as done, not "
        "cancelled (`task.cancelled()` is false, and a coroutine awaiting it goes on); end the handler with `raise`."
    )
    assert len(found) == 4


def test_the_two_problems_of_a_swallowing_bare_except_are_suppressed_apart():
    source = """\
        async def read(queue):
            try:
                await queue.get()
            except:  # noqa: AIO508
                pass
        """
    assert [(d.line, d.code) for d in lint(source)] == [(4, "AIO501")]


def test_a_comment_above_the_handler_does_not_move_the_report():
    source = """\
        async def read(queue):
            try:
                await queue.get()
            # the queue may be closed
            except Exception:
                pass
        """
    [found] = lint(source)
    assert (found.line, found.column, found.code) == (5, 5, "AIO501")
