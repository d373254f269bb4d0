from __future__ import annotations

import re
from pathlib import Path
from typing import Set, Tuple

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
# The foundation issue's example: AIO301 on line 5 and AIO503 on line 10, nothing else.
POLL_EXAMPLE = """\
import time, asyncio
import aiohttp as ah

async def poll(session):
    time.sleep(1)
    await asyncio.to_thread(time.sleep, 1)
    try:
        async with session.get("https://example.com") as r:
            return await r.text()
    except ah.ClientTimeout:
        return None
"""
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
