"""AIO9xx: tasks and fan-out.

Fact from asyncio: the event loop keeps only weak references to tasks
(``asyncio.create_task``'s documentation says so and asks callers to keep one), so
a task nobody refers to can be garbage-collected before it finishes, and its
exception is never retrieved.
"""

from __future__ import annotations

import libcst as cst

from ..semantics.values import EVENT_LOOP
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
    A task whose result is assigned, added to a container, awaited or passed on is
    not reported, even if that reference is dropped right after. `TaskGroup.create_task`
    is never reported. A loop kept on `self` (`self.loop.create_task(...)`) is only
    recognised when the class assigns it from a known source.
    `asyncio.ensure_future(x)` of a name is not reported: `x` may be a task someone
    already holds, which `ensure_future` returns as it is.
    """

    code = "AIO901"
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
