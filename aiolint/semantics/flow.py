"""Where control goes in a function: out of a block, and after a statement.

Enough flow for "what happens once this handler has run?": whether a block can end
by reaching its last line, the jumps that leave it (``return``, ``raise``,
``break``, ``continue``), and what runs after a statement until the function
returns: a loop around it running again, a later statement that suspends the
coroutine or returns a value, or nothing of the sort. And, for "is this value dealt with
on every path?", the ways out of the function that a path from a statement takes before
any of the code that deals with it runs (``exits_before``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Collection, Dict, Iterator, List, Optional, Sequence, Set

import libcst as cst

from .tree import NESTED_CODE, children, own_code

SCOPE_NODES = (cst.FunctionDef, cst.Lambda, cst.ClassDef, cst.Module)
LOOPS = (cst.For, cst.While)
BLOCKS = (cst.IndentedBlock, cst.SimpleStatementSuite)
JUMPS = (cst.Return, cst.Raise, cst.Break, cst.Continue)


def suspends(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The places in ``node`` where a coroutine gives control away: awaits, ``async for``,
    ``async with``, ``yield``."""
    for inner in own_code(node):
        if isinstance(inner, (cst.Await, cst.Yield)):
            yield inner
        elif isinstance(inner, (cst.For, cst.With, cst.CompFor)) and inner.asynchronous is not None:
            yield inner


def returns_value(node: cst.CSTNode) -> Iterator[cst.Return]:
    """The ``return x`` in ``node``, outside nested functions: not ``return``, ``return None``, nor
    ``return await self.close()`` (what a closing call gives back is not a result)."""
    for inner in own_code(node):
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
        if type(kid) in NESTED_CODE:
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
    statements = block.body  # never empty: Python has no empty block
    last = statements[-1]
    if isinstance(block, cst.SimpleStatementSuite) or isinstance(last, cst.SimpleStatementLine):
        smalls = statements if isinstance(block, cst.SimpleStatementSuite) else last.body
        return not any(isinstance(small, JUMPS) for small in smalls)
    if isinstance(last, cst.If):
        return if_falls_through(last)
    if isinstance(last, cst.With):
        return falls_through(last.body)
    return True


def if_falls_through(statement: cst.If) -> bool:
    """An ``if`` (or ``elif``) can end by running the last line of a branch, or no branch runs."""
    orelse = statement.orelse
    return falls_through(statement.body) or orelse is None or (
        if_falls_through(orelse) if isinstance(orelse, cst.If) else falls_through(orelse.body))


def after(statement: cst.CSTNode, ancestors: Sequence[cst.CSTNode],
          leaves_loop: Optional[Callable[[cst.CSTNode], bool]] = None) -> str:
    """What runs once ``statement`` has completed, until its function ends: ``loop`` (a loop
    around it runs again), ``code`` (a later statement suspends or returns a value) or ``end``
    (the function ends without either).

    ``ancestors`` run from the module down to the statement's parent. A loop whose body
    holds the statement runs again (unless ``leaves_loop(loop)`` says this completion
    ends it); an unconditional ``return`` or ``raise`` on the way ends the function.
    """
    index = len(ancestors)
    child = statement
    while True:  # ancestors[0] is the module, a scope: the walk ends there at the latest
        index -= 1
        parent = ancestors[index]
        if isinstance(parent, SCOPE_NODES):
            return "end"
        if isinstance(parent, BLOCKS):
            position = next(i for i, kid in enumerate(parent.body) if kid is child)
            for later in parent.body[position + 1:]:
                if goes_on(later):
                    return "code"
                jump = unconditional_jump(later)
                if isinstance(jump, cst.Continue):
                    return "loop"
                loop = innermost_loop(ancestors, index) if isinstance(jump, cst.Break) else None
                if loop is not None:  # a `break`: on after the loop it leaves
                    index, child = loop, ancestors[loop]
                    break
                if jump is not None:  # `return`, `raise` (or a `break` outside any loop: not Python, yet parsed)
                    return "end"
            else:
                child = parent
            continue
        if isinstance(parent, LOOPS) and child is parent.body and not (leaves_loop and leaves_loop(parent)):
            return "loop"
        child = parent


