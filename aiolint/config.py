"""Settings: which rules run, on which files, with which options."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple, Type

from .rules import REGISTRY, Rule

DEFAULT_EXCLUDE: Tuple[str, ...] = (
    ".git", ".hg", ".svn", ".venv", "venv", "__pycache__", "build", "dist", ".tox", ".nox",
    "node_modules", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".aiolint_cache", ".eggs",
)

CODE_OR_PREFIX = re.compile(r"^AIO[0-9]{0,3}$")


class ConfigError(Exception):
    """A usage or configuration error: reported in one line, exit code 2."""


def expand(selectors: Iterable[str], origin: str = "--select") -> FrozenSet[str]:
    """Codes matched by codes or prefixes (``AIO3``, ``AIO301``, ``ALL``); unknown ones are an error."""
    codes = set()
    for raw in selectors:
        selector = raw.strip().upper()
        if not selector:
            continue
        if selector == "ALL":
            codes.update(REGISTRY)
            continue
        matched = [code for code in REGISTRY if code.startswith(selector)]
        if not CODE_OR_PREFIX.match(selector) or not matched:
            raise ConfigError(f"{origin}: unknown rule code or prefix {raw.strip()!r}")
        codes.update(matched)
    return frozenset(codes)


@dataclass(frozen=True)
class Selection:
    """Which rules are enabled: ruff's semantics (select replaces the default set)."""

    select: Optional[Tuple[str, ...]] = None  # None: the rules on by default
    extend_select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()

    def codes(self) -> FrozenSet[str]:
        base = (expand(self.select) if self.select is not None
                else frozenset(code for code, rule in REGISTRY.items() if rule.default_enabled))
        return (base | expand(self.extend_select, "extend-select")) - expand(self.ignore, "--ignore")

    def rules(self, extra_ignore: Iterable[str] = ()) -> List[Type[Rule]]:
        codes = self.codes() - expand(extra_ignore, "per-file-ignores")
        return [rule for code, rule in REGISTRY.items() if code in codes]


@dataclass(frozen=True)
class Settings:
    selection: Selection = field(default_factory=Selection)
    exclude: Tuple[str, ...] = DEFAULT_EXCLUDE
    options: Dict[str, object] = field(default_factory=dict)


def split_codes(values: Sequence[str]) -> Tuple[str, ...]:
    """``("AIO1,AIO3", "AIO5")`` -> ``("AIO1", "AIO3", "AIO5")``: flags may repeat or hold commas."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())
