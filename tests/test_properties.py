"""Property-based: on programs generated from Python's grammar (hypothesmith), plain and inside a
coroutine with aiohttp imports, aiolint never crashes or fails a rule, never calls code CPython
compiles a syntax error, and every fix compiles and reaches a fixed point."""

from __future__ import annotations

import textwrap
import warnings

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings

from aiolint.engine import lint_source
from aiolint.fixer import fix_source
from aiolint.rules import all_rules

RULES = all_rules()  # opt-in rules too
WRAPPER = "import asyncio\nimport time\nimport aiohttp\nfrom aiohttp import web\n\n\nasync def wrapped(session):\n"


def compiles(source: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, "<generated>", "exec", dont_inherit=True)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


def lint(text):
    return lint_source(text, "generated.py", RULES)


def check(source: str) -> None:
    valid = compiles(source)
    result = lint(source)
    assert result.failures == []
    if valid:
        assert [d for d in result.diagnostics if d.code == "AIO001"] == []
    fixed = fix_source(source.encode("utf-8"), lint, unsafe=True)
    assert fixed.error is None and not fixed.unsettled
    if fixed.fixed:
        text = fixed.data.decode("utf-8")
        assert compiles(text) or not valid
        again = fix_source(fixed.data, lint, unsafe=True)
        assert again.fixed == 0 and again.data == fixed.data  # a fixed point


PROPERTIES = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@PROPERTIES
@given(source=hypothesmith.from_grammar())
def test_generated_programs(source):
    check(source)


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@PROPERTIES
@given(source=hypothesmith.from_grammar())
def test_generated_programs_in_a_coroutine_with_aiohttp_imports(source):
    check(WRAPPER + textwrap.indent(source, "    ", lambda line: True) + "\n    pass\n")