def unconditional_jump(statement: cst.CSTNode) -> Optional[cst.CSTNode]:
    """The jump a simple statement line makes, if it makes one."""
    if isinstance(statement, cst.SimpleStatementLine):
        return next((small for small in statement.body if isinstance(small, JUMPS)), None)
    return None


def innermost_loop(ancestors: Sequence[cst.CSTNode], below: int) -> Optional[int]:
    """The index in ``ancestors`` of the innermost loop whose body holds ``ancestors[below]``, within
    its function (``ancestors[0]`` is the module, where the search ends at the latest)."""
    index = below - 1
    while not isinstance(ancestors[index], SCOPE_NODES):
        node = ancestors[index]
        if isinstance(node, LOOPS) and ancestors[index + 1] is node.body:
            return index
        index -= 1
    return None


# -- ways out that skip something -------------------------------------------------
@dataclass(frozen=True)
class Exit:
    """A way out that a path takes: ``how`` is ``return``, ``raise`` or ``continue`` (``node``,
    that statement), ``end`` (the path runs off the end of the function) or ``next pass`` (off
    the end of the body of a loop around the start: the loop runs again)."""

    how: str
    node: Optional[cst.CSTNode] = None


def holders(owner: cst.CSTNode, marks: Collection[cst.CSTNode]) -> Set[cst.CSTNode]:
    """The nodes of ``owner`` that are, or hold, one of ``marks``."""
    parents: Dict[cst.CSTNode, cst.CSTNode] = {}
    stack = [owner]
    while stack:
        node = stack.pop()
        for kid in children(node):
            parents[kid] = node
            stack.append(kid)
    found: Set[cst.CSTNode] = set()
    for mark in marks:
        node: Optional[cst.CSTNode] = mark
        while node is not None and node not in found:
            found.add(node)
            node = parents.get(node)
    return found


def exits_before(statement: cst.CSTNode, ancestors: Sequence[cst.CSTNode],
                 reaches: Callable[[cst.CSTNode], bool],
                 settles: Optional[Callable[[cst.BaseExpression], bool]] = None,
                 both_ways: Optional[Callable[[cst.BaseExpression], bool]] = None) -> List[Exit]:
    """The ways out a path from just after ``statement`` takes without running code for which
    ``reaches(node)`` holds, in the order found (source order within a block).

    ``ancestors`` run from the module down to the statement's parent. Only the paths that the
    code spells are followed: a call that raises is not one (nor is the ``except:`` it would
    reach), a ``raise`` inside a ``try:`` that has handlers may be caught and is not one either,
    and no way out of a ``try:`` whose ``finally:`` reaches is one. A loop that reaches anywhere in
    it is taken to reach (its body may run), as is an ``if``, ``while`` or ``with`` whose header
    does. A ``break`` goes on after its loop; a ``continue`` of a loop around ``statement``, and the
    end of that loop's body, go on to its next pass. The body of an ``if`` whose test ``settles(test)``
    holds for is not followed (under that test, the question does not arise); an ``if`` one of whose
    branches reaches counts as reaching unless ``both_ways(test)`` says that either outcome of its
    test is a path of its own (a test of something else may follow from an earlier one:
    ``if failed: ...`` then ``elif not failed: read()``).
    """
    # The statement's parent is a line or a block, never a `try`: `ancestors[index + 1]` exists.
    for index, ancestor in enumerate(ancestors):
        if isinstance(ancestor, cst.Try) and ancestor.finalbody is not None and reaches(ancestor.finalbody) \
                and ancestors[index + 1] is not ancestor.finalbody:
            return []
    paths = _Paths(reaches, ancestors, settles, both_ways)
    found = paths.exits
    pending = [(len(ancestors), statement)]
    resumed: Set[int] = set()
    while pending:
        index, child = pending.pop()
        while True:  # ancestors[0] is the module, a scope: the walk ends there at the latest
            index -= 1
            parent = ancestors[index]
            if isinstance(parent, SCOPE_NODES):
                if isinstance(parent, cst.FunctionDef):
                    found.append(Exit("end"))
                break
            if isinstance(parent, BLOCKS + (cst.SimpleStatementLine,)):  # the line: what follows a `;`
                position = next(i for i, kid in enumerate(parent.body) if kid is child)
                falls = paths.block(parent.body[position + 1:], index)
            elif isinstance(parent, LOOPS) and child is parent.body:
                found.append(Exit("next pass"))
                break
            elif isinstance(parent, cst.Try) and child is parent.body and parent.orelse is not None:
                falls = paths.block(parent.orelse.body.body, index - 1)  # outside the try's own handlers
            else:
                falls = True
            for loop in sorted(paths.left_loops - resumed):  # a `break` of a loop around: on after that loop
                resumed.add(loop)
                pending.append((loop, ancestors[loop]))
            if not falls:
                break
            child = parent
    return found


