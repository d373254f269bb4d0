"""AIO1xx: client sessions created too often, or never closed.

A ``ClientSession`` owns a connection pool, a DNS cache and cookies; aiohttp's
docs ask for one per application. Both rules look at the place a session is
created (``semantics/aiohttp.held``) and follow the local that holds it through
its function (``semantics/tracking.track``): a session that escapes (returned,
stored, yielded, passed on) belongs to someone else, and no rule speaks of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Set, Tuple, Union

import libcst as cst

from ..semantics.aiohttp import (
    ENTER_METHODS, POOL_OWNERS, REQUEST_FUNCTION, SESSION, SESSION_MAKERS, Held, guarded, held, how_repeated,
    repeating, self_class,
)
from ..semantics.entry_points import WRAPPER, EntryKind, describe, entry_point, local_function, registered
from ..semantics.names import qualified_name
from ..semantics.scope import Scope
from ..semantics.awaitables import ASYNC_CLOSERS
from ..semantics.project import REPEATED, REPEATED_ON_DEMAND, WRAPPER_OF
from ..semantics.testing import in_test
from ..semantics.tracking import Tracked, track, track_global
from ..semantics.tree import DOTTED_NAMES
from ..semantics.values import project_fact
from .base import NodeFix, Replacement, Rule

# Escapes that let a session entered by ``async with`` outlive one use: the block
# is then the lifetime of an app or a service (``app[KEY] = s; yield``), not of a request.
OUTLIVES_BLOCK = frozenset({"return", "yield", "store", "alias", "global"})
SESSION_CLOSERS = ("close", "__aexit__")  # the methods that close a session or a connector
# Base classes that do not close anything on a subclass's behalf.
INERT_BASES = frozenset({"builtins.object", "abc.ABC", "typing.Generic", "typing.Protocol"})


def handed_on(uses: Tracked) -> bool:
    """Entered, closed, or handed to other code (returned, passed, stored, aliased...) somewhere."""
    return bool(uses.entered or uses.calls_to("close") or uses.escapes)


def enclosing_function(context: Any) -> Optional[cst.FunctionDef]:
    """The ``def`` whose body runs where the walk is (comprehensions looked through; not a lambda)."""
    scope = context.scope.function()
    return scope.node if scope is not None and isinstance(scope.node, cst.FunctionDef) else None


def confined(how: Held, function: cst.FunctionDef, passing_outlives: bool) -> bool:
    """The session lives for this call of ``function`` only: nothing takes it over.

    With ``passing_outlives``, passing a session entered by ``async with`` to a call
    counts as handing it over too (the callee may serve a whole connection on it).
    """
    if how.kind in ("inline", "dropped"):
        return True
    if how.kind == "with":
        if how.name is None:
            return True
        uses = track(function, how.name)
        outlives = OUTLIVES_BLOCK | {"argument"} if passing_outlives else OUTLIVES_BLOCK
        # A websocket keeps its session for the whole connection, not for one request.
        return not uses.calls_to("ws_connect") and not any(e.how in outlives for e in uses.escapes)
    if how.kind == "local" and how.name is not None:
        uses = track(function, how.name)
        return not uses.escapes and not uses.calls_to("ws_connect")
    return False


@dataclass
class Creation:
    call: cst.Call
    function: cst.FunctionDef
    request_function: bool  # ``aiohttp.request()`` rather than ``ClientSession()``


@dataclass
class CallSite:
    callee: cst.BaseExpression  # what is called: ``fetch``, ``self.fetch``
    caller: Optional[Callable]  # the def or lambda it is in (None: module level)
    # Where the call stands, to say later whether it repeats: most calls never call a helper,
    # so that question is asked only for the few that do.
    node: cst.Call
    ancestors: Tuple[cst.CSTNode, ...]
    scope: Scope


Callable = Union[cst.FunctionDef, cst.Lambda]


@dataclass
class Function:
    node: Callable
    owner: Optional[str]  # its class's name, for a method
    kind: Optional[EntryKind]  # what calls it, if known
    decorator: Optional[str] = None  # for a decorator's wrapper, the decorator's name
    # ``fetch``, ``Client.fetch``, ``^retry`` (a decorator's wrapper): its name for other modules (top-level ones only)
    member: Optional[str] = None

    @property
    def label(self) -> str:
        if not isinstance(self.node, cst.FunctionDef):
            return "a lambda"
        if self.decorator is not None:
            return f"the wrapper `{self.node.name.value}()` of `{self.decorator}()`"
        return describe(self.node, self.owner)


@dataclass(frozen=True)
class Reason:
    """Why a function runs again and again: ``root`` (None: module-level code) calls it, or
    calls the first of ``through`` which calls the next..., ``how`` ("per event", "in a loop").
    A decorator's wrapper runs whenever the function it wraps (``wrapped``, last of ``through``) runs."""

    root: Optional[Function]
    how: str
    through: Tuple[Function, ...] = ()
    wrapped: Optional[Function] = None

    @property
    def in_loop(self) -> bool:
        """The root calls it in a loop or a gather (rather than running per event)."""
        return self.how.startswith("in ")

    def chain(self, function: Function) -> Tuple[Function, ...]:
        """The functions from the root's callee down to ``function``, whose reason this is."""
        return () if self.root is function else (*self.through, function)

    def caller(self) -> str:
        if self.root is None:
            who = "module-level code"
        elif self.root.kind is not None and self.root.kind.per_event and not self.in_loop:
            who = f"{self.root.label} ({self.root.kind.description})"
        else:
            who = self.root.label
        through = self.through[:-1] if self.wrapped is not None else self.through
        path = f" through {', '.join(f.label for f in through)}" if through else ""
        if self.wrapped is None:
            return f"{who} calls it {self.how}{path}"
        if self.wrapped is self.root:
            return f"it wraps {who}"
        return f"it wraps {self.wrapped.label}, which {who} calls {self.how}{path}"


