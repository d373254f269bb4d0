"""AIO5xx: except clauses that swallow errors or cancellation, or cannot catch at all."""

from __future__ import annotations

from typing import Iterator, List, Optional, Set, Tuple, Union

import libcst as cst

from ..semantics import tree
from .base import NodeFix, Replacement, Rule

Handler = Union[cst.ExceptHandler, cst.ExceptStarHandler]

BROAD = frozenset({"builtins.Exception", "builtins.BaseException"})
CANCELLATION = frozenset({"asyncio.CancelledError", "builtins.BaseException"})
# Classes users put in an except clause by mistake: none derives from BaseException.
NOT_EXCEPTIONS = frozenset({"aiohttp.ClientTimeout", "aiohttp.ClientWSTimeout", "asyncio.Timeout", "asyncio.timeout"})
TIMEOUT_ERRORS = frozenset({"asyncio.TimeoutError", "builtins.TimeoutError"})

# Calls that record the traceback: ``logger.exception()``, ``traceback.print_exc()``,
# asyncio's ``loop.call_exception_handler()``, and by their suffix Sentry's
# ``capture_exception()`` and helpers such as ``self.log_exception()``. Matched by the
# callee's last name: any ``x.exception(...)`` counts (precision first).
TRACEBACK_CALLS = frozenset({"exception", "print_exc", "format_exc", "call_exception_handler"})
TRACEBACK_SUFFIX = "_exception"
# Calls that pass a message, not the exception, on: passing the caught exception to
# them is not handing it to someone who will deal with it.
MESSAGE_CALLS = frozenset({"debug", "info", "warning", "warn", "error", "critical", "fatal", "log"})
# Functions that never return: the handler ends by raising, as with ``raise``.
NO_RETURN = frozenset({"sys.exit", "os._exit", "os.abort", "pytest.fail", "pytest.skip", "pytest.xfail", "pytest.exit"})

_NESTED_CODE = frozenset({cst.FunctionDef, cst.Lambda, cst.ClassDef})  # runs later or elsewhere, if at all


def walk(node: cst.CSTNode, until: Optional[cst.CSTNode] = None) -> Iterator[cst.CSTNode]:
    """The node and its descendants in source order, not entering nested defs, lambdas or
    classes; stops before ``until``."""
    return tree.walk(node, skip=_NESTED_CODE, until=until)


def caught_expressions(handler: Handler) -> List[cst.BaseExpression]:
    """``except (A, (B, C))`` -> [A, B, C]; a bare ``except:`` -> []."""
    found: List[cst.BaseExpression] = []
    pending = [handler.type] if handler.type is not None else []
    while pending:
        expr = pending.pop(0)
        if isinstance(expr, cst.Tuple):
            pending[:0] = [element.value for element in expr.elements]
        else:
            found.append(expr)
    return found


def caught_name(handler: Handler) -> Optional[str]:
    return handler.name.name.value if handler.name is not None and isinstance(handler.name.name, cst.Name) else None


def is_named(expr: Optional[cst.BaseExpression], name: Optional[str]) -> bool:
    return name is not None and isinstance(expr, cst.Name) and expr.value == name


def last_name(expr: cst.BaseExpression) -> Optional[str]:
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    if isinstance(expr, cst.Name):
        return expr.value
    return None


def is_falsy_literal(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.Name):
        return expr.value in ("False", "None")
    return isinstance(expr, cst.Integer) and expr.value == "0"


