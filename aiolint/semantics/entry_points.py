"""Where code runs once per event, and where it runs once: the framework table.

A function is *per-event* when a framework calls it for every request, message,
command, click or tick: a web route, a bot command or listener, a scheduled job,
a decorator's wrapper, a callback registered for repeated calls. It is *one-shot*
when it runs once per program or connection: ``main()``, a CLI command, a startup
hook, ``__aenter__``. Frameworks are rows of ``TABLE``, matched on qualified names
(resolved through imports, never on bare identifiers):

- ``decorator``: ``@commands.command()``, ``@tasks.loop(...)``, ``@litestar.get("/")``;
- ``method_decorator``: ``@app.get("/")`` on an instance of ``fastapi.FastAPI``,
  ``@router.message(...)`` on an ``aiogram.Router``;
- ``registration``: ``Route("/", endpoint)``, ``CommandHandler("start", callback)``;
- ``method_registration``: ``app.add_api_route("/", endpoint)`` on a typed object;
- ``untyped_registration``: ``router.add_get("/", handler)``,
  ``future.add_done_callback(cb)``: method names no other library uses, matched
  only in a module that imports the framework;
- ``subclass_methods``: ``on_<event>`` methods of a ``discord.Client`` subclass,
  HTTP verbs of a class-based view;
- ``parameter_annotation``: a coroutine taking a ``web.Request``.

Adding a framework is adding rows. ``entry_point(function, scope)`` says what a
``def`` is from its decorators, class and parameters; ``registered(call, scope)``
which callables a call registers; ``local_function(expr, scope)`` which ``def`` of
the module an expression names.
"""

from __future__ import annotations

import fnmatch
import functools
from dataclasses import dataclass, replace
from typing import Any, Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence, Tuple

import libcst as cst

from .aiohttp import HTTP_VERBS, MIDDLEWARE, ROUTE_DEFS, ROUTE_TABLE, ROUTER_METHODS, VIEW, WEB_REQUEST_TYPES, \
    last_name, self_class
from .names import qualified_name
from .project import PER_COMMAND
from .scope import Scope, iter_params
from .tree import own_code, walk

# How often a kind of code runs: its noun in messages ("for every request this ... serves").
# COMMAND: per event, but on demand: a person invokes it (a chat command, a button), at human rates.
# WRAPPED: as often as what it wraps (a decorator's wrapper).
REQUEST, EVENT, COMMAND, RUN, CALL, ONCE, WRAPPED = "request", "event", "command", "run", "call", "once", "wrapped"


@dataclass(frozen=True)
class EntryKind:
    """What calls a function: ``framework`` and ``role`` name it ("discord.py", "command")."""

    framework: str
    role: str
    runs: str  # REQUEST, EVENT, RUN, CALL (per-event), ONCE (one-shot) or WRAPPED
    # Event names (a listener's name, its decorator's first argument) that happen once per
    # connection or program, not per event: discord.py's ``on_ready``, hikari's ``StartedEvent``.
    setup_events: FrozenSet[str] = frozenset()
    # Arguments of the decorator (qualified names of its arguments, of the filters they call, or its
    # keywords) that make it run the other way: aiogram's ``Command("start")`` filter makes a message
    # handler a command; opsdroid's ``Message`` makes an event sender one that runs per message.
    switch: FrozenSet[str] = frozenset()

    @property
    def per_event(self) -> bool:
        return self.runs not in (ONCE, WRAPPED)

    @property
    def on_demand(self) -> bool:
        """Invoked by a person (a chat command, a button): per event, at human rates."""
        return self.runs == COMMAND

    @property
    def one_shot(self) -> bool:
        return self.runs == ONCE

    @property
    def description(self) -> str:
        """``a discord.py command``, ``an aiohttp web handler``, ``a decorator's wrapper``."""
        text = f"{self.framework} {self.role}" if self.framework else self.role
        return f"{'an' if text[:1].lower() in 'aeiou' else 'a'} {text}"

    @property
    def when(self) -> str:
        """When a session made in such a function is made: ``each time this discord.py command runs``."""
        name = f"{self.framework} {self.role}" if self.framework else self.role
        return {REQUEST: f"for every request this {name} serves", EVENT: f"each time this {name} runs",
                COMMAND: f"each time this {name} runs",
                RUN: f"on every run of this {name}"}.get(self.runs, f"on every call of this {name}")

    @property
    def per(self) -> str:
        """How such a function calls what it calls: ``per request``, ``on every run``."""
        return {REQUEST: "per request", EVENT: "per event", COMMAND: PER_COMMAND,
                RUN: "on every run"}.get(self.runs, "per call")

    @property
    def startup(self) -> str:
        """Where the one session of an application of this framework is made."""
        return STARTUP.get(self.framework, "at startup")


# Where each framework's applications make what they keep for their whole life.
STARTUP: Dict[str, str] = {
    "aiohttp": "at startup (`cleanup_ctx` or `on_startup`)",
    "FastAPI": "in the app's `lifespan`",
    "Starlette": "in the app's `lifespan`",
    "Litestar": "in the app's `lifespan`",
    "Quart": "in `before_serving`",
    "Sanic": "in a `before_server_start` listener",
    "aiogram": "in a `startup` handler",
    "python-telegram-bot": "in `post_init`",
    "hikari": "on `StartingEvent`",
    "Home Assistant": "at setup (or use Home Assistant's shared one, `async_get_clientsession(hass)`)",
    "AppDaemon": "in `initialize()`",
    **{fork: "in `setup_hook` (or a cog's `cog_load`)" for fork in ("discord.py", "nextcord", "disnake")},
}


@dataclass(frozen=True)
class Row:
    """One way a framework marks a function. ``names``: qualified names of decorators,
    registering callables, classes of the decorating object, or base classes; ``methods``:
    method names (a ``prefix*`` matches every name starting with ``prefix``); ``position``
    and ``keyword``: where a registration takes the callable; ``imports``: for untyped
    registrations, the package the module must import."""

    how: str
    kind: EntryKind
    names: FrozenSet[str] = frozenset()
    methods: FrozenSet[str] = frozenset()
    position: int = 0
    keyword: str = ""
    imports: str = ""


