"""Line-independent identities of findings, shared by the baseline and GitLab's Code Quality report.

A finding is identified by its file (relative to the project root), its code, the
function or class that encloses it, the source of the statement it is reported on
(comments and layout left out, so that ``--add-noqa`` or reformatting keeps it) and,
for identical ones, its rank among them. Adding lines above it or moving its function
keeps its identity; editing the statement itself gives it a new one.
"""

from __future__ import annotations

import ast
import hashlib
import io
import re
import tokenize
from collections import Counter
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from .config import relative_path
from .diagnostics import Diagnostic
from .reporters.names import json_path
from .source import DecodeError, decode
from .suppression import physical_lines

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_SKIPPED_TOKENS = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                   tokenize.ENDMARKER}


@dataclass(frozen=True, order=True)
class Identity:
    path: str  # relative to the project root, with ``/``
    code: str
    scope: str  # ``Class.method``, or "" at module level
    source: str  # the reported statement, normalized
    occurrence: int  # 1 for the first finding with the same other fields, 2 for the next...

    @property
    def fingerprint(self) -> str:
        text = "\0".join((self.path, self.code, self.scope, self.source, str(self.occurrence)))
        return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]

    def to_dict(self) -> Dict[str, object]:
        return {"path": self.path, "code": self.code, "scope": self.scope, "source": self.source,
                "occurrence": self.occurrence}


def normalize(text: str) -> str:
    """Source without comments, line breaks or indentation: tokens joined by one space."""
    try:
        tokens = [token.string for token in tokenize.generate_tokens(io.StringIO(text).readline)
                  if token.type not in _SKIPPED_TOKENS]
    except (tokenize.TokenError, SyntaxError, IndentationError):  # a statement's header alone, or broken code
        tokens = re.sub(r"#[^\n]*", "", text).split()
    return " ".join(tokens)


class _Located:
    """The statements and scopes of one file, to place findings in."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = physical_lines(text)
        try:
            self.tree: Optional[ast.AST] = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            self.tree = None

    def identify(self, d: Diagnostic) -> Tuple[str, str]:
        """(scope, normalized statement) of a finding."""
        if self.tree is None:
            return "", normalize(self._line(d.line))
        scope: List[str] = []
        statement: Optional[ast.AST] = None
        node: ast.AST = self.tree
        while True:
            inner = _holding_child(node, d.line, d.column)
            if inner is None:
                break
            if isinstance(inner, _SCOPES):
                scope.append(inner.name)
            if isinstance(inner, (ast.stmt, ast.excepthandler)):
                statement = inner
            node = inner
        return ".".join(scope), normalize(self._statement_text(statement, d.line))

    def _statement_text(self, statement: Optional[ast.AST], line: int) -> str:
        if statement is None:
            return self._line(line)
        body = getattr(statement, "body", None) or getattr(statement, "cases", None)
        end = statement.end_lineno or statement.lineno
        if isinstance(body, list) and body:  # a compound statement: its header only
            first = body[0] if hasattr(body[0], "lineno") else body[0].pattern  # a match's first case
            end = max(statement.lineno, first.lineno - 1)
            decorators = getattr(statement, "decorator_list", [])
            start = min([statement.lineno, *(dec.lineno for dec in decorators)])
            text = "\n".join(self.lines[start - 1:end])
            return text.rsplit(":", 1)[0] if ":" in text else text
        return ast.get_source_segment(self.text, statement) or "\n".join(self.lines[statement.lineno - 1:end])

    def _line(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""


def _holding_child(node: ast.AST, line: int, column: int) -> Optional[ast.AST]:
    """The child of ``node`` that holds the position; children without a position of their own
    (a ``case``, a comprehension's ``for``) are looked through."""
    for child in ast.iter_child_nodes(node):
        if getattr(child, "lineno", None) is None:
            inner = _holding_child(child, line, column)
            if inner is not None:
                return inner
        elif _holds(child, line, column):
            return child
    return None


def _holds(node: ast.AST, line: int, column: int) -> bool:
    start, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
    if start is None or end is None:
        return False
    decorators = getattr(node, "decorator_list", None)
    if decorators:
        start = min(start, *(dec.lineno for dec in decorators))
    if not start <= line <= end:
        return False
    if line == node.lineno and not decorators and column - 1 < node.col_offset:
        return False
    return not (line == end and node.end_col_offset is not None and column - 1 > node.end_col_offset)


def read_text(path: str) -> Optional[str]:
    try:
        with open(path, "rb") as handle:
            return decode(handle.read())
    except (OSError, DecodeError):
        return None


def identities(diagnostics: Sequence[Diagnostic], root: str,
               sources: Optional[Dict[str, str]] = None) -> List[Identity]:
    """The identity of each finding, in the order given. ``sources`` holds texts not to read from disk (stdin)."""
    located: Dict[str, _Located] = {}
    keys = []
    for d in diagnostics:
        if d.path not in located:
            text = (sources or {}).get(d.path)
            located[d.path] = _Located(text if text is not None else (read_text(d.path) or ""))
        scope, source = located[d.path].identify(d)
        path = json_path(relative_path(d.path, root)) if d.path != "-" else "-"  # a name that is not UTF-8: \xNN
        keys.append((path, d.code, scope, source))
    seen: Counter = Counter()
    found = []
    for key in keys:
        seen[key] += 1
        found.append(Identity(*key, seen[key]))
    return found
