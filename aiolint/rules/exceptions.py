"""AIO5xx: except clauses that swallow errors or cancellation, catch too much, or cannot catch at all."""

from __future__ import annotations

from typing import Iterator, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from ..semantics import tree
from ..semantics.aiohttp import MIDDLEWARE, WEB_REQUEST_TYPES
from ..semantics.client import http_calls
from ..semantics.flow import (after, cleanup_call, falls_through, innermost_loop, is_cleanup_name, is_none,
                              jumps, returns_value)
from ..semantics.scope import Scope, iter_params
from ..semantics.testing import in_test
from ..semantics.values import annotation_type
from .base import NodeFix, Replacement, Rule

Handler = Union[cst.ExceptHandler, cst.ExceptStarHandler]
TryNode = Union[cst.Try, cst.TryStar]

BROAD = frozenset({"builtins.Exception", "builtins.BaseException"})
CANCELLED_ERROR = "asyncio.CancelledError"
CANCELLATION = frozenset({CANCELLED_ERROR, "builtins.BaseException"})
SUPPRESS = frozenset({"contextlib.suppress"})
# Classes users put in an except clause by mistake: none derives from BaseException.
NOT_EXCEPTIONS = frozenset({"aiohttp.ClientTimeout", "aiohttp.ClientWSTimeout", "asyncio.Timeout", "asyncio.timeout"})
TIMEOUT_ERRORS = frozenset({"asyncio.TimeoutError", "builtins.TimeoutError"})
# What a handler that means "the request failed" catches: the connection-level errors.
# (`ClientResponseError` alone is about an HTTP status, not about the request failing.)
CLIENT_ERRORS = frozenset({"aiohttp.ClientError", "aiohttp.ClientConnectionError",
                           "aiohttp.ClientConnectorError", "aiohttp.ClientOSError"})
# What catches the plain `TimeoutError` of a request's total timeout. `OSError` does on
# Python 3.11+, where `TimeoutError` derives from it and `asyncio.TimeoutError` is it.
CATCHES_TIMEOUT = TIMEOUT_ERRORS | BROAD | {"builtins.OSError", "concurrent.futures.TimeoutError"}

# Calls that record the traceback: ``logger.exception()``, ``traceback.print_exc()``,
# asyncio's ``loop.call_exception_handler()``, and by their suffix Sentry's
# ``capture_exception()`` and helpers such as ``self.log_exception()``. Matched by the
# callee's last name: any ``x.exception(...)`` counts (precision first).
TRACEBACK_CALLS = frozenset({"exception", "print_exc", "format_exc", "call_exception_handler"})
TRACEBACK_SUFFIX = "_exception"
# Calls that pass a message, not the exception, on: passing the caught exception to
# them is not handing it to someone who will deal with it.
MESSAGE_CALLS = frozenset({"debug", "info", "warning", "warn", "error", "critical", "fatal", "log"})
# Words of an error hook's name (`self.on_error(...)`, `handle_error`): called in the handler, it
# can read the exception being handled with `sys.exc_info()`, as logging.exception does.
ERROR_HOOK_WORDS = frozenset({"error", "errors", "exception", "exceptions"})
# Calls that read the exception being handled, as a named `except ... as err` would.
CURRENT_EXCEPTION = frozenset({"sys.exc_info", "sys.exception"})
# Functions that never return: the handler ends by raising, as with ``raise``.
NO_RETURN = frozenset({"sys.exit", "os._exit", "os.abort", "pytest.fail", "pytest.skip", "pytest.xfail", "pytest.exit"})

# A nested try's handlers run only when that try fails: their `raise` is not the outer handler's.
_NOT_THE_HANDLERS_OWN = tree.NESTED_CODE | {cst.ExceptHandler, cst.ExceptStarHandler}


def own_code(handler: Handler) -> Iterator[cst.CSTNode]:
    """What the handler itself runs: its body, not nested functions nor the handlers of a nested try."""
    return tree.walk(handler.body, skip=_NOT_THE_HANDLERS_OWN)


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
    for node in tree.own_code(block):
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
    return any(isinstance(node, cst.Call) and records_traceback(node) for node in tree.own_code(handler.body))


def handlers_before(try_node: TryNode, handler: Handler) -> Iterator[Handler]:
    for earlier in try_node.handlers:
        if earlier is handler:
            return
        yield earlier


def uncancels(handler: Handler) -> bool:
    """``asyncio.current_task().uncancel()``: the handler consciously ends the cancellation (Python 3.11+)."""
    return any(isinstance(node, cst.Call) and last_name(node.func) == "uncancel" for node in tree.own_code(handler.body))


def awaits_only_objects(awaits: Sequence[cst.CSTNode]) -> bool:
    """Every await point awaits a task or future held in a variable (``await task``,
    ``await self._waiter``): its owner may have cancelled it, which cannot be told apart
    from the current task being cancelled."""
    return all(isinstance(point, cst.Await) and isinstance(point.expression, (cst.Name, cst.Attribute))
               for point in awaits)


