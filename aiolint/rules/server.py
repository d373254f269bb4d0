"""AIO504, AIO505, AIO6xx: aiohttp as a server: handlers, middlewares, the application.

AIO504 and AIO505 carry 5xx codes because they are about exceptions, but what they
need to know is the server's: which functions are middlewares and handlers, and
which classes are ``web.HTTPException``s. So they live here, beside the rules that
share that knowledge (``semantics.aiohttp.WebFunctions``), rather than in
``exceptions.py``, whose rules know nothing of aiohttp's server.

Facts from aiohttp 3.14 (its source and warnings): ``HTTPException`` derives from
``Response`` and ``Exception``; a returned one is sent with a DeprecationWarning,
and in 4.0 it is no longer a response at all; a plain ``def`` handler is wrapped
with "Bare functions are deprecated"; the application, its router and its signals
are frozen when it starts.
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

import libcst as cst

from ..semantics import tree
from ..semantics.aiohttp import (
    APPLICATION, HTTP_EXCEPTION, HTTP_EXCEPTIONS, ROUTER_METHODS, RUN_APP, WEB_REQUEST_TYPES,
    WebFunctions, imports_aiohttp, is_route_decorator, route_handler,
)
from ..semantics.names import qualified_name, runtime_spelling
from ..semantics.scope import Scope, iter_params
from ..semantics.testing import expects_warning, in_test
from .base import NodeFix, Replacement, Rule, code_in_place

BROAD = frozenset({"builtins.Exception", "builtins.BaseException"})
SIGNALS = frozenset({"on_startup", "on_shutdown", "on_cleanup", "on_response_prepare", "cleanup_ctx", "middlewares"})


def enclosing_def(context: Any) -> Optional[cst.FunctionDef]:
    """The ``def`` whose body runs where the walk is (comprehensions looked through)."""
    scope = context.scope.function()
    return scope.node if scope is not None and isinstance(scope.node, cst.FunctionDef) else None


def indentation(ancestors: Sequence[cst.CSTNode], module: cst.Module) -> str:
    """The indentation of a statement whose ancestors these are."""
    return "".join(block.indent if block.indent is not None else module.default_indent
                   for block in ancestors if isinstance(block, cst.IndentedBlock))


class WebRule(Rule):
    """A rule that decides at the end of the module, once it knows the file's handlers and middlewares."""

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.web = WebFunctions.of(context.module_scope)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.web.note_def(node, self.context.scope)

    def visit_Call(self, node: cst.Call) -> None:
        self.web.note_call(node, self.context.scope)


