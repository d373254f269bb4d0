"""aiolint: a linter for aiohttp anti-patterns."""

from __future__ import annotations

__version__ = "0.2.0"

from typing import Any  # noqa: E402

from .diagnostics import Diagnostic, Edit, Fix  # noqa: E402
from .runner import lint_paths  # noqa: E402


def __getattr__(name: str) -> Any:
    # The engine imports LibCST (0.2 s): only when someone asks for it, not on every start.
    if name == "lint_source":
        from .engine import lint_source

        return lint_source
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["__version__", "Diagnostic", "Edit", "Fix", "lint_source", "lint_paths"]