def _rows(how: str, kind: EntryKind, names: Iterable[str] = (), methods: Iterable[str] = (),
          position: int = 0, keyword: str = "", imports: str = "") -> Row:
    return Row(how, kind, frozenset(names), frozenset(methods), position, keyword, imports)


def decorator(kind: EntryKind, *names: str) -> Row:
    return _rows("decorator", kind, names)


def method_decorator(kind: EntryKind, types: Iterable[str], methods: Iterable[str]) -> Row:
    return _rows("method_decorator", kind, types, methods)


def registration(kind: EntryKind, names: Iterable[str], position: int, keyword: str = "") -> Row:
    return _rows("registration", kind, names, position=position, keyword=keyword)


def method_registration(kind: EntryKind, types: Iterable[str], methods: Iterable[str], position: int,
                        keyword: str = "") -> Row:
    return _rows("method_registration", kind, types, methods, position, keyword)


def untyped_registration(kind: EntryKind, imports: str, methods: Iterable[str], position: int,
                         keyword: str = "") -> Row:
    return _rows("untyped_registration", kind, (), methods, position, keyword, imports)


def subclass_methods(kind: EntryKind, bases: Iterable[str], methods: Iterable[str]) -> Row:
    return _rows("subclass_methods", kind, bases, methods)


def parameter_annotation(kind: EntryKind, types: Iterable[str]) -> Row:
    return _rows("parameter_annotation", kind, types)


# -- the table -----------------------------------------------------------------------
VERBS = sorted(HTTP_VERBS)
ROUTE_VERBS = [*VERBS, "route"]

AIOHTTP_HANDLER = EntryKind("aiohttp", "web handler", REQUEST)
AIOHTTP_MIDDLEWARE = EntryKind("aiohttp", "middleware", REQUEST)
AIOHTTP_SIGNAL = EntryKind("aiohttp", "`on_response_prepare` callback", REQUEST)
RESPONSE_PREPARE = "aiohttp.web.Application.on_response_prepare"  # a signal sent for every response
AIOHTTP = [
    method_decorator(AIOHTTP_HANDLER, [ROUTE_TABLE], [*VERBS, "route", "view"]),
    decorator(AIOHTTP_MIDDLEWARE, MIDDLEWARE),
    *(registration(AIOHTTP_HANDLER, [name], position, "handler") for name, position in ROUTE_DEFS.items()),
    *(untyped_registration(AIOHTTP_HANDLER, "aiohttp", [method], position, "handler")
      for method, position in ROUTER_METHODS.items()),
    subclass_methods(AIOHTTP_HANDLER, [VIEW], VERBS),
    parameter_annotation(AIOHTTP_HANDLER, WEB_REQUEST_TYPES),
    method_registration(AIOHTTP_SIGNAL, [RESPONSE_PREPARE], ["append"], 0),
]

FASTAPI_ROUTE = EntryKind("FastAPI", "route", REQUEST)
FASTAPI_APPS = ["fastapi.FastAPI", "fastapi.applications.FastAPI", "fastapi.APIRouter", "fastapi.routing.APIRouter"]
FASTAPI = [
    method_decorator(FASTAPI_ROUTE, FASTAPI_APPS, [*VERBS, "trace", "api_route"]),
    method_decorator(EntryKind("FastAPI", "middleware", REQUEST), FASTAPI_APPS, ["middleware"]),
    method_registration(FASTAPI_ROUTE, FASTAPI_APPS, ["add_api_route"], 1, "endpoint"),
    registration(EntryKind("FastAPI", "dependency", REQUEST), ["fastapi.Depends", "fastapi.params.Depends"], 0,
                 "dependency"),
    method_decorator(EntryKind("FastAPI", "startup handler", ONCE), FASTAPI_APPS, ["on_event"]),
]

STARLETTE_ROUTE = EntryKind("Starlette", "route", REQUEST)
STARLETTE_APPS = ["starlette.applications.Starlette", "starlette.routing.Router"]
STARLETTE = [
    registration(STARLETTE_ROUTE, ["starlette.routing.Route"], 1, "endpoint"),
    method_decorator(STARLETTE_ROUTE, STARLETTE_APPS, ["route"]),
    method_registration(STARLETTE_ROUTE, [*STARLETTE_APPS, *FASTAPI_APPS], ["add_route"], 1, "route"),
    subclass_methods(EntryKind("Starlette", "endpoint", REQUEST), ["starlette.endpoints.HTTPEndpoint"], VERBS),
]

LITESTAR_ROUTE = EntryKind("Litestar", "route", REQUEST)
LITESTAR = [decorator(LITESTAR_ROUTE, *(f"litestar.{v}" for v in ROUTE_VERBS),
                      *(f"litestar.handlers.{v}" for v in ROUTE_VERBS))]

QUART_ROUTE = EntryKind("Quart", "route", REQUEST)
QUART_APPS = ["quart.Quart", "quart.Blueprint", "quart.app.Quart", "quart.blueprints.Blueprint"]
QUART = [
    method_decorator(QUART_ROUTE, QUART_APPS, ROUTE_VERBS),
    method_decorator(EntryKind("Quart", "request hook", REQUEST), QUART_APPS, ["before_request", "after_request"]),
    method_decorator(EntryKind("Quart", "startup hook", ONCE), QUART_APPS,
                     ["before_serving", "after_serving", "while_serving"]),
    subclass_methods(EntryKind("Quart", "view", REQUEST), ["quart.views.MethodView"], VERBS),
]

SANIC_ROUTE = EntryKind("Sanic", "route", REQUEST)
SANIC_APPS = ["sanic.Sanic", "sanic.Blueprint", "sanic.app.Sanic", "sanic.blueprints.Blueprint"]
SANIC = [
    method_decorator(SANIC_ROUTE, SANIC_APPS, ROUTE_VERBS),
    method_decorator(EntryKind("Sanic", "middleware", REQUEST), SANIC_APPS, ["middleware", "on_request",
                                                                            "on_response"]),
    method_registration(SANIC_ROUTE, SANIC_APPS, ["add_route"], 0, "handler"),
    method_decorator(EntryKind("Sanic", "server listener", ONCE), SANIC_APPS,
                     ["listener", "before_server_start", "after_server_start", "main_process_start"]),
    subclass_methods(EntryKind("Sanic", "view", REQUEST), ["sanic.views.HTTPMethodView"], VERBS),
]