def hides_cause(node: cst.Raise) -> bool:
    """``raise X from None``: the caught exception is dropped from the traceback."""
    return node.cause is not None and is_named(node.cause.item, "None")


def raised_class(node: cst.Raise) -> Optional[cst.BaseExpression]:
    """``raise X`` / ``raise X(...)`` -> X."""
    exc = node.exc
    return exc.func if isinstance(exc, cst.Call) else exc


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

    def catches_any(self, handler: Handler, names: frozenset) -> bool:
        return handler.type is None and bool(names & BROAD) or any(name in names for _, name in self.caught(handler))

    def raises(self, handler: Handler) -> List[cst.Raise]:
        """The handler's own ``raise`` statements (not those of a nested try's handlers)."""
        return [node for node in own_code(handler) if isinstance(node, cst.Raise)]

    def reraises(self, handler: Handler, node: cst.Raise) -> bool:
        """``raise``, ``raise err``, ``raise err.with_traceback(tb)``: the caught exception itself goes on."""
        exc, name = node.exc, caught_name(handler)
        if exc is None or is_named(exc, name):
            return True
        return (isinstance(exc, cst.Call) and isinstance(exc.func, cst.Attribute)
                and exc.func.attr.value == "with_traceback" and is_named(exc.func.value, name))

    def never_returns(self, handler: Handler) -> bool:
        """The handler calls ``sys.exit()``, ``pytest.fail()``...: it ends by raising."""
        return any(isinstance(node, cst.Call) and self.context.callee_name(node) in NO_RETURN
                   for node in own_code(handler))

    def lets_error_out(self, handler: Handler) -> bool:
        """Something is raised from the handler with the caught exception in its traceback: any
        ``raise`` (a new exception chains the caught one as its context) but ``raise X from None``."""
        return any(not hides_cause(node) for node in self.raises(handler)) or self.never_returns(handler)

    def hands_on(self, handler: Handler) -> bool:
        """The caught exception is handed to code that will see it: stored (``self.error = err``,
        ``errors.append(err)``), returned, yielded, or passed to any call but a logging method
        or a builtin (``fut.set_exception(err)``, ``self.handle_error(err)``)."""
        name = caught_name(handler)
        if name is None:
            return False
        for node in tree.own_code(handler.body):
            if isinstance(node, cst.Call):
                callee = self.context.callee_name(node)
                passes_message = last_name(node.func) in MESSAGE_CALLS or (callee or "").startswith("builtins.")
                if not passes_message and any(holds(arg.value, name) for arg in node.args):
                    return True
            elif isinstance(node, (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Return, cst.Yield)):
                if node.value is not None and holds(node.value, name):
                    return True
        return False

    def uses_exception(self, handler: Handler) -> bool:
        """The handler reads the caught exception (``err``, ``sys.exc_info()``) in any way: logs it,
        prints it, stores it, returns it, looks at it."""
        name = caught_name(handler)
        for node in tree.walk(handler.body):
            if name is not None and isinstance(node, cst.Name) and node.value == name:
                return True
            if isinstance(node, cst.Call) and self.context.callee_among(node, CURRENT_EXCEPTION):
                return True
        return False

    def calls_error_hook(self, handler: Handler) -> bool:
        """``await self.on_error(event)``, ``self.handle_exception()``: a hook that deals with the error
        being handled (not a logging method: `logger.error("failed")` passes a message only)."""
        for node in tree.own_code(handler.body):
            if isinstance(node, cst.Call):
                name = last_name(node.func)
                if name is not None and name not in MESSAGE_CALLS and ERROR_HOOK_WORDS & set(name.lower().split("_")):
                    return True
        return False

    def best_effort_cleanup(self, body: cst.BaseSuite) -> bool:
        """A ``try`` (or ``with suppress()``) that only cleans up: in a ``finally:`` block or a closing
        method (``close()``, ``__aexit__()``, ``stop()``...), or whose every statement calls a closing
        method (``writer.close()``, ``await writer.wait_closed()``). Its errors are expected and
        nothing can be done about them."""
        for ancestor in reversed(self.context.ancestors):
            if isinstance(ancestor, cst.Finally):
                return True
            if isinstance(ancestor, cst.FunctionDef):
                if is_cleanup_name(ancestor.name.value):
                    return True
                break
        if isinstance(body, cst.SimpleStatementSuite):  # `try: writer.close()` on one line
            smalls = list(body.body)
        else:
            smalls = []
            for statement in body.body:
                if not isinstance(statement, cst.SimpleStatementLine):
                    return False
                smalls.extend(statement.body)
        return bool(smalls) and all(isinstance(small, cst.Expr) and cleanup_call(small.value) for small in smalls)

    def in_test(self) -> bool:
        return in_test(self.context.scope)

    def says_something(self, handler: Handler) -> bool:
        """The handler logs, prints or warns (what it says is another question)."""
        return any(isinstance(node, cst.Call) and (last_name(node.func) in MESSAGE_CALLS
                                                   or self.context.callee_name(node) == "builtins.print")
                   for node in tree.own_code(handler.body))

    def suppressions(self, node: cst.With) -> Iterator[Tuple[cst.Call, List[Tuple[cst.BaseExpression, Optional[str]]]]]:
        """``with contextlib.suppress(A, B):`` -> (the call, [(A, its name), (B, its name)])."""
        for item in node.items:
            call = item.item
            if isinstance(call, cst.Call) and self.context.callee_among(call, SUPPRESS):
                yield call, [(arg.value, self.context.qualified_name(arg.value)) for arg in call.args if not arg.star]

    def coroutine(self) -> Scope:
        """The ``async def`` being visited: these rules look at coroutines only."""
        return self.context.scope.function()  # type: ignore[return-value]

    def definition(self) -> cst.FunctionDef:
        return self.coroutine().node  # type: ignore[return-value]

    def try_statement(self) -> TryNode:
        """The ``try`` of the handler being visited."""
        return self.context.ancestors[-1]  # type: ignore[return-value]


