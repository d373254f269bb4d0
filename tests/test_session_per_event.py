"""AIO101 in per-event code: the framework table, helpers followed through calls, one-shot code."""

from __future__ import annotations

import textwrap

import libcst as cst

from aiolint.engine import lint_source
from aiolint.rules import default_rules
from aiolint.rules.sessions import SessionPerCommand, SessionPerRequest
from aiolint.semantics.entry_points import TABLE, entry_point, table_summary
from aiolint.semantics.scope import Scope


def report(source):
    return [(line, message) for line, _, message in coded(source)]


def coded(source):
    """(line, code, message) of AIO101's and AIO105's findings."""
    result = lint_source(textwrap.dedent(source), "s.py", [SessionPerRequest, SessionPerCommand])
    assert result.failures == []
    return sorted((d.line, d.code, d.message) for d in result.diagnostics)


def lines(source):
    return [line for line, _ in report(source)]


def test_the_message_names_the_per_event_caller_and_the_functions_between():
    [(line, message)] = report("""
        import aiohttp
        from discord.ext import commands

        async def fetch_json(url):
            async with aiohttp.ClientSession() as session:
                return await (await session.get(url)).json()

        async def weather_of(city):
            return await fetch_json(city)

        class Fun(commands.Cog):
            @commands.command()
            async def weather(self, ctx, city):
                await ctx.send(await weather_of(city))
    """)
    assert line == 6
    assert message == ("`fetch_json()` makes a new ClientSession on every call, and `Fun.weather()` (a discord.py "
                       "command) calls it per command through `weather_of()`; create one session and pass it in.")


def test_what_a_person_invokes_is_aio105_and_what_runs_per_message_or_in_a_loop_stays_aio101():
    found = coded("""
        import aiohttp
        from discord.ext import commands

        async def fetch_json(url):
            async with aiohttp.ClientSession() as session:
                return await (await session.get(url)).json()

        async def translate(text):
            async with aiohttp.ClientSession() as session:
                return await (await session.post("http://x", json=text)).json()

        async def define(word):
            async with aiohttp.ClientSession() as session:
                return await (await session.get(word)).json()

        class Fun(commands.Cog):
            @commands.command()
            async def weather(self, ctx, city):
                await ctx.send(await fetch_json(city))

            @commands.command()
            async def define_all(self, ctx, *words):
                for word in words:
                    await ctx.send(await define(word))

            @commands.command()
            async def tr(self, ctx, *, text):
                await ctx.send(await translate(text))

            @commands.Cog.listener()
            async def on_message(self, message):
                await message.channel.send(await translate(message.content))

            @commands.command()
            async def joke(self, ctx):
                async with aiohttp.ClientSession() as session:
                    await ctx.send(await (await session.get("http://x")).text())
    """)
    assert [(line, code) for line, code, _ in found] == [(6, "AIO105"), (10, "AIO101"), (14, "AIO101"),
                                                         (37, "AIO105")]
    assert found[0][2].endswith("and `Fun.weather()` (a discord.py command) calls it per command; create one "
                                "session and pass it in.")
    assert "`Fun.on_message()` (a discord.py event listener) calls it per event" in found[1][2]
    assert "`Fun.define_all()` calls it in a loop" in found[2][2]
    assert found[3][2] == ("A ClientSession is created each time `Fun.joke()` (a discord.py command) runs; create one "
                           "ClientSession in `setup_hook` (or a cog's `cog_load`) and reuse it.")


def test_a_command_is_known_by_its_decorator_arguments_where_the_framework_says_so():
    found = coded("""
        import aiohttp
        from aiogram import Router
        from aiogram.filters import Command
        from opsdroid.connector import Connector, register_event
        from opsdroid.events import Message, RoomName

        router = Router()

        @router.message(Command("quote"))
        async def quote(message):
            async with aiohttp.ClientSession() as session:
                await session.get("http://x")

        @router.message()
        async def echo(message):
            async with aiohttp.ClientSession() as session:
                await session.get("http://x")

        class Chat(Connector):
            @register_event(Message)
            async def send_message(self, message):
                async with aiohttp.ClientSession() as session:
                    await session.post("http://x")

            @register_event(RoomName)
            async def rename(self, event):
                async with aiohttp.ClientSession() as session:
                    await session.post("http://x")
    """)
    assert [(line, code) for line, code, _ in found] == [(12, "AIO105"), (17, "AIO101"), (23, "AIO101"),
                                                         (28, "AIO105")]


def test_aio105_is_off_by_default():
    assert SessionPerRequest in default_rules() and SessionPerCommand not in default_rules()


def test_a_session_in_per_event_code_says_where_to_make_the_one_session():
    [(_, message)] = report("""
        import aiohttp
        from fastapi import FastAPI

        app = FastAPI()

        @app.get("/")
        async def index():
            async with aiohttp.ClientSession() as session:
                return await (await session.get("http://x")).json()
    """)
    assert message == ("A ClientSession is created for every request this FastAPI route serves; "
                       "create one ClientSession in the app's `lifespan` and reuse it.")


def test_a_bot_of_a_subclass_defined_in_the_module_is_known_by_its_base():
    source = """
        import aiohttp
        from discord.ext import commands

        class MyBot(BASE):
            pass

        bot = MyBot(command_prefix="!")

        @bot.command()
        async def joke(ctx):
            async with aiohttp.ClientSession() as session:
                await session.get("http://x")
    """
    assert lines(source.replace("BASE", "commands.Bot")) == [12]
    assert lines(source.replace("BASE", "object")) == []


