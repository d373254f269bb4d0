"""The result of linting: diagnostics, and the fixes they may carry."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional, Tuple


@dataclass(frozen=True)
class Edit:
    """Replace the text between two positions (1-based line, 1-based column, end exclusive)."""

    line: int
    column: int
    end_line: int
    end_column: int
    content: str


@dataclass(frozen=True)
class Fix:
    """A change that resolves a diagnostic. ``unsafe`` fixes may change behaviour."""

    applicability: str  # "safe" or "unsafe"
    edits: Tuple[Edit, ...]


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    name: str
    message: str
    fix: Optional[Fix] = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.fix is not None:
            data["fix"]["edits"] = list(data["fix"]["edits"])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Diagnostic":
        fix = data.get("fix")
        if fix is not None:
            fix = Fix(fix["applicability"], tuple(Edit(**edit) for edit in fix["edits"]))
        return cls(**{**data, "fix": fix})


@dataclass
class RuleFailure:
    """A rule raised on a file: an internal error, reported apart from diagnostics."""

    path: str
    code: str
    error: str


@dataclass
class FileResult:
    """What linting one file gave (plain data: the engine keeps no tree after a file is done)."""

    path: str
    diagnostics: List[Diagnostic] = field(default_factory=list)
    suppressed: Dict[str, int] = field(default_factory=dict)  # what # noqa silenced: code -> count
    failures: List[RuleFailure] = field(default_factory=list)
    parsed: bool = False  # whether rules ran on a parsed tree: not when the pre-filter skipped the file


# The tool's own codes: problems with a file rather than findings in it.
PARSE_ERROR = ("AIO001", "syntax-error")
READ_ERROR = ("AIO002", "unreadable-file")
PARSER_LIMIT = ("AIO003", "parser-limit")  # valid Python that LibCST cannot parse
FILE_TOO_LARGE = ("AIO004", "file-too-large")  # over max-file-size
FILE_TIMEOUT = ("AIO005", "file-timeout")  # took longer than file-timeout
LINTER_DIED = ("AIO006", "linter-died")  # the process linting it died, twice
TOOL_CODES = {code for code, _ in (PARSE_ERROR, READ_ERROR, PARSER_LIMIT, FILE_TOO_LARGE, FILE_TIMEOUT, LINTER_DIED)}
# What a later run may find otherwise: results with these codes are not cached.
UNCACHED_CODES = {FILE_TOO_LARGE[0], FILE_TIMEOUT[0], LINTER_DIED[0]}


def file_diagnostic(path: str, kind: tuple[str, str], message: str, line: int = 1, column: int = 1) -> Diagnostic:
    code, name = kind
    return Diagnostic(path, line, column, line, column, code, name, message)
