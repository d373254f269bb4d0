"""AIO4xx: responses that keep their connection out of the pool.

Fact from aiohttp 3.x: a response releases its connection when its body has been
read to the end (``read()``, ``text()``, ``json()``, or its ``content`` stream),
when it is released or closed, or when its ``async with`` ends. A response with an
empty body (a ``HEAD``, a 204) releases it as soon as it arrives. Otherwise the
connection stays taken until the response object is garbage-collected.
"""

from __future__ import annotations

from typing import Optional, Union

import libcst as cst

from ..semantics.tracking import track
from ..semantics.scope import code_owner
from ..semantics.tree import single_target, walk
from ..semantics.values import SESSION_REQUESTS
from .base import Rule

# Calls that read the body to the end or give the connection back.
CLOSING_METHODS = ("read", "text", "json", "release", "close", "wait_for_close")
BODY_STREAM = "content"  # `resp.content`: whoever reads the stream to its end releases the connection


class ResponseNotClosed(Rule):
    """Reports a response awaited into a variable that is never closed, released or read.

    ## What it does
    Reports `resp = await session.get(url)` (any request method) when, in the
    function, `resp` is never the subject of `async with`, never `release()`d or
    `close()`d, its body is never read (`await resp.read()`, `text()`, `json()`,
    or its `content` stream), and it is not returned, stored, passed on or used by
    a nested function.

    ## Why is this bad?
    A response holds its pooled connection until its body is read or it is
    released. One that is only looked at (`resp.status`) keeps the connection
    until the response is garbage-collected (later than the function's end when
    a traceback or a cycle still refers to it), and the connection is then
    closed, not reused, with an "Unclosed response" warning in debug mode. Under
    load the pool (100 connections by default) runs dry and new requests wait.

    ## Example
    ```python
    resp = await session.get(url)
    return resp.status == 200
    ```

    ## Use instead
    ```python
    async with session.get(url) as resp:
        return resp.status == 200
    ```

    ## Known limits
    Precision over recall: one read, release or close anywhere in the function
    counts, even if another path (an early `return`, an exception) skips it.
    A response whose name is passed to any call (a helper, `print`), stored or
    returned is someone else's. Only sessions the linter can type are followed
    (a `ClientSession` created, entered or annotated as such, or `self.x`
    assigned one), and only a response bound to a plain local name. `HEAD`
    requests are not reported: their empty body releases the connection at once.
    A response whose result is dropped (`await session.post(url)` as a
    statement) is not reported.
    """

    code = "AIO401"
    name = "response-not-closed"
    summary = "A response awaited into a variable and never closed, released or read: it holds its connection"
    message = ("Response `{name}` is never read, released or closed, so it holds a pooled connection until it is "
               "garbage-collected; use `async with {call} as {name}:` or read its body.")
    triggers = frozenset({"aiohttp"})

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
        if owner is not None and not self.is_handled(owner, target.value):
            self.report(node, name=target.value, call=self.context.code_for(request.func) + "(...)")

    @staticmethod
    def is_handled(owner: cst.CSTNode, name: str) -> bool:
        """Entered, read, released or closed somewhere, or handed to someone else."""
        tracked = track(owner, name)
        if tracked.entered or tracked.calls_to(*CLOSING_METHODS):
            return True
        # What each `name.attr` reads, by the node of `name`: the tracker sees `f(name.attr)` as a
        # bound method handed on, which is a closing only for a closing method or the body stream.
        attributes = {node.value: node.attr.value for node in walk(owner)
                      if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name)
                      and node.value.value == name}
        if BODY_STREAM in attributes.values():
            return True
        return any(escape.how != "method" or attributes.get(escape.node) in CLOSING_METHODS
                   for escape in tracked.escapes)


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
