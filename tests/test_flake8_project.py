"""The flake8 plugin within a project, through the real ``flake8``: a file handed over alone gets the findings
``aiolint`` gives it over its whole project, cold or with aiolint's cache warm; standard input never says
anything false; the project is built once per process and cached for the next run."""

from __future__ import annotations

import pstats
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from .conftest import FIXTURES

PROJECTS = FIXTURES / "projects"
# Fixture projects with a finding that needs another file (aiolint on that file alone does not report it).
CROSS_FILE = {"bot": ["bot/cogs/one.py"], "library": ["weather/client.py"], "paths": ["app/tasks.py"]}
CACHE = ".aiolint_cache"


def tool(name: str, *args: str, cwd: Path, stdin: Optional[str] = None, python: List[str] = ()) -> List[str]:
    """The findings ``python -m NAME ARGS`` prints (``path:line:col: CODE message``), sorted; it must say
    nothing on standard error."""
    result = subprocess.run([sys.executable, *python, "-m", name, *args], cwd=cwd, capture_output=True, text=True,
                            input=stdin)
    assert result.returncode in (0, 1) and result.stderr == "", result.stderr
    return sorted(line for line in result.stdout.splitlines() if " AIO" in line)


def flake8(*args: str, cwd: Path, stdin: Optional[str] = None, python: List[str] = ()) -> List[str]:
    return tool("flake8", "--isolated", "-j", "1", "--select", "AIO", *args, cwd=cwd, stdin=stdin, python=python)


def aiolint(*args: str, cwd: Path, stdin: Optional[str] = None) -> List[str]:
    """aiolint's findings without the ``[*]`` that marks what ``--fix`` fixes (flake8 fixes nothing)."""
    return [line.replace(" [*] ", " ", 1) for line in tool("aiolint", "--isolated", "--quiet", *args, cwd=cwd,
                                                          stdin=stdin)]


def of_file(findings: List[str], name: str) -> List[str]:
    """The findings of one file, as ``name:line:col: ...`` whatever the path they were reported under."""
    return [f"{name}:{line.split(':', 1)[1]}" for line in findings if Path(line.split(":")[0]) == Path(name)]


def copy_project(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(PROJECTS / name, target)
    return target


def cache_entries(project: Path) -> int:
    return sum(1 for path in (project / CACHE).glob("*/*") if len(path.name) == 64)


@pytest.mark.parametrize("name", sorted(CROSS_FILE))
def test_a_file_handed_over_alone_gets_its_findings_over_the_project(tmp_path, name):
    project = copy_project(tmp_path, name)
    over_project = aiolint("--no-cache", ".", cwd=project)
    for path in CROSS_FILE[name]:
        expected = of_file(over_project, path)
        assert expected and aiolint("--no-cache", path, cwd=project) != expected  # it does need another file
        assert flake8(path, cwd=project) == expected  # cold: the plugin builds the project
        shutil.rmtree(project / CACHE)
        aiolint(".", cwd=project)  # a warm aiolint cache
        assert flake8(path, cwd=project) == expected
    assert flake8(".", cwd=project) == [line if line.startswith("./") else f"./{line}" for line in over_project]


def test_a_cold_flake8_run_caches_the_project_for_the_next_runs(tmp_path):
    project = copy_project(tmp_path, "paths")
    flake8("app/tasks.py", cwd=project)
    run = subprocess.run([sys.executable, "-m", "aiolint", "--isolated", "--verbose", "."], cwd=project,
                         capture_output=True, text=True)
    files = len(list(project.rglob("*.py")))
    assert f"{files} files: {files} from the cache, 0 linted" in run.stderr


def calls(profile: Path) -> Dict[str, int]:
    """Function name -> calls, of the functions of aiolint's engine and runner in a cProfile dump."""
    found: Dict[str, int] = {}
    for (filename, _, function), (_, calls_made, *_) in pstats.Stats(str(profile)).stats.items():  # type: ignore
        if Path(filename).parent.name == "aiolint":
            found[f"{Path(filename).stem}.{function}"] = found.get(f"{Path(filename).stem}.{function}", 0) + calls_made
    return found


def test_the_project_is_built_once_per_process_and_not_at_all_from_a_warm_cache(tmp_path):
    project = copy_project(tmp_path, "library")
    files = ["weather/client.py", "weather/net.py", "weather/cache.py"]
    cold, warm = tmp_path / "cold.prof", tmp_path / "warm.prof"
    found = flake8(*files, cwd=project, python=["-m", "cProfile", "-o", str(cold)])
    assert calls(cold)["runner.project_files"] == 1
    assert calls(cold)["engine.lint_tree"] >= 3  # every file of the project the pre-filter keeps
    assert flake8(*files, cwd=project, python=["-m", "cProfile", "-o", str(warm)]) == found
    assert calls(warm)["runner.project_files"] == 1 and "engine.lint_tree" not in calls(warm)  # nothing parsed
    assert found == aiolint("--no-cache", ".", cwd=project) != []


def test_several_flake8_processes_report_what_one_does(tmp_path):
    project = copy_project(tmp_path, "bot")
    for copy in range(8):  # enough files for flake8 to run them in two processes
        shutil.copy(project / "bot" / "cogs" / "one.py", project / "bot" / "cogs" / f"copy{copy}.py")
    serial = flake8(".", cwd=project)
    result = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "-j", "2", "--select", "AIO", "."],
                            cwd=project, capture_output=True, text=True)
    assert result.stderr == "" and sorted(result.stdout.splitlines()) == serial
    assert len(serial) == 9


