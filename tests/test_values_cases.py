"""What an expression is (``semantics/values.py``), case by case: every form ``type_of`` knows, and the
forms it must leave unknown. ``reveal(expr)`` in a source shows what a rule asking ``type_of(expr)``
there is told; ``callee(call)`` what it is told of the function a call calls."""

from __future__ import annotations

import textwrap
from typing import Any, Callable, Dict, Mapping, Optional

import libcst as cst

from aiolint.engine import FileWalk
from aiolint.semantics.values import (
    FACTORIES, Kind, factories_for, is_class_name, kind_of_type, names_a_value, one_type,
)

SESSION = "aiohttp.ClientSession"
RESPONSE = "aiohttp.ClientResponse"
PATH = "pathlib.Path"


def walked(source: str, project: Optional[Callable[[str], Optional[str]]] = None,
           options: Optional[Mapping[str, Any]] = None) -> Dict[str, Optional[str]]:
    """What ``reveal(x)`` and ``callee(f())`` say, by the probe call's code."""
    found: Dict[str, Optional[str]] = {}

    class Probe:
        metadata = ()

        def __init__(self, context):
            self.context = context

        def visit_Call(self, node: cst.Call) -> None:
            if isinstance(node.func, cst.Name) and node.func.value in ("reveal", "callee"):
                argument = node.args[0].value
                ask = self.context.type_of if node.func.value == "reveal" else self.context.callee_name
                found[self.context.code_for(node)] = ask(argument)

    walk = FileWalk(cst.parse_module(textwrap.dedent(source)), "x.py", [Probe], options or {}, project=project)
    walk.run()
    assert walk.failures == []
    return found


def answers(facts: Mapping[str, str]) -> Callable[[str], Optional[str]]:
    """A project whose other files say ``facts`` (question -> answer) and nothing else."""
    return facts.get


def test_the_kind_of_a_type():
    assert kind_of_type(None) is Kind.UNKNOWN
    assert kind_of_type("acme.Thing") is Kind.UNKNOWN
    assert kind_of_type("pathlib.PurePath") is Kind.PATH
    assert kind_of_type(SESSION) is Kind.SESSION


def test_extend_factories_adds_the_kinds_it_can_read_and_skips_the_rest():
    table = factories_for({"extend-factories": {"acme.bad": "no-such-kind", "acme.unknown": "unknown",
                                                "acme.make": "session", "acme.open": "file"}})
    assert table == {**FACTORIES, "acme.make": SESSION, "acme.open": "typing.IO"}
    assert factories_for({"extend-factories": ["acme.make"]}) == FACTORIES
    assert factories_for({}) == FACTORIES


def test_a_class_name_is_capitalised_in_its_last_part():
    assert is_class_name("aiohttp.ClientSession") and is_class_name("Client")
    assert not is_class_name("aiohttp.request") and not is_class_name("") and not is_class_name("acme.Net.make")


def test_an_import_names_a_value_when_it_is_relative_or_not_lower_case():
    assert names_a_value(".config.state") and names_a_value("acme.settings.MARKER")
    assert names_a_value("acme.Settings")
    assert not names_a_value("os.path") and not names_a_value("time")


def test_one_type_is_the_type_every_value_has():
    assert one_type([PATH, PATH]) == PATH
    assert one_type([PATH, None]) is None and one_type([PATH, SESSION]) is None and one_type([]) is None


def test_calls_give_what_the_tables_and_the_classes_say():
    assert walked("""\
        import aiohttp, pathlib, sqlite3
        from acme import Thing, make
        from homeassistant.helpers.aiohttp_client import async_get_clientsession
        reveal(open("f"))
        reveal(sqlite3.connect("db").cursor())
        reveal(async_get_clientsession(hass))
        reveal(aiohttp.ClientSession())
        reveal(Thing())
        reveal(make())
        reveal(len("x"))
        reveal(aiohttp.ClientSession().get("u"))
        """) == {
        'reveal(open("f"))': "io.TextIOWrapper",
        'reveal(sqlite3.connect("db").cursor())': "sqlite3.Cursor",
        "reveal(async_get_clientsession(hass))": SESSION,
        "reveal(aiohttp.ClientSession())": SESSION,
        "reveal(Thing())": "acme.Thing",
        "reveal(make())": None,
        'reveal(len("x"))': None,
        'reveal(aiohttp.ClientSession().get("u"))': "aiohttp.client._RequestContextManager",
    }


