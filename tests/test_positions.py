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


def top_statements(module: cst.Module):
    """node -> the top-level statement that holds it (as the engine records them)."""
    return {node: statement for statement in module.body for node in all_nodes(statement)}


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


@pytest.mark.parametrize("name,source", list(sources()), ids=lambda value: value if len(value) < 40 else None)
def test_from_the_statements_alone_every_node_is_where_position_provider_puts_it(name, source):
    module = cst.parse_module(source)
    nodes = all_nodes(module)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    assert positions(module, nodes, source, top_statements(module)) == {node: expected[node] for node in nodes}


@pytest.mark.parametrize("source", [
    "x = f()\n\nx = f()\nx = f()\n",  # the same statement three times: its text does not say which
    "\ufeffdef g():\n    return 1\n",  # a BOM is not part of the module's code
])
def test_a_statement_whose_place_the_text_cannot_tell_still_gets_true_positions(source):
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = all_nodes(module)
    assert positions(module, nodes, source, top_statements(module)) == {node: expected[node] for node in nodes}


def test_a_node_outside_the_statement_it_is_said_to_be_in_gets_its_true_position():
    source = "a = 1\nb = 2\n"
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    second = module.body[1]
    wrong = {node: module.body[0] for node in all_nodes(second)}
    assert positions(module, [second], source, wrong) == {second: expected[second]}
