"""Scopes and the names bound in them, found without LibCST's ScopeProvider.

A scope's bindings are collected lazily, the first time a name is looked up in
it, by a walk over its statements only (not every expression): imports,
assignments, parameters, ``for``/``with``/``except`` targets, ``def`` and
``class``. That is all the rules need to resolve a name and to know what a
local variable was assigned, at a fraction of a full scope analysis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence

import libcst as cst


@dataclass
class Binding:
    """One statement that binds a name in a scope."""

    name: str
    kind: str  # import, assign, annotation, param, with, for, def, class, other
    node: cst.CSTNode
    qualified: Optional[str] = None  # for imports: the dotted name imported
    value: Optional[cst.BaseExpression] = None  # assign: the value; with: the context manager
    annotation: Optional[cst.BaseExpression] = None
    is_async: bool = False  # a target of ``async with``
    # Whether the statement may not run when its scope does (under an ``if``, a loop, an
    # ``except``, a ``match`` case): ``if TYPE_CHECKING: import asyncio`` binds nothing at run time.
    conditional: bool = False
    order: int = -1  # the index, in its scope's body, of the statement that holds it (-1: a parameter)


FUNCTION_NODES = frozenset({cst.FunctionDef, cst.Lambda})
COMPREHENSION_NODES = frozenset({cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp})


class Scope:
    """A module, class, function, lambda or comprehension scope."""

    def __init__(self, node: cst.CSTNode, parent: Optional["Scope"]) -> None:
        self.node = node
        self.parent = parent
        self._bindings: Optional[Dict[str, List[Binding]]] = None
        self._declared_outer: Dict[str, str] = {}  # name -> "global" | "nonlocal"
        self._guarded = False  # while collecting: inside a block that may not run
        self._order = -1  # while collecting: the index of the body's statement being collected
        self._imports: Optional[Dict[str, List[str]]] = None
        self._lookups: Dict[str, Optional[List[Binding]]] = {}  # name -> its bindings visible here
        self.resolved_names: Dict[str, Optional[str]] = {}  # name -> what it names here (names.name_target)
        # Its kind, asked of every scope on every lookup: plain attributes, not properties.
        kind = type(node)
        self.is_module = kind is cst.Module
        self.is_class = kind is cst.ClassDef
        self.is_function = kind in FUNCTION_NODES
        self.is_comprehension = kind in COMPREHENSION_NODES
        self.is_coroutine = kind is cst.FunctionDef and node.asynchronous is not None  # type: ignore[attr-defined]
        # What analyses remember for the rest of the file: shared by its scopes, gone with them
        # (a module-level cache would keep every file's tree alive).
        self.file_memo: Dict[str, Any] = parent.file_memo if parent is not None else {}

    def function(self) -> Optional["Scope"]:
        """The innermost function or lambda whose body this scope runs in, if any.

        Comprehensions run inline, so they are looked through; a class body is a
        barrier (its code is not the enclosing function's).
        """
        scope: Optional[Scope] = self
        while scope is not None and scope.is_comprehension:
            scope = scope.parent
        return scope if scope is not None and scope.is_function else None

    def module(self) -> "Scope":
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    # -- bindings -----------------------------------------------------------
    @property
    def bindings(self) -> Dict[str, List[Binding]]:
        if self._bindings is None:
            self._bindings = {}
            self._collect()
        return self._bindings

    def lookup(self, name: str) -> Optional[List[Binding]]:
        """The bindings of ``name`` visible here, by Python's LEGB rule (builtins excluded)."""
        known = self._lookups
        if name in known:  # rules ask again and again for the same names
            return known[name]
        found = known[name] = self._lookup(name)
        return found

    def _lookup(self, name: str) -> Optional[List[Binding]]:
        scope: Optional[Scope] = self
        first = True
        while scope is not None:
            if not (scope.is_class and not first):  # class bodies are invisible to nested scopes
                found = scope.bindings.get(name)
                declared = scope._declared_outer.get(name)
                if declared == "global":
                    return self.module().bindings.get(name)
                if found and declared is None:
                    return found
            scope = scope.parent
            first = False
        return None

    def imported_as(self, qualified: str) -> List[str]:
        """The names that imports in this scope bind to ``qualified`` (found once per scope, so
        that asking for every finding costs no more than the scope's size once)."""
        if self._imports is None:
            self._imports = {}
            for name, bindings in self.bindings.items():
                for binding in bindings:
                    if binding.kind == "import" and binding.qualified is not None:
                        self._imports.setdefault(binding.qualified, []).append(name)
        return self._imports.get(qualified, [])

    def _bind(self, binding: Binding) -> None:
        assert self._bindings is not None
        binding.conditional = self._guarded
        if binding.kind != "param":
            binding.order = self._order
        self._bindings.setdefault(binding.name, []).append(binding)

    def _collect(self) -> None:
        node: Any = self.node
        if self.is_function:
            for param in iter_params(node.params):
                self._bind(Binding(param.name.value, "param", param,
                                   annotation=param.annotation.annotation if param.annotation else None))
            if type(node) is cst.FunctionDef:
                self._collect_block(node.body, top=True)
        elif self.is_class:
            self._collect_block(node.body, top=True)
        elif self.is_module:
            self._collect_statements(node.body, top=True)
        elif self.is_comprehension:
            comp_for: Optional[cst.CompFor] = node.for_in
            while comp_for is not None:
                self._bind_target(comp_for.target, "for", comp_for)
                comp_for = comp_for.inner_for_in

    def _collect_block(self, block: cst.BaseSuite, top: bool = False) -> None:
        if type(block) is cst.IndentedBlock:
            self._collect_statements(block.body, top)
        else:  # SimpleStatementSuite: `def f(): return x`
            if top:
                self._order = 0
            self._collect_small(block.body)

    def _collect_statements(self, statements: Sequence[cst.BaseStatement], top: bool = False) -> None:
        for index, stmt in enumerate(statements):
            if top:
                self._order = index
            kind = type(stmt)
            if kind is cst.SimpleStatementLine:
                self._collect_small(stmt.body)  # type: ignore[attr-defined]
            elif kind is cst.FunctionDef:
                self._bind(Binding(stmt.name.value, "def", stmt))  # type: ignore[attr-defined]
            elif kind is cst.ClassDef:
                self._bind(Binding(stmt.name.value, "class", stmt))  # type: ignore[attr-defined]
            else:
                self._collect_compound(stmt)  # type: ignore[arg-type]

    def _collect_compound(self, stmt: cst.BaseCompoundStatement) -> None:
        kind = type(stmt)
        if kind is cst.For:
            self._bind_target(stmt.target, "for", stmt)  # type: ignore[attr-defined]
        elif kind is cst.With:
            for item in stmt.items:  # type: ignore[attr-defined]
                if item.asname is not None:
                    self._bind_target(item.asname.name, "with", stmt, value=item.item,
                                      is_async=stmt.asynchronous is not None)  # type: ignore[attr-defined]
        elif kind is cst.Try or kind is cst.TryStar:
            for handler in stmt.handlers:
                if handler.name is not None:
                    self._bind_target(handler.name.name, "other", handler)
        guarded = self._guarded
        for block in child_blocks(stmt):
            self._guarded = guarded or may_skip(stmt, block)
            self._collect_block(block)
        self._guarded = guarded

    def _collect_small(self, statements: Iterable[cst.BaseSmallStatement]) -> None:
        for small in statements:
            kind = type(small)
            if kind is cst.Expr:  # the commonest, and binds nothing
                continue
            if kind is cst.Import:
                for alias in small.names:
                    dotted = dotted_name(alias.name)
                    if alias.asname is not None:
                        self._bind_target(alias.asname.name, "import", small, qualified=dotted)
                    else:
                        head = dotted.split(".")[0]
                        self._bind(Binding(head, "import", small, qualified=head))
            elif kind is cst.ImportFrom:
                if type(small.names) is cst.ImportStar:
                    continue
                module = "." * len(small.relative) + (dotted_name(small.module) if small.module else "")
                for alias in small.names:
                    name = dotted_name(alias.name)
                    target = alias.asname.name if alias.asname is not None else alias.name
                    qualified = f"{module}.{name}" if not module.endswith(".") else f"{module}{name}"
                    self._bind_target(target, "import", small, qualified=qualified)
            elif kind is cst.Assign:
                single = len(small.targets) == 1
                for target in small.targets:
                    self._bind_target(target.target, "assign", small, value=small.value if single else None)
            elif kind is cst.AnnAssign:
                self._bind_target(small.target, "annotation", small, value=small.value,
                                  annotation=small.annotation.annotation)
            elif kind is cst.AugAssign:
                self._bind_target(small.target, "other", small)
            elif kind is cst.Global or kind is cst.Nonlocal:
                declared = "global" if kind is cst.Global else "nonlocal"
                for item in small.names:
                    self._declared_outer[item.name.value] = declared

    def _bind_target(self, target: cst.BaseExpression, kind: str, node: cst.CSTNode, **extra: object) -> None:
        target_type = type(target)
        if target_type is cst.Name:
            self._bind(Binding(target.value, kind, node, **extra))  # type: ignore[arg-type, attr-defined]
        elif target_type is cst.Tuple or target_type is cst.List:
            # Unpacking: the value is no longer the name's.
            for element in target.elements:  # type: ignore[attr-defined]
                self._bind_target(element.value, "other" if kind != "for" else kind, node)
        elif target_type is cst.StarredElement:
            self._bind_target(target.value, "other", node)


def scope_of(node: cst.CSTNode, parent: Scope) -> Scope:
    """The scope of a def, class, lambda or comprehension in ``parent``: one per node for the file, made by
    whoever asks first (the walk, or an analysis reading ahead of it), so that its bindings are collected once."""
    scopes = parent.file_memo.setdefault("scopes", {})
    found = scopes.get(node)
    if found is None:
        found = scopes[node] = Scope(node, parent)
    return found


def code_owner(scope: Scope) -> Optional[cst.CSTNode]:
    """The function (or the module) whose code runs in ``scope``; None in a lambda or a class body."""
    function = scope.function()
    if function is not None:
        return function.node if isinstance(function.node, cst.FunctionDef) else None
    return scope.node if scope.is_module else None


def iter_params(params: cst.Parameters) -> Iterator[cst.Param]:
    yield from params.posonly_params
    yield from params.params
    if type(params.star_arg) is cst.Param:
        yield params.star_arg
    yield from params.kwonly_params
    if params.star_kwarg is not None:
        yield params.star_kwarg


def child_blocks(stmt: cst.BaseCompoundStatement) -> Iterator[cst.BaseSuite]:
    """The suites of a compound statement, in source order (nested defs excluded)."""
    kind = type(stmt)
    if kind is cst.FunctionDef or kind is cst.ClassDef:
        return
    if kind is cst.Match:
        for case in stmt.cases:  # type: ignore[attr-defined]
            yield case.body
        return
    yield stmt.body
    if kind is cst.Try or kind is cst.TryStar:
        for handler in stmt.handlers:  # type: ignore[attr-defined]
            yield handler.body
    orelse = getattr(stmt, "orelse", None)
    while orelse is not None:
        yield orelse.body
        orelse = orelse.orelse if type(orelse) is cst.If else None
    final = getattr(stmt, "finalbody", None)
    if final is not None:
        yield final.body


def may_skip(stmt: cst.BaseCompoundStatement, block: cst.BaseSuite) -> bool:
    """Whether a block of a compound statement may not run when the statement does: all but
    the body of a ``try`` or ``with`` and a ``finally``."""
    kind = type(stmt)
    if kind is cst.With:
        return False
    if kind is cst.Try or kind is cst.TryStar:
        return block is not stmt.body and (stmt.finalbody is None or block is not stmt.finalbody.body)
    return True


def dotted_name(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{dotted_name(node.value)}.{node.attr.value}"
    raise TypeError(f"not a dotted name: {type(node).__name__}")
