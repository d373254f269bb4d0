"""The project model, per file (``semantics/model.py``): what one file's summary tells the other files of
the project, case by case, and that it is made blind to what the others answered."""

from __future__ import annotations

from typing import Any, Dict

import libcst as cst

from aiolint.engine import FileWalk, summarize
from aiolint.semantics.model import ProjectQuestions, install, run_kind
from aiolint.semantics.scope import Scope
from aiolint.semantics.values import FACTORIES

from .test_values_cases import PATH, SESSION, chain

MODULE = """\
import os
import aiohttp
from pathlib import Path
from . import net
from .net import fetch, make_session
from acme.api import WeatherApi
from acme import utils
import acme.tools
from os.path import join

STATE = Path("state")
PLACEHOLDER = None
PLACEHOLDER = Path("p")
MIXED = Path("a")
MIXED = aiohttp.ClientSession()
UNKNOWN = fetch()
LIMIT: int = 3
TYPED: Path = make_session()
BOTH: Path = None
BOTH = Path("b")


def make():
    return aiohttp.ClientSession()


async def make_async():
    return aiohttp.ClientSession()


def generator():
    yield 1
    return aiohttp.ClientSession()


def unknown():
    return fetch()


def bare(flag):
    if flag:
        return
    return aiohttp.ClientSession()


def twice():
    pass


def twice():
    pass


class Client:
    session: aiohttp.ClientSession
    count = 0
    home = Path("h")
    nothing = None

    def __init__(self):
        self.api = WeatherApi()
        self.path = Path("x")
        self.other = None
        self.unknown = fetch()
        self.mixed = Path("m")

    def get(self):
        return self.path

    async def run(self):
        for x in range(3):
            await fetch(x)
        self.api.get()
        self.helper()
        join("a", "b")

    def helper(self):
        def nested():
            fetch()
        return nested


def top():
    fetch()
    make()
    os.getcwd()
    utils.fetch()
    acme.tools.run()
    net.fetch()
    Client().helper()
    Client().mixed = aiohttp.ClientSession()


fetch()
for item in range(3):
    make()
"""


def test_a_module_tells_its_globals_functions_classes_and_calls():
    summary = summarize(MODULE, "pkg/client.py")
    assert summary["facts"] == {
        "net": "=.net", "fetch": "=.net.fetch", "make_session": "=.net.make_session",
        "STATE": PATH, "PLACEHOLDER": PATH, "TYPED": PATH, "BOTH": PATH,  # not LIMIT (a builtin), MIXED, UNKNOWN
        "make": "()" + SESSION, "make_async": "()awaitable:" + SESSION, "bare": "()" + SESSION,  # not the generator
        "Client.session": SESSION, "Client.home": PATH, "Client.api": "acme.api.WeatherApi",
        "Client.path": PATH, "Client.mixed": PATH, "Client.get": "()" + PATH,
    }
    assert summary["attributes"] == {"session": SESSION, "count": "", "home": PATH, "api": "acme.api.WeatherApi",
                                     "path": PATH, "unknown": "", "mixed": ""}  # two types: none
    assert summary["call_sites"] == [
        ["", "@.make", "in a loop"],  # module-level code counts only where it repeats
        ["Client.__init__", ".net.fetch", ""],
        ["Client.__init__", "acme.api.WeatherApi", ""],
        ["Client.helper", ".net.fetch", ""],  # from the def nested in it
        ["Client.run", ".net.fetch", "in a loop"],
        ["Client.run", "@.Client.helper", ""],
        ["Client.run", "acme.api.WeatherApi.get", ""],
        ["bare", "aiohttp.ClientSession", ""],
        ["generator", "aiohttp.ClientSession", ""],
        ["make", "aiohttp.ClientSession", ""],
        ["make_async", "aiohttp.ClientSession", ""],
        ["top", ".net.fetch", ""],
        ["top", "@.make", ""],
        ["top", "acme.tools.run", ""],
        ["top", "acme.utils.fetch", ""],
        ["top", "aiohttp.ClientSession", ""],
        ["unknown", ".net.fetch", ""],
    ]
    assert summary["runs"] == {"Client.__init__": ""}
    assert summary["registered"] == {}