class BroadExcept(ExceptionRule):
    """Catches every error in a coroutine and lets nothing of it be seen.

    ## What it does
    Flags a bare `except:`, `except Exception` or `except BaseException` (alone or in a
    tuple), and `contextlib.suppress(Exception)` or `suppress(BaseException)`, in a
    coroutine when the error vanishes: the handler neither raises, nor uses the caught
    exception (logs it, prints it, stores it, returns it, passes it on, looks at it),
    nor records its traceback (`logger.exception(...)`, any call with a truthy
    `exc_info=`, `traceback.print_exc()` and friends).

    ## Why is this bad?
    In a coroutine a broad handler catches every `aiohttp.ClientError`, every
    `TimeoutError`, and every bug (a `KeyError` in your JSON handling, a `TypeError` from a
    wrong call) the same way. When it also drops the exception, the request fails, the
    task goes on as if nothing happened, and nobody can learn why: a log line such as
    "update failed" without the error says that something went wrong, never what.

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
    On the projects of the benchmark corpus, a reviewer who had not seen the rule judged
    6 of 13 sampled findings not worth a maintainer's time: deliberate best-effort
    fallbacks (an optional lookup that is expected to fail, an extension's teardown
    whose errors are documented as ignored, a disconnect cleanup). The rule cannot tell
    those from an error that should not vanish, so it is off by default: select it with
    `--extend-select AIO501` to review a code base's silent handlers.

    Only coroutines are checked: a plain `def` (also one nested in a coroutine) is not.
    Any use of the caught name counts, even `if isinstance(err, KeyError):`, and so does
    `sys.exc_info()`. Any `raise` in the handler counts, even a new exception without
    `from err` (Python chains the caught one as its context, so its traceback is still
    printed); only `raise X from None`, which hides it, does not, and neither does a
    `raise` in the handler of a try nested in this one (it runs only if that try fails).
    Calling `sys.exit()` or `pytest.fail()` counts as raising. Any call named
    `exception(...)`, `call_exception_handler(...)` or ending in `_exception(...)`
    (`capture_exception`, `self.log_exception`) counts as logging the traceback; a hook
    that reads `sys.exc_info()` elsewhere (`await self.on_error()`) does not. Code in a
    function nested in the handler is not looked at. A call to an error hook (a name with
    `error` or `exception` in it, such as `await self.on_error(event)` or
    `handle_error()`, but not a logging method) counts as handing the error on: it runs
    while the exception is handled and can read `sys.exc_info()`. Best-effort cleanup is
    not reported: a `try` in a `finally:` block or in a closing method (`close()`,
    `__aexit__()`, `stop()`, `shutdown()`...), or whose every statement calls a closing
    method (`writer.close()`, `await writer.wait_closed()`, `process.terminate()`).
    Code in tests (pytest `test_*` functions, `Test*` and `*TestCase` classes, pytest
    fixtures, and what they define) is not checked: tests provoke errors on purpose.
    A handler that catches
    `BaseException` or everything and swallows it is also reported as AIO502 or AIO508,
    and one around an HTTP request as AIO507: a lost traceback, a lost cancellation and
    a too-broad catch are separate problems with separate fixes, and each code can be
    ignored alone.
    """

    code = "AIO501"
    default_enabled = False
    name = "broad-except"
    summary = "A broad except in a coroutine that drops the error: no re-raise, no use of it, no traceback"
    message = ("This handler catches {what} and neither re-raises nor logs the traceback, so errors vanish "
               "silently; catch the exceptions you expect, re-raise, or log with `logger.exception()`.")
    message_said = ("This handler catches {what} and logs a message without the error or its traceback, so "
                    "what went wrong is lost; log it with `exc_info=True` or `logger.exception()`, or catch "
                    "the exceptions you expect.")
    message_suppress = ("`{what}` discards every error raised in this block, silently; suppress only the "
                        "exceptions you expect, or catch and log them with `logger.exception()`.")
    triggers = frozenset({"except", "suppress"})
    requires = frozenset({"async"})  # only coroutine context is reported

    def visit_ExceptHandler(self, node: Handler) -> None:
        if not self.context.in_coroutine():
            return
        caught = self.first_caught(node, BROAD)
        if (caught is None or self.lets_error_out(node) or self.uses_exception(node) or logs_traceback(node)
                or self.calls_error_hook(node) or self.best_effort_cleanup(self.try_statement().body)
                or self.in_test()):
            return
        template = self.message_said if self.says_something(node) else self.message
        self.report(node, template.format(what=caught[0]))

    visit_ExceptStarHandler = visit_ExceptHandler

    def visit_With(self, node: cst.With) -> None:
        if not self.context.in_coroutine():
            return
        for call, caught in self.suppressions(node):
            if any(name in BROAD for _, name in caught) and not self.best_effort_cleanup(node.body) \
                    and not self.in_test():
                self.report(call, self.message_suppress.format(what=self.context.code_for(call)))


