"""The pre-filter skips files that contain none of a rule's trigger words, and must never cost a finding."""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from aiolint.engine import lint_source, python_syntax_error, spelled_whole, triggered_rules
from aiolint.rules import REGISTRY, all_rules

from .conftest import fixture_files
from .rule_probes import CallProbe


def fragments(path: Path) -> List[str]:
    """The fixture, each top-level statement alone, then with the imports it uses, then each function cut up.

    The whole fixture contains every trigger word of its family, so on it the
    pre-filter keeps every rule; fragments contain fewer, so the pre-filter
    drops rules there, and a rule that reports without its trigger words shows.
    Fragments import only the names they use, and functions are also cut into one
    fragment per statement of their body, so that no other call or import of the
    fixture brings a trigger word that a finding needs.
    """
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    statements = ast.parse(source).body

    def text(node: ast.stmt) -> str:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        return "".join(lines[first - 1:node.end_lineno])

    imports: Dict[str, List[str]] = {}  # bound name -> the imports that bind it, one name each
    for node in statements:
        for alias in getattr(node, "names", []) if isinstance(node, (ast.Import, ast.ImportFrom)) else []:
            spelled = f"{alias.name} as {alias.asname}" if alias.asname else alias.name
            if isinstance(node, ast.Import):
                imports.setdefault(alias.asname or alias.name.partition(".")[0], []).append(f"import {spelled}\n")
            elif alias.name != "*":
                module = "." * node.level + (node.module or "")
                imports.setdefault(alias.asname or alias.name, []).append(f"from {module} import {spelled}\n")
    others = [node for node in statements if not isinstance(node, (ast.Import, ast.ImportFrom))]

    def with_its_imports(*nodes: ast.AST, code: str) -> str:
        used = {name.id for node in nodes for name in ast.walk(node) if isinstance(name, ast.Name)}
        return "".join(line for name in sorted(used & imports.keys()) for line in imports[name]) + "\n" + code

    def one_statement_each(function: ast.stmt) -> List[str]:
        """The function once per statement of its body, which alone it keeps (with its imports)."""
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return []
        first = min([function.lineno, *(d.lineno for d in function.decorator_list)])
        header = "".join(lines[first - 1:function.body[0].lineno - 1])
        if not header.rstrip().endswith(":"):  # `def f(): return x`: one statement already
            return []
        signature = [*function.decorator_list, function.args, *([function.returns] if function.returns else [])]
        return [with_its_imports(*signature, statement, code=header + text(statement)) for statement in function.body]

    return [source, *map(text, others), *(with_its_imports(node, code=text(node)) for node in others),
            *(fragment for node in others for fragment in one_statement_each(node))]


@lru_cache(maxsize=None)
def findings_with_and_without() -> List[Tuple[str, Dict[str, list], Dict[str, list]]]:
    """For each fragment of each fixture: findings by code, with the pre-filter and without it."""
    rules = all_rules()
    compared = []
    for path in fixture_files():
        for number, fragment in enumerate(fragments(path)):
            by_code: List[Dict[str, list]] = [{}, {}]
            for side, prefilter in enumerate((True, False)):
                result = lint_source(fragment, path.name, rules, prefilter=prefilter)
                for item in [*result.diagnostics, *result.failures]:
                    by_code[side].setdefault(item.code, []).append(item)
            compared.append((f"{path.name} fragment {number}", by_code[0], by_code[1]))
    return compared


@pytest.mark.parametrize("code", sorted(REGISTRY))
def test_findings_are_unchanged_by_the_prefilter(code):
    checked = 0
    for where, with_prefilter, without in findings_with_and_without():
        assert with_prefilter.get(code, []) == without.get(code, []), f"{code} differs on {where}"
        checked += code in without
    assert checked, f"no fixture fragment reports {code}: the comparison proves nothing"


def test_the_prefilter_drops_rules_on_fragments():
    # Otherwise the comparison above would hold trivially.
    dropped = {rule.code for path in fixture_files() for fragment in fragments(path)
               for rule in set(all_rules()) - set(triggered_rules(fragment, all_rules(), {}))}
    assert len(dropped) >= len(REGISTRY) // 2


def test_an_aliased_import_still_triggers():
    source = "from time import sleep as nap\n\n\nasync def poll():\n    nap(1)\n"
    result = lint_source(source, "poll.py")
    assert result.parsed
    assert [(d.line, d.code) for d in result.diagnostics] == [(5, "AIO301")]


def test_trigger_words_follow_the_rule_options():
    # `mylib` is in no default table: only the option makes the file worth parsing.
    source = "import mylib\n\n\nasync def fetch(url):\n    mylib.download(url)\n"
    options = {"extend-blocking-calls": {"mylib.download": "AIO302"}}
    result = lint_source(source, "fetch.py", options=options)
    assert [(d.line, d.code) for d in result.diagnostics] == [(5, "AIO302")]
    assert not lint_source(source, "fetch.py").parsed


