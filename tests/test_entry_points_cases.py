"""The framework table of ``aiolint.semantics.entry_points``, and the cases its logic must tell apart."""

from __future__ import annotations

import importlib.util
import textwrap
from types import ModuleType

import libcst as cst

from aiolint.semantics import entry_points
from aiolint.semantics.scope import Scope, scope_of

from .test_snapshots import TextSnapshot

# What each way of marking a function reads of its row (the other fields keep their defaults, unused).
FIELDS_READ = {
    "decorator": ("names",),
    "method_decorator": ("names", "methods"),
    "registration": ("names", "position", "keyword"),
    "method_registration": ("names", "methods", "position", "keyword"),
    "untyped_registration": ("imports", "methods", "position", "keyword"),
    "subclass_methods": ("names", "methods"),
    "parameter_annotation": ("names",),
}


def fresh_table_module() -> ModuleType:
    """The module executed afresh, into a new module object that nothing else sees.

    The table is built by functions called while the module is imported, before any test
    runs: a test of the imported module cannot see a change of those builders. Running the
    source again builds the table again, with the builders as they are now.
    """
    spec = importlib.util.spec_from_file_location(entry_points.__name__, entry_points.__file__)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def render_row(row) -> str:
    kind = row.kind
    lines = [f"{kind.framework or '-'} / {kind.role} / runs: {kind.runs} / by {row.how}"]
    if kind.setup_events:
        lines.append(f"  setup events: {' '.join(sorted(kind.setup_events))}")
    if kind.switch:
        lines.append(f"  switched by: {' '.join(sorted(kind.switch))}")
    for field in FIELDS_READ[row.how]:
        value = getattr(row, field)
        if field == "names":
            lines.extend(f"  name: {name}" for name in sorted(value))
        elif field == "methods":
            lines.append(f"  methods: {' '.join(sorted(value))}")
        else:
            lines.append(f"  {field}: {value!r}")
    return "\n".join(lines) + "\n"


def lookup_keys(row):
    if row.how == "untyped_registration":
        return [(row.how, method) for method in row.methods]
    if row.methods:
        return [(row.how, name, method) for name in row.names for method in row.methods]
    return [(row.how, name) for name in row.names]


def test_the_table_built_afresh_is_pinned(snapshot):
    """Every row, sorted by framework: a framework, role, name or method dropped or changed shows
    in review. No two rows claim the same name, so the order of the rows changes nothing."""
    fresh = fresh_table_module()
    claimed = [key for row in fresh.TABLE for key in lookup_keys(row)]
    assert len(claimed) == len(set(claimed))
    assert "".join(sorted(render_row(row) for row in fresh.TABLE)) == snapshot.use_extension(TextSnapshot)


def test_the_documented_roles_built_afresh_are_pinned(snapshot):
    """``table_summary()``: each framework with the per-event roles the documentation lists."""
    fresh = fresh_table_module()
    summary = "".join(f"{framework}: {', '.join(roles)}\n" for framework, roles in fresh.table_summary())
    assert summary == snapshot.use_extension(TextSnapshot)


def test_the_lookups_built_afresh_find_each_kind_of_row():
    fresh = fresh_table_module()
    command = fresh.DECORATORS["discord.ext.commands.command"]
    assert (command.how, command.kind.description, command.kind.runs) == (
        "decorator", "a discord.py command", fresh.COMMAND)
    assert fresh.DECORATORS["nextcord.ext.tasks.loop"].kind.description == "a nextcord task loop"
    assert fresh.DECORATORS["disnake.ext.commands.Cog.listener"].kind.setup_events == fresh.DISCORD_SETUP_EVENTS
    assert "fastapi.FastAPI" not in fresh.DECORATORS  # a class of a method decorator, not a decorator
    listener = fresh.METHOD_DECORATORS[("discord.ext.commands.Bot", "event")]
    assert (listener.how, listener.kind.description) == ("method_decorator", "a discord.py event listener")
    assert fresh.METHOD_DECORATORS[("fastapi.FastAPI", "get")].kind.description == "a FastAPI route"
    route = fresh.REGISTRATIONS["starlette.routing.Route"]
    assert (route.how, route.position, route.keyword) == ("registration", 1, "endpoint")
    add_route = fresh.METHOD_REGISTRATIONS[("fastapi.FastAPI", "add_api_route")]
    assert (add_route.how, add_route.position, add_route.keyword) == ("method_registration", 1, "endpoint")
    add_get = fresh.UNTYPED_REGISTRATIONS["add_get"]
    assert (add_get.how, add_get.imports, add_get.keyword) == ("untyped_registration", "aiohttp", "handler")
    assert {row.how for row in fresh.SUBCLASS_ROWS} == {"subclass_methods"}
    assert [row.how for row in fresh.ANNOTATION_ROWS] == ["parameter_annotation"]
    assert "aiohttp.web.Request" in fresh.ANNOTATION_ROWS[0].names
    cog_rows = [row for row in fresh.SUBCLASS_ROWS if "discord.ext.commands.Cog" in row.names]
    assert [(row.kind.description, sorted(row.methods)) for row in cog_rows] == [
        ("a discord.py event listener", ["on_*"])]
    assert {"add_get", "add_api_route", "Route", "CommandHandler", "add_done_callback"} <= fresh.REGISTRATION_NAMES


