"""``--output-format sarif``: SARIF 2.1.0, the format GitHub code scanning and IDE viewers read.

Every finding is ``level: error``: aiolint fails the run (exit 1) on any finding and
the ``github`` format annotates with ``::error``, so code scanning agrees with both.
Columns are Python's (code points, 1-based, end exclusive), declared by ``columnKind``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePath
from typing import Any, Dict, List
from urllib.parse import quote

from .. import __version__
from ..catalog import rule_catalog
from ..diagnostics import FILE_TIMEOUT, FILE_TOO_LARGE, LINTER_DIED, PARSE_ERROR, PARSER_LIMIT, READ_ERROR, Diagnostic, Fix
from ..runner import Report
from .names import json_path, raw_bytes

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"

# The tool's own codes are not rules but can be results, so they need descriptors too.
TOOL_DESCRIPTIONS = {
    PARSE_ERROR: "The file could not be parsed (a syntax error), so it was not checked.",
    READ_ERROR: "The file could not be read or decoded, so it was not checked.",
    PARSER_LIMIT: "The file is valid Python that LibCST, the parser aiolint checks with, cannot parse, so it was "
                  "not checked.",
    FILE_TOO_LARGE: "The file is larger than max-file-size, so it was not checked.",
    FILE_TIMEOUT: "Checking the file took longer than file-timeout, so it was not checked.",
    LINTER_DIED: "The process checking the file died, twice, so it was not checked.",
}


def render(report: Report, **_: object) -> str:
    rules = _rule_descriptors()
    index = {rule["id"]: number for number, rule in enumerate(rules)}
    run: Dict[str, Any] = {
        "tool": {"driver": {"name": "aiolint", "version": __version__, "semanticVersion": __version__,
                            "rules": rules}},
        "invocations": [{
            "executionSuccessful": not report.failures,
            "toolExecutionNotifications": [
                {"level": "error", "message": {"text": f"rule {f.code} failed on {json_path(f.path)}: {f.error}"},
                 "associatedRule": {"id": f.code}}
                for f in report.failures
            ],
        }],
        "originalUriBaseIds": {SRCROOT: {"uri": file_uri(Path.cwd()) + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": [_result(d, index) for d in report.diagnostics],
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


def _rule_descriptors() -> List[Dict[str, Any]]:
    descriptors = [
        {"id": code, "name": name, "shortDescription": {"text": text}, "fullDescription": {"text": text},
         "defaultConfiguration": {"enabled": True, "level": "error"}}
        for (code, name), text in TOOL_DESCRIPTIONS.items()
    ]
    for rule in rule_catalog().values():  # a fully cached run reads it from the cache, without LibCST
        descriptors.append({
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.description},
            "help": {"text": rule.documentation, "markdown": rule.documentation},
            "defaultConfiguration": {"enabled": rule.default_enabled, "level": "error"},
        })
    return descriptors


def _result(d: Diagnostic, index: Dict[str, int]) -> Dict[str, Any]:
    location = _artifact_location(d.path)
    result: Dict[str, Any] = {"ruleId": d.code}
    if d.code in index:
        result["ruleIndex"] = index[d.code]
    result.update({
        "level": "error",
        "message": {"text": d.message},
        "locations": [{"physicalLocation": {"artifactLocation": location, "region": _region(d)}}],
    })
    if d.fix is not None:
        result["fixes"] = [_fix(d.fix, location)]
    return result


def _region(span: Any) -> Dict[str, int]:
    return {"startLine": span.line, "startColumn": span.column, "endLine": span.end_line, "endColumn": span.end_column}


def _fix(fix: Fix, location: Dict[str, str]) -> Dict[str, Any]:
    return {
        "description": {"text": f"{fix.applicability} fix"},
        "artifactChanges": [{
            "artifactLocation": location,
            "replacements": [{"deletedRegion": _region(edit), "insertedContent": {"text": edit.content}}
                             for edit in fix.edits],
        }],
    }


def _artifact_location(path: str) -> Dict[str, str]:
    """A relative POSIX URI under the working directory (code scanning resolves it from the checkout)."""
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(Path.cwd())
    except ValueError:  # outside the working directory: only an absolute URI can name it
        return {"uri": file_uri(absolute)}
    return {"uri": quote(raw_bytes(PurePath(relative).as_posix())), "uriBaseId": SRCROOT}


def file_uri(path: Path) -> str:
    """A ``file:`` URI; the bytes of a name that is not UTF-8 are percent-encoded as they are."""
    try:
        return path.as_uri()
    except UnicodeEncodeError:  # lone surrogates: bytes that are not UTF-8
        return "file://" + quote(raw_bytes(path.as_posix()))