FLASK_ROUTE = EntryKind("Flask", "route", REQUEST)
FLASK_APPS = ["flask.Flask", "flask.Blueprint", "flask.app.Flask", "flask.blueprints.Blueprint"]
FLASK = [
    method_decorator(FLASK_ROUTE, FLASK_APPS, ROUTE_VERBS),
    method_decorator(EntryKind("Flask", "request hook", REQUEST), FLASK_APPS, ["before_request"]),
    method_registration(FLASK_ROUTE, FLASK_APPS, ["add_url_rule"], 2, "view_func"),
    subclass_methods(EntryKind("Flask", "view", REQUEST), ["flask.views.MethodView"], VERBS),
]

DJANGO_VIEW = EntryKind("Django", "view", REQUEST)
DJANGO = [
    decorator(DJANGO_VIEW, *(f"django.views.decorators.http.{name}" for name in (
        "require_GET", "require_POST", "require_safe", "require_http_methods")),
        "django.views.decorators.csrf.csrf_exempt", "django.contrib.auth.decorators.login_required"),
    registration(DJANGO_VIEW, ["django.urls.path", "django.urls.re_path", "django.conf.urls.url"], 1, "view"),
    subclass_methods(DJANGO_VIEW, ["django.views.View", "django.views.generic.View",
                                   "django.views.generic.base.View"], VERBS),
]

TORNADO = [subclass_methods(EntryKind("Tornado", "handler", REQUEST), ["tornado.web.RequestHandler"],
                            [*VERBS, "prepare"])]

# discord.py and its forks (Pycord keeps the ``discord`` package name).
DISCORD_SETUP_EVENTS = frozenset({"on_ready", "on_connect", "on_shard_ready", "on_shard_connect", "on_resumed",
                                  "on_shard_resumed", "on_disconnect", "on_shard_disconnect"})
DISCORD_FORKS = {"discord": "discord.py", "nextcord": "nextcord", "disnake": "disnake"}


def _discord(package: str, framework: str) -> List[Row]:
    command = EntryKind(framework, "command", COMMAND)
    listener = EntryKind(framework, "event listener", EVENT, DISCORD_SETUP_EVENTS)
    ext = f"{package}.ext.commands"
    bots = [f"{package}.Client", f"{package}.AutoShardedClient", f"{package}.Bot", f"{ext}.Bot",
            f"{ext}.AutoShardedBot", f"{ext}.InteractionBot", f"{ext}.AutoShardedInteractionBot"]
    command_makers = ["command", "group", "hybrid_command", "hybrid_group", "slash_command", "user_command",
                      "message_command"]
    return [
        decorator(command, *(f"{ext}.{name}" for name in command_makers),
                  *(f"{package}.{name}" for name in ("slash_command", "user_command", "message_command")),
                  f"{package}.app_commands.command", f"{package}.app_commands.context_menu"),
        decorator(listener, f"{ext}.Cog.listener"),
        decorator(EntryKind(framework, "task loop", RUN), f"{package}.ext.tasks.loop"),
        decorator(EntryKind(framework, "UI callback", COMMAND), f"{package}.ui.button", f"{package}.ui.select"),
        method_decorator(listener, bots, ["event", "listen", "listener"]),
        method_decorator(command, bots, command_makers),
        method_decorator(command, [f"{package}.app_commands.CommandTree", f"{package}.app_commands.Group"],
                         ["command", "context_menu"]),
        subclass_methods(listener, [*bots, f"{ext}.Cog"], ["on_*"]),
        subclass_methods(EntryKind(framework, "UI callback", COMMAND),
                         [f"{package}.ui.Button", f"{package}.ui.Select"], ["callback"]),
        subclass_methods(EntryKind(framework, "UI callback", COMMAND), [f"{package}.ui.Modal"], ["on_submit"]),
    ]


DISCORD = [row for package, framework in DISCORD_FORKS.items() for row in _discord(package, framework)]
# Red-DiscordBot re-exports discord.py's commands from its own package. Its ``on_red_api_tokens_update``
# fires when the owner sets a service's API keys (``[p]set api``): configuration, not traffic.
RED_COMMAND = EntryKind("Red-DiscordBot", "command", COMMAND)
RED_SETUP_EVENTS = DISCORD_SETUP_EVENTS | {"on_red_api_tokens_update"}
RED = [
    decorator(RED_COMMAND, *(f"redbot.core.commands.{name}" for name in (
        "command", "group", "hybrid_command", "hybrid_group")), "redbot.core.app_commands.command"),
    decorator(EntryKind("Red-DiscordBot", "event listener", EVENT, RED_SETUP_EVENTS),
              "redbot.core.commands.Cog.listener"),
]
# What an attribute of a known object is: ``bot.tree`` is the bot's command tree.
ATTRIBUTE_TYPES: Dict[str, str] = {RESPONSE_PREPARE: RESPONSE_PREPARE}
ATTRIBUTE_TYPES.update({
    f"{package}.{cls}.tree": f"{package}.app_commands.CommandTree"
    for package in DISCORD_FORKS for cls in ("Client", "ext.commands.Bot", "ext.commands.AutoShardedBot")})

HIKARI_SETUP_EVENTS = frozenset(f"hikari.{name}" for name in (
    "StartingEvent", "StartedEvent", "StoppingEvent", "StoppedEvent", "ShardReadyEvent", "ShardConnectedEvent",
    "events.StartingEvent", "events.StartedEvent", "events.StoppingEvent", "events.StoppedEvent"))
