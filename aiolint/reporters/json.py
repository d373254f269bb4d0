"""``--output-format json``: one array of diagnostics, exactly the contract's fields."""

from __future__ import annotations

import json

from ..runner import Report


def render(report: Report, **_: object) -> str:
    return json.dumps([d.to_dict() for d in report.diagnostics], indent=2) + "\n"