class MiddlewareMasksHttpException(WebRule):
    """A middleware's broad `except` around the handler that also catches `web.HTTPException`.

    ## What it does
    Reports, in a middleware (a coroutine decorated `@web.middleware`, or named in
    `web.Application(middlewares=[...])` or `app.middlewares.append(...)` in the same
    file), a bare `except:`, `except Exception` or `except BaseException` around
    `await handler(request)` when no earlier clause of the same `try` catches
    `web.HTTPException` and the clause itself does not re-raise.

    ## Why is this bad?
    aiohttp answers 404s, 405s, redirects and 401s by raising `web.HTTPException`s,
    which derive from `Exception`. A middleware that turns every exception into an
    error page turns them into errors too: a missing page becomes a 500, a redirect
    after login never happens, and your error tracker fills with them.

    ## Example
    ```python
    @web.middleware
    async def errors(request, handler):
        try:
            return await handler(request)
        except Exception:
            logger.exception("request failed")
            return web.json_response({"error": "internal"}, status=500)
    ```

    ## Use instead
    ```python
    @web.middleware
    async def errors(request, handler):
        try:
            return await handler(request)
        except web.HTTPException:
            raise
        except Exception:
            logger.exception("request failed")
            return web.json_response({"error": "internal"}, status=500)
    ```

    ## Known limits
    A clause that re-raises (`raise`, `raise err`) anywhere in its body, or that tests
    `isinstance(..., web.HTTPException)`, is taken to let HTTP exceptions through. Only
    an earlier clause catching `web.HTTPException` itself counts; one catching
    `web.HTTPNotFound` leaves the others to the broad clause. Middlewares registered
    from another module are not known. The fix inserts `except web.HTTPException: raise`
    (spelled through your imports) before the broad clause; it is offered for
    `except Exception`/`BaseException`, not for a bare `except:`.
    """

    code = "AIO504"
    name = "middleware-masks-http-exception"
    summary = "A middleware's broad except also catches `web.HTTPException`: 404s and redirects become errors"
    message = ("This {what} in middleware `{middleware}` also catches the `web.HTTPException`s handlers raise "
               "(404s, redirects, 401s), so they are answered as errors; add `except web.HTTPException: raise` "
               "before it.")
    triggers = frozenset({"aiohttp"})
    requires = frozenset({"except"})

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.found: List[Tuple[cst.FunctionDef, cst.ExceptHandler, str, Optional[NodeFix]]] = []

    def visit_Try(self, node: cst.Try) -> None:
        function = enclosing_def(self.context)
        if function is None or function.asynchronous is None:
            return
        params = [param.name.value for param in function.params.params]
        if params[:1] in (["self"], ["cls"]):
            params = params[1:]
        if len(params) != 2 or not self.calls_handler(node.body, params[1]):
            return
        for clause in node.handlers:
            caught = [self.context.qualified_name(expr) for expr in caught_expressions(clause)]
            if HTTP_EXCEPTION in caught:
                return
            if clause.type is None or BROAD & set(caught):
                if not self.lets_through(clause):
                    what = "bare `except:`" if clause.type is None else f"`except {self.context.code_for(clause.type)}`"
                    self.found.append((function, clause, what, self.fix(clause)))
                return

    @staticmethod
    def calls_handler(body: cst.CSTNode, handler: str) -> bool:
        return any(isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == handler
                   for node in tree.own_code(body))

    def lets_through(self, clause: cst.ExceptHandler) -> bool:
        name = clause.name.name.value if clause.name is not None and isinstance(clause.name.name, cst.Name) else None
        for node in tree.own_code(clause.body):
            if isinstance(node, cst.Raise) and (node.exc is None or (
                    isinstance(node.exc, cst.Name) and node.exc.value == name)):
                return True
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "isinstance" \
                    and len(node.args) == 2 and any(
                        self.context.qualified_name(expr) in HTTP_EXCEPTIONS for expr in _elements(node.args[1].value)):
                return True
        return False

    def fix(self, clause: cst.ExceptHandler) -> Optional[NodeFix]:
        spelled = runtime_spelling(HTTP_EXCEPTION, self.context.scope, self.context.ancestors)
        if clause.type is None or spelled is None:
            return None
        module = self.context.module
        outer = indentation(self.context.ancestors, module)
        body = clause.body
        inner = outer + (body.indent if isinstance(body, cst.IndentedBlock) and body.indent is not None
                         else module.default_indent)
        # The reported range of a parenthesized type leaves its parentheses out: close them after
        # the new class, and open them again before the old ones.
        parens = len(clause.type.lpar)
        bare = code_in_place(clause.type.with_changes(lpar=[], rpar=[]), self.context.ancestors, module)
        content = f"{spelled}{')' * parens}:\n{inner}raise\n{outer}except {'(' * parens}{bare}"
        return NodeFix("safe", (Replacement(clause.type, content),))

    def leave_Module(self, node: cst.Module) -> None:
        for function, clause, what, fix in self.found:
            if self.web.is_middleware(function):
                self.report(clause, fix=fix, what=what, middleware=function.name.value)


def caught_expressions(clause: cst.ExceptHandler) -> List[cst.BaseExpression]:
    return _elements(clause.type) if clause.type is not None else []


def _elements(expr: cst.BaseExpression) -> List[cst.BaseExpression]:
    """``(A, (B, C))`` -> [A, B, C]; ``A`` -> [A]."""
    if isinstance(expr, cst.Tuple):
        return [item for element in expr.elements for item in _elements(element.value)]
    return [expr]


