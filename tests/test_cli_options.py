"""The check command's configuration and file-selection options, run as a user runs them: a real process."""

from __future__ import annotations

import json
import subprocess

import pytest

from .conftest import SLEEPS, run_aiolint as aiolint, write_tree as write


def findings(run):
    """(path, code) of each finding in the default text output."""
    return [(line.split(":")[0], line.split()[1]) for line in run.stdout.splitlines()]


@pytest.fixture
def project(tmp_path):
    """The issue's acceptance project: a git repository, tests/ ignoring AIO3, build/ in .gitignore.

    ``build`` is also a default exclusion, so ``output/`` shows what the .gitignore alone does.
    """
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path, {
        "pyproject.toml": """\
            [project]
            name = "service"

            [tool.aiolint]
            per-file-ignores = {"tests/*" = ["AIO3"]}
            """,
        ".gitignore": "build/\n/output/\n",
        "src/service/app.py": SLEEPS,
        "tests/test_app.py": SLEEPS,
        "output/generated.py": SLEEPS,
        "build/lib/service/app.py": SLEEPS,
    })
    return tmp_path


def test_per_file_ignores_and_gitignore_leave_out_what_the_project_asked(project):
    run = aiolint(cwd=project)
    assert run.returncode == 1, run.stderr
    assert findings(run) == [("src/service/app.py", "AIO301")]


def test_configuration_applies_when_run_from_a_subdirectory(project):
    run = aiolint(".", cwd=project / "tests")
    assert (run.returncode, run.stdout) == (0, ""), run.stderr


def test_a_typo_in_a_key_exits_2_and_names_the_key(project):
    (project / "pyproject.toml").write_text('[tool.aiolint]\nper-file-ignore = {"tests/*" = ["AIO3"]}\n')
    run = aiolint(cwd=project)
    assert run.returncode == 2
    assert "unknown key 'per-file-ignore' (did you mean 'per-file-ignores'?)" in run.stderr
    assert "pyproject.toml" in run.stderr and "Traceback" not in run.stderr


def test_invalid_toml_exits_2_with_its_line(project):
    (project / "pyproject.toml").write_text('[tool.aiolint]\nselect = [AIO3]\n')
    run = aiolint(cwd=project)
    assert run.returncode == 2
    assert "invalid TOML" in run.stderr and "line 2" in run.stderr


def test_isolated_and_config_choose_the_configuration(project):
    # .gitignore files are not configuration: they still apply
    assert findings(aiolint("--isolated", cwd=project)) == [("src/service/app.py", "AIO301"), ("tests/test_app.py", "AIO301")]
    (project / "strict.toml").write_text('select = ["AIO1"]\n')
    assert aiolint("--config", "strict.toml", cwd=project).returncode == 0


def test_command_line_flags_override_the_file(project):
    run = aiolint("--per-file-ignores", "src/*:AIO301", "--no-respect-gitignore", cwd=project)
    assert findings(run) == [("output/generated.py", "AIO301"), ("tests/test_app.py", "AIO301")]
    run = aiolint("--extend-exclude", "src", "--ignore", "AIO3", cwd=project)
    assert (run.returncode, run.stdout) == (0, "")


@pytest.mark.parametrize("args, named", [
    (["--per-file-ignores", "tests/*"], "--per-file-ignores: expected KEY:VALUE, got 'tests/*'"),
    (["--extend-blocking-calls", "mylib.get=AIO399"], "--extend-blocking-calls 'mylib.get': 'AIO399' is not a blocking-call code"),
    (["--ignore", "AIO3,XYZ1"], "--ignore: unknown rule code or prefix 'XYZ1'"),
])
def test_bad_flag_values_exit_2_naming_the_flag(project, args, named):
    run = aiolint(*args, cwd=project)
    assert run.returncode == 2
    assert named in run.stderr


