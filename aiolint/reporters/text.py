"""The default output: ``path:line:col: CODE message``."""

from __future__ import annotations

from ..runner import Report


def render(report: Report, **_: object) -> str:
    return "".join(f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}\n" for d in report.diagnostics)