HIKARI_LISTENER = EntryKind("hikari", "event listener", EVENT, HIKARI_SETUP_EVENTS)
HIKARI_COMMAND = EntryKind("hikari", "command", COMMAND)
HIKARI = [
    method_decorator(HIKARI_LISTENER, ["hikari.GatewayBot", "hikari.impl.GatewayBot", "lightbulb.BotApp",
                                       "lightbulb.app.BotApp"], ["listen"]),
    decorator(HIKARI_COMMAND, "lightbulb.command", "lightbulb.invoke",
              *(f"tanjun.{name}" for name in ("as_slash_command", "as_message_command", "as_user_menu",
                                              "as_message_menu")),
              "crescent.command", "arc.slash_command", "arc.slash_subcommand", "arc.user_command",
              "arc.message_command"),
    decorator(HIKARI_LISTENER, "crescent.event", "tanjun.as_event_listener"),
    decorator(EntryKind("hikari", "component callback", COMMAND), "miru.button", "miru.text_select"),
]

# A handler filtered on a command (``@router.message(Command("start"))``, v2's ``commands=[...]``) is one.
AIOGRAM_COMMAND_FILTERS = frozenset({"commands", *(f"aiogram.filters.{module}{name}" for module in ("", "command.")
                                                   for name in ("Command", "CommandStart"))})
AIOGRAM_HANDLER = EntryKind("aiogram", "handler", EVENT, switch=AIOGRAM_COMMAND_FILTERS)
AIOGRAM_ROUTERS = ["aiogram.Router", "aiogram.Dispatcher", "aiogram.dispatcher.router.Router",
                   "aiogram.dispatcher.dispatcher.Dispatcher"]
AIOGRAM_OBSERVERS = ["message", "edited_message", "channel_post", "edited_channel_post", "inline_query",
                     "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query", "poll",
                     "poll_answer", "my_chat_member", "chat_member", "chat_join_request", "message_reaction",
                     "message_reaction_count", "chat_boost", "removed_chat_boost", "business_message",
                     "edited_business_message", "error", "errors"]
AIOGRAM_OBSERVER = "aiogram.dispatcher.event.telegram.TelegramEventObserver"
ATTRIBUTE_TYPES.update({f"{router}.{observer}": AIOGRAM_OBSERVER
                        for router in AIOGRAM_ROUTERS for observer in AIOGRAM_OBSERVERS})
AIOGRAM_V2_HANDLERS = [f"{event}_handler" for event in (
    "message", "edited_message", "channel_post", "edited_channel_post", "inline", "chosen_inline",
    "callback_query", "shipping_query", "pre_checkout_query", "poll", "poll_answer", "my_chat_member",
    "chat_member", "chat_join_request", "errors")]
AIOGRAM = [
    method_decorator(AIOGRAM_HANDLER, AIOGRAM_ROUTERS, [*AIOGRAM_OBSERVERS, *AIOGRAM_V2_HANDLERS]),
    method_decorator(AIOGRAM_HANDLER, [AIOGRAM_OBSERVER], ["__call__"]),
    method_registration(AIOGRAM_HANDLER, [AIOGRAM_OBSERVER], ["register"], 0, "callback"),
    method_registration(AIOGRAM_HANDLER, AIOGRAM_ROUTERS, [f"register_{name}" for name in AIOGRAM_V2_HANDLERS], 0,
                        "callback"),
    subclass_methods(AIOGRAM_HANDLER, [f"aiogram.handlers.{name}" for name in (
        "BaseHandler", "MessageHandler", "CallbackQueryHandler", "InlineQueryHandler", "ErrorHandler")], ["handle"]),
    method_decorator(EntryKind("aiogram", "startup handler", ONCE), AIOGRAM_ROUTERS, ["startup", "shutdown"]),
]

PTB_HANDLER = EntryKind("python-telegram-bot", "handler", EVENT)
PTB_COMMAND = EntryKind("python-telegram-bot", "command handler", COMMAND)
PTB = [
    *(registration(PTB_COMMAND, [f"telegram.ext.{name}"], position, "callback") for name, position in {
        "CommandHandler": 1, "StringCommandHandler": 1, "PrefixHandler": 2}.items()),
    *(registration(PTB_HANDLER, [f"telegram.ext.{name}"], position, "callback") for name, position in {
        "MessageHandler": 1, "TypeHandler": 1,
        "StringRegexHandler": 1, "CallbackQueryHandler": 0, "InlineQueryHandler": 0, "ChosenInlineResultHandler": 0,
        "PollAnswerHandler": 0, "PollHandler": 0, "ChatMemberHandler": 0, "ChatJoinRequestHandler": 0,
        "PreCheckoutQueryHandler": 0, "ShippingQueryHandler": 0, "MessageReactionHandler": 0,
    }.items()),
    untyped_registration(EntryKind("python-telegram-bot", "repeating job", RUN), "telegram",
                         ["run_repeating", "run_daily", "run_monthly", "run_custom"], 0, "callback"),
]

PYROGRAM_HANDLER = EntryKind("Pyrogram", "handler", EVENT)
PYROGRAM_EVENTS = ["message", "edited_message", "callback_query", "inline_query", "chosen_inline_result",
                   "chat_member_updated", "chat_join_request", "deleted_messages", "poll", "user_status",
                   "raw_update"]
TELETHON_HANDLER = EntryKind("Telethon", "event handler", EVENT)
TELETHON_CLIENTS = ["telethon.TelegramClient", "telethon.client.TelegramClient", "telethon.sync.TelegramClient"]
MATRIX_CALLBACK = EntryKind("matrix-nio", "event callback", EVENT)
TELEGRAM_AND_MATRIX = [
    method_decorator(PYROGRAM_HANDLER, ["pyrogram.Client"], [f"on_{event}" for event in PYROGRAM_EVENTS]),
    registration(PYROGRAM_HANDLER, [f"pyrogram.handlers.{name}" for name in (
        "MessageHandler", "EditedMessageHandler", "CallbackQueryHandler", "InlineQueryHandler",
        "ChatMemberUpdatedHandler", "RawUpdateHandler")], 0, "callback"),
    method_decorator(TELETHON_HANDLER, TELETHON_CLIENTS, ["on"]),
    method_registration(TELETHON_HANDLER, TELETHON_CLIENTS, ["add_event_handler"], 0, "callback"),
    method_registration(MATRIX_CALLBACK, ["nio.AsyncClient", "nio.client.AsyncClient"], [
        "add_event_callback", "add_to_device_callback", "add_ephemeral_callback", "add_room_account_data_callback",
        "add_presence_callback", "add_global_account_data_callback"], 0, "callback"),
]