def test_a_file_with_no_trigger_word_is_not_parsed_and_is_clean():
    result = lint_source("def add(a, b):\n    return a + b\n", "add.py")
    assert not result.parsed
    assert result.diagnostics == [] and result.failures == []


def test_a_rule_without_trigger_words_runs_on_every_file():
    result = lint_source("print(len('x'))\n", "probe.py", [REGISTRY["AIO301"], CallProbe])
    assert result.parsed
    assert [d.code for d in result.diagnostics] == ["AIO990", "AIO990"]


def test_a_skipped_file_still_reports_its_syntax_error_where_python_does():
    source = "def broken(:\n    pass\n"
    with_prefilter = lint_source(source, "broken.py")
    assert not with_prefilter.parsed
    assert [(d.line, d.column, d.code) for d in with_prefilter.diagnostics] == [(1, 12, "AIO001")]
    assert with_prefilter.diagnostics == lint_source(source, "broken.py", prefilter=False).diagnostics


def test_a_skipped_file_in_syntax_newer_than_the_interpreter_is_not_an_error():
    # LibCST parses Python 3.14 syntax whatever runs it; the pre-filter must not be stricter.
    source = "type Pair = tuple[int, int]\n"
    assert lint_source(source, "alias.py").diagnostics == []
    assert lint_source(source, "alias.py", prefilter=False).diagnostics == []


def test_a_skipped_file_that_only_cpython_s_symbol_table_refuses_is_left_to_libcst():
    """The quick check builds CPython's symbol table, which refuses more than its parser (``nonlocal`` at module
    level); LibCST, which parses it, decides, as for a file that is not skipped."""
    source = "nonlocal counter\n"
    assert python_syntax_error("counter.py", source) is not None
    assert lint_source(source, "counter.py").diagnostics == []
    assert lint_source(source, "counter.py", prefilter=False).diagnostics == []


def test_undecodable_bytes_are_aio002_whatever_the_triggers():
    result = lint_source(b"x = '\xff\xfe'\n", "binary.py")
    assert [d.code for d in result.diagnostics] == ["AIO002"]


def test_rules_of_coroutine_context_need_async_in_the_file():
    sync_only = "import time\n\n\ndef poll():\n    try:\n        time.sleep(1)\n    except BaseException:\n        pass\n"
    assert not lint_source(sync_only, "poll.py").parsed
    coroutine = sync_only.replace("def poll", "async def poll")
    assert [d.code for d in lint_source(coroutine, "poll.py").diagnostics] == ["AIO301"]


def test_the_async_keyword_counts_only_spelled_whole():
    # `asyncio` is not `async`: without an `async def` there is no coroutine context to report in.
    with_asyncio = "import asyncio\nimport time\n\n\ndef poll():\n    time.sleep(1)\n    asyncio.run(main())\n"
    assert not lint_source(with_asyncio, "poll.py").parsed
    coroutine = with_asyncio.replace("def poll", "async def poll")
    assert [d.code for d in lint_source(coroutine, "poll.py").diagnostics] == ["AIO301", "AIO307"]


def test_a_blocking_call_module_counts_only_spelled_whole():
    # `os` in `position` or `close`, `time` in `timestamp`: no module the file could call.
    subprocess_rule, sleep_rule = REGISTRY["AIO303"], REGISTRY["AIO301"]
    inside_names = "async def move(position, timestamp):\n    await position.close(timestamp)\n"
    assert triggered_rules(inside_names, [subprocess_rule, sleep_rule], {}) == []
    aliased = "import os as shell\nfrom time import sleep as nap\n\n\nasync def run():\n    shell.system('ls')\n    nap(1)\n"
    assert triggered_rules(aliased, [subprocess_rule, sleep_rule], {}) == [subprocess_rule, sleep_rule]
    assert [d.code for d in lint_source(aliased, "run.py").diagnostics] == ["AIO303", "AIO301"]


def test_words_of_other_rules_still_match_inside_longer_names():
    # AIO503's `Timeout` is meant to be found in `ClientTimeout`.
    caught = "import aiohttp\n\n\nasync def get(session):\n    try:\n        await session.get('/')\n" \
             "    except aiohttp.ClientTimeout:\n        pass\n"
    assert triggered_rules(caught, [REGISTRY["AIO503"]], {}) == [REGISTRY["AIO503"]]
    assert "AIO503" in [d.code for d in lint_source(caught, "get.py").diagnostics]


def test_a_word_spelled_whole_is_told_from_the_parts_of_longer_names():
    assert spelled_whole("os", "os.system('ls')") and spelled_whole("os", "import os")
    assert spelled_whole("os", "position, close, os")  # found after the parts of other names
    assert not spelled_whole("os", "position = pos + close_os + éos + os2")
