"""``--output-format gitlab``: GitLab Code Quality JSON, for merge request widgets.

Each finding's ``fingerprint`` is its baseline identity (file, code, enclosing scope,
statement source, occurrence; see ``fingerprints``), so it stays the same across
unrelated edits and GitLab tracks a finding from one pipeline to the next. Paths are
relative to ``CI_PROJECT_DIR`` when GitLab sets it, else to the current directory.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Optional

from ..runner import Report
from .names import json_path


def location_path(path: str) -> str:
    base = os.environ.get("CI_PROJECT_DIR") or os.getcwd()
    relative = os.path.relpath(os.path.abspath(path), base)
    return (relative if not relative.startswith(os.pardir) else os.path.abspath(path)).replace(os.sep, "/")


def render(report: Report, *, root: Optional[str] = None, **_: object) -> str:
    from ..fingerprints import identities  # which reads reporters.names: not at import time

    found = report.diagnostics
    issues = []
    for d, identity in zip(found, identities(found, root or os.getcwd())):
        issue: Dict[str, Any] = {
            "type": "issue",
            "check_name": d.code,
            "description": f"{d.code} {d.message}",
            "categories": ["Bug Risk"],
            "severity": "major",
            "fingerprint": identity.fingerprint,
            "location": {
                "path": json_path(location_path(d.path)),
                "positions": {"begin": {"line": d.line, "column": d.column},
                              "end": {"line": d.end_line, "column": d.end_column}},
            },
        }
        issues.append(issue)
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
