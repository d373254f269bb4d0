"""AIO9xx: tasks and fan-out.

Fact from asyncio: the event loop keeps only weak references to tasks
(``asyncio.create_task``'s documentation says so and asks callers to keep one), so
a task nobody refers to can be garbage-collected before it finishes, and its
exception is never retrieved.
"""

from __future__ import annotations

from typing import Any, Optional

import libcst as cst

from ..semantics.aiohttp import CONNECTOR
from ..semantics.tree import walk
from ..semantics.values import EVENT_LOOP, REQUEST_METHODS, SESSION
from .base import Rule

TASK_MAKERS = frozenset({"asyncio.create_task", "asyncio.ensure_future", f"{EVENT_LOOP}.create_task"})


class DanglingTask(Rule):
    """Reports a task created and dropped: `asyncio.create_task(...)` as a bare statement.

    ## What it does
    Reports `asyncio.create_task(...)`, `asyncio.ensure_future(...)` (of a call) and
    `loop.create_task(...)` on a known event loop (`asyncio.get_running_loop()`,
    `asyncio.get_event_loop()`, a parameter annotated `asyncio.AbstractEventLoop`)
    used as a statement of their own, so that nothing keeps the task they return.

    ## Why is this bad?
    The event loop keeps only a weak reference to a task. A task no one else refers
    to can be garbage-collected in the middle of its work (Python's documentation
    warns about exactly this), and if it fails, its exception is only logged as
    "Task exception was never retrieved" when it is collected, if ever.

    ## Example
    ```python
    async def on_message(message):
        asyncio.create_task(store(message))
    ```

    ## Use instead
    ```python
    background_tasks = set()

    async def on_message(message):
        task = asyncio.create_task(store(message))
        background_tasks.add(task)
        task.add_done_callback(background_tasks.discard)
    ```
    or run the work in an `asyncio.TaskGroup` (`tg.create_task(...)`), which keeps
    its tasks and waits for them.

    ## Known limits
    Off by default: on the benchmark corpus, a reviewer who had not seen the rule judged
    5 of 10 sampled findings not worth fixing: background tasks started on purpose in
    tests and examples, and fire-and-forget tasks a project keeps by design
    (discord.py's `delete_after`), where the garbage-collection risk stays theoretical.
    Select it with `--extend-select AIO901`.

    A task whose result is assigned, added to a container, awaited or passed on is
    not reported, even if that reference is dropped right after. `TaskGroup.create_task`
    is never reported. A loop kept on `self` (`self.loop.create_task(...)`) is only
    recognised when the class assigns it from a known source.
    `asyncio.ensure_future(x)` of a name is not reported: `x` may be a task someone
    already holds, which `ensure_future` returns as it is.
    """

    code = "AIO901"
    default_enabled = False
    name = "dangling-task"
    summary = "`asyncio.create_task()`/`ensure_future()` whose task is dropped: it may be garbage-collected mid-flight"
    message = ("The task `{call}(...)` creates is dropped: the event loop keeps only a weak reference, so it may be "
               "garbage-collected before it finishes and its exception is never seen; keep a reference (a set of "
               "tasks, discarded when done) or use an `asyncio.TaskGroup`.")
    triggers = frozenset({"create_task", "ensure_future"})

    def visit_Expr(self, node: cst.Expr) -> None:
        call = node.value
        if not isinstance(call, cst.Call) or not isinstance(call.func, (cst.Name, cst.Attribute)):
            return
        callee = self.context.callee_among(call, TASK_MAKERS)
        if callee is None:
            return
        if callee == "asyncio.ensure_future":
            first = call.args[0].value if call.args and not call.args[0].star else None
            if not isinstance(first, cst.Call):
                return
        self.report(call, call=self.context.code_for(call.func))


GATHER = "asyncio.gather"
SEMAPHORES = frozenset({"asyncio.Semaphore", "asyncio.BoundedSemaphore"})


