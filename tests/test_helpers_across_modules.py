"""AIO101 across modules: a helper that makes a session for its own call, reported when per-event code or a
loop of another module calls it; right in a warm run, in a run on a few changed files, and silent when the
callers are not in the run."""

from __future__ import annotations

import textwrap
from pathlib import Path

from aiolint.config import Selection, Settings
from aiolint.engine import summarize
from aiolint.runner import lint_paths

from .conftest import FIXTURES, copy_project, run_aiolint, write_tree

PROJECT = FIXTURES / "projects" / "helpers"


def settings(root: Path, cache_dir: str = "", select=("AIO101", "AIO105")) -> Settings:
    return Settings(selection=Selection(select=select), root=str(root), respect_gitignore=False,
                    cache_dir=cache_dir)


def findings(report, root: Path):
    assert report.failures == []
    return {(str(Path(d.path).relative_to(root)), d.line): d.message for d in report.diagnostics}


def codes(report, root: Path):
    return {(str(Path(d.path).relative_to(root)), d.line): d.code for d in report.diagnostics}


def test_the_message_names_the_caller_in_its_module_and_the_functions_between():
    found = findings(lint_paths([str(PROJECT)], settings(PROJECT)), PROJECT)
    assert found[("bot/utils.py", 7)] == (
        "`fetch_json()` makes a new ClientSession on every call, and `Fun.weather()` (a discord.py command) in "
        "`bot/cogs/fun.py` calls it per command; create one session and pass it in.")
    assert found[("bot/utils.py", 22)] == (
        "`forecast()` opens a new session with `aiohttp.request()` on every call, and `weather()` (a FastAPI route) "
        "in `api/routes.py` calls it per request through `current_weather()` in `api/services.py`; create one "
        "session and pass it in.")
    assert found[("bot/utils.py", 40)].endswith("and `shorten_all()` in `bot/main.py` calls it in a loop; "
                                                "create one session and pass it in.")
    assert found[("tg/handlers.py", 7)].endswith(
        "and `tg/app.py` registers it as a python-telegram-bot command handler; create one session and pass it in.")
    # In a folder without `__init__.py`, `from .net import ...` names the module beside it.
    assert found[("plugins/net.py", 8)] == (
        "`current_temperature()` makes a new ClientSession on every call, and `Weather.temperature()` (a discord.py "
        "command) in `plugins/weather.py` calls it per command; create one session and pass it in.")
    # One-shot callers (`main()`, a click command, `setup_hook`, `cog_load`, `post_init`, and `main()` called
    # from a command), a session handed out, a helper nobody calls, one only tests call, and one that commands
    # reach only through a check that the token expired: nothing.
    assert set(found) == {("bot/utils.py", 7), ("bot/utils.py", 13), ("bot/utils.py", 22), ("bot/utils.py", 40),
                          ("tg/handlers.py", 7), ("plugins/net.py", 8)}


def test_helpers_that_only_commands_call_are_aio105_and_the_others_aio101():
    found = codes(lint_paths([str(PROJECT)], settings(PROJECT)), PROJECT)
    assert found == {("bot/utils.py", 7): "AIO105", ("bot/utils.py", 13): "AIO105", ("bot/utils.py", 22): "AIO101",
                     ("bot/utils.py", 40): "AIO101", ("tg/handlers.py", 7): "AIO105", ("plugins/net.py", 8): "AIO105"}
    # AIO101 alone (as by default) says nothing of what only commands call.
    alone = codes(lint_paths([str(PROJECT)], settings(PROJECT, select=("AIO101",))), PROJECT)
    assert alone == {key: code for key, code in found.items() if code == "AIO101"}


def test_a_helper_that_a_command_and_a_route_both_call_is_aio101s(tmp_path):
    project = copy_project(tmp_path, "helpers")
    routes = project / "api" / "routes.py"
    routes.write_text(routes.read_text() + textwrap.dedent("""

        from bot.utils import fetch_json


        @app.get("/raw")
        async def raw(city: str):
            return await fetch_json(city)
    """))
    report = lint_paths([str(project)], settings(project))
    assert codes(report, project)[("bot/utils.py", 7)] == "AIO101"
    assert findings(report, project)[("bot/utils.py", 7)].endswith(
        "and `raw()` (a FastAPI route) in `api/routes.py` calls it per request; create one session and pass it in.")


def test_callers_the_prefilter_skipped_are_read_when_a_helper_asks_about_them():
    """With AIO101 alone, the cog (which never names aiohttp) is not linted, but its imports name the helper."""
    report = lint_paths([str(PROJECT)], settings(PROJECT))
    assert report.parsed < report.files
    assert ("bot/utils.py", 7) in findings(report, PROJECT)


def test_a_module_linted_without_its_callers_reports_nothing_it_cannot_see():
    for alone in ("bot/utils.py", "bot/cogs/fun.py", "api/services.py", "tg/handlers.py"):
        path = PROJECT / alone
        assert findings(lint_paths([str(path)], settings(PROJECT)), PROJECT) == {}
    # The helper and the cog that calls it, without the FastAPI routes: only what they show.
    report = lint_paths([str(PROJECT / "bot" / "utils.py"), str(PROJECT / "bot" / "cogs" / "fun.py")],
                        settings(PROJECT))
    assert set(findings(report, PROJECT)) == {("bot/utils.py", 7), ("bot/utils.py", 13)}


