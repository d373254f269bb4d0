"""Test code: pytest and unittest tests and fixtures, and what they define.

Tests provoke failures and cancellation on purpose (a handler that ignores
cancellation, a request expected to fail): rules about handling them ask here
before reporting.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .entry_points import entry_point
from .names import qualified_name
from .scope import Scope

PYTEST = "pytest"  # the framework of fixtures in the entry-point table
TEST_CASE_SUFFIX = "TestCase"  # unittest.TestCase, IsolatedAsyncioTestCase, aiohttp's AioHTTPTestCase


def in_test(scope: Scope) -> bool:
    """``scope`` is a test function or fixture, or runs inside one (a handler or helper it defines)."""
    current: Optional[Scope] = scope
    while current is not None:
        if isinstance(current.node, cst.FunctionDef) and current.parent is not None and (
                is_test_function(current.node, current.parent) or is_fixture(current.node, current.parent)):
            return True
        current = current.parent
    return False


def is_test_function(function: cst.FunctionDef, defined_in: Scope) -> bool:
    """``test_*`` at module level (pytest), or a ``test*`` method of a ``Test*`` class or a ``*TestCase`` subclass."""
    if not function.name.value.startswith("test"):
        return False
    if defined_in.is_module:
        return True
    if not defined_in.is_class:
        return False
    test_class: cst.ClassDef = defined_in.node  # type: ignore[assignment]
    if test_class.name.value.startswith("Test"):
        return True
    outer = defined_in.parent or defined_in
    return any((qualified_name(base.value, outer) or "").endswith(TEST_CASE_SUFFIX) for base in test_class.bases)


def is_fixture(function: cst.FunctionDef, defined_in: Scope) -> bool:
    """Decorated ``@pytest.fixture`` / ``@pytest.fixture(...)`` (or pytest-asyncio's): the entry-point table's fixtures."""
    kind = entry_point(function, defined_in)
    return kind is not None and kind.framework == PYTEST