# TwitchIO: commands, and ``event_<name>`` methods of a bot.
TWITCHIO = [
    decorator(EntryKind("TwitchIO", "command", COMMAND), "twitchio.ext.commands.command"),
    subclass_methods(EntryKind("TwitchIO", "event handler", EVENT, frozenset({"event_ready"})),
                     ["twitchio.Client", "twitchio.ext.commands.Bot"], ["event_*"]),
    decorator(EntryKind("TwitchIO", "timer routine", RUN), "twitchio.ext.routines.routine"),
]

SLACK_APPS = ["slack_bolt.App", "slack_bolt.async_app.AsyncApp", "slack_bolt.app.App",
              "slack_bolt.app.async_app.AsyncApp"]
SLACK = [
    method_decorator(EntryKind("Slack Bolt", "listener", EVENT), SLACK_APPS,
                     ["event", "message", "options", "middleware"]),
    # A slash command, a button, a shortcut, a modal submitted: a person's action.
    *(method_decorator(EntryKind("Slack Bolt", role, COMMAND), SLACK_APPS, methods) for role, methods in {
        "command": ["command"], "action": ["action", "block_action"],
        "shortcut": ["shortcut", "global_shortcut", "message_shortcut"],
        "view submission": ["view", "view_submission"]}.items()),
]

SCHEDULER_JOB = EntryKind("APScheduler", "job", RUN)
SCHEDULERS = [f"apscheduler.schedulers.{module}.{cls}" for module, cls in (
    ("asyncio", "AsyncIOScheduler"), ("background", "BackgroundScheduler"), ("blocking", "BlockingScheduler"))] \
    + ["apscheduler.AsyncScheduler", "apscheduler.Scheduler"]
SCHEDULING = [
    decorator(EntryKind("aiocron", "job", RUN), "aiocron.crontab"),
    method_decorator(SCHEDULER_JOB, SCHEDULERS, ["scheduled_job"]),
    method_registration(SCHEDULER_JOB, SCHEDULERS, ["add_job", "add_schedule"], 0, "func"),
]

OPSDROID_SKILL = EntryKind("opsdroid", "skill", EVENT)
# What a bot sends for every message it answers; a sender of any other event (a room renamed, a user
# banned, a Twitch clip made) runs when a person asks for it.
OPSDROID_MESSAGE_EVENTS = frozenset(f"opsdroid.events.{name}" for name in (
    "Message", "EditedMessage", "Reply", "Typing", "Reaction", "File", "Image", "Video"))
OPSDROID = [
    decorator(EntryKind("opsdroid", "connector's event sender", COMMAND, switch=OPSDROID_MESSAGE_EVENTS),
              "opsdroid.connector.register_event"),
    decorator(OPSDROID_SKILL, *(f"opsdroid.matchers.match_{name}" for name in (
        "regex", "parse", "event", "always", "catchall", "dialogflow_action", "dialogflow_intent", "luisai_intent",
        "rasanlu", "sapcai", "watson", "witai"))),
    decorator(EntryKind("opsdroid", "scheduled skill", RUN), "opsdroid.matchers.match_crontab"),
    decorator(EntryKind("opsdroid", "webhook skill", REQUEST), "opsdroid.matchers.match_webhook"),
]

MAUBOT = [
    decorator(EntryKind("maubot", "command", COMMAND), "maubot.handlers.command.new"),
    # A passive command matches a pattern in every message.
    decorator(EntryKind("maubot", "passive command", EVENT), "maubot.handlers.command.passive"),
    decorator(EntryKind("maubot", "event handler", EVENT), "maubot.handlers.event.on"),
    decorator(EntryKind("maubot", "web handler", REQUEST), *(f"maubot.handlers.web.{verb}" for verb in ROUTE_VERBS)),
]

# Home Assistant polls coordinators and entities, and calls views, services and trackers, again and again.
HASS = "homeassistant"
HASS_SERVICES = f"{HASS}.core.ServiceRegistry"
HASS_BUS = f"{HASS}.core.EventBus"
ATTRIBUTE_TYPES.update({f"{HASS}.core.HomeAssistant.services": HASS_SERVICES,
                        f"{HASS}.core.HomeAssistant.bus": HASS_BUS})
HOME_ASSISTANT = [
    subclass_methods(EntryKind("Home Assistant", "coordinator update", RUN),
                     [f"{HASS}.helpers.update_coordinator.DataUpdateCoordinator"], ["_async_update_data"]),
    subclass_methods(EntryKind("Home Assistant", "entity update", RUN),
                     [f"{HASS}.helpers.entity.Entity", f"{HASS}.components.*Entity"], ["async_update"]),
    subclass_methods(EntryKind("Home Assistant", "view", REQUEST), [f"{HASS}.components.http.HomeAssistantView"],
                     VERBS),
    method_registration(EntryKind("Home Assistant", "service handler", EVENT), [HASS_SERVICES],
                        ["async_register"], 2, "service_func"),
    method_registration(EntryKind("Home Assistant", "event listener", EVENT), [HASS_BUS], ["async_listen"], 1,
                        "listener"),
    *(registration(EntryKind("Home Assistant", "tracker callback", RUN), [f"{HASS}.helpers.event.{name}"],
                   position, "action") for name, position in {
        "async_track_time_interval": 1, "async_track_state_change_event": 2, "async_track_time_change": 1,
        "async_track_utc_time_change": 1}.items()),
]

# AppDaemon apps register their callbacks on themselves: ``self.run_every(self.poll, ...)``.
APPDAEMON_APPS = ["appdaemon.plugins.hass.hassapi.Hass", "appdaemon.adapi.ADAPI", "appdaemon.plugins.mqtt.mqttapi.Mqtt"]
APPDAEMON = [
    method_registration(EntryKind("AppDaemon", "scheduled callback", RUN), APPDAEMON_APPS, [
        "run_every", "run_minutely", "run_hourly", "run_daily", "run_at_sunrise", "run_at_sunset"], 0, "callback"),
    method_registration(EntryKind("AppDaemon", "event callback", EVENT), APPDAEMON_APPS, [
        "listen_state", "listen_event"], 0, "callback"),
]

