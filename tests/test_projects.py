"""The project model: fixture projects linted as one run report exactly what their comments announce,
each file alone reports nothing false, and the cache keeps what one file says of another."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from aiolint import cache as cache_module, runner
from aiolint.config import Selection, Settings
from aiolint.context import FileContext
from aiolint.runner import lint_paths
from aiolint.semantics.values import Kind

from .conftest import FIXTURES, copy_project, expected_findings, run_aiolint

PROJECTS = sorted(path for path in (FIXTURES / "projects").iterdir() if path.is_dir())


def settings(root: Path, cache_dir: str = "") -> Settings:
    """Every rule, as the fixtures' annotations are written (some rules are off by default)."""
    return Settings(selection=Selection(select=("ALL",)), root=str(root), respect_gitignore=False,
                    cache_dir=cache_dir)


def announced(directory: Path):
    return {(str(path), line, code) for path in sorted(directory.rglob("*.py"))
            for line, code in expected_findings(path)}


def found(report):
    assert report.failures == []
    return {(d.path, d.line, d.code) for d in report.diagnostics}


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_a_project_linted_as_one_run_reports_what_it_announces(project):
    assert found(lint_paths([str(project)], settings(project))) == announced(project)


@pytest.mark.parametrize("path", sorted((FIXTURES / "projects").rglob("*.py")), ids=lambda p: p.name)
def test_a_file_linted_alone_reports_nothing_false(path):
    """Its questions about files not in the run stay unknown: fewer findings, never a false one."""
    assert found(lint_paths([str(path)], settings(path.parent))) <= announced(path.parent)


def test_the_fixtures_directory_reports_exactly_the_annotations():
    assert found(lint_paths([str(FIXTURES)], settings(FIXTURES))) == announced(FIXTURES)


def test_a_cached_file_is_linted_again_when_what_it_asked_about_changes(tmp_path):
    project = copy_project(tmp_path, "library")
    cache = str(tmp_path / "cache")
    client = str(project / "weather" / "client.py")
    first = found(lint_paths([str(project)], settings(project, cache), cache=True))
    assert (client, 20, "AIO401") in first
    warm = lint_paths([str(project)], settings(project, cache), cache=True)
    assert found(warm) == first and warm.cached == warm.files
    # The factory now returns something else: the response in client.py is no longer known to be one.
    net = project / "weather" / "net.py"
    net.write_text(net.read_text().replace("def make_session() -> aiohttp.ClientSession:", "def make_session():\n"
                                           "    return object()\n\n\ndef unused() -> aiohttp.ClientSession:"))
    after = found(lint_paths([str(project)], settings(project, cache), cache=True))
    assert (client, 20, "AIO401") not in after and (client, 13, "AIO401") in after


def test_one_changed_file_is_answered_from_the_cached_others(tmp_path):
    project = copy_project(tmp_path, "bot")
    cache = str(tmp_path / "cache")
    lint_paths([str(project)], settings(project, cache), cache=True)
    cog = project / "bot" / "cogs" / "one.py"
    cog.write_text(cog.read_text() + "\n")
    report = lint_paths([str(project)], settings(project, cache), cache=True)
    assert (str(cog), 9, "AIO401") in found(report)
    assert report.files - report.cached == 1


def test_an_attribute_name_is_known_only_when_one_kind_is_assigned_to_it(tmp_path):
    project = copy_project(tmp_path, "bot")
    cog = str(project / "bot" / "cogs" / "one.py")
    assert (cog, 9, "AIO401") in found(lint_paths([str(project)], settings(project)))
    # A second class stores something else under `http_session`: the name no longer tells.
    (project / "bot" / "other.py").write_text("class Other:\n    def __init__(self, pool):\n"
                                              "        self.http_session = pool\n")
    assert (cog, 9, "AIO401") not in found(lint_paths([str(project)], settings(project)))


PROJECT_FILES = sorted((FIXTURES / "projects").rglob("*.py"))