class SessionPerRequest(Rule):
    """Flags a `ClientSession` created for each request or event instead of once.

    ## What it does
    Reports `aiohttp.ClientSession(...)` (with or without `async with`) and
    `aiohttp.request(...)` (which opens a session of its own per call) made:

    - in the body of a `for`/`async for`/`while` loop or a comprehension;
    - in a function that runs once per request or event (*per-event* code);
    - in a helper that makes a session for its own call only (entered with
      `async with`, or closed before it returns, and not handed on), when
      per-event code, or a loop, a comprehension or an `asyncio.gather(...)`,
      calls it, directly or through other functions, in the same module or in
      another module of the project. The message names that caller (and its
      file, when it is another).

    Code that a person invokes (a bot's commands, its buttons) is AIO105's, off by
    default: a session made there, or in a helper that only such code calls, is
    not reported here. That is discord.py's and its forks' commands and `discord.ui`
    callbacks, Red-DiscordBot's, hikari's command libraries' and TwitchIO's commands,
    miru components, maubot's `@command.new`, python-telegram-bot's
    `CommandHandler`/`PrefixHandler` callbacks, aiogram handlers filtered on a
    command, Slack Bolt's `command`/`action`/`shortcut`/`view` listeners, and
    opsdroid senders of events other than messages, reactions, typing and files.
    A command that calls a helper in a loop or a gather, and a helper that
    per-request or per-event code calls too, stay here.

    Per-event code is known from these frameworks (names resolved through imports);
    the commands among them are AIO105's:

    - aiohttp: handlers registered with `router.add_get`/`add_route`/..., named in
      `web.get(...)`-style route definitions, decorated with a `web.RouteTableDef`
      route (`@routes.get(...)`) or `@web.middleware`, HTTP-verb methods of a
      `web.View`, coroutines taking a `web.Request`, `on_response_prepare` callbacks;
    - FastAPI (`@app.get`, `@router.post`, `APIRouter.add_api_route`, `@app.middleware`,
      `Depends(...)`), Starlette (`Route(...)`, `HTTPEndpoint` methods), Litestar
      (`@get`, `@post`...), Quart and Flask (`@app.route`, `@bp.route`, `before_request`,
      `MethodView`), Sanic (routes, middleware, `HTTPMethodView`), Django (`path(...)`,
      `re_path(...)`, view decorators, class-based views), Tornado `RequestHandler`s;
    - discord.py, Pycord, nextcord and disnake: `@commands.command`,
      `@commands.hybrid_command`, `@app_commands.command`, slash commands,
      `@bot.command`, `@bot.event`, `@bot.listen`, `@commands.Cog.listener()`,
      `on_<event>` methods of `Client`/`Bot`/`Cog` subclasses, `@tree.command`,
      `@tasks.loop(...)` loops, `discord.ui` button, select and modal callbacks;
      Red-DiscordBot's commands and listeners;
    - hikari (`@bot.listen`), lightbulb, tanjun, crescent, arc and miru commands and
      listeners;
    - aiogram (`@router.message(...)`, `@dp.callback_query(...)`,
      `@dp.message_handler(...)`, `router.message.register(...)`, class-based
      handlers), python-telegram-bot (`CommandHandler(..., callback)`,
      `MessageHandler`, `CallbackQueryHandler`..., `job_queue.run_repeating`),
      Pyrogram (`@app.on_message(...)`, handler objects), Telethon (`@client.on(...)`,
      `add_event_handler`), matrix-nio (`client.add_event_callback(...)`), TwitchIO
      (commands, `event_<name>` methods, routines), Slack Bolt (`@app.command`,
      `@app.event`, `@app.message`, `@app.action`...),
      opsdroid (connectors' `@register_event` senders, `@match_*` skills), maubot
      (`@command.new`, `@event.on`, web handlers);
    - Home Assistant (`DataUpdateCoordinator._async_update_data`, entities'
      `async_update`, `HomeAssistantView` methods, service handlers, bus listeners,
      `async_track_*` callbacks) and AppDaemon (`run_every`, `listen_state`...);
    - scheduled jobs: `aiocron.crontab`, APScheduler `add_job`/`@scheduled_job`;
    - callbacks registered for repeated calls: `add_done_callback`,
      `add_signal_handler`, `signal.signal`.

    A decorator's wrapper (a nested `async def` that the decorator returns, and
    that calls what it wraps or is `@functools.wraps`) runs whenever the function
    it decorates runs: a session in it is reported when the decorator is applied,
    in this module or another (`@with_session`, `@utils.with_session`,
    `@retry(3)`), to per-event code or to a function that per-event code, a loop
    or a gather calls. The message names the decorated function (and its file).

    One-shot code is never per-event, and what it calls (outside a loop) is not
    reported: `main()`, `setup_hook`, `cog_load`, `setup`, `on_startup`,
    `__aenter__`, listeners of setup events (`on_ready`, `on_connect`, hikari's
    `StartedEvent`...), FastAPI `on_event` handlers, Quart `before_serving`, Sanic
    server listeners, aiogram `startup` handlers, click and typer commands, pytest
    fixtures. A session made once around many requests (`async with
    ClientSession() as s:` around a whole `gather`) is not per-request either.
    Red-DiscordBot's `on_red_api_tokens_update` (the owner sets API keys) is
    configuration, not traffic. A scheduled loop that runs at set times of day
    (`@tasks.loop(time=...)`) or once an hour or less often (`hours=`, or
    `minutes=`/`seconds=` of an hour or more) makes too few sessions for a shared
    one to be worth it, and is not reported either; nor is a command that only
    the bot's owner may run (`@commands.is_owner()`): administration, not
    traffic.

    ## Why is this bad?
    A session owns a connection pool. A new session per request opens a new TCP
    (and TLS) connection every time, throws away keep-alive, DNS cache and
    cookies, and under load exhausts sockets. aiohttp's documentation asks for
    one session per application.

    ## Example
    ```python
    async def fetch_json(url):
        async with aiohttp.ClientSession() as session:
            async with session.get(url) as response:
                return await response.json()

    class Fun(commands.Cog):
        @commands.command()
        async def weather(self, ctx, city):
            await ctx.send(await fetch_json(f"{API}/weather?q={city}"))
    ```

    ## Use instead
    ```python
    async def fetch_json(session, url):
        async with session.get(url) as response:
            return await response.json()

    class Fun(commands.Cog):
        async def cog_load(self):
            self.session = aiohttp.ClientSession()

        async def cog_unload(self):
            await self.session.close()

        @commands.command()
        async def weather(self, ctx, city):
            await ctx.send(await fetch_json(self.session, f"{API}/weather?q={city}"))
    ```
    In a web application, create the session at startup (aiohttp's `cleanup_ctx`,
    a FastAPI `lifespan`) and keep it on the app; in a script, open one session
    in `main()` around all of its requests.

    ## Known limits
    A session that someone else may own is never reported: returned, yielded or
    stored (on `self`, an app, a container), and, unless `async with` closes it at
    the end of the block, passed to another call. Nor is a session that opens a
    websocket (`ws_connect`: one long-lived connection), nor, in a `while` loop,
    an `async with` session handed to another call (reconnect loops serve a whole
    connection that way).

    Helpers are followed by name. Within a module: `fetch()`, `self.fetch()`,
    `Client.fetch()`, `client.fetch()` with `client = Client()`,
    `functools.partial(fetch, ...)`. Across the modules of the project (through
    the project model, when the caller's file is in the same run): a function
    imported (`from .utils import fetch`, `from pkg import utils;
    utils.fetch()`, `import pkg.utils`, re-exports in `__init__.py`), chained
    with the calls each module makes within itself, functions registered as
    callbacks in another module (`CommandHandler("start", handlers.start)`), and
    methods called on an object whose class the calling module shows (the class
    of that module or another): made by the class's constructor and kept in
    `self.x` (`self.api = WeatherApi()` in `__init__`, then
    `await self.api.get(city)`), in a module global or in a local.
    A run on a single file says
    nothing about callers in other files; a cached run stays right when a caller
    changes. Per-event code is followed through any number of calls, except
    calls that a function between makes only under a condition (in a branch of
    an `if` or in an `except` handler: a token renewed when it expires, a cache
    miss, a fallback), which are not known to run each time; a loop of code that
    is not per-event (a supervisor that restarts a service, a poll that renews a
    token when it expires) only through the call it makes itself, since what the
    callee calls in turn is most often conditional.

    Not seen: a helper reached only through a dynamic attribute (`getattr`), a
    registry or a dict of callbacks, or a method of an object whose class the
    calling module does not show (a parameter, `self.client = client`, an object
    reached through another, `self.bot.api.fetch()`, one that a function
    of another module makes, items of a list), or that a base class of another module defines;
    a decorator applied by calling it (`handler = with_session(handler)`) or to a
    function nested in another; a framework or a way of registering that is not
    in the table, or a route on an app imported from another module (its type is
    not known here). An event that
    is rare in practice (a setting changed by the owner) is per-event all the
    same, except Red-DiscordBot's API-token updates.

    {test code}
    Nor do calls in test code count as calls per event: a benchmark that makes a
    session per request on purpose measures exactly that.
    """

    code = "AIO101"
    name = "session-per-request"
    summary = "`ClientSession` created per request or event: in a loop, a handler, a listener, or a helper they call"
    message = "{what} {when}; create one ClientSession {once} and reuse it."
    triggers = frozenset({"aiohttp"})
    # Which findings are this rule's: those of code a person invokes (a bot command), or the others.
    on_demand = False

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.creations: List[Creation] = []
        self.sites: List[CallSite] = []
        self.functions: Dict[Callable, Function] = {}
        self.registrations: List[Tuple[cst.BaseExpression, Scope, EntryKind]] = []
        self.decorations: List[Tuple[cst.BaseExpression, Scope, cst.FunctionDef]] = []
        self.wrappers: Dict[cst.FunctionDef, List[Function]] = {}  # by each function they are nested in

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        scope = self.context.scope  # where the def stands: its decorators and annotations resolve there
        owner = scope.node.name.value if scope.is_class else None  # type: ignore[attr-defined]
        function = self.functions[node] = Function(node, owner, entry_point(node, scope))
        if scope.is_module or (owner is not None and scope.parent is not None and scope.parent.is_module):
            function.member = f"{owner}.{node.name.value}" if owner else node.name.value
        self.decorations.extend((item.decorator, scope, node) for item in node.decorators)
        if function.kind is WRAPPER:
            outer: Optional[Scope] = scope
            while outer is not None and isinstance(outer.node, cst.FunctionDef):
                self.wrappers.setdefault(outer.node, []).append(function)
                function.decorator = outer.node.name.value
                decorator = self.functions.get(outer.node)
                # Other modules apply the decorator by its name: they ask about its wrapper by it.
                function.member = WRAPPER_OF + decorator.member if decorator and decorator.member else None
                outer = outer.parent

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if type(func) not in DOTTED_NAMES:
            return
        scope = self.context.scope
        for callback, kind in registered(node, scope):
            self.registrations.append((callback, scope, kind))
        if in_test(scope):
            return  # tests make sessions and call helpers in loops on purpose; a test is not traffic
        ancestors = self.context.ancestors
        function_scope = scope.function()
        self.sites.append(CallSite(func, function_scope.node if function_scope is not None else None,  # type: ignore
                                   node, tuple(ancestors), scope))
        caller = enclosing_function(self.context)
        callee = self.context.callee_among(node, SESSION_MAKERS)
        if callee is None or caller is None:
            return
        loop = repeating(node, ancestors)
        is_request = callee == REQUEST_FUNCTION
        # ``while`` loops also reconnect: a session handed to a consumer there may serve a whole connection.
        if not is_request and not confined(held(node, ancestors), caller, isinstance(loop, cst.While)):
            return
        if loop is not None:
            if not self.on_demand:  # a loop is a loop, in a command too
                self.report(node, what=self.what(is_request), when="on every pass of this loop",
                            once="before the loop")
            return
        self.creations.append(Creation(node, caller, is_request))

    def where(self, site: CallSite) -> Tuple[str, bool]:
        """"in a loop", "in asyncio.gather", or "" (then only a per-event caller counts); and whether
        the call runs only under a condition."""
        return how_repeated(site.node, site.ancestors, site.scope), guarded(site.node, site.ancestors)

    def leave_Module(self, node: cst.Module) -> None:
        if not self.creations:
            return
        for callback, scope, kind in self.registrations:
            if isinstance(callback, cst.Lambda):  # what the lambda calls, it calls per event
                self.functions[callback] = Function(callback, None, kind)
                continue
            found = local_function(callback, scope)
            if found is not None and found[0] in self.functions:
                function = self.functions[found[0]]
                if function.kind is None or not function.kind.per_event and kind.per_event:
                    function.kind = kind
        reasons = self.reasons(on_demand=False)
        if self.on_demand:  # what runs per request is the other rule's; what a command runs is this one's
            reasons = (reasons, self.reasons(on_demand=True))  # type: ignore[assignment]
        for creation in self.creations:
            function = self.functions[creation.function]  # every def was visited before the module is left
            kind = function.kind
            if kind is not None and kind.per_event:
                if kind.on_demand == self.on_demand:
                    # A command is named, as a helper's caller is: a bot has many.
                    when = f"each time {function.label} ({kind.description}) runs" if kind.on_demand else kind.when
                    self.report(creation.call, what=self.what(creation.request_function), when=when,
                                once=kind.startup)
                continue
            caller = self.caller(function, reasons)
            if caller is not None:
                makes = ("opens a new session with `aiohttp.request()`" if creation.request_function
                         else "makes a new ClientSession")
                label = function.label
                self.report(creation.call, message=(
                    f"{label[:1].upper()}{label[1:]} {makes} on every call, and {caller}; "
                    "create one session and pass it in."))

    def caller(self, function: Function, reasons: Any) -> Optional[str]:
        """What calls ``function`` again and again (in this module, else in another), said for the message."""
        if not self.on_demand:
            return self.said(function, reasons, REPEATED)
        per_request, with_commands = reasons
        if self.said(function, per_request, REPEATED) is not None:
            return None  # AIO101's
        return self.said(function, with_commands, REPEATED_ON_DEMAND)

    def said(self, function: Function, reasons: Dict[Callable, Reason], question: str) -> Optional[str]:
        reason = reasons.get(function.node)
        # Not called again and again here: perhaps by per-event code or a loop of another module.
        return reason.caller() if reason is not None else self.caller_elsewhere(function, question)

    def caller_elsewhere(self, function: Function, question: str) -> Optional[str]:
        """What the project's other files (and this one, through them) say calls ``function`` again and again."""
        if function.member is None or (function.kind is not None and function.kind.one_shot):
            return None
        return project_fact(question + function.member, self.context.module_scope)

    def reasons(self, on_demand: bool) -> Dict[Callable, Reason]:
        """Why each function of the module runs repeatedly, if it does: it is per-event code, or
        called in a loop or a gather, or called by a function that runs repeatedly (one-shot
        functions excepted). Code a person invokes (a bot command) counts only ``on_demand``."""
        names = {function.node.name.value for function in self.functions.values()
                 if isinstance(function.node, cst.FunctionDef)}
        edges: Dict[Optional[Callable], List[Tuple[Function, str, bool]]] = {}
        for site in self.sites:
            callee = site.callee
            short = callee.value if isinstance(callee, cst.Name) else callee.attr.value  # type: ignore[attr-defined]
            if short not in names:
                continue
            found = local_function(callee, site.scope)
            target = self.functions.get(found[0]) if found is not None else None
            if target is not None and target.node is not site.caller:
                edges.setdefault(site.caller, []).append((target, *self.where(site)))
        wraps: Dict[Callable, List[Function]] = {}  # decorated function -> the wrappers it runs in
        for expr, scope, decorated in self.decorations:
            found = local_function(expr.func if isinstance(expr, cst.Call) else expr, scope)
            if found is not None:
                wraps.setdefault(decorated, []).extend(self.wrappers.get(found[0], ()))
        reasons: Dict[Callable, Reason] = {}
        queue: List[Function] = []
        for function in self.functions.values():
            if function.kind is not None and function.kind.per_event and (on_demand or not function.kind.on_demand):
                reasons[function.node] = Reason(function, function.kind.per)
                queue.append(function)
        for caller, calls in edges.items():
            for target, where, _ in calls:
                if where and target.node not in reasons:
                    reasons[target.node] = Reason(self.functions.get(caller) if caller is not None else None, where)
                    queue.append(target)
        for function in queue:  # breadth first: each function gets its shortest reason
            reason = reasons[function.node]
            through = reason.chain(function)
            # A loop of code that is not per-event (a supervisor that restarts a service, a poll that
            # renews a token when it expires) runs what it calls directly on every pass, but the
            # callees' own calls are most often conditional: only per-event code is followed deeper.
            # Nor is what a function other than the per-event code calls only under a condition (a token
            # renewed when it expires, a cache miss): it is not known to run each time.
            followed = () if reason.in_loop else edges.get(function.node, ())
            for target, _, conditional in followed:
                if conditional and reason.root is not function:
                    continue
                if target.node not in reasons and not (target.kind is not None and target.kind.one_shot):
                    reasons[target.node] = Reason(reason.root, reason.how, through)
                    queue.append(target)
            for wrapper in wraps.get(function.node, ()):
                if wrapper.node not in reasons:
                    reasons[wrapper.node] = Reason(reason.root, reason.how, through, wrapped=function)
                    queue.append(wrapper)
        return reasons

    @staticmethod
    def what(is_request: bool) -> str:
        return "`aiohttp.request()` opens a new session" if is_request else "A ClientSession is created"


