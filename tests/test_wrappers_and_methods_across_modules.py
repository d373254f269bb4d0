"""AIO101 across modules, beyond helpers called by name: the wrapper of a decorator applied in another module
to per-event code, and a method of another module's class called on an instance (``self.api.get()`` with
``self.api = WeatherApi()``). Silent when the decorated function or the caller is not in the run, when it is
one-shot code, and when the instance's class is not known."""

from __future__ import annotations


from aiolint.engine import summarize
from aiolint.runner import lint_paths
from aiolint.semantics.project import Project

from .conftest import FIXTURES, copy_project, write_tree
from .test_helpers_across_modules import codes, findings, settings

DECORATORS = FIXTURES / "projects" / "decorators"
INSTANCES = FIXTURES / "projects" / "instances"


def test_a_wrapper_is_reported_with_the_per_event_function_it_wraps_in_another_module():
    found = findings(lint_paths([str(DECORATORS)], settings(DECORATORS)), DECORATORS)
    assert found[("bot/utils.py", 17)] == (
        "The wrapper `wrapper()` of `with_session()` makes a new ClientSession on every call, and it wraps "
        "`Weather.weather()` (a discord.py command) in `bot/cogs/weather.py`; create one session and pass it in.")
    # Imported under another name (`audited as audit`); a factory applied through its module (`utils.with_token(...)`).
    assert found[("bot/utils.py", 27)].endswith(
        "and it wraps `index()` (an aiohttp web handler) in `bot/web.py`; create one session and pass it in.")
    assert found[("bot/utils.py", 40)].startswith("The wrapper `wrapper()` of `with_token()` makes a new ClientSession")
    assert found[("bot/utils.py", 40)].endswith("and it wraps `me()` (an aiohttp web handler) in `bot/web.py`; "
                                                "create one session and pass it in.")
    # Decorated in its own module, called by a task loop of another.
    assert found[("bot/utils.py", 52)] == (
        "The wrapper `wrapper()` of `sessioned()` makes a new ClientSession on every call, and it wraps "
        "`fetch_forecast()`, which `Weather.refresh()` (a discord.py task loop) in `bot/cogs/weather.py` calls on "
        "every run; create one session and pass it in.")
    # Applied only to one-shot code, a wrapper that keeps its session, a factory that makes it when it decorates.
    assert set(found) == {("bot/utils.py", 17), ("bot/utils.py", 27), ("bot/utils.py", 40), ("bot/utils.py", 52)}
    assert codes(lint_paths([str(DECORATORS)], settings(DECORATORS)), DECORATORS)[("bot/utils.py", 17)] == "AIO105"


def test_a_method_called_on_an_instance_of_its_class_in_another_module_is_reported_with_its_caller():
    report = lint_paths([str(INSTANCES)], settings(INSTANCES))
    found = findings(report, INSTANCES)
    # `self.api = WeatherApi()` in `__init__`.
    assert found[("app/api.py", 11)] == (
        "`WeatherApi.get()` makes a new ClientSession on every call, and `Weather.weather()` (a discord.py command) "
        "in `app/cogs/weather.py` calls it per command; create one session and pass it in.")
    # A module global `QUOTES = QuoteApi()`, and a local `moderation = ModerationApi()`.
    assert found[("app/api.py", 18)].endswith(
        "and `quote()` (an aiohttp web handler) in `app/web.py` calls it per request; "
        "create one session and pass it in.")
    assert found[("app/api.py", 25)].endswith(
        "and `Weather.on_message()` (a discord.py event listener) in `app/cogs/weather.py` calls it per event; "
        "create one session and pass it in.")
    # Only one-shot code calls `StatusApi.check()`; `self.forecasts` is the bot's (its class is not known here);
    # `Client.get()` reuses its session.
    assert set(found) == {("app/api.py", 11), ("app/api.py", 18), ("app/api.py", 25)}
    assert codes(report, INSTANCES) == {("app/api.py", 11): "AIO105", ("app/api.py", 18): "AIO101",
                                        ("app/api.py", 25): "AIO101"}


def test_a_module_linted_without_the_others_reports_nothing_it_cannot_see():
    for project in (DECORATORS, INSTANCES):
        for path in sorted(project.rglob("*.py")):
            assert findings(lint_paths([str(path)], settings(project)), project) == {}, path
    # The decorators and the routes, without the cog: only what the routes show.
    report = lint_paths([str(DECORATORS / "bot" / "utils.py"), str(DECORATORS / "bot" / "web.py")],
                        settings(DECORATORS))
    assert set(findings(report, DECORATORS)) == {("bot/utils.py", 27), ("bot/utils.py", 40)}


