"""Output formats. Each reporter turns a Report into text.

``render(report, context=..., color=..., unsafe_fixes=..., root=...)``: the CLI passes what
it knows of the terminal, of the fixes it would apply and of the project root; formats that
have no use for them ignore them.
"""

from __future__ import annotations

from typing import Callable, Dict

from . import github, gitlab, json, json_lines, junit, sarif, text

REPORTERS: Dict[str, Callable[..., str]] = {
    "text": text.render,  # with source lines on a terminal
    "concise": text.render_concise,  # one line per finding, always
    "full": text.render_full,  # with source lines, always
    "json": json.render,
    "json-lines": json_lines.render,
    "sarif": sarif.render,
    "github": github.render,
    "gitlab": gitlab.render,
    "junit": junit.render,
}