class BroadExceptAroundRequest(ExceptionRule):
    """Catches every exception around an HTTP request, so bugs look like network errors.

    ## What it does
    Flags a bare `except:`, `except Exception` or `except BaseException` (alone or in a
    tuple), and `contextlib.suppress(Exception)` / `suppress(BaseException)`, in a
    coroutine, that does not let the error out (no `raise`, no `sys.exit()`, the caught
    exception not handed on) and whose `try` body (or `with` block) sends a request or
    reads a response with aiohttp: a request method of a known `ClientSession`
    (`get()`, `post()`, ..., `request()`, `ws_connect()`), `aiohttp.request()`, or
    `read()`/`text()`/`json()` of a response.

    ## Why is this bad?
    A request fails with `aiohttp.ClientError` (connection refused, reset, a bad
    status after `raise_for_status()`) or `asyncio.TimeoutError`. A broad handler
    around it also catches the bugs of the code next to it: a `KeyError` or
    `TypeError` while parsing the response, an `AttributeError` from a typo. They
    are handled as if the server had failed: retried, logged as "request failed",
    turned into a default value. Logging does not help much: the bug is still
    taken for an outage. Catching what the request raises keeps bugs loud.

    ## Example
    ```python
    async def price(session, symbol):
        try:
            async with session.get(URL, params={"s": symbol}) as response:
                data = await response.json()
            return data["price"]
        except Exception:
            logger.exception("price request failed")
            return None
    ```

    ## Use instead
    ```python
    async def price(session, symbol):
        try:
            async with session.get(URL, params={"s": symbol}) as response:
                data = await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError):
            logger.warning("price request failed", exc_info=True)
            return None
        return data["price"]
    ```

    ## Known limits
    On the benchmark corpus, a reviewer who had not seen the rule judged all 4 findings
    false or not worth fixing: a catch-all retry in a reconnect loop that logs the
    traceback, best-effort calls to an optional service, a `try` that only parses a
    body. Off by default until it can tell those apart: select it with `--extend-select
    AIO507`.

    Only sessions and responses the linter can type are recognised: created in the
    function or its class (`self.session = ClientSession()`), annotated, or entered
    from a known session (`async with session.get(url) as response`); a session
    passed in without an annotation is not. Requests made by other functions called in
    the `try` are not followed. A broad handler that comes after one catching
    `aiohttp.ClientError` (the expected failures are handled, the broad one is a
    deliberate last resort) is not reported, nor is a middleware's last-resort handler
    around `await handler(request)` (a function decorated with `web.middleware`, or
    whose parameter annotated `web.Request` is passed to another of its parameters).
    Code in tests is not checked (as for AIO501). A handler that also swallows the error
    silently is also reported as AIO501.
    """

    code = "AIO507"
    default_enabled = False
    name = "broad-except-around-request"
    summary = "A broad except or suppress() around an aiohttp request also hides the bugs of the code around it"
    message = ("This handler catches {what} around an HTTP request without re-raising, so it also hides bugs "
               "(a `KeyError` or `TypeError` while handling the response) as if the request had failed; catch "
               "`aiohttp.ClientError` and `asyncio.TimeoutError`, which is what the request raises.")
    message_suppress = ("`{what}` around an HTTP request also hides bugs (a `KeyError` or `TypeError` while "
                        "handling the response) as if the request had failed; suppress `aiohttp.ClientError` "
                        "and `asyncio.TimeoutError`, which is what the request raises.")
    triggers = frozenset({"except", "suppress"})
    requires = frozenset({"async"})  # requests are awaited

    def visit_ExceptHandler(self, node: Handler) -> None:
        if not self.context.in_coroutine():
            return
        caught = self.first_caught(node, BROAD)
        if caught is None or self.lets_error_out(node) or self.hands_on(node) or self.in_test():
            return
        try_node = self.try_statement()
        if any(self.catches_any(earlier, CLIENT_ERRORS) for earlier in handlers_before(try_node, node)):
            return  # the request's own errors are handled first: this is a deliberate last resort
        if self.around_request(try_node.body):
            self.report(node, self.message.format(what=caught[0]))

    visit_ExceptStarHandler = visit_ExceptHandler

    def visit_With(self, node: cst.With) -> None:
        if not self.context.in_coroutine():
            return
        for call, caught in self.suppressions(node):
            if any(name in BROAD for _, name in caught) and self.around_request(node.body) and not self.in_test():
                self.report(call, self.message_suppress.format(what=self.context.code_for(call)))

    def around_request(self, body: cst.BaseSuite) -> bool:
        return next(http_calls([body], self.context), None) is not None and not self.calls_next_handler(body)

    def calls_next_handler(self, body: cst.BaseSuite) -> bool:
        """A middleware's ``await handler(request)``: the function is decorated ``@web.middleware``,
        or the body passes its parameter annotated ``web.Request`` to another of its parameters."""
        function = self.coroutine()
        definition = self.definition()
        outer = function.parent  # where the decorators and annotations are evaluated
        if any(self.context.qualified_name(d.decorator, outer) == MIDDLEWARE for d in definition.decorators):
            return True
        params = {param.name.value: param for param in iter_params(definition.params)}
        requests = {name for name, param in params.items() if param.annotation is not None
                    and annotation_type(param.annotation.annotation, outer) in WEB_REQUEST_TYPES}
        return bool(requests) and any(
            isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in params
            and any(isinstance(arg.value, cst.Name) and arg.value.value in requests for arg in node.args)
            for node in tree.own_code(body))


