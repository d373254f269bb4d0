"""AIO2xx: requests that can wait five minutes, or forever.

Facts from aiohttp 3.x: a session created without ``timeout=`` uses
``ClientTimeout(total=300, sock_connect=30)``; a request's ``timeout=None``
becomes ``ClientTimeout(total=None)``, no limit at all; a limit of ``None`` or
``0`` is no limit (``ceil_timeout`` and the read timer skip both).
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, List, Optional, Union

import libcst as cst

from ..semantics.aiohttp import REQUEST_FUNCTION, SESSION_MAKERS, held, self_class
from ..semantics.imports import import_edits, is_free
from ..semantics.names import runtime_spelling
from ..semantics.scope import code_owner, iter_params
from ..semantics.tracking import MethodCall, track, track_global
from ..semantics.tree import expects_error, single_target, walk
from ..semantics.values import REQUEST_METHODS, SESSION_REQUESTS
from .base import NodeFix, Replacement, Rule

CLIENT_TIMEOUT = "aiohttp.ClientTimeout"
DEFAULT_TIMEOUT = "`ClientTimeout(total=300, sock_connect=30)`"
# ClientTimeout's fields in declaration order (it is an attrs class: positional arguments work),
# and those of them that limit a request.
TIMEOUT_FIELDS = ("total", "connect", "sock_read", "sock_connect", "ceil_threshold")
LIMIT_FIELDS = frozenset(TIMEOUT_FIELDS[:4])
TIMEOUT_CALLS = SESSION_REQUESTS | {CLIENT_TIMEOUT}


def keyword(call: cst.Call, name: str) -> Optional[cst.Arg]:
    """The ``name=`` argument of ``call``, if written."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def has_unpacking(call: cst.Call) -> bool:
    """``f(*args)`` or ``f(**kwargs)``: any argument may be in there."""
    return any(arg.star for arg in call.args)


def passes_timeout(call: cst.Call) -> bool:
    """``timeout=`` is written (whatever its value: that is a decision), or may hide in ``**kwargs``;
    a session's deprecated ``read_timeout=``/``conn_timeout=`` still set limits (AIO803 reports them)."""
    return any(keyword(call, name) is not None for name in ("timeout", "read_timeout", "conn_timeout")) \
        or any(arg.star == "**" for arg in call.args)


def is_no_limit(value: cst.BaseExpression) -> bool:
    """``None``, ``0`` or a negative literal: aiohttp applies no limit for any of them."""
    if isinstance(value, cst.Name):
        return value.value == "None"
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus):
        return isinstance(value.expression, (cst.Integer, cst.Float))
    if isinstance(value, (cst.Integer, cst.Float)):
        return value.evaluated_value == 0
    return False


def sets_no_limit(call: cst.Call) -> bool:
    """A ``ClientTimeout(...)`` call none of whose fields is a limit (unwritten fields are None)."""
    if has_unpacking(call):
        return False
    for position, arg in enumerate(call.args):
        field = arg.keyword.value if arg.keyword is not None else TIMEOUT_FIELDS[min(position, 4)]
        if field in LIMIT_FIELDS and not is_no_limit(arg.value):
            return False
    return True