def test_setup_events_are_one_shot_in_every_spelling():
    assert lines("""
        import aiohttp
        import discord
        import hikari

        client = discord.Client()
        gateway = hikari.GatewayBot("token")

        @client.event
        async def on_ready():
            async with aiohttp.ClientSession() as session:
                await session.post("http://x/ready")

        @client.event
        async def on_message(message):
            async with aiohttp.ClientSession() as session:
                await session.post("http://x/message")

        @gateway.listen()
        async def started(event: hikari.StartedEvent):
            async with aiohttp.ClientSession() as session:
                await session.post("http://x/started")

        @gateway.listen(hikari.StartingEvent)
        async def starting(event):
            async with aiohttp.ClientSession() as session:
                await session.post("http://x/starting")
    """) == [16]


def test_one_shot_code_called_from_per_event_code_is_not_followed():
    assert lines("""
        import aiohttp
        from aiohttp import web

        async def main():
            await helper()

        async def helper():
            async with aiohttp.ClientSession() as session:
                await session.get("http://x")

        async def handler(request: web.Request):
            await main()
            return web.Response()
    """) == []


def test_a_loop_of_code_that_is_not_per_event_reaches_only_what_it_calls_itself():
    source = """
        import asyncio
        import aiohttp

        async def renew_token():
            async with aiohttp.ClientSession() as session:
                await session.post("http://x/token")

        async def maybe_renew(expired):
            if expired:
                await renew_token()

        async def supervise(expired):
            while True:
                await CALLEE(expired)
                await asyncio.sleep(60)
    """
    assert lines(source.replace("CALLEE", "maybe_renew")) == []
    assert lines(source.replace("CALLEE(expired)", "renew_token()")) == [6]


def test_methods_are_resolved_through_their_class_not_by_name():
    source = """
        import aiohttp
        from aiohttp import web

        class Client:
            async def fetch(self, url):
                async with aiohttp.ClientSession() as session:
                    return await session.get(url)

        class Other:
            async def fetch(self, url):
                return url

        CLIENT_MADE_HERE

        async def handler(request: web.Request):
            await RECEIVER.fetch("http://x")
            return web.Response()
    """
    assert lines(source.replace("CLIENT_MADE_HERE", "client = Client()").replace("RECEIVER", "client")) == [7]
    assert lines(source.replace("CLIENT_MADE_HERE", "other = Other()").replace("RECEIVER", "other")) == []
    assert lines(source.replace("CLIENT_MADE_HERE", "").replace("RECEIVER", "request.app['client']")) == []
    assert lines(source.replace("CLIENT_MADE_HERE", "").replace("RECEIVER", "Client()")) == []


def test_registrations_without_a_type_count_only_where_their_framework_is_imported():
    source = """
        import aiohttp
        IMPORT

        async def notify(name):
            async with aiohttp.ClientSession() as session:
                await session.post("http://x", json=name)

        def done(task):
            task.get_loop().create_task(notify(task.get_name()))

        def watch(task):
            task.add_done_callback(done)
    """
    assert lines(source.replace("IMPORT", "import asyncio")) == [6]
    assert lines(source.replace("IMPORT", "")) == []


def test_a_wrapper_reports_through_what_it_decorates():
    source = """
        import functools
        import aiohttp
        from aiohttp import web

        def with_session(func):
            @functools.wraps(func)
            async def wrapper(*args):
                async with aiohttp.ClientSession() as session:
                    return await func(session, *args)
            return wrapper

        @DECORATOR
        @with_session
        async def profile(session, request):
            return web.Response()
    """
    [(line, message)] = report(source.replace("DECORATOR", "web.middleware"))
    assert line == 9
    assert message == ("The wrapper `wrapper()` of `with_session()` makes a new ClientSession on every call, and it "
                       "wraps `profile()` (an aiohttp middleware); create one session and pass it in.")
    assert report(source.replace("DECORATOR", "functools.lru_cache")) == []


def test_a_lambda_registered_as_a_callback_calls_per_event():
    assert lines("""
        import asyncio
        import signal
        import aiohttp

        async def reload():
            async with aiohttp.ClientSession() as session:
                await session.post("http://x/reload")

        def install(loop):
            loop.add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(reload()))
    """) == [7]


def test_entry_point_says_per_event_one_shot_or_nothing():
    module = cst.parse_module(textwrap.dedent("""
        import click
        from discord.ext import tasks

        @tasks.loop(minutes=1)
        async def poll():
            pass

        @click.command()
        def cli():
            pass

        async def helper():
            pass
    """))
    scope = Scope(module, None)
    kinds = {f.name.value: entry_point(f, scope) for f in module.body if isinstance(f, cst.FunctionDef)}
    assert kinds["poll"].per_event and kinds["poll"].description == "a discord.py task loop"
    assert kinds["cli"].one_shot
    assert kinds["helper"] is None


def test_every_framework_of_the_table_is_in_the_documentation():
    documentation = SessionPerRequest.documentation()
    frameworks = {framework for framework, _ in table_summary()}
    assert len(frameworks) >= 20
    assert [f for f in sorted(frameworks) if f not in documentation] == []
    assert all(row.kind.framework or row.kind.role for row in TABLE)
