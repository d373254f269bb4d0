"""Configuration per file, as ruff finds it: a monorepo's projects each keep their own settings."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from aiolint.config import load_settings

CODE = 'import time\n\nasync def f():\n    time.sleep(1)\n    input("x")\n'  # AIO301 line 4, AIO308 line 5


def aiolint(*args, cwd, stdin=None):
    return subprocess.run([sys.executable, "-m", "aiolint", "--no-cache", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, input=stdin)


@pytest.fixture
def monorepo(tmp_path):
    """Two projects with different settings under one root, with a configuration of its own."""
    (tmp_path / "pyproject.toml").write_text('[tool.aiolint]\nignore = ["AIO308"]\n')
    (tmp_path / "web" / "app").mkdir(parents=True)
    (tmp_path / "web" / "pyproject.toml").write_text('[tool.aiolint]\nignore = ["AIO301"]\n')
    (tmp_path / "worker" / "jobs").mkdir(parents=True)
    (tmp_path / "worker" / "gen").mkdir()
    (tmp_path / "worker" / "aiolint.toml").write_text('select = ["AIO301"]\nextend-exclude = ["gen"]\n')
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "pyproject.toml").write_text("[project]\nname = 'tools'\n")  # no [tool.aiolint]
    for path in ("web/app/m.py", "worker/jobs/m.py", "worker/gen/m.py", "tools/m.py", "m.py"):
        (tmp_path / path).write_text(CODE)
    return tmp_path


def findings(run):
    return sorted((d["path"].replace("\\\\", "/"), d["code"]) for d in json.loads(run.stdout))


def test_each_project_is_linted_with_its_own_settings_from_the_root(monorepo):
    run = aiolint("--output-format", "json", ".", cwd=monorepo)
    assert findings(run) == [("m.py", "AIO301"), ("tools/m.py", "AIO301"),  # the root's: AIO308 ignored
                             ("web/app/m.py", "AIO308"),  # web's: AIO301 ignored
                             ("worker/jobs/m.py", "AIO301")]  # worker's: only AIO301, gen/ excluded


def test_the_same_from_inside_a_project_and_with_named_files(monorepo):
    run = aiolint("--output-format", "json", "app/m.py", "../worker/jobs/m.py", cwd=monorepo / "web")
    assert findings(run) == [("../worker/jobs/m.py", "AIO301"), ("app/m.py", "AIO308")]


@pytest.mark.parametrize("name, expected", [
    ("web/app/m.py", ["AIO308"]), ("worker/jobs/m.py", ["AIO301"]), ("m.py", ["AIO301"]), ("new/x.py", ["AIO301"]),
])
def test_stdin_filename_picks_the_closest_configuration(monorepo, name, expected):
    run = aiolint("--output-format", "json", "-", "--stdin-filename", name, cwd=monorepo, stdin=CODE)
    assert [d["code"] for d in json.loads(run.stdout)] == expected


def test_flags_apply_on_top_of_every_project(monorepo):
    run = aiolint("--output-format", "json", "--extend-select", "AIO308", ".", cwd=monorepo)
    assert ("worker/jobs/m.py", "AIO308") in findings(run) and ("m.py", "AIO308") in findings(run)


def test_config_and_isolated_keep_their_meaning(monorepo):
    run = aiolint("--output-format", "json", "--config", "web/pyproject.toml", ".", cwd=monorepo)
    assert {code for _, code in findings(run)} == {"AIO308"}  # web's settings everywhere
    run = aiolint("--output-format", "json", "--isolated", ".", cwd=monorepo)
    assert len(findings(run)) == 10  # the defaults everywhere, gen/ included


def test_show_settings_and_verbose_say_where_settings_come_from(monorepo):
    shown = aiolint("--show-settings", "worker/jobs/m.py", cwd=monorepo)
    assert shown.returncode == 0
    assert f"# settings from {monorepo / 'worker' / 'aiolint.toml'}" in shown.stdout
    assert 'enabled = ["AIO301"]' in shown.stdout
    assert "# excluded: no" in shown.stdout
    excluded = aiolint("--show-settings", "worker/gen/m.py", cwd=monorepo)
    assert "# excluded: yes" in excluded.stdout
    verbose = aiolint("--verbose", ".", cwd=monorepo)
    assert f"aiolint: configuration: {monorepo / 'web' / 'pyproject.toml'} (1 file)" in verbose.stderr
    assert f"aiolint: configuration: {monorepo / 'pyproject.toml'} (2 files)" in verbose.stderr


def test_aiolint_toml_comes_before_pyproject_in_one_directory(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.aiolint]\nselect = ["AIO308"]\n')
    (tmp_path / "aiolint.toml").write_text('select = ["AIO301"]\n')
    assert load_settings(cwd=str(tmp_path)).config_file == str(tmp_path / "aiolint.toml")
    (tmp_path / ".aiolint.toml").write_text('select = ["AIO302"]\n')
    assert load_settings(cwd=str(tmp_path)).config_file == str(tmp_path / ".aiolint.toml")


def test_an_error_in_a_sub_project_configuration_names_its_file(monorepo):
    (monorepo / "web" / "pyproject.toml").write_text('[tool.aiolint]\nignor = ["AIO301"]\n')
    run = aiolint(".", cwd=monorepo)
    assert run.returncode == 2 and "web" in run.stderr and "'ignor'" in run.stderr
