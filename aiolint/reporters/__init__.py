"""Output formats. Each reporter turns a Report into text."""

from __future__ import annotations

from typing import Callable, Dict

from ..runner import Report
from . import json, text

REPORTERS: Dict[str, Callable[..., str]] = {
    "text": text.render,
    "json": json.render,
}