class SessionPerCommand(SessionPerRequest):
    """Flags a `ClientSession` created each time a person invokes a bot command (off by default).

    ## What it does
    Reports `aiohttp.ClientSession(...)` and `aiohttp.request(...)` made in code
    that a person invokes, or in a helper that makes a session for its own call
    only and that such code calls (in the same module or another), when nothing
    that runs per request or event calls it too (that is AIO101's). Code a person
    invokes is, with names resolved through imports:

    - chat-bot commands: discord.py, Pycord, nextcord and disnake prefix, slash,
      hybrid, app and tree commands, and `discord.ui` button, select and modal
      callbacks; Red-DiscordBot's commands; hikari's lightbulb, tanjun, crescent and
      arc commands and miru components; TwitchIO commands; maubot `@command.new`;
    - python-telegram-bot `CommandHandler`, `PrefixHandler` and
      `StringCommandHandler` callbacks; aiogram handlers filtered on a command
      (`@router.message(Command("start"))`, v2's `commands=[...]`);
    - Slack Bolt `command`, `action`, `shortcut` and `view` listeners;
    - opsdroid connectors' senders of events other than what a bot sends for each
      message (`Message`, `EditedMessage`, `Reply`, `Typing`, `Reaction`, `File`,
      `Image`, `Video` stay AIO101's): renaming a room, banning a user, making a clip.

    The message names the command, as AIO101's names its caller.

    ## Why is this bad?
    Each call opens a new connection pool: a TCP and TLS handshake, no keep-alive,
    no DNS cache, no cookies between calls. aiohttp's documentation asks for one
    session per application; a bot has a natural place for it (`setup_hook`, a
    cog's `cog_load`).

    ## Example
    ```python
    class Fun(commands.Cog):
        @commands.command()
        async def urban(self, ctx, *, term):
            async with aiohttp.ClientSession() as session:
                async with session.get(API, params={"term": term}) as response:
                    await ctx.send((await response.json())["list"][0]["definition"])
    ```

    ## Use instead
    ```python
    class Fun(commands.Cog):
        async def cog_load(self):
            self.session = aiohttp.ClientSession()

        async def cog_unload(self):
            await self.session.close()

        @commands.command()
        async def urban(self, ctx, *, term):
            async with self.session.get(API, params={"term": term}) as response:
                await ctx.send((await response.json())["list"][0]["definition"])
    ```

    ## Known limits
    Off by default: a person invokes these a few times a minute at most, and at
    that rate a new session costs one handshake per command; maintainers who read
    such findings on real bots judged them not worth a change. Turn it on
    (`--extend-select AIO105`) for a large bot whose commands run many times a
    second, or to tidy a bot's sessions. A command that calls a helper in a loop
    or a gather is reported by AIO101 (a loop is a loop), as is a helper that
    per-request or per-event code also calls.

    What AIO101 cannot see, this rule cannot either (a helper reached through
    `getattr` or a registry, a method of an object whose class is not known). A command
    known only by a framework's filter objects not listed above (a Pyrogram
    `filters.command(...)`, a Telethon pattern) is AIO101's, as a message handler.
    """

    code = "AIO105"
    name = "session-per-command"
    summary = "`ClientSession` created each time a person invokes a bot command, or in a helper it calls"
    default_enabled = False
    on_demand = True


