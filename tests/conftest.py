from __future__ import annotations

import re
from pathlib import Path
from typing import Set, Tuple

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
EXPECTED = re.compile(r"#\s*error:\s*(?P<codes>AIO\d{3}(?:\s*,\s*AIO\d{3})*)")


def expected_findings(path: Path) -> Set[Tuple[int, str]]:
    """The (line, code) pairs a fixture announces with ``# error: AIO101, AIO201`` comments."""
    found = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = EXPECTED.search(line)
        if match:
            found.update((number, code.strip()) for code in match.group("codes").split(","))
    return found


def fixture_files():
    return sorted(FIXTURES.glob("*.py"))