def test_the_command_line_reports_the_same_for_the_project(tmp_path):
    result = run_aiolint("--no-cache", "--isolated", "--select", "AIO101,AIO105", "helpers",
                         cwd=copy_project(tmp_path, "helpers").parent)
    assert result.returncode == 1
    assert result.stdout.count("AIO101") == 2 and result.stdout.count("AIO105") == 4
    assert "helpers/bot/utils.py:7:16: AIO105 `fetch_json()` makes a new ClientSession on every call" in result.stdout
    # By default, AIO105 is off.
    default = run_aiolint("--no-cache", "--isolated", "helpers", cwd=copy_project(tmp_path / "again", "helpers").parent)
    assert "AIO105" not in default.stdout and default.stdout.count("AIO101") == 2


def test_a_warm_run_and_a_changed_caller_stay_right(tmp_path):
    project = copy_project(tmp_path, "helpers")
    cache = str(tmp_path / "cache")
    first = findings(lint_paths([str(project)], settings(project, cache), cache=True), project)
    warm = lint_paths([str(project)], settings(project, cache), cache=True)
    assert findings(warm, project) == first and warm.cached == warm.files and warm.relinted == 0
    # The command is no longer one: `weather` is a plain method nobody calls.
    cog = project / "bot" / "cogs" / "fun.py"
    cog.write_text(cog.read_text().replace("    @commands.command()\n    async def weather", "    async def weather"))
    changed = lint_paths([str(project)], settings(project, cache), cache=True)
    assert ("bot/utils.py", 7) not in findings(changed, project)
    assert set(findings(changed, project)) == set(first) - {("bot/utils.py", 7)}
    # The cog is linted; utils.py, whose question now has another answer, is linted again; nothing else.
    assert changed.files - changed.cached == 2 and changed.relinted == 1
    # A new cog calls the one-shot helper from a command, through the package's re-export.
    (project / "bot" / "__init__.py").write_text("from .utils import download_once as download_once\n")
    write_tree(project, {"bot/cogs/art.py": """
        from discord.ext import commands

        import bot


        class Art(commands.Cog):
            @commands.command()
            async def banner(self, ctx):
                await ctx.send(await bot.download_once("https://example.org/banner.png"))
    """})
    added = findings(lint_paths([str(project)], settings(project, cache), cache=True), project)
    assert added[("bot/utils.py", 29)] == (
        "`download_once()` makes a new ClientSession on every call, and `Art.banner()` (a discord.py command) in "
        "`bot/cogs/art.py` calls it per command; create one session and pass it in.")


def test_a_call_made_only_under_a_condition_is_not_passed_on(tmp_path):
    project = copy_project(tmp_path, "helpers")
    cog = project / "bot" / "cogs" / "fun.py"
    cog.write_text(cog.read_text().replace('        if getattr(self, "token", None) is None:\n            self.token',
                                           "        if True:\n            pass\n        self.token"))
    assert findings(lint_paths([str(project)], settings(project)), project)[("bot/utils.py", 54)].endswith(
        "and `Fun.secret()` (a discord.py command) in `bot/cogs/fun.py` calls it per command through "
        "`Fun.ensure_token()` in `bot/cogs/fun.py`; create one session and pass it in.")


def test_a_caller_in_test_code_does_not_count(tmp_path):
    project = copy_project(tmp_path, "helpers")
    tests = project / "api" / "tests.py"
    assert findings(lint_paths([str(project)], settings(project)), project).get(("bot/utils.py", 47)) is None
    tests.write_text(tests.read_text().replace("async def test_many_calls", "async def many_calls"))
    assert ("bot/utils.py", 47) in findings(lint_paths([str(project)], settings(project)), project)


def test_a_summary_says_who_calls_the_project_functions_and_what_runs_them():
    cog = PROJECT / "bot" / "cogs" / "fun.py"
    summary = summarize(cog.read_bytes(), str(cog))
    assert summary["call_sites"] == [["Fun.cog_load", "..utils.download_once", ""],
                                     ["Fun.ensure_token", "..utils.renew_token", "guarded"],
                                     ["Fun.feedback", "..utils.post_form", ""],
                                     ["Fun.restart", "..main.main", ""],
                                     ["Fun.secret", "@.Fun.ensure_token", ""],
                                     ["Fun.weather", "..utils.fetch_json", ""]]
    assert summary["runs"] == {"Fun.cog_load": "", "Fun.feedback": "a discord.py command|per command",
                               "Fun.restart": "a discord.py command|per command",
                               "Fun.secret": "a discord.py command|per command",
                               "Fun.weather": "a discord.py command|per command"}
    app = PROJECT / "tg" / "app.py"
    summary = summarize(app.read_bytes(), str(app))
    assert summary["registered"] == {"tg.handlers.start": "a python-telegram-bot command handler|per command"}
    main = PROJECT / "bot" / "main.py"
    summary = summarize(main.read_bytes(), str(main))
    assert ["shorten_all", "bot.utils.shorten", "in a loop"] in summary["call_sites"]
