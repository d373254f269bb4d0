"""AIO101 session-per-request and AIO102 session-not-closed: what the fixture cannot show."""

from __future__ import annotations

import textwrap

from aiolint.engine import lint_source
from aiolint.rules.sessions import (
    AppSessionWithoutCleanup, CloseNotAwaited, SessionNotClosed, SessionOutsideCoroutine, SessionPerRequest,
)


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


def test_a_session_made_in_a_loop_and_dropped_or_entered_without_a_name_is_reported():
    assert findings("""
        import aiohttp

        async def poll(urls):
            for url in urls:
                aiohttp.ClientSession()
            for url in urls:
                async with aiohttp.ClientSession():
                    pass
    """, SessionPerRequest) == [(6, "AIO101"), (8, "AIO101")]


def test_a_session_kept_on_self_or_opening_a_websocket_in_a_loop_is_not_reported():
    assert findings("""
        import aiohttp

        class Feed:
            async def run(self):
                while True:
                    self.session = aiohttp.ClientSession()
                    await self.listen()

        async def watch(urls):
            for url in urls:
                session = aiohttp.ClientSession()
                ws = await session.ws_connect(url)
                await ws.receive()
                await session.close()
    """, SessionPerRequest) == []


def message_of(source, rule=SessionPerRequest):
    result = lint_source(textwrap.dedent(source), "s.py", [rule])
    assert result.failures == []
    [finding] = result.diagnostics
    return finding.message


def test_a_helper_that_module_level_code_calls_in_a_loop():
    assert message_of("""
        import asyncio, aiohttp

        async def fetch(url):
            async with aiohttp.ClientSession() as session:
                return await session.get(url)

        for url in ["http://a", "http://b"]:
            asyncio.run(fetch(url))
    """) == ("`fetch()` makes a new ClientSession on every call, and module-level code calls it in a loop; "
             "create one session and pass it in.")


def test_a_helper_called_in_a_comprehension_is_called_in_a_loop():
    assert message_of("""
        import asyncio, aiohttp

        async def fetch(url):
            async with aiohttp.ClientSession() as session:
                return await session.get(url)

        async def fetch_all(urls):
            tasks = [fetch(url) for url in urls]
            return await asyncio.gather(*tasks)
    """) == ("`fetch()` makes a new ClientSession on every call, and `fetch_all()` calls it in a loop; "
             "create one session and pass it in.")


def test_a_decorator_wrapper_names_every_function_between_it_and_the_handler():
    message = message_of("""
        import functools, aiohttp
        from aiohttp import web

        def with_session(func):
            @functools.wraps(func)
            async def wrapper(*args):
                async with aiohttp.ClientSession() as session:
                    return await func(session, *args)
            return wrapper

        @with_session
        async def lookup(session, name):
            return await session.get(name)

        async def find(name):
            return await lookup(name)

        async def resolve(name):
            return await find(name)

        async def index(request: web.Request):
            return web.Response(text=await resolve(request.path))
    """)
    assert "it wraps `lookup()`, which `index()` (" in message
    assert "calls per request through `resolve()`, `find()`;" in message


def test_a_decorator_without_a_wrapper_changes_nothing():
    assert findings("""
        import aiohttp

        def traced(func):
            return func

        @traced
        async def fetch(url):
            async with aiohttp.ClientSession() as session:
                return await session.get(url)

        async def crawl(urls):
            for url in urls:
                await fetch(url)
    """, SessionPerRequest) == [(9, "AIO101")]


def test_what_a_function_called_in_a_plain_loop_calls_in_turn_is_not_followed():
    assert findings("""
        import aiohttp

        async def fetch(url):
            async with aiohttp.ClientSession() as session:
                return await session.get(url)

        async def refresh(url):
            return await fetch(url)

        async def supervise(urls):
            for url in urls:
                await refresh(url)
    """, SessionPerRequest) == []


def test_a_conditional_call_does_not_hide_the_calls_after_it():
    assert findings("""
        import aiohttp
        from aiohttp import web

        async def renew():
            async with aiohttp.ClientSession() as session:
                return await session.post("http://auth/token")

        async def fetch(url):
            async with aiohttp.ClientSession() as session:
                return await session.get(url)

        async def serve(request):
            if request.query:
                await renew()
            return await fetch(request.path)

        async def index(request: web.Request):
            return await serve(request)
    """, SessionPerRequest) == [(10, "AIO101")]


def test_self_session_entered_or_handed_out_is_not_reported():
    assert findings("""
        import aiohttp

        class Client:
            def __init__(self):
                self.session = aiohttp.ClientSession()
                self.spare = aiohttp.ClientSession()

            async def run(self):
                async with self.session:
                    pass

            def spare_session(self):
                return self.spare
    """, SessionNotClosed) == []


