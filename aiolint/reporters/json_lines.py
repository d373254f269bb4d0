"""``--output-format json-lines``: one JSON object per finding per line (the ``json`` format's
fields), so a consumer can stream findings without parsing one large array."""

from __future__ import annotations

import json

from ..runner import Report
from .names import as_json


def render(report: Report, **_: object) -> str:
    return "".join(json.dumps(as_json(d)) + "\n" for d in report.diagnostics)
