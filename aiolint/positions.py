"""Positions of the nodes rules report, at a fraction of the cost of LibCST's PositionProvider.

A LibCST tree holds no offsets: PositionProvider regenerates the file's code and
records a range for every node, splitting every token on newlines as it goes,
which costs about half as much as parsing. The engine needs the positions of the
few nodes it reports, so this regenerates the code counting characters only,
keeps the offsets of the wanted nodes, and turns those into lines and columns
once at the end. The ranges are PositionProvider's: a node's syntactic range where
LibCST defines one (``record_syntactic_position``), else the whole of its code.
"""

from __future__ import annotations

import bisect
import contextlib
import re
from typing import Dict, Iterable, Iterator, List, Mapping, Optional, Set, Tuple

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodePosition, CodeRange

NEWLINE = re.compile(r"\r\n?|\n")  # as LibCST counts lines
# Finding a statement's code in the source reads the whole source once. So that a file with
# thousands of such statements does not cost thousands of readings, the search reads at most
# this many times the source's length (or ``FREE_SEARCH`` characters, for small files); the
# nodes left over take one generation of the module's code instead, which is linear too.
SEARCH_BUDGET = 16
FREE_SEARCH = 1 << 22
_NOTHING = contextlib.nullcontext()


class _Done(Exception):
    """Every wanted node has its range: the rest of the code need not be generated."""


class _OffsetState(CodegenState):
    """Code generation that counts characters and remembers where the wanted nodes are."""

    def __init__(self, module: cst.Module, wanted: Set[int]) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.offset = 0
        self.wanted = wanted  # ids of nodes: node hashing is a Python call, id() is not
        self.starts: Dict[int, int] = {}
        self.ranges: Dict[int, Tuple[int, int]] = {}

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.offset += len(value)

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        self.offset += sum(map(len, self.indent_tokens))

    def pop_trailing_newline(self) -> None:
        pass  # PositionProvider counts the newline a file does not end with; so does this

    def before_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.wanted:
            self.starts[id(node)] = self.offset

    def after_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key in self.wanted and key not in self.ranges:  # a syntactic range comes first
            self.ranges[key] = (self.starts[key], self.offset)
            self._stop_when_done()

    def _stop_when_done(self) -> None:
        if len(self.ranges) == len(self.wanted):
            raise _Done

    def record_syntactic_position(self, node: cst.CSTNode, *, start_node: Optional[cst.CSTNode] = None,
                                  end_node: Optional[cst.CSTNode] = None) -> contextlib.AbstractContextManager:
        if id(node) not in self.wanted:
            return _NOTHING
        # The range may be borrowed from children, generated inside: want them too.
        for other in (start_node, end_node):
            if other is not None:
                self.wanted.add(id(other))
        return self._record(node, start_node, end_node)

    @contextlib.contextmanager
    def _record(self, node: cst.CSTNode, start_node: Optional[cst.CSTNode],
                end_node: Optional[cst.CSTNode]) -> Iterator[None]:
        start = self.offset
        yield
        end = self.offset
        if start_node is not None:
            start = self.ranges[id(start_node)][0]
        if end_node is not None:
            end = self.ranges[id(end_node)][1]
        self.ranges[id(node)] = (start, end)
        self._stop_when_done()


def positions(module: cst.Module, nodes: Iterable[cst.CSTNode], source: Optional[str] = None,
              statements: Optional[Mapping[cst.CSTNode, cst.BaseStatement]] = None) -> Dict[cst.CSTNode, CodeRange]:
    """The ranges of these nodes of the module, as ``PositionProvider`` gives them.

    Given the module's ``source`` and, for some nodes, the top-level statement that
    holds them, only the code of those statements is generated, up to the last node
    wanted in each: that much code, found exactly once in the source, can only stand
    where the statement does. The other nodes take the module's code from its start.
    """
    wanted = {id(node): node for node in nodes}
    offsets: Dict[int, Tuple[int, int]] = {}
    if source is not None and source.startswith("\ufeff"):  # LibCST leaves a BOM out of the module's code
        source = source[1:]
    if source is not None and statements:
        by_statement: Dict[int, List[int]] = {}
        for key, node in wanted.items():
            statement = statements.get(node)
            if statement is not None:
                by_statement.setdefault(id(statement), []).append(key)
        holders = {id(statement): statement for statement in statements.values()}
        budget = max(SEARCH_BUDGET * len(source), FREE_SEARCH)
        for statement_key, keys in by_statement.items():
            if budget < len(source):
                break
            budget -= len(source)
            offsets.update(_within(holders[statement_key], module, set(keys), source))
    missing = set(wanted) - offsets.keys()
    if missing:
        state = _generate(module, module, missing)
        offsets.update(state.ranges)
        if source is None:
            source = "".join(state.tokens)
    assert source is not None
    if not module.has_trailing_newline:  # left out of the module's code, but PositionProvider counts it
        source += module.default_newline
    line_starts: List[int] = [0, *(match.end() for match in NEWLINE.finditer(source))]

    def position(offset: int) -> CodePosition:
        line = bisect.bisect_right(line_starts, offset)
        return CodePosition(line, offset - line_starts[line - 1])

    return {node: CodeRange(position(offsets[key][0]), position(offsets[key][1])) for key, node in wanted.items()}


def _generate(node: cst.CSTNode, module: cst.Module, wanted: Set[int]) -> _OffsetState:
    """Generate ``node``'s code until every wanted node has its range."""
    state = _OffsetState(module, wanted)
    try:
        node._codegen(state)
    except _Done:
        pass
    return state


def _within(statement: cst.BaseStatement, module: cst.Module, wanted: Set[int],
            source: str) -> Dict[int, Tuple[int, int]]:
    """Offsets in ``source`` of the wanted nodes of a top-level statement (none if it cannot tell)."""
    state = _generate(statement, module, set(wanted))
    code = "".join(state.tokens)
    start = source.find(code)
    if not code or start < 0 or source.find(code, start + 1) >= 0 or not wanted <= state.ranges.keys():
        return {}
    return {key: (start + begin, start + end) for key, (begin, end) in state.ranges.items() if key in wanted}