CALLBACK = EntryKind("", "registered callback", CALL)
CALLBACKS = [
    untyped_registration(CALLBACK, "asyncio", ["add_done_callback"], 0),
    untyped_registration(CALLBACK, "asyncio", ["add_signal_handler"], 1),
    registration(CALLBACK, ["signal.signal"], 1),
]

# One-shot code by name: ``main()``, startup hooks, context managers' entry.
ONE_SHOT_NAMES = frozenset({"main", "__aenter__", "__init__", "setup_hook", "cog_load", "setup", "on_startup",
                            "startup", "post_init", "lifespan", "amain", "async_main"})
ONE_SHOT = EntryKind("", "one-shot function", ONCE)
ONE_SHOT_ROWS = [
    decorator(EntryKind("click", "command", ONCE), "click.command", "click.group", "asyncclick.command",
              "asyncclick.group"),
    method_decorator(EntryKind("click", "command", ONCE), ["click.Group", "click.core.Group", "asyncclick.Group"],
                     ["command", "group"]),
    method_decorator(EntryKind("typer", "command", ONCE), ["typer.Typer", "typer.main.Typer"], ["command",
                                                                                               "callback"]),
    decorator(EntryKind("pytest", "fixture", ONCE), "pytest.fixture", "pytest_asyncio.fixture"),
]

TABLE: Tuple[Row, ...] = (
    *AIOHTTP, *FASTAPI, *STARLETTE, *LITESTAR, *QUART, *SANIC, *FLASK, *DJANGO, *TORNADO,
    *DISCORD, *RED, *HIKARI, *AIOGRAM, *PTB, *TELEGRAM_AND_MATRIX, *TWITCHIO, *SLACK, *OPSDROID, *MAUBOT,
    *HOME_ASSISTANT, *APPDAEMON, *SCHEDULING, *CALLBACKS, *ONE_SHOT_ROWS)
WRAPPER = EntryKind("", "decorator's wrapper", WRAPPED)
WRAPS = frozenset({"functools.wraps"})


def _index(how: str) -> List[Row]:
    return [row for row in TABLE if row.how == how]


DECORATORS: Dict[str, Row] = {name: row for row in _index("decorator") for name in row.names}
METHOD_DECORATORS: Dict[Tuple[str, str], Row] = {
    (name, method): row for row in _index("method_decorator") for name in row.names for method in row.methods}
REGISTRATIONS: Dict[str, Row] = {name: row for row in _index("registration") for name in row.names}
METHOD_REGISTRATIONS: Dict[Tuple[str, str], Row] = {
    (name, method): row for row in _index("method_registration") for name in row.names for method in row.methods}
UNTYPED_REGISTRATIONS: Dict[str, Row] = {method: row for row in _index("untyped_registration")
                                         for method in row.methods}
SUBCLASS_ROWS = _index("subclass_methods")
ANNOTATION_ROWS = _index("parameter_annotation")
METHOD_REGISTRATION_NAMES = frozenset(method for _, method in METHOD_REGISTRATIONS)
# The last part of every name a registration may be called by: most calls are turned down on it.
REGISTRATION_NAMES = frozenset(
    [name.rpartition(".")[2] for name in REGISTRATIONS] + list(METHOD_REGISTRATION_NAMES) + list(UNTYPED_REGISTRATIONS))


def describe(function: cst.FunctionDef, owner: Optional[str]) -> str:
    """``Fun.weather()`` for a method, ``fetch()`` for a function."""
    return f"`{owner}.{function.name.value}()`" if owner else f"`{function.name.value}()`"


# -- what a def is ----------------------------------------------------------------------
def entry_point(function: cst.FunctionDef, scope: Scope) -> Optional[EntryKind]:
    """What runs ``function`` (``scope`` is where it is defined): a per-event kind, a one-shot
    kind, or None when nothing says."""
    memo = scope.file_memo.setdefault("entry_points", {})  # asked by several rules and the model
    if function not in memo:
        memo[function] = _entry_point(function, scope)
    return memo[function]


def _entry_point(function: cst.FunctionDef, scope: Scope) -> Optional[EntryKind]:
    for item in function.decorators:
        kind = _decorator_kind(item.decorator, function, scope)
        if kind is not None:
            return _unless_owner_only(kind, function, scope)
    if function.name.value in ONE_SHOT_NAMES:
        return ONE_SHOT
    if scope.is_class:
        kind = _subclass_kind(function, scope)
        if kind is not None:
            return kind
    if function.asynchronous is not None and ANNOTATION_ROWS:
        from .values import annotation_type

        for param in iter_params(function.params):
            if param.annotation is not None:
                annotated = annotation_type(param.annotation.annotation, scope)
                row = next((row for row in ANNOTATION_ROWS if annotated in row.names), None)
                if row is not None:
                    return row.kind
    if scope.is_function and is_decorator_wrapper(function, scope):
        return WRAPPER
    return None


def _decorator_kind(expr: cst.BaseExpression, function: cst.FunctionDef, scope: Scope) -> Optional[EntryKind]:
    target = expr.func if isinstance(expr, cst.Call) else expr
    row = DECORATORS.get(qualified_name(target, scope) or "")
    if row is None and isinstance(target, cst.Attribute):
        method = target.attr.value
        row = next((METHOD_DECORATORS[(name, method)] for name in instance_types(target.value, scope)
                    if (name, method) in METHOD_DECORATORS), None)
    if row is None:
        return None
    return _unless_setup(_unless_rare(_switched(row.kind, expr, scope), expr), expr, function, scope)


