"""Every fixture reports exactly what its ``# error:`` comments announce: no more, no less."""

from __future__ import annotations

import pytest

from aiolint.engine import lint_source
from aiolint.rules import all_rules

from .conftest import expected_findings, fixture_files


@pytest.mark.parametrize("fixture", fixture_files(), ids=lambda p: p.name)
def test_fixture_findings_match_annotations(fixture):
    result = lint_source(fixture.read_bytes(), str(fixture), all_rules())
    assert result.failures == []
    actual = {(d.line, d.code) for d in result.diagnostics}
    expected = expected_findings(fixture)
    assert sorted(actual - expected) == [], "reported but not annotated"
    assert sorted(expected - actual) == [], "annotated but not reported"


def test_every_rule_family_has_a_fixture():
    families = {rule.code[:4] for rule in all_rules()}
    fixtures = {path.name[:4] for path in fixture_files()}
    assert families <= fixtures


def test_every_rule_is_exercised_by_a_fixture():
    announced = {code for path in fixture_files() for _, code in expected_findings(path)}
    assert {rule.code for rule in all_rules()} <= announced