class TimeoutDisabled(Rule):
    """Reports timeouts that remove every limit, so a stalled server hangs the caller forever.

    ## What it does
    Reports a request's `timeout=None` on an `aiohttp.ClientSession`, and an
    `aiohttp.ClientTimeout(...)` none of whose `total`, `connect`, `sock_read`
    and `sock_connect` is a limit: `ClientTimeout()`, `ClientTimeout(total=None)`,
    `ClientTimeout(total=0)`. In aiohttp 3.x `None` and `0` both mean "no limit".

    ## Why is this bad?
    A request's `timeout=None` does not mean "the session's timeout": aiohttp turns
    it into `ClientTimeout(total=None)`, which waits forever. A server that accepts
    the connection and never answers then holds the coroutine, its connection and
    whatever waits on it until the process restarts.

    ## Example
    ```python
    async with session.get(url, timeout=None) as resp:
        ...
    timeout = aiohttp.ClientTimeout(total=None)
    ```

    ## Use instead
    ```python
    async with session.get(url, timeout=aiohttp.ClientTimeout(total=60)) as resp:
        ...
    # A long stream: no total limit, but a limit on each read.
    timeout = aiohttp.ClientTimeout(total=None, sock_read=30)
    ```
    Leave `timeout=` out to use the session's timeout.

    ## Known limits
    Only literal `None`, `0` and negative numbers are known to mean "no limit";
    a variable holding `None` is not followed. `ClientTimeout(connect=5)` alone
    is not reported: it limits something. `ClientSession(timeout=None)` is not
    this rule's: it gives the session the default timeout, not none (AIO204).
    Nor is `aiohttp.request(..., timeout=None)`, which passes the value on to a
    `ClientSession` and so also gets the default. `ws_connect`'s `timeout=` is a
    `ClientWSTimeout`, not checked here. A `ClientTimeout` passed as a positional
    argument is not reported: only aiohttp's internals take one that way (its
    own tests call `connector.connect(req, [], ClientTimeout())` by the dozen).
    """

    code = "AIO202"
    name = "timeout-disabled"
    summary = "A request's `timeout=None` or a `ClientTimeout` with no limit: a stalled server hangs it forever"
    message = "{what} sets no time limit, so a stalled server can hang {whom} forever; {advice}."
    triggers = frozenset({"aiohttp"})

    def visit_Call(self, node: cst.Call) -> None:
        callee = self.context.callee_among(node, TIMEOUT_CALLS)
        if callee == CLIENT_TIMEOUT:
            if sets_no_limit(node) and not self.is_positional_argument():
                self.report(node, what=f"`{self.context.code_for(node.func)}(...)`", whom="every request using it",
                            advice="set `total`, or `sock_read` for a long stream")
        elif callee in SESSION_REQUESTS:
            timeout = keyword(node, "timeout")
            if timeout is not None and is_no_limit(timeout.value):
                self.report(timeout, what=f"`timeout={self.context.code_for(timeout.value)}` on a request", whom="it",
                            advice="pass an `aiohttp.ClientTimeout` with a limit, or leave it out to use the session's")

    def is_positional_argument(self) -> bool:
        """``conn.connect(req, [], ClientTimeout())``: internals (and their tests) take a timeout
        positionally; sessions and requests take ``timeout=``, the only way users set one."""
        parent = self.context.ancestors[-1]
        return isinstance(parent, cst.Arg) and parent.keyword is None and not parent.star


class MissingTimeout(Rule):
    """Reports sessions and `aiohttp.request()` calls whose requests run on the default five-minute timeout.

    ## What it does
    Reports an `aiohttp.ClientSession(...)` created without `timeout=` when a
    request made on it does not pass `timeout=` either: a request on the `as` name
    of its `async with`, on the local it is assigned to, or, for
    `self.x = ClientSession()`, on `self.x` in the methods of the class. Reports
    `aiohttp.request(...)` without `timeout=`, under any alias.

    ## Why is this bad?
    Without a timeout aiohttp uses `ClientTimeout(total=300, sock_connect=30)`: a
    request to a slow or stalled server holds the caller, a connection and
    everything waiting on it for five minutes. That is rarely what anyone chose;
    it is what happens when nobody did.

    ## Example
    ```python
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as resp:
            return await resp.json()
    ```

    ## Use instead
    ```python
    timeout = aiohttp.ClientTimeout(total=30, sock_connect=5)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.get(url) as resp:
            return await resp.json()
    ```

    ## Known limits
    Any written `timeout=` counts as a decision, whatever its value (a name, an
    attribute, a call); so does `**kwargs`, which may hold one. A session passed in
    as a parameter is not reported: its owner decides. A session is reported only
    for the requests this rule can see: one that is returned, stored elsewhere or
    passed to a helper, with no request in sight, is not reported, since the
    requests made on it elsewhere may each pass `timeout=`. A session assigned to a
    name bound more than once in the function is not followed. A session kept in a
    module global (made at module level, or in a function that declares it `global`)
    is followed through every function of the module that uses the global, and one
    made as a class attribute through `self.<name>` in the class's methods. Requests
    through a property, a subclass or another object holding the session are not seen.
    `ws_connect` is not a request here: its `timeout=` is a `ClientWSTimeout`.
    """

    code = "AIO201"
    name = "missing-timeout"
    summary = "A session or `aiohttp.request()` without `timeout=`: its requests may wait five minutes"
    message = ("{what} has no `timeout=`, so {whom} aiohttp's default " + DEFAULT_TIMEOUT
               + " and may wait five minutes; pass `timeout=aiohttp.ClientTimeout(...)` with limits you chose.")
    triggers = frozenset({"aiohttp"})

    def visit_Call(self, node: cst.Call) -> None:
        callee = self.context.callee_among(node, SESSION_MAKERS)
        if callee is None or passes_timeout(node):
            return
        what = f"`{self.context.code_for(node.func)}(...)`"
        if callee == REQUEST_FUNCTION:
            self.report(node, what=what, whom="it uses")
        elif any(not passes_timeout(request) for request in self.requests_on(node)):
            self.report(node, what=f"This {what}", whom="its requests use")

    def requests_on(self, creation: cst.Call) -> List[cst.Call]:
        """The requests this file shows being made on the session ``creation`` creates."""
        how = held(creation, self.context.ancestors)
        if how.kind == "inline":  # ClientSession().get(url)
            return requests_of([how.node])
        scope = self.context.scope
        if how.kind == "local" and how.name is not None:
            if scope.is_class:  # a class attribute: requests on `self.<name>` in its methods
                return list(attribute_requests(scope.node, how.name))  # type: ignore[arg-type]
            module = self.context.module_scope
            if scope.lookup(how.name) is module.bindings.get(how.name):  # a module global
                return requests_of(track_global(module, how.name).calls)
        owner = code_owner(scope)
        if owner is None or how.name is None:
            return []
        if how.kind == "with":
            # Only inside this `with`: the function may reuse the name for another session.
            inside = set(walk(self.context.ancestors[-2]))
            return [call for call in requests_of(track(owner, how.name).calls) if call in inside]
        if how.kind == "local":
            tracked = track(owner, how.name)
            return requests_of(tracked.calls) if tracked.bindings == 1 else []
        if how.kind == "attribute" and how.owner is not None:
            class_scope = self_class(how.owner, self.context.scope)
            if class_scope is not None:
                return list(attribute_requests(class_scope.node, how.name))
        return []


