"""``# noqa`` comments: on a line, for the whole file, for all codes or some; the codes of
other linters that mean the same finding; and which comments silence nothing (AIO000)."""

from __future__ import annotations

import io
import re
import tokenize
from typing import Collection, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from .diagnostics import TOOL_CODES, Diagnostic, Edit, Fix

# Codes of other linters for the same finding: a maintainer who wrote ``# noqa: BLE001`` on a
# line accepted the broad except that AIO501 reports there. (ruff, flake8-async, pycodestyle, bandit.)
PEER_CODES: Mapping[str, Tuple[str, ...]] = {
    "AIO301": ("ASYNC251",),  # blocking sleep
    "AIO302": ("ASYNC210", "ASYNC211", "ASYNC212"),  # blocking HTTP (urllib/requests, urllib3, httpx)
    "AIO303": ("ASYNC220", "ASYNC221", "ASYNC222"),  # subprocesses, os.wait
    "AIO304": ("ASYNC230", "ASYNC231", "ASYNC232", "ASYNC240"),  # open, fdopen, file methods, os.path/pathlib
    "AIO308": ("ASYNC250",),  # input()
    "AIO309": ("ASYNC240",),  # os.path functions, pathlib.Path methods
    "AIO501": ("BLE001", "E722", "S110", "S112"),  # blind/bare except, try-except-pass/continue
    "AIO502": ("ASYNC103", "ASYNC104"),  # cancellation caught and not re-raised
    "AIO508": ("ASYNC103", "ASYNC104"),  # the same, at the end of a coroutine
    "AIO507": ("BLE001", "E722"),  # a broad except around requests
    "AIO901": ("RUF006",),  # a task whose reference is dropped
}

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


def silenced_by(code: str, noqa_codes: Iterable[str], peers: bool = True) -> bool:
    """Whether a line's noqa codes silence ``code``: as a code or prefix, or as another linter's code for it."""
    noqa_codes = list(noqa_codes)
    return matches(code, noqa_codes) or (peers and any(peer.startswith(noqa) for noqa in noqa_codes if noqa
                                                       for peer in PEER_CODES.get(code, ())))


def lines_with_ends(text: str) -> List[str]:
    """Lines as Python counts them, each with its line break (``str.splitlines`` also splits on form feeds)."""
    return [line for line in re.split(r"(?<=\n)|(?<=\r)(?!\n)", text) if line]


def split_suppressed(diagnostics: Sequence[Diagnostic], source: str,
                     peers: bool = True) -> tuple[List[Diagnostic], List[Diagnostic]]:
    """Split into (kept, suppressed). The tool's own codes are never suppressed. With ``peers``,
    other linters' codes for the same finding (``PEER_CODES``) silence it too."""
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
                silenced = codes is not None and silenced_by(diagnostic.code, codes, peers)
        (suppressed if silenced else kept).append(diagnostic)
    return kept, suppressed


# -- AIO000: suppressions that silence nothing -------------------------------------------------

def _comments(source: str) -> List[Tuple[int, int, str]]:
    """(line, column of '#', text) of each comment; none when the file does not tokenize."""
    try:
        return [(token.start[0], token.start[1], token.string)
                for token in tokenize.generate_tokens(io.StringIO(source).readline) if token.type == tokenize.COMMENT]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return []


def unused_suppressions(source: str, path: str, suppressed: Sequence[Diagnostic], enabled: Collection[str],
                        known: Collection[str], kind: Tuple[str, str]) -> List[Diagnostic]:
    """``# noqa: AIO…`` and ``# aiolint: noqa: …`` codes that silenced nothing in this run, or that name no code.

    Only aiolint's codes are judged: other linters' codes, and bare ``# noqa``, are left alone.
    A code of a rule not enabled here cannot be judged either. ``kind`` is the reporting rule's
    (code, name); a comment naming it is not reported.
    """
    if "noqa" not in source.lower():
        return []
    used: Set[Tuple[int, str]] = set()  # (line, noqa code) that silenced something; line 0: the file-level ones
    file_codes: Dict[str, int] = {}
    for line_number, column, text in _comments(source):
        whole = FILE_NOQA.match(text)
        if whole and whole.group("codes") and physical_lines(source)[line_number - 1].strip() == text.strip():
            for code in parse_codes(whole.group("codes")):
                file_codes.setdefault(code, line_number)
    line_codes: Dict[int, FrozenSet[str]] = {}
    lines = physical_lines(source)
    for d in suppressed:
        if matches(d.code, file_codes):
            used.update((0, code) for code in file_codes if d.code.startswith(code))
            continue
        codes = line_codes.setdefault(d.line, line_suppressions(lines[d.line - 1]) or frozenset())
        used.update((d.line, code) for code in codes if code and d.code.startswith(code))
    found = []
    for line_number, column, text in _comments(source):
        whole = FILE_NOQA.match(text)
        if whole and lines[line_number - 1].strip() == text.strip():
            match, file_level = whole, True
        else:
            match, file_level = LINE_NOQA.search(text), False
        if match is None or not match.group("codes"):
            continue  # a bare noqa speaks for every linter
        codes = [code.upper() for code in re.split(r"[\s,]+", match.group("codes").strip()) if code]
        if kind[0] in codes:
            continue
        unused, unknown = [], []
        for code in codes:
            if not code.startswith("AIO"):
                continue  # another linter's
            covered = [k for k in known if k.startswith(code)]
            if not covered and code not in TOOL_CODES:
                unknown.append(code)
            elif code in TOOL_CODES or (all(k in enabled for k in covered)
                                        and (0 if file_level else line_number, code) not in used):
                unused.append(code)
        if not unused and not unknown:
            continue
        parts = [f"unused: {', '.join(unused)}"] if unused else []
        parts += [f"unknown: {', '.join(unknown)}"] if unknown else []
        start = column + (match.start() if not file_level else 0)
        end = column + match.end()
        message = (f"`{'aiolint: ' if file_level else ''}noqa` that silences nothing here "
                   f"({'; '.join(parts)}): remove {'it' if len(unused) + len(unknown) == len(codes) else 'those codes'}.")
        fix = _removal(source, lines, line_number, column, text, match, codes, {*unused, *unknown}, file_level)
        found.append(Diagnostic(path, line_number, start + 1, line_number, end + 1, kind[0], kind[1], message, fix))
    return found


def _removal(source: str, lines: List[str], line_number: int, column: int, text: str, match: "re.Match[str]",
             codes: List[str], dropped: Set[str], file_level: bool) -> Fix:
    """The fix: the codes left out of the comment, or the comment (the line, if file-level) removed."""
    kept = [code for code in codes if code not in dropped]
    if kept:
        start, end = column + match.start("codes"), column + match.end("codes")
        return Fix("safe", (Edit(line_number, start + 1, line_number, end + 1, ", ".join(kept)),))
    line = lines[line_number - 1]
    if file_level:
        if line_number < len(lines):
            return Fix("safe", (Edit(line_number, 1, line_number + 1, 1, ""),))
        return Fix("safe", (Edit(line_number, 1, line_number, len(line) + 1, ""),))
    start, end = column + match.start(), column + match.end()
    following = line.find("#", end)
    if following >= 0:  # another comment after it stays: `x  # noqa: AIO301  # why` -> `x  # why`
        return Fix("safe", (Edit(line_number, start + 1, line_number, following + 1, ""),))
    start -= len(line[:start]) - len(line[:start].rstrip())  # the blanks before the comment go too
    return Fix("safe", (Edit(line_number, start + 1, line_number, len(line) + 1, ""),))
