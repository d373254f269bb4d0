"""What a rule is given: the file, the walk's position in it, names, "what is this
expression?", and ``report()``.

Rules import this module and ``semantics/``, never the engine: the engine drives
rules through a ``FileContext`` it keeps up to date as it walks the tree.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Tuple

import libcst as cst

from .semantics.names import qualified_name
from .semantics.scope import Scope
from .semantics.testing import in_test, in_test_module
from .semantics.values import Kind, kind_of_type, member_name, type_of

if TYPE_CHECKING:
    from .rules.base import NodeFix, Rule

_UNKNOWN = object()
LINE_MARK = "\x00"  # around the index of a mentioned node in a message (``line_of``)
LINE_MENTION = re.compile(f"{LINE_MARK}(\\d+){LINE_MARK}")


@functools.lru_cache(maxsize=None)
def last_parts(names: FrozenSet[str]) -> FrozenSet[str]:
    return frozenset(name.rpartition(".")[2] for name in names)


class FileContext:
    """What rules see of the file being linted, and where they report."""

    def __init__(self, module: cst.Module, path: str, options: Mapping[str, Any],
                 source: Optional[str] = None) -> None:
        self.module = module
        self.source = source  # the module's text, if at hand: it makes positions cheaper
        self.path = path
        self.options = options
        self.scope = self.module_scope = Scope(module, None)
        self.ancestors: List[cst.CSTNode] = []  # from the module down to the current node's parent
        self.metadata: Mapping[Any, Mapping[cst.CSTNode, Any]] = {}
        # (rule class, node, message, fix) in the order reported, and the top-level statement of each node.
        self.reports: List[Tuple[type, cst.CSTNode, str, Optional["NodeFix"]]] = []
        self.statements: Dict[cst.CSTNode, cst.BaseStatement] = {}
        self._names: Dict[Tuple[Any, cst.CSTNode, Scope], Optional[str]] = {}
        self.mentioned: List[cst.CSTNode] = []  # nodes whose lines messages name (``line_of``)

    def report(self, rule: "Rule", node: cst.CSTNode, message: str, fix: Optional["NodeFix"]) -> None:
        self.reports.append((type(rule), node, message, fix))
        # The top-level statement that holds the node: positions need only its code.
        ancestors = self.ancestors
        if len(ancestors) > 1:
            self.statements[node] = ancestors[1]
        elif ancestors and isinstance(node, cst.BaseStatement):
            self.statements[node] = node

    def line_of(self, node: cst.CSTNode) -> str:
        """A stand-in for the line of ``node`` (in the statement being walked) in a message: the
        engine writes the number in once it knows the positions of what is reported."""
        self.mentioned.append(node)
        if len(self.ancestors) > 1:
            self.statements.setdefault(node, self.ancestors[1])
        return f"{LINE_MARK}{len(self.mentioned) - 1}{LINE_MARK}"

    # -- names and values -----------------------------------------------------
    def qualified_name(self, expr: cst.BaseExpression, scope: Optional[Scope] = None) -> Optional[str]:
        return self._resolved(qualified_name, expr, scope)

    def callee_name(self, call: cst.Call, scope: Optional[Scope] = None) -> Optional[str]:
        return self._resolved(member_name, call.func, scope)

    def callee_among(self, call: cst.Call, names: FrozenSet[str]) -> Optional[str]:
        """The callee's qualified name if it is one of ``names``, else None.

        ``x.attr(...)`` can only be one of them if ``attr`` ends one of their names, so
        most calls are turned down without resolving anything.
        """
        func: Any = call.func
        if type(func) is cst.Attribute and func.attr.value not in last_parts(names):
            return None
        name = self.callee_name(call)
        return name if name in names else None

    def type_of(self, expr: cst.BaseExpression, scope: Optional[Scope] = None) -> Optional[str]:
        """The qualified name of the type of ``expr``'s value (``aiohttp.ClientSession``,
        ``pathlib.Path``...), or None when it is not certain."""
        return self._resolved(type_of, expr, scope)

    def kind_of(self, expr: cst.BaseExpression, scope: Optional[Scope] = None) -> Kind:
        """What ``expr`` is, as rules care: a session, a response, a path, a file... or ``Kind.UNKNOWN``
        (never a guess). The same answer as ``type_of``, by kind."""
        return kind_of_type(self.type_of(expr, scope))

    def _resolved(self, resolve: Callable[[Any, Scope], Optional[str]], node: cst.CSTNode,
                  scope: Optional[Scope]) -> Optional[str]:
        # Several rules ask about the same call: resolve it once per scope.
        key = (resolve, node, scope or self.scope)
        known = self._names.get(key, _UNKNOWN)
        if known is _UNKNOWN:
            known = self._names[key] = resolve(node, key[2])
        return known  # type: ignore[return-value]

    # -- where the walk is ----------------------------------------------------
    def in_coroutine(self) -> bool:
        """The innermost enclosing function is ``async def`` (a nested def or lambda is not)."""
        function = self.scope.function()
        return function is not None and function.is_coroutine

    def in_test_code(self) -> bool:
        """The walk is in test code: a test module (``test_*.py``...), or a test or fixture of another one."""
        return in_test_module(self.path) or in_test(self.scope)

    def code_for(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)