def _switched(kind: EntryKind, expr: cst.BaseExpression, scope: Scope) -> EntryKind:
    """``kind``, or the other way it runs when the decorator's arguments say (``EntryKind.switch``)."""
    if not kind.switch or not isinstance(expr, cst.Call):
        return kind
    said = set()
    for arg in expr.args:
        if arg.keyword is not None:
            said.add(arg.keyword.value)
        value = arg.value.func if isinstance(arg.value, cst.Call) else arg.value
        said.add(qualified_name(value, scope) or "")
    if not said & kind.switch:
        return kind
    if kind.on_demand:
        return replace(kind, role=kind.role.replace("event", "message"), runs=EVENT, switch=frozenset())
    return replace(kind, role=f"command {kind.role}", runs=COMMAND, switch=frozenset())


# Checks that only the bot's owner passes: such a command is administration, not traffic.
OWNER_CHECKS = frozenset({*(f"{package}.ext.commands.is_owner" for package in DISCORD_FORKS),
                          "redbot.core.commands.is_owner", "redbot.core.checks.is_owner"})


def _unless_owner_only(kind: EntryKind, function: cst.FunctionDef, scope: Scope) -> EntryKind:
    if kind.runs not in (EVENT, COMMAND) or not function.decorators:
        return kind
    for item in function.decorators:
        expr = item.decorator.func if isinstance(item.decorator, cst.Call) else item.decorator
        if qualified_name(expr, scope) in OWNER_CHECKS:
            return EntryKind(kind.framework, "owner-only command", ONCE)
    return kind


# Scheduled loops that run at set times of day (``time=``) or at most once an hour: a session per run
# costs nothing worth changing the code for.
RARE_LOOP_KEYWORDS = {"hours": 1, "minutes": 60, "seconds": 3600}


def _unless_rare(kind: EntryKind, expr: cst.BaseExpression) -> EntryKind:
    if kind.runs != RUN or not isinstance(expr, cst.Call):
        return kind
    for arg in expr.args:
        keyword = arg.keyword.value if arg.keyword is not None else None
        if keyword == "time":
            return EntryKind(kind.framework, "loop at set times of day", ONCE)
        least = RARE_LOOP_KEYWORDS.get(keyword or "")
        if least is not None and isinstance(arg.value, (cst.Integer, cst.Float)) and \
                float(arg.value.evaluated_value) >= least:
            return EntryKind(kind.framework, "hourly or slower loop", ONCE)
    return kind


def _unless_setup(kind: EntryKind, expr: cst.BaseExpression, function: cst.FunctionDef,
                  scope: Scope) -> EntryKind:
    """A listener of a setup event (``on_ready``, ``StartedEvent``) runs once per connection."""
    if not kind.setup_events:
        return kind
    events = {function.name.value}
    if isinstance(expr, cst.Call) and expr.args:
        first = expr.args[0].value
        if isinstance(first, cst.SimpleString):
            events.add(str(first.evaluated_value))
        events.add(qualified_name(first, scope) or "")
    params = list(iter_params(function.params))
    for param in params[:2]:  # ``(event)`` or ``(self, event)``
        if param.annotation is not None:
            events.add(qualified_name(param.annotation.annotation, scope) or "")
    return EntryKind(kind.framework, "setup listener", ONCE) if events & kind.setup_events else kind


def _subclass_kind(function: cst.FunctionDef, class_scope: Scope) -> Optional[EntryKind]:
    name = function.name.value
    rows = _subclass_rows(name)
    if not rows:
        return None
    bases = class_bases(class_scope.node, class_scope.parent)  # type: ignore[arg-type]
    row = next((row for row in rows if bases & row.names or any(
        fnmatch.fnmatchcase(base, name) for name in row.names if "*" in name for base in bases)), None)
    if row is None:
        return None
    kind = row.kind
    if kind.setup_events and name in kind.setup_events:
        return EntryKind(kind.framework, "setup listener", ONCE)
    return kind


@functools.lru_cache(maxsize=None)
def _subclass_rows(method: str) -> Tuple[Row, ...]:
    """The rows of ``SUBCLASS_ROWS`` that name ``method`` (asked of every method of every class)."""
    return tuple(row for row in SUBCLASS_ROWS if method in row.methods
                 or any(m.endswith("*") and method.startswith(m[:-1]) for m in row.methods))


def returned_names(function: cst.FunctionDef, scope: Scope) -> FrozenSet[str]:
    """The plain names the function's own code returns (asked for each coroutine defined in it)."""
    memo = scope.file_memo.setdefault("returned_names", {})
    if function not in memo:
        memo[function] = frozenset(node.value.value for node in own_code(function.body)
                                   if isinstance(node, cst.Return) and isinstance(node.value, cst.Name))
    return memo[function]


def is_decorator_wrapper(function: cst.FunctionDef, scope: Scope) -> bool:
    """A coroutine defined in a function that returns it, and that calls what it wraps
    (a parameter of an enclosing function) or is marked ``@functools.wraps``."""
    outer = scope.node
    if function.asynchronous is None or not isinstance(outer, cst.FunctionDef):
        return False
    name = function.name.value
    if name not in returned_names(outer, scope):
        return False
    if any(qualified_name(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator, scope) in WRAPS
           for d in function.decorators):
        return True
    wrapped = set()
    current: Optional[Scope] = scope
    while current is not None and current.is_function:
        wrapped.update(name for name, bindings in current.bindings.items() if any(b.kind == "param" for b in bindings))
        current = current.parent
    own = {param.name.value for param in iter_params(function.params)}
    return any(isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in wrapped - own
               for node in walk(function.body))


# -- what a call registers ----------------------------------------------------------------
def registered(call: cst.Call, scope: Scope) -> List[Tuple[cst.BaseExpression, EntryKind]]:
    """The callables ``call`` registers for repeated calls, with what will call them."""
    func = call.func
    short = last_name(func)
    if short is None or short not in REGISTRATION_NAMES:
        return []
    row = REGISTRATIONS.get(qualified_name(func, scope) or "")
    if row is None and isinstance(func, cst.Attribute):
        if short in METHOD_REGISTRATION_NAMES:  # the receiver's type is dear to find: only when it may matter
            row = next((METHOD_REGISTRATIONS[(name, short)] for name in instance_types(func.value, scope)
                        if (name, short) in METHOD_REGISTRATIONS), None)
        if row is None:
            untyped = UNTYPED_REGISTRATIONS.get(short)
            if untyped is not None and imports_package(scope, untyped.imports):
                row = untyped
    if row is None:
        return []
    positional = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
    callback = positional[row.position] if len(positional) > row.position else next(
        (arg.value for arg in call.args if arg.keyword is not None and arg.keyword.value == row.keyword), None)
    return [(callback, row.kind)] if callback is not None else []


