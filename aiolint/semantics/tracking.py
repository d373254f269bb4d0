"""Following one local variable through the function that binds it.

``track(owner, name, binding)`` reads every use of ``name`` in ``owner`` (a
``FunctionDef``, or the ``Module`` for module-level code) and sorts them into:

- ``entered``: the value is the subject of ``with``/``async with x`` (with or
  without ``as``), or is passed to ``stack.enter_async_context(x)`` /
  ``enter_context(x)``: the context manager closes it.
- ``calls``: method calls on it, ``x.close()``, ``await x.get(url)``, each a
  ``MethodCall(method, call, awaited, every_path)``.
- ``escapes``: places where someone else may take the value over, each an
  ``Escape(how, node)`` with ``how`` one of ``return``, ``yield``, ``alias``
  (assigned to another name), ``store`` (to an attribute, a subscript, or put
  in a container), ``argument`` (passed to any call), ``method`` (a bound
  method such as ``x.close`` passed to a call: ``push_async_callback(x.close)``),
  ``capture`` (used in a nested ``def``, ``lambda`` or class), ``global``
  (declared ``global``/``nonlocal``), ``other`` (a use this module does not
  understand: treat it as an escape, so that rules stay quiet).

Reads that keep the value where it is (``x.attr``, ``x[k]``, ``x is None``,
``if x:``, f-strings, ``isinstance(x, T)``) are not recorded.

``MethodCall.every_path`` is True when the call runs whenever the function goes
on past the binding, whatever raises:

- the call is inside a ``finally:`` block (also under an ``if`` there, such as
  ``if session is not None:``); or
- the call's statement is a simple statement in the same block as the binding
  statement (or on the same line, after a ``;``), after it, and no statement between
  the two may raise or leave:
  nothing in them calls, awaits, yields, subscripts, raises, asserts, imports,
  returns, breaks or continues.

So ``s = ClientSession(); await s.close()`` closes on every path, while
``s = ClientSession(); r = await s.get(u); await s.close()`` does not (the
request may raise), nor does a close inside an ``if`` or a ``try`` body.

Uses are not ordered by flow: a name bound twice in the function has the uses
of both values (``Tracked.bindings`` counts the binding statements, so a rule
can stay quiet when that is ambiguous).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Sequence, Tuple, Union

import libcst as cst

from .scope import Scope, iter_params
from .tree import NESTED_CODE, children


@dataclass
class MethodCall:
    method: str  # "close", "get", ...
    call: cst.Call
    awaited: bool  # the call is the operand of ``await``
    every_path: bool  # see the module docstring


@dataclass
class Escape:
    how: str  # return, yield, alias, store, argument, method, capture, global, other
    node: cst.CSTNode


@dataclass
class Tracked:
    entered: List[cst.CSTNode] = field(default_factory=list)
    calls: List[MethodCall] = field(default_factory=list)
    escapes: List[Escape] = field(default_factory=list)
    bindings: int = 0  # statements that bind the name in the function

    def calls_to(self, *methods: str) -> List[MethodCall]:
        return [call for call in self.calls if call.method in methods]

    def closed_on_every_path(self, *methods: str) -> bool:
        """Entered by a context manager, or one of ``methods`` is called on every path."""
        return bool(self.entered) or any(call.every_path for call in self.calls_to(*methods))


Owner = Union[cst.FunctionDef, cst.Module]
_CONTAINERS = (cst.Element, cst.StarredElement, cst.DictElement, cst.StarredDictElement)
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)
_READS = (cst.Comparison, cst.ComparisonTarget, cst.UnaryOperation, cst.BinaryOperation, cst.If, cst.While,
          cst.Expr, cst.FormattedStringExpression, cst.SubscriptElement, cst.Index, cst.Slice, cst.Del,
          cst.Assert, cst.Await, cst.IfExp)
_ENTER_METHODS = ("enter_async_context", "enter_context")
# Anything here in a statement may raise or leave the block before the next statement runs.
_MAY_LEAVE = (cst.Call, cst.Await, cst.Yield, cst.Subscript, cst.Raise, cst.Assert, cst.Import, cst.ImportFrom,
              cst.Return, cst.Break, cst.Continue)


def track(owner: Owner, name: str, binding: Optional[cst.CSTNode] = None) -> Tracked:
    """The uses of the local ``name`` in ``owner``; ``binding`` (any node of the
    statement that binds the value followed) anchors ``every_path``."""
    parents: Dict[cst.CSTNode, cst.CSTNode] = {}
    tracked = Tracked()
    stack: List[cst.CSTNode] = [owner.body] if isinstance(owner, cst.FunctionDef) else list(reversed(owner.body))
    for statement in stack:
        parents[statement] = owner
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind in NESTED_CODE:
            if _captures(node, name):
                tracked.escapes.append(Escape("capture", node))
            continue
        if kind is cst.Name and node.value == name:  # type: ignore[attr-defined]
            _classify(node, parents, tracked)  # type: ignore[arg-type]
            continue
        if (kind is cst.Global or kind is cst.Nonlocal) and any(
                item.name.value == name for item in node.names):  # type: ignore[attr-defined]
            tracked.escapes.append(Escape("global", node))
        for kid in reversed(children(node)):  # popped in source order
            parents[kid] = node
            stack.append(kid)
    if binding is not None:
        anchor = _statement_of(binding, parents)
        for call in tracked.calls:
            call.every_path = _in_finally(call.call, parents) or _straight_after(anchor, call.call, parents)
    else:
        for call in tracked.calls:
            call.every_path = _in_finally(call.call, parents)
    return tracked


def track_global(module_scope: Scope, name: str) -> Tracked:
    """The uses of the module global ``name`` in the whole module, sorted as ``track`` sorts them:
    module-level code and every function, class or lambda whose ``name`` is the global (not one
    that binds a name of its own spelled the same). ``every_path`` is always False."""
    module = module_scope.node
    target = module_scope.bindings.get(name)
    parents: Dict[cst.CSTNode, cst.CSTNode] = {}
    tracked = Tracked()
    stack: List[Tuple[cst.CSTNode, Scope]] = [(module, module_scope)]
    while stack:
        node, scope = stack.pop()
        if isinstance(node, cst.Name) and node.value == name:
            if scope.lookup(name) is target:
                _classify(node, parents, tracked)
            continue
        inner = Scope(node, scope) if type(node) in NESTED_CODE else scope
        for kid in reversed(children(node)):
            parents[kid] = node
            stack.append((kid, inner))
    return tracked


def _classify(name: cst.Name, parents: Dict[cst.CSTNode, cst.CSTNode], tracked: Tracked) -> None:
    parent = parents.get(name)
    if _is_binding_target(name, parent, tracked):
        return
    node: cst.CSTNode = name
    while True:  # climb through expressions whose value may be the variable itself
        parent = parents.get(node)
        if isinstance(parent, (cst.IfExp,)) and node is not parent.test:
            node = parent
        elif isinstance(parent, cst.BooleanOperation):
            node = parent
        else:
            break
    escape: Optional[str] = None
    if parent is None:
        return
    if isinstance(parent, cst.Attribute) and parent.value is node:
        grand = parents.get(parent)
        if isinstance(grand, cst.Call) and grand.func is parent:
            awaited = isinstance(parents.get(grand), cst.Await)
            tracked.calls.append(MethodCall(parent.attr.value, grand, awaited, False))
        elif isinstance(grand, cst.Arg) and grand.value is parent:
            escape = "method"
        # any other attribute access is a read
    elif isinstance(parent, cst.WithItem) and parent.item is node:
        tracked.entered.append(parent)
    elif isinstance(parent, cst.Arg):
        call = parents.get(parent)
        callee = call.func if isinstance(call, cst.Call) else None
        if isinstance(callee, cst.Attribute) and callee.attr.value in _ENTER_METHODS:
            tracked.entered.append(call)  # type: ignore[arg-type]
        elif not (isinstance(callee, cst.Name) and callee.value == "isinstance"):
            escape = "argument"
    elif isinstance(parent, cst.Return):
        escape = "return"
    elif isinstance(parent, (cst.Yield, cst.From)):
        escape = "yield"
    elif isinstance(parent, (cst.Assign, cst.AnnAssign, cst.NamedExpr)):
        targets = ([t.target for t in parent.targets] if isinstance(parent, cst.Assign) else [parent.target])
        escape = "alias" if all(isinstance(t, cst.Name) for t in targets) else "store"
    elif isinstance(parent, _CONTAINERS + _COMPREHENSIONS + (cst.AugAssign,)):
        escape = "store"
    elif isinstance(parent, cst.Subscript) and parent.value is node:
        pass  # x[k] reads it
    elif isinstance(parent, _READS):
        pass
    else:
        escape = "other"
    if escape is not None:
        tracked.escapes.append(Escape(escape, node))


def _is_binding_target(name: cst.Name, parent: Optional[cst.CSTNode], tracked: Tracked) -> bool:
    """The name is not a use here: it is bound, or it is another thing spelled the same."""
    if isinstance(parent, cst.AssignTarget) and parent.target is name:
        tracked.bindings += 1
        return True
    if isinstance(parent, (cst.AnnAssign, cst.AugAssign)) and parent.target is name:
        tracked.bindings += isinstance(parent, cst.AnnAssign) and parent.value is not None
        return True
    if isinstance(parent, (cst.For, cst.CompFor)) and parent.target is name:
        tracked.bindings += 1
        return True
    if isinstance(parent, cst.AsName):
        tracked.bindings += 1
        return True
    if isinstance(parent, cst.NamedExpr) and parent.target is name:
        tracked.bindings += 1
        return True
    if isinstance(parent, cst.Attribute) and parent.attr is name:
        return True
    if isinstance(parent, cst.Arg) and parent.keyword is name:
        return True
    return isinstance(parent, (cst.Param, cst.ImportAlias, cst.NameItem, cst.FunctionDef, cst.ClassDef,
                               cst.ExceptHandler, cst.MatchAs, cst.MatchStar))


def _captures(nested: cst.CSTNode, name: str) -> bool:
    """``name`` occurs in a nested def, lambda or class that does not bind it as a parameter."""
    if isinstance(nested, (cst.FunctionDef, cst.Lambda)):
        if any(param.name.value == name for param in iter_params(nested.params)):
            return False
    stack: List[cst.CSTNode] = [nested.body]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name) and node.value == name:
            return True
        stack.extend(children(node))
    return False


def _ancestors(node: cst.CSTNode, parents: Dict[cst.CSTNode, cst.CSTNode]) -> Iterator[cst.CSTNode]:
    parent = parents.get(node)
    while parent is not None:
        yield parent
        parent = parents.get(parent)


def _in_finally(node: cst.CSTNode, parents: Dict[cst.CSTNode, cst.CSTNode]) -> bool:
    return any(isinstance(ancestor, cst.Finally) for ancestor in _ancestors(node, parents))


def _statement_of(node: cst.CSTNode, parents: Dict[cst.CSTNode, cst.CSTNode]) -> Optional[cst.CSTNode]:
    """The statement that holds ``node``: a small statement (one of a line's ``;``-separated
    statements) or a compound one."""
    if isinstance(node, cst.SimpleStatementLine) and node.body:  # a whole line: from its first statement
        return node.body[0]
    current: Optional[cst.CSTNode] = node
    while current is not None and not isinstance(current, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
        current = parents.get(current)
    return current


def _block_of(statement: cst.CSTNode, parents: Dict[cst.CSTNode, cst.CSTNode]) -> Optional[cst.CSTNode]:
    """The block (indented block, module, or one-line suite) whose statements hold ``statement``."""
    parent = parents.get(statement)
    if isinstance(parent, cst.SimpleStatementLine):
        parent = parents.get(parent)
    return parent if isinstance(parent, (cst.IndentedBlock, cst.Module, cst.SimpleStatementSuite)) else None


def _statements(block: cst.CSTNode) -> List[cst.CSTNode]:
    """The statements of a block in order, a line's small statements one by one (``a = f(); b()``)."""
    found: List[cst.CSTNode] = []
    for statement in block.body:  # type: ignore[attr-defined]
        found.extend(statement.body if isinstance(statement, cst.SimpleStatementLine) else (statement,))
    return found


def _straight_after(anchor: Optional[cst.CSTNode], call: cst.CSTNode,
                    parents: Dict[cst.CSTNode, cst.CSTNode]) -> bool:
    statement = _statement_of(call, parents)
    if anchor is None or not isinstance(statement, cst.BaseSmallStatement):
        return False
    block = _block_of(anchor, parents)
    if block is None or _block_of(statement, parents) is not block:
        return False
    statements = _statements(block)
    start, end = _index(statements, anchor), _index(statements, statement)
    if start is None or end is None or end <= start:
        return False
    return not any(may_leave(between) for between in statements[start + 1:end])


def _index(block: Sequence[cst.CSTNode], statement: cst.CSTNode) -> Optional[int]:
    for index, item in enumerate(block):
        if item is statement:
            return index
    return None


def may_leave(statement: cst.CSTNode) -> bool:
    """The statement may raise, or jump out of its block (nested defs and lambdas are not run)."""
    stack = [statement]
    while stack:
        node = stack.pop()
        if isinstance(node, _MAY_LEAVE):
            return True
        if isinstance(node, (cst.FunctionDef, cst.Lambda)):
            if isinstance(node, cst.FunctionDef) and node.decorators:
                return True
            continue
        stack.extend(children(node))
    return False
