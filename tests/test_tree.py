"""What the read-only walk reads of each node type, computed afresh.

``semantics.tree`` caches, per node type, the fields that hold nodes and whether a type is a
node at all; a lint fills both caches on its first file. These tests compute the answers
again from the types themselves, so that a wrong computation cannot hide behind a cache
filled earlier in the same process.
"""

from __future__ import annotations

import libcst as cst
import pytest

from aiolint.semantics import tree


@pytest.mark.parametrize("node_type, fields", [
    (cst.Name, ()),  # its value is a str; parentheses are punctuation
    (cst.Integer, ()),
    (cst.Call, ("func", "args")),
    (cst.Arg, ("value", "keyword")),  # not its `star` string, its `=` or its comma
    (cst.FunctionDef, ("name", "params", "body", "decorators", "returns", "asynchronous", "type_parameters")),
])
def test_the_fields_walked_hold_nodes_not_punctuation_whitespace_or_strings(node_type, fields):
    tree._child_fields.pop(node_type, None)
    assert tree.child_fields(node_type) == fields
    assert tree.child_fields(node_type) is tree.child_fields(node_type)  # computed once


def test_a_fresh_node_type_table_tells_nodes_from_other_values():
    table = tree._NodeTypes()
    assert table[cst.Name] is True and table[cst.FunctionDef] is True
    assert table[str] is False and table[type(None)] is False and table[tuple] is False
    assert set(table) == {cst.Name, cst.FunctionDef, str, type(None), tuple}  # remembered
