"""What control flow and test code mean to the findings: which ways out of a function leave a
response unread (AIO405), what follows a handler that swallows cancellation (AIO502/AIO508), and
which code counts as a test or expects the warning it causes (AIO801 stands for the rules that ask)."""

from __future__ import annotations

import re
import textwrap

import pytest

from aiolint.engine import lint_source
from aiolint.rules.deprecations import LoopArgument
from aiolint.rules.exceptions import CancellationSwallowed, CancellationSwallowedAtEnd
from aiolint.rules.responses import ResponseUnreadOnSomePath


def lint(source, rules):
    result = lint_source(textwrap.dedent(source), "example.py", rules)
    assert result.failures == []
    return result.diagnostics


# -- AIO405: the way out a message names ------------------------------------------------
def way_out(body):
    """The way out AIO405 names for ``body`` (a function's, with a known session), or None."""
    source = ("import aiohttp\n\nasync def fetch(session: aiohttp.ClientSession, url, urls, log, timer, limit):\n"
              + textwrap.indent(textwrap.dedent(body).lstrip("\n"), "    "))
    found = [d.message for d in lint(source, [ResponseUnreadOnSomePath])]
    if not found:
        return None
    [message] = found
    return re.search(r"but (.*) leaves it unread", message).group(1)


WAYS_OUT = [
    # A `break` goes on after its loop: there the path runs off the end, once however many
    # `break`s lead there.
    ("""
        for url in urls:
            r = await session.get(url)
            if r.ok:
                break
            await r.read()
        log.info("done")
        """, "the path that runs off the end of the function"),
    ("""
        for url in urls:
            if url:
                r = await session.get(url)
                if r.ok:
                    break
            if limit:
                break
            await r.read()
        log.info("done")
        """, "the path that runs off the end of the function"),
    ("""
        for page in urls:
            for url in page:
                r = await session.get(url)
                if r.ok:
                    break
                await r.read()
            if limit:
                break
            log.info(await r.json())
        return None
        """, "the `return` on line 13"),
    # A `finally:` that releases covers the ways out of its own `try:` only.
    ("""
        r = None
        try:
            r = await session.get(url)
            if r.status != 200:
                return None
            return await r.json()
        finally:
            if r is not None:
                r.release()
        """, None),
    ("""
        try:
            await log.flush()
        finally:
            r = await session.post(url)
            if r.status != 200:
                raise RuntimeError(r.status)
            await r.read()
        """, "the `raise` on line 9"),
    # The `else:` of an `if` is not what follows its body; that of a `try:` is.
    ("""
        if url:
            r = await session.get(url)
        else:
            return None
        return await r.json()
        """, None),
    ("""
        try:
            r = await session.get(url)
        except aiohttp.ClientError:
            return None
        return await r.json()
        """, None),
    ("""
        try:
            r = await session.get(url)
        except aiohttp.ClientError:
            return None
        else:
            if r.status != 200:
                return None
            return await r.json()
        """, "the `return` on line 10"),
    ("""
        try:
            r = await session.get(url)
        except aiohttp.ClientError:
            return None
        if r.status != 200:
            return None
        return await r.json()
        """, "the `return` on line 9"),
    ("""
        for url in urls:
            try:
                r = await session.get(url)
            except aiohttp.ClientError:
                continue
            else:
                if r.ok:
                    break
            await r.read()
        log.info("done")
        """, "the path that runs off the end of the function"),
    # The handlers of a `try:` do not catch what its `else:` raises.
    ("""
        try:
            r = await session.get(url)
        except aiohttp.ClientError:
            return None
        else:
            if r.status != 200:
                raise RuntimeError(r.status)
            return await r.json()
        """, "the `raise` on line 10"),
    # A `raise` inside a `try:` with handlers may be caught, whether the `try:` holds the request too
    # or only the `raise`; one that no handler is around is a way out.
    ("""
        try:
            r = await session.get(url)
            if r.status != 200:
                raise RuntimeError(r.status)
            data = await r.json()
        except RuntimeError:
            data = None
        return data
        """, None),
    ("""
        r = await session.get(url)
        try:
            try:
                size = int(r.headers["Content-Length"])
            except KeyError:
                size = None
            if size is None:
                raise ValueError("no length")
            data = await r.read()
        except ValueError:
            data = await r.text()
        return data
        """, None),
    ("""
        r = await session.get(url)
        try:
            size = int(r.headers["Content-Length"])
        except (KeyError, ValueError):
            size = None
        if size is None:
            raise RuntimeError("no length")
        return await r.read()
        """, "the `raise` on line 10"),
    ("""
        if url:
            r = await session.get(url)
            if r.status != 200:
                raise RuntimeError(r.status)
            return await r.json()
        """, "the `raise` on line 7"),
    ("""
        r = await session.get(url)
        try:
            if r.status != 200:
                raise RuntimeError(r.status)
            data = await r.json()
        finally:
            timer.stop()
        return data
        """, "the `raise` on line 7"),
    ("""
        r = await session.get(url)
        try:
            size = int(r.headers["Content-Length"])
        except (KeyError, ValueError):
            return None
        else:
            if size > limit:
                raise RuntimeError("too large")
        return await r.read()
        """, "the `raise` on line 11"),
    # Loops below the request: followed, and their `break` and `continue` stay inside them.
    ("""
        r = await session.get(url)
        for name in r.headers:
            if name == "X-Error":
                raise RuntimeError(name)
        if r.status != 200:
            return None
        return await r.json()
        """, "the `raise` on line 7 (and 1 other way out)"),
    ("""
        for url in urls:
            r = await session.get(url)
            for name in r.headers:
                log.info(name)
            if r.status == 404:
                continue
            log.info(await r.json())
        """, "the `continue` on line 9"),
    ("""
        r = await session.get(url)
        for line in urls:
            for word in line:
                log.info(word)
            if not line:
                continue
        return await r.json()
        """, None),
    # One-line bodies and `with` blocks are followed like any other.
    ("""
        r = await session.get(url)
        if r.status != 200: log.warning("failed"); return None
        return await r.json()
        """, "the `return` on line 5"),
    ("""
        r = await session.get(url)
        with timer:
            if r.status != 200:
                raise RuntimeError(r.status)
        return await r.json()
        """, "the `raise` on line 7"),
    # An `if` goes on when one of its branches does; a test that reads settles the response.
    ("""
        r = await session.get(url)
        if r.status == 200:
            data = await r.json()
        else:
            log.warning("failed")
            return None
        log.info(data)
        """, "the `return` on line 9"),
    ("""
        r = await session.get(url)
        if r.status == 200:
            return await r.json()
        elif r.status == 404:
            log.info("missing")
        else:
            raise RuntimeError(r.status)
        log.info("done")
        """, "the `raise` on line 10 (and 1 other way out)"),
    ("""
        r = await session.post(url)
        if await r.text() != "OK":
            return False
        return True
        """, None),
]


