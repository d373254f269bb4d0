"""AIO201 missing-timeout and AIO202 timeout-disabled: what the fixture cannot show."""

from __future__ import annotations

import textwrap

import pytest

from aiolint.engine import lint_source
from aiolint.rules.timeouts import MissingTimeout, TimeoutDisabled


def lint(source, rule):
    result = lint_source(textwrap.dedent(source), "t.py", [rule])
    assert result.failures == []
    return result.diagnostics


def lines(source, rule=MissingTimeout):
    return [d.line for d in lint(source, rule)]


# -- AIO201 ------------------------------------------------------------------------
def test_message_names_the_five_minute_default_and_the_fix():
    [finding] = lint("""
        import aiohttp
        async def f(url):
            async with aiohttp.ClientSession() as s:
                await s.get(url)
    """, MissingTimeout)
    assert finding.message == (
        "This `aiohttp.ClientSession(...)` has no `timeout=`, so its requests use aiohttp's default "
        "`ClientTimeout(total=300, sock_connect=30)` and may wait five minutes; "
        "pass `timeout=aiohttp.ClientTimeout(...)` with limits you chose.")
    assert (finding.line, finding.column) == (4, 16)


def test_request_helper_message_speaks_of_the_call_as_written():
    [finding] = lint("""
        from aiohttp.client import request as get
        async def f(url):
            async with get("GET", url) as r:
                return r.status
    """, MissingTimeout)
    assert finding.message.startswith("`get(...)` has no `timeout=`, so it uses aiohttp's default")


@pytest.mark.parametrize("imports, creation", [
    ("import aiohttp as ah", "ah.ClientSession()"),
    ("from aiohttp import ClientSession as CS", "CS()"),
    ("from aiohttp.client import ClientSession", "ClientSession()"),
])
def test_session_is_known_under_any_import(imports, creation):
    assert lines(f"""
        {imports}
        async def f(url):
            async with {creation} as s:
                await s.post(url)
    """) == [4]


def test_a_local_class_named_like_the_session_is_not_one():
    assert lines("""
        class ClientSession:
            pass
        async def f(url):
            async with ClientSession() as s:
                await s.get(url)
    """) == []


def test_a_session_that_escapes_with_no_request_in_sight_is_not_reported():
    assert lines("""
        import aiohttp
        def factory():
            return aiohttp.ClientSession()
        async def handed_on(url, worker):
            session = aiohttp.ClientSession()
            await worker.run(session, url)
            await session.close()
        class Holder:
            def __init__(self, registry):
                registry["http"] = aiohttp.ClientSession()
    """) == []


def test_a_session_that_escapes_is_still_reported_for_the_requests_in_sight():
    assert lines("""
        import aiohttp
        async def f(url, worker):
            async with aiohttp.ClientSession() as s:
                await worker.run(s)
                async with s.get(url) as r:
                    return r.status
    """) == [4]


def test_requests_on_self_attribute_are_looked_for_in_the_whole_class():
    source = """
        import aiohttp
        class Client:
            async def start(self):
                self._http = aiohttp.ClientSession()
            async def fetch(self, url):
                http = self._http
                async with http.get(url{timeout}) as r:
                    return await r.read()
    """
    assert lines(source.format(timeout="")) == [5]
    assert lines(source.format(timeout=", timeout=self._timeout")) == []


def test_a_session_on_self_with_no_request_in_its_class_is_not_reported():
    assert lines("""
        import aiohttp
        class Client:
            def __init__(self):
                self.session = aiohttp.ClientSession()
            async def close(self):
                await self.session.close()
    """) == []


def test_each_with_block_counts_only_its_own_requests():
    assert lines("""
        import aiohttp
        async def f(url, timeout):
            async with aiohttp.ClientSession() as s:
                await s.get(url, timeout=timeout)
            async with aiohttp.ClientSession(timeout=timeout) as s:
                await s.get(url)
    """) == []