def await_points(block: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The places in ``block`` where the running task can be cancelled: awaits, ``async for``, ``async with``."""
    for node in walk(block):
        if isinstance(node, cst.Await):
            yield node
        elif isinstance(node, (cst.For, cst.With, cst.CompFor)) and node.asynchronous is not None:
            yield node


def holds(expr: cst.BaseExpression, name: Optional[str]) -> bool:
    """``expr`` is ``name`` itself or a tuple, list, set or dict display holding it."""
    if is_named(expr, name):
        return True
    if isinstance(expr, (cst.Tuple, cst.List, cst.Set)):
        return any(holds(element.value, name) for element in expr.elements)
    if isinstance(expr, cst.Dict):
        return any(isinstance(element, cst.DictElement) and holds(element.value, name) for element in expr.elements)
    return False


def records_traceback(call: cst.Call) -> bool:
    """``logger.exception()``, ``traceback.print_exc()``, any call with a truthy ``exc_info=``."""
    callee = last_name(call.func) or ""
    return (callee in TRACEBACK_CALLS or callee.endswith(TRACEBACK_SUFFIX)
            or any(arg.keyword is not None and arg.keyword.value == "exc_info" and not is_falsy_literal(arg.value)
                   for arg in call.args))


def logs_traceback(handler: Handler) -> bool:
    return any(isinstance(node, cst.Call) and records_traceback(node) for node in walk(handler.body))


def handlers_before(try_node: Union[cst.Try, cst.TryStar], handler: Handler) -> Iterator[Handler]:
    for earlier in try_node.handlers:
        if earlier is handler:
            return
        yield earlier


def uncancels(handler: Handler) -> bool:
    """``asyncio.current_task().uncancel()``: the handler consciously ends the cancellation (Python 3.11+)."""
    return any(isinstance(node, cst.Call) and last_name(node.func) == "uncancel" for node in walk(handler.body))


class ExceptionRule(Rule):
    """Shared by the AIO5xx rules: what a handler catches, and whether the exception goes on."""

    def caught(self, handler: Handler) -> List[Tuple[cst.BaseExpression, Optional[str]]]:
        return [(expr, self.context.qualified_name(expr)) for expr in caught_expressions(handler)]

    def first_caught(self, handler: Handler, names: frozenset) -> Optional[Tuple[str, Optional[str]]]:
        """The first caught class among ``names``: how the source spells it, and its qualified name.

        A bare except is ("everything", None).
        """
        if handler.type is None:
            return "everything", None
        for expr, name in self.caught(handler):
            if name in names:
                return f"`{self.context.code_for(expr)}`", name
        return None

    def passes_on(self, handler: Handler, keep_traceback: bool) -> bool:
        """The handler raises, or hands the caught exception to code that will see it.

        Any ``raise`` counts (a new exception raised here chains the caught one as its
        context); with ``keep_traceback``, ``raise X from None``, which hides it, does not.
        Handing on: the caught exception stored (``self.error = err``,
        ``errors.append(err)``), returned, yielded, or passed to any call but a logging
        method or a builtin (``fut.set_exception(err)``, ``self.handle_error(err)``).
        """
        name = caught_name(handler)
        for node in walk(handler.body):
            if isinstance(node, cst.Raise):
                hidden = node.cause is not None and is_named(node.cause.item, "None")
                if not (keep_traceback and hidden):
                    return True
            elif isinstance(node, cst.Call):
                callee = self.context.callee_name(node)
                if callee in NO_RETURN:
                    return True
                passes_message = last_name(node.func) in MESSAGE_CALLS or (callee or "").startswith("builtins.")
                if not passes_message and any(holds(arg.value, name) for arg in node.args):
                    return True
            elif isinstance(node, (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Return, cst.Yield)):
                if node.value is not None and holds(node.value, name):
                    return True
        return False


class BroadExcept(ExceptionRule):
    """Catches every error in a coroutine and neither re-raises nor logs the traceback.

    ## What it does
    Flags a bare `except:`, `except Exception` or `except BaseException` (alone or in a
    tuple) in a coroutine when the handler neither lets the error go on (`raise`, or the
    caught exception handed to other code) nor records its traceback
    (`logger.exception(...)`, any call with a truthy `exc_info=`, `traceback.print_exc()`
    and friends).

    ## Why is this bad?
    In a coroutine a broad handler catches every `aiohttp.ClientError`, every
    `TimeoutError`, and every bug (a `KeyError` in your JSON handling, a `TypeError` from a
    wrong call) the same way, and throws the traceback away. The request fails, the task
    goes on as if nothing happened, and nobody learns why.

    ## Example
    ```python
    async def fetch(session, url):
        try:
            async with session.get(url) as response:
                return await response.json()
        except Exception:
            return None
    ```

    ## Use instead
    ```python
    async def fetch(session, url):
        try:
            async with session.get(url) as response:
                return await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError):
            logger.warning("fetching %s failed", url, exc_info=True)
            return None
    ```

    ## Known limits
    Only coroutines are checked: a plain `def` (also one nested in a coroutine) is not.
    Any `raise` in the handler counts, even a new exception without `from err` (Python
    chains the caught one as its context, so its traceback is still printed); only
    `raise X from None`, which hides it, does not. Calling `sys.exit()` or `pytest.fail()`
    counts as raising. The handler hands the exception on, and is not reported, when it
    stores the caught `err` (`self.error = err`, `errors.append(err)`), returns or yields
    it, or passes it to any call but a logging method or a builtin (`fut.set_exception(err)`,
    `self.handle_error(request, err)`): what that code does with it is not followed. Any
    call named `exception(...)`, `call_exception_handler(...)` or ending in `_exception(...)`
    (`capture_exception`, `self.log_exception`) counts as logging the traceback; a hook
    that reads `sys.exc_info()` itself (`await self.on_error()`) does not. Code in a function nested in the handler is not
    looked at. A handler that catches `BaseException` or everything and swallows it is
    also reported as AIO502: the lost traceback and the lost cancellation are separate
    problems with separate fixes, and either code can be ignored alone.
    `contextlib.suppress(Exception)` is not checked.
    """

    code = "AIO501"
    name = "broad-except"
    summary = "A broad except in a coroutine that neither re-raises nor logs the traceback"
    message = ("This handler catches {what} and neither re-raises nor logs the traceback, so errors vanish "
               "silently; catch the exceptions you expect, re-raise, or log with `logger.exception()`.")
    triggers = frozenset({"except"})
    requires = frozenset({"async"})  # only coroutine context is reported

    def visit_ExceptHandler(self, node: Handler) -> None:
        if not self.context.in_coroutine():
            return
        caught = self.first_caught(node, BROAD)
        if caught is not None and not self.passes_on(node, keep_traceback=True) and not logs_traceback(node):
            self.report(node, what=caught[0])

    visit_ExceptStarHandler = visit_ExceptHandler


class CancellationSwallowed(ExceptionRule):
    """Catches `asyncio.CancelledError` in a coroutine and does not re-raise it.

    ## What it does
    Flags a handler in a coroutine that catches `asyncio.CancelledError` (under any alias),
    `BaseException` or everything (a bare `except:`) around an `await`, `async for` or
    `async with`, and neither raises nor hands the caught exception on.

    ## Why is this bad?
    Cancellation is how asyncio stops a task: `task.cancel()`, `asyncio.timeout()`,
    `asyncio.wait_for()`, a `TaskGroup` whose sibling failed, aiohttp closing a request
    handler when the client disconnects, application shutdown. A handler that swallows
    `CancelledError` makes the task carry on as if it had not been cancelled: timeouts no
    longer fire, shutdown hangs, and `task.cancelled()` lies.

    ## Example
    ```python
    async def poll(session, url):
        while True:
            try:
                async with session.get(url) as response:
                    await handle(await response.json())
            except BaseException:
                pass
            await asyncio.sleep(10)
    ```

    ## Use instead
    ```python
    async def poll(session, url):
        while True:
            try:
                async with session.get(url) as response:
                    await handle(await response.json())
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("polling %s failed", url)
            await asyncio.sleep(10)
    ```

    ## Known limits
    Any `raise` in the handler counts as letting cancellation through, even a conditional
    one (`if task.cancelling(): raise`) or a different exception; so do `sys.exit()`,
    handing the caught exception on (stored, returned, or passed to a call, as for AIO501),
    and calling `uncancel()`, which ends the cancellation on purpose. A handler after one
    that already catches `CancelledError` never sees a cancellation and is not reported.
    A `try` body with no await point is not checked: the running task cannot be cancelled
    there, so a `CancelledError` caught there came from a future you called `.result()`
    on. Awaiting a task you cancelled earlier in the same function (`task.cancel()`, then
    `try: await task` / `await asyncio.gather(*tasks)` / `await asyncio.wait_for(task, 1)`)
    is not reported: that `CancelledError` is the expected end of the task. A task
    cancelled in another method and awaited here is reported. `except Exception` does not
    catch `CancelledError` (Python 3.8+) and is left to AIO501. A handler that catches
    `BaseException` or everything and swallows it is also reported as AIO501 (see there).
    `contextlib.suppress(asyncio.CancelledError)` is not checked.
    """

    code = "AIO502"
    name = "cancellation-swallowed"
    summary = "A handler in a coroutine that catches CancelledError and does not re-raise it"
    message = ("This handler catches {what} in a coroutine and does not re-raise, so the task cannot be "
               "cancelled (timeouts and shutdown stop working); {advice}.")
    triggers = frozenset({"except"})
    requires = frozenset({"async"})  # only coroutine context is reported

    def visit_ExceptHandler(self, node: Handler) -> None:
        if not self.context.in_coroutine():
            return
        caught = self.first_caught(node, CANCELLATION)
        if caught is None or self.passes_on(node, keep_traceback=False) or uncancels(node):
            return
        try_node = self.context.ancestors[-1]
        if any(self.first_caught(earlier, CANCELLATION) for earlier in handlers_before(try_node, node)):
            return  # an earlier handler gets the cancellation: `except CancelledError: raise` first
        awaits = list(await_points(try_node.body))
        if not awaits or self.awaits_cancelled_task(awaits, node):
            return
        what, name = caught
        if name == "asyncio.CancelledError":
            advice = "end the handler with `raise`"
        else:
            advice = "put `except asyncio.CancelledError: raise` before it"
        self.report(node, what=what, advice=advice)

    visit_ExceptStarHandler = visit_ExceptHandler

    def awaits_cancelled_task(self, awaits: List[cst.CSTNode], handler: Handler) -> bool:
        """One of ``awaits`` waits for something this function called ``.cancel()`` on before ``handler``."""
        function = self.context.scope.function()
        if function is None or not isinstance(function.node, cst.FunctionDef):
            return False
        cancelled = self.cancelled_before(function.node, handler)
        if not cancelled:
            return False
        return any(self.context.code_for(node) in cancelled
                   for awaited in awaits for node in walk(awaited)
                   if isinstance(node, (cst.Name, cst.Attribute)))

    def cancelled_before(self, function: cst.FunctionDef, handler: Handler) -> Set[str]:
        """``task.cancel()`` -> {"task"}; ``for t in tasks: t.cancel()`` -> {"t", "tasks"}."""
        cancelled: Set[str] = set()
        for node in walk(function.body, until=handler):
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "cancel":
                cancelled.add(self.context.code_for(node.func.value))
            elif isinstance(node, cst.For) and isinstance(node.target, cst.Name):
                target = node.target.value
                if any(isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute) and n.func.attr.value == "cancel"
                       and is_named(n.func.value, target) for n in walk(node.body)):
                    cancelled.add(self.context.code_for(node.iter))
        return cancelled


class NonExceptionCaught(ExceptionRule):
    """Names a class that is not an exception in an except clause, such as `aiohttp.ClientTimeout`.

    ## What it does
    Flags `aiohttp.ClientTimeout`, `aiohttp.ClientWSTimeout`, `asyncio.Timeout` and
    `asyncio.timeout` in an except clause, alone or in a tuple, anywhere in the code.

    ## Why is this bad?
    These are timeout settings and context managers, not exceptions. Python checks the
    classes of an except clause only when an exception reaches it, and then raises
    `TypeError: catching classes that do not inherit from BaseException is not allowed`
    instead of running the handler. Happy-path tests pass; the first real timeout crashes
    with a confusing error. A request that runs out of its total timeout raises a plain
    `TimeoutError` (`asyncio.TimeoutError`), which is not an `aiohttp.ClientError`.

    ## Example
    ```python
    try:
        async with session.get(url) as response:
            return await response.text()
    except aiohttp.ClientTimeout:
        return None
    ```

    ## Use instead
    ```python
    try:
        async with session.get(url) as response:
            return await response.text()
    except asyncio.TimeoutError:
        return None
    ```

    ## Known limits
    The fix replaces the class with `asyncio.TimeoutError` (spelled with the name `asyncio`
    is imported under) and is offered only when `asyncio` is imported and the clause names
    one such class and no `TimeoutError` already. It is unsafe: the handler, which never
    ran before, now runs on timeouts, and you may have meant another exception. A class
    reached through a variable (`errors = (ClientTimeout,)`) is not seen.
    """

    code = "AIO503"
    fixable = "unsafe"
    name = "non-exception-caught"
    summary = "A class that is not an exception, such as aiohttp.ClientTimeout, in an except clause"
    message = ("`{what}` is not an exception class, so Python raises TypeError as soon as an exception "
               "reaches this clause; catch `asyncio.TimeoutError` instead.")
    triggers = frozenset({"Timeout", "timeout"})  # ClientTimeout, ClientWSTimeout, asyncio.Timeout, asyncio.timeout

    def visit_ExceptHandler(self, node: Handler) -> None:
        caught = self.caught(node)
        wrong = [expr for expr, name in caught if name in NOT_EXCEPTIONS]
        if not wrong:
            return
        fix = None
        asyncio_name = self.local_name("asyncio")
        if asyncio_name is not None and len(wrong) == 1 and not any(name in TIMEOUT_ERRORS for _, name in caught):
            fix = NodeFix("unsafe", (Replacement(wrong[0], f"{asyncio_name}.TimeoutError"),))
        self.report(node, fix=fix, what=self.context.code_for(wrong[0]))

    visit_ExceptStarHandler = visit_ExceptHandler

    def local_name(self, module: str) -> Optional[str]:
        """The name ``module`` is imported under and visible here (``import asyncio as aio`` -> "aio")."""
        scope = self.context.scope
        while scope is not None:
            for name, bindings in scope.bindings.items():
                if (any(b.kind == "import" and b.qualified == module for b in bindings)
                        and self.context.qualified_name(cst.Name(name)) == module):
                    return name
            scope = scope.parent
        return None
