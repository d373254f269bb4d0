"""AIO4xx: responses that keep their connection out of the pool.

Fact from aiohttp 3.x: a response gives its connection back to the pool once its whole
body has arrived, read or not (the payload's end of file), when it is released or
closed, or when its ``async with`` ends. A response with an empty body (a ``HEAD``, a
204) releases it as soon as it arrives. A body that does not arrive in full by itself
(larger than the read buffer, a stream, a slow server) keeps the connection taken
until the response object is garbage-collected.
"""

from __future__ import annotations

from typing import ClassVar, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from ..semantics.aiohttp import REQUEST_FUNCTION
from ..semantics.awaitables import RESPONSE_READS, SESSION_COROUTINES, awaitable_call
from ..semantics.flow import Exit, exits_before, holders
from ..semantics.tracking import track
from ..semantics.scope import code_owner
from ..semantics.tree import children, expects_error, own_code, single_target, walk
from ..semantics.values import REQUEST_CONTEXT, REQUEST_METHODS, RESPONSE, SESSION, SESSION_REQUESTS
from .base import NodeFix, Replacement, Rule

# Calls that read the body to the end or give the connection back.
CLOSING_METHODS = ("read", "text", "json", "release", "close", "wait_for_close")
BODY_STREAM = "content"  # `resp.content`: whoever reads the stream to its end releases the connection


# What an unread response costs, true of aiohttp whatever the body (said once, by both rules' messages).
HELD_UNTIL_GC = ("if its body does not arrive in full by itself (a large download, a stream, a slow server), "
                 "it keeps its pooled connection until it is garbage-collected")