class _Paths:
    """Follows the statements of blocks below a start, recording the ways out they take."""

    def __init__(self, reaches: Callable[[cst.CSTNode], bool], ancestors: Sequence[cst.CSTNode],
                 settles: Optional[Callable[[cst.BaseExpression], bool]],
                 both_ways: Optional[Callable[[cst.BaseExpression], bool]]) -> None:
        self.reaches = reaches
        self.settles = settles
        self.both_ways = both_ways
        self.ancestors = ancestors
        self.exits: List[Exit] = []
        self.left_loops: Set[int] = set()  # the loops around the start that a `break` leaves (their index)
        self.loops = 0  # loops entered below the start: their `break` and `continue` stay inside
        self.catching = 0  # `try:` blocks with handlers entered below the start

    def caught(self, level: int) -> bool:
        """A ``raise`` here may be caught: a ``try:`` body with handlers holds it (below the start, or
        around it within its function, ``level`` being the depth in the ancestors)."""
        if self.catching:
            return True
        ancestors = self.ancestors
        index = level
        while not isinstance(ancestors[index], SCOPE_NODES):
            node = ancestors[index]
            if isinstance(node, cst.Try) and node.handlers and ancestors[index + 1] is node.body:
                return True
            index -= 1
        return False

    def block(self, statements: Sequence[cst.CSTNode], level: int) -> bool:
        """Follows ``statements`` (at ``level`` in the ancestors); whether a path runs off their end."""
        for statement in statements:
            if not self.statement(statement, level):
                return False
        return True

    def statement(self, statement: cst.CSTNode, level: int) -> bool:
        reaches = self.reaches
        if isinstance(statement, cst.SimpleStatementLine) or isinstance(statement, cst.BaseSmallStatement):
            if reaches(statement):
                return False
            jump = unconditional_jump(statement) if isinstance(statement, cst.SimpleStatementLine) else (
                statement if isinstance(statement, JUMPS) else None)
            if jump is None:
                return True
            self.jump(jump, level)
            return False
        if isinstance(statement, cst.If):
            if reaches(statement.test) or (self.both_ways is not None and reaches(statement)
                                           and not self.both_ways(statement.test)):
                return False
            settled = self.settles is not None and self.settles(statement.test)
            falls = not settled and self.suite(statement.body, level)
            orelse = statement.orelse
            if orelse is None:
                return True
            return (self.statement(orelse, level) if isinstance(orelse, cst.If) else self.suite(orelse.body, level)) \
                or falls
        if isinstance(statement, LOOPS):
            if reaches(statement):
                return False
            self.loops += 1
            try:
                self.suite(statement.body, level)
            finally:
                self.loops -= 1
            return True
        if isinstance(statement, cst.With):
            return not any(reaches(item) for item in statement.items) and self.suite(statement.body, level)
        if isinstance(statement, cst.Try):
            if statement.finalbody is not None and reaches(statement.finalbody):
                return False
            self.catching += bool(statement.handlers)
            try:
                falls = self.suite(statement.body, level)
            finally:
                self.catching -= bool(statement.handlers)
            return falls and (statement.orelse is None or self.suite(statement.orelse.body, level))
        return not reaches(statement)

    def suite(self, suite: cst.BaseSuite, level: int) -> bool:
        return self.block(suite.body, level)

    def jump(self, jump: cst.CSTNode, level: int) -> None:
        if isinstance(jump, cst.Return):
            self.exits.append(Exit("return", jump))
        elif isinstance(jump, cst.Raise):
            if not self.caught(level):
                self.exits.append(Exit("raise", jump))
        elif self.loops:
            return  # a loop below the start: it goes on, or on after it
        elif isinstance(jump, cst.Continue):
            self.exits.append(Exit("continue", jump))
        else:
            loop = innermost_loop(self.ancestors, level)
            if loop is not None:  # None: not Python, yet parsed (a `break` outside any loop)
                self.left_loops.add(loop)