class SessionNotClosed(Rule):
    """Flags a `ClientSession` or `TCPConnector` that is never closed.

    ## What it does
    Reports a `ClientSession(...)` or `TCPConnector(...)` bound to a local name
    that is never the subject of `async with` (or of
    `AsyncExitStack.enter_async_context`), is not closed on every path, and does
    not escape (returned, yielded, stored, passed to a call, captured by a nested
    function). A close counts when it is in a `finally:` block, or when it follows
    the creation in the same block (or on the same line, after a `;`) with nothing
    in between that may raise (a call, an `await`...). Also reports a session created for one inline call
    (`async with aiohttp.ClientSession().get(url) as r:`), `self.x =
    ClientSession(...)` in a class when nothing in the module closes `.x`, and a
    session that a function stores in a module global (`global session`) when
    nothing in the module closes that global, enters it or hands it on. A session
    is followed wherever it is made in the statement: `s or ClientSession()`,
    `ClientSession() if c else s`.

    ## Why is this bad?
    An unclosed session keeps its connections and their sockets open until
    garbage collection, and aiohttp warns `Unclosed client session` at exit. A
    close that comes after code that may raise is skipped whenever it raises.

    ## Example
    ```python
    async def fetch(url):
        session = aiohttp.ClientSession()
        response = await session.get(url)
        text = await response.text()
        await session.close()  # skipped if the request raises
        return text
    ```

    ## Use instead
    ```python
    async def fetch(url):
        async with aiohttp.ClientSession() as session:
            async with session.get(url) as response:
                return await response.text()
    ```
    For a session kept on an object, add an async `close()` (or `__aexit__`) that
    awaits `self.session.close()`.

    ## Known limits
    A session or connector passed to any call is assumed handed over, even to a
    function that does not close it. For `self.x`, any `.x.close()` call in the
    module counts as closing it (or `.x.__aexit__(...)`), awaited or not (a missing `await` is AIO106's
    business), as does handing it out (`return self.x`, `connector=self.x`); a
    class with a base class from another module is not reported (the base may
    close it), and a close by code in another module is not seen (for a module
    global too: a global that another module closes is reported). A session made
    at module level or as a class attribute is AIO103's business, not this rule's. A close in an
    `except` block that re-raises, paired with a close on the normal path, is not
    recognised as closing on every path.
    """

    code = "AIO102"
    name = "session-not-closed"
    summary = "`ClientSession`/`TCPConnector` never closed on every path and not escaping"
    message = "`{name}` ({kind}) is not closed on every path; use `async with`, or close it in a `finally:` block."
    triggers = frozenset({"aiohttp"})

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.attributes: List[tuple] = []  # (creation call, attribute name, class node)
        self.closed: Set[str] = set()  # attribute names closed, entered or handed out somewhere in the module

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if type(func) not in DOTTED_NAMES:
            return
        self.note_closing(func, node)
        callee = self.context.callee_among(node, POOL_OWNERS)
        if callee is None:
            return
        kind = "ClientSession" if callee == SESSION else "TCPConnector"
        how = held(node, self.context.ancestors)
        function = enclosing_function(self.context)
        if function is None:
            return  # module level and class bodies: AIO103
        if how.kind == "local" and how.name is not None:
            uses = track(function, how.name, node)
            module = self.context.module_scope
            if self.context.scope.lookup(how.name) is module.bindings.get(how.name):  # `global name`
                if not handed_on(track_global(module, how.name)):
                    self.report(node, message=(
                        f"`{how.name}` ({kind}) is a module global that nothing in the module closes or hands "
                        f"on; close it on shutdown (`await {how.name}.close()` in a cleanup hook or `finally:`)."))
            elif not uses.escapes and not uses.closed_on_every_path("close"):
                self.report(node, name=how.name, kind=kind)
        elif how.kind == "inline" and callee == SESSION and how.name not in ("close", "__aenter__"):
            self.report(node, message="This ClientSession serves one call and is never closed; "
                                      "use `async with aiohttp.ClientSession() as session:` around the request.")
        elif how.kind == "attribute" and how.owner is not None:
            owner_class = self_class(how.owner, self.context.scope)
            # A class scope stands in another scope (the module's at least).
            if owner_class is not None and self.bases_known(owner_class.node, owner_class.parent):  # type: ignore
                self.attributes.append((node, how.name, kind))

    def note_closing(self, func: cst.BaseExpression, call: cst.Call) -> None:
        """``x.attr.close()``, ``x.attr.__aexit__(...)``, ``stack.enter_async_context(x.attr)``, ``push_async_callback(x.attr.close)``,
        ``ClientSession(connector=x.attr)`` (the session owns its connector and closes it)."""
        method = func.attr.value if type(func) is cst.Attribute else None  # type: ignore[attr-defined]
        if method in SESSION_CLOSERS and type(func.value) is cst.Attribute:  # type: ignore[attr-defined]
            self.closed.add(func.value.attr.value)  # type: ignore[attr-defined]
        for arg in call.args:
            value = arg.value
            if type(value) is cst.Attribute:
                if value.attr.value == "close" and type(value.value) is cst.Attribute:  # type: ignore[attr-defined]
                    self.closed.add(value.value.attr.value)
                elif method in ENTER_METHODS or (arg.keyword is not None and arg.keyword.value == "connector"):
                    self.closed.add(value.attr.value)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if isinstance(node.item, cst.Attribute):  # async with self.session: ...
            self.closed.add(node.item.attr.value)

    def visit_Return(self, node: cst.Return) -> None:
        if isinstance(node.value, cst.Attribute):  # handed out: whoever gets it may close it
            self.closed.add(node.value.attr.value)

    def bases_known(self, class_node: cst.ClassDef, outer: Scope) -> bool:
        """Every base class is inert or defined in this module (whose closes the module-wide check sees)."""
        module = outer.module()
        for base in class_node.bases:
            if base.keyword is not None:  # metaclass=...
                continue
            expr = base.value
            if isinstance(expr, cst.Subscript):
                expr = expr.value
            if isinstance(expr, cst.Name) and any(
                    b.kind == "class" for b in module.bindings.get(expr.value, ())):
                continue
            if qualified_name(expr, outer) not in INERT_BASES:
                return False
        return True

    def leave_Module(self, node: cst.Module) -> None:
        for call, attribute, kind in self.attributes:
            if attribute not in self.closed:
                self.report(call, message=(f"`self.{attribute}` ({kind}) is never closed; add an async `close()` "
                                           f"that awaits `self.{attribute}.close()` and call it on shutdown."))