def is_unlimited_connector(expr: Optional[cst.BaseExpression], context: Any) -> bool:
    """``TCPConnector(limit=0)`` (or ``limit=None``), written there or bound to the name given."""
    if isinstance(expr, cst.Name):
        bindings = context.scope.lookup(expr.value) or []
        return len(bindings) == 1 and bindings[0].kind == "assign" and is_unlimited_connector(bindings[0].value, context)
    if not isinstance(expr, cst.Call) or context.callee_name(expr) != CONNECTOR:
        return False
    limit = next((arg.value for arg in expr.args if arg.keyword is not None and arg.keyword.value == "limit"), None)
    return (isinstance(limit, cst.Integer) and limit.evaluated_value == 0) or (
        isinstance(limit, cst.Name) and limit.value == "None")


class UnboundedFanout(Rule):
    """Reports `asyncio.gather` over one request per item on a connector without a limit.

    ## What it does
    Reports `asyncio.gather(*(session.get(u) for u in urls))` (a generator or list
    comprehension of requests, any request method) when the session is created in
    the same scope with `connector=aiohttp.TCPConnector(limit=0)` (or `limit=None`),
    and the function takes no `asyncio.Semaphore`.

    ## Why is this bad?
    With `limit=0` the connector opens as many connections as there are requests: a
    list of ten thousand URLs opens ten thousand sockets at once, exhausting file
    descriptors, tripping the servers' rate limits and timing out requests that wait
    behind the others. The default connector caps this at 100 connections.

    ## Example
    ```python
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        responses = await asyncio.gather(*(session.get(url) for url in urls))
    ```

    ## Use instead
    ```python
    connector = aiohttp.TCPConnector(limit=50)
    async with aiohttp.ClientSession(connector=connector) as session:
        responses = await asyncio.gather(*(session.get(url) for url in urls))
    ```
    or bound the work with an `asyncio.Semaphore`.

    ## Known limits
    Off by default: whether the iterable is large is not known, and many fan-outs
    are over a handful of items. Only requests written in the comprehension are
    seen (not a helper that makes them), only sessions whose connector is written
    in the same scope, and tasks created in a loop are not followed.
    """

    code = "AIO902"
    name = "unbounded-fanout"
    summary = "`asyncio.gather` over one request per item on a connector with `limit=0`"
    message = ("`asyncio.gather` starts one request per item at once on a connector without a connection limit "
               "(`limit=0`); set a limit on the connector or bound the fan-out with an `asyncio.Semaphore`.")
    default_enabled = False
    triggers = frozenset({"gather"})

    def visit_Call(self, node: cst.Call) -> None:
        if self.context.callee_among(node, frozenset({GATHER})) is None:
            return
        for arg in node.args:
            if arg.star == "*" and isinstance(arg.value, (cst.GeneratorExp, cst.ListComp)) \
                    and self.unlimited_request(arg.value.elt) and not self.uses_semaphore():
                self.report(node)
                return

    def unlimited_request(self, call: cst.BaseExpression) -> bool:
        # `[await session.get(url) for url in urls]` awaits each request in turn: not a fan-out.
        if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
                and call.func.attr.value in REQUEST_METHODS and isinstance(call.func.value, cst.Name)):
            return False
        if self.context.type_of(call.func.value) != SESSION:
            return False
        for binding in self.context.scope.lookup(call.func.value.value) or []:
            creation = binding.value
            if isinstance(creation, cst.Call):
                connector = next((arg.value for arg in creation.args
                                  if arg.keyword is not None and arg.keyword.value == "connector"), None)
                if is_unlimited_connector(connector, self.context):
                    return True
        return False

    def uses_semaphore(self) -> bool:
        function = self.context.scope.function()
        owner = function.node if function is not None else self.context.module
        return any(isinstance(node, cst.Call) and self.context.callee_name(node) in SEMAPHORES
                   for node in walk(owner))