class CancellationRule(ExceptionRule):
    """Shared by AIO502 and AIO508: a handler or ``suppress()`` that swallows cancellation, and what follows.

    The outcome of a swallowed cancellation: ``converts`` (another exception is raised
    instead), ``result`` (a value is returned instead), ``loop`` (a loop around it runs
    again), ``code`` (the coroutine goes on to suspend or return a value), ``end`` (the
    coroutine ends without either).
    """

    triggers = frozenset({"except", "suppress"})
    requires = frozenset({"async"})  # only coroutine context is reported
    outcomes: frozenset  # the outcomes the rule reports
    subjects = {"handler": "This handler catches {what}", "suppress": "`{what}` swallows the cancellation"}
    advices = {
        "reraise": "end the handler with `raise`",
        "let_through": "put `except asyncio.CancelledError: raise` before it",
        "suppress": "do not suppress `CancelledError`: catch it and re-raise after cleaning up",
        "suppress_base": "suppress `Exception` instead, which does not include `CancelledError`",
    }
    message = "{subject} and {consequence}; {advice}."
    consequences: dict  # outcome -> what follows, completing the message

    def visit_ExceptHandler(self, node: Handler) -> None:
        if not self.context.in_coroutine():
            return
        caught = self.first_caught(node, CANCELLATION)
        if caught is None or uncancels(node) or self.never_returns(node) or self.hands_on(node) or self.in_test():
            return
        raises = self.raises(node)
        if any(self.reraises(node, r) or self.raises_cancellation(r) for r in raises):
            return
        try_node = self.try_statement()
        if any(self.first_caught(earlier, CANCELLATION) for earlier in handlers_before(try_node, node)):
            return  # an earlier handler gets the cancellation: `except CancelledError: raise` first
        awaits = list(await_points(try_node.body))
        if not awaits or self.awaits_cancelled_task(awaits, node) or awaits_only_objects(awaits):
            return
        outcome = "converts" if raises else self.handler_outcome(node, try_node)
        if outcome in self.outcomes:
            what, name = caught
            advice = "reraise" if name == CANCELLED_ERROR else "let_through"
            self.report_outcome(node, outcome, self.subjects["handler"].format(what=what), advice)

    visit_ExceptStarHandler = visit_ExceptHandler

    def visit_With(self, node: cst.With) -> None:
        if not self.context.in_coroutine() or self.in_test():
            return
        for call, caught in self.suppressions(node):
            names = {name for _, name in caught} & CANCELLATION
            if not names:
                continue
            awaits = list(await_points(node.body))
            if not awaits or self.awaits_cancelled_task(awaits, node) or awaits_only_objects(awaits):
                return
            outcome = after(node, self.context.ancestors)
            if outcome == "end":
                outcome = self.ending()
            if outcome in self.outcomes:
                advice = "suppress" if CANCELLED_ERROR in names else "suppress_base"
                self.report_outcome(call, outcome, self.subjects["suppress"].format(what=self.context.code_for(call)),
                                    advice)

    def report_outcome(self, node: cst.CSTNode, outcome: str, subject: str, advice: str) -> None:
        self.report(node, subject=subject, consequence=self.consequences[outcome], advice=self.advices[advice])

    def raises_cancellation(self, node: cst.Raise) -> bool:
        """``raise asyncio.CancelledError(...)``: cancellation goes on, as a new exception."""
        raised = raised_class(node)
        return raised is not None and self.context.qualified_name(raised) == CANCELLED_ERROR

    def handler_outcome(self, handler: Handler, try_node: TryNode) -> str:
        """What happens once a handler that swallowed the cancellation has run (the worst of its paths)."""
        if next(returns_value(handler.body), None) is not None:
            return "result"
        exits = list(jumps(handler.body))
        if any(isinstance(jump, cst.Continue) for jump in exits):
            return "loop"
        ancestors = self.context.ancestors
        leaves_loop = self.loop_stopper(handler)
        follows: List[str] = []
        if falls_through(handler.body):
            follows.append(after(try_node, ancestors[:-1], leaves_loop))
        if any(isinstance(jump, cst.Break) for jump in exits):
            path = [*ancestors, handler]
            loop_index = innermost_loop(path, len(path) - 1)
            if loop_index is not None:
                follows.append(after(path[loop_index], path[:loop_index]))
        return "loop" if "loop" in follows else "code" if "code" in follows else self.ending()

    def ending(self) -> str:
        """How a coroutine that swallowed the cancellation ends: ``result`` if it returns a value
        elsewhere (its caller uses what it returns, ``None`` now) and is not annotated ``-> None``,
        else ``end``."""
        definition = self.definition()
        if definition.returns is not None and is_none(definition.returns.annotation):
            return "end"
        return "result" if next(returns_value(definition.body), None) is not None else "end"

    def loop_stopper(self, handler: Handler):
        """``while self.running:`` whose handler sets ``self.running = False`` (or calls
        ``self.stopped.set()``): completing the handler ends that loop."""
        touched: Set[str] = set()
        for node in tree.own_code(handler.body):
            targets: Sequence[cst.BaseExpression] = ()
            if isinstance(node, cst.Assign):
                targets = [target.target for target in node.targets]
            elif isinstance(node, (cst.AugAssign, cst.AnnAssign)):
                targets = [node.target]
            elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
                targets = [node.func.value]
            touched.update(self.context.code_for(target) for target in targets
                           if isinstance(target, (cst.Name, cst.Attribute)))
        touched -= {"self", "cls"}

        def leaves(loop: cst.CSTNode) -> bool:
            if not isinstance(loop, cst.While) or not touched:
                return False
            mentioned = {self.context.code_for(node) for node in tree.walk(loop.test)
                         if isinstance(node, (cst.Name, cst.Attribute))}
            return bool(mentioned & touched)

        return leaves

    def awaits_cancelled_task(self, awaits: List[cst.CSTNode], until: cst.CSTNode) -> bool:
        """One of ``awaits`` waits for something this function called ``.cancel()`` on before ``until``."""
        cancelled = self.cancelled_before(self.definition(), until)
        if not cancelled:
            return False
        return any(self.context.code_for(node) in cancelled
                   for awaited in awaits for node in tree.own_code(awaited)
                   if isinstance(node, (cst.Name, cst.Attribute)))

    def cancelled_before(self, function: cst.FunctionDef, until: cst.CSTNode) -> Set[str]:
        """``task.cancel()`` -> {"task"}; ``for t in tasks: t.cancel()`` -> {"t", "tasks"}."""
        cancelled: Set[str] = set()
        for node in tree.own_code(function.body, until=until):
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "cancel":
                cancelled.add(self.context.code_for(node.func.value))
            elif isinstance(node, cst.For) and isinstance(node.target, cst.Name):
                target = node.target.value
                if any(isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute) and n.func.attr.value == "cancel"
                       and is_named(n.func.value, target) for n in tree.own_code(node.body)):
                    cancelled.add(self.context.code_for(node.iter))
        return cancelled