class CloseNotAwaited(Rule):
    """Reports `session.close()` called without `await`: nothing is closed.

    ## What it does
    Reports `x.close()` as a statement of its own, without `await`, where `x` is
    known to be an `aiohttp.ClientSession`, a `TCPConnector` or a websocket
    (`ClientWebSocketResponse`, `web.WebSocketResponse`), whose `close()` is a
    coroutine: created, assigned or entered as one, annotated as one, or `self.x`
    assigned one in its class. In a plain `def` too: there the coroutine is made and
    dropped just the same.

    ## Why is this bad?
    Calling a coroutine function only creates the coroutine; its body runs when it is
    awaited. So the session (with its connection pool and sockets) stays open, and
    Python warns `coroutine 'ClientSession.close' was never awaited`, followed at
    exit by aiohttp's `Unclosed client session`.

    ## Example
    ```python
    async def shutdown(self):
        self.session.close()
    ```

    ## Use instead
    ```python
    async def shutdown(self):
        await self.session.close()
    ```
    The fix (safe) adds the `await` in a coroutine. In a plain `def` there is no fix:
    close the session from a coroutine (an async `close()`, `__aexit__`, a cleanup hook).

    ## Known limits
    Only receivers whose type is known are reported: a parameter without an
    annotation or an attribute set from another module is not. `response.close()`
    is a plain method and is never reported, nor are files, sockets or event loops.
    A close whose result is used (`asyncio.ensure_future(s.close())`,
    `loop.run_until_complete(s.close())`) is not this rule's business.
    """

    code = "AIO106"
    name = "close-not-awaited"
    fixable = "safe"
    summary = "`session.close()` (or a connector's, a websocket's) without `await`: nothing is closed"
    message = ("`{call}()` is a coroutine and is not awaited, so the {what} is never closed; {advice}.")
    triggers = frozenset({"close"})

    def visit_Expr(self, node: cst.Expr) -> None:
        call = node.value
        if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
                and call.func.attr.value == "close"):
            return
        what = ASYNC_CLOSERS.get(self.context.type_of(call.func.value))  # type: ignore[arg-type]
        if what is None:
            return
        shown = self.context.code_for(call.func)
        if self.context.in_coroutine():
            fix = None if call.func.lpar else NodeFix("safe", (Replacement(call.func, f"await {shown}"),))
            self.report(call, fix=fix, call=shown, what=what, advice="`await` it")
        else:
            self.report(call, call=shown, what=what,
                        advice="close it from a coroutine with `await` (an async `close()`, `__aexit__`, a cleanup hook)")


