"""Test code: pytest and unittest tests and fixtures, and what they define; code that
expects the warnings or errors it causes.

Tests provoke failures and cancellation on purpose (a handler that ignores
cancellation, a request expected to fail), exercise old arguments (``loop=loop``) and
skip TLS verification to reach their own server: rules about those ask here before
reporting. ``expects_warning``: the code runs under ``with pytest.warns(...)``,
``pytest.deprecated_call()``, ``pytest.raises(...)``, ``self.assertWarns(...)`` or
``warnings.catch_warnings()``: a deprecated or wrong call there is the point of the test.
``in_test_module``: the whole file is test code, by pytest's naming (``test_*.py``,
``*_test.py``, ``conftest.py``): its helpers run only under the tests.
"""

from __future__ import annotations

import fnmatch
import os
from typing import Optional, Sequence

import libcst as cst

from .entry_points import entry_point
from .names import qualified_name
from .scope import Scope

PYTEST = "pytest"  # the framework of fixtures in the entry-point table
TEST_CASE_SUFFIX = "TestCase"  # unittest.TestCase, IsolatedAsyncioTestCase, aiohttp's AioHTTPTestCase
TEST_MODULES = ("test_*.py", "*_test.py", "conftest.py")  # pytest's default python_files, and its conftest
WARNING_CATCHERS = frozenset({"pytest.warns", "pytest.deprecated_call", "pytest.raises", "warnings.catch_warnings"})

TEST_MODULES_NOT_CHECKED = (
    "Test code is not checked: test modules (`test_*.py`, `*_test.py`, `conftest.py`),\n"
    "and pytest or unittest tests and fixtures elsewhere with the functions they define.")
# What a rule that asks ``in_test`` (and ``expects_warning``) says of it under "Known limits":
# its docstring names the paragraph by a line of its own, in braces (see ``Rule.documentation``).
DOC_PARAGRAPHS = {
    "{test code}": (
        "Code in pytest tests and fixtures (`def test_*`, `@pytest.fixture`, and functions\n"
        "nested in them) is not checked: tests use such code on purpose."),
    "{test code; expected warnings}": (
        "Code in pytest tests and fixtures (`def test_*`, `@pytest.fixture`, and functions\n"
        "nested in them) is not checked: tests use such code on purpose.\n"
        "Nor is code under `pytest.warns(...)`, `pytest.raises(...)` or\n"
        "`warnings.catch_warnings()`, where the deprecation is what is tested."),
    "{test modules}": TEST_MODULES_NOT_CHECKED,
    "{test code; test modules}": (
        TEST_MODULES_NOT_CHECKED + "\n"
        "Tests set up and remove their temporary files this way, on a local disk, and\n"
        "block only their own event loop."),
}


def in_test(scope: Scope) -> bool:
    """``scope`` is a test function or fixture, or runs inside one (a handler or helper it defines)."""
    known = scope.file_memo.setdefault("in_test", {})  # asked for every call some rules see: once per scope
    if scope.node not in known:
        known[scope.node] = _in_test(scope)
    return known[scope.node]


def _in_test(scope: Scope) -> bool:
    current: Optional[Scope] = scope
    while current is not None:
        if isinstance(current.node, cst.FunctionDef) and current.parent is not None and (
                is_test_function(current.node, current.parent) or is_fixture(current.node, current.parent)):
            return True
        current = current.parent
    return False


def in_test_module(path: str) -> bool:
    """The file at ``path`` is a test module by its name (the directories above it are not looked at:
    they may lie outside the project, where a ``test`` directory says nothing about this file)."""
    name = os.path.basename(path)
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in TEST_MODULES)


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
    names = (qualified_name(base.value, outer) for base in test_class.bases)
    return any(name is not None and name.endswith(TEST_CASE_SUFFIX) for name in names)


def is_fixture(function: cst.FunctionDef, defined_in: Scope) -> bool:
    """Decorated ``@pytest.fixture`` / ``@pytest.fixture(...)`` (or pytest-asyncio's): the entry-point table's fixtures."""
    kind = entry_point(function, defined_in)
    return kind is not None and kind.framework == PYTEST


def expects_warning(ancestors: Sequence[cst.CSTNode], scope: Scope) -> bool:
    for ancestor in ancestors:
        if type(ancestor) is cst.With:
            for item in ancestor.items:  # type: ignore[attr-defined]
                call = item.item
                if type(call) is not cst.Call:
                    continue
                if qualified_name(call.func, scope) in WARNING_CATCHERS or (
                        type(call.func) is cst.Attribute
                        and call.func.attr.value in ("assertWarns", "assertWarnsRegex", "assertRaises")):
                    return True
    return False
