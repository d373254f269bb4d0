"""The engine on one file: decoding, bad input, deep nesting, line endings, rule failures, ordering."""

from __future__ import annotations

import dataclasses
import gc
import os
import subprocess
import sys

import libcst as cst
import pytest

from aiolint import engine, memory
from aiolint.engine import lint_source, parse_module
from aiolint.fixer import fix_source
from aiolint.rules import default_rules

from .conftest import POLL_EXAMPLE, ROOT, sources
from .rule_probes import CallProbe, Crashes, ParentProbe


def probe(source, **kwargs):
    return lint_source(source, "t.py", [CallProbe], **kwargs)


def findings(result):
    return [(d.line, d.column, d.message) for d in result.diagnostics]


def test_latin1_file_with_cookie_is_decoded_and_linted():
    source = "# -*- coding: latin-1 -*-\nimport time\ns = 'café'\ntime.sleep(1)\n".encode("latin-1")
    assert findings(probe(source)) == [(4, 1, "time.sleep coroutine=False")]


def test_utf8_bom_is_accepted_and_positions_are_unshifted():
    source = b"\xef\xbb\xbfimport time\ntime.sleep(1)\n"
    assert findings(probe(source)) == [(2, 1, "time.sleep coroutine=False")]


@pytest.mark.parametrize("source", [
    b"x = '\xff\xfe'\n",  # not UTF-8, no cookie
    b"# coding: no-such-codec\nx = 1\n",
])
def test_undecodable_file_is_aio002(source):
    result = probe(source)
    assert [(d.code, d.line) for d in result.diagnostics] == [("AIO002", 1)]
    assert "decode" in result.diagnostics[0].message


def test_syntax_error_is_aio001_at_pythons_line():
    result = probe(b"import time\n\ndef f(:\n    pass\n")
    assert [(d.code, d.line) for d in result.diagnostics] == [("AIO001", 3)]
    assert result.diagnostics[0].message.startswith("Syntax error")


@pytest.mark.parametrize("source, line", [
    (b"import time\r\ntime.sleep(1)\r\n", 2),  # CRLF
    (b"import time\ntime.sleep(1)", 2),  # no newline at the end
    (b"import time\nif True:\n\ttime.sleep(1)\n", 3),  # tabs
])
def test_line_endings_and_indentation_do_not_matter(source, line):
    assert [(d.line, d.code) for d in probe(source).diagnostics] == [(line, "AIO990")]


def test_only_comments_and_empty_file_are_clean():
    assert probe(b"# nothing here\n# at all\n").diagnostics == []
    assert probe(b"").diagnostics == []


def test_a_failing_rule_is_reported_and_the_others_still_run():
    result = lint_source("import time\ntime.sleep(1)\n", "t.py", [Crashes, CallProbe])
    assert [(f.path, f.code) for f in result.failures] == [("t.py", "AIO991")]
    assert "ZeroDivisionError" in result.failures[0].error
    assert findings(result) == [(2, 1, "time.sleep coroutine=False")]


def test_a_rule_that_fails_on_several_nodes_is_reported_once_and_dropped_for_the_file():
    calls = []

    class CrashesEveryTime(Crashes):
        def visit_Call(self, node):
            calls.append(node)
            super().visit_Call(node)

    result = lint_source("import time\ntime.sleep(1)\ntime.sleep(2)\ntime.sleep(3)\n", "t.py",
                         [CrashesEveryTime, CallProbe])
    assert [(f.path, f.code) for f in result.failures] == [("t.py", "AIO991")]
    assert len(calls) == 1  # not called again on the next nodes
    assert [line for line, _, _ in findings(result)] == [2, 3, 4]


def test_a_rule_that_declares_libcst_metadata_reads_it_and_reports_where_the_engine_does():
    source = "import time\nx = [time.sleep(1)]\nasync def f():\n    await g(\n        1)\n"
    declared = lint_source(source, "t.py", [ParentProbe, CallProbe])
    assert [(d.code, d.message) for d in declared.diagnostics if d.code == "AIO995"] == [
        ("AIO995", "call in Element at 2:5"), ("AIO995", "call in Await at 4:10")]
    ranges = [(d.line, d.column, d.end_line, d.end_column) for d in declared.diagnostics if d.code == "AIO990"]
    assert ranges == [(d.line, d.column, d.end_line, d.end_column) for d in probe(source).diagnostics]


def test_diagnostics_are_sorted_by_line_then_column_with_ranges():
    result = probe("import time\nasync def f():\n    time.sleep(2); time.sleep(1)\ntime.sleep(0)\n")
    assert [(d.line, d.column, d.end_line, d.end_column) for d in result.diagnostics] == [
        (3, 5, 3, 18), (3, 20, 3, 33), (4, 1, 4, 14)]


@pytest.mark.parametrize("name,source", list(sources()), ids=lambda value: value if len(value) < 40 else None)
def test_the_unvalidated_parse_builds_the_same_tree(name, source):
    tree, validated = parse_module(source, unvalidated=True), cst.parse_module(source)
    assert tree.deep_equals(validated)
    assert tree.code == validated.code