def kinds(source: str) -> dict:
    """``{"Class.method": "a discord.py event listener", "main": "a one-shot function", "helper": None}``:
    what ``entry_point`` says of every ``def`` of ``source`` (nested ones too), by its dotted name."""
    module = cst.parse_module(textwrap.dedent(source))
    found = {}

    def visit(body, scope, prefix):
        for statement in body:
            if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                name = prefix + statement.name.value
                if isinstance(statement, cst.FunctionDef):
                    kind = entry_points.entry_point(statement, scope)
                    found[name] = kind.description if kind is not None else None
                if isinstance(statement.body, cst.IndentedBlock):
                    visit(statement.body.body, scope_of(statement, scope), name + ".")

    visit(module.body, Scope(module, None), "")
    return found


def test_a_class_is_known_by_the_bases_of_the_classes_of_the_module_it_derives_from():
    chain = "\n".join(f"class Level{n}(Level{n - 1}):\n    pass\n" for n in range(1, 8))
    assert kinds(f"""
from discord.ext import commands
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from .mixins import Mixin

class Level0(commands.Cog):
    pass

{chain}

class Deep(Level7):  # eight classes of the module between it and the Cog, the most followed
    async def on_message(self, message):
        pass

class Imported(Mixin, commands.Cog):
    async def on_message(self, message):
        pass

class Plain:
    pass

class Mixed(commands.Cog, Plain):
    async def on_message(self, message):
        pass

class Coordinator(DataUpdateCoordinator[dict]):
    async def _async_update_data(self):
        pass

class Unknown(not_defined_anywhere):
    async def on_message(self, message):
        pass

class Ping(Pong):
    async def on_message(self, message):
        pass

class Pong(Ping):
    async def on_message(self, message):
        pass
""") == {
        "Deep.on_message": "a discord.py event listener",
        "Imported.on_message": "a discord.py event listener",
        "Mixed.on_message": "a discord.py event listener",
        "Coordinator._async_update_data": "a Home Assistant coordinator update",
        "Unknown.on_message": None,
        "Ping.on_message": None,
        "Pong.on_message": None,
    }


def test_a_decorator_wrapper_is_a_returned_coroutine_that_calls_or_wraps_what_it_decorates():
    assert kinds("""
import functools

def cached(func):
    @functools.wraps(func)
    async def wrapper(*args):
        return await cache.get_or_call(func, *args)  # passes what it wraps: only `wraps` tells
    return wrapper

def logged(func):
    @log_calls
    async def wrapper(*args):
        return await func(*args)
    return wrapper

def retrying(func):
    def with_attempts(attempts):
        async def wrapper(*args):
            return await func(*args)  # a parameter of the outer decorator
        return wrapper
    return with_attempts

def sync(func):
    def wrapper(*args):
        return func(*args)
    return wrapper

def scheduled(func):
    async def later():
        await func()
    loop.call_soon(later)

def constant(func):
    @retry(3)
    async def answer():
        return 42
    return answer
""") == {
        "cached": None, "cached.wrapper": "a decorator's wrapper",
        "logged": None, "logged.wrapper": "a decorator's wrapper",
        "retrying": None, "retrying.with_attempts": None, "retrying.with_attempts.wrapper": "a decorator's wrapper",
        "sync": None, "sync.wrapper": None,
        "scheduled": None, "scheduled.later": None,
        "constant": None, "constant.answer": None,
    }