def test_the_project_says_what_its_functions_return_but_not_what_builtins_do():
    project = answers({"acme.make": "()pathlib.Path", "acme.value": PATH, "builtins.len": "()pathlib.Path"})
    assert walked("""\
        from acme import make, value
        reveal(make())
        reveal(value())
        reveal(len("x"))
        """, project) == {"reveal(make())": PATH, "reveal(value())": None, 'reveal(len("x"))': None}


def test_extend_factories_is_read_from_the_options():
    source = """\
        import acme
        reveal(acme.make())
        reveal(acme.open())
        """
    options = {"extend-factories": {"acme.make": "session"}}
    assert walked(source, options=options) == {"reveal(acme.make())": SESSION, "reveal(acme.open())": None}
    assert walked(source) == {"reveal(acme.make())": None, "reveal(acme.open())": None}


def test_functions_and_classes_of_this_file_give_what_they_return():
    assert walked("""\
        import aiohttp
        from pathlib import Path

        class Client:
            def make(self) -> aiohttp.ClientSession: ...
            def path(self):
                return Path("x")
            def twice(self): ...
            def twice(self): ...
            count = 1

        def make():
            return aiohttp.ClientSession()

        async def make_async():
            return aiohttp.ClientSession()

        def twice(): ...
        def twice(): ...

        def outer():
            def inner():
                return aiohttp.ClientSession()
            reveal(inner())

        reveal(Client())
        reveal(Client().make())
        reveal(Client().path())
        reveal(Client().twice())
        reveal(Client().count())
        reveal(Client().missing())
        reveal(make())
        reveal(make_async())
        reveal(twice())
        callee(Client().make())
        """) == {
        "reveal(inner())": None,  # only the top-level functions are known
        "reveal(Client())": "@.Client",
        "reveal(Client().make())": SESSION,
        "reveal(Client().path())": PATH,
        "reveal(Client().twice())": None,
        "reveal(Client().count())": None,
        "reveal(Client().missing())": None,
        "reveal(make())": SESSION,
        "reveal(make_async())": "awaitable:" + SESSION,
        "reveal(twice())": None,
        "callee(Client().make())": "@.Client.make",
    }


def test_a_name_bound_to_a_lambda_or_a_value_is_not_a_function_of_this_file():
    assert walked("""\
        import aiohttp
        make = lambda: aiohttp.ClientSession()
        reveal(make())
        """) == {"reveal(make())": None}


def test_what_a_function_returns_is_the_one_type_of_its_return_values():
    assert walked("""\
        import aiohttp
        from pathlib import Path

        def maybe(flag):
            if flag:
                return None
            return aiohttp.ClientSession()

        def mixed(flag):
            if flag:
                return Path("x")
            return aiohttp.ClientSession()

        def nested_return():
            def inner():
                return Path("x")
            return aiohttp.ClientSession()

        def nested_yield():
            def inner():
                yield 1
            return aiohttp.ClientSession()

        def generator():
            yield 1
            return aiohttp.ClientSession()

        def bare():
            if x:
                return
            return aiohttp.ClientSession()

        def recursive():
            return recursive()

        reveal(maybe(1))
        reveal(mixed(1))
        reveal(nested_return())
        reveal(nested_yield())
        reveal(generator())
        reveal(bare())
        reveal(recursive())
        """) == {
        "reveal(maybe(1))": SESSION, "reveal(mixed(1))": None, "reveal(nested_return())": SESSION,
        "reveal(nested_yield())": SESSION, "reveal(generator())": None, "reveal(bare())": SESSION,
        "reveal(recursive())": None,
    }


def test_await_gives_what_a_coroutine_returns_and_a_request_its_response():
    assert walked("""\
        import aiohttp
        from pathlib import Path

        async def make() -> Path: ...

        async def main(unknown):
            session = aiohttp.ClientSession()
            reveal(await make())
            reveal(await session.get("u"))
            reveal(await unknown())
            reveal(await Path("x"))
            callee(make().exists())
            reveal(make().name)
        """) == {
        'reveal(await make())': PATH,
        'reveal(await session.get("u"))': RESPONSE,
        "reveal(await unknown())": None,
        'reveal(await Path("x"))': None,
        "callee(make().exists())": None,
        "reveal(make().name)": None,
    }