def imports_package(scope: Scope, package: str) -> bool:
    """The module imports something from ``package``."""
    module = scope.module()
    memo: Dict[str, bool] = module.file_memo.setdefault("imports_package", {})
    if package not in memo:
        memo[package] = any(b.kind == "import" and (b.qualified or "").split(".")[0] == package
                            for bindings in module.bindings.values() for b in bindings)
    return memo[package]


# -- names of classes and functions of the module -----------------------------------------------
MAX_DEPTH = 8


def instance_types(expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> FrozenSet[str]:
    """The qualified classes ``expr`` is an instance of (with the bases of a class of this
    module: ``bot = MyBot()`` with ``class MyBot(commands.Bot)``), or nothing when unknown."""
    from .values import THIS_MODULE, type_of

    if depth > MAX_DEPTH:
        return frozenset()
    known = type_of(expr, scope)
    if known is not None and not known.startswith(THIS_MODULE):  # a class of this module: its bases, below
        return frozenset({known})
    if isinstance(expr, cst.Name):
        own_class = self_class(expr.value, scope)  # ``self`` in a method: an instance of its class
        if own_class is not None:
            return class_bases(own_class.node, own_class.parent)  # type: ignore[arg-type]
        bindings = scope.lookup(expr.value) or []
        if len(bindings) == 1 and bindings[0].kind == "assign" and isinstance(bindings[0].value, cst.Call):
            made = local_class(bindings[0].value.func, scope)
            if made is not None:
                return class_bases(made, scope.module())
    if isinstance(expr, cst.Attribute):
        return frozenset(ATTRIBUTE_TYPES[f"{owner}.{expr.attr.value}"]
                         for owner in instance_types(expr.value, scope, depth + 1)
                         if f"{owner}.{expr.attr.value}" in ATTRIBUTE_TYPES)
    return frozenset()


def local_class(expr: cst.BaseExpression, scope: Scope) -> Optional[cst.ClassDef]:
    """The class of this module that a name refers to."""
    if not isinstance(expr, cst.Name):
        return None
    bindings = scope.lookup(expr.value) or []
    if len(bindings) == 1 and bindings[0].kind == "class":
        return bindings[0].node  # type: ignore[return-value]
    return None


def class_bases(class_node: cst.ClassDef, outer: Optional[Scope], depth: int = 0) -> FrozenSet[str]:
    """The qualified names of the bases of a class, through the classes of this module it derives from."""
    if outer is None or depth > MAX_DEPTH:
        return frozenset()
    found = set()
    for base in class_node.bases:
        if base.keyword is not None:
            continue
        expr = base.value.value if isinstance(base.value, cst.Subscript) else base.value
        name = qualified_name(expr, outer)
        if name is not None:
            found.add(name)
            continue
        parent = local_class(expr, outer)
        if parent is not None and parent is not class_node:
            found |= class_bases(parent, outer.module(), depth + 1)
    return frozenset(found)


def local_function(expr: cst.BaseExpression, scope: Scope) -> Optional[Tuple[cst.FunctionDef, Optional[str]]]:
    """The ``def`` of this module that ``expr`` names (``fetch``, ``self.fetch``, ``Client.fetch``,
    ``client.fetch`` with ``client = Client()``, ``functools.partial(fetch, ...)``), with the name
    of its class if it is a method; None when not certain."""
    kind = type(expr)
    if kind is cst.Call:
        call: Any = expr  # its type is checked exactly, which type checkers do not narrow on
        if qualified_name(call.func, scope) == "functools.partial" and call.args:
            return local_function(call.args[0].value, scope)
    if kind is cst.Name:
        bindings = scope.lookup(expr.value) or []
        if len(bindings) == 1 and bindings[0].kind == "def":
            return bindings[0].node, None  # type: ignore[return-value]
        return None
    if kind is not cst.Attribute or type(expr.value) is not cst.Name:  # type: ignore[attr-defined]
        return None
    owner = expr.value.value  # type: ignore[attr-defined]
    class_node: Optional[cst.ClassDef] = None
    own_class = self_class(owner, scope)
    if own_class is not None:
        class_node = own_class.node  # type: ignore[assignment]
    else:
        class_node = local_class(expr.value, scope)
        if class_node is None:
            bindings = scope.lookup(owner) or []
            if len(bindings) == 1 and bindings[0].kind == "assign" and isinstance(bindings[0].value, cst.Call):
                class_node = local_class(bindings[0].value.func, scope)
    if class_node is None:
        return None
    method = class_method(class_node, expr.attr.value, scope.module())
    return (method, class_node.name.value) if method is not None else None


def class_method(class_node: cst.ClassDef, name: str, module: Scope, depth: int = 0) -> Optional[cst.FunctionDef]:
    """The method ``name`` of a class of this module, or of a class of this module it derives from."""
    if depth > MAX_DEPTH:
        return None
    body = class_node.body.body if isinstance(class_node.body, cst.IndentedBlock) else ()
    for statement in body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
            return statement
    for base in class_node.bases:
        parent = local_class(base.value, module) if base.keyword is None else None
        if parent is not None and parent is not class_node:
            found = class_method(parent, name, module, depth + 1)
            if found is not None:
                return found
    return None


def table_summary() -> Iterator[Tuple[str, Sequence[str]]]:
    """(framework, its per-event roles) for the documentation."""
    roles: Dict[str, List[str]] = {}
    for row in TABLE:
        if row.kind.per_event and row.kind.framework:
            listed = roles.setdefault(row.kind.framework, [])
            if row.kind.role not in listed:
                listed.append(row.kind.role)
    yield from roles.items()
