"""Positions of reported nodes equal LibCST's PositionProvider's, node for node."""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from aiolint.positions import positions

from .conftest import fixture_files

TRICKY = {
    "crlf": "import os\r\n\r\nasync def f(a,\r\n            b):\r\n    if a:\r\n        pass\r\n    elif b:\r\n        x = 1\r\n    else:\r\n        y = 2\r\n",
    "cr": "x = 1\ry = [\r  2,\r]\r",
    "form-feed-and-tabs": "\x0c\nclass A:\n\tdef f(self):\n\t\treturn 1\n",
    "unicode": "s = 'héllo wörld 🎉'; t = s  # ça\nprint(s, t)\n",
    "decorated": "@a.b(1)\n@c\nasync def f():\n    try:\n        await g()\n    except (A, B) as e:\n        raise\n"
                 "    else:\n        pass\n    finally:\n        h()\n    try:\n        pass\n    except* C:\n        pass\n",
    "no-trailing-newline": "def f():\n    return {'a': [1, (2, 3)], **d}",
    "continuations": "x = 1 + \\\n    2\nwith open(p) as a, \\\n     open(q) as b:\n    pass\n",
    "empty": "",
}


def all_nodes(module: cst.Module):
    found, todo = [], [module]
    while todo:
        node = todo.pop()
        found.append(node)
        todo.extend(node.children)
    return found


def sources():
    yield from ((path.name, path.read_text(encoding="utf-8")) for path in fixture_files())
    yield from TRICKY.items()


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