def test_names_have_the_one_type_of_what_binds_them():
    assert walked("""\
        import aiohttp
        from pathlib import Path

        def f(flag, given: Path, other):
            s = None
            s = aiohttp.ClientSession()
            both = Path("a")
            both = aiohttp.ClientSession()
            for item in given.iterdir():
                reveal(item)
            x: Path = other
            a, b = Path("a"), Path("b")
            with open("f") as fh:
                reveal(fh)
            with s.get("u") as r:
                reveal(r)
            with other() as o:
                reveal(o)
            with Path("x") as entered:
                reveal(entered)
            reveal(s)
            reveal(both)
            reveal(given)
            reveal(x)
            reveal(a)
            reveal(other)
            reveal(undefined)
        """) == {
        "reveal(item)": None, "reveal(fh)": "io.TextIOWrapper", "reveal(r)": RESPONSE, "reveal(o)": None,
        "reveal(entered)": PATH, "reveal(s)": SESSION, "reveal(both)": None, "reveal(given)": PATH,
        "reveal(x)": PATH, "reveal(a)": None, "reveal(other)": None, "reveal(undefined)": None,
    }


def test_a_chain_of_names_is_followed_eight_steps_deep():
    """``a = b.c(); b = a`` and other cycles end there."""
    hops = [f"n{i} = n{i - 1}" for i in range(1, 9)]
    source = "from pathlib import Path\nn0 = Path('x')\n" + "\n".join(hops) + "\nreveal(n7)\nreveal(n8)\n"
    assert walked(source) == {"reveal(n7)": PATH, "reveal(n8)": None}


def test_operators_keep_a_type_only_where_it_is_certain():
    assert walked("""\
        import aiohttp, sqlite3
        from pathlib import Path, PurePath

        def f(session, flag):
            reveal(Path("a") / "b")
            reveal(PurePath("a") / "b")
            reveal(sqlite3.connect("db") / 2)
            reveal(Path("a") + "b")
            reveal(unknown / "b")
            reveal(session or aiohttp.ClientSession())
            reveal(None or aiohttp.ClientSession())
            reveal(aiohttp.ClientSession() or aiohttp.ClientSession())
            reveal(Path("a") or aiohttp.ClientSession())
            reveal(aiohttp.ClientSession() or session)
            reveal(session and aiohttp.ClientSession())
            reveal(aiohttp.ClientSession() if flag else None)
            reveal(None if flag else aiohttp.ClientSession())
            reveal(aiohttp.ClientSession() if flag else Path("a"))
            reveal([Path("a")])
        """) == {
        'reveal(Path("a") / "b")': PATH,
        'reveal(PurePath("a") / "b")': "pathlib.PurePath",
        'reveal(sqlite3.connect("db") / 2)': None,
        'reveal(Path("a") + "b")': None,
        'reveal(unknown / "b")': None,
        "reveal(session or aiohttp.ClientSession())": SESSION,
        "reveal(None or aiohttp.ClientSession())": SESSION,
        "reveal(aiohttp.ClientSession() or aiohttp.ClientSession())": SESSION,
        'reveal(Path("a") or aiohttp.ClientSession())': None,
        "reveal(aiohttp.ClientSession() or session)": None,
        "reveal(session and aiohttp.ClientSession())": None,
        "reveal(aiohttp.ClientSession() if flag else None)": SESSION,
        "reveal(None if flag else aiohttp.ClientSession())": SESSION,
        'reveal(aiohttp.ClientSession() if flag else Path("a"))': None,
        'reveal([Path("a")])': None,
    }


def test_methods_of_values_of_known_types_are_named_by_the_type():
    project = answers({".config.MARKER": PATH, ".config.Marker": PATH})
    source = """\
        import os
        from pathlib import Path
        from . import config

        p = Path("x")
        callee(p.read_text())
        callee(config.MARKER.unlink())
        callee(config.Marker.unlink())
        callee(config.marker.unlink())
        callee(os.path.join("a"))
        """
    assert walked(source, project) == {
        "callee(p.read_text())": "pathlib.Path.read_text",
        "callee(config.MARKER.unlink())": "pathlib.Path.unlink",
        "callee(config.Marker.unlink())": "pathlib.Path.unlink",
        "callee(config.marker.unlink())": ".config.marker.unlink",
        'callee(os.path.join("a"))': "os.path.join",
    }
    assert walked(source)["callee(config.MARKER.unlink())"] == ".config.MARKER.unlink"


