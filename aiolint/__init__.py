"""aiolint: a linter for aiohttp anti-patterns."""

from __future__ import annotations

__version__ = "0.1.0"

from .diagnostics import Diagnostic, Edit, Fix  # noqa: E402
from .engine import lint_source  # noqa: E402
from .runner import lint_paths  # noqa: E402

__all__ = ["__version__", "Diagnostic", "Edit", "Fix", "lint_source", "lint_paths"]