def test_a_name_bound_to_two_values_is_not_followed():
    assert lines("""
        import aiohttp
        async def f(url, shared):
            session = aiohttp.ClientSession()
            await session.close()
            session = shared
            await session.get(url)
    """) == []


def test_inline_request_on_a_new_session():
    assert lines("""
        import aiohttp
        async def f(url, timeout):
            async with aiohttp.ClientSession().get(url) as r:
                return r.status
            async with aiohttp.ClientSession().get(url, timeout=timeout) as r:
                return r.status
    """) == [4]


def test_kwargs_may_hold_the_timeout_of_a_request():
    assert lines("""
        import aiohttp
        async def f(url, **kwargs):
            async with aiohttp.ClientSession() as s:
                await s.get(url, **kwargs)
    """) == []


def test_websocket_connect_is_not_a_request_with_a_timeout():
    assert lines("""
        import aiohttp
        async def f(url):
            async with aiohttp.ClientSession() as s:
                async with s.ws_connect(url) as ws:
                    await ws.send_str("hi")
    """) == []


# -- AIO202 ------------------------------------------------------------------------
def test_request_timeout_none_message():
    [finding] = lint("""
        import aiohttp
        async def f(s: aiohttp.ClientSession, url):
            await s.get(url, timeout=None)
    """, TimeoutDisabled)
    assert finding.message == (
        "`timeout=None` on a request sets no time limit, so a stalled server can hang it forever; "
        "pass an `aiohttp.ClientTimeout` with a limit, or leave it out to use the session's.")
    assert (finding.line, finding.column) == (4, 22)


def test_client_timeout_message_suggests_total_or_sock_read():
    [finding] = lint("""
        import aiohttp as ah
        T = ah.ClientTimeout(total=None)
    """, TimeoutDisabled)
    assert finding.message == (
        "`ah.ClientTimeout(...)` sets no time limit, so a stalled server can hang every request using it "
        "forever; set `total`, or `sock_read` for a long stream.")


@pytest.mark.parametrize("args, reported", [
    ("", True),
    ("total=None", True),
    ("total=0", True),
    ("total=-1", True),
    ("0.0, None", True),
    ("total=None, sock_read=None, sock_connect=0, connect=None", True),
    ("ceil_threshold=10", True),
    ("total=None, sock_read=30", False),
    ("total=None, connect=5", False),
    ("total=None, sock_connect=settings.connect", False),
    ("total=None, sock_read=0.5", False),
    ("300", False),
    ("total=settings.total", False),
    ("**settings", False),
    ("*values", False),
])
def test_client_timeout_without_any_limit(args, reported):
    assert lines(f"""
        from aiohttp import ClientTimeout
        T = ClientTimeout({args})
    """, TimeoutDisabled) == ([3] if reported else [])


def test_request_timeout_zero_is_no_limit_too():
    assert lines("""
        import aiohttp
        async def f(url):
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as s:
                await s.request("GET", url, timeout=0)
    """, TimeoutDisabled) == [5]


def test_timeout_none_is_only_reported_on_known_sessions():
    assert lines("""
        import aiohttp
        async def f(url, client, cache):
            await client.get(url, timeout=None)
            await cache.get(url, timeout=None)
            async with aiohttp.ClientSession(timeout=None) as s:
                await s.ws_connect(url, timeout=None)
            async with aiohttp.request("GET", url, timeout=None) as r:
                return r.status
    """, TimeoutDisabled) == []


def test_timeout_passed_positionally_to_internals_is_not_reported():
    # aiohttp's own connector API (and its tests) take the timeout positionally.
    assert lines("""
        from aiohttp import ClientTimeout
        async def f(conn, req):
            return await conn.connect(req, [], ClientTimeout())
    """, TimeoutDisabled) == []


@pytest.mark.parametrize("rule", [MissingTimeout, TimeoutDisabled])
def test_documentation_has_every_section(rule):
    sections = rule.doc_sections()
    assert list(sections) == ["What it does", "Why is this bad?", "Example", "Use instead", "Known limits"]
    assert all(sections.values())
