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


def named(kind) -> str:
    """``discord.py command: command``, ``one-shot function: once``: an ``EntryKind``'s framework, role
    and how often it runs."""
    return f"{kind.framework} {kind.role}: {kind.runs}".strip()


def kinds(source: str) -> dict:
    """``{"Class.method": "discord.py event listener: event", "main": "one-shot function: once", "f": None}``:
    what ``entry_point`` says of every ``def`` of ``source`` (nested ones too), by its dotted name."""
    module = cst.parse_module(textwrap.dedent(source))
    found = {}

    def visit(body, scope, prefix):
        for statement in body:
            if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                name = prefix + statement.name.value
                if isinstance(statement, cst.FunctionDef):
                    kind = entry_points.entry_point(statement, scope)
                    found[name] = named(kind) if kind is not None else None
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
        "Deep.on_message": "discord.py event listener: event",
        "Imported.on_message": "discord.py event listener: event",
        "Mixed.on_message": "discord.py event listener: event",
        "Coordinator._async_update_data": "Home Assistant coordinator update: run",
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
        "cached": None, "cached.wrapper": "decorator's wrapper: wrapped",
        "logged": None, "logged.wrapper": "decorator's wrapper: wrapped",
        "retrying": None, "retrying.with_attempts": None,
        "retrying.with_attempts.wrapper": "decorator's wrapper: wrapped",
        "sync": None, "sync.wrapper": None,
        "scheduled": None, "scheduled.later": None,
        "constant": None, "constant.answer": None,
    }


def statements_with_scopes(source: str):
    """Each simple statement of ``source`` (in functions and classes too), with the scope it runs in."""
    module = cst.parse_module(textwrap.dedent(source))

    def visit(body, scope):
        for statement in body:
            if isinstance(statement, cst.SimpleStatementLine):
                yield from ((small, scope) for small in statement.body)
            elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)) and isinstance(statement.body,
                                                                                       cst.IndentedBlock):
                yield from visit(statement.body.body, scope_of(statement, scope))

    return module, list(visit(module.body, Scope(module, None)))


def registrations(source: str) -> list:
    """``(call, callable, what calls it)`` for every call statement of ``source`` that registers a callable."""
    module, statements = statements_with_scopes(source)
    found = []
    for statement, scope in statements:
        if isinstance(statement, cst.Expr) and isinstance(statement.value, cst.Call):
            for callback, kind in entry_points.registered(statement.value, scope):
                found.append((module.code_for_node(statement.value.func), module.code_for_node(callback),
                              named(kind)))
    return found


def test_what_a_call_registers_found_by_position_or_keyword():
    assert registrations("""
import asyncio
import signal
from aiohttp import web
from fastapi import FastAPI
from starlette.routing import Route
from telegram.ext import CommandHandler

app = FastAPI()
web.get("/", index)
web.get("/", handler=by_keyword)
web.route("GET", "/", by_route)
web.get(*routes)
web.get("/")
web.get("/", name="no handler")
app.add_api_route("/", endpoint)
app.add_api_route("/", endpoint=endpoint_by_keyword)
Route("/", homepage)
CommandHandler("start", start)
future.add_done_callback(done)
loop.add_signal_handler(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, interrupted)
app.include_router(router)
factory()(not_a_name)
unknown.add_api_route("/", untyped)
""") == [
        ("web.get", "index", "aiohttp web handler: request"),
        ("web.get", "by_keyword", "aiohttp web handler: request"),
        ("web.route", "by_route", "aiohttp web handler: request"),
        ("app.add_api_route", "endpoint", "FastAPI route: request"),
        ("app.add_api_route", "endpoint_by_keyword", "FastAPI route: request"),
        ("Route", "homepage", "Starlette route: request"),
        ("CommandHandler", "start", "python-telegram-bot command handler: command"),
        ("future.add_done_callback", "done", "registered callback: call"),
        ("loop.add_signal_handler", "stop", "registered callback: call"),
        ("signal.signal", "interrupted", "registered callback: call"),
    ]


def test_a_method_name_of_a_framework_registers_only_where_the_framework_is_imported():
    calls = """
{imports}
router.add_get("/", index)
future.add_done_callback(done)
scheduler.run_repeating(poll, interval=60)
"""
    assert registrations(calls.format(imports="import json")) == []
    assert registrations(calls.format(imports="import aiohttp.web\nfrom asyncio import Future\nimport telegram")) == [
        ("router.add_get", "index", "aiohttp web handler: request"),
        ("future.add_done_callback", "done", "registered callback: call"),
        ("scheduler.run_repeating", "poll", "python-telegram-bot repeating job: run"),
    ]
    assert registrations(calls.format(imports="from aiohttp import web\nimport asynciolike")) == [
        ("router.add_get", "index", "aiohttp web handler: request")]