def test_standard_input_alone_says_nothing_false(tmp_path):
    """``flake8 -`` does not say where the text lives: its questions about other files are unknown, as
    with ``aiolint -``."""
    project = copy_project(tmp_path, "bot")
    text = (project / "bot" / "cogs" / "one.py").read_text()
    alone = flake8("-", cwd=project, stdin=text)
    assert alone == [line.replace("-:", "stdin:", 1) for line in aiolint("-", cwd=project, stdin=text)]
    assert alone == []  # the one finding of this file needs the bot's client


def test_standard_input_named_as_a_file_is_that_file_with_the_text_given(tmp_path):
    """``--stdin-display-name`` (an editor's unsaved buffer): the project's other files as on disk, this file as
    given: what it says itself replaces what the file on disk says."""
    project = copy_project(tmp_path, "bot")
    cog = project / "bot" / "cogs" / "one.py"
    text = cog.read_text()
    name = "bot/cogs/one.py"
    assert flake8("--stdin-display-name", name, "-", cwd=project, stdin=text) == of_file(
        aiolint("--no-cache", ".", cwd=project), name) != []
    # The buffer now stores something else under `http_session` too: the name no longer tells a session.
    edited = text + "\n\nclass Pool:\n    def __init__(self, pool):\n        self.http_session = pool\n"
    saved = project.parent / "saved"
    shutil.copytree(project, saved)
    (saved / name).write_text(edited)
    expected = of_file(aiolint("--no-cache", ".", cwd=saved), name)
    assert not any(" AIO401 " in line for line in expected)
    assert flake8("--stdin-display-name", name, "-", cwd=project, stdin=edited) == expected


def test_bad_files_of_the_project_are_skipped_without_a_word(tmp_path):
    project = copy_project(tmp_path, "bot")
    expected = of_file(aiolint("--no-cache", ".", cwd=project), "bot/cogs/one.py")
    (project / "bot" / "broken.py").write_text("async def f(:\n    pass\n")
    (project / "bot" / "latin.py").write_bytes(b"x = '\xff\xfe'\n")  # not UTF-8, no coding line
    (project / "bot" / "huge.py").write_text("x = 1\n" * 200_000)  # over a max-file-size of 1 MB
    (project / "pyproject.toml").write_text("[tool.aiolint]\nmax-file-size = 1\n")
    assert tool("flake8", "--isolated", "-j", "1", "bot/cogs/one.py", cwd=project) == expected  # and no stderr


def test_a_file_in_no_project_is_linted_alone(tmp_path):
    """Without a pyproject.toml, setup.py, setup.cfg or .git above it, a file's directory is no project to
    lint whole: flake8 on one file must not search a home directory."""
    project = copy_project(tmp_path, "bot")
    (project / "pyproject.toml").unlink()
    assert flake8("bot/cogs/one.py", cwd=project) == aiolint("--no-cache", "bot/cogs/one.py", cwd=project) == []
    assert not (project / CACHE).exists()


def test_a_cached_result_is_not_used_once_what_it_asked_about_changed(tmp_path):
    project = copy_project(tmp_path, "library")
    aiolint(".", cwd=project)  # a warm cache, client.py's result made with what net.py said
    net = project / "weather" / "net.py"
    net.write_text(net.read_text().replace("def make_session() -> aiohttp.ClientSession:", "def make_session():\n"
                                           "    return object()\n\n\ndef unused() -> aiohttp.ClientSession:"))
    expected = of_file(aiolint("--no-cache", ".", cwd=project), "weather/client.py")
    assert not any(":20:" in line for line in expected)  # the response of make_session()'s session
    assert flake8("weather/client.py", cwd=project) == expected
