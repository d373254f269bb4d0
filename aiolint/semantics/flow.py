"""Where control goes in a function: out of a block, and after a statement.

Enough flow for "what happens once this handler has run?": whether a block can end
by reaching its last line, the jumps that leave it (``return``, ``raise``,
``break``, ``continue``), and what runs after a statement until the function
returns: a loop around it running again, a later statement that suspends the
coroutine or returns a value, or nothing of the sort.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Optional, Sequence

import libcst as cst

from .tree import children, walk

SCOPE_NODES = (cst.FunctionDef, cst.Lambda, cst.ClassDef, cst.Module)
LOOPS = (cst.For, cst.While)
BLOCKS = (cst.IndentedBlock, cst.SimpleStatementSuite)
JUMPS = (cst.Return, cst.Raise, cst.Break, cst.Continue)
_NESTED_CODE = frozenset({cst.FunctionDef, cst.Lambda, cst.ClassDef})


@dataclass(frozen=True)
class Next:
    """What follows: ``loop`` (``node``, a loop around the statement, runs again), ``code``
    (``node``, a later statement, suspends or returns a value) or ``end`` (the function ends
    without either)."""

    kind: str
    node: Optional[cst.CSTNode] = None


END = Next("end")


def suspends(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The places in ``node`` where a coroutine gives control away: awaits, ``async for``,
    ``async with``, ``yield``."""
    for inner in walk(node, skip=_NESTED_CODE):
        if isinstance(inner, (cst.Await, cst.Yield)):
            yield inner
        elif isinstance(inner, (cst.For, cst.With, cst.CompFor)) and inner.asynchronous is not None:
            yield inner


def returns_value(node: cst.CSTNode) -> Iterator[cst.Return]:
    """The ``return x`` in ``node``, outside nested functions: not ``return``, ``return None``, nor
    ``return await self.close()`` (what a closing call gives back is not a result)."""
    for inner in walk(node, skip=_NESTED_CODE):
        if (isinstance(inner, cst.Return) and inner.value is not None and not is_none(inner.value)
                and not cleanup_call(inner.value)):
            yield inner


def is_none(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


# Words of the methods that close, stop or undo things (split on `_`: `wait_closed`, `__aexit__`).
CLEANUP_WORDS = frozenset({
    "close", "aclose", "closed", "release", "terminate", "kill", "cancel", "shutdown", "stop", "disconnect",
    "cleanup", "unlink", "remove", "rmdir", "rmtree", "aexit", "exit", "unload", "unsubscribe",
    "logout", "teardown", "dispose",
})


def is_cleanup_name(name: Optional[str]) -> bool:
    """``close``, ``wait_closed``, ``__aexit__``, ``stop_polling``, ``disconnect``..."""
    return name is not None and any(word in CLEANUP_WORDS for word in name.lower().split("_"))


def cleanup_call(expr: cst.BaseExpression) -> bool:
    """``x.close()``, ``await x.wait_closed()``, ``self.stop()``: a call of a closing method."""
    if isinstance(expr, cst.Await):
        expr = expr.expression
    if not isinstance(expr, cst.Call):
        return False
    func = expr.func
    return is_cleanup_name(func.attr.value if isinstance(func, cst.Attribute) else
                           func.value if isinstance(func, cst.Name) else None)


def goes_on(statement: cst.CSTNode) -> bool:
    """The statement may suspend the coroutine (other than to await a cleanup call: a coroutine that
    closes what it used is winding down, not going on) or return a value to its caller."""
    if next(returns_value(statement), None) is not None:
        return True
    return any(not (isinstance(point, cst.Await) and cleanup_call(point)) for point in suspends(statement))


def jumps(node: cst.CSTNode, in_loop: bool = False) -> Iterator[cst.CSTNode]:
    """The ``return``, ``raise``, ``break`` and ``continue`` in ``node`` that leave it: not those in
    nested functions, nor a ``break``/``continue`` of a loop inside ``node``."""
    for kid in children(node):
        if type(kid) in _NESTED_CODE:
            continue
        if isinstance(kid, (cst.Break, cst.Continue)):
            if not in_loop:
                yield kid
        elif isinstance(kid, (cst.Return, cst.Raise)):
            yield kid
        elif isinstance(kid, LOOPS):
            for part in children(kid):  # the body is the loop's own; `else:` runs once, outside it
                yield from jumps(part, in_loop or part is kid.body)
        else:
            yield from jumps(kid, in_loop)


def falls_through(block: cst.BaseSuite) -> bool:
    """The block can end by running its last line (not by a jump); unsure is yes."""
    statements = block.body
    if not statements:
        return True
    last = statements[-1]
    if isinstance(block, cst.SimpleStatementSuite) or isinstance(last, cst.SimpleStatementLine):
        smalls = statements if isinstance(block, cst.SimpleStatementSuite) else last.body
        return not any(isinstance(small, JUMPS) for small in smalls)
    if isinstance(last, cst.If):
        return falls_through(last.body) or last.orelse is None or (
            falls_through(last.orelse) if isinstance(last.orelse, cst.If) else falls_through(last.orelse.body))
    if isinstance(last, cst.With):
        return falls_through(last.body)
    return True


def after(statement: cst.CSTNode, ancestors: Sequence[cst.CSTNode],
          leaves_loop: Optional[Callable[[cst.CSTNode], bool]] = None) -> Next:
    """What runs once ``statement`` has completed, until its function ends.

    ``ancestors`` run from the module down to the statement's parent. A loop whose body
    holds the statement runs again (unless ``leaves_loop(loop)`` says this completion
    ends it); a later statement that suspends or returns a value is code that goes on;
    an unconditional ``return`` or ``raise`` on the way ends the function.
    """
    index = len(ancestors)
    child = statement
    while index > 0:
        index -= 1
        parent = ancestors[index]
        if isinstance(parent, SCOPE_NODES):
            return END
        if isinstance(parent, BLOCKS):
            position = next(i for i, kid in enumerate(parent.body) if kid is child)
            for later in parent.body[position + 1:]:
                if goes_on(later):
                    return Next("code", later)
                jump = unconditional_jump(later)
                if isinstance(jump, (cst.Return, cst.Raise)):
                    return END
                if isinstance(jump, (cst.Break, cst.Continue)):
                    loop_index = innermost_loop(ancestors, index)
                    if loop_index is None:
                        return END
                    if isinstance(jump, cst.Continue):
                        return Next("loop", ancestors[loop_index])
                    index, child = loop_index, ancestors[loop_index]
                    break
            else:
                child = parent
            continue
        if isinstance(parent, LOOPS) and child is parent.body and not (leaves_loop and leaves_loop(parent)):
            return Next("loop", parent)
        child = parent
    return END


def unconditional_jump(statement: cst.CSTNode) -> Optional[cst.CSTNode]:
    """The jump a simple statement line makes, if it makes one."""
    if isinstance(statement, cst.SimpleStatementLine):
        return next((small for small in statement.body if isinstance(small, JUMPS)), None)
    return None


def innermost_loop(ancestors: Sequence[cst.CSTNode], below: int) -> Optional[int]:
    """The index in ``ancestors`` of the innermost loop above ``ancestors[below]``, within its function."""
    for index in range(below - 1, -1, -1):
        node = ancestors[index]
        if isinstance(node, SCOPE_NODES):
            return None
        if isinstance(node, LOOPS) and ancestors[index + 1] is node.body:
            return index
    return None
