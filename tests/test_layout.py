"""The layers DESIGN.md draws: rules depend on the context and the shared semantics, never on the engine."""

from __future__ import annotations

import ast
from pathlib import Path

import aiolint

PACKAGE = Path(aiolint.__file__).parent
# What drives rules, files and output: a rule or a semantics helper importing one of these knows too much.
ENGINE_LAYER = {"aiolint.engine", "aiolint.runner", "aiolint.fixer", "aiolint.fix_runner", "aiolint.cli",
                "aiolint.cache", "aiolint.reporters", "aiolint.flake8_plugin"}


def imported_modules(path: Path, package: str):
    """Every module a file imports, absolute, including those imported only for type checking."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield module
            for alias in node.names:
                yield f"{module}.{alias.name}"


def layer_violations(directory: str):
    for path in sorted((PACKAGE / directory).glob("*.py")):
        for module in imported_modules(path, f"aiolint.{directory}"):
            if any(module == layer or module.startswith(layer + ".") for layer in ENGINE_LAYER):
                yield f"{path.name} imports {module}"


def test_no_rule_module_imports_the_engine():
    assert list(layer_violations("rules")) == []


def test_no_semantics_module_imports_the_engine():
    assert list(layer_violations("semantics")) == []


def test_the_check_sees_an_engine_import(tmp_path, monkeypatch):
    """The check itself: a rule module that imports the engine, even for type checking, is caught."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "bad.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                  "    from ..engine import FileWalk\n", encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.PACKAGE", tmp_path)
    assert list(layer_violations("rules")) == ["bad.py imports aiolint.engine", "bad.py imports aiolint.engine.FileWalk"]