class HttpExceptionReturned(WebRule):
    """A handler returns a `web.HTTPException` instead of raising it.

    ## What it does
    Reports `return web.HTTPFound(...)` (any `web.HTTPException` subclass, under any
    import) in a coroutine that aiohttp calls with a request: a route handler
    (registered in the file, decorated with a `RouteTableDef` route, a `web.View`
    method, or annotated with `web.Request`) or a middleware.

    ## Why is this bad?
    aiohttp 3.x still sends a returned HTTP exception as the response, but has warned
    since 3.0 ("returning HTTPException object is deprecated (#2415) and will be
    removed"). In aiohttp 4.0 `HTTPException` is no longer a `Response`, and returning
    one fails.

    ## Example
    ```python
    async def login(request):
        if not await authorized(request):
            return web.HTTPFound("/login")
        return web.Response(text="welcome")
    ```

    ## Use instead
    ```python
    async def login(request):
        if not await authorized(request):
            raise web.HTTPFound("/login")
        return web.Response(text="welcome")
    ```

    ## Known limits
    Only a constructor call returned directly is seen, not an exception held in a
    variable, and only in the functions this file shows aiohttp calls. The fix writes
    `raise` for `return`. It is safe when no `try` or `with` of the function encloses
    the `return`; inside one it is unsafe, since the exception now passes through
    that `except` or context manager. Middlewares around the handler see an exception
    instead of a response either way, which is what aiohttp 4.0 requires.
    {test code; expected warnings}
    """

    code = "AIO505"
    name = "http-exception-returned"
    summary = "A handler returns a `web.HTTPException` instead of raising it (deprecated, an error in aiohttp 4.0)"
    message = ("Returning `{what}(...)` from a handler is deprecated since aiohttp 3.0 and fails in 4.0, where "
               "HTTP exceptions are no longer responses; `raise` it instead.")
    triggers = frozenset({"HTTP"})
    requires = frozenset({"aiohttp"})

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.found: List[Tuple[cst.FunctionDef, cst.Return, str, NodeFix]] = []

    def visit_Return(self, node: cst.Return) -> None:
        value = node.value
        if not isinstance(value, cst.Call) or self.context.qualified_name(value.func) not in HTTP_EXCEPTIONS:
            return
        function = enclosing_def(self.context)
        if function is None or function.asynchronous is None or in_test(self.context.scope) \
                or expects_warning(self.context.ancestors, self.context.scope):
            return
        inside = self.context.ancestors[self.context.ancestors.index(function):]
        guarded = any(isinstance(node, (cst.Try, cst.TryStar, cst.With)) for node in inside)
        fix = NodeFix("unsafe" if guarded else "safe",
                      (Replacement(node, "raise " + code_in_place(value, self.context.ancestors, self.context.module)),))
        self.found.append((function, node, self.context.code_for(value.func), fix))

    def leave_Module(self, node: cst.Module) -> None:
        for function, statement, what, fix in self.found:
            if self.web.is_handler(function) or self.web.is_middleware(function):
                self.report(statement, fix=fix, what=what)


