"""``--output-format json``: one array of diagnostics, exactly the contract's fields."""

from __future__ import annotations

import json

from ..runner import Report
from .names import as_json


def render(report: Report, **_: object) -> str:
    return json.dumps([as_json(d) for d in report.diagnostics], indent=2) + "\n"
