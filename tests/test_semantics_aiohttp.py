"""Following a local variable (tracking.py) and knowing what ``self.x`` is."""

from __future__ import annotations

import textwrap

import libcst as cst

from aiolint.semantics.tracking import track


def tracked(source: str, name: str = "s"):
    """Track ``name`` in the first function of ``source``, anchored at its first statement."""
    function = cst.parse_module(textwrap.dedent(source)).body[0]
    assert isinstance(function, cst.FunctionDef)
    return track(function, name, function.body.body[0])


def closes(source: str) -> list:
    return [call.every_path for call in tracked(source).calls_to("close")]


def test_close_right_after_the_binding_runs_on_every_path():
    assert closes("""
        async def f():
            s = make()
            label = "x"
            await s.close()
    """) == [True]


def test_close_after_code_that_may_raise_does_not_count():
    assert closes("""
        async def f(url):
            s = make()
            r = await s.get(url)
            await s.close()
    """) == [False]


def test_close_in_finally_counts_even_under_an_if():
    assert closes("""
        async def f(url):
            s = make()
            try:
                await s.get(url)
            finally:
                if s is not None:
                    await s.close()
    """) == [True]


def test_close_in_a_branch_or_a_try_body_does_not_count():
    assert closes("""
        async def f(ok):
            s = make()
            if ok:
                await s.close()
            try:
                await s.close()
            except OSError:
                pass
    """) == [False, False]


def test_calls_are_listed_in_source_order_with_await():
    calls = tracked("""
        async def f(url):
            s = make()
            r = await s.get(url)
            s.post(url)
    """).calls
    assert [(c.method, c.awaited) for c in calls] == [("get", True), ("post", False)]


def test_entered_by_async_with_or_an_exit_stack():
    assert tracked("""
        async def f():
            s = make()
            async with s:
                pass
    """).entered
    assert tracked("""
        async def f(stack):
            s = make()
            await stack.enter_async_context(s)
    """).entered


def test_escapes_are_named():
    escapes = tracked("""
        async def f(self, app):
            s = make()
            self.session = s
            app["s"] = s
            other = s
            register(s)
            cleanup.push_async_callback(s.close)
            items = [s]
            yield s
            return s
    """).escapes
    assert [e.how for e in escapes] == ["store", "store", "alias", "argument", "method", "store", "yield", "return"]


def test_capture_by_a_nested_function_escapes_unless_it_is_a_parameter():
    captured = tracked("""
        async def f():
            s = make()
            async def later():
                await s.close()
            def own(s):
                return s
    """).escapes
    assert [e.how for e in captured] == ["capture"]


def test_reads_do_not_escape_and_same_spelled_names_are_not_uses():
    result = tracked("""
        async def f(obj):
            s = make()
            if s is None or s.closed:
                return None
            print(f"{s}", s.headers["x"], isinstance(s, int))
            obj.s = 1
            call(s=1)
    """)
    assert result.escapes == [] and result.calls == []
    assert result.bindings == 1


# -- self.x ----------------------------------------------------------------------
SELF_SOURCE = '''
import aiohttp
from typing import Optional
from aiohttp import ClientSession as CS

class Client:
    annotated: Optional[aiohttp.ClientSession] = None

    def __init__(self, given: "CS", anything, db):
        self.created = aiohttp.ClientSession()
        self.later = None
        self.given = given
        self.unknown = anything
        self.db = db
        self.mixed = aiohttp.ClientSession() if anything else anything

    async def start(self):
        self.later = CS()

    async def use(self, url):
        await self.created.get(url)
        await self.later.get(url)
        await self.given.get(url)
        await self.annotated.get(url)
        await self.unknown.get(url)
        await self.db.get(url)
        await self.mixed.get(url)

        async def nested():
            return await self.created.get(url)

    @staticmethod
    async def static(self, url):
        await self.created.get(url)
'''


def receiver_types():
    """The type of every ``self.x`` whose ``.get`` is awaited, by line."""
    from aiolint.engine import FileWalk

    found = {}

    class Probe:
        def __init__(self, context):
            self.context = context
            self.metadata = ()

        def visit_Await(self, node):
            call = node.expression
            if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute):
                receiver = call.func.value
                if isinstance(receiver, cst.Attribute):
                    found[self.context.code_for(receiver)] = found.get(self.context.code_for(receiver), []) + [
                        self.context.type_of(receiver)]

    FileWalk(cst.parse_module(SELF_SOURCE), "x.py", [Probe], {}).run()
    return found


def test_self_attribute_has_the_type_its_class_gives_it():
    types = receiver_types()
    session = "aiohttp.ClientSession"
    assert types["self.created"] == [session, session, None]  # nested function: yes; staticmethod: no
    assert types["self.later"] == [session]  # None first, a session in start()
    assert types["self.given"] == [session]  # a parameter annotated with a string
    assert types["self.annotated"] == [session]  # the class body's Optional[...] annotation


def test_self_attribute_unknown_when_any_assignment_is_unknown():
    types = receiver_types()
    assert types["self.unknown"] == [None]
    assert types["self.db"] == [None]
    assert types["self.mixed"] == [None]


def global_uses(source: str, name: str = "s"):
    from aiolint.semantics.scope import Scope
    from aiolint.semantics.tracking import track_global

    module = cst.parse_module(textwrap.dedent(source))
    return track_global(Scope(module, None), name)


def test_a_global_is_followed_into_every_function_that_uses_it():
    uses = global_uses("""
        s = None
        async def start():
            global s
            s = make()
        async def fetch(url):
            return await s.get(url)
        class Client:
            async def stop(self):
                await s.close()
    """)
    assert [call.method for call in uses.calls] == ["get", "close"]
    assert uses.escapes == []  # `global s` declares the global followed: it hands nothing on


def test_a_function_with_a_local_of_the_same_name_is_left_out():
    uses = global_uses("""
        s = None
        async def own(url):
            s = make()
            await s.close()
        async def param(s):
            return s
        async def uses_it(url):
            await s.get(url)
    """)
    assert [call.method for call in uses.calls] == ["get"]
    assert uses.escapes == []