APP = """\
import asyncio
import functools

import pytest
from aiohttp import web
from discord.ext import commands
from telegram.ext import CommandHandler

from . import handlers
from .helpers import fetch, with_session, retrying
from .views import imported_view


async def index(request):
    if request.query:
        await fetch()
    try:
        pass
    except ValueError:
        await fetch()
    return web.Response()


async def already_a_route(request):
    return web.Response()


def plain():
    return fetch()


def setup(app):
    app.router.add_get("/", index)
    app.router.add_get("/v", imported_view)
    app.router.add_get("/h", handlers.show)
    app.router.add_get("/again", imported_view)
    app.router.add_get("/l", lambda request: None)
    asyncio.get_event_loop().call_soon(plain)
    app.add_handler(CommandHandler("start", handlers.start))


class Cog(commands.Cog):
    @commands.command()
    @with_session
    async def weather(self, ctx):
        await fetch()

    @functools.lru_cache()
    def cached(self):
        return fetch()

    @retrying(3)
    def retried(self):
        pass

    @Cog.other
    def self_decorated(self):
        pass

    @unknown_decorator
    def unknown(self):
        pass


@pytest.fixture
def client():
    fetch()


def test_index():
    fetch()
    for _ in range(3):
        fetch()


def helper_for_tests():
    fetch()
"""


def test_a_module_tells_what_runs_its_functions_and_what_it_registers():
    summary = summarize(APP, "pkg/app.py")
    assert summary["call_sites"] == [  # none from test code; framework decorators are not the project's
        ["Cog.cached", ".helpers.fetch", ""],
        ["Cog.retried", ".helpers.retrying", "wraps"],
        ["Cog.weather", ".helpers.fetch", ""],
        ["Cog.weather", ".helpers.with_session", "wraps"],
        ["already_a_route", "aiohttp.web.Response", ""],
        ["helper_for_tests", ".helpers.fetch", ""],
        ["index", ".helpers.fetch", "guarded"],
        ["index", "aiohttp.web.Response", ""],
        ["plain", ".helpers.fetch", ""],
        ["setup", "telegram.ext.CommandHandler", ""],
    ]
    assert summary["runs"] == {"Cog.weather": "a discord.py command|per command",
                               "index": "an aiohttp web handler|per request", "setup": ""}
    assert summary["registered"] == {
        ".handlers.show": "an aiohttp web handler|per request",
        ".handlers.start": "a python-telegram-bot command handler|per command",
        ".views.imported_view": "an aiohttp web handler|per request"}


INSTANCES = """\
import asyncio
import aiohttp
import psycopg2
import requests
from pathlib import Path
from acme.api import WeatherApi
from .store import Store

api = WeatherApi()
store = Store()


async def make_async() -> WeatherApi: ...


class Local:
    def go(self): ...


class Client:
    def __init__(self, given):
        self.api = WeatherApi()
        self.session = aiohttp.ClientSession()
        self.path = Path("x")
        self.local = Local()
        self.given = given
        self.maker = make_async()
        self.queue = asyncio.Queue()
        self.timeout = aiohttp.ClientTimeout()
        self.db = psycopg2.connect()
        self.http = requests.Session()

    async def run(self, param):
        self.api.get()
        self.api.get()
        self.api.post()
        self.session.get("u")
        self.path.exists()
        self.local.go()
        self.given.go()
        self.maker.go()
        self.queue.put(1)
        self.timeout.go()
        self.db.cursor()
        param.go()
        api.get()
        store.load()
        store.get()
        x = Local()
        x.go()
        self.api.inner.go()
        other.attr.go()
        for _ in range(2):
            api.get()
        undefined.go()
        api.go()
        self.http.get("u")

    async def repeated(self, items):
        [self.api.listed(item) for item in items]
        await asyncio.gather(self.api.gathered())
        self.api.maybe() if items else None
        if self.api.check():
            pass

    @staticmethod
    def static(self):
        self.api.get()


store.save()
"""


