"""AIO101 session-per-request and AIO102 session-not-closed: what the fixture cannot show."""

from __future__ import annotations

import textwrap

from aiolint.engine import lint_source
from aiolint.rules.sessions import SessionNotClosed, SessionPerRequest


def findings(source, rule):
    result = lint_source(textwrap.dedent(source), "s.py", [rule])
    assert result.failures == []
    return [(d.line, d.code) for d in result.diagnostics]


# -- AIO101 ------------------------------------------------------------------------
def test_any_import_form_is_recognised_and_a_local_name_is_not():
    assert findings("""
        import aiohttp as ah
        from aiohttp.client import ClientSession as Made

        async def poll(urls):
            for url in urls:
                async with ah.ClientSession() as a:
                    await a.get(url)
                async with Made() as b:
                    await b.get(url)

        async def fake(urls, ClientSession):
            for url in urls:
                async with ClientSession() as c:
                    await c.get(url)
    """, SessionPerRequest) == [(7, "AIO101"), (9, "AIO101")]


def test_a_function_defined_in_a_loop_is_not_the_loop():
    assert findings("""
        import aiohttp

        def callbacks(names):
            for name in names:
                async def fetch():
                    async with aiohttp.ClientSession() as session:
                        return await session.get(name)
                yield fetch
    """, SessionPerRequest) == []


def test_handler_registered_after_its_definition_in_another_function():
    assert findings("""
        import aiohttp
        from aiohttp import web

        async def index(request):
            async with aiohttp.ClientSession() as session:
                return web.Response(text=await (await session.get("http://x")).text())

        def setup(app):
            app.router.add_route("GET", "/", index)
    """, SessionPerRequest) == [(6, "AIO101")]


def test_a_method_helper_called_through_self_in_a_loop():
    source = """
        import aiohttp

        class Crawler:
            async def fetch(self, url):
                async with aiohttp.ClientSession() as session:
                    async with session.get(url) as response:
                        return await response.text()

            async def crawl(self, urls):
                return [await self.fetch(url) for url in urls]
    """
    assert findings(source, SessionPerRequest) == [(6, "AIO101")]
    # A function of the same name is not the method.
    assert findings(source.replace("self.fetch(url)", "fetch(url)"), SessionPerRequest) == []


def test_helper_message_names_the_helper_and_its_caller():
    result = lint_source(textwrap.dedent("""
        import asyncio, aiohttp

        async def fetch(url):
            async with aiohttp.ClientSession() as session:
                return await session.get(url)

        async def both(a, b):
            return await asyncio.gather(fetch(a), fetch(b))
    """), "s.py", [SessionPerRequest])
    [finding] = result.diagnostics
    assert finding.message == ("`fetch()` makes a new ClientSession on every call, and `both()` calls it in "
                               "asyncio.gather; create one session and pass it in.")


def test_a_session_stored_or_passed_on_in_a_loop_is_not_reported():
    assert findings("""
        import aiohttp

        async def connect_all(hosts, registry):
            for host in hosts:
                session = aiohttp.ClientSession(base_url=host)
                registry.add(session)

        async def per_host(hosts):
            for host in hosts:
                async with aiohttp.ClientSession(base_url=host) as session:
                    yield session  # the consumer makes its requests on it
    """, SessionPerRequest) == []


# -- AIO102 ------------------------------------------------------------------------
def test_a_session_passed_to_a_call_belongs_to_the_callee():
    assert findings("""
        import aiohttp

        async def start(url):
            session = aiohttp.ClientSession()
            client = Client(session)
            return await client.get(url)
    """, SessionNotClosed) == []


def test_a_close_in_an_inner_finally_or_a_registered_callback_counts():
    assert findings("""
        import aiohttp

        async def a(url, stack):
            session = aiohttp.ClientSession()
            stack.push_async_callback(session.close)
            await session.get(url)

        async def b(url):
            session = aiohttp.ClientSession()
            try:
                try:
                    await session.get(url)
                finally:
                    await session.close()
            except OSError:
                pass
    """, SessionNotClosed) == []


def test_a_close_in_one_branch_only_is_reported():
    assert findings("""
        import aiohttp

        async def f(url, keep):
            session = aiohttp.ClientSession()
            await session.get(url)
            if not keep:
                await session.close()
    """, SessionNotClosed) == [(5, "AIO102")]


def test_self_session_of_a_class_with_a_base_from_elsewhere_is_left_alone():
    source = """
        import aiohttp
        from framework import Component

        class Client(BASE):
            def __init__(self):
                self.http = aiohttp.ClientSession()
    """
    assert findings(source.replace("BASE", "Component"), SessionNotClosed) == []
    assert findings(source.replace("BASE", "object"), SessionNotClosed) == [(7, "AIO102")]


def test_self_connector_handed_to_a_session_is_owned_by_it():
    assert findings("""
        import aiohttp

        class Client:
            async def start(self):
                self.connector = aiohttp.TCPConnector(limit=0)
                self.session = aiohttp.ClientSession(connector=self.connector)

            async def close(self):
                await self.session.close()
    """, SessionNotClosed) == []


def test_a_session_handed_to_a_consumer_in_a_while_loop_is_a_reconnect_not_a_request():
    source = """
        import aiohttp

        async def run(consume, urls):
            while True:
                async with aiohttp.ClientSession() as session:
                    await consume(session)
            for url in urls:
                async with aiohttp.ClientSession() as session:
                    await consume(session, url)
    """
    assert findings(source, SessionPerRequest) == [(9, "AIO101")]
