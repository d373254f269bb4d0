"""The default output: ``path:line:col: CODE message``.

A finding whose fix ``--fix`` would apply (a safe fix, or any with ``--unsafe-fixes``)
is marked ``[*]`` after its code, as ruff marks them.

On a terminal the CLI asks for more: each finding is followed by its source line
with carets under the reported span (``context``), and colours (``color``, which
the CLI turns off for ``--no-color`` and ``NO_COLOR``). Piped output stays plain,
one finding per line, for tools and ``grep``.
"""

from __future__ import annotations

import unicodedata
from typing import Dict, List, Optional

from ..diagnostics import Diagnostic
from ..source import DecodeError, decode, read_source
from ..runner import Report
from ..suppression import physical_lines
from .names import quoted_path

BOLD, RED, CYAN, BLUE, RESET = "\x1b[1m", "\x1b[31m", "\x1b[36m", "\x1b[34m", "\x1b[0m"
FIXABLE = "[*]"


def render(report: Report, *, context: bool = False, color: bool = False, unsafe_fixes: bool = False,
           **_: object) -> str:
    paint = _paint if color else _plain
    sources: Dict[str, Optional[List[str]]] = {}
    out = []
    for d in report.diagnostics:
        sep = paint(":", CYAN)
        mark = paint(FIXABLE, CYAN) + " " if fix_applies(d, unsafe_fixes) else ""
        out.append(f"{paint(quoted_path(d.path), BOLD)}{sep}{d.line}{sep}{d.column}{sep} {paint(d.code, BOLD + RED)} "
                   f"{mark}{d.message}\n")
        if context:
            if d.path not in sources:
                sources[d.path] = _read_lines(d.path)
            out.append(_snippet(d, sources[d.path], paint))
    return "".join(out)


def fix_applies(d: Diagnostic, unsafe_fixes: bool) -> bool:
    """``--fix`` would apply the finding's fix (with ``--unsafe-fixes`` when it is unsafe)."""
    return d.fix is not None and (d.fix.applicability == "safe" or unsafe_fixes)


def _snippet(d: Diagnostic, lines: Optional[List[str]], paint) -> str:
    """The reported line with carets under the reported span (to the line's end if it goes on)."""
    if not lines or not 0 < d.line <= len(lines):
        return ""
    line = lines[d.line - 1].rstrip()
    start = min(d.column - 1, len(line))
    end = d.end_column - 1 if d.end_line == d.line else len(line)
    width = max(1, sum(map(columns, line[start:min(end, len(line))])))
    # Keep the line's tabs in the padding so the carets line up however the terminal expands them.
    padding = "".join(c if c == "\t" else " " * columns(c) for c in line[:start])
    gutter = " " * len(str(d.line))
    bar = paint("|", BLUE)
    return (f"{gutter} {bar}\n"
            f"{paint(str(d.line), BLUE)} {bar} {line}\n"
            f"{gutter} {bar} {padding}{paint('^' * width, BOLD + RED)}\n\n")


def columns(char: str) -> int:
    """How many terminal columns a character takes: two for wide ones (CJK, emoji), none for combining marks."""
    if unicodedata.combining(char) or char in "\u200b\u200d\ufe0f":
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _read_lines(path: str) -> Optional[List[str]]:
    """The file's lines as the engine saw them, or None when it cannot be read again (stdin, deleted)."""
    try:
        return physical_lines(decode(read_source(path)))
    except (OSError, DecodeError):
        return None


def _paint(text: str, style: str) -> str:
    return f"{style}{text}{RESET}"


def _plain(text: str, style: str) -> str:
    return text


def render_concise(report: Report, *, color: bool = False, **_: object) -> str:
    return render(report, context=False, color=color)


def render_full(report: Report, *, color: bool = False, **_: object) -> str:
    return render(report, context=True, color=color)