@pytest.mark.parametrize("snapshot", [False, True], ids=["entries", "snapshot"])
@pytest.mark.parametrize("path", PROJECT_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_file_named_alone_is_answered_from_what_the_cache_knows_of_its_project(tmp_path, monkeypatch, path,
                                                                                   snapshot):
    """A pre-commit hook names the changed files only: with the other files of their project in the cache,
    each reports exactly what a run over the whole project reports on it. The others come from their entries,
    or (settled since) from the whole run's snapshot, unread."""
    if snapshot:
        monkeypatch.setattr(cache_module, "SETTLED_NS", 0)
    project = next(parent for parent in path.parents if parent.parent.name == "projects")
    copy = copy_project(tmp_path, project.name)
    cache = str(tmp_path / "cache")
    whole = found(lint_paths([str(copy)], settings(copy, cache), cache=True))
    named = copy / path.relative_to(project)
    expected = {finding for finding in whole if finding[0] == str(named)}
    read = []
    reading = runner.read_source
    monkeypatch.setattr(runner, "read_source", lambda path, *args: read.append(path) or reading(path, *args))
    assert found(lint_paths([str(named)], settings(copy, cache), cache=True)) == expected
    if snapshot:
        assert read == [str(named)]


def test_a_directory_named_in_a_run_is_not_completed_from_the_cache(tmp_path):
    """Only files named on their own read the rest of their project from the cache: a run over a directory
    sees what is under it, as `aiolint src/` always has."""
    project = copy_project(tmp_path, "helpers")
    cache = str(tmp_path / "cache")
    utils = str(project / "bot" / "utils.py")
    lint_paths([str(project)], settings(project, cache), cache=True)
    assert (utils, 22, "AIO101") in found(lint_paths([utils], settings(project, cache), cache=True))
    # forecast() is called per request only from api/, which a run over bot/ does not see.
    assert (utils, 22, "AIO101") not in found(lint_paths([str(project / "bot")], settings(project, cache), cache=True))


@pytest.mark.parametrize("cache", [True, False], ids=["cache", "no-cache"])
def test_a_project_named_file_by_file_is_complete_only_when_every_file_is_named(tmp_path, cache):
    """`aiolint $(git ls-files '*.py')` names every file that a run over the root would lint: the project is as
    complete as in that run, from the start (its files are not linted again to learn what the others say), with
    the cache or without."""
    project = copy_project(tmp_path, "bot")
    files = sorted(str(path) for path in project.rglob("*.py"))
    cog = str(project / "bot" / "cogs" / "one.py")
    whole = lint_paths([str(project)], settings(project))
    assert (cog, 9, "AIO401") in found(whole)
    named = lint_paths(files, settings(project, str(tmp_path / "first")), cache=cache)
    assert found(named) == found(whole) and named.relinted == whole.relinted
    # A file that `aiolint ROOT` would not lint either (in an excluded directory) need not be named.
    vendored = project / "node_modules" / "pool" / "other.py"
    vendored.parent.mkdir(parents=True)
    vendored.write_text("class Other:\n    def __init__(self, pool):\n        self.http_session = pool\n")
    named = lint_paths(files, settings(project, str(tmp_path / "vendored")), cache=cache)
    assert found(named) == found(whole) and named.relinted == whole.relinted
    # A file that the run does not name, nor the cache know, may store anything under `http_session`.
    (project / "bot" / "other.py").write_text("class Other:\n    pass\n")
    assert (cog, 9, "AIO401") not in found(lint_paths(files, settings(project, str(tmp_path / "second")), cache=cache))


@pytest.mark.parametrize("cache", [True, False], ids=["cache", "no-cache"])
def test_a_broken_configuration_elsewhere_in_the_project_does_not_stop_a_run_on_named_files(tmp_path, cache):
    """A run names the project's files but one folder's, whose configuration is broken: `aiolint ROOT` would
    stop on it, but the files named are linted, standing alone (the project is not known whole)."""
    project = copy_project(tmp_path, "bot")
    files = sorted(str(path.relative_to(project)) for path in project.rglob("*.py"))
    (project / "tools").mkdir()
    (project / "tools" / "pyproject.toml").write_text("[tool.aiolint]\nselect = 5\n")
    (project / "tools" / "gen.py").write_text("x = 1\n")
    args = ["--select", "ALL"] + ([] if cache else ["--no-cache"])
    result = run_aiolint(*args, *files, cwd=project)
    assert result.returncode in (0, 1) and "Error" not in result.stderr, result.stderr
    assert f"({len(files)} files checked" in result.stderr + result.stdout


def test_a_file_named_alone_uses_no_stale_knowledge_of_its_project(tmp_path, settled):
    """Files changed or added since the cache was filled are not known: what depends on them stays unknown."""
    project = copy_project(tmp_path, "bot")
    cache = str(tmp_path / "cache")
    cog = project / "bot" / "cogs" / "one.py"
    lint_paths([str(project)], settings(project, cache), cache=True)
    assert (str(cog), 9, "AIO401") in found(lint_paths([str(cog)], settings(project, cache), cache=True))
    # A new class stores something else under `http_session`: the name no longer tells, and until the
    # cache knows the new file, a run over the cog alone cannot know that the name still tells.
    (project / "bot" / "other.py").write_text("class Other:\n    def __init__(self, pool):\n"
                                              "        self.http_session = pool\n")
    assert (str(cog), 9, "AIO401") not in found(lint_paths([str(cog)], settings(project, cache), cache=True))
    (project / "bot" / "other.py").unlink()
    assert (str(cog), 9, "AIO401") in found(lint_paths([str(cog)], settings(project, cache), cache=True))


def test_a_file_named_alone_is_not_answered_from_a_changed_file_of_its_project(tmp_path, settled):
    project = copy_project(tmp_path, "library")
    cache = str(tmp_path / "cache")
    client = project / "weather" / "client.py"
    lint_paths([str(project)], settings(project, cache), cache=True)
    assert (str(client), 20, "AIO401") in found(lint_paths([str(client)], settings(project, cache), cache=True))
    net = project / "weather" / "net.py"  # its factory no longer returns a session
    net.write_text(net.read_text().replace("def make_session() -> aiohttp.ClientSession:", "def make_session():\n"
                                           "    return object()\n\n\ndef unused() -> aiohttp.ClientSession:"))
    assert (str(client), 20, "AIO401") not in found(lint_paths([str(client)], settings(project, cache), cache=True))


def test_kind_of_answers_a_kind_or_unknown():
    source = ("import aiohttp, pathlib\nfrom typing import TextIO\n"
              "async def f(out: TextIO, db):\n"
              "    s = aiohttp.ClientSession()\n    p = pathlib.Path('x') / 'y'\n"
              "    r = await s.get('u')\n    row = await db.get(1)\n")
    module = cst.parse_module(source)
    context = FileContext(module, "x.py", {})
    function = module.body[2]
    from aiolint.semantics.scope import Scope

    context.scope = Scope(function, context.module_scope)
    kinds = {name: context.kind_of(cst.Name(name)) for name in ("s", "p", "r", "row", "out", "db")}
    assert kinds == {"s": Kind.SESSION, "p": Kind.PATH, "r": Kind.RESPONSE, "row": Kind.UNKNOWN,
                     "out": Kind.FILE, "db": Kind.UNKNOWN}


def test_extend_factories_names_what_a_factory_outside_the_run_makes(tmp_path):
    from aiolint.config import load_settings

    (tmp_path / "pyproject.toml").write_text('[tool.aiolint]\nextend-factories = { "acme.net.make" = "session" }\n')
    source = tmp_path / "use.py"
    source.write_text("from acme.net import make\n\nasync def f(url):\n    s = make()\n"
                      "    r = await s.get(url)\n    return r.status\n")
    configured = lint_paths([str(source)], load_settings(cwd=str(tmp_path)))
    assert found(configured) == {(str(source), 5, "AIO401")}
    assert found(lint_paths([str(source)], load_settings(isolated=True, cwd=str(tmp_path)))) == set()


def test_fixing_a_file_keeps_its_findings_that_need_other_files(tmp_path):
    from aiolint.fix_runner import Fixing, fix_files

    project = copy_project(tmp_path, "bot")
    cog = project / "bot" / "cogs" / "one.py"
    cog.write_text("import asyncio\nimport time\n" + cog.read_text()
                   + "\n    async def nap(self):\n        time.sleep(1)\n")
    report = lint_paths([str(project)], settings(project))
    assert {code for path, _, code in found(report) if path == str(cog)} == {"AIO301", "AIO401"}
    fix_files(report, settings(project), Fixing(unsafe=True))
    assert "await asyncio.sleep(1)" in cog.read_text() and "import time\n" not in cog.read_text()
    # The fix dropped `import time`, which it left unused: the finding is a line higher.
    assert {(line, code) for path, line, code in found(report) if path == str(cog)} == {(10, "AIO401")}


def test_a_summary_says_what_a_module_defines_returns_stores_and_calls():
    from aiolint.engine import lint_source
    from aiolint.rules import default_rules

    client = FIXTURES / "projects" / "library" / "weather" / "client.py"
    summary = lint_source(client.read_bytes(), str(client), default_rules()).summary
    assert summary["facts"] == {"make_session": "=.net.make_session", "shared_session": "=.net.shared_session",
                                "WeatherClient._session": "aiohttp.ClientSession"}
    assert summary["attributes"] == {"_session": "aiohttp.ClientSession"}
    assert summary["call_sites"] == [["probe", ".net.make_session", ""], ["probe_shared", ".net.shared_session", ""],
                                     ["read", ".net.make_session", ""]]
    net = FIXTURES / "projects" / "library" / "weather" / "net.py"
    assert lint_source(net.read_bytes(), str(net), default_rules()).summary["facts"] == {
        "make_session": "()aiohttp.ClientSession", "shared_session": "()awaitable:aiohttp.ClientSession"}
