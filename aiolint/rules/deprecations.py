"""AIO8xx: arguments and APIs aiohttp still accepts but has deprecated, or has removed.

Each message names the version that deprecated or removed what it reports, as read in
aiohttp 3.14's source, warnings and documentation (``.. deprecated::`` notes) and in
the history of its repository; what aiohttp 4.0 removed is as its development branch
stands. Fixes are offered where the replacement does exactly what the old code did.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

import libcst as cst

from ..semantics.aiohttp import (
    APPLICATION, CLIENT_CALLS, CLIENT_REQUESTS, CONNECTOR, HTTP_EXCEPTIONS, REQUEST_FUNCTION, SESSION,
    WEB_REQUEST_TYPES, WebFunctions,
)
from ..semantics.names import runtime_spelling
from ..semantics.testing import expects_warning, in_test
from .base import NodeFix, Replacement, Rule, code_in_place

# Constructors and functions that take ``loop=`` (aiohttp 3.14), by qualified name.
LOOP_TAKERS = frozenset({
    SESSION, CONNECTOR, "aiohttp.UnixConnector", "aiohttp.NamedPipeConnector", "aiohttp.BaseConnector",
    REQUEST_FUNCTION, APPLICATION, "aiohttp.CookieJar", "aiohttp.DummyCookieJar",
})
LEGACY_SSL = ("verify_ssl", "ssl_context", "fingerprint")
LEGACY_TIMEOUTS = ("read_timeout", "conn_timeout")
CLIENT_TIMEOUT = "aiohttp.ClientTimeout"
FINGERPRINT = "aiohttp.Fingerprint"


def keyword(call: cst.Call, name: str) -> Optional[cst.Arg]:
    return next((arg for arg in call.args if arg.keyword is not None and arg.keyword.value == name), None)


def is_literal(expr: cst.BaseExpression, *values: str) -> bool:
    return isinstance(expr, cst.Name) and expr.value in values


def without(call: cst.Call, dropped: Sequence[cst.Arg], replaced: Optional[Dict[cst.Arg, cst.Arg]] = None) -> cst.Call:
    """``call`` with the ``dropped`` arguments removed and the ``replaced`` ones swapped,
    commas kept valid (the last argument keeps whatever trailing comma the call had)."""
    replaced = replaced or {}
    kept = [replaced.get(arg, arg) for arg in call.args if arg not in dropped]
    if kept and call.args and call.args[-1] in dropped:
        kept[-1] = kept[-1].with_changes(comma=call.args[-1].comma)
    return call.with_changes(args=kept)


class DeprecationRule(Rule):
    """Reports nothing in tests (see ``semantics.testing``): there old APIs are exercised on purpose."""

    triggers = frozenset({"aiohttp"})

    def deliberate(self) -> bool:
        return in_test(self.context.scope) or expects_warning(self.context.ancestors, self.context.scope)

    def replace_call(self, call: cst.Call, new: cst.Call, applicability: str = "safe") -> NodeFix:
        """Replace ``call`` (the node being visited, or one inside it) with ``new``."""
        return NodeFix(applicability, (Replacement(call, code_in_place(new, self.context.ancestors,
                                                                       self.context.module)),))


class LoopArgument(DeprecationRule):
    """`loop=` passed to an aiohttp constructor.

    ## What it does
    Reports `loop=` passed to `aiohttp.ClientSession`, `TCPConnector` (and the other
    connectors), `aiohttp.request`, `web.Application`, `CookieJar` and
    `DummyCookieJar`, under any import.

    ## Why is this bad?
    aiohttp deprecated the argument in 2.0: every object uses the running event loop
    (3.x creates them only inside one), and aiohttp 4.0 no longer accepts it. Passing another loop than the running one
    breaks; passing the running one does nothing.

    ## Example
    ```python
    session = aiohttp.ClientSession(loop=loop)
    ```

    ## Use instead
    ```python
    session = aiohttp.ClientSession()
    ```

    ## Known limits
    Off by default: on the benchmark corpus, a reviewer who had not seen the rule judged
    3 of 10 sampled findings not worth fixing: a library that passes on the `loop=` its
    own caller gave it (removing it would break those callers, and aiohttp 3.x accepts
    it without a warning on a session). Select it with `--extend-select AIO801` when
    preparing for aiohttp 4.0.

    `web.run_app(loop=...)` is not reported: it still takes a loop to run on. The fix
    removes the argument (safe: objects are created in the running loop); a loop passed
    through `**kwargs` is not seen.
    {test code; expected warnings}
    """

    code = "AIO801"
    default_enabled = False
    name = "loop-argument"
    summary = "`loop=` passed to an aiohttp constructor (deprecated since aiohttp 2.0)"
    message = ("`loop=` is deprecated since aiohttp 2.0 and removed in 4.0 (`{what}` uses the running loop); "
               "remove it.")
    triggers = frozenset({"loop"})
    requires = frozenset({"aiohttp"})

    def visit_Call(self, node: cst.Call) -> None:
        callee = self.context.callee_among(node, LOOP_TAKERS)
        arg = keyword(node, "loop") if callee is not None and not self.deliberate() else None
        if arg is not None:
            what = callee.replace("aiohttp.", "")
            self.report(arg, fix=self.replace_call(node, without(node, [arg])), what=what)


class LegacySslArguments(DeprecationRule):
    """`verify_ssl=`, `ssl_context=` or `fingerprint=` instead of `ssl=`.

    ## What it does
    Reports the three TLS arguments that aiohttp 3.0 replaced with `ssl=`, on requests
    (`session.get(...)` and the other methods on a known `ClientSession`, `ws_connect`,
    `aiohttp.request`) and on `TCPConnector`.

    ## Why is this bad?
    aiohttp 3.0 deprecated them (each warns "... is deprecated, use ssl=... instead"),
    and they are mutually exclusive with `ssl=` at run time (`ValueError`). `ssl=`
    takes all three forms: `False`, an `ssl.SSLContext`, an `aiohttp.Fingerprint`.

    ## Example
    ```python
    await session.get(url, ssl_context=context)
    connector = aiohttp.TCPConnector(fingerprint=digest)
    ```

    ## Use instead
    ```python
    await session.get(url, ssl=context)
    connector = aiohttp.TCPConnector(ssl=aiohttp.Fingerprint(digest))
    ```

    ## Known limits
    Fixes: `verify_ssl=False` becomes `ssl=False` (AIO701 still reports it),
    `verify_ssl=True` is removed (verification is the default), `ssl_context=x`
    becomes `ssl=x`, `fingerprint=x` becomes `ssl=aiohttp.Fingerprint(x)` (spelled
    through your imports; no fix when aiohttp is not imported by name). They are safe;
    a `verify_ssl=` with any other value becomes `ssl=` as an unsafe fix (`None`
    meant "verify"). No fix when the call already passes `ssl=` or more than one of
    the three.
    {test code; expected warnings}
    """

    code = "AIO802"
    name = "legacy-ssl-arguments"
    summary = "`verify_ssl=`, `ssl_context=` or `fingerprint=` (deprecated since aiohttp 3.0): use `ssl=`"
    message = "`{name}=` is deprecated since aiohttp 3.0; pass {instead}."
    triggers = frozenset({"verify_ssl", "ssl_context", "fingerprint"})
    requires = frozenset({"aiohttp"})

    def visit_Call(self, node: cst.Call) -> None:
        if self.context.callee_among(node, CLIENT_CALLS) is None or self.deliberate():
            return
        legacy = [arg for arg in node.args if arg.keyword is not None and arg.keyword.value in LEGACY_SSL]
        alone = len(legacy) == 1 and keyword(node, "ssl") is None
        for arg in legacy:
            name = arg.keyword.value  # type: ignore[union-attr]
            value = code_in_place(arg.value, self.context.ancestors, self.context.module)
            fix: Optional[NodeFix] = None
            if name == "verify_ssl":
                instead = "`ssl=False` to turn verification off, or nothing to keep it on"
                if alone and is_literal(arg.value, "True"):
                    fix = self.replace_call(node, without(node, [arg]))
                elif alone:
                    fix = NodeFix("safe" if is_literal(arg.value, "False") else "unsafe",
                                  (Replacement(arg.keyword, "ssl"),))  # type: ignore[arg-type]
            elif name == "ssl_context":
                instead = f"`ssl={value}`"
                if alone:
                    fix = NodeFix("safe", (Replacement(arg.keyword, "ssl"),))  # type: ignore[arg-type]
            else:
                spelled = runtime_spelling(FINGERPRINT, self.context.scope, self.context.ancestors)
                instead = f"`ssl={spelled or 'aiohttp.Fingerprint'}({value})`"
                if alone and spelled is not None:
                    fix = NodeFix("safe", (Replacement(arg.keyword, "ssl"),  # type: ignore[arg-type]
                                           Replacement(arg.value, f"{spelled}({value})")))
            self.report(arg, fix=fix, name=name, instead=instead)


class LegacyTimeoutArguments(DeprecationRule):
    """`read_timeout=`/`conn_timeout=` on `ClientSession`, and `aiohttp.Timeout`.

    ## What it does
    Reports `aiohttp.ClientSession(read_timeout=..., conn_timeout=...)` and calls to
    `aiohttp.Timeout(...)`.

    ## Why is this bad?
    aiohttp 3.5 deprecated `read_timeout` and `conn_timeout` for
    `timeout=aiohttp.ClientTimeout(...)`; they still set limits (`read_timeout` the
    total, `conn_timeout` the connection), and mixing them with `timeout=` raises
    `ValueError`. `aiohttp.Timeout` was removed in aiohttp 3.0: the call raises
    `AttributeError`.

    ## Example
    ```python
    session = aiohttp.ClientSession(read_timeout=30, conn_timeout=5)
    ```

    ## Use instead
    ```python
    session = aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=30, connect=5, sock_connect=30))
    ```

    ## Known limits
    The fix writes the `ClientTimeout` aiohttp builds from the old arguments, the
    default's `total=300` and `sock_connect=30` included, so nothing changes; it is
    offered when `ClientTimeout` can be spelled through your imports and the call has
    no `timeout=` or `**kwargs`. Such a session is not reported as missing a timeout
    (AIO201). `aiohttp.Timeout` has no fix: use `asyncio.timeout()` (Python 3.11+) or
    `async_timeout.timeout()`, which are async context managers.
    {test code; expected warnings}
    """

    code = "AIO803"
    name = "legacy-timeout-arguments"
    summary = "`read_timeout=`/`conn_timeout=` (deprecated since aiohttp 3.5) or `aiohttp.Timeout` (removed in 3.0)"
    message = ("{what} deprecated since aiohttp 3.5 ({it} still {sets} {limits}); pass "
               "`timeout=aiohttp.ClientTimeout({fields})` instead.")
    triggers = frozenset({"read_timeout", "conn_timeout", "Timeout"})
    requires = frozenset({"aiohttp"})

    def visit_Call(self, node: cst.Call) -> None:
        callee = self.context.callee_among(node, frozenset({SESSION, "aiohttp.Timeout"}))
        if callee is None or self.deliberate():
            return
        if callee == "aiohttp.Timeout":
            self.report(node, message=(
                f"`{self.context.code_for(node.func)}` was removed in aiohttp 3.0, so this raises AttributeError; "
                "use `asyncio.timeout()` (Python 3.11+) or `async_timeout.timeout()` (`async with`)."))
            return
        legacy = [arg for arg in node.args if arg.keyword is not None and arg.keyword.value in LEGACY_TIMEOUTS]
        if not legacy:
            return
        values = {arg.keyword.value: self.context.code_for(arg.value) for arg in legacy}  # type: ignore[union-attr]
        fields = [f"total={values.get('read_timeout', '300')}"]
        if "conn_timeout" in values:
            fields.append(f"connect={values['conn_timeout']}")
        fields.append("sock_connect=30")
        names = " and ".join(f"`{name}=`" for name in values)
        limits = " and ".join({"read_timeout": "the total limit", "conn_timeout": "the connect limit"}[name]
                              for name in values)
        spelled = runtime_spelling(CLIENT_TIMEOUT, self.context.scope, self.context.ancestors)
        fix = None
        if spelled is not None and keyword(node, "timeout") is None and not any(arg.star for arg in node.args) \
                and len(legacy) == len(values):
            first = legacy[0]
            timeout = first.with_changes(keyword=cst.Name("timeout"),
                                         value=cst.parse_expression(f"{spelled}({', '.join(fields)})"))
            fix = self.replace_call(node, without(node, legacy[1:], {first: timeout}))
        plural = len(values) > 1
        self.report(legacy[0], fix=fix, what=f"{names} {'are' if plural else 'is'}", it="they" if plural else "it",
                    sets="set" if plural else "sets", limits=limits, fields=", ".join(fields))


class RemovedServerApi(DeprecationRule):
    """Server APIs that aiohttp 3.x deprecates and 4.0 removes.

    ## What it does
    Reports, each with the version that deprecated it:
    - `app.make_handler()` on a `web.Application` (deprecated in 3.2, removed in 4.0);
    - `request.has_body` (deprecated in 2.3, removed in 4.0) on a request the linter
      knows: annotated `web.Request`, or the request parameter of a handler of the file;
    - `web.Application(debug=...)` (deprecated in 3.5) and `router=` (deprecated in 3.3,
      removed in 4.0);
    - `chunked=<number>` on client requests (chunk sizes deprecated in 2.0, removed in 4.0);
    - `body=` on a `web.HTTPException` (deprecated in 3.5);
    - `app.loop` and `request.loop` (deprecated in 3.5).

    ## Why is this bad?
    Each warns with a DeprecationWarning in aiohttp 3.14, and code that uses them breaks
    on the upgrade to 4.0.

    ## Example
    ```python
    if request.has_body:
        data = await request.post()
    handler = app.make_handler()
    ```

    ## Use instead
    ```python
    if request.can_read_body:
        data = await request.post()
    runner = web.AppRunner(app)
    await runner.setup()
    ```

    ## Known limits
    Fixes: `has_body` becomes `can_read_body` (the same property) and `chunked=<n>`
    becomes `chunked=True` (`False` for `0`), both safe; removing `debug=` is an unsafe
    fix (`app.debug` then reads differently). `make_handler()`, `router=`, `body=` and
    `.loop` have no exact replacement. Only objects the linter can type are checked.
    {test code; expected warnings}
    """

    code = "AIO804"
    name = "removed-server-api"
    summary = "Server APIs deprecated in aiohttp 3.x and removed in 4.0: `make_handler()`, `has_body`, ..."
    message = "{what}; {advice}."
    triggers = frozenset({"make_handler", "has_body", "debug", "router", "chunked", "body", "loop"})
    requires = frozenset({"aiohttp"})

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.web = WebFunctions.of(context.module_scope)
        self.pending: List[Tuple[cst.FunctionDef, str, cst.Attribute]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.web.note_def(node, self.context.scope)

    def visit_Call(self, node: cst.Call) -> None:
        self.web.note_call(node, self.context.scope)
        if self.deliberate():
            return
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "make_handler":
            if self.context.type_of(func.value) == APPLICATION:
                self.report(node, what="`Application.make_handler()` is deprecated since aiohttp 3.2 and removed in "
                                       "4.0", advice="run the app with `web.AppRunner` and `web.TCPSite`")
            return
        callee = self.context.callee_among(node, CLIENT_REQUESTS | HTTP_EXCEPTIONS | {APPLICATION})
        if callee == APPLICATION:
            self.check_application(node)
        elif callee in HTTP_EXCEPTIONS:
            body = keyword(node, "body")
            if body is not None:
                self.report(body, what=f"`body=` on `{self.context.code_for(func)}` is deprecated since aiohttp 3.5",
                            advice="pass `text=` (or raise after building a `web.Response`)")
        elif callee is not None:
            chunked = keyword(node, "chunked")
            if chunked is not None and isinstance(chunked.value, cst.Integer):
                flag = "False" if chunked.value.evaluated_value == 0 else "True"
                self.report(chunked, fix=NodeFix("safe", (Replacement(chunked.value, flag),)),
                            what="A chunk size in `chunked=` is deprecated since aiohttp 2.0 and removed in 4.0",
                            advice=f"pass `chunked={flag}`")

    def check_application(self, node: cst.Call) -> None:
        debug = keyword(node, "debug")
        if debug is not None:
            self.report(debug, fix=self.replace_call(node, without(node, [debug]), "unsafe"),
                        what="`web.Application(debug=...)` is deprecated since aiohttp 3.5",
                        advice="remove it and use asyncio's debug mode (`PYTHONASYNCIODEBUG=1`)")
        router = keyword(node, "router")
        if router is not None:
            self.report(router, what="A custom `router=` for `web.Application` is deprecated since aiohttp 3.3 and "
                                     "removed in 4.0", advice="add routes to the application's own router")

    def visit_Attribute(self, node: cst.Attribute) -> None:
        attr = node.attr.value
        if attr not in ("has_body", "loop"):
            return
        if self.is_call_target(node) or self.deliberate():
            return
        owner = self.context.type_of(node.value)
        if owner in WEB_REQUEST_TYPES or (attr == "loop" and owner == APPLICATION):
            self.report_attribute(node)
        elif isinstance(node.value, cst.Name):
            scope = self.context.scope.function()
            if scope is not None and isinstance(scope.node, cst.FunctionDef):
                self.pending.append((scope.node, node.value.value, node))

    def is_call_target(self, node: cst.Attribute) -> bool:
        parent = self.context.ancestors[-1] if self.context.ancestors else None
        return isinstance(parent, cst.Call) and parent.func is node

    def report_attribute(self, node: cst.Attribute) -> None:
        if node.attr.value == "has_body":
            self.report(node, fix=NodeFix("safe", (Replacement(node.attr, "can_read_body"),)),
                        what="`request.has_body` is deprecated since aiohttp 2.3 and removed in 4.0",
                        advice="use `request.can_read_body`")
        else:
            self.report(node, what=f"`{self.context.code_for(node)}` is deprecated since aiohttp 3.5",
                        advice="use `asyncio.get_running_loop()` in a coroutine")

    def leave_Module(self, node: cst.Module) -> None:
        for function, name, attribute in self.pending:
            if (self.web.is_handler(function) or self.web.is_middleware(function)) \
                    and self.web.request_parameter(function) == name:
                self.report_attribute(attribute)
