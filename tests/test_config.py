"""Settings from [tool.aiolint] and the command line: finding the file, every key, every error."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from aiolint.config import DEFAULT_EXCLUDE, KEYS, ConfigError, load_settings
from aiolint.rules import REGISTRY

from .rule_probes import CallProbe


@pytest.fixture(autouse=True)
def probe(monkeypatch):
    """A registered rule whose code (AIO990) the tests can select, ignore and name."""
    monkeypatch.setitem(REGISTRY, CallProbe.code, CallProbe)


def project(root, table, name="pyproject.toml"):
    root.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(textwrap.dedent(table))
    return root


def error(**kwargs):
    with pytest.raises(ConfigError) as caught:
        load_settings(**kwargs)
    return str(caught.value)


def test_nearest_pyproject_with_an_aiolint_table_is_used_and_is_the_root(tmp_path):
    project(tmp_path, '[tool.aiolint]\nignore = ["AIO990"]\n')
    project(tmp_path / "pkg", '[project]\nname = "pkg"\n')  # no [tool.aiolint]: looked past, as ruff does
    (tmp_path / "pkg" / "sub").mkdir()
    settings = load_settings(cwd=str(tmp_path / "pkg" / "sub"))
    assert settings.root == str(tmp_path)
    assert "AIO990" not in settings.selection.codes()


def test_without_configuration_the_root_is_the_current_directory_and_defaults_apply(tmp_path):
    settings = load_settings(cwd=str(tmp_path))
    assert settings.root == str(tmp_path)
    assert "AIO990" in settings.selection.codes()
    assert settings.exclude == DEFAULT_EXCLUDE
    assert settings.respect_gitignore and not settings.force_exclude
    assert settings.cache_dir == os.path.join(str(tmp_path), ".aiolint_cache")
    assert settings.options == {"extend-blocking-calls": {}, "extend-factories": {}, "peer-noqa": True}


def test_every_key_is_read(tmp_path):
    project(tmp_path, """\
        [tool.aiolint]
        select = ["AIO99"]
        extend-select = ["AIO990"]
        ignore = ["aio990"]
        per-file-ignores = { "tests/*" = ["AIO99"], "__init__.py" = ["AIO990"] }
        exclude = ["generated"]
        extend-exclude = ["migrations/*.py"]
        respect-gitignore = false
        force-exclude = true
        extend-blocking-calls = { "mycompany.http.get" = "aio302" }
        extend-factories = { "mycompany.net.make_session" = "Session" }
        cache-dir = "var/cache"
        baseline = "aiolint-baseline.json"
        peer-noqa = false
        """)
    settings = load_settings(cwd=str(tmp_path))
    assert settings.selection.codes() == set()
    assert settings.per_file_ignores == (("tests/*", ("AIO99",)), ("__init__.py", ("AIO990",)))
    assert settings.exclude == ("generated", "migrations/*.py")
    assert (settings.respect_gitignore, settings.force_exclude) == (False, True)
    assert settings.options == {"extend-blocking-calls": {"mycompany.http.get": "AIO302"},
                                "extend-factories": {"mycompany.net.make_session": "session"}, "peer-noqa": False}
    assert settings.cache_dir == str(tmp_path / "var" / "cache")
    assert settings.baseline == str(tmp_path / "aiolint-baseline.json")


def test_per_file_ignores_give_the_rules_for_a_path(tmp_path):
    project(tmp_path, """\
        [tool.aiolint]
        select = ["AIO990"]
        per-file-ignores = { "tests/*" = ["AIO99"], "conftest.py" = ["AIO990"] }
        """)
    settings = load_settings(cwd=str(tmp_path))
    assert settings.rules_for(str(tmp_path / "src" / "app.py")) == [CallProbe]
    assert settings.rules_for(str(tmp_path / "tests" / "unit" / "test_app.py")) == []
    assert settings.rules_for(str(tmp_path / "src" / "conftest.py")) == []
    assert settings.rules_for(str(tmp_path / "src" / "tests" / "x.py")) == [CallProbe]  # "tests/*" is from the root


@pytest.mark.parametrize("table, named", [
    ("selct = []", "unknown key 'selct' (did you mean 'select'?)"),
    ("per_file_ignores = {}", "unknown key 'per_file_ignores' (did you mean 'per-file-ignores'?)"),
    ("colour = true", "unknown key 'colour'; known keys: select,"),
    ('select = ["AIO999"]', "[tool.aiolint] select: unknown rule code or prefix 'AIO999'"),
    ('ignore = ["E501"]', "[tool.aiolint] ignore: unknown rule code or prefix 'E501'"),
    ('select = "AIO9"', "select: expected a list of strings, got 'AIO9'"),
    ("extend-exclude = [1]", "extend-exclude: expected a list of strings"),
    ('respect-gitignore = "yes"', "respect-gitignore: expected true or false, got 'yes'"),
    ('per-file-ignores = ["tests/*"]', "per-file-ignores: expected a table"),
    ('per-file-ignores = { "tests/*" = ["AIO77"] }', "per-file-ignores 'tests/*': unknown rule code or prefix 'AIO77'"),
    ('extend-blocking-calls = { "my lib.get" = "AIO302" }', "'my lib.get' is not a qualified name"),
    ('extend-blocking-calls = { "mylib.get" = "AIO3" }', "extend-blocking-calls 'mylib.get': 'AIO3' is not a blocking-call code (AIO301, "),
    ('extend-blocking-calls = { "mylib.get" = "AIO990" }', "'AIO990' is not a blocking-call code"),
    ('extend-blocking-calls = { "mylib.get" = ["AIO302"] }', "['AIO302'] is not a blocking-call code"),
    ('extend-factories = { "mylib.make" = "client" }', "extend-factories 'mylib.make': 'client' is not a kind of value"),
    ('extend-factories = { "my lib.make" = "session" }', "'my lib.make' is not a qualified name"),
    ("cache-dir = 3", "cache-dir: expected a path, got 3"),
])
def test_configuration_errors_name_the_file_and_the_problem(tmp_path, table, named):
    project(tmp_path, f"[tool.aiolint]\n{table}\n")
    message = error(cwd=str(tmp_path))
    assert str(tmp_path / "pyproject.toml") in message
    assert named in message


def test_invalid_toml_is_an_error_with_its_line(tmp_path):
    project(tmp_path, '[tool.aiolint]\nextend-select = ["AIO9"]\nselect = [AIO9]\n')
    message = error(cwd=str(tmp_path))
    assert "invalid TOML" in message and "line 3" in message


def test_a_tool_key_that_is_not_a_table_is_an_error(tmp_path):
    project(tmp_path, 'tool = "aiolint"\n')
    assert "[tool]: expected a table" in error(config=str(tmp_path / "pyproject.toml"))


def test_a_missing_config_file_is_an_error_naming_it(tmp_path):
    assert "no-such.toml: cannot read the configuration" in error(config=str(tmp_path / "no-such.toml"))


def test_config_option_reads_a_pyproject_or_a_plain_aiolint_file(tmp_path):
    project(tmp_path / "a", '[tool.aiolint]\nignore = ["AIO990"]\n')
    project(tmp_path / "b", 'ignore = ["AIO990"]\nexclude = ["x"]\n', name="aiolint.toml")
    for path in (tmp_path / "a" / "pyproject.toml", tmp_path / "b" / "aiolint.toml"):
        settings = load_settings(config=str(path), cwd=str(tmp_path))
        assert settings.root == str(path.parent)
        assert "AIO990" not in settings.selection.codes()


def test_isolated_ignores_the_configuration(tmp_path):
    project(tmp_path, "[tool.aiolint]\nselct = []\n")
    assert load_settings(isolated=True, cwd=str(tmp_path)).exclude == DEFAULT_EXCLUDE
    assert "cannot be used together" in error(isolated=True, config=str(tmp_path / "pyproject.toml"))


def test_flags_replace_the_files_values(tmp_path):
    project(tmp_path, """\
        [tool.aiolint]
        exclude = ["a"]
        extend-exclude = ["b"]
        respect-gitignore = false
        per-file-ignores = { "x.py" = ["AIO990"] }
        extend-blocking-calls = { "lib.one" = "AIO302", "lib.two" = "AIO302" }
        """)
    settings = load_settings(cwd=str(tmp_path), flags={
        "exclude": ["c"], "extend-exclude": ["d"], "respect-gitignore": True, "per-file-ignores": {"y.py": ["AIO99"]},
        "extend-blocking-calls": {"lib.two": "aio306", "lib.three": "AIO302"}, "force-exclude": None,
    })
    assert settings.exclude == ("c", "b", "d")  # extend-exclude from both
    assert settings.respect_gitignore is True
    assert settings.force_exclude is False
    assert settings.per_file_ignores == (("y.py", ("AIO99",)),)
    assert settings.options["extend-blocking-calls"] == {"lib.one": "AIO302", "lib.two": "AIO306", "lib.three": "AIO302"}


def test_select_flag_starts_over_while_extend_select_and_ignore_apply_on_top(tmp_path):
    project(tmp_path, '[tool.aiolint]\nignore = ["AIO990"]\n')
    assert "AIO990" not in load_settings(cwd=str(tmp_path)).selection.codes()
    assert "AIO990" in load_settings(cwd=str(tmp_path), flags={"extend-select": ["AIO990"]}).selection.codes()
    assert "AIO990" in load_settings(cwd=str(tmp_path), flags={"select": ["AIO99"]}).selection.codes()
    project(tmp_path, '[tool.aiolint]\nselect = ["AIO990"]\n')
    assert load_settings(cwd=str(tmp_path), flags={"ignore": ["AIO9"]}).selection.codes() == set()


def test_flag_errors_name_the_flag(tmp_path):
    assert error(cwd=str(tmp_path), flags={"select": ["AIO009"]}) == "--select: unknown rule code or prefix 'AIO009'"
    assert error(cwd=str(tmp_path), flags={"per-file-ignores": {"t/*": ["X1"]}}).startswith("--per-file-ignores 't/*'")


def test_relative_patterns_and_paths_in_the_file_are_relative_to_its_directory(tmp_path):
    project(tmp_path / "conf", '[tool.aiolint]\nexclude = ["gen/*.py", "build"]\ncache-dir = "c"\n')
    settings = load_settings(config=str(tmp_path / "conf" / "pyproject.toml"), cwd=str(tmp_path))
    assert settings.exclude == ("gen/*.py", "build")
    assert settings.cache_dir == str(tmp_path / "conf" / "c")
    # on the command line they are relative to the current directory, rewritten from the root
    flags = {"exclude": ["gen/*.py"], "cache-dir": "c"}
    settings = load_settings(config=str(tmp_path / "conf" / "pyproject.toml"), cwd=str(tmp_path), flags=flags)
    assert settings.exclude == ("../gen/*.py",)
    assert settings.cache_dir == str(tmp_path / "c")


def readme_configuration():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    return readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]


def test_the_readme_documents_every_key_and_its_example_loads(tmp_path):
    section = readme_configuration()
    assert [key for key in KEYS if f"| `{key}` |" not in section] == []
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    project(tmp_path, example)
    settings = load_settings(cwd=str(tmp_path))
    assert settings.per_file_ignores and settings.options["extend-blocking-calls"]
