"""aiohttp knowledge the rules share: where a session is created and who holds
it, what ``self.x`` is from the class that assigns it, and which functions are
web handlers.

- ``held(call, ancestors)`` says what happens to a value right where it is
  created: entered by ``async with``, bound to a local, stored on ``obj.attr``,
  used once inline (``ClientSession().get(url)``), or handed on at once.
- ``self_attribute_type(expr, scope)`` types ``self.x`` from the class body's
  annotations and the ``self.x = ...`` assignments of its methods.
- ``route_handlers``, ``is_route_decorator``, ``is_view_method`` and
  ``takes_request`` recognise the ways aiohttp registers a request handler.
- ``repeating(node, ancestors)``: the loop that runs the node more than once per call of its function;
  ``how_repeated`` also counts an argument of ``asyncio.gather(...)``; ``guarded``: run only under a condition.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import libcst as cst

from .names import qualified_name
from .scope import Scope, iter_params, scope_of
from .tree import NESTED_CODE

SESSION = "aiohttp.ClientSession"
CONNECTOR = "aiohttp.TCPConnector"
REQUEST_FUNCTION = "aiohttp.request"  # opens and closes a session of its own per call
SESSION_MAKERS = frozenset({SESSION, REQUEST_FUNCTION})  # calls that create a session
POOL_OWNERS = frozenset({SESSION, CONNECTOR})  # what holds a connection pool until closed
WEB_REQUEST_TYPES = frozenset({"aiohttp.web.Request", "aiohttp.web.BaseRequest"})
ROUTE_TABLE = "aiohttp.web.RouteTableDef"
VIEW = "aiohttp.web.View"
HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
# ``router.add_get(path, handler)``: where the handler is among the positional arguments.
ROUTER_METHODS: Dict[str, int] = {f"add_{verb}": 1 for verb in HTTP_VERBS - {"options"}}
ROUTER_METHODS.update({"add_route": 2, "add_view": 1})
# ``web.get(path, handler)`` route definitions, for ``app.add_routes([...])``.
ROUTE_DEFS: Dict[str, int] = {f"aiohttp.web.{verb}": 1 for verb in HTTP_VERBS - {"options"}}
ROUTE_DEFS.update({"aiohttp.web.route": 2, "aiohttp.web.view": 1})
MIDDLEWARE = "aiohttp.web.middleware"
ENTER_METHODS = frozenset({"enter_async_context", "enter_context"})


@dataclass(frozen=True)
class Held:
    """How a value is held where it is created.

    kind: ``with`` (``async with X() as name``; name may be None), ``local``
    (``name = X()``), ``attribute`` (``owner.name = X()``, owner a plain name),
    ``inline`` (``X().name(...)``: one method call on it, node is that call),
    ``dropped`` (an expression statement), ``escaped`` (returned, yielded,
    passed, stored in a subscript or a container, entered in an exit stack),
    ``other`` (anything else: ``a or X()``, a walrus...).
    """

    kind: str
    name: Optional[str] = None
    owner: Optional[str] = None
    node: Optional[cst.CSTNode] = None


def held(call: cst.Call, ancestors: Sequence[cst.CSTNode]) -> Held:
    """How the value of ``call`` is held; ``ancestors`` run from the module down to the call's parent.

    ``s or ClientSession()`` and ``x if c else ClientSession()`` hold it as the whole expression is held."""
    depth = len(ancestors) - 1
    parent = ancestors[depth]
    node: cst.CSTNode = call
    while (isinstance(parent, cst.BooleanOperation) and isinstance(parent.operator, cst.Or) and parent.right is node) \
            or (isinstance(parent, cst.IfExp) and (parent.body is node or parent.orelse is node)):
        node, depth = parent, depth - 1
        parent = ancestors[depth]  # an expression climbs no higher than its statement
    ancestors = ancestors[:depth + 1]
    call = node  # type: ignore[assignment]
    if isinstance(parent, cst.WithItem) and parent.item is call:
        target = parent.asname.name if parent.asname is not None else None
        return Held("with", target.value if isinstance(target, cst.Name) else None)
    if isinstance(parent, cst.Attribute) and parent.value is call:
        grand = ancestors[-2]
        if isinstance(grand, cst.Call) and grand.func is parent:
            return Held("inline", parent.attr.value, node=grand)
        return Held("other")
    if isinstance(parent, (cst.Assign, cst.AnnAssign)) and parent.value is call:
        targets = [t.target for t in parent.targets] if isinstance(parent, cst.Assign) else [parent.target]
        if len(targets) != 1:
            return Held("escaped")
        target = targets[0]
        if isinstance(target, cst.Name):
            return Held("local", target.value)
        if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            return Held("attribute", target.attr.value, owner=target.value.value)
        return Held("escaped")
    if isinstance(parent, cst.Expr):
        return Held("dropped")
    if isinstance(parent, (cst.Return, cst.Yield, cst.Arg, cst.Element, cst.DictElement, cst.Lambda)):
        return Held("escaped")
    return Held("other")


def repeating(node: cst.CSTNode, ancestors: Sequence[cst.CSTNode]) -> Optional[cst.CSTNode]:
    """The innermost loop (``for``, ``while``, a comprehension) whose body or repeated part
    holds ``node`` within its own function, or None."""
    child = node
    for ancestor in reversed(ancestors):
        kind = type(ancestor)
        if kind in NESTED_CODE:
            return None
        if kind in _LOOPS and _repeated_part(ancestor, kind, child):
            return ancestor
        child = ancestor
    return None


_LOOPS = frozenset({cst.For, cst.While, cst.CompFor, cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp})


def _repeated_part(loop: cst.CSTNode, kind: type, child: cst.CSTNode) -> bool:
    """Whether ``child`` is a part of the loop or comprehension that runs once per iteration."""
    if kind is cst.For or kind is cst.While:
        return child is loop.body  # type: ignore[attr-defined]
    if kind is cst.CompFor:
        return any(child is test for test in loop.ifs)  # type: ignore[attr-defined]
    if kind is cst.DictComp:
        return child is loop.key or child is loop.value  # type: ignore[attr-defined]
    return child is loop.elt  # type: ignore[attr-defined]


GATHER = "asyncio.gather"


def gathered(ancestors: Sequence[cst.CSTNode], scope: Scope) -> bool:
    """An argument of ``asyncio.gather(...)``, within the same function (run once per awaitable)."""
    for ancestor in reversed(ancestors):
        kind = type(ancestor)
        if kind in NESTED_CODE:
            return False
        if kind is cst.Call and last_name(ancestor.func) == "gather" and qualified_name(ancestor.func, scope) == GATHER:
            return True
    return False


IN_LOOP, IN_GATHER = "in a loop", "in asyncio.gather"


def how_repeated(node: cst.CSTNode, ancestors: Sequence[cst.CSTNode], scope: Scope) -> str:
    """How a call runs more than once per call of its function: ``IN_LOOP``, ``IN_GATHER``, or ""."""
    if repeating(node, ancestors) is not None:
        return IN_LOOP
    return IN_GATHER if gathered(ancestors, scope) else ""


def guarded(node: cst.CSTNode, ancestors: Sequence[cst.CSTNode]) -> bool:
    """Run only under a condition, within its own function: in a branch of an ``if`` (or ``x if c else y``),
    or in an ``except`` handler (a token renewed when it expires, a cache miss, a fallback)."""
    child = node
    for ancestor in reversed(ancestors):
        kind = type(ancestor)
        if kind in NESTED_CODE:
            return False
        if kind is cst.If or kind is cst.IfExp:
            if child is not ancestor.test:
                return True
        elif kind is cst.ExceptHandler:
            return True
        child = ancestor
    return False


# -- web handlers ------------------------------------------------------------------
def route_handler(call: cst.Call, scope: Scope) -> Optional[cst.BaseExpression]:
    """The handler expression a route registration names: ``index`` in ``router.add_get("/", index)``
    or ``web.get("/", index)``; None when the call is not one, or names none."""
    position: Optional[int] = None
    if isinstance(call.func, cst.Attribute) and call.func.attr.value in ROUTER_METHODS:
        position = ROUTER_METHODS[call.func.attr.value]
    else:
        name = qualified_name(call.func, scope)
        if name in ROUTE_DEFS:
            position = ROUTE_DEFS[name]
    if position is None:
        return None
    positional = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
    return positional[position] if len(positional) > position else next(
        (arg.value for arg in call.args if arg.keyword is not None and arg.keyword.value == "handler"), None)


def route_handlers(call: cst.Call, scope: Scope) -> List[str]:
    """The names of the handlers a route registration names: ``router.add_get("/", index)``,
    ``web.get("/", views.index)``; the last part of a dotted name (``self.index`` -> ``index``)."""
    handler = route_handler(call, scope)
    if isinstance(handler, cst.Name):
        return [handler.value]
    if isinstance(handler, cst.Attribute):
        return [handler.attr.value]
    return []


def is_route_decorator(decorator: cst.Decorator, scope: Scope) -> bool:
    """``@routes.get("/")`` on a ``web.RouteTableDef``."""
    from .values import type_of

    expr = decorator.decorator
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
        method = expr.func.attr.value
        if method in HTTP_VERBS or method in ("route", "view"):
            return type_of(expr.func.value, scope) == ROUTE_TABLE
    return False


def is_view_method(function: cst.FunctionDef, class_scope: Scope) -> bool:
    """An HTTP-verb method of a ``web.View`` subclass (``class_scope`` is the class's scope)."""
    if function.name.value not in HTTP_VERBS or not class_scope.is_class:
        return False
    outer = class_scope.parent or class_scope
    bases = class_scope.node.bases  # type: ignore[attr-defined]
    return any(base.keyword is None and qualified_name(base.value, outer) == VIEW for base in bases)


def takes_request(function: cst.FunctionDef, scope: Scope) -> bool:
    """A coroutine with a parameter annotated ``web.Request`` (``scope`` is where it is defined)."""
    from .values import annotation_type

    if function.asynchronous is None:
        return False
    return any(param.annotation is not None
               and annotation_type(param.annotation.annotation, scope) in WEB_REQUEST_TYPES
               for param in iter_params(function.params))


# -- self.x ------------------------------------------------------------------------
def self_class(name: str, scope: Scope) -> Optional[Scope]:
    """The class scope whose instance ``name`` is: the first parameter of one of its
    methods, seen from the method or a function nested in it."""
    current: Optional[Scope] = scope
    while current is not None:
        if current.is_class:  # not found as a method's parameter
            return None
        if name in current.bindings:
            node = current.node
            if not isinstance(node, cst.FunctionDef) or current.parent is None or not current.parent.is_class:
                return None
            params = list(iter_params(node.params))
            if not params or params[0].name.value != name or _is_static(node):
                return None
            return current.parent
        current = current.parent
    return None


def _is_static(function: cst.FunctionDef) -> bool:
    return any(isinstance(d.decorator, cst.Name) and d.decorator.value in ("staticmethod", "classmethod")
               for d in function.decorators)


# A class's ``self.<attr>`` assignments: (value, annotation, the method's scope), by attr.
Assignments = Dict[str, List[Tuple[Optional[cst.BaseExpression], Optional[cst.BaseExpression], Scope]]]


def self_assignments(class_scope: Scope) -> Assignments:
    """Every ``self.x = v`` / ``self.x: T = v`` in the class's methods, and ``x: T`` / ``x = v``
    in its body, by attribute name (cached per class node, for the file)."""
    node = class_scope.node
    cache: Dict[cst.CSTNode, Assignments] = class_scope.file_memo.setdefault("self_assignments", {})
    if node in cache:
        return cache[node]
    found: Assignments = {}
    for name, bindings in class_scope.bindings.items():
        for binding in bindings:
            if binding.kind in ("assign", "annotation"):
                found.setdefault(name, []).append((binding.value, binding.annotation, class_scope))
    for statement in _block(node.body):  # type: ignore[attr-defined]
        if isinstance(statement, cst.FunctionDef) and not _is_static(statement):
            params = list(iter_params(statement.params))
            if params:
                method_scope = scope_of(statement, class_scope)
                _collect_self(statement.body, params[0].name.value, method_scope, found)
    cache[node] = found
    return found


def _block(suite: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    return suite.body if isinstance(suite, cst.IndentedBlock) else ()


def _collect_self(suite: cst.BaseSuite, self_name: str, scope: Scope, found: Assignments) -> None:
    from .scope import child_blocks

    for statement in _block(suite):
        if type(statement) is cst.SimpleStatementLine:
            for small in statement.body:  # type: ignore[attr-defined]
                kind = type(small)
                if kind is cst.Assign and len(small.targets) == 1:
                    attr = _self_attr(small.targets[0].target, self_name)
                    if attr:
                        found.setdefault(attr, []).append((small.value, None, scope))
                elif kind is cst.AnnAssign:
                    attr = _self_attr(small.target, self_name)
                    if attr:
                        found.setdefault(attr, []).append((small.value, small.annotation.annotation, scope))
        elif isinstance(statement, cst.BaseCompoundStatement):
            for block in child_blocks(statement):
                _collect_self(block, self_name, scope, found)


def _self_attr(target: cst.BaseExpression, self_name: str) -> Optional[str]:
    if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == self_name:
        return target.attr.value
    return None


def self_attribute(expr: cst.Attribute, scope: Scope, depth: int = 0) -> Tuple[bool, Optional[str]]:
    """Whether ``self.x``'s class assigns or annotates ``x``, and then its type: the class's annotation
    of ``x`` if any, else the one type every non-None value assigned to it has (None when any is unknown)."""
    if not isinstance(expr.value, cst.Name):
        return False, None
    class_scope = self_class(expr.value.value, scope)
    if class_scope is None:
        return False, None
    assigned = self_assignments(class_scope).get(expr.attr.value)
    if not assigned:
        return False, None
    return True, assigned_type(assigned, depth)


def self_attribute_type(expr: cst.Attribute, scope: Scope, depth: int = 0) -> Optional[str]:
    return self_attribute(expr, scope, depth)[1]


def assigned_type(assigned: Optional[List[Tuple[Optional[cst.BaseExpression], Optional[cst.BaseExpression], Scope]]],
                  depth: int = 0) -> Optional[str]:
    """The type an attribute has from its assignments (see ``self_attribute``)."""
    from .values import annotation_type, is_none, type_of

    if not assigned:
        return None
    types = set()
    for value, annotation, where in assigned:
        if annotation is not None:
            return annotation_type(annotation, where)
        if value is None or is_none(value):
            continue
        types.add(type_of(value, where, depth + 1))
    return types.pop() if len(types) == 1 else None


# -- the client's calls --------------------------------------------------------------
# What sends a request (``ClientSession.get`` ... ``request``, ``ws_connect``, ``aiohttp.request``)
# and what makes connections: the calls that take ``ssl=``, ``loop=`` and the legacy TLS arguments.
CLIENT_REQUESTS = frozenset({f"{SESSION}.{verb}" for verb in HTTP_VERBS | {"request", "ws_connect"}}
                            | {REQUEST_FUNCTION})
CONNECTORS = frozenset({CONNECTOR})
CLIENT_CALLS = CLIENT_REQUESTS | CONNECTORS


# -- the server side ------------------------------------------------------------------
APPLICATION = "aiohttp.web.Application"
RUN_APP = "aiohttp.web.run_app"
HTTP_EXCEPTION = "aiohttp.web.HTTPException"
# ``aiohttp.web_exceptions.__all__`` of aiohttp 3.14: HTTPException and every subclass.
HTTP_EXCEPTIONS = frozenset(f"aiohttp.web.{name}" for name in """
    HTTPException HTTPError HTTPRedirection HTTPSuccessful HTTPOk HTTPCreated HTTPAccepted
    HTTPNonAuthoritativeInformation HTTPNoContent HTTPResetContent HTTPPartialContent HTTPMove
    HTTPMultipleChoices HTTPMovedPermanently HTTPFound HTTPSeeOther HTTPNotModified HTTPUseProxy
    HTTPTemporaryRedirect HTTPPermanentRedirect HTTPClientError HTTPBadRequest HTTPUnauthorized
    HTTPPaymentRequired HTTPForbidden HTTPNotFound HTTPMethodNotAllowed HTTPNotAcceptable
    HTTPProxyAuthenticationRequired HTTPRequestTimeout HTTPConflict HTTPGone HTTPLengthRequired
    HTTPPreconditionFailed HTTPRequestEntityTooLarge HTTPRequestURITooLong HTTPUnsupportedMediaType
    HTTPRequestRangeNotSatisfiable HTTPExpectationFailed HTTPMisdirectedRequest HTTPUnprocessableEntity
    HTTPFailedDependency HTTPUpgradeRequired HTTPPreconditionRequired HTTPTooManyRequests
    HTTPRequestHeaderFieldsTooLarge HTTPUnavailableForLegalReasons HTTPServerError
    HTTPInternalServerError HTTPNotImplemented HTTPBadGateway HTTPServiceUnavailable HTTPGatewayTimeout
    HTTPVersionNotSupported HTTPVariantAlsoNegotiates HTTPInsufficientStorage HTTPNotExtended
    HTTPNetworkAuthenticationRequired""".split())
WEB_RESPONSE_TYPES = frozenset({"aiohttp.web.Response", "aiohttp.web.StreamResponse", "aiohttp.web.FileResponse",
                                "aiohttp.web.WebSocketResponse"}) | HTTP_EXCEPTIONS
# Where an application's middlewares are listed: ``app.middlewares.append(m)`` and friends.
LIST_METHODS = frozenset({"append", "extend", "insert"})


def imports_aiohttp(scope: Scope) -> bool:
    """The module imports aiohttp (or one of its modules) at its top level: what a method matched
    by its name alone (``x.add_get(...)``, ``x.add_static(...)``) needs to be aiohttp's."""
    module = scope.module()
    known = module.file_memo.get("imports_aiohttp")
    if known is None:
        known = module.file_memo["imports_aiohttp"] = any(
            binding.kind == "import" and (binding.qualified or "").split(".")[0] == "aiohttp"
            for bindings in module.bindings.values() for binding in bindings)
    return known


def middleware_arguments(call: cst.Call, scope: Scope) -> List[cst.BaseExpression]:
    """The middlewares a call gives an application: ``web.Application(middlewares=[a, b])``,
    ``app.middlewares.append(a)``, ``.extend([a, b])``, ``.insert(0, a)``."""
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value in LIST_METHODS:
        if isinstance(func.value, cst.Attribute) and func.value.attr.value == "middlewares":
            return [item for arg in call.args if arg.keyword is None for item in _items(arg.value)]
        return []
    if qualified_name(func, scope) != APPLICATION:
        return []
    listed = next((arg.value for arg in call.args if arg.keyword is not None and arg.keyword.value == "middlewares"),
                  None)
    return _items(listed) if listed is not None else []


def _items(expr: cst.BaseExpression) -> List[cst.BaseExpression]:
    """``[a, b]`` / ``(a, b)`` -> [a, b]; anything else -> [it]."""
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        return [element.value for element in expr.elements if isinstance(element, cst.Element)]
    return [expr]


def last_name(expr: Optional[cst.BaseExpression]) -> Optional[str]:
    """``mw`` -> "mw"; ``self.mw`` / ``module.mw`` -> "mw"; anything else -> None."""
    kind = type(expr)
    if kind is cst.Name:
        return expr.value  # type: ignore[union-attr]
    if kind is cst.Attribute:
        return expr.attr.value  # type: ignore[union-attr]
    return None


class WebFunctions:
    """The functions of a file that aiohttp calls with a request: route handlers and middlewares.

    A rule feeds it every ``def`` (``note_def``, with the scope the def stands in) and call
    (``note_call``) of the walk and asks at the end of the module, since a handler is often
    registered after its ``def``. Registered names are matched by their last part
    (``router.add_get("/", views.index)`` makes every ``index`` a handler), as AIO101 does.
    The rules of a file share one (``of``): each node is noted once, by the first rule that
    passes it on (the walk gives a node to every rule in turn).
    """

    def __init__(self) -> None:
        self.handlers: set = set()  # FunctionDef nodes known from their decorators, class or annotations
        self.middlewares: set = set()
        self.handler_names: set = set()
        self.middleware_names: set = set()
        self._noted: Optional[cst.CSTNode] = None

    @staticmethod
    def of(scope: Scope) -> "WebFunctions":
        """The file's."""
        memo = scope.file_memo
        found = memo.get("web_functions")
        if found is None:
            found = memo["web_functions"] = WebFunctions()
        return found

    def note_def(self, function: cst.FunctionDef, scope: Scope) -> None:
        if function is self._noted:
            return
        self._noted = function
        if any(qualified_name(d.decorator, scope) == MIDDLEWARE for d in function.decorators):
            self.middlewares.add(function)
        elif any(is_route_decorator(d, scope) for d in function.decorators) or is_view_method(function, scope) \
                or takes_request(function, scope):
            self.handlers.add(function)

    def note_call(self, call: cst.Call, scope: Scope) -> None:
        if call is self._noted:
            return
        self._noted = call
        if not imports_aiohttp(scope):  # registrations by method name alone: only in aiohttp's company
            return
        handler = last_name(route_handler(call, scope))
        if handler is not None:
            self.handler_names.add(handler)
        self.middleware_names.update(filter(None, map(last_name, middleware_arguments(call, scope))))

    def is_handler(self, function: Optional[cst.CSTNode]) -> bool:
        return isinstance(function, cst.FunctionDef) and function.asynchronous is not None and (
            function in self.handlers or function.name.value in self.handler_names)

    def is_middleware(self, function: Optional[cst.CSTNode]) -> bool:
        return isinstance(function, cst.FunctionDef) and (
            function in self.middlewares or function.name.value in self.middleware_names)

    def request_parameter(self, function: cst.FunctionDef) -> Optional[str]:
        """The name of the request parameter of a handler or middleware: the first parameter,
        after ``self`` in a method; None for a ``web.View`` method (its request is ``self.request``)."""
        params = [param.name.value for param in function.params.params]
        if params and params[0] in ("self", "cls"):
            params = params[1:]
        return params[0] if params else None
