"""aiolint as a flake8 plugin: the same engine, on the file flake8 hands over, within its project.

flake8 decides what is shown (``--select``, ``--ignore``, ``# noqa``); the plugin
only runs the engine. Rules that are off by default in aiolint go on flake8's
default ignore list, so plain ``flake8`` reports what plain ``aiolint`` does, and
they run only when named by family or code (``flake8 --extend-select AIO6``):
``--select AIO`` keeps its usual flake8 meaning, "only this plugin's findings".
flake8 reports syntax errors itself (E999) and does not call tree plugins for such files.

flake8 hands over one file at a time, but some findings need what other files say
(``semantics/project.py``). So the plugin answers a file's questions from its project
as ``aiolint ROOT`` sees it: the summaries of the project's files, from aiolint's cache
where it has them, else linted once per flake8 process (and cached for the next run).
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Type, Union

from . import __version__
from .cache import content_digest, to_data
from .config import ConfigError, Settings, load_settings
from .diagnostics import FileResult
from .engine import lint_source
from .rules import REGISTRY, Rule, all_rules, default_rules
from .runner import Results, SettingsCache, cacheable, lint_in_project, project_files
from .semantics.project import Project, marks_a_project, project_root

STDIN = "stdin"  # the name flake8 gives standard input when no --stdin-display-name names its file

# A project's files as this process knows them (None: not to be used), by project root: built once per
# process, for every file of the project flake8 hands over.
Known = Optional[Tuple[Project, Results]]


class Plugin:
    name = "aiolint"
    version = __version__

    # Until flake8 hands over its options: the rules aiolint runs by default.
    rules: List[Type[Rule]] = default_rules()
    # Rule options (such as extend-blocking-calls) from [tool.aiolint], as aiolint reads them.
    options: Dict[str, Any] = {}
    settings: Optional[Settings] = None
    from_stdin = False  # flake8 reads the file it hands over from standard input
    store: Optional[SettingsCache] = None  # aiolint's cache, where the settings put it
    projects: Dict[str, Known] = {}

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
        cls.from_stdin = "-" in (getattr(options, "filenames", None) or ())
        cls.projects = {}
        # Selection is flake8's business; the rules' options and the cache come from aiolint's own
        # configuration (flake8's --isolated concerns flake8's files and does not reach plugins).
        try:
            cls.settings = load_settings()
            cls.options = cls.settings.options
            cls.store = SettingsCache(cls.settings)
        except ConfigError as exc:
            cls.settings = cls.store = None
            print(f"aiolint: {exc}; rule options from the configuration and the project's other files are not used",
                  file=sys.stderr)

    def run(self) -> Iterator[Tuple[int, int, str, type]]:
        options = self.options
        if self.settings is not None:
            try:  # the rule options of the configuration closest to the file, as aiolint reads them
                options = self.settings.for_file(self.filename).options
            except ConfigError as exc:
                print(f"aiolint: {exc}; rule options from the configuration are not used", file=sys.stderr)
        result = self.lint(options)
        for failure in result.failures:  # a rule's bug: say so, and keep the other rules' findings
            print(f"aiolint: internal error: rule {failure.code} failed on {failure.path}: {failure.error}",
                  file=sys.stderr)
        for d in result.diagnostics:
            yield d.line, d.column - 1, f"{d.code} {d.message}", type(self)  # flake8 columns are 0-based

    def source(self) -> Union[bytes, str]:
        """The file's bytes, as aiolint reads them, or the text flake8 read (standard input, or a file gone)."""
        if not self.from_stdin:
            try:
                with open(self.filename, "rb") as handle:
                    return handle.read()
            except OSError:
                pass
        return "".join(self.lines)

    def lint(self, options: Dict[str, Any]) -> FileResult:
        """The file's result: from the cache when current, else linted with what its project says."""
        path, rules, store = self.filename, self.rules, self.store
        data = self.source()
        if self.settings is None or (self.from_stdin and path == STDIN):  # nowhere: alone, as `aiolint -`
            return lint_source(data, path, rules, options)
        codes = sorted(rule.code for rule in rules)
        digest = content_digest(data) if isinstance(data, bytes) and store is not None else None
        hit = store.get(digest, codes, options, path) if digest is not None and store is not None else None
        if hit is not None and not hit.questions:  # it asked nothing of other files
            return hit
        known = self.project_of(path)
        if known is None:  # the file alone: its questions are unknown
            return hit if hit is not None and not hit.answers else lint_source(data, path, rules, options)
        replaced = isinstance(data, str)  # the text flake8 read, not the file the project knows: it replaces it
        result = lint_in_project(data, path, rules, options, known, store, hit, replaces=replaced)
        if result is not hit and digest is not None and store is not None:
            data = to_data(result)
            if cacheable(data):
                store.put(digest, codes, options, data)
        return result

    def project_of(self, path: str) -> Known:
        """The file's project (built the first time this process asks), or None: the file is in no project
        (no ``pyproject.toml``, ``setup.py``, ``setup.cfg`` or ``.git`` above it), or the configuration
        of one of its directories is broken."""
        root = project_root(os.path.dirname(os.path.abspath(path)))
        if root not in self.projects:
            known: Known = None
            if marks_a_project(root) and self.settings is not None:
                try:
                    known = project_files(root, self.settings, self.store)
                except ConfigError as exc:
                    print(f"aiolint: {exc}; the project's other files are not used", file=sys.stderr)
            type(self).projects[root] = known
        return self.projects[root]
