"""aiolint as a flake8 plugin: the same engine, on the source flake8 has already read.

flake8 decides what is shown (``--select``, ``--ignore``, ``# noqa``); the plugin
only runs the engine. Rules that are off by default in aiolint go on flake8's
default ignore list, so plain ``flake8`` reports what plain ``aiolint`` does, and
they run only when named by family or code (``flake8 --extend-select AIO6``):
``--select AIO`` keeps its usual flake8 meaning, "only this plugin's findings".
flake8 reports syntax errors itself (E999) and does not call tree plugins for such files.
"""

from __future__ import annotations

import argparse
import ast
import sys
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Type

from . import __version__
from .config import ConfigError, Settings, load_settings
from .engine import lint_source
from .rules import REGISTRY, Rule, all_rules, default_rules


class Plugin:
    name = "aiolint"
    version = __version__

    # Until flake8 hands over its options: the rules aiolint runs by default.
    rules: List[Type[Rule]] = default_rules()
    # Rule options (such as extend-blocking-calls) from [tool.aiolint], as aiolint reads them.
    options: Dict[str, Any] = {}
    settings: Optional[Settings] = None

    def __init__(self, tree: ast.AST, lines: Sequence[str], filename: str) -> None:
        # ``tree`` makes this a tree plugin (flake8 calls it once per file that parses);
        # the engine parses the text itself, with LibCST.
        self.lines = lines
        self.filename = filename

    @classmethod
    def add_options(cls, parser) -> None:
        parser.extend_default_ignore([code for code, rule in REGISTRY.items() if not rule.default_enabled])

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        # An off-by-default rule runs only when --select/--extend-select name its family or
        # code: a bare ``AIO`` means "aiolint's findings", not "every opt-in rule", and a
        # project's own ``ignore =`` (which replaces flake8's default ignore list) must not
        # switch opt-in rules on either.
        selectors = (options.select or []) + (options.extend_select or [])
        named = tuple(selector for selector in selectors if len(selector) > len("AIO"))
        cls.rules = [rule for rule in all_rules() if rule.default_enabled or rule.code.startswith(named)]
        # Selection is flake8's business; the rules' options come from aiolint's own configuration
        # (flake8's --isolated concerns flake8's files and does not reach plugins).
        try:
            cls.settings = load_settings()
            cls.options = cls.settings.options
        except ConfigError as exc:
            print(f"aiolint: {exc}; rule options from the configuration are not used", file=sys.stderr)

    def run(self) -> Iterator[Tuple[int, int, str, type]]:
        options = self.options
        if self.settings is not None:
            try:  # the rule options of the configuration closest to the file, as aiolint reads them
                options = self.settings.for_file(self.filename).options
            except ConfigError as exc:
                print(f"aiolint: {exc}; rule options from the configuration are not used", file=sys.stderr)
        result = lint_source("".join(self.lines), self.filename, self.rules, options)
        for failure in result.failures:  # a rule's bug: say so, and keep the other rules' findings
            print(f"aiolint: internal error: rule {failure.code} failed on {failure.path}: {failure.error}",
                  file=sys.stderr)
        for d in result.diagnostics:
            yield d.line, d.column - 1, f"{d.code} {d.message}", type(self)  # flake8 columns are 0-based