def test_attributes_have_the_type_their_owner_gives_them():
    project = answers({".config.STATE": PATH, "builtins.str.attr": PATH, "*.http_session": SESSION,
                       "acme.Thing.conn": "sqlite3.Connection", "aiohttp.ClientSession.extra": PATH,
                       "pathlib.Path.extra": PATH, "builtins.int.extra": PATH, "*.later": PATH,
                       "*.unset": PATH})
    assert walked("""\
        import aiohttp
        from pathlib import Path
        from acme import Thing
        from . import config

        class Client:
            def __init__(self):
                self.session = aiohttp.ClientSession()
                self.unknown = make()

            def use(self):
                reveal(self.session)
                reveal(self.unknown)
                reveal(self.bot.http_session)
                reveal(self.unset)

        async def make_async() -> Thing: ...

        reveal(config.STATE)
        reveal(str.attr)
        reveal(Path("x").parent)
        reveal(Client().session)
        reveal(Client().unknown)
        reveal(Client().missing)
        reveal(Thing().conn)
        reveal(make_async().conn)
        reveal(aiohttp.ClientSession().extra)
        reveal(Path("x").extra)
        reveal(int(1).extra)
        reveal(unknown.attr.later)
        """, project) == {
        "reveal(self.session)": SESSION,
        "reveal(self.unknown)": None,
        "reveal(self.bot.http_session)": SESSION,
        "reveal(self.unset)": PATH,  # not assigned in this class: what the project says of the name
        "reveal(config.STATE)": PATH,
        "reveal(str.attr)": None,
        'reveal(Path("x").parent)': PATH,
        "reveal(Client().session)": SESSION,
        "reveal(Client().unknown)": None,
        "reveal(Client().missing)": None,
        "reveal(Thing().conn)": "sqlite3.Connection",
        "reveal(make_async().conn)": None,
        "reveal(aiohttp.ClientSession().extra)": None,
        'reveal(Path("x").extra)': None,
        "reveal(int(1).extra)": None,
        "reveal(unknown.attr.later)": PATH,
    }


def test_imported_constants_are_asked_of_the_project_but_classes_are_not():
    project = answers({".config.STATE": PATH, ".config.TOKEN": PATH, ".config.Client": PATH,
                       "acme.state": PATH})
    assert walked("""\
        from .config import STATE, TOKEN, Client
        from acme import state
        reveal(STATE)
        reveal(TOKEN)
        reveal(Client)
        reveal(state)
        """, project) == {"reveal(STATE)": PATH, "reveal(TOKEN)": PATH, "reveal(Client)": None,
                          "reveal(state)": PATH}


def annotated(annotation: str, prelude: str = "") -> Optional[str]:
    source = ("import typing\nfrom typing import IO, List, Optional, TextIO, Union\nimport aiohttp\n"
              "from pathlib import Path\n" + prelude + f"\ndef f(x: {annotation}):\n    reveal(x)\n")
    return walked(source)["reveal(x)"]


def test_annotations_name_the_type_through_optional_unions_and_strings():
    assert annotated("Optional[aiohttp.ClientSession]") == SESSION
    assert annotated("typing.Optional[Path]") == PATH
    assert annotated("Optional[Path, int]") is None
    assert annotated("aiohttp.ClientSession | None") == SESSION
    assert annotated("None | aiohttp.ClientSession") == SESSION
    assert annotated("aiohttp.ClientSession | Path") is None
    assert annotated("Union[aiohttp.ClientSession, None]") == SESSION
    assert annotated("Union[None, Path]") == PATH
    assert annotated("Union[aiohttp.ClientSession, Path]") is None
    assert annotated('"aiohttp.ClientSession"') == SESSION
    assert annotated('"Optional[Path]"') == PATH
    assert annotated('"not valid ("') is None
    assert annotated("IO[str]") == "typing.IO"
    assert annotated("TextIO") == "typing.IO"
    assert annotated("List[Path]") is None
    assert annotated("int") is None
    assert annotated("Client", "class Client: ...\n") == "@.Client"
    assert annotated("Twice", "class Twice: ...\nclass Twice: ...\n") is None
    assert annotated("_Hidden", "class _Hidden: ...\n") is None
    assert annotated("Path") == PATH


def test_a_class_defined_in_a_function_is_no_class_of_the_module():
    assert walked("""\
        def outer():
            class Local: ...
            def f(x: Local):
                reveal(x)
        """) == {"reveal(x)": None}


def chain(k: int, first: str, prefix: str = "n", indent: str = "") -> str:
    """``n0 = first``, then ``n1 = n0`` ... ``nk = n(k-1)``: each name one more step from the value."""
    return "".join([f"{indent}{prefix}0 = {first}\n"] + [f"{indent}{prefix}{i} = {prefix}{i - 1}\n"
                                                         for i in range(1, k + 1)])


def deepest(source: Callable[[int], str], want: Optional[str]) -> int:
    """The longest chain (see ``chain``) through which ``source(k)``'s one probe still says ``want``."""
    said = [next(iter(walked(source(k)).values())) for k in range(12)]
    return next((k for k, found in enumerate(said) if found != want), len(said)) - 1


