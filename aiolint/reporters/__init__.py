"""Output formats. Each reporter turns a Report into text.

``render(report, context=..., color=..., unsafe_fixes=...)``: the CLI passes what it
knows of the terminal and of the fixes it would apply; formats that have no use for it
ignore it.
"""

from __future__ import annotations

from typing import Callable, Dict

from . import github, json, json_lines, sarif, text

REPORTERS: Dict[str, Callable[..., str]] = {
    "text": text.render,
    "json": json.render,
    "json-lines": json_lines.render,
    "sarif": sarif.render,
    "github": github.render,
}