class CancellationSwallowed(CancellationRule):
    """Catches `asyncio.CancelledError` in a coroutine and carries on, or turns it into something else.

    ## What it does
    Flags a handler in a coroutine that catches `asyncio.CancelledError` (under any alias,
    alone or in a tuple), `BaseException` or everything (a bare `except:`) around an
    `await`, `async for` or `async with`, does not re-raise it, and then:
    - lets a loop around it run again (`continue`, or falling through inside the loop);
    - lets the coroutine go on to code that awaits again or returns a value;
    - returns a value, turning the cancellation into a result;
    - raises a different exception, turning the cancellation into an error.
    `contextlib.suppress(asyncio.CancelledError)` (or `suppress(BaseException)`) followed
    by such code is flagged too.

    ## Why is this bad?
    Cancellation is how asyncio stops a task: `task.cancel()`, `asyncio.timeout()`,
    `asyncio.wait_for()`, a `TaskGroup` whose sibling failed, aiohttp closing a request
    handler when the client disconnects, application shutdown. Code that carries on after
    swallowing `CancelledError` makes the task ignore it: timeouts no longer fire,
    shutdown hangs waiting for it. A value returned instead reaches a caller that goes on
    as if the call had succeeded; a different exception is handled as that error (retried,
    logged as a failure) and the task is never marked cancelled.

    ## Example
    ```python
    async def poll(session, url):
        while True:
            try:
                async with session.get(url) as response:
                    await handle(await response.json())
            except BaseException:
                logger.exception("polling %s failed", url)
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
    On the benchmark corpus, a reviewer who had not seen the rule judged 5 of 13 sampled
    findings not worth a maintainer's time: cancellation mapped on purpose to a result
    (a framework's command wrapper returning `None`, a status set to "terminating", a
    documented workaround). So it is off by default: select it with `--extend-select
    AIO502`; every finding it makes is real, but whether it is a bug depends on a design
    the rule cannot see.

    Any `raise` of the caught exception in the handler counts as letting cancellation
    through, even a conditional one (`if task.cancelling(): raise`); so do `sys.exit()`,
    handing the caught exception on (stored, or passed to a call, as for AIO501), and
    calling `uncancel()`, which ends the cancellation on purpose. A `raise` in the handler
    of a try nested in this one is not a re-raise (it raises that try's exception). A
    handler after one that already catches `CancelledError` never sees a cancellation and
    is not reported. A `try` body with no await point is not checked: the running task
    cannot be cancelled there, so a `CancelledError` caught there came from a future you
    called `.result()` on. Awaiting a task you cancelled earlier in the same function
    (`task.cancel()`, then `try: await task` / `await asyncio.gather(*tasks)` /
    `with suppress(CancelledError): await task`) is not reported: that `CancelledError` is
    the expected end of the task. Nor is a `try` whose only await points await a task or
    future held in a variable (`await self._task`, `await waiter`): its owner may have
    cancelled it (`self._task.cancel()` in another method), which cannot be told apart from
    the running task's cancellation. Only the code after the handler in the same function is
    looked at: awaits in the handler itself (cleanup) are not "going on", nor are awaits of
    closing calls after it (a method whose name has `close`, `stop`, `shutdown`,
    `disconnect`, `cleanup`, `release`, `cancel`... in it: `await session.close()`, `await
    writer.wait_closed()`), and a `while self.running:` loop whose handler sets
    `self.running` (or calls a method of it) is taken to end. A coroutine that returns a
    value elsewhere (and is not annotated `-> None`) returns `None` to its caller when it
    ends after the handler: that is a result. Code in tests (pytest `test_*` functions,
    `Test*` and `*TestCase` classes, pytest fixtures, and what they define) is not
    checked: tests stage handlers that ignore or convert cancellation on purpose. When nothing that awaits or returns a value follows, the coroutine
    just ends: that is AIO508, off by default (see there). `except Exception` does not
    catch `CancelledError` (Python 3.8+) and is left to AIO501. A handler that catches
    `BaseException` or everything and swallows it is also reported as AIO501.
    """

    code = "AIO502"
    default_enabled = False
    name = "cancellation-swallowed"
    summary = "A coroutine catches CancelledError and carries on, returns a value, or raises another error"
    outcomes = frozenset({"converts", "result", "loop", "code"})
    consequences = {
        "loop": "the loop around it runs again, so the task cannot be cancelled (timeouts and shutdown stop working)",
        "code": "the coroutine goes on after it, so the task cannot be cancelled (timeouts and shutdown stop working)",
        "result": ("returns normally instead, so the caller goes on with a result as if the call had succeeded "
                   "and the cancellation is lost"),
        "converts": ("raises another exception instead, so cancellation turns into an error (handled as a "
                     "failure, and the task is not cancelled)"),
    }


