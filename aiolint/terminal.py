"""Whether output is coloured: ``--color``, then the ``NO_COLOR``, ``FORCE_COLOR`` and
``CLICOLOR_FORCE`` conventions, then whether standard output is a terminal."""

from __future__ import annotations

import os
from typing import Mapping, Optional


def use_color(choice: Optional[str], terminal: bool, environ: Optional[Mapping[str, str]] = None) -> bool:
    """``choice``: ``always``, ``never``, ``auto`` or None (not given, which is ``auto``)."""
    environ = os.environ if environ is None else environ
    if choice == "always":
        return True
    if choice == "never":
        return False
    if environ.get("NO_COLOR"):  # https://no-color.org: any non-empty value
        return False
    if any(environ.get(name, "") not in ("", "0") for name in ("FORCE_COLOR", "CLICOLOR_FORCE")):
        return True
    return terminal