def test_explicit_files_are_linted_even_when_excluded_unless_force_exclude(project):
    assert findings(aiolint("output/generated.py", cwd=project)) == [("output/generated.py", "AIO301")]
    run = aiolint("--force-exclude", "output/generated.py", "src/service/app.py", cwd=project)
    assert findings(run) == [("src/service/app.py", "AIO301")]
    (project / "pyproject.toml").write_text('[tool.aiolint]\nforce-exclude = true\nextend-exclude = ["app.py"]\n')
    assert aiolint("src/service/app.py", cwd=project).returncode == 0


def test_extend_blocking_calls_reports_a_teams_own_sync_client(project):
    write(project, {"src/service/client.py": """\
        import corp.http

        async def fetch():
            return corp.http.get("https://example.com")
        """})
    run = aiolint("src/service/client.py", cwd=project)
    assert (run.returncode, run.stdout) == (0, "")
    run = aiolint("--extend-blocking-calls", "corp.http.get=AIO302", "src/service/client.py", cwd=project)
    assert findings(run) == [("src/service/client.py", "AIO302")]


def test_stdin_is_linted_as_the_named_file_with_its_per_file_ignores(project):
    run = aiolint("-", "--stdin-filename", "src/service/new.py", cwd=project, stdin=SLEEPS)
    assert run.returncode == 1
    assert run.stdout.startswith("src/service/new.py:4:5: AIO301 ")
    run = aiolint("-", "--stdin-filename", "tests/test_new.py", cwd=project, stdin=SLEEPS)
    assert (run.returncode, run.stdout) == (0, "")
    assert findings(aiolint("-", cwd=project, stdin=SLEEPS)) == [("-", "AIO301")]


def test_stdin_with_force_exclude_honours_exclusions(project):
    run = aiolint("-", "--stdin-filename", "output/new.py", "--force-exclude", cwd=project, stdin=SLEEPS)
    assert (run.returncode, run.stdout) == (0, "")
    assert "0 files checked" in run.stderr


def test_stdin_cannot_be_mixed_with_paths(project):
    run = aiolint("-", "src", cwd=project, stdin="")
    assert run.returncode == 2 and "standard input" in run.stderr


def test_statistics_count_each_code_with_those_noqa_silenced(project):
    write(project, {
        "src/service/more.py": """\
            import time

            async def a():
                time.sleep(1)
                time.sleep(2)  # noqa: AIO301
                input("f")  # noqa

            async def b():
                time.sleep(3)
            """,
    })
    run = aiolint("--statistics", "src", cwd=project)
    assert run.returncode == 1
    assert run.stdout.splitlines() == [
        "3  AIO301  blocking-sleep  (1 suppressed by noqa)",
        "0  AIO308  blocking-input  (1 suppressed by noqa)",
    ]
    run = aiolint("--statistics", "--output-format", "json", "src", cwd=project)
    assert json.loads(run.stdout) == [
        {"code": "AIO301", "name": "blocking-sleep", "count": 3, "suppressed": 1, "fixable": False},
        {"code": "AIO308", "name": "blocking-input", "count": 0, "suppressed": 1, "fixable": False},
    ]


def test_statistics_of_a_clean_run_is_empty(project):
    run = aiolint("--statistics", "tests", cwd=project)
    assert (run.returncode, run.stdout) == (0, "")


def test_output_file_receives_the_report(project):
    run = aiolint("--output-file", "report.json", "--output-format", "json", "src", cwd=project)
    assert (run.returncode, run.stdout) == (1, "")
    assert [d["code"] for d in json.loads((project / "report.json").read_text())] == ["AIO301"]
    run = aiolint("--output-file", project / "missing" / "dir" / "report.txt", "src", cwd=project)
    assert run.returncode == 1 and (project / "missing" / "dir" / "report.txt").read_text().startswith("src/")
    (project / "a-file").write_text("")
    run = aiolint("--output-file", project / "a-file" / "report.txt", "src", cwd=project)
    assert run.returncode == 2 and "cannot write the report" in run.stderr
