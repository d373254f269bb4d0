"""The registry: every rule, by code, collected from the family modules of this package."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Dict, List, Type

from .base import Rule

__all__ = ["Rule", "REGISTRY", "all_rules", "default_rules"]


def _collect() -> Dict[str, Type[Rule]]:
    found: Dict[str, Type[Rule]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and "code" in vars(value):
                if value.code in found and found[value.code] is not value:
                    raise RuntimeError(f"two rules claim {value.code}: {found[value.code].__name__}, {value.__name__}")
                found[value.code] = value
    return dict(sorted(found.items()))


REGISTRY: Dict[str, Type[Rule]] = _collect()


def all_rules() -> List[Type[Rule]]:
    return list(REGISTRY.values())


def default_rules() -> List[Type[Rule]]:
    return [rule for rule in REGISTRY.values() if rule.default_enabled]