@pytest.mark.parametrize("body, expected", WAYS_OUT)
def test_the_way_out_that_leaves_a_response_unread(body, expected):
    assert way_out(body) == expected


# -- AIO502/AIO508: what follows a swallowed cancellation ---------------------------------------
CANCELLATION_RULES = [CancellationSwallowed, CancellationSwallowedAtEnd]


def outcome(source):
    """The outcome AIO502 or AIO508 reports in ``source`` (``loop``, ``code``, ``result``, ``end``), or None."""
    found = lint("import asyncio\n" + textwrap.dedent(source), CANCELLATION_RULES)
    if not found:
        return None
    [finding] = found
    rule = next(rule for rule in CANCELLATION_RULES if rule.code == finding.code)
    [what] = [what for what, says in rule.consequences.items() if says in finding.message]
    return what


@pytest.mark.parametrize("follows, expected", [
    # Code that suspends goes on; code that only closes, or does not suspend, does not.
    ("async for item in queue:\n    print(item)", "code"),
    ("async with queue.lock:\n    print(1)", "code"),
    ("print([item async for item in queue])", "code"),
    ("for item in queue.items:\n    print(item)", "end"),
    ("with queue.lock:\n    print(1)", "end"),
    ("await queue.put(None)", "code"),
    ("await handlers['done']()", "code"),
    ("await queue.close()", "end"),
    ("await shutdown()", "end"),
    ("return await queue.close()", "end"),
    ("return queue.size", "code"),
])
def test_what_follows_the_handler(follows, expected):
    source = textwrap.dedent("""\
        async def consume(queue, handlers, shutdown):
            try:
                await queue.get()
            except asyncio.CancelledError:
                print("cancelled")
        """) + textwrap.indent(follows, " " * 4) + "\n"
    assert outcome(source) == expected


@pytest.mark.parametrize("later, expected", [
    ("return", "end"),
    ("raise RuntimeError('stopped')", "end"),
    ("break", "code"),
    ("continue", "loop"),
    ("print('again')", "loop"),
])
def test_a_jump_after_the_handler(later, expected):
    source = f"""\
        async def worker(queue, log):
            while queue.running:
                try:
                    await queue.get()
                except asyncio.CancelledError:
                    print("cancelled")
                {later}
            await log.flush()
        """
    assert outcome(source) == expected