def requests_of(calls: Iterable[Union[MethodCall, cst.Call]]) -> List[cst.Call]:
    """The requests among method calls (tracked, or plain ``x.method(...)`` calls)."""
    found = []
    for call in calls:
        node = call.call if isinstance(call, MethodCall) else call
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in REQUEST_METHODS:
            found.append(node)
    return found


def first_param(function: cst.FunctionDef) -> Optional[str]:
    params = list(iter_params(function.params))
    return params[0].name.value if params else None


def attribute_requests(class_def: cst.ClassDef, attribute: str) -> Iterator[cst.Call]:
    """Requests on ``self.<attribute>`` in the methods of the class, also through a local alias
    (``session = self._session``)."""
    for statement in class_def.body.body if isinstance(class_def.body, cst.IndentedBlock) else ():
        if not isinstance(statement, cst.FunctionDef):
            continue
        me = first_param(statement)
        for node in walk(statement.body):
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) \
                    and node.func.attr.value in REQUEST_METHODS and is_self_attribute(node.func.value, me, attribute):
                yield node
            target = single_target(node)
            if isinstance(target, cst.Name) and is_self_attribute(node.value, me, attribute):
                yield from requests_of(track(statement, target.value).calls)


def is_self_attribute(expr: Optional[cst.BaseExpression], me: Optional[str], attribute: str) -> bool:
    return (isinstance(expr, cst.Attribute) and expr.attr.value == attribute
            and isinstance(expr.value, cst.Name) and expr.value.value == me)




def is_number(expr: cst.BaseExpression, scope: Any) -> bool:
    """``expr`` is a number: a literal (``10``, ``2.5``, ``-1``), or a name every binding of which
    assigns one (``TIMEOUT = 10``)."""
    if isinstance(expr, (cst.Integer, cst.Float)):
        return True
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        return isinstance(expr.expression, (cst.Integer, cst.Float))
    if isinstance(expr, cst.Name):
        bindings = scope.lookup(expr.value)
        return bool(bindings) and all(b.kind == "assign" and b.value is not None and is_number(b.value, scope)
                                      for b in bindings)
    return False


