"""``--output-format json-lines``: one JSON object per finding per line (the ``json`` format's
fields), so a consumer can stream findings without parsing one large array."""

from __future__ import annotations

import json

from ..runner import Report


def render(report: Report, **_: object) -> str:
    return "".join(json.dumps(d.to_dict()) + "\n" for d in report.diagnostics)
