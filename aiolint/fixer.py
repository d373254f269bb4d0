"""Applying fixes: to text, then to whole files, which are written only when the result parses.

Fixes are applied in rounds, as ruff does: a round makes every fix that does not
overlap one made before it, then the code is linted again, since the fixes left
out may still be wanted (and offered at new positions). Fixing stops when no fix
applies, or after ``MAX_ROUNDS`` so that two fixes undoing each other cannot loop.
The fixer knows diagnostics, not rules: it is given a function that lints text.
"""

from __future__ import annotations

import difflib
import os
import stat
from dataclasses import dataclass, field
from collections import Counter
from typing import Callable, Dict, Iterable, List, Optional, Tuple, Union

import libcst as cst

from .catalog import atomic_write
from .diagnostics import FileResult, Fix
from .engine import on_deep_stack
from .positions import NEWLINE
from .reporters.names import quoted_path
from .source import DecodeError, decode_with_encoding, read_source
from .suppression import lines_with_ends

MAX_ROUNDS = 10

# Lints a file's source (bytes are decoded per PEP 263) and says what it found.
Lint = Callable[[Union[bytes, str]], FileResult]


@dataclass
class Fixing:
    """What a run does with fixes (``--fix``, ``--unsafe-fixes``, ``--diff``), and what it did."""

    unsafe: bool = False  # unsafe fixes too
    write: bool = True  # False for --diff: changes are shown, not written
    fixed: int = 0
    diffs: List[str] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)  # files left unchanged, and why
    warnings: List[str] = field(default_factory=list)  # files whose fixes did not settle
    fixed_codes: Dict[str, Counter] = field(default_factory=dict)  # path -> code -> fixes made (--show-fixes)


def applicable(fix: Optional[Fix], unsafe: bool) -> bool:
    return fix is not None and (fix.applicability == "safe" or unsafe)


def apply_fixes(text: str, fixes: Iterable[Fix]) -> Tuple[str, List[Fix]]:
    """``text`` with the fixes made, and the fixes that were made.

    A fix is made whole or not at all. Fixes are taken in the order of where they
    start; one that starts before the previous one taken ends, or where it ends (two
    insertions at one place), is left for the next round, as ruff does. Line breaks
    in an edit's content become the file's own.
    """
    starts = [0] + [match.end() for match in NEWLINE.finditer(text)]
    first_newline = NEWLINE.search(text)
    newline = first_newline.group() if first_newline else "\n"

    def offset(line: int, column: int) -> int:
        if not 1 <= line <= len(starts) or not 1 <= column <= len(text) - starts[line - 1] + 1:
            raise IndexError(f"no position {line}:{column} in the text")
        return starts[line - 1] + column - 1

    taken: List[Tuple[int, int, str]] = []  # (start, end, content) of the edits to make, in order
    made: List[Fix] = []
    last_end = -1
    for fix in sorted(fixes, key=lambda f: sorted((e.line, e.column, e.end_line, e.end_column) for e in f.edits)):
        try:
            edits = sorted(((offset(e.line, e.column), offset(e.end_line, e.end_column), e.content)
                            for e in fix.edits), key=lambda edit: edit[:2])
        except IndexError:  # a fix for another text
            continue
        if (not edits or edits[0][0] <= last_end or any(start > end for start, end, _ in edits)
                or any(following[0] < edit[1] for edit, following in zip(edits, edits[1:]))):
            continue  # overlaps a fix taken before, or itself
        taken.extend((start, end, NEWLINE.sub(newline, content)) for start, end, content in edits)
        made.append(fix)
        last_end = edits[-1][1]
    # From the end, so that the offsets of the edits still to make stay valid.
    for start, end, content in reversed(taken):
        text = text[:start] + content + text[end:]
    return text, made


@dataclass
class Fixed:
    """One source after fixing: what to write back, and what remains to report."""

    data: bytes  # the fixed source in the original encoding (the original bytes when nothing changed)
    linted: FileResult  # the findings before fixing
    result: FileResult  # the findings that remain
    fixed: int = 0  # how many fixes were made
    codes: Counter = field(default_factory=Counter)  # how many of them per code
    before: str = ""  # the text before and after, for --diff
    after: str = ""
    error: Optional[str] = None  # why nothing was changed although fixes were offered
    unsettled: bool = False  # fixes still applied after MAX_ROUNDS rounds (they may undo each other)
    changed_meanwhile: bool = False  # the file changed while it was being fixed, so it was not written


