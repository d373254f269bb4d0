"""The flake8 plugin, through the real ``flake8`` command: it must say exactly what aiolint says.

Both tools run with ``--isolated`` so that no configuration file of the checkout
changes what they select.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

from aiolint import __version__
from aiolint.engine import lint_source
from aiolint.reporters.text import FIXABLE
from aiolint.rules import REGISTRY

from .conftest import EXPECTED, ROOT, expected_findings, fixture_files

FIXTURES = "fixtures"


def run(tool: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", tool, *args], cwd=cwd, capture_output=True, text=True)


def flake8(*args: str, cwd: Path = ROOT) -> List[str]:
    """flake8's findings of aiolint's codes: ``path:line:col: CODE message`` lines, sorted."""
    result = run("flake8", "--isolated", "-j", "1", *args, cwd=cwd)
    assert result.returncode in (0, 1) and result.stderr == "", result.stderr
    return sorted(line for line in result.stdout.splitlines() if line.split(" ")[1].startswith("AIO"))


def aiolint(*args: str, cwd: Path = ROOT) -> List[str]:
    """aiolint's findings, without the ``[*]`` that marks those ``aiolint --fix`` fixes (flake8 fixes nothing)."""
    result = run("aiolint", "--quiet", *(args if "--config" in args else ("--isolated", *args)), cwd=cwd)
    assert result.returncode in (0, 1) and result.stderr == "", result.stderr
    return sorted(line.replace(f" {FIXABLE} ", " ", 1) for line in result.stdout.splitlines())


def per_file(lines: List[str]) -> Dict[str, List[str]]:
    found: Dict[str, List[str]] = {}
    for line in lines:
        found.setdefault(Path(line.split(":")[0]).name, []).append(line)
    return found


# Each run covers every fixture once; the tests compare file by file.
@pytest.fixture(scope="module")
def defaults():
    """What each face reports with the rules on by default."""
    return {
        "aiolint": per_file(aiolint(FIXTURES)),
        "flake8": per_file(flake8(FIXTURES)),
        "flake8 --select AIO": per_file(flake8("--select", "AIO", FIXTURES)),
        # A project's own ignore list replaces flake8's default one: opt-in rules must stay off.
        "flake8 --ignore E203": per_file(flake8("--ignore", "E203", FIXTURES)),
    }


@pytest.fixture(scope="module")
def every_rule():
    """Every rule on: aiolint's --select AIO; flake8 needs each family named for its opt-in rules."""
    families = ",".join(sorted({code[:4] for code in REGISTRY}))
    return per_file(aiolint("--select", "AIO", FIXTURES)), per_file(flake8("--extend-select", families, FIXTURES))


