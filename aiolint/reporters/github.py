"""``--output-format github``: GitHub Actions workflow commands, one annotation per finding.

    ::error file=PATH,line=L,col=C,endLine=EL,endColumn=EC,title=CODE name::message

The runner parses these from the job's output and shows them on the pull request's diff.
"""

from __future__ import annotations

from pathlib import PurePath

from ..runner import Report
from .names import json_path


def escape_data(text: str) -> str:
    """The message part: a newline would end the command, ``%`` starts an escape."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: additionally ``,`` separates properties and ``:`` ends them."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, **_: object) -> str:
    lines = []
    for d in report.diagnostics:
        properties = {
            "file": json_path(PurePath(d.path).as_posix()), "line": d.line, "col": d.column,
            "endLine": d.end_line, "endColumn": d.end_column, "title": f"{d.code} {d.name}",
        }
        joined = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
        lines.append(f"::error {joined}::{escape_data(d.message)}\n")
    return "".join(lines)