class CancellationSwallowedAtEnd(CancellationRule):
    """Catches `asyncio.CancelledError` as the last thing a coroutine does, so it ends as if not cancelled.

    ## What it does
    Flags a handler in a coroutine that catches `asyncio.CancelledError` (under any alias,
    alone or in a tuple), `BaseException` or everything around an await point, does not
    re-raise it, and after which the coroutine ends without awaiting anything else or
    returning a value: `except asyncio.CancelledError: pass` (or `break` out of the last
    loop, or `return`) at the very end of a task's body. `with
    contextlib.suppress(asyncio.CancelledError):` in the same place is flagged too.

    ## Why is this bad?
    The task does stop, so this is off by default: most such code is a worker's
    `while True:` loop that ends on cancellation, and does what its author meant. What is
    lost is the record of the cancellation: the task ends as done, not cancelled, so
    `task.cancelled()` is false, `await task` returns `None` instead of raising, a
    `TaskGroup` or `asyncio.timeout()` around it cannot tell it was cancelled, and a
    coroutine that awaits this one directly (not as a task) goes on running as if it had
    not been cancelled. Turn it on for code whose callers rely on cancellation being
    reported.

    ## Example
    ```python
    async def heartbeat(ws):
        try:
            while True:
                await ws.ping()
                await asyncio.sleep(30)
        except asyncio.CancelledError:
            pass
    ```

    ## Use instead
    ```python
    async def heartbeat(ws):
        try:
            while True:
                await ws.ping()
                await asyncio.sleep(30)
        except asyncio.CancelledError:
            logger.debug("heartbeat stopped")
            raise
    ```

    ## Known limits
    The same as AIO502's: what counts as re-raising, the cancelled task awaited on
    purpose, and what counts as going on. Statements after the handler that neither
    await nor return a value (setting a flag, logging) are part of the end.
    """

    code = "AIO508"
    name = "cancellation-swallowed-at-end"
    summary = "A coroutine ends by swallowing CancelledError: it finishes as done, not cancelled"
    default_enabled = False
    outcomes = frozenset({"end"})
    consequences = {
        "end": ("then ends normally, so a task running it finishes as done, not cancelled "
                "(`task.cancelled()` is false, and a coroutine awaiting it goes on)"),
    }


