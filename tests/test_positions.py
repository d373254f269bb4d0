"""Positions of reported nodes equal LibCST's PositionProvider's, node for node."""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from aiolint.positions import positions

from .conftest import TRICKY, sources


def all_nodes(module: cst.Module):
    found, todo = [], [module]
    while todo:
        node = todo.pop()
        found.append(node)
        todo.extend(node.children)
    return found


@pytest.mark.parametrize("name,source", list(sources()), ids=lambda value: value if len(value) < 40 else None)
def test_every_node_is_where_position_provider_puts_it(name, source):
    module = cst.parse_module(source)
    nodes = all_nodes(module)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    assert positions(module, nodes) == {node: expected[node] for node in nodes}


def test_a_few_nodes_alone_get_the_same_positions():
    module = cst.parse_module(TRICKY["decorated"])
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    for node in all_nodes(module)[::7]:
        assert positions(module, [node]) == {node: expected[node]}