def test_plugin_is_registered():
    result = subprocess.run([sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True)
    assert f"aiolint: {__version__}" in result.stdout


@pytest.mark.parametrize("fixture", fixture_files(), ids=lambda p: p.name)
def test_flake8_reports_what_aiolint_reports(fixture, defaults):
    expected = defaults["aiolint"].get(fixture.name, [])
    for run, findings in defaults.items():
        assert findings.get(fixture.name, []) == expected, run


@pytest.mark.parametrize("fixture", fixture_files(), ids=lambda p: p.name)
def test_every_annotated_finding_once_opt_in_rules_are_named(fixture, every_rule):
    from_aiolint, from_flake8 = every_rule
    assert from_flake8.get(fixture.name, []) == from_aiolint.get(fixture.name, [])
    reported = {(int(line.split(":")[1]), line.split(" ")[1]) for line in from_flake8.get(fixture.name, [])}
    assert reported == expected_findings(fixture)


def opt_in_families() -> Dict[str, set]:
    """Family prefix (``AIO6``) -> the off-by-default codes of that family the fixtures announce."""
    announced = {code for fixture in fixture_files() for _, code in expected_findings(fixture)}
    families: Dict[str, set] = {}
    for code in announced:
        if code in REGISTRY and not REGISTRY[code].default_enabled:
            families.setdefault(code[:4], set()).add(code)
    return families


def codes_in(found: Dict[str, List[str]]) -> set:
    return {line.split(" ")[1] for lines in found.values() for line in lines}


@pytest.mark.parametrize("family", sorted(opt_in_families()) or [pytest.param(None, marks=pytest.mark.skip(
    reason="no off-by-default rule has a fixture yet"))])
def test_off_by_default_rules_report_only_when_named(family, defaults):
    codes = opt_in_families()[family]
    for run, findings in defaults.items():
        assert not codes & codes_in(findings), run
    assert codes <= codes_in(per_file(flake8("--extend-select", family, FIXTURES)))


def test_noqa_suppresses_through_flake8(tmp_path, defaults):
    """A fixture whose first finding gets ``# noqa: <its code>``: only that finding goes."""
    name, findings = next(iter(sorted(defaults["flake8"].items())))
    first = findings[0]
    line_number, code = int(first.split(":")[1]), first.split(" ")[1]
    lines = (ROOT / FIXTURES / name).read_text(encoding="utf-8").splitlines(keepends=True)
    source = EXPECTED.sub("", lines[line_number - 1]).rstrip()  # the line without its annotation

    def lint_with(comment: str) -> List[str]:
        lines[line_number - 1] = f"{source}  {comment}\n"
        (tmp_path / name).write_text("".join(lines), encoding="utf-8")
        return [line.split(":", 1)[1] for line in flake8(name, cwd=tmp_path)]

    others = [line.split(":", 1)[1] for line in findings if line != first]
    assert lint_with(f"# noqa: {code}") == others
    assert lint_with("# noqa: E501") == sorted(others + [first.split(":", 1)[1]])  # another code: still reported


def test_parallel_flake8_gives_the_same_findings(tmp_path):
    # Two copies of every fixture: flake8 runs one file serially, whatever -j says.
    for copy in ("one", "two"):
        (tmp_path / copy).mkdir()
        for fixture in fixture_files():
            (tmp_path / copy / fixture.name).write_bytes(fixture.read_bytes())
    result = run("flake8", "--isolated", "-j", "2", "--select", "AIO", ".", cwd=tmp_path)
    assert result.stderr == ""  # no traceback from a worker, no "falling back to serial" warning
    serial = flake8("--select", "AIO", ".", cwd=tmp_path)
    assert sorted(result.stdout.splitlines()) == serial != []


def test_encodings_and_line_endings_read_alike(tmp_path):
    """flake8 decodes files itself; the plugin must still see what aiolint sees."""
    # The first fixture with findings under the default rules (AIO000's, first by name, has none).
    fixture = next(f for f in fixture_files() if lint_source(f.read_bytes(), f.name).diagnostics)
    source = fixture.read_text(encoding="utf-8")
    (tmp_path / "bom_crlf.py").write_bytes(b"\xef\xbb\xbf" + source.replace("\n", "\r\n").encode("utf-8"))
    (tmp_path / "old_mac.py").write_bytes(source.replace("\n", "\r").encode("utf-8"))
    (tmp_path / "latin1.py").write_bytes(
        ("# -*- coding: latin-1 -*-\n# caf\u00e9\n" + source).encode("latin-1", errors="replace"))
    names = ["bom_crlf.py", "old_mac.py", "latin1.py"]
    from_flake8 = flake8("--select", "AIO", *names, cwd=tmp_path)
    assert from_flake8 == aiolint(*names, cwd=tmp_path)
    assert sorted(per_file(from_flake8)) == sorted(names)


def test_syntax_error_is_flake8s_e999_not_a_traceback(tmp_path):
    (tmp_path / "broken.py").write_text("async def main(:\n    pass\n", encoding="utf-8")
    result = run("flake8", "--isolated", "--select", "AIO,E999", "broken.py", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == ""
    assert result.stdout.startswith("broken.py:1:") and " E999 SyntaxError: " in result.stdout, result.stdout
    assert "AIO" not in result.stdout


def test_rule_options_come_from_aiolint_configuration(tmp_path):
    """``extend-blocking-calls`` in [tool.aiolint] applies to flake8 runs as to aiolint's."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.aiolint.extend-blocking-calls]\n"vendorlib.fetch" = "AIO302"\n', encoding="utf-8")
    (tmp_path / "app.py").write_text(
        "import vendorlib\n\n\nasync def handler():\n    return vendorlib.fetch()\n", encoding="utf-8")
    configured = flake8("--select", "AIO", "app.py", cwd=tmp_path)
    assert configured == aiolint("--config", "pyproject.toml", "app.py", cwd=tmp_path)
    assert configured[0].startswith("app.py:5:12: AIO302 ")


def test_rule_options_come_from_the_configuration_closest_to_each_file(tmp_path):
    """As ``aiolint .`` does, flake8 run from a monorepo's root uses each project's own options."""
    (tmp_path / "pyproject.toml").write_text("[tool.aiolint]\n", encoding="utf-8")
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "aiolint.toml").write_text('[extend-blocking-calls]\n"vendorlib.fetch" = "AIO302"\n',
                                                  encoding="utf-8")
    source = "import vendorlib\n\n\nasync def handler():\n    return vendorlib.fetch()\n"
    (tmp_path / "svc" / "app.py").write_text(source, encoding="utf-8")
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    found = flake8("--select", "AIO", ".", cwd=tmp_path)
    assert len(found) == 1 and found[0].startswith("./svc/app.py:5:12: AIO302 "), found
