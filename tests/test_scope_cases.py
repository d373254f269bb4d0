"""What ``semantics.scope`` records of each binding, and which bindings a lookup sees: the rules'
answer to "what does this name mean here?" rests on both."""

from __future__ import annotations

import textwrap

import libcst as cst

from aiolint.semantics.scope import Scope, code_owner, scope_of

MODULE = '''\
import os.path
import aiohttp as ah
from . import sibling
from .. import parent
from .pkg import thing as alias
from aiohttp import web
from x import *; import y
async def f(a, /, b: int, *args, c=1, **kw):
    import asyncio
    one = ah.ClientSession()
    first = second = ah.ClientSession()
    (p, [q, *rest]) = pairs
    z: int = 3
    n += 1
    for i, (j, k) in enumerate(pairs):
        import gzip
    with open(p) as fh, lock:
        pass
    async with ah.ClientSession() as s:
        pass
    try:
        import json
    except ValueError as err:
        import pickle
    else:
        import csv
    finally:
        import io
    if a:
        import re
    elif b:
        import sys
    else:
        import zlib
    while c:
        import bz2
    match a:
        case 1:
            import ast
    def g():
        pass
    class C:
        pass
    global G
'''


def table(scope: Scope, module: cst.Module):
    """One row per binding: name, kind, order, conditional, qualified, value, annotation, async, node type."""
    code = lambda node: module.code_for_node(node) if node is not None else None  # noqa: E731
    return [(name, b.kind, b.order, b.conditional, b.qualified, code(b.value), code(b.annotation), b.is_async,
             type(b.node).__name__) for name, bindings in scope.bindings.items() for b in bindings]


def test_every_binding_form_of_a_module_and_a_function():
    module = cst.parse_module(MODULE)
    top = Scope(module, None)
    assert table(top, module) == [
        # `import os.path` binds `os`; relative imports keep their dots; a star import binds nothing
        # and does not stop the line's next import.
        ("os", "import", 0, False, "os", None, None, False, "Import"),
        ("ah", "import", 1, False, "aiohttp", None, None, False, "Import"),
        ("sibling", "import", 2, False, ".sibling", None, None, False, "ImportFrom"),
        ("parent", "import", 3, False, "..parent", None, None, False, "ImportFrom"),
        ("alias", "import", 4, False, ".pkg.thing", None, None, False, "ImportFrom"),
        ("web", "import", 5, False, "aiohttp.web", None, None, False, "ImportFrom"),
        ("y", "import", 6, False, "y", None, None, False, "Import"),
        ("f", "def", 7, False, None, None, None, False, "FunctionDef"),
    ]
    function = scope_of(module.body[7], top)
    assert table(function, module) == [
        # Parameters of every sort, with their annotations; they come before any statement.
        ("a", "param", -1, False, None, None, None, False, "Param"),
        ("b", "param", -1, False, None, None, "int", False, "Param"),
        ("args", "param", -1, False, None, None, None, False, "Param"),
        ("c", "param", -1, False, None, None, None, False, "Param"),
        ("kw", "param", -1, False, None, None, None, False, "Param"),
        ("asyncio", "import", 0, False, "asyncio", None, None, False, "Import"),
        ("one", "assign", 1, False, None, "ah.ClientSession()", None, False, "Assign"),
        # A chained assignment and an unpacking give no name its value.
        ("first", "assign", 2, False, None, None, None, False, "Assign"),
        ("second", "assign", 2, False, None, None, None, False, "Assign"),
        ("p", "other", 3, False, None, None, None, False, "Assign"),
        ("q", "other", 3, False, None, None, None, False, "Assign"),
        ("rest", "other", 3, False, None, None, None, False, "Assign"),
        ("z", "annotation", 4, False, None, "3", "int", False, "AnnAssign"),
        ("n", "other", 5, False, None, None, None, False, "AugAssign"),
        # The order is the index of the statement of the function's own body that holds the binding;
        # a block that may not run makes its bindings conditional: loops, `except`, `else`, every
        # branch of an `if` and of a `match`, but not a `with` body, a `try` body or a `finally`.
        ("i", "for", 6, False, None, None, None, False, "For"),
        ("j", "for", 6, False, None, None, None, False, "For"),
        ("k", "for", 6, False, None, None, None, False, "For"),
        ("gzip", "import", 6, True, "gzip", None, None, False, "Import"),
        ("fh", "with", 7, False, None, "open(p)", None, False, "With"),
        ("s", "with", 8, False, None, "ah.ClientSession()", None, True, "With"),
        ("err", "other", 9, False, None, None, None, False, "ExceptHandler"),
        ("json", "import", 9, False, "json", None, None, False, "Import"),
        ("pickle", "import", 9, True, "pickle", None, None, False, "Import"),
        ("csv", "import", 9, True, "csv", None, None, False, "Import"),
        ("io", "import", 9, False, "io", None, None, False, "Import"),
        ("re", "import", 10, True, "re", None, None, False, "Import"),
        ("sys", "import", 10, True, "sys", None, None, False, "Import"),
        ("zlib", "import", 10, True, "zlib", None, None, False, "Import"),
        ("bz2", "import", 11, True, "bz2", None, None, False, "Import"),
        ("ast", "import", 12, True, "ast", None, None, False, "Import"),
        ("g", "def", 13, False, None, None, None, False, "FunctionDef"),
        ("C", "class", 14, False, None, None, None, False, "ClassDef"),
    ]
    assert function.lookup("G") is None  # declared global, bound nowhere