class NumericTimeout(Rule):
    """Reports a bare number passed as `timeout=` to aiohttp.

    ## What it does
    Reports `timeout=` given a number (a literal, or a name every assignment of which
    is one) in `aiohttp.ClientSession(...)`, `aiohttp.request(...)` and the request
    methods of a known session (`session.get(url, timeout=10)`).

    ## Why is this bad?
    aiohttp wants an `aiohttp.ClientTimeout`. A session (and `aiohttp.request()`,
    which makes one) raises `ValueError: timeout parameter cannot be of <class 'int'>
    type` when created. A request accepts the number but turns it into
    `ClientTimeout(total=N)`, which replaces the session's whole timeout: its
    `sock_connect`, `sock_read` and `connect` limits are dropped for that request,
    which the number does not say.

    ## Example
    ```python
    async with aiohttp.ClientSession(timeout=30) as session:
        async with session.get(url, timeout=10) as resp:
            ...
    ```

    ## Use instead
    ```python
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        async with session.get(url, timeout=aiohttp.ClientTimeout(total=10)) as resp:
            ...
    ```
    The fix (safe) writes `ClientTimeout(total=N)` under the name the file imports
    aiohttp (or `ClientTimeout`) by, adding `import aiohttp` when it imports neither:
    exactly what aiohttp makes of a request's number, and what a session needs.

    ## Known limits
    Other APIs' `timeout=` (`asyncio.wait_for`, `ws_connect`'s `ClientWSTimeout`,
    `receive(timeout=5)`) are not aiohttp's `ClientTimeout` and are never reported.
    A number reaching `timeout=` through a parameter, an attribute or `**kwargs` is
    not seen. Requests are recognised on sessions whose type is known. A call in a
    `with pytest.raises(...):` block is a test that the mistake fails, and is not reported.
    """

    code = "AIO203"
    name = "numeric-timeout"
    fixable = "safe"
    summary = "A number as `timeout=` where aiohttp wants a `ClientTimeout`"
    message = "`timeout={value}` is a number, {effect}; pass `aiohttp.ClientTimeout(total={value})`."
    triggers = frozenset({"aiohttp"})

    def visit_Call(self, node: cst.Call) -> None:
        timeout = keyword(node, "timeout")
        if timeout is None:
            return
        callee = self.context.callee_among(node, SESSION_MAKERS | SESSION_REQUESTS)
        if callee is None:
            return
        if (not is_number(timeout.value, self.context.scope)
                or expects_error(self.context.ancestors, self.context.qualified_name)):
            return
        effect = ("which aiohttp turns into `ClientTimeout(total=...)` for this request, dropping the session's "
                  "connect and read limits" if callee in SESSION_REQUESTS
                  else "which makes aiohttp raise `ValueError` when the session is created")
        self.report(timeout, fix=self.fix(timeout.value), value=self.context.code_for(timeout.value).strip(),
                    effect=effect)

    def fix(self, value: cst.BaseExpression) -> Optional[NodeFix]:
        scope = self.context.scope
        written = runtime_spelling(CLIENT_TIMEOUT, scope, self.context.ancestors)
        add = None
        if written is None:
            if is_free("aiohttp", scope, "aiohttp"):
                written, add = CLIENT_TIMEOUT, "import aiohttp"
            elif is_free("ClientTimeout", scope, CLIENT_TIMEOUT):
                written, add = "ClientTimeout", "from aiohttp import ClientTimeout"
            else:
                return None
        imports = import_edits(self.context.module, scope, add=add) if add else []
        if imports is None:
            return None
        code = self.context.code_for(value)
        return NodeFix("safe", (Replacement(value, f"{written}(total={code})"),
                                *(Replacement(node, content) for node, content in imports)))


class SessionTimeoutNone(Rule):
    """Reports `ClientSession(timeout=None)`, which does not mean "no timeout".

    ## What it does
    Reports `timeout=None` in `aiohttp.ClientSession(...)` and `aiohttp.request(...)`.

    ## Why is this bad?
    For a session, `timeout=None` is taken as "not given": the session gets aiohttp's
    default `ClientTimeout(total=300, sock_connect=30)`. Whoever wrote `None` meant
    either no limit (then the requests still stop after five minutes) or the default
    (then the argument says the opposite). On a request, by contrast, `timeout=None`
    does remove every limit (AIO202), so the same words mean two things.

    ## Example
    ```python
    session = aiohttp.ClientSession(timeout=None)
    ```

    ## Use instead
    ```python
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60, sock_connect=10))
    # or, if no limit is really wanted (a long stream):
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None, sock_read=60))
    ```

    ## Known limits
    Off by default: the code works, with the default timeout; the finding is about a
    misleading argument, and the default is often what the author wanted. Only a
    literal `None` is reported.
    """

    code = "AIO204"
    name = "session-timeout-none"
    summary = "`ClientSession(timeout=None)` gives the five-minute default, not \"no timeout\""
    message = ("`timeout=None` on `{call}(...)` gives the default " + DEFAULT_TIMEOUT + ", not \"no timeout\"; "
               "pass the `aiohttp.ClientTimeout(...)` you mean.")
    default_enabled = False
    triggers = frozenset({"aiohttp"})

    def visit_Call(self, node: cst.Call) -> None:
        timeout = keyword(node, "timeout")
        if timeout is None or not (isinstance(timeout.value, cst.Name) and timeout.value.value == "None"):
            return
        if self.context.callee_among(node, SESSION_MAKERS) is not None:
            self.report(timeout, call=self.context.code_for(node.func))
