"""AIO1xx: client sessions created too often, or never closed.

A ``ClientSession`` owns a connection pool, a DNS cache and cookies; aiohttp's
docs ask for one per application. Both rules look at the place a session is
created (``semantics/aiohttp.held``) and follow the local that holds it through
its function (``semantics/tracking.track``): a session that escapes (returned,
stored, yielded, passed on) belongs to someone else, and no rule speaks of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional, Sequence, Set, Tuple

import libcst as cst

from ..semantics.aiohttp import (
    ENTER_METHODS, POOL_OWNERS, REQUEST_FUNCTION, ROUTER_METHODS, SESSION, SESSION_MAKERS, Held, held,
    is_route_decorator,
    is_view_method, repeating, route_handlers, self_class, takes_request,
)
from ..semantics.names import qualified_name
from ..semantics.scope import Scope
from ..semantics.awaitables import ASYNC_CLOSERS
from ..semantics.tracking import track
from .base import NodeFix, Replacement, Rule

# Escapes that let a session entered by ``async with`` outlive one use: the block
# is then the lifetime of an app or a service (``app[KEY] = s; yield``), not of a request.
OUTLIVES_BLOCK = frozenset({"return", "yield", "store", "alias", "global"})
# Short names a route registration is called by, to skip most calls before resolving any name.
ROUTE_CALLS = frozenset(ROUTER_METHODS) | {"get", "post", "put", "patch", "delete", "head", "route", "view"}
GATHER = "asyncio.gather"
# Base classes that do not close anything on a subclass's behalf.
INERT_BASES = frozenset({"builtins.object", "abc.ABC", "typing.Generic", "typing.Protocol"})


def enclosing_function(context: Any) -> Optional[cst.FunctionDef]:
    """The ``def`` whose body runs where the walk is (comprehensions looked through; not a lambda)."""
    scope = context.scope.function()
    return scope.node if scope is not None and isinstance(scope.node, cst.FunctionDef) else None


def confined(how: Held, function: cst.FunctionDef, creation: cst.Call, passing_outlives: bool = False) -> bool:
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
        uses = track(function, how.name, creation)
        return not uses.escapes and not uses.calls_to("ws_connect")
    return False


@dataclass
class Creation:
    call: cst.Call
    function: cst.FunctionDef
    is_method: bool
    request_function: bool  # ``aiohttp.request()`` rather than ``ClientSession()``


@dataclass
class CallSite:
    name: str  # the called name: ``fetch(...)`` and ``self.fetch(...)`` both give ``fetch``
    is_attribute: bool
    caller: Optional[cst.FunctionDef]
    # Where the call stands, to say later whether it repeats: most calls never call a helper,
    # so that question is asked only for the few that do.
    node: cst.Call
    ancestors: Tuple[cst.CSTNode, ...]
    scope: Scope


class SessionPerRequest(Rule):
    """Flags a `ClientSession` created for each request instead of once.

    ## What it does
    Reports `aiohttp.ClientSession(...)` (with or without `async with`) created:
    in the body of a `for`/`async for`/`while` loop or a comprehension; in a web
    handler (a function registered with `router.add_get`/`add_post`/`add_route`/...,
    named in `web.get(...)`/`web.post(...)` route definitions, decorated with a
    `web.RouteTableDef` route such as `@routes.get(...)` or `@web.middleware`, an
    HTTP-verb method of a `web.View` subclass, or a coroutine with a parameter
    annotated `web.Request`); or in a helper that makes a session for a single
    call, when the same module calls that helper in a loop, in a comprehension,
    in `asyncio.gather(...)` or from a web handler. Also reports `aiohttp.request(...)`,
    which opens a session of its own per call, in loops and handlers.

    ## Why is this bad?
    A session owns a connection pool. A new session per request opens a new TCP
    (and TLS) connection every time, throws away keep-alive, DNS cache and
    cookies, and under load exhausts sockets. aiohttp's documentation asks for
    one session per application.

    ## Example
    ```python
    async def fetch(url):
        async with aiohttp.ClientSession() as session:
            async with session.get(url) as response:
                return await response.text()

    async def crawl(urls):
        return await asyncio.gather(*(fetch(url) for url in urls))
    ```

    ## Use instead
    ```python
    async def fetch(session, url):
        async with session.get(url) as response:
            return await response.text()

    async def crawl(urls):
        async with aiohttp.ClientSession() as session:
            return await asyncio.gather(*(fetch(session, url) for url in urls))
    ```
    In a web application, create the session in a `cleanup_ctx` (or `on_startup`)
    and keep it on the app.

    ## Known limits
    A session that someone else may own is never reported: returned, yielded or
    stored (on `self`, an app, a container), and, unless `async with` closes it at
    the end of the block, passed to another call. Nor is a session that opens a
    websocket (`ws_connect`: one long-lived connection), nor, in a `while` loop,
    an `async with` session handed to another call (reconnect loops serve a whole
    connection that way).

    Helpers are matched by name within one module: a helper called in a loop
    from another module is not seen. Handlers registered in another module are
    recognised only by their `web.Request` annotation, a route decorator or a
    `web.View` base.
    """

    code = "AIO101"
    name = "session-per-request"
    summary = "`ClientSession` created per request: in a loop, a web handler or a helper called repeatedly"
    message = "{what} {when}; create one ClientSession {once} and reuse it."
    triggers = frozenset({"aiohttp"})

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.creations: List[Creation] = []
        self.sites: List[CallSite] = []
        self.handlers: Set[cst.FunctionDef] = set()
        self.registered: Set[str] = set()  # names of functions registered as routes

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        scope = self.context.scope  # where the def stands: its decorators and annotations resolve there
        if any(is_route_decorator(d, scope) for d in node.decorators) or is_view_method(node, scope) \
                or takes_request(node, scope):
            self.handlers.add(node)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        short = func.value if isinstance(func, cst.Name) else func.attr.value if isinstance(func, cst.Attribute) else None
        if short is None:
            return
        ancestors = self.context.ancestors
        caller = enclosing_function(self.context)
        if short in ROUTE_CALLS:
            self.registered.update(route_handlers(node, self.context.scope))
        self.sites.append(CallSite(short, isinstance(func, cst.Attribute), caller, node, tuple(ancestors),
                                   self.context.scope))
        callee = self.context.callee_among(node, SESSION_MAKERS)
        if callee is None or caller is None:
            return
        loop = repeating(node, ancestors)
        in_loop = loop is not None
        is_request = callee == REQUEST_FUNCTION
        # ``while`` loops also reconnect: a session handed to a consumer there may serve a whole connection.
        if not is_request and not confined(held(node, ancestors), caller, node, isinstance(loop, cst.While)):
            return
        if in_loop:
            self.report(node, what=self.what(is_request), when="on every pass of this loop", once="before the loop")
            return
        function_scope = self.context.scope.function()
        is_method = function_scope is not None and function_scope.parent is not None and function_scope.parent.is_class
        self.creations.append(Creation(node, caller, is_method, is_request))

    def where(self, site: CallSite) -> str:
        """"in a loop", "in asyncio.gather", or "" (then only a handler caller counts)."""
        if repeating(site.node, site.ancestors) is not None:
            return "in a loop"
        return "in asyncio.gather" if self.gathered(site.ancestors, site.scope) else ""

    def gathered(self, ancestors: Sequence[cst.CSTNode], scope: Scope) -> bool:
        """An argument of ``asyncio.gather(...)``, within the same function."""
        for ancestor in reversed(ancestors):
            if isinstance(ancestor, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
                return False
            if isinstance(ancestor, cst.Call) and isinstance(ancestor.func, (cst.Name, cst.Attribute)):
                func = ancestor.func
                short = func.value if isinstance(func, cst.Name) else func.attr.value  # type: ignore[union-attr]
                if short == "gather" and self.context.qualified_name(func, scope) == GATHER:
                    return True
        return False

    def is_handler(self, function: Optional[cst.FunctionDef]) -> bool:
        return function is not None and (function in self.handlers or function.name.value in self.registered)

    def leave_Module(self, node: cst.Module) -> None:
        for creation in self.creations:
            function = creation.function
            if self.is_handler(function):
                self.report(creation.call, what=self.what(creation.request_function),
                            when="for every request this handler serves", once="at startup (`cleanup_ctx` or `on_startup`)")
                continue
            if creation.request_function:
                continue
            calls = ((site, self.where(site)) for site in self.sites
                     if site.name == function.name.value and site.is_attribute == creation.is_method
                     and site.caller is not function)
            site, where = next(((site, where) for site, where in calls if where or self.is_handler(site.caller)),
                               (None, ""))
            if site is not None:
                where = where or "from a web handler"
                caller = f" in `{site.caller.name.value}()`" if site.caller is not None else ""
                self.report(creation.call, message=(
                    f"`{function.name.value}()` creates a ClientSession on every call and is called {where}{caller};"
                    " create one session and pass it in."))

    @staticmethod
    def what(is_request: bool) -> str:
        return "`aiohttp.request()` opens a new session" if is_request else "A ClientSession is created"


class SessionNotClosed(Rule):
    """Flags a `ClientSession` or `TCPConnector` that is never closed.

    ## What it does
    Reports a `ClientSession(...)` or `TCPConnector(...)` bound to a local name
    that is never the subject of `async with` (or of
    `AsyncExitStack.enter_async_context`), is not closed on every path, and does
    not escape (returned, yielded, stored, passed to a call, captured by a nested
    function). A close counts when it is in a `finally:` block, or when it follows
    the creation in the same block with nothing in between that may raise (a call,
    an `await`...). Also reports a session created for one inline call
    (`async with aiohttp.ClientSession().get(url) as r:`), and `self.x =
    ClientSession(...)` in a class when nothing in the module closes `.x`.

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
    module counts as closing it, awaited or not (a missing `await` is AIO106's
    business), as does handing it out (`return self.x`, `connector=self.x`); a
    class with a base class from another module is not reported (the base may
    close it), and a close by code in another module is not seen. A close in an
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
        if not isinstance(func, (cst.Name, cst.Attribute)):
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
            if not uses.escapes and not uses.closed_on_every_path("close"):
                self.report(node, name=how.name, kind=kind)
        elif how.kind == "inline" and callee == SESSION and how.name not in ("close", "__aenter__"):
            self.report(node, message="This ClientSession serves one call and is never closed; "
                                      "use `async with aiohttp.ClientSession() as session:` around the request.")
        elif how.kind == "attribute" and how.owner is not None:
            owner_class = self_class(how.owner, self.context.scope)
            if owner_class is not None and self.bases_known(owner_class.node, owner_class.parent):
                self.attributes.append((node, how.name, kind))

    def note_closing(self, func: cst.BaseExpression, call: cst.Call) -> None:
        """``x.attr.close()``, ``stack.enter_async_context(x.attr)``, ``push_async_callback(x.attr.close)``,
        ``ClientSession(connector=x.attr)`` (the session owns its connector and closes it)."""
        method = func.attr.value if isinstance(func, cst.Attribute) else None
        if isinstance(func, cst.Attribute) and method == "close" and isinstance(func.value, cst.Attribute):
            self.closed.add(func.value.attr.value)
        for arg in call.args:
            value = arg.value
            if isinstance(value, cst.Attribute):
                if value.attr.value == "close" and isinstance(value.value, cst.Attribute):
                    self.closed.add(value.value.attr.value)
                elif method in ENTER_METHODS or (arg.keyword is not None and arg.keyword.value == "connector"):
                    self.closed.add(value.attr.value)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if isinstance(node.item, cst.Attribute):  # async with self.session: ...
            self.closed.add(node.item.attr.value)

    def visit_Return(self, node: cst.Return) -> None:
        if isinstance(node.value, cst.Attribute):  # handed out: whoever gets it may close it
            self.closed.add(node.value.attr.value)

    def bases_known(self, class_node: cst.CSTNode, outer: Any) -> bool:
        """Every base class is inert or defined in this module (whose closes the module-wide check sees)."""
        module = outer.module() if outer is not None else None
        for base in getattr(class_node, "bases", ()):
            if base.keyword is not None:  # metaclass=...
                continue
            expr = base.value
            if isinstance(expr, cst.Subscript):
                expr = expr.value
            if isinstance(expr, cst.Name) and module is not None and any(
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
        self.calls: List[Tuple[str, Optional[cst.FunctionDef], cst.Call]] = []  # (called name, caller def, call)
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
                self.calls.append((node.func.value, caller, node))
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
        sync_run: dict = {}
        pending = [(name, call) for name, caller, call in self.calls if caller is None]
        while pending:
            name, call = pending.pop()
            for function in self.defs.get(name, ()):
                if function.asynchronous is None and function not in sync_run:
                    sync_run[function] = call
                    pending.extend((n, c) for n, caller, c in self.calls if caller is function)
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
        ancestors = self.context.ancestors
        parent = ancestors[-1] if ancestors else None
        grand = ancestors[-2] if len(ancestors) > 1 else None
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