def test_self_session_of_a_class_whose_bases_this_module_shows():
    assert findings("""
        import aiohttp
        from typing import Generic, TypeVar
        from framework import Component

        T = TypeVar("T")

        class Base:
            pass

        class Client(Base, Generic[T]):
            def __init__(self):
                self.http = aiohttp.ClientSession()

        class Mixed(Base, Component):
            def __init__(self):
                self.http = aiohttp.ClientSession()
    """, SessionNotClosed) == [(13, "AIO102")]


def test_a_close_through_a_parenthesised_method_has_no_fix():
    result = lint_source(textwrap.dedent("""
        import aiohttp

        async def stop(session: aiohttp.ClientSession):
            (session.close)()
    """), "s.py", [CloseNotAwaited])
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "AIO106" and diagnostic.fix is None


# -- AIO103 ------------------------------------------------------------------------
def test_plain_functions_not_run_at_import_are_not_reported():
    assert findings("""
        import aiohttp

        class Client:
            def connect(self):
                self.session = aiohttp.ClientSession()

        def main():
            def make():
                return aiohttp.ClientSession()
            return make

        def build():
            return aiohttp.ClientSession()

        def unused():
            build()

        later = lambda: build()
        client = Client()
        main()
    """, SessionOutsideCoroutine) == []


def test_a_recursive_plain_function_run_at_import():
    assert findings("""
        import aiohttp

        def walk(tree):
            for child in tree:
                walk(child)

        def connect():
            return aiohttp.ClientSession()

        walk([])
        connect()
    """, SessionOutsideCoroutine) == [(9, "AIO103")]


# -- AIO104 ------------------------------------------------------------------------
def test_an_app_session_used_is_not_closed_but_one_handed_on_may_be():
    assert findings("""
        import aiohttp
        from aiohttp import web

        app = web.Application()

        async def startup(_):
            app["client"] = aiohttp.ClientSession()
            app["spare"] = aiohttp.ClientSession()

        async def fetch(url):
            return await app["client"].get(url)

        async def cleanup(_):
            session = app["spare"]
            await session.close()
    """, AppSessionWithoutCleanup) == [(8, "AIO104")]


def test_an_inline_session_entered_by_hand_or_closed_at_once_is_not_reported():
    assert findings("""
        import aiohttp

        class Client:
            async def start(self):
                self.session = await aiohttp.ClientSession().__aenter__()

        async def check():
            await aiohttp.ClientSession().close()
    """, SessionNotClosed) == []


def test_aiohttp_request_in_a_comprehension_opens_a_session_per_pass():
    assert findings("""
        import aiohttp

        async def requests_for(urls):
            return [aiohttp.request("GET", url) for url in urls]
    """, SessionPerRequest) == [(5, "AIO101")]


def test_self_session_whose_close_is_pushed_on_an_exit_stack_is_closed():
    assert findings("""
        import aiohttp

        class Client:
            async def start(self, stack):
                self.session = aiohttp.ClientSession()
                stack.push_async_callback(self.session.close)
    """, SessionNotClosed) == []


def test_a_session_a_loop_keeps_in_a_module_global_is_not_per_request():
    assert findings("""
        import aiohttp

        async def reconnect(hosts):
            global session
            for host in hosts:
                async with aiohttp.ClientSession(base_url=host) as session:
                    await serve_until_closed()

        async def connect_all(hosts):
            global pool
            for host in hosts:
                pool = aiohttp.ClientSession(base_url=host)
    """, SessionPerRequest) == []


def test_an_attribute_of_a_classmethods_class_or_of_another_object_is_not_self():
    assert findings("""
        import aiohttp

        class Pool:
            @classmethod
            def create(cls):
                cls.shared = aiohttp.ClientSession()
    """, SessionNotClosed) == []
    assert findings("""
        import aiohttp

        class Client:
            def __init__(self, other):
                self.session = None
                other.session = aiohttp.ClientSession()

            async def stop(self):
                self.session.close()
    """, CloseNotAwaited) == []


def test_self_x_annotated_in_a_method_has_the_annotated_type():
    assert findings("""
        import aiohttp

        class Client:
            def __init__(self, make):
                self.session: aiohttp.ClientSession = make()

            async def stop(self):
                self.session.close()
    """, CloseNotAwaited) == [(9, "AIO106")]


def test_self_x_assigned_under_a_condition_has_the_type_assigned():
    assert findings("""
        import aiohttp

        class Client:
            def __init__(self, shared=None):
                if shared is None:
                    self.session = aiohttp.ClientSession()

            async def stop(self):
                self.session.close()
    """, CloseNotAwaited) == [(10, "AIO106")]