@pytest.mark.parametrize("handler, expected", [
    ("except asyncio.CancelledError: pass", "loop"),
    ("except asyncio.CancelledError: return", "end"),
    ("except asyncio.CancelledError:\n    if queue.closing:\n        return", "loop"),
    ("except asyncio.CancelledError:\n    if queue.closing:\n        return\n    else:\n        return", "end"),
    ("except asyncio.CancelledError:\n    if queue.closing:\n        print(1)\n    else:\n        return", "loop"),
    ("except asyncio.CancelledError:\n    if queue.closing:\n        return\n    elif queue.closed:\n        return",
     "loop"),
    ("except asyncio.CancelledError:\n    if queue.closing:\n        return\n    elif queue.closed:\n        return\n"
     "    else:\n        return", "end"),
    ("except asyncio.CancelledError:\n    with queue.lock:\n        return", "end"),
    ("except asyncio.CancelledError:\n    with queue.lock:\n        print(1)", "loop"),
    # A jump in a function the handler defines is that function's.
    ("except asyncio.CancelledError:\n    def retry():\n        return queue.put_nowait(None)\n"
     "    queue.call_later(1, retry)\n    continue", "loop"),
    # A `break` of a loop inside the handler is that loop's: the handler's `return` ends the coroutine.
    ("except asyncio.CancelledError:\n    for waiter in queue.waiters:\n        if waiter.done():\n            break\n"
     "        waiter.set_result(None)\n    return", "end"),
])
def test_how_the_handler_ends(handler, expected):
    source = textwrap.dedent("""\
        async def worker(queue, log):
            while queue.running:
                try:
                    await queue.get()
        """) + textwrap.indent(handler, " " * 8) + "\n    await log.flush()\n"
    assert outcome(source) == expected


@pytest.mark.parametrize("later, expected", [
    ("return", "end"),
    ("print('stopped')", "end"),
    ("await queue.put(None)", "code"),
])
def test_what_follows_a_suppressed_cancellation(later, expected):
    source = f"""\
        from contextlib import suppress

        async def consume(queue):
            with suppress(asyncio.CancelledError):
                await queue.get()
            {later}
        """
    assert outcome(source) == expected


def test_a_break_in_the_handler_goes_on_after_its_loop():
    source = """\
        async def worker(queue, log):
            while True:
                if queue.paused:
                    await asyncio.sleep(1)
                else:
                    try:
                        await queue.get()
                    except asyncio.CancelledError:
                        break
            await log.flush()
        """
    assert outcome(source) == "code"
    assert outcome(source.replace("await log.flush()", "print('done')")) == "end"


# -- test code: AIO801 stands for the rules that leave tests alone ----------------------------
def loop_arguments(source):
    return [d.line for d in lint(source, [LoopArgument])]


def test_a_function_named_test_is_a_test_only_where_pytest_or_unittest_looks():
    assert loop_arguments("""\
        import aiohttp

        async def test_connection(loop):
            aiohttp.ClientSession(loop=loop)

        def checks(loop):
            async def test_connection():
                aiohttp.ClientSession(loop=loop)
            return test_connection
        """) == [8]


@pytest.mark.parametrize("header, body", [
    # A mixin before the test case class: the class is a test case all the same.
    ("class Checks(Helpers, unittest.IsolatedAsyncioTestCase):", ""),
    # The bases are names of the code around the class, not of its body.
    ("class Checks(Base):", "    Base = Helpers\n"),
])
def test_a_test_case_is_known_by_its_bases(header, body):
    source = ("import unittest\nfrom unittest import IsolatedAsyncioTestCase as Base\nimport aiohttp\n\n"
              "class Helpers:\n    pass\n\n" + header + "\n" + body +
              "    async def test_old_loop(self):\n        aiohttp.ClientSession(loop=self.loop)\n")
    assert loop_arguments(source) == []
    not_a_test = source.replace("unittest.IsolatedAsyncioTestCase", "object").replace("(Base)", "(Helpers)")
    assert loop_arguments(not_a_test) == [len(source.splitlines())]


@pytest.mark.parametrize("catcher, expected", [
    ("self.assertWarns(DeprecationWarning)", True),
    ("self.assertWarnsRegex(DeprecationWarning, 'loop')", True),
    ("self.assertRaises(TypeError)", True),
    ("pytest.warns(DeprecationWarning)", True),
    ("self.lock, pytest.deprecated_call()", True),
    ("self.lock", False),
    ("self.assertLogs()", False),
])
def test_code_that_expects_the_warning_it_causes(catcher, expected):
    source = f"""\
        import aiohttp, pytest, unittest

        class LoopChecks(unittest.TestCase):
            def check_loop(self, loop):
                with {catcher}:
                    aiohttp.ClientSession(loop=loop)
        """
    assert loop_arguments(source) == ([] if expected else [6])