def evaluated_at_import(scope: Scope) -> bool:
    """Code in ``scope`` runs when the module is imported: the module body, a class body in it,
    a comprehension there (a def's defaults and decorators are evaluated where the def stands)."""
    current: Optional[Scope] = scope
    while current is not None:
        if current.is_function:
            return False
        current = current.parent
    return True


class SessionOutsideCoroutine(Rule):
    """Reports a `ClientSession` or `TCPConnector` created where no event loop runs.

    ## What it does
    Reports `aiohttp.ClientSession(...)` and `aiohttp.TCPConnector(...)` evaluated
    when the module is imported (at module level, as a class attribute, as a default
    argument), or in a plain `def` that this module calls at import time or from
    other plain functions it calls then (for `__init__`, where the class is
    instantiated): a script's `main()` that creates the session before
    `asyncio.run(...)`, a client object built at module level.

    ## Why is this bad?
    Since aiohttp 3.10 both look up the running event loop when created: with none
    running they raise `RuntimeError: no running event loop`. Older releases took
    whatever `get_event_loop()` gave, which is often not the loop that later runs
    (`asyncio.run` makes a new one): requests then fail with `attached to a different
    loop` or hang.

    ## Example
    ```python
    session = aiohttp.ClientSession()

    async def fetch(url):
        async with session.get(url) as resp:
            return await resp.text()
    ```

    ## Use instead
    ```python
    async def main():
        async with aiohttp.ClientSession() as session:
            ...

    asyncio.run(main())
    ```

    ## Known limits
    A plain function is reported only when this module shows it running outside the
    loop: called at module level (or in `if __name__ == "__main__":`), or from a plain
    function that is, by name; a plain function with no caller in sight (or called
    from a coroutine) is not. A creation with `loop=` (deprecated) does not look up
    the running loop and is not reported. Code under `if TYPE_CHECKING:` is never run
    and is not reported.
    """

    code = "AIO103"
    name = "session-outside-coroutine"
    summary = "`ClientSession()`/`TCPConnector()` created at import time or in sync code: no running event loop"
    message = ("`{call}(...)` is created {where}, where no event loop runs: aiohttp 3.10+ raises `RuntimeError: no "
               "running event loop`; create it in a coroutine (`async with` in `main()`, or a startup hook).")
    triggers = frozenset({"aiohttp"})

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.in_plain: List[Tuple[cst.Call, cst.FunctionDef, str]] = []  # (creation, its def, callee)
        self.calls: List[Tuple[str, Optional[cst.FunctionDef]]] = []  # (called name, caller def)
        self.defs: dict = {}  # name -> def nodes (module-level functions, and classes' __init__ by class name)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        scope = self.context.scope
        if scope.is_module:
            self.defs.setdefault(node.name.value, []).append(node)
        elif scope.is_class and node.name.value == "__init__" and scope.parent is not None and scope.parent.is_module:
            self.defs.setdefault(scope.node.name.value, []).append(node)  # type: ignore[attr-defined]

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name):
            caller = enclosing_function(self.context)
            if caller is None and evaluated_at_import(self.context.scope) or (
                    caller is not None and caller.asynchronous is None):
                self.calls.append((node.func.value, caller))
        callee = self.context.callee_among(node, POOL_OWNERS)
        if callee is None or any(arg.keyword is not None and arg.keyword.value == "loop" for arg in node.args):
            return
        if self.under_type_checking():
            return
        shown = self.context.code_for(node.func).strip()
        scope = self.context.scope
        if evaluated_at_import(scope):
            where = ("in a default argument" if any(isinstance(a, cst.Param) for a in self.context.ancestors)
                     else "as a class attribute" if scope.is_class else "at module level")
            self.report(node, call=shown, where=where)
            return
        function = scope.function()
        if function is not None and isinstance(function.node, cst.FunctionDef) and function.node.asynchronous is None:
            self.in_plain.append((node, function.node, shown))

    def under_type_checking(self) -> bool:
        return any(isinstance(a, cst.If) and self.context.qualified_name(a.test) == "typing.TYPE_CHECKING"
                   for a in self.context.ancestors)

    def leave_Module(self, node: cst.Module) -> None:
        if not self.in_plain:
            return
        # Plain defs run outside the loop: called at import time, or from such a def, by name.
        sync_run: Set[cst.FunctionDef] = set()
        pending = [name for name, caller in self.calls if caller is None]
        while pending:
            for function in self.defs.get(pending.pop(), ()):
                if function.asynchronous is None and function not in sync_run:
                    sync_run.add(function)
                    pending.extend(name for name, caller in self.calls if caller is function)
        for creation, function, shown in self.in_plain:
            if function in sync_run:
                what = "an instance of the class is made" if function.name.value == "__init__" else \
                    f"`{function.name.value}()` is called"
                self.report(creation, call=shown, where=f"in a plain function, and {what} outside any coroutine")


