"""The README's promises: its rule table is the registry's, its commands are the ones CI runs."""

from __future__ import annotations

import re

from aiolint.cli import rules_table

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_rule_table_matches_registry():
    block = re.search(r"<!-- rules-table:start -->\n(.*?)<!-- rules-table:end -->", README, re.S)
    assert block, "README lost its rule-table markers"
    assert block.group(1) == rules_table("markdown"), "stale table: run `python docs/update_readme.py`"


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"^(python3 -m venv .*)$", README, re.M)
    assert len(commands) == 2, "the set-up is exactly two commands"
    demo, tests = commands
    assert demo.endswith("aiolint fixtures/")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines()
