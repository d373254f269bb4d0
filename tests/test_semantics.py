"""Names resolve through every import form; coroutine context is the innermost function's."""

from __future__ import annotations

import textwrap

from aiolint.engine import lint_source
from aiolint.semantics.names import canonical

from .rule_probes import CallProbe


def calls(source: str):
    result = lint_source(textwrap.dedent(source), "t.py", [CallProbe])
    return {(d.line, d.message) for d in result.diagnostics}


def test_every_import_form_resolves():
    assert calls("""\
        import aiohttp as ah
        from aiohttp import ClientSession as CS, web
        import asyncio as aio
        import os.path
        from aiohttp.client import ClientSession
        ah.ClientSession()
        CS()
        web.Application()
        aio.sleep(1)
        os.path.join("a")
        ClientSession()
        """) == {
        (6, "aiohttp.ClientSession coroutine=False"),
        (7, "aiohttp.ClientSession coroutine=False"),
        (8, "aiohttp.web.Application coroutine=False"),
        (9, "asyncio.sleep coroutine=False"),
        (10, "os.path.join coroutine=False"),
        (11, "aiohttp.ClientSession coroutine=False"),
    }


def test_local_bindings_shadow_imports_and_builtins():
    assert calls("""\
        from time import sleep
        def sleep_twice():
            sleep(1)
        def f(open):
            open("x")
        def g():
            sleep = print
            sleep(1)
        """) == {(3, "time.sleep coroutine=False")}


def test_unknown_receivers_resolve_to_nothing():
    assert calls("""\
        async def f(db, cache):
            await db.get("k")
            cache.open()
        """) == set()


def test_names_no_import_binds_or_two_imports_bind_resolve_to_nothing():
    assert calls("""\
        try:
            from time import sleep
        except ImportError:
            from asyncio import sleep
        from os import *
        sleep(1)
        getcwd()
        undefined_helper()
        len([])
        """) == {(9, "builtins.len coroutine=False")}


def test_module_names_are_canonical_too():
    assert canonical("posixpath") == "os.path"
    assert canonical("posixpath.join") == "os.path.join"
    assert canonical("aiohttp.client.ClientSession") == "aiohttp.ClientSession"
    assert canonical("aiohttp.clientx") == "aiohttp.clientx"


def test_coroutine_context_is_the_innermost_function():
    assert calls("""\
        import time
        async def handler(loop):
            time.sleep(1)
            callback = lambda: time.sleep(2)
            def blocking():
                time.sleep(3)
            [time.sleep(4) for _ in range(2)]
            def later(delay=time.sleep(5)):
                pass
            class Local:
                time.sleep(6)
        def plain():
            time.sleep(7)
        """) == {
        (3, "time.sleep coroutine=True"),
        (4, "time.sleep coroutine=False"),
        (6, "time.sleep coroutine=False"),
        (7, "time.sleep coroutine=True"),
        (7, "builtins.range coroutine=True"),
        (8, "time.sleep coroutine=True"),  # a default is evaluated where the def runs
        (11, "time.sleep coroutine=False"),
        (13, "time.sleep coroutine=False"),
    }


def test_types_known_from_the_same_scope_make_method_names():
    assert calls("""\
        import sqlite3
        from pathlib import Path
        async def f(p: "Path | None"):
            conn = sqlite3.connect("db")
            conn.execute("select 1")
            p.read_text()
            Path("x").read_bytes()
            other = object()
            other.read_text()
        """) >= {
        (5, "sqlite3.Connection.execute coroutine=True"),
        (6, "pathlib.Path.read_text coroutine=True"),
        (7, "pathlib.Path.read_bytes coroutine=True"),
    }
