"""Regenerate the README's rule table from the registry: ``python docs/update_readme.py``."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from aiolint.cli import rules_table

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- rules-table:start -->", "<!-- rules-table:end -->"
BLOCK = re.compile(re.escape(START) + r"\n.*?" + re.escape(END), re.S)


def with_table(readme: str) -> str:
    return BLOCK.sub(lambda _: f"{START}\n{rules_table('markdown')}{END}", readme)


def main() -> int:
    text = README.read_text(encoding="utf-8")
    README.write_text(with_table(text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