def test_a_one_line_body_is_statement_zero_and_a_try_without_finally_guards_its_handlers():
    module = cst.parse_module("def f(): import asyncio; x = 1\n"
                              "class C: import json\n"
                              "try:\n    import ssl\nexcept ImportError:\n    import h11\n")
    top = Scope(module, None)
    assert [(b.name, b.order) for b in scope_of(module.body[0], top).bindings["asyncio"]] == [("asyncio", 0)]
    assert scope_of(module.body[0], top).bindings["x"][0].order == 0
    assert scope_of(module.body[1], top).bindings["json"][0].order == 0
    assert [(name, bindings[0].conditional) for name, bindings in top.bindings.items()] == [
        ("f", False), ("C", False), ("ssl", False), ("h11", True)]


def test_a_class_body_sees_its_own_names_and_its_methods_do_not():
    module = cst.parse_module(textwrap.dedent("""\
        import time
        class Clock:
            time = 5
            def tick(self):
                return time
        """))
    top = Scope(module, None)
    klass = module.body[1]
    class_scope = scope_of(klass, top)
    method = scope_of(klass.body.body[1], class_scope)
    assert [b.kind for b in class_scope.lookup("time")] == ["assign"]
    assert [b.kind for b in method.lookup("time")] == ["import"]


def test_global_skips_the_enclosing_functions_and_nonlocal_the_own_scope():
    module = cst.parse_module(textwrap.dedent("""\
        import time
        def outer():
            time = 1
            def uses_global():
                global time
                time = 2
            def uses_nonlocal():
                nonlocal time
                time = 3
        """))
    top = Scope(module, None)
    outer = module.body[1]
    outer_scope = scope_of(outer, top)
    uses_global, uses_nonlocal = (scope_of(node, outer_scope) for node in outer.body.body[1:])
    assert [b.kind for b in uses_global.lookup("time")] == ["import"]
    assert [(b.kind, b.order) for b in uses_nonlocal.lookup("time")] == [("assign", 0)]
    assert uses_nonlocal.lookup("time") is outer_scope.bindings["time"]


def test_a_comprehension_binds_the_targets_of_all_its_fors():
    module = cst.parse_module("cells = [cell for row in grid for (cell, _) in row]\n")
    top = Scope(module, None)
    comprehension = scope_of(module.body[0].body[0].value, top)
    assert [(b.name, b.kind, type(b.node).__name__) for bindings in comprehension.bindings.values() for b in bindings] == [
        ("row", "for", "CompFor"), ("cell", "for", "CompFor"), ("_", "for", "CompFor")]
    assert comprehension.function() is None and code_owner(comprehension) is None


def test_the_code_owner_is_the_function_or_the_module_never_a_lambda_or_a_class():
    module = cst.parse_module(textwrap.dedent("""\
        async def f(items):
            handler = lambda request: [x for x in request]
            names = {x.name: [y for y in x] for x in items}
        class C:
            pass
        """))
    top = Scope(module, None)
    function = module.body[0]
    f_scope = scope_of(function, top)
    lambda_node = function.body.body[0].body[0].value
    lambda_scope = scope_of(lambda_node, f_scope)
    comprehension = scope_of(lambda_node.body, lambda_scope)
    assert code_owner(top) is module and code_owner(f_scope) is function
    assert code_owner(lambda_scope) is None and code_owner(comprehension) is None
    assert code_owner(scope_of(module.body[1], top)) is None
    # Comprehensions run inline: their code is the function's, however deeply nested.
    outer = scope_of(function.body.body[1].body[0].value, f_scope)
    inner = scope_of(function.body.body[1].body[0].value.value, outer)
    assert inner.function() is f_scope and code_owner(inner) is function
    assert scope_of(function, top) is f_scope  # one scope per node for the file
