"""The children of a LibCST node, read without LibCST's visitor machinery.

``CSTNode.children`` and ``Module.visit`` rebuild every node they pass; reading the
dataclass fields directly is several times cheaper. Whitespace, comments and
punctuation are left out: no rule needs them.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Collection, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

import libcst as cst

# Fields that hold only whitespace, comments and punctuation: rules never need them.
_SKIPPED_FIELDS = frozenset({
    "lpar", "rpar", "leading_lines", "lines_after_decorators", "header", "footer", "semicolon",
    "comma", "newline", "equal", "colon", "dot", "star", "lbracket", "rbracket", "lbrace", "rbrace",
    "trailing_whitespace", "first_line", "empty_lines", "indent",
})
_child_fields: Dict[type, Tuple[str, ...]] = {}


def child_fields(node_type: type) -> Tuple[str, ...]:
    """The fields of a node type that may hold nodes rules care about (not ``Name.value``, a str)."""
    fields = _child_fields.get(node_type)
    if fields is None:
        fields = tuple(f.name for f in dataclasses.fields(node_type)
                       if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace")
                       and f.type not in (str, bool))
        _child_fields[node_type] = fields
    return fields


class _NodeTypes(Dict[type, bool]):
    """type -> whether it is a CSTNode, filled on first sight (a lookup, not a call, per value).

    CSTNode is an ABC: ``isinstance`` per value would dominate the walk, and even
    ``issubclass`` once per type adds up (it asks every node class in turn), so the
    answer comes from the type's MRO.
    """

    def __missing__(self, value_type: type) -> bool:
        known = self[value_type] = cst.CSTNode in value_type.__mro__
        return known


_is_node_type = _NodeTypes()


def is_node_type(value_type: type) -> bool:
    return _is_node_type[value_type]


def children(node: cst.CSTNode, keep: Mapping[type, bool] = _is_node_type) -> List[cst.CSTNode]:
    """The node's children that rules can care about, in field order; with ``keep``, only
    those whose type it maps to true (it must map every non-node type to false)."""
    found: List[cst.CSTNode] = []
    for name in child_fields(type(node)):
        value = getattr(node, name)
        value_type = type(value)
        if value_type is tuple or value_type is list:  # LibCST's sequences hold nodes only
            for item in value:
                if keep[type(item)]:
                    found.append(item)
        elif keep[value_type]:
            found.append(value)
    return found


def single_target(statement: cst.CSTNode) -> Optional[cst.BaseExpression]:
    """``x = value`` or ``x: T = value``: the one target, else None."""
    if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
        return statement.targets[0].target
    if isinstance(statement, cst.AnnAssign):
        return statement.target
    return None


def walk(node: cst.CSTNode, skip: Collection[type] = (), until: Optional[cst.CSTNode] = None) -> Iterator[cst.CSTNode]:
    """``node`` and its descendants in source order, not entering nodes whose type is in
    ``skip`` (they are not yielded either), and stopping before ``until``."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current is until:
            return
        yield current
        stack.extend(kid for kid in reversed(children(current)) if type(kid) not in skip)


# Code that runs later or elsewhere, if at all: not the code of the block that holds it.
NESTED_CODE = frozenset({cst.FunctionDef, cst.Lambda, cst.ClassDef})
# What a call's callee must be for a name to be resolved: ``fetch`` or ``client.fetch``.
DOTTED_NAMES = frozenset({cst.Name, cst.Attribute})

# LibCST's node classes are ABCs: ``isinstance(node, cst.Name)`` runs Python code (``ABCMeta``'s) unless the
# node is exactly a Name. The paths that run for every node or call compare exact types instead
# (``type(node) is cst.Name``, ``type(node) in NESTED_CODE``); LibCST subclasses none of its concrete classes.


def own_code(node: cst.CSTNode, until: Optional[cst.CSTNode] = None) -> Iterator[cst.CSTNode]:
    """``node`` and the descendants that run with it, in source order: nested functions, lambdas and
    classes are not entered; stops before ``until``."""
    return walk(node, skip=NESTED_CODE, until=until)


def expects_error(ancestors: Sequence[cst.CSTNode], qualified_name: Callable[[cst.BaseExpression], Optional[str]]) -> bool:
    """The code stands in a ``with pytest.raises(...):`` block (of its own function): a test that
    the mistake fails as it should, not the mistake itself."""
    for ancestor in reversed(ancestors):
        if isinstance(ancestor, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            return False
        if isinstance(ancestor, cst.With) and any(
                isinstance(item.item, cst.Call) and qualified_name(item.item.func) == "pytest.raises"
                for item in ancestor.items):
            return True
    return False