PRELUDE = "import aiohttp, sqlite3\nfrom pathlib import Path\n"


def test_every_step_of_an_expression_counts_towards_the_depth_limit():
    """What each form of expression costs of the eight steps (``MAX_DEPTH``) that end a cycle."""
    def revealed(expression: str, first: str = 'Path("x")', before: str = ""):
        return lambda k: PRELUDE + before + chain(k, first) + f"reveal({expression.format(f'n{k}')})\n"

    assert deepest(revealed("{}"), PATH) == 7
    assert deepest(revealed("await {}", "make()", "async def make() -> Path: ...\n"), PATH) == 6
    assert deepest(revealed('{} / "a"'), PATH) == 6
    assert deepest(revealed("None or {}"), PATH) == 6
    # The left side is known to be another thing: nothing is certain, until it is too deep to know.
    assert deepest(revealed("{} or aiohttp.ClientSession()"), None) == 6
    assert deepest(revealed("{} if flag else None"), PATH) == 6
    assert deepest(revealed("{}.parent"), PATH) == 6
    assert deepest(revealed("{}.cursor()", 'sqlite3.connect("db")'), "sqlite3.Cursor") == 5
    assert deepest(lambda k: PRELUDE + chain(k, 'sqlite3.connect("db")') + f"callee(n{k}.cursor())\n",
                   "sqlite3.Connection.cursor") == 6


def test_what_a_function_or_a_class_gives_counts_from_where_it_is_asked():
    """A value that a function returns, a class stores or a ``with`` enters is as deep as the steps that led
    to it, plus its own."""
    def through(body: str, asked: str = "y") -> Callable[[int], str]:
        return lambda k: PRELUDE + chain(k, 'Path("x")') + body.format(f"n{k}") + f"reveal({asked})\n"

    assert deepest(through("def make():\n    return {}\nx = make()\ny = x\n"), PATH) == 4
    assert deepest(through("class C:\n    def make(self):\n        return {}\nx = C().make()\ny = x\n"), PATH) == 4
    assert deepest(through("class C:\n    def __init__(self):\n        self.x = {}\nx = C().x\ny = x\n"), PATH) == 4
    assert deepest(through("x = {}\ny = x\nwith y as z:\n    pass\n", "z"), PATH) == 4
    in_a_method = ("class C:\n    def __init__(self):\n        self.x = {}\n"
                   "    def use(self):\n        y = self.x\n        reveal(y)\n")
    assert deepest(lambda k: PRELUDE + chain(k, 'Path("x")') + in_a_method.format(f"n{k}"), PATH) == 5


def test_a_scope_outside_a_linted_file_knows_no_project_and_the_built_in_factories():
    """``type_of`` asked of a bare scope (no project installed, no options read)."""
    from aiolint.semantics.scope import Scope
    from aiolint.semantics.values import type_of

    module = cst.parse_module("from .config import STATE\n"
                              "from homeassistant.helpers.aiohttp_client import async_get_clientsession\n")
    scope = Scope(module, None)
    assert type_of(cst.Name("STATE"), scope) is None
    assert type_of(cst.parse_expression("async_get_clientsession(hass)"), scope) == SESSION


def test_a_function_imported_is_no_value_and_a_module_no_object():
    """What the project says calling ``make`` gives is not the type of ``make``; ``os.path`` names a module
    whose functions are known by name, whatever a file of the project may say of the name."""
    project = answers({".config.make": "()pathlib.Path", "os.path": PATH, "aiohttp.web.Request.app": PATH,
                       "builtins.ValueError.args": PATH})
    assert walked("""\
        import os
        from aiohttp import web
        from .config import make

        def handler(request: web.Request):
            reveal(request.app)
        reveal(make)
        reveal(ValueError("x"))
        reveal(ValueError("x").args)
        callee(os.path.join("a"))
        """, project) == {"reveal(request.app)": None, "reveal(make)": None,
                          'reveal(ValueError("x"))': "builtins.ValueError", 'reveal(ValueError("x").args)': None,
                          'callee(os.path.join("a"))': "os.path.join"}


def test_a_function_of_this_file_gives_the_same_type_each_time_it_is_asked():
    assert walked("""\
        import aiohttp

        def make():
            session = aiohttp.ClientSession()
            return session

        first = make()
        second = make()
        reveal(first)
        reveal(second)
        """) == {"reveal(first)": SESSION, "reveal(second)": SESSION}
