"""``--add-noqa``: write ``# noqa: CODE`` on each reported line, as ruff's ``--add-noqa`` does.

An existing ``# noqa: X`` gains the new codes (never twice); other comments on the
line stay; the file keeps its encoding, BOM and line endings. A line whose end is
inside a string or after a backslash continuation cannot take a comment: it is left
alone and counted apart. A file is written only if it still parses.
"""

from __future__ import annotations

import io
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Set

from .diagnostics import TOOL_CODES, Diagnostic
from .source import DecodeError, decode_with_encoding
from .suppression import LINE_NOQA, lines_with_ends, parse_codes


@dataclass
class NoqaOutcome:
    added: int = 0  # codes written
    skipped: int = 0  # lines that cannot take a comment
    errors: List[str] = field(default_factory=list)


def with_noqa(line: str, codes: Iterable[str]) -> str:
    """The physical line (with its line ending) carrying ``# noqa`` for these codes as well."""
    body = line.rstrip("\r\n")
    ending = line[len(body):]
    match = LINE_NOQA.search(body)
    if match is not None:
        present = parse_codes(match.group("codes"))
        if match.group("codes") is None:  # a bare noqa silences everything already
            return line
        missing = [code for code in sorted(set(codes)) if code not in present]
        if not missing:
            return line
        end = match.end("codes")
        return body[:end] + "".join(f", {code}" for code in missing) + body[end:] + ending
    comment = f"# noqa: {', '.join(sorted(set(codes)))}"
    stripped = body.rstrip()
    return f"{stripped}  {comment}{ending}" if stripped else f"{body}{comment}{ending}"


def commentable_lines(text: str) -> Set[int]:
    """The lines (1-based) whose end is not inside a string token nor a backslash continuation."""
    blocked: Set[int] = set()
    opened: List[int] = []  # where the f-strings (t-strings) being read started
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            kind = tokenize.tok_name.get(token.type, "")
            if token.type == tokenize.STRING:
                blocked.update(range(token.start[0], token.end[0]))
            elif kind.endswith("STRING_START"):
                opened.append(token.start[0])
            elif kind.endswith("STRING_END") and opened:
                blocked.update(range(opened.pop(), token.end[0]))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return set()
    return {number for number, line in enumerate(lines_with_ends(text), start=1)
            if number not in blocked and not line.rstrip("\r\n").endswith("\\")}


def add_noqa(diagnostics: Iterable[Diagnostic]) -> NoqaOutcome:
    """Write the comments for these findings into their files."""
    wanted: Dict[str, Dict[int, Set[str]]] = defaultdict(lambda: defaultdict(set))
    for d in diagnostics:
        if d.code not in TOOL_CODES:
            wanted[d.path][d.line].add(d.code)
    from .fixer import parses, write_atomically  # LibCST's verdict: --fix writes only what it parses

    outcome = NoqaOutcome()
    for path, lines in sorted(wanted.items()):
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            text, encoding = decode_with_encoding(data)
        except (OSError, DecodeError) as exc:
            outcome.errors.append(f"{path}: cannot add noqa comments: {getattr(exc, 'strerror', None) or exc}")
            continue
        physical = lines_with_ends(text)
        allowed = commentable_lines(text)
        added = 0
        for number, codes in sorted(lines.items()):
            if number not in allowed or number > len(physical):
                outcome.skipped += 1
                continue
            present = LINE_NOQA.search(physical[number - 1])
            before = parse_codes(present.group("codes")) if present and present.group("codes") else set()
            physical[number - 1] = with_noqa(physical[number - 1], codes)
            added += len(set(codes) - set(before))
        new_text = "".join(physical)
        if new_text == text:
            continue
        if parses(text) and not parses(new_text):
            outcome.errors.append(f"{path}: left unchanged: the comments would not parse")
            continue
        try:
            write_atomically(path, new_text.encode(encoding))  # as --fix writes: in one step, mode kept
        except (OSError, UnicodeEncodeError) as exc:
            outcome.errors.append(f"{path}: cannot write: {getattr(exc, 'strerror', None) or exc}")
            continue
        outcome.added += added
    return outcome
