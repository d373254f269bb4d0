"""Imports as fixes need them: whether a fix may add one, and the edits that add an import
to a file or drop one that a fix leaves unused. (How code may spell a name through imports
that have run is ``names.runtime_spelling``.)

An import under ``if TYPE_CHECKING:`` or ``if __name__ == "__main__":`` (any condition)
may not have run where the name is used: a fix neither relies on it nor removes it.

Edits are ``(node, content)`` pairs: put ``content`` where ``node`` is (rules turn them
into their fixes' replacements).
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Tuple

import libcst as cst

from .names import BUILTIN_NAMES, canonical
from .scope import Scope
from .tree import children

Edit = Tuple[cst.CSTNode, str]
ANNOTATION = re.compile(r"[\w.\[\], |]+")
WORD = re.compile(r"[A-Za-z_]\w*")


def is_free(name: str, scope: Scope, meaning: Optional[str] = None) -> bool:
    """A new module-level import may bind ``name`` for code in ``scope``: nothing there sees
    another thing by that name (a builtin, a local...); imports of ``meaning`` itself, which
    may not have run (under ``if TYPE_CHECKING:``), are no obstacle."""
    bindings = scope.lookup(name)
    if bindings is None:
        return name not in BUILTIN_NAMES
    at_module = scope.module().bindings.get(name, [])  # a function's own import shadows a module-level one
    return meaning is not None and all(
        any(b is m for m in at_module) and b.kind == "import" and b.qualified is not None
        and canonical(b.qualified) == meaning for b in bindings)


# -- edits -------------------------------------------------------------------------
def import_block_end(module: cst.Module) -> Optional[cst.SimpleStatementLine]:
    """The last line of the module's leading imports (before its first def or class)."""
    last = None
    for statement in module.body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            break
        if isinstance(statement, cst.SimpleStatementLine) and all(
                isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body):
            last = statement
    return last


def import_edits(module: cst.Module, scope: Scope, add: Optional[str] = None,
                 drop: Optional[str] = None, dropping_use: Optional[cst.Name] = None) -> Optional[List[Edit]]:
    """Edits that add the import statement ``add`` after the module's import block, and drop the
    module-level import of the local name ``drop`` when ``dropping_use`` is its last use.

    When the import of ``drop`` stays, the edits still claim its span (an edit that changes
    nothing): fixes that may drop the same import then never apply in the same round, so the one
    that removes its last use sees that it is the last. None when ``add`` has nowhere to go.
    """
    edits: Dict[int, Edit] = {}
    if drop is not None and dropping_use is not None:
        for node, content in _drop_edits(module, scope, drop):
            edits[id(node)] = (node, content)
    if add is not None:
        anchor = import_block_end(module)
        if anchor is None:
            return None
        after = anchor.trailing_whitespace
        before = edits.get(id(after), (after, module.code_for_node(after)))[1]
        edits[id(after)] = (after, before + add + "\n")
    return list(edits.values())


def _drop_edits(module: cst.Module, scope: Scope, name: str) -> List[Edit]:
    module_scope = scope.module()
    bindings = module_scope.bindings.get(name) or []
    if scope.lookup(name) != bindings or len(bindings) != 1 or bindings[0].kind != "import" \
            or bindings[0].conditional:
        return []
    statement = bindings[0].node
    line = next((s for s in module.body if isinstance(s, cst.SimpleStatementLine) and statement in s.body), None)
    alias = next((a for a in statement.names if _local_name(a) == name), None)  # type: ignore[union-attr]
    if line is None or alias is None or len(line.body) != 1:
        return []
    if _name_uses(scope).get(name, 0) > 1:  # still used elsewhere: only claim the span
        return [(alias, module.code_for_node(alias.with_changes(comma=cst.MaybeSentinel.DEFAULT)))]
    names = [a for a in statement.names if a is not alias]  # type: ignore[union-attr]
    if not names:
        return [(line, ""), (line.trailing_whitespace, "")]
    names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    kept = statement.with_changes(names=names)
    if isinstance(kept, cst.ImportFrom) and kept.rpar is not None and len(names) == 1:
        kept = kept.with_changes(lpar=None, rpar=None)
    return [(statement, module.code_for_node(kept.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)))]


def _local_name(alias: cst.ImportAlias) -> Optional[str]:
    if alias.asname is not None:
        return alias.asname.name.value if isinstance(alias.asname.name, cst.Name) else None
    node = alias.name
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


def _name_uses(scope: Scope) -> Dict[str, int]:
    """How many times each name is read or written in the file outside import statements
    (attribute names and keywords are not names; a string annotation's names are)."""
    memo = scope.file_memo
    if "name_uses" in memo:
        return memo["name_uses"]
    counts: Dict[str, int] = {}
    stack: List[cst.CSTNode] = [scope.module().node]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            continue
        if isinstance(node, cst.Name):
            counts[node.value] = counts.get(node.value, 0) + 1
            continue
        if isinstance(node, cst.Attribute):
            stack.append(node.value)
            continue
        if isinstance(node, cst.Arg):
            stack.append(node.value)
            continue
        if isinstance(node, cst.SimpleString) and ANNOTATION.fullmatch(node.value.strip("\"'")):
            for word in WORD.findall(node.value):  # an annotation in quotes names what it uses
                counts[word] = counts.get(word, 0) + 1
            continue
        stack.extend(children(node))
    memo["name_uses"] = counts
    return counts