APPLICATION = "aiohttp.web.Application"


class AppSessionWithoutCleanup(Rule):
    """Reports a session stored on a `web.Application` that nothing closes.

    ## What it does
    Reports `app[key] = aiohttp.ClientSession(...)` (or a `TCPConnector`), where `app`
    is known to be an `aiohttp.web.Application` (created, or annotated as one), when
    the module never closes `app[key]`: no `app[key].close()` anywhere (an
    `on_cleanup`/`on_shutdown` callback, the code after `yield` in a `cleanup_ctx`
    generator), and `app[key]` is never handed to other code that may close it
    (assigned to a name, passed to a call, entered with `async with`).

    ## Why is this bad?
    The session lives as long as the application, but nothing closes it when the
    application stops: its connections are dropped without a goodbye, aiohttp
    prints `Unclosed client session` at exit, and tests that start and stop the app
    leak a session each time.

    ## Example
    ```python
    async def init(app: web.Application) -> None:
        app[CLIENT] = aiohttp.ClientSession()

    app.on_startup.append(init)
    ```

    ## Use instead
    ```python
    async def client_session(app: web.Application):
        app[CLIENT] = aiohttp.ClientSession()
        yield
        await app[CLIENT].close()

    app.cleanup_ctx.append(client_session)
    ```

    ## Known limits
    The key is compared as written (`app["client"]`, `app[CLIENT]`): a close written
    with another spelling of the same key, or in another module, is not seen, so any
    use of the key that may close it (an alias, a call) counts as a close. An
    application parameter without an annotation is not known to be one.
    """

    code = "AIO104"
    name = "app-session-without-cleanup"
    summary = "A session stored on a `web.Application` and never closed on cleanup"
    message = ("`{target}` holds a {kind} that nothing closes when the application stops; close it in an "
               "`on_cleanup` callback, or after the `yield` of a `cleanup_ctx` generator.")
    triggers = frozenset({"aiohttp"})

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.stored: List[Tuple[cst.Assign, str, str, str]] = []  # (statement, key, target code, kind)
        self.released: Set[str] = set()  # keys whose `x[key]` is closed or handed on somewhere

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) != 1 or not isinstance(node.value, cst.Call):
            return
        target = node.targets[0].target
        if not isinstance(target, cst.Subscript) or len(target.slice) != 1:
            return
        callee = self.context.callee_among(node.value, POOL_OWNERS)
        if callee is None or self.context.type_of(target.value) != APPLICATION:
            return
        kind = "ClientSession" if callee == SESSION else "TCPConnector"
        self.stored.append((node, self.key(target), self.context.code_for(target).strip(), kind))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        grand, parent = self.context.ancestors[-2:]  # a subscript stands in a statement in a module: both exist
        closes = (isinstance(parent, cst.Attribute) and parent.value is node and parent.attr.value == "close"
                  and isinstance(grand, cst.Call))
        handed = (isinstance(parent, (cst.Arg, cst.WithItem, cst.Return, cst.Element))
                  or (isinstance(parent, (cst.Assign, cst.AnnAssign)) and parent.value is node))
        if (closes or handed) and len(node.slice) == 1:
            self.released.add(self.key(node))

    def key(self, subscript: cst.Subscript) -> str:
        return self.context.code_for(subscript.slice[0].slice).strip()

    def leave_Module(self, node: cst.Module) -> None:
        for statement, key, target, kind in self.stored:
            if key not in self.released:
                self.report(statement, target=target, kind=kind)
