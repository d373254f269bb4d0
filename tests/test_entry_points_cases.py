"""The framework table of ``aiolint.semantics.entry_points``, and the cases its logic must tell apart."""

from __future__ import annotations

import importlib.util
import textwrap
from types import ModuleType

import libcst as cst

from aiolint.semantics import entry_points

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