def test_a_summary_says_which_functions_a_decorator_wraps_and_which_methods_are_called_on_instances():
    cog = DECORATORS / "bot" / "cogs" / "weather.py"
    sites = summarize(cog.read_bytes(), str(cog))["call_sites"]
    # The framework's decorators (`commands.command`, `tasks.loop`) say what runs the function, not what wraps it.
    assert sites == [["Weather.moon", "..utils.using_session", "wraps"],
                     ["Weather.refresh", "..utils.fetch_forecast", ""],
                     ["Weather.weather", "..utils.with_session", "wraps"]]
    web = DECORATORS / "bot" / "web.py"
    assert [site for site in summarize(web.read_bytes(), str(web))["call_sites"] if site[2] == "wraps"] == [
        ["index", ".utils.audited", "wraps"], ["me", "bot.utils.with_token", "wraps"],
        ["status", ".utils.with_shared_session", "wraps"]]
    utils = DECORATORS / "bot" / "utils.py"
    assert ["fetch_forecast", "@.sessioned", "wraps"] in summarize(utils.read_bytes(), str(utils))["call_sites"]
    cog = INSTANCES / "app" / "cogs" / "weather.py"
    # `self.forecasts.daily(...)`: the bot's attribute, of a class not known here; `ctx.send(...)`: a parameter's.
    assert summarize(cog.read_bytes(), str(cog))["call_sites"] == [
        ["Weather.__init__", "..api.Client", ""], ["Weather.__init__", "..api.QuoteApi", ""],
        ["Weather.__init__", "..api.WeatherApi", ""], ["Weather.cog_load", "..api.Client.start", ""],
        ["Weather.cog_load", "..api.StatusApi", ""], ["Weather.cog_load", "..api.StatusApi.check", ""],
        ["Weather.cog_unload", "..api.Client.close", ""], ["Weather.on_message", "..api.ModerationApi", ""],
        ["Weather.on_message", "..api.ModerationApi.scan", ""], ["Weather.quote", "..api.QuoteApi.random", ""],
        ["Weather.tide", "..api.Client.get", ""], ["Weather.weather", "..api.WeatherApi.get", ""]]
    web = INSTANCES / "app" / "web.py"
    assert ["quote", "app.api.QuoteApi.random", ""] in summarize(web.read_bytes(), str(web))["call_sites"]


def test_applying_a_decorator_runs_its_wrapper_per_event_not_the_decorator_itself():
    project = Project([str(DECORATORS)])
    for path in sorted(DECORATORS.rglob("*.py")):
        project.add(str(path), summarize(path.read_bytes(), str(path)))
    utils = str(DECORATORS / "bot" / "utils.py")
    assert project.answer(utils, "~.^audited") == "it wraps `index()` (an aiohttp web handler) in `bot/web.py`"
    assert project.answer(utils, "~.audited") is None
    assert project.answer(utils, "~.^with_startup_session") is None  # one-shot code only
    # A command's wrapper counts only when commands do.
    assert project.answer(utils, "~.^with_session") is None
    assert project.answer(utils, "~!.^with_session") == (
        "it wraps `Weather.weather()` (a discord.py command) in `bot/cogs/weather.py`")


def test_a_warm_run_and_a_changed_caller_stay_right(tmp_path):
    project = copy_project(tmp_path, DECORATORS.name)
    cache = str(tmp_path / "cache")
    first = findings(lint_paths([str(project)], settings(project, cache), cache=True), project)
    warm = lint_paths([str(project)], settings(project, cache), cache=True)
    assert findings(warm, project) == first and warm.cached == warm.files and warm.relinted == 0
    # The route is no longer audited: the wrapper of `audited` wraps nothing per event.
    web = project / "bot" / "web.py"
    web.write_text(web.read_text().replace('@routes.get("/")\n@audit\n', '@routes.get("/")\n'))
    changed = lint_paths([str(project)], settings(project, cache), cache=True)
    assert set(findings(changed, project)) == set(first) - {("bot/utils.py", 27)}
    assert changed.relinted == 1
    # A method whose instance is made in one module and called in another: the module that makes it changes.
    project = copy_project(tmp_path, INSTANCES.name)
    cog = project / "app" / "cogs" / "weather.py"
    assert ("app/api.py", 11) in findings(lint_paths([str(project)], settings(project, cache), cache=True), project)
    cog.write_text(cog.read_text().replace("self.api = WeatherApi()", "self.api = bot.weather_api"))
    assert ("app/api.py", 11) not in findings(lint_paths([str(project)], settings(project, cache), cache=True), project)


def test_callers_the_prefilter_skipped_are_read_when_a_wrapper_or_a_method_asks_about_them():
    """With AIO101 alone, the cogs (which never name aiohttp) are not linted, but their imports name the
    decorator or the class."""
    for project, finding in ((DECORATORS, ("bot/utils.py", 52)), (INSTANCES, ("app/api.py", 25))):
        report = lint_paths([str(project)], settings(project, select=("AIO101",)))
        assert report.parsed < report.files
        assert finding in findings(report, project)


def test_a_method_called_on_an_attribute_holding_an_instance_of_a_class_of_the_same_module(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": "", "service.py": """
        import aiohttp
        from aiohttp import web


        class Geo:
            async def locate(self, ip):
                async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
                    async with session.get(f"https://ipinfo.io/{ip}/json") as response:
                        return await response.json()


        class Handlers:
            def __init__(self):
                self.geo = Geo()

            async def where(self, request: web.Request):
                return web.json_response(await self.geo.locate(request.remote))
    """})
    found = findings(lint_paths([str(tmp_path / "service.py")], settings(tmp_path)), tmp_path)
    assert found == {("service.py", 8): (
        "`Geo.locate()` makes a new ClientSession on every call, and `Handlers.where()` (an aiohttp web handler) "
        "calls it per request; create one session and pass it in.")}