def test_nodes_are_validated_again_after_a_parse_and_after_a_failed_one():
    parse_module("x = 1\n", unvalidated=True)
    with pytest.raises(cst.CSTValidationError):
        cst.Name("")
    with pytest.raises(cst.ParserSyntaxError):
        parse_module("def f(:\n", unvalidated=True)
    with pytest.raises(cst.CSTValidationError):
        cst.Name("")


def test_the_parse_builds_nodes_with_its_own_constructors_and_gives_them_back():
    swapped = {node_class for node_class, _, _ in engine._parser_constructors()}
    assert {cst.Module, cst.Name, cst.Call, cst.Attribute, cst.SimpleWhitespace, cst.FunctionDef} <= swapped
    own = {node_class: node_class.__init__ for node_class in swapped}
    tree = parse_module("async def f(a, *, b=[x for x in y]):\n    return await a.b(c, d=e)  # done\n",
                        unvalidated=True)
    assert tree.deep_equals(cst.parse_module(tree.code))
    assert {node_class: node_class.__init__ for node_class in swapped} == own
    # Defaults and default factories as the dataclass applies them, for the classes whose every field has one.
    built = 0
    for node_class, _, unvalidated in engine._parser_constructors():
        if all(field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING
               for field in dataclasses.fields(node_class)):
            bare = object.__new__(node_class)
            unvalidated(bare)
            assert bare.deep_equals(node_class()), node_class
            built += 1
    assert built > 50


def test_building_the_parse_constructors_leaves_nothing_in_the_node_classes_abc_caches():
    # An issubclass() check of each name LibCST exports left thousands of answers there (1.4 MB) for good.
    script = """
import abc
import libcst as cst
from aiolint.engine import _exported_node_classes, _parser_constructors
cached = lambda: sum(len(abc._get_dump(node_class)[1]) + len(abc._get_dump(node_class)[2])
                     for node_class in _exported_node_classes())
before = cached()
print(len(_parser_constructors()) > 150, cached() - before)
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.stdout.split() == ["True", "0"]


def test_a_process_builds_the_parse_constructors_only_once_it_has_parsed_enough():
    # A run over one small file (pre-commit, an editor) would spend more building them than they save.
    script = """