def test_methods_called_on_instances_of_the_projects_classes_are_call_sites():
    """Not those of sessions, paths, the standard library's or aiohttp's objects, nor of unknown ones."""
    assert summarize(INSTANCES, "pkg/client.py")["call_sites"] == [
        ["Client.__init__", "@.make_async", ""],
        ["Client.__init__", "acme.api.WeatherApi", ""],
        ["Client.__init__", "aiohttp.ClientSession", ""],
        ["Client.__init__", "aiohttp.ClientTimeout", ""],
        ["Client.__init__", "psycopg2.connect", ""],
        ["Client.__init__", "requests.Session", ""],
        ["Client.repeated", "acme.api.WeatherApi.check", ""],  # the condition of the `if` always runs
        ["Client.repeated", "acme.api.WeatherApi.gathered", "in asyncio.gather"],
        ["Client.repeated", "acme.api.WeatherApi.listed", "in a loop"],
        ["Client.repeated", "acme.api.WeatherApi.maybe", "guarded"],
        ["Client.run", ".store.Store.get", ""],  # `get` of another object than `api.get()`
        ["Client.run", ".store.Store.load", ""],
        ["Client.run", "@.Local.go", ""],
        ["Client.run", "acme.api.WeatherApi.get", ""],
        ["Client.run", "acme.api.WeatherApi.get", "in a loop"],
        ["Client.run", "acme.api.WeatherApi.go", ""],
        ["Client.run", "acme.api.WeatherApi.post", ""],
    ]


IMPORTS = """\
import aiohttp
from acme import thing
from .net import make_session
from . import net
import os.path
try:
    from ujson import loads
except ImportError:
    from json import loads
"""


def test_a_package_re_exports_what_it_imports_and_a_module_what_it_imports_relatively():
    package = {"aiohttp": "=aiohttp", "thing": "=acme.thing", "make_session": "=.net.make_session", "net": "=.net",
               "os": "=os"}
    assert summarize(IMPORTS, "pkg/__init__.py")["facts"] == package
    assert summarize(IMPORTS, "pkg/__init__.pyi")["facts"] == package
    assert summarize(IMPORTS, "pkg/mod.py")["facts"] == {"make_session": "=.net.make_session", "net": "=.net"}
    assert summarize(IMPORTS, "pkg/x__init__.py")["facts"] == {"make_session": "=.net.make_session", "net": "=.net"}


def walk_with(source: str, project, path: str = "pkg/helpers.py") -> FileWalk:
    """A walk of ``source`` whose one rule asks ``type_of`` of every ``reveal(x)``, as rules do."""
    class Probe:
        metadata = ()

        def __init__(self, context):
            self.context = context

        def visit_Call(self, node: cst.Call) -> None:
            if isinstance(node.func, cst.Name) and node.func.value == "reveal":
                self.context.type_of(node.args[0].value)

    walk = FileWalk(cst.parse_module(source), path, [Probe], {}, project=project)
    walk.run()
    return walk


HELPERS = """\
from .net import make, other

def helper():
    return make()

def unasked():
    return other()

reveal(helper())
"""


def test_the_summary_is_made_blind_to_what_the_other_files_answered():
    """Cached with the file, it must stay true whatever the other files say later: ``helper`` returns what
    ``make`` of another file returns, which is not this file's to say."""
    walk = walk_with(HELPERS, {".net.make": "()" + SESSION}.get)
    assert walk.questions.asked == {".net.make": "()" + SESSION}  # what the walk asked, with the answer
    assert walk.summary()["facts"] == {"make": "=.net.make", "other": "=.net.other"}
    assert walk.questions.answers() == {".net.make": "()" + SESSION}
    # Asked again after the summary: answered again, from what was asked.
    assert walk.questions.ask(".net.make") == "()" + SESSION


def test_questions_are_asked_once_and_unanswered_ones_are_not_kept_as_answers():
    asked = []

    def answer(question):
        asked.append(question)
        return {"known": PATH}.get(question)

    questions = ProjectQuestions(answer)
    assert questions.ask("known") == PATH and questions.ask("known") == PATH
    assert questions.ask("unknown") is None and questions.ask("unknown") is None
    assert asked == ["known", "unknown"]
    assert questions.answers() == {"known": PATH}
    assert ProjectQuestions().ask("known") is None
    questions.blind = True
    assert questions.ask("known") is None


def test_install_gives_the_files_scopes_the_project_and_the_factories():
    module = Scope(cst.parse_module(""), None)
    questions = install(module, {}, None)
    assert module.file_memo["project"] is questions and module.file_memo["factories"] is FACTORIES
    install(module, {"extend-factories": {"acme.make": "path"}}, None)
    assert module.file_memo["factories"] == {**FACTORIES, "acme.make": PATH}


