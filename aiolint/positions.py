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
from typing import Dict, Iterable, Iterator, List, Optional, Set, Tuple

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodePosition, CodeRange

NEWLINE = re.compile(r"\r\n?|\n")  # as LibCST counts lines
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


def positions(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> Dict[cst.CSTNode, CodeRange]:
    """The ranges of these nodes of the module, as ``PositionProvider`` gives them."""
    wanted = {id(node): node for node in nodes}
    state = _OffsetState(module, set(wanted))
    try:
        module._codegen(state)
    except _Done:
        pass
    code = "".join(state.tokens)
    line_starts: List[int] = [0, *(match.end() for match in NEWLINE.finditer(code))]

    def position(offset: int) -> CodePosition:
        line = bisect.bisect_right(line_starts, offset)
        return CodePosition(line, offset - line_starts[line - 1])

    return {node: CodeRange(position(state.ranges[key][0]), position(state.ranges[key][1]))
            for key, node in wanted.items()}