class UnreadResponse(Rule):
    """What AIO401 and AIO405 share: which responses they follow, and what leaves one unread.

    A response inside the ``async with`` block of its own session is not followed: the block
    ends in the same function, and closing the session closes its connections with it.
    """

    # The session may come from another module (`self.bot.http_session`): a request's call is enough.
    triggers = frozenset({"aiohttp", *(f".{method}(" for method in REQUEST_METHODS)})
    requires = frozenset({"await"})
    per_path: ClassVar[bool] = False  # AIO405: a way out that leaves it unread; AIO401: every path does

    def visit_Assign(self, node: cst.Assign) -> None:
        self.check(node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.check(node)

    def check(self, node: Union[cst.Assign, cst.AnnAssign]) -> None:
        target = single_target(node)
        request = awaited_request(node.value)
        if not isinstance(target, cst.Name) or request is None or is_head(request) \
                or self.context.callee_name(request) not in SESSION_REQUESTS:
            return
        owner = code_owner(self.context.scope)
        if owner is None or self.context.in_test_code() or self.session_entered_around(request):
            return
        name, call = target.value, self.context.code_for(request.func) + "(...)"
        handled, rebound = handling(owner, name, node)
        if not handled:
            if not self.per_path:
                self.report(node, name=name, call=call)
            return
        if not self.per_path or not isinstance(owner, cst.FunctionDef):
            return
        marked = holders(owner, handled + rebound)
        about = looked_at(owner, name)
        exits = exits_before(node, self.context.ancestors, marked.__contains__, empty_body,
                             lambda test: any(isinstance(n, cst.Name) and n.value in about for n in walk(test)))
        if exits:
            others = len(exits) - 1
            more = f" (and {others} other way{'s' if others > 1 else ''} out)" if others else ""
            self.report(node, name=name, call=call, exit=self.described(exits[0]) + more)

    def session_entered_around(self, request: cst.Call) -> bool:
        """The request is made on ``s`` of an ``async with ... as s:`` (or ``async with s:``) around it
        in its function: every way out of the block closes the session, and the connection with it."""
        receiver = request.func.value if isinstance(request.func, cst.Attribute) else None
        if not isinstance(receiver, cst.Name):
            return False
        for ancestor in reversed(self.context.ancestors):
            if isinstance(ancestor, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
                return False
            if isinstance(ancestor, cst.With) and ancestor.asynchronous is not None and any(
                    names(item.asname.name if item.asname is not None else item.item, receiver.value)
                    for item in ancestor.items):
                return True
        return False

    def described(self, exit: Exit) -> str:
        if exit.how == "end":
            return "the path that runs off the end of the function"
        if exit.how == "next pass":
            return "the path that goes on to the loop's next pass"
        return f"the `{exit.how}` on line {self.context.line_of(exit.node)}"


def names(expr: cst.BaseExpression, name: str) -> bool:
    return isinstance(expr, cst.Name) and expr.value == name


class ResponseNotClosed(UnreadResponse):
    """Reports a response awaited into a variable that no path reads, releases or closes.

    ## What it does
    Reports `resp = await session.get(url)` (any request method) when, in the
    function, `resp` is never the subject of `async with`, never `release()`d or
    `close()`d, its body is never read (`await resp.read()`, `text()`, `json()`,
    or its `content` stream), and it is not returned, stored, passed on or used by
    a nested function. A response that some paths read and others leave unread is
    AIO405's (off by default).

    ## Why is this bad?
    aiohttp gives a response's connection back to the pool by itself once the
    whole body has arrived, read or not. A body that does not arrive in full by
    itself keeps the connection taken until the response is garbage-collected
    (later than the function's end when a traceback or a cycle still refers to
    it), and the connection is then closed, not reused, with an "Unclosed
    response" warning in debug mode: a body larger than the read buffer (aiohttp
    stops reading from the socket once 128 KiB wait unread, by default), a stream
    that does not end, or a slow server's that is still arriving. Under load the
    pool (100 connections by default) runs dry and new requests wait. Code that
    only looks at `resp.status` does not know which kind of body it will get;
    `async with` is right whatever arrives.

    ## Example
    ```python
    resp = await session.post(url, json=payload)
    if resp.status != 200:
        raise ApiError(resp.status)
    ```

    ## Use instead
    ```python
    async with session.post(url, json=payload) as resp:
        if resp.status != 200:
            raise ApiError(resp.status)
    ```
    or `await resp.read()` (or `resp.release()`) when it is no longer needed.

    ## Known limits
    A response whose name is passed to any call (a helper, `print`), stored or
    returned is someone else's. A request made on `s` inside `async with
    ClientSession() as s:` (or `async with s:`) is not reported: the block ends
    in the same function, and closing the session closes its connections. Only
    sessions whose kind is known are followed (see "The project model" in the
    README): created, entered or annotated as such; `self.x` assigned or
    annotated one in any method (also `self.x = param` with `param` annotated);
    a module global; a function's result, in this module or another of the
    project; or an attribute reached through an object of unknown type
    (`self.bot.http_session`) when every assignment to that attribute name in
    the project gives it a session and nothing else (only when the whole project
    is linted, not in a run over a few files or under flake8). An async database
    session's `get` or a cache's `get` is never taken for a request. Only a
    response bound to a plain local name is followed. `HEAD` requests are not
    reported: their empty body releases the connection at once. A response whose
    result is dropped (`await session.post(url)` as a statement) is not reported.

    {test modules}
    Tests mock their responses, or look at the status of one on purpose.
    """

    code = "AIO401"
    name = "response-not-closed"
    summary = ("A response awaited into a variable and never read, released or closed: a body that does not "
               "arrive in full keeps its connection")
    message = (f"Response `{{name}}` is never read, released or closed: {HELD_UNTIL_GC}; "
               "use `async with {call} as {name}:` or read its body.")


class ResponseUnreadOnSomePath(UnreadResponse):
    """Reports a response that one way out of its function leaves unread and unreleased (off by default).

    ## What it does
    Reports `resp = await session.get(url)` (any request method) when the
    function reads or releases `resp` somewhere, but a way out of the function
    leaves it unread and unreleased: an early `return` or `raise`, a `continue`
    (or the end of a loop's body) that goes on to the next pass, or the end of
    the function. The message names the way out and its line. A response that no
    path reads is AIO401's.

    ## Why is this bad?
    aiohttp gives a response's connection back to the pool by itself once the
    whole body has arrived, read or not. On the way out that leaves it unread, a
    body that does not arrive in full by itself (larger than the read buffer:
    aiohttp stops reading from the socket once 128 KiB wait unread, by default;
    a stream; a slow server) keeps the connection taken until the response is
    garbage-collected, and it is then closed, not reused. Error paths are where
    this happens: the happy path reads the body, the `return None` for a 404 or
    a 500 does not.

    ## Example
    ```python
    resp = await session.get(url)
    if resp.status != 200:
        return None          # leaves it unread: reported
    return await resp.json()
    ```

    ## Use instead
    ```python
    async with session.get(url) as resp:
        if resp.status != 200:
            return None
        return await resp.json()
    ```
    or `resp.release()` before the early `return`.

    ## Known limits
    This rule is off by default. Most ways out it finds leave a small error
    body unread (a 401, a 404, a 500 with a line of JSON): that body arrives in
    full at once and aiohttp releases the connection by itself, so nothing is
    held. Reviewers of its findings on real projects judged eight of nine not
    worth changing for that reason. Turn it on (`--extend-select AIO405`) for code that
    downloads large or streamed bodies, or talks to servers whose error pages
    may be large or slow, where the early way out does hold the connection.

    Paths are the ones the code spells: a call that raises (and the `except:` it
    reaches) is not followed, and `resp.raise_for_status()` is not a way out (it
    releases the response it raises for). A `raise` inside a `try:` that has
    handlers may be caught and is not a way out either; a `finally:` that reads,
    releases or closes the response covers every way out of its `try:`. A
    request made on `s` inside `async with ClientSession() as s:` (or `async
    with s:`) is not reported (closing the session closes its connections), nor
    is a way out under a test of a status without a body (`204`, `304`,
    `NO_CONTENT`, `NOT_MODIFIED`: aiohttp releases those at once). An `if` whose
    test does not look at the response (nor at a local taken from it, `status =
    resp.status`) and one of whose branches reads it counts as reading it: its
    other outcome may follow from an earlier test. A loop that reads it anywhere
    counts as reading it. A `break` goes on after its loop. Once the name is
    bound again, the first response is no longer followed. The sessions and
    responses it follows are AIO401's (see its "Known limits").

    {test modules}
    Tests mock their responses, or look at the status of one on purpose.
    """

    code = "AIO405"
    name = "response-unread-on-some-path"
    summary = "A response that some path reads, but one way out of its function leaves unread and unreleased"
    default_enabled = False
    per_path = True
    message = (f"Response `{{name}}` is read or released on some paths, but {{exit}} leaves it unread and "
               f"unreleased: {HELD_UNTIL_GC}; use `async with {{call}} as {{name}}:`, or release it on that path.")


# Statuses whose response has no body: aiohttp releases its connection as soon as it arrives.
EMPTY_STATUSES = frozenset({"204", "304", "NO_CONTENT", "NOT_MODIFIED"})


def empty_body(test: cst.BaseExpression) -> bool:
    """A test that names a status without a body (``status == 204``, ``HTTPStatus.NO_CONTENT``)."""
    return any(isinstance(node, cst.Integer) and node.value in EMPTY_STATUSES
               or isinstance(node, cst.Name) and node.value in EMPTY_STATUSES for node in walk(test))


def looked_at(owner: cst.CSTNode, name: str) -> Set[str]:
    """``name`` and the locals assigned from it (``status = resp.status``): a test of one of them
    looks at the response, so that both of its outcomes are real paths."""
    found = {name}
    for node in own_code(owner):
        target = single_target(node) if isinstance(node, (cst.Assign, cst.AnnAssign)) else None
        if isinstance(target, cst.Name) and node.value is not None and any(  # type: ignore[union-attr]
                isinstance(n, cst.Name) and n.value == name for n in walk(node.value)):  # type: ignore[union-attr]
            found.add(target.value)
    return found


def handling(owner: cst.CSTNode, name: str, binding: cst.CSTNode) -> Tuple[List[cst.CSTNode], List[cst.CSTNode]]:
    """The places where the response ``name`` is entered, read, released or closed, or handed to
    someone else; and those where the name is bound again (what it held is out of sight from there)."""
    tracked = track(owner, name)  # type: ignore[arg-type]
    found: List[cst.CSTNode] = [*tracked.entered, *(call.call for call in tracked.calls_to(*CLOSING_METHODS))]
    rebound: List[cst.CSTNode] = []
    # What each `name.attr` reads, by the node of `name`: the tracker sees `f(name.attr)` as a
    # bound method handed on, which is a closing only for a closing method or the body stream.
    attributes = {}
    for node in walk(owner):
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == name:
            attributes[node.value] = node.attr.value
            if node.attr.value == BODY_STREAM:
                found.append(node)
        elif isinstance(node, cst.AssignTarget) and isinstance(node.target, cst.Name) and node.target.value == name \
                and not any(node is target for target in getattr(binding, "targets", ())):
            rebound.append(node)
    found.extend(escape.node for escape in tracked.escapes
                 if escape.how != "method" or attributes.get(escape.node) in CLOSING_METHODS)
    return found, rebound


def awaited_request(value: Optional[cst.BaseExpression]) -> Optional[cst.Call]:
    """``await x.get(...)``: the call, else None."""
    if isinstance(value, cst.Await) and isinstance(value.expression, cst.Call):
        return value.expression
    return None


def is_head(request: cst.Call) -> bool:
    """``session.head(url)`` or ``session.request("HEAD", url)``."""
    method = request.func.attr.value if isinstance(request.func, cst.Attribute) else None
    if method == "head":
        return True
    first = request.args[0].value if request.args and request.args[0].keyword is None else None
    return method == "request" and isinstance(first, cst.SimpleString) and first.raw_value.upper() == "HEAD"


# Calls that await the coroutines they are given: a coroutine passed to them is awaited.
AWAITING_CALLS = frozenset({
    "asyncio.gather", "asyncio.wait_for", "asyncio.wait", "asyncio.shield", "asyncio.create_task",
    "asyncio.ensure_future", "asyncio.run", "asyncio.as_completed", "asyncio.run_coroutine_threadsafe",
    "asyncio.AbstractEventLoop.run_until_complete", "asyncio.AbstractEventLoop.create_task",
})
# What goes wrong, by what the call would do once awaited.
UNAWAITED_EFFECT = {
    "request": "the request is never sent",
    "read": "the body is never read (the value is a coroutine, not the data)",
    "close": "nothing is closed",
}
# Uses of a value that would need it awaited first: `resp.json()["id"]`, `resp.text() == "ok"`...
VALUE_USES = (cst.Subscript, cst.Attribute, cst.Comparison, cst.ComparisonTarget, cst.FormattedStringExpression,
              cst.BinaryOperation)


# The methods whose call may be a coroutine left unawaited (``close`` among them).
AWAITABLE_METHODS = RESPONSE_READS | SESSION_COROUTINES


class UnawaitedCoroutine(Rule):
    """Reports an aiohttp coroutine that is called but never awaited.

    ## What it does
    Reports `resp.json()`, `resp.text()`, `resp.read()` on a known response,
    `session.get(...)` (any request method, `ws_connect`) and `session.close()` on a
    known session, when the result is never awaited: a statement of its own, a local
    that is never awaited, entered or passed on, a value used at once
    (`resp.json()["id"]`, `resp.text() == "ok"`, an f-string), passed to a builtin or
    `json` function (`json.loads(resp.text())`), or, for a response read, returned
    from a coroutine.

    ## Why is this bad?
    These calls only create a coroutine (or, for requests, a context manager that
    sends nothing until it is awaited or entered). The request is never sent, the
    body never read, the session never closed; the code goes on with a coroutine
    object where it expects data, and Python warns `coroutine ... was never awaited`.

    ## Example
    ```python
    async def fetch(session, url):
        async with session.get(url) as resp:
            data = resp.json()
            return data["items"]
    ```

    ## Use instead
    ```python
    async def fetch(session, url):
        async with session.get(url) as resp:
            data = await resp.json()
            return data["items"]
    ```

    ## Known limits
    Only receivers whose type is known are reported (a session created, entered or
    annotated as one; a response from `async with session.get(...) as resp` or
    `await session.get(...)`). A coroutine passed to any other function, stored or
    captured is assumed awaited there, and one passed to `asyncio.gather`,
    `wait_for`, `create_task` and the like is awaited. `session.close()` as a
    statement of its own is AIO106's. A local bound more than once is not followed.
    """

    code = "AIO402"
    name = "unawaited-coroutine"
    summary = "`resp.json()`, `session.get()`, `session.close()`... called and never awaited"
    message = "`{call}()` {how} and is never awaited, so {effect}; `await` it."
    triggers = frozenset({"aiohttp"})

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in AWAITABLE_METHODS:
            return  # before asking what the receiver is, which costs more than every other step
        kind = awaitable_call(self.context.type_of(func.value), func.attr.value)
        if kind is None:
            return
        how = self.never_awaited(node, kind)
        if how is not None:
            self.report(node, call=self.context.code_for(func), how=how, effect=UNAWAITED_EFFECT[kind])

    def never_awaited(self, call: cst.Call, kind: str) -> Optional[str]:
        """How the call's result is left unawaited ("is called as a statement"...), or None."""
        ancestors = self.context.ancestors
        parent = ancestors[-1]
        if isinstance(parent, cst.Expr):
            return None if kind == "close" else "is called as a statement"  # a bare close() is AIO106's
        if isinstance(parent, VALUE_USES) and not (isinstance(parent, cst.Attribute) and parent.attr is call):
            return "returns a coroutine that is used as a value"
        if isinstance(parent, cst.Return) and kind == "read" and self.context.in_coroutine():
            return "returns a coroutine that this coroutine returns as its result"
        if isinstance(parent, cst.Arg) and parent.value is call and len(ancestors) > 1:
            outer = ancestors[-2]
            name = self.context.callee_name(outer) if isinstance(outer, cst.Call) else None
            if name is not None and name not in AWAITING_CALLS and name.startswith(("builtins.", "json.")):
                return f"returns a coroutine that is passed to `{name.split('.', 1)[1]}()`"
            return None
        if isinstance(parent, (cst.Assign, cst.AnnAssign)):
            target = single_target(parent)
            owner = code_owner(self.context.scope)
            if isinstance(target, cst.Name) and owner is not None and not self.awaited_later(owner, target.value):
                return f"returns a coroutine that is assigned to `{target.value}`"
        return None

    @staticmethod
    def awaited_later(owner: cst.CSTNode, name: str) -> bool:
        """The local is awaited, entered, handed on, or bound more than once (then it is not followed)."""
        tracked = track(owner, name)  # type: ignore[arg-type]
        if tracked.bindings != 1 or tracked.entered or tracked.escapes or tracked.calls:
            return True
        return any(isinstance(node, cst.Await) and isinstance(node.expression, cst.Name)
                   and node.expression.value == name for node in walk(owner))


class RequestHelperMisuse(Rule):
    """Reports `await aiohttp.request(...)`: it is an async context manager, not a coroutine.

    ## What it does
    Reports `aiohttp.request(...)` (under any alias) as the operand of `await`.

    ## Why is this bad?
    `aiohttp.request()` returns a context manager that opens a session of its own
    and closes it when the block ends. Awaiting it raises `TypeError: object
    _SessionRequestContextManager can't be used in 'await' expression`, and the
    session it has started to create is left unclosed.

    ## Example
    ```python
    resp = await aiohttp.request("GET", url)
    ```

    ## Use instead
    ```python
    async with aiohttp.request("GET", url) as resp:
        data = await resp.json()
    ```
    The fix (safe) drops the `await` where the call already stands in an
    `async with` (`async with await aiohttp.request(...) as resp:`); elsewhere the
    code around it must be reshaped into a block, and there is no fix.

    ## Known limits
    A call reaching `await` through a variable (`ctx = aiohttp.request(...)`,
    `await ctx`) is not seen.
    """

    code = "AIO404"
    name = "request-helper-misuse"
    fixable = "safe"
    summary = "`await aiohttp.request(...)`: it is an async context manager (`async with`), not a coroutine"
    message = ("`await {call}(...)` raises `TypeError`: `aiohttp.request()` is an async context manager; "
               "use `async with {call}(...) as resp:`.")
    triggers = frozenset({"aiohttp"})

    def visit_Await(self, node: cst.Await) -> None:
        call = node.expression
        if not isinstance(call, cst.Call) or self.context.callee_among(call, frozenset({REQUEST_FUNCTION})) is None:
            return
        parent = self.context.ancestors[-1]
        grand = self.context.ancestors[-2] if len(self.context.ancestors) > 1 else None
        fix = None
        if isinstance(parent, cst.WithItem) and parent.item is node and isinstance(grand, cst.With) \
                and grand.asynchronous is not None and not node.lpar:
            fix = NodeFix("safe", (Replacement(node, self.context.code_for(call).strip()),))
        self.report(node, fix=fix, call=self.context.code_for(call.func).strip())


class ResponseUsedAfterClose(Rule):
    """Reports a response read, returned or stored after the block that owned it ended.

    ## What it does
    Reports, after an `async with session.get(...) as resp:` block (any request
    method, or `aiohttp.request(...)`) whose body did not read the response
    (`read()`, `text()`, `json()`, its `content`), a later use of `resp` in the same
    function that needs its body: a read (`await resp.text()`, `resp.content`), or
    handing the response on (`return resp`, `yield resp`, `self.resp = resp`,
    `cache[key] = resp`, `results.append(resp)`). Also a response awaited into a local
    inside an `async with ClientSession() as session:` block and read, returned or
    stored after that block.

    ## Why is this bad?
    Leaving the `async with` block releases the response's connection (or closes the
    session and every connection with it). A body not read by then is gone: reading
    it fails with `Connection closed`, typically only for bodies too large to have
    been buffered already, so it passes tests and fails in production. A response
    returned or stored is one whose receiver will read it later, when it can no
    longer be read.

    ## Example
    ```python
    async def fetch(session, url):
        async with session.get(url) as resp:
            resp.raise_for_status()
        return resp
    ```

    ## Use instead
    ```python
    async def fetch(session, url):
        async with session.get(url) as resp:
            resp.raise_for_status()
            return await resp.json()
    ```
    or read the body in the block (`await resp.read()`) before handing the response
    on: aiohttp keeps a body it has read, and later reads return it.

    ## Known limits
    Uses are followed in source order within the function, up to the next binding
    of the name; a use in a nested function is not followed. A body read inside the
    block (even on one path only) counts as read: aiohttp keeps it, so later reads
    work; so does a response passed to a function in the block, which may read it.
    Status and headers stay available after the block and are not reported, nor is
    what was read from the body (`data = await resp.json()` stored or returned). A response passed as an argument to another function after its
    block is not reported. A read in a `with pytest.raises(...):` block is a test of
    this very failure. A response returned or stored in test code (test modules,
    pytest or unittest tests and fixtures) is not reported: tests hand responses to
    their own assertions, which check the status.
    """

    code = "AIO403"
    name = "response-used-after-close"
    summary = "A response read, returned or stored after the `async with` block that owned it ended"
    message = ("`{name}`'s body is read after the `async with` block that owned it ended, and was not read in it: "
               "its connection is released by then, so the read fails; read the body inside the block.")
    message_handed_on = ("`{name}` is {how} after the `async with` block that owned it ended, and its body was not "
                         "read in it: its connection is released by then, so reading the body later fails; "
                         "read the body inside the block and hand on what you read.")
    triggers = frozenset({"aiohttp"})

    def visit_With(self, node: cst.With) -> None:
        if node.asynchronous is None:
            return
        owner = code_owner(self.context.scope)
        if owner is None:
            return
        for item in node.items:
            if item.asname is None or not isinstance(item.asname.name, cst.Name):
                continue
            name = item.asname.name.value
            kind = self.context.type_of(item.item)
            if kind in (REQUEST_CONTEXT, RESPONSE) or (isinstance(item.item, cst.Call) and self.context.callee_among(
                    item.item, frozenset({REQUEST_FUNCTION})) is not None):
                self.check(owner, node, name)
            elif kind == SESSION:
                for response in self.responses_on(node, name):
                    self.check(owner, node, response)

    def responses_on(self, block: cst.With, session: str) -> List[str]:
        """Locals assigned ``await session.<request>(...)`` in the block."""
        found = []
        for statement in own_code(block.body):
            target = single_target(statement)
            request = awaited_request(getattr(statement, "value", None)) if target is not None else None
            if isinstance(target, cst.Name) and request is not None and isinstance(request.func, cst.Attribute) \
                    and request.func.attr.value in REQUEST_METHODS and isinstance(request.func.value, cst.Name) \
                    and request.func.value.value == session:
                found.append(target.value)
        return found

    def check(self, owner: cst.CSTNode, block: cst.With, name: str) -> None:
        inside = set(walk(block))
        if any(reads_body(node, name) or passed_on(node, name) for node in inside):
            return
        for use, how, ancestors in uses_after(owner, block, inside, name):
            if how is not None:
                if not self.context.in_test_code():  # a test hands it to its own asserts on the status
                    self.report(use, self.message_handed_on.format(name=name, how=how))
            elif not expects_error(ancestors, self.context.qualified_name):
                self.report(use, name=name)


# Methods that keep their argument in a container: ``results.append(resp)``, ``await queue.put(resp)``.
STORING_METHODS = frozenset({"append", "appendleft", "add", "insert", "put", "put_nowait", "setdefault"})


def reads_body(node: cst.CSTNode, name: str) -> bool:
    """``name.read()``/``text()``/``json()`` called, or its ``content`` stream used."""
    if not (isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == name):
        return False
    return node.attr.value in RESPONSE_READS or node.attr.value == BODY_STREAM


def passed_on(node: cst.CSTNode, name: str) -> bool:
    """``check(name)``: the function called may read the body."""
    return isinstance(node, cst.Arg) and isinstance(node.value, cst.Name) and node.value.value == name


def handed_on(name: cst.Name, ancestors: Sequence[cst.CSTNode]) -> Optional[Tuple[cst.CSTNode, str]]:
    """``return name`` (alone or in a tuple or list), ``yield name``, ``x.attr = name``, ``x[k] = name``,
    ``x.append(name)``: the node to report and how the response is handed on; None for any other use."""
    value: cst.CSTNode = name
    index = len(ancestors) - 1
    while index >= 1 and isinstance(ancestors[index], cst.Element) and isinstance(ancestors[index - 1],
                                                                                  (cst.Tuple, cst.List)):
        value, index = ancestors[index - 1], index - 2
    parent = ancestors[index] if index >= 0 else None
    if isinstance(parent, cst.Return) and parent.value is value:
        return parent, "returned"
    if isinstance(parent, cst.Yield) and parent.value is value:
        return parent, "yielded"
    if value is not name:
        return None
    if isinstance(parent, (cst.Assign, cst.AnnAssign)) and parent.value is name:
        targets = [t.target for t in parent.targets] if isinstance(parent, cst.Assign) else [parent.target]
        if any(isinstance(target, (cst.Attribute, cst.Subscript)) for target in targets):
            return parent, "stored"
    if isinstance(parent, cst.Arg) and parent.value is name and index >= 1:
        call = ancestors[index - 1]
        if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and call.func.attr.value in STORING_METHODS:
            return call, "stored"
    return None


def uses_after(owner: cst.CSTNode, block: cst.With, inside: Set[cst.CSTNode],
               name: str) -> List[Tuple[cst.CSTNode, Optional[str], List[cst.CSTNode]]]:
    """The uses of ``name`` after ``block`` in source order, up to its next binding, that need its body:
    reads of it (how: None) and the response handed on (how: "returned", "yielded", "stored"), each with
    its ancestors within ``owner``."""
    found: List[Tuple[cst.CSTNode, Optional[str], List[cst.CSTNode]]] = []
    after = False
    stack: List[Tuple[cst.CSTNode, Tuple[cst.CSTNode, ...]]] = [
        (owner.body if isinstance(owner, cst.FunctionDef) else owner, ())]
    while stack:
        node, ancestors = stack.pop()
        if node is block:
            after = True
            continue
        if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)) and node is not owner:
            continue
        if after and isinstance(node, cst.Name) and node.value == name and node not in inside:
            parent = ancestors[-1] if ancestors else None
            if rebinds(node, parent):
                break
            if reads_body(parent, name):  # type: ignore[arg-type]
                grand = ancestors[-2] if len(ancestors) > 1 else None
                use = grand if isinstance(grand, cst.Call) and grand.func is parent else parent
                found.append((use, None, list(ancestors)))  # type: ignore[arg-type]
            else:
                handed = handed_on(node, ancestors)
                if handed is not None:
                    found.append((handed[0], handed[1], list(ancestors)))
            continue
        inner = ancestors + (node,)
        for kid in reversed(children(node)):
            stack.append((kid, inner))
    return found


def rebinds(name: cst.Name, parent: Optional[cst.CSTNode]) -> bool:
    return (isinstance(parent, cst.AssignTarget) or isinstance(parent, cst.AsName)
            or (isinstance(parent, (cst.AnnAssign, cst.AugAssign, cst.For, cst.CompFor, cst.NamedExpr))
                and getattr(parent, "target", None) is name))