class SyncHandler(Rule):
    """A plain `def` registered as a route handler.

    ## What it does
    Reports a function defined with `def` (not `async def`) in the same module and
    registered as a route: `router.add_get("/", index)` and the other `add_*` methods,
    `web.get("/", index)` route definitions, and `@routes.get("/")` on a
    `web.RouteTableDef` when that is its only decorator.

    ## Why is this bad?
    aiohttp deprecated plain functions as handlers in 2.3: 3.x wraps each one with a
    DeprecationWarning ("Bare functions are deprecated, use async ones") and calls it
    on the event loop, so anything slow in it stalls every other request; aiohttp 4.0
    no longer accepts them.

    ## Example
    ```python
    def index(request):
        return web.Response(text="hello")

    app.router.add_get("/", index)
    ```

    ## Use instead
    ```python
    async def index(request):
        return web.Response(text="hello")

    app.router.add_get("/", index)
    ```

    ## Known limits
    Only a handler named by a plain name bound once, to a `def` of the module without
    decorators, is checked: a decorated `def` may be made a coroutine by its decorator
    (`@aiohttp_jinja2.template(...)` does), and `web.View` classes, instances with an
    `async def __call__`, `functools.partial` objects and lambdas are not looked at.
    `add_view` and `web.view` take classes and are not checked.
    {test code; expected warnings}
    """

    code = "AIO601"
    name = "sync-handler"
    summary = "A plain `def` registered as a route handler (deprecated since aiohttp 2.3, rejected by 4.0)"
    message = ("`{name}` is a plain `def` registered as a route handler: aiohttp deprecated those in 2.3 "
               "(\"Bare functions are deprecated\"), runs them on the event loop and 4.0 rejects them; "
               "make it `async def`.")
    triggers = frozenset({"aiohttp"})

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "add_view" \
                or not imports_aiohttp(self.context.scope):
            return
        handler = route_handler(node, self.context.scope)
        if not isinstance(handler, cst.Name) or self.context.qualified_name(node.func) == "aiohttp.web.view" \
                or in_test(self.context.scope) or expects_warning(self.context.ancestors, self.context.scope):
            return
        bindings = self.context.scope.lookup(handler.value)
        if bindings and len(bindings) == 1 and bindings[0].kind == "def" and is_plain_def(bindings[0].node):
            self.report(handler, name=handler.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.asynchronous is None and len(node.decorators) == 1 and not in_test(self.context.scope):
            decorator = node.decorators[0]
            scope = self.context.scope
            if is_route_decorator(decorator, scope) and not is_view_call(decorator.decorator):
                self.report(node.name, name=node.name.value)


def is_plain_def(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.FunctionDef) and node.asynchronous is None and not node.decorators


def is_view_call(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "view"


class StringAppKey(WebRule):
    """A string key on the application's state instead of a `web.AppKey`.

    ## What it does
    Reports a subscript with a string literal key on a `web.Application` (a name
    assigned `web.Application(...)` or annotated so), and on `request.app` or
    `request.config_dict` where `request` is a request: annotated `web.Request`, the
    request parameter of a handler or middleware of the file, or `self.request` in a
    `web.View`.

    ## Why is this bad?
    Since aiohttp 3.9, `app["db"] = engine` emits `NotAppKeyWarning` (filtered out by
    default), and every `request.app["db"]` is `Any` to type checkers, so a typo or a
    wrong type is found in production. A `web.AppKey("db", Engine)` is checked.

    ## Example
    ```python
    app["db"] = engine

    async def handler(request):
        db = request.app["db"]
    ```

    ## Use instead
    ```python
    DB = web.AppKey("db", Engine)
    app[DB] = engine

    async def handler(request):
        db = request.app[DB]
    ```

    ## Known limits
    Off by default: string keys are how most aiohttp code written before 3.9 works,
    and libraries that must support older aiohttp versions cannot switch. Keys held
    in variables are not checked (they may be `AppKey`s).
    """

    code = "AIO602"
    name = "string-app-key"
    summary = "A string key on the application's state instead of a `web.AppKey`"
    message = ("String key {key} on the application's state: aiohttp 3.9+ warns `NotAppKeyWarning` when it is set "
               "and type checkers cannot check its value; use a `web.AppKey({key}, T)` defined once.")
    default_enabled = False
    triggers = frozenset({"aiohttp"})

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.pending: List[Tuple[cst.FunctionDef, str, cst.Subscript, str]] = []

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return
        key = node.slice[0].slice.value
        if not isinstance(key, (cst.SimpleString, cst.ConcatenatedString)):
            return
        target = node.value
        text = self.context.code_for(key)
        if self.context.type_of(target) == APPLICATION:
            self.report(node, key=text)
            return
        if not (isinstance(target, cst.Attribute) and target.attr.value in ("app", "config_dict")):
            return
        request = target.value
        if self.context.type_of(request) in WEB_REQUEST_TYPES or is_view_request(request, self.context):
            self.report(node, key=text)
        elif isinstance(request, cst.Name):
            function = enclosing_def(self.context)
            if function is not None:
                self.pending.append((function, request.value, node, text))

    def leave_Module(self, node: cst.Module) -> None:
        for function, name, subscript, key in self.pending:
            if (self.web.is_handler(function) or self.web.is_middleware(function)) \
                    and self.web.request_parameter(function) == name:
                self.report(subscript, key=key)


def is_view_request(expr: cst.BaseExpression, context: Any) -> bool:
    """``self.request`` in a method of a ``web.View`` subclass."""
    if not (isinstance(expr, cst.Attribute) and expr.attr.value == "request" and isinstance(expr.value, cst.Name)
            and expr.value.value == "self"):
        return False
    scope: Optional[Scope] = context.scope.function()
    class_scope = scope.parent if scope is not None else None
    if class_scope is None or not class_scope.is_class:
        return False
    outer = class_scope.parent or class_scope
    return any(base.keyword is None and qualified_name(base.value, outer) == "aiohttp.web.View"
               for base in class_scope.node.bases)  # type: ignore[attr-defined]


class OldStyleMiddleware(WebRule):
    """An old-style `(app, handler)` middleware factory.

    ## What it does
    Reports a function the file registers as a middleware (`middlewares=[...]`,
    `app.middlewares.append(...)`) that is not decorated `@web.middleware` and takes
    `(app, handler)`, returning the coroutine that serves the request.

    ## Why is this bad?
    aiohttp deprecated these factories in 2.3 ("old-style middleware ... deprecated,
    see #2252"): every request calls the factory again to build a new handler
    function, and aiohttp 4.0 treats every middleware as new-style, so the factory
    is then called with `(request, handler)` and breaks.

    ## Example
    ```python
    async def auth_factory(app, handler):
        async def auth(request):
            check(request)
            return await handler(request)
        return auth

    app = web.Application(middlewares=[auth_factory])
    ```

    ## Use instead
    ```python
    @web.middleware
    async def auth(request, handler):
        check(request)
        return await handler(request)

    app = web.Application(middlewares=[auth])
    ```

    ## Known limits
    Off by default: the rule sees only middlewares registered in the same file, and
    knows a factory by its shape (two parameters, the second named `handler`, a
    nested function returned). Factories that libraries still provide for older
    aiohttp versions are reported where they are registered.
    Factories defined in pytest tests and fixtures are not reported: they test the
    old style on purpose.
    """

    code = "AIO603"
    name = "old-style-middleware"
    summary = "An old-style `(app, handler)` middleware factory (deprecated since aiohttp 2.3)"
    message = ("`{name}` is an old-style `(app, handler)` middleware factory: deprecated since aiohttp 2.3 and "
               "called as a new-style middleware by 4.0; write `@web.middleware async def {name}(request, handler)`.")
    default_enabled = False
    triggers = frozenset({"middleware"})
    requires = frozenset({"aiohttp"})

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.in_tests: set = set()  # factories defined in tests: they test the old style on purpose

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        super().visit_FunctionDef(node)
        if in_test(self.context.scope):
            self.in_tests.add(node)

    def leave_Module(self, node: cst.Module) -> None:
        for function in tree.walk(node, skip=(cst.Lambda,)):
            if isinstance(function, cst.FunctionDef) and self.web.is_middleware(function) \
                    and function not in self.web.middlewares and function not in self.in_tests \
                    and is_factory(function):
                self.report(function.name, name=function.name.value)


def is_factory(function: cst.FunctionDef) -> bool:
    """``def f(app, handler)`` whose body returns a function it defines."""
    params = [param.name.value for param in iter_params(function.params)]
    if len(params) != 2 or params[1] != "handler":
        return False
    body = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
    inner = {statement.name.value for statement in body if isinstance(statement, cst.FunctionDef)}
    return any(isinstance(node, cst.Return) and isinstance(node.value, cst.Name) and node.value.value in inner
               for node in tree.own_code(function.body))


class AppMutatedAfterStart(WebRule):
    """A request handler changes the application's state, router or signals.

    ## What it does
    Reports, in a route handler or middleware of the file, an assignment or `del` of
    `request.app[...]`, a route added through `request.app.router.add_*()`, and a
    callback added to `request.app.on_startup` (and the other signals, `cleanup_ctx`,
    `middlewares`), where `request` is the handler's request parameter.

    ## Why is this bad?
    aiohttp freezes the application when it starts. Changing its state then warns
    "Changing state of started or joined application is deprecated" (aiohttp 3.x),
    and adding routes or signal callbacks raises `RuntimeError` (frozen router,
    frozen list). State written per request is also shared by every request at
    once, with no lock.

    ## Example
    ```python
    async def handler(request):
        request.app["last_user"] = request.match_info["user"]
    ```

    ## Use instead
    ```python
    async def handler(request):
        request["user"] = request.match_info["user"]  # per request
    # or a mutable object stored at startup: request.app[STATS].last_user = ...
    ```

    ## Known limits
    Off by default: only the handlers and middlewares this file registers are checked,
    and only through their request parameter; storing into a mutable object the app
    holds (`request.app["cache"][key] = value`) is not reported, as that does not
    change the app.
    """

    code = "AIO604"
    name = "app-mutated-after-start"
    summary = "A request handler changes the application's state, router or signals after it started"
    message = ("This handler changes {what} while serving a request: aiohttp froze the application when it "
               "started, so this {consequence}; set it up before the app starts, or keep per-request data on "
               "`request`.")
    default_enabled = False
    triggers = frozenset({"aiohttp"})

    def leave_Module(self, node: cst.Module) -> None:
        for function in tree.walk(node, skip=(cst.Lambda,)):
            if not isinstance(function, cst.FunctionDef) or not (
                    self.web.is_handler(function) or self.web.is_middleware(function)):
                continue
            request = self.web.request_parameter(function)
            if request is None:
                continue
            for found, what, consequence in app_changes(function, request):
                self.report(found, what=what, consequence=consequence)


def is_app_of(expr: cst.BaseExpression, request: str) -> bool:
    return (isinstance(expr, cst.Attribute) and expr.attr.value == "app" and isinstance(expr.value, cst.Name)
            and expr.value.value == request)


def app_changes(function: cst.FunctionDef, request: str) -> List[Tuple[cst.CSTNode, str, str]]:
    found = []
    for node in tree.own_code(function.body):
        targets: List[cst.BaseExpression] = []
        if isinstance(node, cst.Assign):
            targets = [target.target for target in node.targets]
        elif isinstance(node, (cst.AugAssign, cst.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, cst.Del):
            targets = [node.target]
        if any(isinstance(target, cst.Subscript) and is_app_of(target.value, request) for target in targets):
            found.append((node, "the application's state", "warns \"Changing state of started or joined "
                                                            "application is deprecated\""))
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            owner, method = node.func.value, node.func.attr.value
            if isinstance(owner, cst.Attribute) and is_app_of(owner.value, request):
                if owner.attr.value == "router" and (method in ROUTER_METHODS or method in (
                        "add_static", "add_resource", "add_routes")):
                    found.append((node, "the application's router", "raises RuntimeError (frozen router)"))
                elif owner.attr.value in SIGNALS and method in ("append", "extend", "insert"):
                    found.append((node, f"`app.{owner.attr.value}`", "raises RuntimeError (frozen list)"))
    return found


class RunAppMisuse(Rule):
    """`web.run_app()` called inside a coroutine.

    ## What it does
    Reports a call to `aiohttp.web.run_app(...)` (under any import) whose innermost
    enclosing function is an `async def`.

    ## Why is this bad?
    `run_app` creates and runs an event loop of its own until the server stops. Called
    from a coroutine, a loop is already running: aiohttp 3.14 fails with
    `RuntimeError: Cannot run the event loop while another loop is running`.

    ## Example
    ```python
    async def main():
        app = await make_app()
        web.run_app(app)

    asyncio.run(main())
    ```

    ## Use instead
    ```python
    async def main():
        app = await make_app()
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, port=8080).start()
        await asyncio.Event().wait()  # serve until cancelled
    ```
    or call `web.run_app(make_app())` from plain code: it accepts a coroutine that
    returns the app.

    ## Known limits
    A plain `def` that calls `run_app` and is itself called from a coroutine is not seen.
    """

    code = "AIO605"
    name = "run-app-misuse"
    summary = "`web.run_app()` inside a coroutine: it runs its own loop and fails with RuntimeError"
    message = ("`{what}()` starts an event loop of its own, so inside a coroutine it fails with RuntimeError (a "
               "loop is already running); use `web.AppRunner` and `web.TCPSite`, or call it from plain code.")
    triggers = frozenset({"run_app"})
    requires = frozenset({"async"})

    def visit_Call(self, node: cst.Call) -> None:
        if self.context.in_coroutine() and self.context.callee_among(node, frozenset({RUN_APP})):
            self.report(node, what=self.context.code_for(node.func))