def test_what_a_decorator_says_and_the_arguments_that_change_it():
    assert kinds("""
import aiocron
import discord
import hikari
from aiogram import Router
from aiogram.filters import Command
from discord.ext import commands, tasks
from fastapi import FastAPI
from opsdroid.connector import register_event
from opsdroid.events import Message, RoomName

app = FastAPI()
router = Router()
bot = commands.Bot(command_prefix="!")
gateway = hikari.GatewayBot("token")

@app.get("/")
async def index(): pass

@router.message(Command("start"))
async def start(message): pass

@router.message(commands=["help"])
async def help_(message): pass

@router.message(F.text)
async def echo(message): pass

@router.message
async def bare(message): pass

@register_event(Message)
async def send_message(self, event): pass

@register_event(RoomName)
async def rename_room(self, event): pass

@commands.command()
@commands.is_owner()
async def reload(ctx): pass

@commands.is_owner()
@commands.command()
async def shutdown(ctx): pass

@commands.command()
@other.check
async def ping(ctx): pass

@app.get("/admin")
@commands.is_owner()
async def admin(): pass

@tasks.loop(hours=1)
async def hourly(): pass

@tasks.loop(minutes=59.5)
async def often(): pass

@tasks.loop(minutes=60)
async def every_hour(): pass

@tasks.loop(seconds=3600.0)
async def every_3600_seconds(): pass

@tasks.loop(seconds=3599)
async def nearly_hourly(): pass

@tasks.loop(count=1, seconds=10)
async def counted(): pass

@tasks.loop(time=MIDNIGHT)
async def at_midnight(): pass

@tasks.loop(minutes=INTERVAL)
async def configured(): pass

@tasks.loop
async def bare_loop(): pass

@aiocron.crontab("0 * * * *")
async def cron(): pass

@bot.event
async def on_ready(): pass

@bot.event
async def on_message(message): pass

@bot.listen("on_ready")
async def ready_again(): pass

@bot.listen("on_message")
async def message_again(message): pass

@gateway.listen(hikari.StartedEvent)
async def started(event): pass

@gateway.listen()
async def started_by_annotation(event: hikari.StartedEvent): pass

@gateway.listen()
async def member_joined(event: hikari.MemberCreateEvent): pass

class Listener:
    @gateway.listen()
    async def started(self, event: hikari.StartedEvent): pass

    @gateway.listen()
    async def third(self, event, other: hikari.StartedEvent): pass

@commands.command()
@bot.event
async def on_connect(): pass
""") == {
        "index": "FastAPI route: request",
        "start": "aiogram command handler: command",
        "help_": "aiogram command handler: command",
        "echo": "aiogram handler: event",
        "bare": "aiogram handler: event",
        "send_message": "opsdroid connector's message sender: event",
        "rename_room": "opsdroid connector's event sender: command",
        "reload": "discord.py owner-only command: once",
        "shutdown": "discord.py owner-only command: once",
        "ping": "discord.py command: command",
        "admin": "FastAPI route: request",
        "hourly": "discord.py hourly or slower loop: once",
        "often": "discord.py task loop: run",
        "every_hour": "discord.py hourly or slower loop: once",
        "every_3600_seconds": "discord.py hourly or slower loop: once",
        "nearly_hourly": "discord.py task loop: run",
        "counted": "discord.py task loop: run",
        "at_midnight": "discord.py loop at set times of day: once",
        "configured": "discord.py task loop: run",
        "bare_loop": "discord.py task loop: run",
        "cron": "aiocron job: run",
        "on_ready": "discord.py setup listener: once",
        "on_message": "discord.py event listener: event",
        "ready_again": "discord.py setup listener: once",
        "message_again": "discord.py event listener: event",
        "started": "hikari setup listener: once",
        "started_by_annotation": "hikari setup listener: once",
        "member_joined": "hikari event listener: event",
        "Listener.started": "hikari setup listener: once",
        "Listener.third": "hikari event listener: event",
        "on_connect": "discord.py command: command",
    }