def test_how_a_summary_says_what_runs_a_function():
    from aiolint.semantics.entry_points import EntryKind

    assert run_kind(EntryKind("discord.py", "command", "command")) == "a discord.py command|per command"
    assert run_kind(EntryKind("", "main function", "once")) == ""


def test_a_global_or_a_function_is_known_as_deep_as_a_rule_would_know_it():
    """The summary follows assignments as far as ``type_of`` does (``MAX_DEPTH``)."""
    def facts(k: int) -> Dict[str, Any]:
        source = "from pathlib import Path\n" + chain(k, 'Path("x")') + f"def make():\n    return n{k}\n"
        return summarize(source, "pkg/mod.py")["facts"]

    assert facts(6)["n6"] == PATH and facts(6)["make"] == "()" + PATH
    assert "make" not in facts(7) and facts(8)["n8"] == PATH
    assert "n9" not in facts(9)


def test_what_nested_defs_and_classes_call_counts_as_their_outermost_functions():
    """A def nested in a function, or a method of a class nested in a class, is no function of the module:
    calling it is no call site, and its calls are its outermost function's."""
    nested = "".join(f"def outer{i}():\n    def inner():\n        pass\n    inner()\n    fetch()\n\n\n"
                     for i in range(6))
    classes = "".join(f"class A{i}:\n    class B:\n        def method(self):\n            fetch()\n\n\n"
                      for i in range(6))
    source = "from .net import fetch\n\n\n" + nested + classes
    assert summarize(source, "pkg/mod.py")["call_sites"] == [[f"outer{i}", ".net.fetch", ""] for i in range(6)]


def test_calls_in_comprehensions_gather_and_conditions_say_how_they_run():
    source = """\
import asyncio
from .net import fetch, probe, check, fallback, more


async def handler(items, flag):
    [fetch(item) for item in items]
    [item for item in items if fetch(item)]
    {fetch(item): 1 for item in items}
    await asyncio.gather(more())
    value = 1 if probe() else 2
    if check():
        pass
    result = fallback() if flag else None
"""
    assert summarize(source, "pkg/mod.py")["call_sites"] == [
        ["handler", ".net.check", ""], ["handler", ".net.fallback", "guarded"],
        ["handler", ".net.fetch", "in a loop"], ["handler", ".net.more", "in asyncio.gather"],
        ["handler", ".net.probe", ""]]


def test_a_registered_function_is_run_by_its_own_decorator_or_its_first_registration():
    source = """\
from aiohttp import web
from discord.ext import commands
from telegram.ext import CommandHandler
from .net import fetch


def plain(request):
    fetch()


@commands.command()
async def command(ctx):
    fetch()


def setup(app):
    app.router.add_get("/plain", plain)
    app.add_handler(CommandHandler("plain", plain))
    app.router.add_get("/command", command)
"""
    assert summarize(source, "pkg/mod.py")["runs"] == {
        "command": "a discord.py command|per command", "plain": "an aiohttp web handler|per request", "setup": ""}


def test_what_runs_a_function_is_said_blind_too():
    """A command of a bot that another module makes is known as one only with that module's answer."""
    from aiolint.semantics.entry_points import entry_point

    source = """\
from .app import bot
from .net import fetch


@bot.command()
async def ping(ctx):
    await fetch()
"""

    class Probe:
        metadata = ()

        def __init__(self, context):
            self.context = context

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            self.context.entry_point = entry_point(node, self.context.scope)

    walk = FileWalk(cst.parse_module(source), "pkg/cog.py", [Probe], {},
                    project={".app.bot": "discord.ext.commands.Bot"}.get)
    walk.run()
    assert walk.context.entry_point is not None and walk.context.entry_point.per_event
    assert walk.summary()["runs"] == {}


def test_a_yield_or_a_return_outside_a_function_costs_no_failure():
    """Python refuses them when it compiles the file, but the file parses: the model notes nothing for them."""
    from aiolint.engine import lint_source

    result = lint_source("import aiohttp\nyield 1\nreturn aiohttp.ClientSession()\nx = lambda: (yield)\n", "x.py")
    assert result.failures == []
    assert result.summary["facts"] == {}
