"""Test code, and code that expects the warnings or errors it causes.

``expects_warning``: the code runs under ``with pytest.warns(...)``,
``pytest.deprecated_call()``, ``pytest.raises(...)``, ``self.assertWarns(...)`` or
``warnings.catch_warnings()``: a deprecated or wrong call there is the point of the
test (aiohttp's own tests check each deprecation warning that way).
``in_test_code``: the code runs in a pytest test (``def test_*``) or fixture
(``@pytest.fixture``), or a function nested in one: a test's client that skips TLS
verification to reach its own server with a self-signed certificate is not a risk,
and tests exercise old arguments (``loop=loop``, the loop fixture) on purpose.
"""

from __future__ import annotations

from typing import Sequence

import libcst as cst

from .names import qualified_name
from .scope import Scope

WARNING_CATCHERS = frozenset({"pytest.warns", "pytest.deprecated_call", "pytest.raises", "warnings.catch_warnings"})
FIXTURES = frozenset({"pytest.fixture", "pytest_asyncio.fixture"})


def expects_warning(ancestors: Sequence[cst.CSTNode], scope: Scope) -> bool:
    for ancestor in ancestors:
        if isinstance(ancestor, cst.With):
            for item in ancestor.items:
                call = item.item
                if not isinstance(call, cst.Call):
                    continue
                if qualified_name(call.func, scope) in WARNING_CATCHERS or (
                        isinstance(call.func, cst.Attribute) and call.func.attr.value in ("assertWarns", "assertWarnsRegex", "assertRaises")):
                    return True
    return False


def in_test_code(scope: Scope) -> bool:
    current = scope
    while current is not None:
        node = current.node
        if isinstance(node, cst.FunctionDef):
            if node.name.value.startswith("test_"):
                return True
            outer = current.parent or current
            for decorator in node.decorators:
                expr = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
                if qualified_name(expr, outer) in FIXTURES:
                    return True
        current = current.parent
    return False