def test_what_a_def_is_without_a_decorator_of_the_table():
    assert kinds("""
import discord
from aiohttp import web
from homeassistant.components.sensor import SensorEntity
from twitchio.ext import commands as twitch

async def main(): pass

async def handle(request: web.Request): pass

def sync_handle(request: web.Request): pass

async def no_annotation(request, *, other: int = 0): pass

async def helper(value: int): pass

@functools.cache
async def cached(request: web.Request): pass

class Client(discord.Client):
    async def on_ready(self): pass

    async def on_message(self, message): pass

    async def fetch(self): pass

    async def main(self): pass

class Sensor(SensorEntity):
    async def async_update(self): pass

class Bot(twitch.Bot):
    async def event_ready(self): pass

    async def event_message(self, message): pass

class Plain:
    async def on_message(self, message): pass
""") == {
        "main": "one-shot function: once",
        "handle": "aiohttp web handler: request",
        "sync_handle": None,
        "no_annotation": None,
        "helper": None,
        "cached": "aiohttp web handler: request",
        "Client.on_ready": "discord.py setup listener: once",
        "Client.on_message": "discord.py event listener: event",
        "Client.fetch": None,
        "Client.main": "one-shot function: once",
        "Sensor.async_update": "Home Assistant entity update: run",
        "Bot.event_ready": "TwitchIO setup listener: once",
        "Bot.event_message": "TwitchIO event handler: event",
        "Plain.on_message": None,
    }


def named_functions(source: str) -> list:
    """What ``local_function`` names in each ``probe(expr)`` of ``source``: ``Client.get()``, or None."""
    _, statements = statements_with_scopes(source)
    found = []
    for statement, scope in statements:
        value = statement.value if isinstance(statement, cst.Expr) else None
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value == "probe":
            named = entry_points.local_function(value.args[0].value, scope)
            found.append(entry_points.describe(*named) if named is not None else None)
    return found


def test_the_def_of_the_module_an_expression_names():
    assert named_functions("""
import functools

async def fetch(): pass

class Client:
    async def get(self): pass

    def use(self):
        probe(self.get)
        probe(self.missing)

    @staticmethod
    def static(client):
        probe(client.get)

class Unrelated:
    pass

class Sub(Unrelated, Client):
    async def own(self): pass

    def use_inherited(self):
        probe(self.get)

class Loop(Loop):
    pass

class OneLine: pass

client = Client()
other = make()
twice = fetch
twice = Client
probe(fetch)
probe(functools.partial(fetch, 1))
probe(functools.partial())
probe(partial(fetch))
probe(Client.get)
probe(client.get)
probe(Sub.get)
probe(Sub.own)
probe(Loop.get)
probe(OneLine.get)
probe(unknown.get)
probe(other.get)
probe(client.get.method)
probe(fetch())
probe(twice)
probe(Client)
""") == ["`Client.get()`", None, None, "`Sub.get()`",
             "`fetch()`", "`fetch()`", None, None, "`Client.get()`", "`Client.get()`", "`Sub.get()`", "`Sub.own()`",
             None, None, None, None, None, None, None, None]


def test_what_an_object_is_an_instance_of_through_attributes_and_classes_of_the_module():
    assert kinds("""
from aiogram import Dispatcher
from discord.ext import commands

bot = commands.Bot(command_prefix="!")
dp = Dispatcher()

@bot.tree.command()
async def slash(interaction): pass

@dp.message.__call__()
async def observed(message): pass

@bot.tree.unknown.command()
async def deeper(interaction): pass

class MyBot(commands.Bot):
    def add_jokes(self):
        @self.command()
        async def joke(ctx): pass

        @self.tree.command()
        async def slash_joke(interaction): pass

class Mine(MyBot):
    pass

mine = Mine()

@mine.command()
async def mine_joke(ctx): pass

@mine.tree.command()
async def mine_slash(interaction): pass

maybe = Mine()
maybe = None

@maybe.command()
async def not_certain(ctx): pass
""") == {
        "slash": "discord.py command: command",
        "observed": "aiogram handler: event",
        "deeper": None,
        "MyBot.add_jokes": None,
        "MyBot.add_jokes.joke": "discord.py command: command",
        "MyBot.add_jokes.slash_joke": "discord.py command: command",
        "mine_joke": "discord.py command: command",
        "mine_slash": "discord.py command: command",
        "not_certain": None,
    }
    assert registrations("""
from aiogram import Dispatcher
from homeassistant.core import HomeAssistant

dp = Dispatcher()
dp.message.register(echo)

async def async_setup(hass: HomeAssistant):
    hass.services.async_register("demo", "refresh", refresh)
    hass.bus.async_listen("state_changed", changed)
""") == [("dp.message.register", "echo", "aiogram handler: event"),
         ("hass.services.async_register", "refresh", "Home Assistant service handler: event"),
         ("hass.bus.async_listen", "changed", "Home Assistant event listener: event")]


def test_a_method_is_found_through_eight_classes_of_the_module_and_a_cycle_of_classes_ends():
    chain = "\n".join(f"class Level{n}(Level{n - 1}):\n    pass\n" for n in range(1, 9))
    assert named_functions(f"""
class Level0:
    async def get(self): pass

{chain}

class Ping(Pong):
    pass

class Pong(Ping):
    pass

probe(Level8.get)
probe(Ping.get)
""") == ["`Level8.get()`", None]