def fix_source(data: bytes, lint: Lint, unsafe: bool = False) -> Fixed:
    """Fix a file's source (raw bytes) round by round.

    Nothing changes unless every round's result parses and the result can be
    written in the source's encoding (with its BOM, if any). Line endings and all
    bytes outside the edits stay as they were: the text is decoded without any
    newline translation.
    """
    try:
        before, encoding = decode_with_encoding(data)
    except DecodeError:  # the lint reports why (AIO002); there is nothing to fix
        result = lint(data)
        return Fixed(data, result, result)
    linted = result = lint(before)
    text, fixed, unsettled, fixed_codes = before, 0, False, Counter()
    for done in range(MAX_ROUNDS + 1):
        new_text, made = apply_fixes(text, [d.fix for d in result.diagnostics if applicable(d.fix, unsafe)])
        if new_text == text:
            break
        if done == MAX_ROUNDS:  # fixes still offered: they may undo each other
            unsettled = True
            break
        if not parses(new_text):
            codes = ", ".join(sorted({d.code for d in result.diagnostics if d.fix in made}))
            return Fixed(data, linted, linted, error=f"the fixes for {codes} would give code that does not parse "
                                                     "(a bug in aiolint); the file was left unchanged")
        text, fixed = new_text, fixed + len(made)
        made_ids = {id(fix) for fix in made}
        fixed_codes.update(d.code for d in result.diagnostics if id(d.fix) in made_ids)
        result = lint(text)
    if not fixed:
        return Fixed(data, linted, result, before=before, after=before)
    try:
        # A codec that does not give back the bytes it read would change the file outside the edits.
        if before.encode(encoding) != data:
            raise UnicodeError
        new_data = text.encode(encoding)
    except UnicodeError:
        return Fixed(data, linted, linted, error=f"the fixed code cannot be written in the file's encoding "
                                                 f"({encoding}) as it was read; the file was left unchanged")
    return Fixed(new_data, linted, result, fixed, fixed_codes, before, text, unsettled=unsettled)


def parses(text: str) -> bool:
    """LibCST parses it: what the rules parse with, and what accepts every syntax they lint."""
    try:
        on_deep_stack(cst.parse_module, text)  # as deep as the lint parsed it
        return True
    except (cst.ParserSyntaxError, RecursionError):
        return False


def fix_file(path: str, lint: Lint, unsafe: bool = False, write: bool = True) -> Fixed:
    """Fix a file in place (or only say how, unless ``write``). OSError when it cannot be read or written."""
    data = read_source(path)
    fixed = fix_source(data, lint, unsafe)
    if write and fixed.fixed:
        if read_source(path) != data:  # edited meanwhile (an editor, a formatter): writing would lose that edit
            return Fixed(data, fixed.linted, fixed.linted, changed_meanwhile=True)
        write_atomically(path, fixed.data)
    return fixed


def write_atomically(path: str, data: bytes) -> None:
    """Replace a file's contents in one step, keeping its mode: a reader, or a crash, sees the old file or the new."""
    target = os.path.realpath(path)  # replacing a symbolic link would turn it into a copy
    atomic_write(target, data, mode=stat.S_IMODE(os.stat(target).st_mode), durable=True)


def record(fixed: Fixed, path: str, fixing: Fixing) -> None:
    """Count a file's fixes in the run, with its diff (for --diff) or why it was left unchanged."""
    fixing.fixed += fixed.fixed
    if fixed.fixed:
        fixing.fixed_codes[path] = fixed.codes
    if fixed.error:
        fixing.errors.append(f"{quoted_path(path)}: {fixed.error}")
    if fixed.unsettled:
        fixing.warnings.append(f"{quoted_path(path)}: the fixes did not settle after {MAX_ROUNDS} rounds (some may "
                               "undo others: a bug in aiolint); what remains is reported")
    if fixed.changed_meanwhile:
        fixing.warnings.append(f"{quoted_path(path)}: the file changed while it was being fixed, so it was left as "
                               "it is (run aiolint again to fix it); its findings are those of the file as first read")
    if fixed.fixed and not fixing.write:
        fixing.diffs.append(unified_diff(path, fixed.before, fixed.after))


def unified_diff(path: str, before: str, after: str) -> str:
    """What fixing changes, as ``diff -u`` shows it (and ``patch`` applies it)."""
    name = quoted_path(path)
    lines = difflib.unified_diff(lines_with_ends(before), lines_with_ends(after), fromfile=name, tofile=name)
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
                   for line in lines)


