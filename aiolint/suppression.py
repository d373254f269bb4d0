"""``# noqa`` comments: on a line, for the whole file, for all codes or some."""

from __future__ import annotations

import re
from typing import FrozenSet, Iterable, List, Optional, Sequence

from .diagnostics import TOOL_CODES, Diagnostic

# A code or prefix has digits (``AIO3``, ``E501``): a word of prose after the codes,
# such as the "a" of "# noqa: AIO301 a known wait", must not become a prefix of everything.
_CODES = r"[A-Za-z]+[0-9]+(?:[ \t]*,?[ \t]*[A-Za-z]+[0-9]+)*"
LINE_NOQA = re.compile(rf"#\s*noqa(?::\s*(?P<codes>{_CODES}))?", re.IGNORECASE)
FILE_NOQA = re.compile(rf"^[ \t]*#[ \t]*aiolint:[ \t]*noqa(?::[ \t]*(?P<codes>{_CODES}))?[ \t]*$",
                       re.IGNORECASE | re.MULTILINE)

ALL: FrozenSet[str] = frozenset({""})  # a prefix every code starts with


def parse_codes(text: Optional[str]) -> FrozenSet[str]:
    if not text:
        return ALL
    return frozenset(code.upper() for code in re.split(r"[\s,]+", text.strip()) if code)


def matches(code: str, prefixes: Iterable[str]) -> bool:
    return any(code.startswith(prefix) for prefix in prefixes)


def file_suppressions(source: str) -> FrozenSet[str]:
    """The codes (or prefixes) that ``# aiolint: noqa`` lines silence in the whole file."""
    codes: set = set()
    for match in FILE_NOQA.finditer(source):
        codes |= parse_codes(match.group("codes"))
    return frozenset(codes)


def line_suppressions(line: str) -> Optional[FrozenSet[str]]:
    """The codes that a ``# noqa`` on this physical line silences, or None."""
    match = LINE_NOQA.search(line)
    return parse_codes(match.group("codes")) if match else None


def physical_lines(source: str) -> List[str]:
    """Lines as Python counts them (``str.splitlines`` also splits on form feeds and others)."""
    return re.split(r"\r\n|\r|\n", source)


def split_suppressed(diagnostics: Sequence[Diagnostic], source: str) -> tuple[List[Diagnostic], List[Diagnostic]]:
    """Split into (kept, suppressed). The tool's own codes are never suppressed."""
    if not diagnostics or "noqa" not in source.lower():
        return list(diagnostics), []
    whole_file = file_suppressions(source)
    lines = physical_lines(source)
    kept, suppressed = [], []
    for diagnostic in diagnostics:
        silenced = False
        if diagnostic.code not in TOOL_CODES:
            if matches(diagnostic.code, whole_file):
                silenced = True
            elif 0 < diagnostic.line <= len(lines):
                codes = line_suppressions(lines[diagnostic.line - 1])
                silenced = codes is not None and matches(diagnostic.code, codes)
        (suppressed if silenced else kept).append(diagnostic)
    return kept, suppressed