from aiolint.engine import UNVALIDATED_AFTER, _parser_constructors, parse_module
built = lambda: _parser_constructors.cache_info().currsize
parse_module("x = 1\\n" * (UNVALIDATED_AFTER // 6 + 1))  # as much, and no more
print(built())
tree = parse_module("y = 2\\n")
print(built(), tree.code == "y = 2\\n")
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.stdout.split() == ["0", "1", "True"]


@pytest.mark.parametrize("enabled", [True, False])
def test_the_garbage_collector_is_paused_while_a_file_is_linted_and_left_as_it_was(enabled):
    states = []

    class Watches(CallProbe):
        def visit_Call(self, node):
            states.append(gc.isenabled())
            super().visit_Call(node)

    (gc.enable if enabled else gc.disable)()
    try:
        assert findings(lint_source("import time\ntime.sleep(1)\n", "t.py", [Watches]))
        assert states == [False]
        assert gc.isenabled() is enabled
    finally:
        gc.enable()


def test_a_file_linted_sets_off_no_collection_of_its_tree():
    # Tens of thousands of nodes, and a collector that would run after 20,000 allocations not yet freed.
    source = "import asyncio\n" + "".join(f"async def f{n}(a, b):\n    return [await a(x) for x in b]\n"
                                           for n in range(1000))
    collections = []

    def note(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    threshold = gc.get_threshold()
    gc.collect()
    gc.set_threshold(20_000)
    gc.callbacks.append(note)
    try:
        result = lint_source(source, "t.py", default_rules())
    finally:
        gc.callbacks.remove(note)
        gc.set_threshold(*threshold)
    assert result.parsed and not result.failures
    assert collections == []


@pytest.mark.parametrize("functions, given_back", [(10, False), (2000, True)], ids=["small file", "large file"])
def test_a_large_file_gives_back_what_its_parse_freed_before_the_walk(monkeypatch, functions, given_back):
    # The parser's own memory is freed once the tree is built: given back then, the walk's does not come on top.
    events = []
    monkeypatch.setattr(engine, "give_back_freed_memory", lambda: events.append("given back"))
    run = engine.FileWalk.run
    monkeypatch.setattr(engine.FileWalk, "run", lambda walk: (events.append("walked"), run(walk))[1])
    source = "import asyncio\n" + "".join(f"async def f{n}(a):\n    return await a()\n" for n in range(functions))
    assert (len(source) >= memory.LARGE_TEXT) is given_back
    assert lint_source(source, "t.py", default_rules()).parsed
    assert events == (["given back", "walked"] if given_back else ["walked"])


@pytest.mark.skipif(memory._malloc_trim() is None or not os.path.exists("/proc/self/statm"),
                    reason="glibc's malloc_trim, and /proc to see what it does")
def test_memory_freed_in_the_c_library_heap_is_given_back():
    def resident() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    blocks = [bytes(1000) for _ in range(60_000)]  # above Python's small objects: from the C library's heap
    blocks.append(bytes(1000))  # still held, above the others: the heap cannot merely shrink from its top
    del blocks[:-1]
    before = resident()
    memory.give_back_freed_memory()
    assert before - resident() > 30 * 2**20


def test_a_linted_tree_is_freed_at_once_without_the_garbage_collector():
    # Rules and their context refer to each other; unless the engine breaks the cycle, each
    # file's whole tree waits for a full collection (memory, and the collector's time).
    def trees() -> int:  # the trees still allocated, garbage or not (no collection is run)
        return sum(1 for item in gc.get_objects() if isinstance(item, cst.Module))

    gc.disable()
    try:
        before = trees()
        result = lint_source(POLL_EXAMPLE, "t.py", default_rules())
        assert result.diagnostics
        assert trees() == before
    finally:
        gc.enable()


# A statement 1,400 levels deep, as CPython itself compiles it: LibCST's code generator
# (positions) and the rules recurse once a level or more, past the default limit of 1,000 frames.
DEEP_CHAIN = "import asyncio\nimport time\n\n\nasync def poll():\n    time.sleep(0" + " + 1" * 1400 + ")\n"


def test_a_finding_in_an_expression_as_deep_as_cpython_compiles_is_reported():
    compile(DEEP_CHAIN, "deep.py", "exec")  # valid Python: CPython runs it
    resource = pytest.importorskip("resource")  # not on Windows
    limit = sys.getrecursionlimit()
    stack = resource.getrlimit(resource.RLIMIT_STACK)
    result = lint_source(DEEP_CHAIN, "deep.py", default_rules())
    assert [(d.line, d.column, d.code) for d in result.diagnostics] == [(6, 5, "AIO301")]
    assert result.failures == []
    # Raised for the file only: programs that lint, and the processes they start, keep their own.
    assert sys.getrecursionlimit() == limit
    assert resource.getrlimit(resource.RLIMIT_STACK) == stack


def test_fixing_inside_a_deep_expression_writes_code_that_parses():
    fixed = fix_source(DEEP_CHAIN.encode(), lambda text: lint_source(text, "deep.py", default_rules()), unsafe=True)
    assert fixed.fixed == 1 and fixed.error is None
    assert b"    await asyncio.sleep(0 + 1 + 1" in fixed.data
    assert fixed.result.diagnostics == []


def test_a_valid_file_deeper_than_the_recursion_limit_is_aio003_not_a_rule_failure(monkeypatch):
    monkeypatch.setattr(engine, "DEEP_RECURSION_LIMIT", 0)  # the usual limit (1,000) stays
    result = lint_source(DEEP_CHAIN, "deep.py", default_rules())
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("AIO003", "Valid Python nested too deeply for LibCST, the parser aiolint checks with; the file was not "
                   "checked.")]
    assert result.failures == []


def test_exceptions_on_the_deep_stack_reach_the_caller():
    with pytest.raises(ZeroDivisionError):
        engine.on_deep_stack(lambda: 1 / 0)
    assert engine.on_deep_stack(lambda a, b: a + b, 2, 3) == 5


# 2,000 nested brackets: CPython refuses them (too many nested parentheses), LibCST parses them,
# recursing natively: on an 8 MiB stack that was a segmentation fault, and every other file's
# findings were lost with the process. They are now refused before LibCST sees them (AIO001).
TOO_DEEP_FOR_8_MIB = "import time\n\n\nasync def poll():\n    x = " + "(" * 2000 + "1" + ")" * 2000 + "\n"


def test_nesting_too_deep_for_the_main_threads_stack_does_not_crash_the_run(tmp_path):
    (tmp_path / "deep.py").write_text(TOO_DEEP_FOR_8_MIB)
    (tmp_path / "poll.py").write_text(POLL_EXAMPLE)
    run = subprocess.run([sys.executable, "-m", "aiolint", "--no-cache", "--jobs", "1", "."], cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    assert run.returncode == 1, run.stderr
    assert "poll.py:5:5: AIO301" in run.stdout and "2 files checked" in run.stderr


def test_nesting_too_deep_for_a_threads_stack_does_not_crash_a_caller_on_another_thread(tmp_path):
    # An editor or server calling lint_source from a thread of its own: that stack cannot grow.
    (tmp_path / "deep.py").write_text(TOO_DEEP_FOR_8_MIB + "    time.sleep(1)\n")
    script = (
        "import threading, sys\n"
        "from aiolint import lint_source\n"
        "found = []\n"
        "worker = threading.Thread(target=lambda: found.extend(lint_source(open(sys.argv[1]).read(), 'deep.py').diagnostics))\n"
        "worker.start(); worker.join()\n"
        "print([(d.line, d.code) for d in found])\n"
    )
    run = subprocess.run([sys.executable, "-c", script, str(tmp_path / "deep.py")],
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[(5, 'AIO001')]"