class TimeoutNotCaught(ExceptionRule):
    """Catches `aiohttp.ClientError` around a request, but not the timeout.

    ## What it does
    Flags a handler in a coroutine that catches `aiohttp.ClientError` (or
    `ClientConnectionError`, `ClientConnectorError`, `ClientOSError`) around an HTTP
    request (as AIO507 recognises them) when no handler of that `try`, nor of a `try`
    around it in the same function, catches `asyncio.TimeoutError`, `TimeoutError`,
    `OSError`, `Exception` or `BaseException`.

    ## Why is this bad?
    When a request runs out of its total timeout (five minutes by default, less where
    you set one), aiohttp raises a plain `asyncio.TimeoutError`, which is not an
    `aiohttp.ClientError`. Code written to survive a failed request (log and retry,
    return a default) crashes on the one failure that happens most under load.

    ## Example
    ```python
    async def status(session, url):
        try:
            async with session.get(url) as response:
                return response.status
        except aiohttp.ClientError:
            return None
    ```

    ## Use instead
    ```python
    async def status(session, url):
        try:
            async with session.get(url) as response:
                return response.status
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return None
    ```

    ## Known limits
    Off by default: the timeout is often handled on purpose by a caller (a retry
    wrapper, a task supervisor), which this rule does not see. Only requests on
    sessions the linter can type are recognised (see AIO507). `except OSError` counts
    as catching the timeout, as it does on Python 3.11+. Code in tests is not checked.
    """

    code = "AIO506"
    name = "timeout-not-caught"
    summary = "Only aiohttp.ClientError is caught around a request: the total timeout's TimeoutError escapes"
    default_enabled = False
    message = ("This handler catches {what} around an HTTP request, but a request that runs out of time "
               "raises `asyncio.TimeoutError`, which is not a `ClientError` and escapes; catch "
               "`(aiohttp.ClientError, asyncio.TimeoutError)`.")
    triggers = frozenset({"ClientError", "ClientConnectionError", "ClientConnectorError", "ClientOSError"})
    requires = frozenset({"async"})  # requests are awaited

    def visit_ExceptHandler(self, node: Handler) -> None:
        if not self.context.in_coroutine():
            return
        caught = self.first_caught(node, CLIENT_ERRORS)
        if caught is None or self.in_test():  # a bare except catches the timeout too
            return
        try_node = self.try_statement()
        if any(self.catches_any(earlier, CLIENT_ERRORS) for earlier in handlers_before(try_node, node)):
            return  # reported on the first one
        if self.timeout_caught(try_node) or next(http_calls([try_node.body], self.context), None) is None:
            return
        self.report(node, self.message.format(what=caught[0]))

    visit_ExceptStarHandler = visit_ExceptHandler

    def timeout_caught(self, try_node: TryNode) -> bool:
        """A handler of this try, or of a try whose body holds it in the same function, catches the timeout."""
        if any(self.catches_any(handler, CATCHES_TIMEOUT) for handler in try_node.handlers):
            return True
        ancestors = self.context.ancestors
        function = ancestors.index(self.coroutine().node)
        return any(isinstance(outer, (cst.Try, cst.TryStar)) and inner is outer.body
                   and any(self.catches_any(handler, CATCHES_TIMEOUT) for handler in outer.handlers)
                   for outer, inner in zip(ancestors[function:], ancestors[function + 1:]))


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
            for name in scope.bindings:
                if self.context.qualified_name(cst.Name(name)) == module:
                    return name
            scope = scope.parent
        return None
