"""The project model (``aiolint/semantics/project.py``), case by case: which module a file is, what a name
re-exported through packages is, which files a run holds whole, and what the answer about a function called
again and again says (who calls it, from which file, through which functions). Each project here is written
for the case; the messages are pinned whole, as users read them."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Dict, Tuple

import pytest

from aiolint import memory, runner
from aiolint.config import Selection, Settings
from aiolint.runner import lint_paths
from aiolint.semantics.project import (Project, absolute, assigned_attributes, class_body_names, import_order,
                                       imported_modules, module_names)

from .conftest import FIXTURES, copy_project, write_tree

PER_CALL = "`{}()` makes a new ClientSession on every call, and {}; create one session and pass it in."


def lint(root: Path, files: Dict[str, str], select=("AIO101", "AIO105"),
         target: str = "") -> Dict[Tuple[str, int], str]:
    """Write the project (its root marked by ``pyproject.toml``) and lint ``target`` (default: all of it):
    the findings as (path from the root, line) -> "CODE message"."""
    write_tree(root, {"pyproject.toml": "", **files})
    settings = Settings(selection=Selection(select=select), root=str(root), respect_gitignore=False, cache_dir="")
    report = lint_paths([str(root / target)], settings)
    assert report.failures == []
    return {(Path(d.path).relative_to(root).as_posix(), d.line): f"{d.code} {d.message}" for d in report.diagnostics}


def test_a_handler_registered_in_another_module_is_per_event_code_named_in_its_own(tmp_path):
    """``app.router.add_get("/", index)`` in routes.py makes ``index`` of views.py a handler: what it calls is
    called per request, and the message names it without a file when it is the asking file's."""
    found = lint(tmp_path, {
        "app/__init__.py": "",
        "app/views.py": """
            import aiohttp
            from aiohttp import web


            async def fetch(url):
                async with aiohttp.ClientSession() as session:
                    async with session.get(url) as response:
                        return await response.text()

            async def index(request):
                return web.Response(text=await fetch("https://example.org"))


            async def direct(request):
                async with aiohttp.ClientSession() as session:
                    async with session.get("https://example.org") as response:
                        return web.Response(text=await response.text())
            """,
        "app/routes.py": """
            from aiohttp import web

            from .views import direct, index


            def make_app():
                app = web.Application()
                app.router.add_get("/", index)
                app.router.add_get("/direct", direct)
                return app
            """,
    })
    assert found == {
        ("app/views.py", 7): "AIO101 " + PER_CALL.format(
            "fetch", "`index()` (an aiohttp web handler) calls it per request"),
        ("app/views.py", 16): "AIO101 " + PER_CALL.format(
            "direct", "`app/routes.py` registers it as an aiohttp web handler"),
    }


DECORATORS = """
    import functools

    import aiohttp


    def with_session(func):
        @functools.wraps(func)
        async def wrapper(*args):
            async with aiohttp.ClientSession() as session:
                return await func(session, *args)

        return wrapper


    def logged(func):
        async def wrapper(*args):
            async with aiohttp.ClientSession() as session:
                await session.post("https://logs.example.org", json={"call": func.__name__})
            return await func(*args)

        return wrapper


    def retrying(func):
        async def wrapper(*args):
            async with aiohttp.ClientSession() as session:
                await session.get("https://status.example.org")
            return await func(*args)

        return wrapper


    def cached(func):
        async def wrapper(*args):
            async with aiohttp.ClientSession() as session:
                await session.get("https://cache.example.org")
            return await func(*args)

        return wrapper


    def with_token(func):
        async def wrapper(*args):
            async with aiohttp.ClientSession() as session:
                async with session.post("https://id.example.org/token") as response:
                    token = await response.text()
            return await func(token, *args)

        return wrapper


    @with_session
    async def status(session, request):
        async with session.get("https://example.org") as response:
            return await response.text()


    @cached
    async def front_page():
        return "front"


    async def home(request):
        return await front_page()
"""


def test_the_answer_about_a_wrapper_names_the_function_it_wraps_and_what_calls_that(tmp_path):
    """Each decorator of deco.py makes a session in its wrapper; the answer about the wrapper names the first
    decorated function that is per-event code, or that per-event code calls, and says where each one is.
    Applying ``logged`` by a call (``instrument()``), and to the one-shot ``main()``, makes no answer: its web
    handler does."""
    found = lint(tmp_path, {
        "app/__init__.py": "",
        "app/deco.py": DECORATORS,
        "app/cli.py": """
            import asyncio

            from .deco import logged


            def instrument(handler):
                return logged(handler)


            @logged
            async def main():
                await asyncio.sleep(0)


            if __name__ == "__main__":
                asyncio.run(main())
            """,
        "app/client.py": """
            from .deco import retrying, with_token


            @retrying
            async def get_json(session, url):
                async with session.get(url) as response:
                    return await response.json()


            @with_token
            async def profile(token, user):
                return {"user": user, "token": token}
            """,
        "app/commands.py": """
            from discord.ext import commands

            from .client import profile


            class Profiles(commands.Cog):
                @commands.command()
                async def whois(self, ctx, user):
                    await ctx.send(str(await profile(user)))
            """,
        "app/web.py": """
            from aiohttp import web

            from .client import get_json
            from .deco import logged

            routes = web.RouteTableDef()


            @routes.get("/log")
            @logged
            async def log_page(request):
                return web.Response(text="ok")


            @routes.get("/json")
            async def json_page(request):
                return web.json_response(await get_json(request.app["session"], "https://example.org"))
            """,
        "app/routes.py": """
            from aiohttp import web

            from .deco import home, status


            def make_app():
                app = web.Application()
                app.router.add_get("/status", status)
                app.router.add_get("/", home)
                return app
            """,
    })
    wrapper = "The wrapper `wrapper()` of `{}()` makes a new ClientSession on every call, and it wraps {}; " \
              "create one session and pass it in."
    assert found == {
        ("app/deco.py", 10): "AIO101 " + wrapper.format("with_session", "`status()` (an aiohttp web handler)"),
        ("app/deco.py", 18): "AIO101 " + wrapper.format(
            "logged", "`log_page()` (an aiohttp web handler) in `app/web.py`"),
        ("app/deco.py", 27): "AIO101 " + wrapper.format(
            "retrying", "`get_json()` in `app/client.py`, which `json_page()` (an aiohttp web handler) in `app/web.py` "
                        "calls per request"),
        ("app/deco.py", 36): "AIO101 " + wrapper.format(
            "cached", "`front_page()`, which `home()` (an aiohttp web handler) calls per request"),
        ("app/deco.py", 45): "AIO105 " + wrapper.format(
            "with_token", "`profile()` in `app/client.py`, which `Profiles.whois()` (a discord.py command) in "
                          "`app/commands.py` calls per command"),
    }


def test_the_answer_about_a_function_names_its_caller_how_and_through_which_functions(tmp_path):
    """A handler's loop is said as the loop, not as the handler; the functions between are named from the
    nearest to the caller, without a file when in the asking one. Module-level code counts only when it
    calls the function itself in a loop: not once (``warm_up``), nor through a function (``probe``), which
    does not hide a handler of the same file found after it (``refresh``)."""
    found = lint(tmp_path, {
        "app/__init__.py": "",
        "app/net.py": """
            import aiohttp


            async def download(url):
                async with aiohttp.ClientSession() as session:
                    async with session.get(url) as response:
                        return await response.read()


            async def prepare(url):
                return await download(url)


            async def crawl_one(url):
                async with aiohttp.ClientSession() as session:
                    async with session.get(url) as response:
                        return await response.text()


            async def ping(url):
                async with aiohttp.ClientSession() as session:
                    async with session.head(url):
                        pass


            async def warm_up(url):
                async with aiohttp.ClientSession() as session:
                    async with session.head(url):
                        pass


            async def refresh():
                async with aiohttp.ClientSession() as session:
                    async with session.get("https://example.org/refresh"):
                        pass


            async def refresh_all():
                await refresh()


            async def probe(url):
                async with aiohttp.ClientSession() as session:
                    async with session.head(url):
                        pass


            async def check_all(urls):
                await probe(urls[0])
            """,
        "app/service.py": """
            from .net import prepare


            async def load(url):
                return await prepare(url)
            """,
        "app/warm.py": """
            import asyncio

            from aiohttp import web

            from .net import check_all, ping, refresh_all, warm_up

            URLS = ["https://example.org", "https://example.com"]
            routes = web.RouteTableDef()

            for url in URLS:
                asyncio.run(ping(url))
                asyncio.run(check_all([url]))
                asyncio.run(refresh_all())

            asyncio.run(warm_up(URLS[0]))


            @routes.get("/refresh")
            async def refresh_page(request):
                await refresh_all()
                return web.Response(text="ok")
            """,
        "app/web.py": """
            from aiohttp import web

            from .net import crawl_one
            from .service import load

            routes = web.RouteTableDef()


            @routes.get("/")
            async def index(request):
                return web.Response(body=await load("https://example.org"))


            @routes.get("/crawl")
            async def crawl(request):
                for url in request.query.getall("url"):
                    await crawl_one(url)
                return web.Response(text="done")
            """,
    })
    assert found == {
        ("app/net.py", 6): "AIO101 " + PER_CALL.format("download", "`index()` (an aiohttp web handler) in `app/web.py` "
                                                       "calls it per request through `load()` in `app/service.py`, "
                                                       "`prepare()`"),
        ("app/net.py", 16): "AIO101 " + PER_CALL.format("crawl_one", "`crawl()` in `app/web.py` calls it in a loop"),
        ("app/net.py", 22): "AIO101 " + PER_CALL.format(
            "ping", "module-level code in `app/warm.py` calls it in a loop"),
        ("app/net.py", 34): "AIO101 " + PER_CALL.format("refresh", "`refresh_page()` (an aiohttp web handler) in "
                                                        "`app/warm.py` calls it per request through `refresh_all()`"),
    }


UNRELEASED = "AIO401 Response `r` is never read, released or closed"


def test_names_re_exported_by_a_package_are_followed_to_their_module(tmp_path):
    """``from weather import make_session`` names ``weather/net.py``'s function through the package's own import
    of it; so do a module the package imports under another name (``transport``), a class it re-exports
    (``Client``), and a function re-exported to a call site (``fetch_json``, ``Client.fetch``). What is only
    an attribute of a module's value (``net.SESSION.inner``) is not known to be of the value's type."""
    found = lint(tmp_path, {
        "weather/__init__.py": """
            from . import net as transport
            from .client import Client
            from .net import fetch_json, make_session
            """,
        "weather/net.py": """
            import aiohttp

            SESSION: aiohttp.ClientSession = None


            def make_session() -> aiohttp.ClientSession:
                return aiohttp.ClientSession()


            async def fetch_json(url):
                async with aiohttp.ClientSession() as session:
                    async with session.get(url) as response:
                        return await response.json()
            """,
        "weather/client.py": """
            import aiohttp


            class Client:
                def __init__(self):
                    self.http = aiohttp.ClientSession()

                def session(self) -> aiohttp.ClientSession:
                    return self.http

                async def fetch(self, url):
                    async with aiohttp.ClientSession() as session:
                        async with session.get(url) as response:
                            return await response.text()
            """,
        "use.py": """
            from aiohttp import web

            from weather import Client, fetch_json, make_session, net, transport

            routes = web.RouteTableDef()


            async def by_package(url):
                s = make_session()
                r = await s.get(url)
                return r.status


            async def by_module_alias(url):
                s = transport.make_session()
                r = await s.get(url)
                return r.status


            async def by_class(url):
                s = Client().session()
                r = await s.get(url)
                return r.status


            async def by_attribute_of_a_value(url):
                s = net.SESSION.inner
                r = await s.get(url)
                return r.status


            @routes.get("/")
            async def index(request):
                return web.json_response(await fetch_json("https://example.org"))


            @routes.get("/text")
            async def text(request):
                client = Client()
                return web.Response(text=await client.fetch("https://example.org"))
            """,
    }, select=("AIO101", "AIO401"))
    assert {where for where, message in found.items() if message.startswith(UNRELEASED)} == {
        ("use.py", 11), ("use.py", 17), ("use.py", 23)}
    assert {where: message for where, message in found.items() if not message.startswith(UNRELEASED)} == {
        ("weather/net.py", 12): "AIO101 " + PER_CALL.format("fetch_json", "`index()` (an aiohttp web handler) in "
                                                            "`use.py` calls it per request"),
        ("weather/client.py", 13): "AIO101 " + PER_CALL.format("Client.fetch", "`text()` (an aiohttp web handler) in "
                                                               "`use.py` calls it per request"),
    }


def test_re_exports_are_followed_six_deep_and_a_cycle_of_them_ends(tmp_path):
    """``chain/m0.py`` re-exports what ``m1`` does, and so on: ``near`` and ``near_session``, defined in ``m6``,
    are found six re-exports away; ``far`` and ``far_session``, in ``m7``, are not (unknown: no finding). Two
    modules that re-export the same name from each other answer nothing, and the run ends."""
    files = {
        "app/__init__.py": "",
        "app/chain/__init__.py": "",
        "app/chain/cycle_a.py": "from .cycle_b import looped, looped_session\n",
        "app/chain/cycle_b.py": "from .cycle_a import looped, looped_session\n",
        "app/chain/m6.py": """
            import aiohttp

            from .m7 import far, far_session


            async def near():
                async with aiohttp.ClientSession() as session:
                    await session.get("https://example.org")


            def near_session() -> aiohttp.ClientSession:
                return aiohttp.ClientSession()
            """,
        "app/chain/m7.py": """
            import aiohttp


            async def far():
                async with aiohttp.ClientSession() as session:
                    await session.get("https://example.org")


            async def looped():
                async with aiohttp.ClientSession() as session:
                    await session.get("https://example.org")


            def far_session() -> aiohttp.ClientSession:
                return aiohttp.ClientSession()
            """,
        "app/web.py": """
            from aiohttp import web

            from .chain.cycle_a import looped, looped_session
            from .chain.m0 import far, far_session, near, near_session

            routes = web.RouteTableDef()


            @routes.get("/")
            async def index(request):
                await near()
                await far()
                await looped()
                return web.Response(text="ok")


            async def statuses(url):
                s = near_session()
                r = await s.get(url)
                t = far_session()
                q = await t.get(url)
                u = looped_session()
                v = await u.get(url)
                return r.status, q.status, v.status
            """,
    }
    for index in range(6):
        files[f"app/chain/m{index}.py"] = f"from .m{index + 1} import far, far_session, near, near_session\n"
    found = lint(tmp_path, files, select=("AIO101", "AIO401"))
    assert {where for where, message in found.items() if message.startswith(UNRELEASED)} == {("app/web.py", 20)}
    assert {where: message for where, message in found.items() if not message.startswith(UNRELEASED)} == {
        ("app/chain/m6.py", 8): "AIO101 " + PER_CALL.format("near", "`index()` (an aiohttp web handler) in "
                                                            "`app/web.py` calls it per request"),
    }


def test_a_relative_import_above_the_top_package_names_nothing_of_the_project(tmp_path):
    assert lint(tmp_path, {
        "net.py": """
            import aiohttp


            async def fetch(url):
                async with aiohttp.ClientSession() as session:
                    async with session.get(url) as response:
                        return await response.text()
            """,
        "web.py": """
            from aiohttp import web

            from ..outside import fetch, make_session

            routes = web.RouteTableDef()


            @routes.get("/")
            async def index(request):
                return web.Response(text=await fetch("https://example.org"))


            async def status(url):
                s = make_session()
                r = await s.get(url)
                return r.status
            """,
    }, select=("AIO101", "AIO401")) == {}


def test_a_project_under_a_directory_named_in_the_run_is_wholly_in_it(tmp_path):
    """``aiolint projects/`` holds every file of ``projects/bot``: what an attribute name is (``http_session``,
    assigned in bot/client.py, read in bot/cogs/one.py) is known, as in a run over the project's root."""
    copy_project(tmp_path / "projects", "bot")
    cog = str(tmp_path / "projects" / "bot" / "bot" / "cogs" / "one.py")
    settings = Settings(selection=Selection(select=("AIO401",)), root=str(tmp_path), respect_gitignore=False,
                        cache_dir="")
    report = lint_paths([str(tmp_path / "projects")], settings)
    assert report.failures == [] and (cog, 9) in {(d.path, d.line) for d in report.diagnostics}


def test_which_project_roots_a_run_holds_whole(tmp_path):
    """Those named, those under one named (not those whose name only begins with one's), those included; the
    root of the file system named holds them all."""
    project = Project([str(tmp_path / "app")])
    assert project.complete(str(tmp_path / "app")) and project.complete(str(tmp_path / "app" / "vendored"))
    assert not project.complete(str(tmp_path / "app2")) and not project.complete(str(tmp_path))
    project.include(str(tmp_path / "lib"))
    assert project.complete(str(tmp_path / "lib")) and project.complete(str(tmp_path / "lib" / "plugins"))
    assert not project.complete(str(tmp_path / "other"))
    assert Project([os.sep]).complete(str(tmp_path / "app"))


def test_nothing_is_known_in_a_project_no_file_was_added_from(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    project = Project([str(tmp_path)])
    project.sealed = True
    assert project.answer(str(tmp_path / "bot.py"), "*.http_session") is None
    assert project.answer(str(tmp_path / "bot.py"), "net.make_session") is None


HANDLER = "an aiohttp web handler|per request"  # how a summary says what runs a function (``model.run_kind``)


def joined(root: Path, summaries: Dict[str, dict]) -> Project:
    """A project of files at ``root`` (not written: summaries are plain data), every one added."""
    (root / "pyproject.toml").write_text("")
    project = Project([str(root)])
    for name, summary in summaries.items():
        project.add(str(root / name), summary)
    project.sealed = True
    return project


def test_a_function_used_as_a_decorator_is_not_called_by_what_it_decorates(tmp_path):
    """Decorating runs the decorator once (its wrapper is asked about apart): a decoration found first does not
    hide a handler that calls the function itself."""
    project = joined(tmp_path, {
        "audit.py": {"call_sites": [["audited", ".net.traced", "wraps"]]},
        "net.py": {},
        "web.py": {"call_sites": [["index", ".net.traced", ""]], "runs": {"index": HANDLER}},
    })
    assert project.answer(str(tmp_path / "net.py"), "~.traced") == (
        "`index()` (an aiohttp web handler) in `web.py` calls it per request")


def test_a_command_ends_the_walk_for_the_per_request_question(tmp_path):
    """What a bot command calls once is asked about by the on-demand question only: for the other, the walk
    does not go on to what calls the command."""
    project = joined(tmp_path, {
        "bot.py": {"call_sites": [["Cog.lookup", ".net.fetch", ""]],
                   "runs": {"Cog.lookup": "a discord.py command|per command"}},
        "net.py": {},
        "web.py": {"call_sites": [["index", ".bot.Cog.lookup", ""]], "runs": {"index": HANDLER}},
    })
    net = str(tmp_path / "net.py")
    assert project.answer(net, "~.fetch") is None
    assert project.answer(net, "~!.fetch") == "`Cog.lookup()` (a discord.py command) in `bot.py` calls it per command"


def test_a_method_registered_by_its_class_in_another_module_is_per_event_code(tmp_path):
    found = lint(tmp_path, {
        "app/__init__.py": "",
        "app/views.py": """
            import aiohttp
            from aiohttp import web


            class Views:
                @staticmethod
                async def health(request):
                    async with aiohttp.ClientSession() as session:
                        async with session.get("https://example.org") as response:
                            return web.Response(text=await response.text())
            """,
        "app/routes.py": """
            from aiohttp import web

            from .views import Views


            def make_app():
                app = web.Application()
                app.router.add_get("/health", Views.health)
                return app
            """,
    })
    assert found == {("app/views.py", 9): "AIO101 " + PER_CALL.format(
        "Views.health", "`app/routes.py` registers it as an aiohttp web handler")}


def test_a_file_the_pre_filter_skipped_is_read_when_it_imports_the_function_or_its_class(tmp_path):
    """service.py and texts.py name no aiohttp: the pre-filter skips them, and each is read when a question is
    about a function its imports name (``fetch``), or the class of a method (``Client`` for ``Client.fetch``)."""
    found = lint(tmp_path, {
        "app/__init__.py": "",
        "app/net.py": """
            import aiohttp


            async def fetch(url):
                async with aiohttp.ClientSession() as session:
                    async with session.get(url) as response:
                        return await response.text()


            class Client:
                async def fetch(self, url):
                    async with aiohttp.ClientSession() as session:
                        async with session.get(url) as response:
                            return await response.text()
            """,
        "app/service.py": """
            from .net import fetch


            async def load(url):
                return await fetch(url)
            """,
        "app/texts.py": """
            from .net import Client


            async def load_text(url):
                client = Client()
                return await client.fetch(url)
            """,
        "app/routes.py": """
            from fastapi import FastAPI

            from .service import load
            from .texts import load_text

            app = FastAPI()


            @app.get("/")
            async def index():
                return await load("https://example.org")


            @app.get("/text")
            async def text():
                return await load_text("https://example.org")
            """,
    })
    assert found == {
        ("app/net.py", 6): "AIO101 " + PER_CALL.format("fetch", "`index()` (a FastAPI route) in `app/routes.py` calls "
                                                       "it per request through `load()` in `app/service.py`"),
        ("app/net.py", 13): "AIO101 " + PER_CALL.format("Client.fetch", "`text()` (a FastAPI route) in `app/routes.py` "
                                                        "calls it per request through `load_text()` in `app/texts.py`"),
    }


def test_the_names_import_gives_a_file(tmp_path):
    """From the project root, ``src/`` left out (not a module named ``src``), through directories that are no
    packages; a file whose name is no identifier (a backup ``net.old.py``) has none."""
    write_tree(tmp_path, {"pyproject.toml": "", "src/net.py": "", "src.py": "", "tools/sync/run.py": "",
                          "net.old.py": "", "pkg/__init__.py": "", "pkg/sub/__init__.py": "", "pkg/sub/mod.py": ""})
    root = str(tmp_path)
    assert module_names(str(tmp_path / "src" / "net.py"), root) == {"net"}
    assert module_names(str(tmp_path / "src.py"), root) == {"src"}
    assert module_names(str(tmp_path / "tools" / "sync" / "run.py"), root) == {"tools.sync.run"}
    assert module_names(str(tmp_path / "net.old.py"), root) == set()
    assert module_names(str(tmp_path / "pkg" / "sub" / "mod.py"), root) == {"pkg.sub.mod"}
    assert module_names(str(tmp_path / "pkg" / "sub" / "__init__.py"), root) == {"pkg.sub"}


def test_a_relative_name_made_absolute(tmp_path):
    """Outside any package, ``.net`` is the module at the top; inside, each dot above the first climbs a
    package; above the top package there is none."""
    write_tree(tmp_path, {"pyproject.toml": "", "pkg/__init__.py": "", "pkg/sub/__init__.py": "", "pkg/sub/mod.py": ""})
    module = str(tmp_path / "pkg" / "sub" / "mod.py")
    assert absolute(".net.fetch", str(tmp_path / "web.py")) == "net.fetch"
    assert absolute("..net.fetch", module) == "pkg.net.fetch" and absolute(".net", module) == "pkg.sub.net"
    assert absolute("..", module) == "pkg" and absolute(".", str(tmp_path / "pkg" / "sub" / "__init__.py")) == "pkg.sub"
    assert absolute("....net", module) is None
    assert absolute("aiohttp.ClientSession", module) == "aiohttp.ClientSession"


def test_a_summary_added_again_replaces_the_one_before(tmp_path):
    """A file linted again (its answers changed, or the pre-filter skipped it and a question is about it):
    its calls, registrations, facts and imports are those of its new summary only."""
    project = joined(tmp_path, {
        "net.py": {},
        "web.py": {"call_sites": [["index", ".net.fetch", ""]], "runs": {"index": HANDLER}},
        "routes.py": {"registered": {".net.serve": "an aiohttp web handler|per request"}},
        "lazy.py": {"unparsed": True, "imports": ["fetch"]},
    })
    net, web = str(tmp_path / "net.py"), str(tmp_path / "web.py")
    assert project.answer(net, "~.fetch") == "`index()` (an aiohttp web handler) in `web.py` calls it per request"
    assert project.answer(net, "~.serve") == "`routes.py` registers it as an aiohttp web handler"
    assert project.answer(web, "lazy.make") is None
    assert project.take_wanted() == {str(tmp_path / "lazy.py")}
    project.add(web, {"runs": {"index": "an aiohttp web handler|per request"}})  # index() no longer calls fetch()
    project.add(str(tmp_path / "routes.py"), {})
    project.add(str(tmp_path / "lazy.py"), {"facts": {"make": "()aiohttp.ClientSession"}})
    assert project.answer(net, "~.fetch") is None and project.answer(net, "~.serve") is None
    assert project.answer(web, "lazy.make") == "()aiohttp.ClientSession"
    assert project.take_wanted() == set()


def test_functions_that_call_each_other_end_the_walk(tmp_path):
    """``walk()`` and ``visit()`` call each other (an early return ends it at run time): each is walked
    through once, and nothing per-event calls them."""
    assert lint(tmp_path, {
        "app/__init__.py": "",
        "app/net.py": """
            import aiohttp


            async def fetch(url):
                async with aiohttp.ClientSession() as session:
                    async with session.get(url) as response:
                        return await response.text()


            async def walk(url):
                page = await fetch(url)
                await visit(page)


            async def visit(page):
                if not page.startswith("<"):
                    return
                await walk(page[1:])
            """,
        "app/cli.py": """
            from .net import walk


            async def crawl_site(url):
                await walk(url)
            """,
    }) == {}


def test_a_type_a_summary_names_relatively_is_made_absolute_from_its_file(tmp_path):
    """``def make() -> Client`` with ``from .client import Client`` says ``().client.Client``, and a factory of
    client.py itself ``()@.Client``: both name ``pkg.client.Client``, whose ``session()`` gives a session. A
    class imported from above the top package names nothing."""
    found = lint(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/client.py": """
            import aiohttp


            class Client:
                def __init__(self):
                    self.http = aiohttp.ClientSession()

                def session(self) -> aiohttp.ClientSession:
                    return self.http


            def default() -> Client:
                return Client()
            """,
        "pkg/factory.py": """
            from .client import Client


            def make() -> Client:
                return Client()
            """,
        "legacy.py": """
            from ..outside import Client


            def make() -> Client:
                return Client()
            """,
        "use.py": """
            from legacy import make as make_legacy
            from pkg.client import default
            from pkg.factory import make


            async def by_factory(url):
                s = make().session()
                r = await s.get(url)
                return r.status


            async def by_default(url):
                s = default().session()
                r = await s.get(url)
                return r.status


            async def by_legacy(url):
                s = make_legacy().session()
                r = await s.get(url)
                return r.status
            """,
    }, select=("AIO401",))
    assert {where for where, message in found.items() if message.startswith(UNRELEASED)} == {
        ("use.py", 9), ("use.py", 15)}


def test_a_module_outside_any_package_is_named_from_the_project_root(tmp_path):
    """``lib/`` has no ``__init__.py``: ``lib/factory.py`` is ``lib.factory`` (not ``factory``), and its own class
    ``@.Maker`` is ``lib.factory.Maker``."""
    found = lint(tmp_path, {
        "lib/factory.py": """
            import aiohttp


            class Maker:
                def session(self) -> aiohttp.ClientSession:
                    return aiohttp.ClientSession()


            def default() -> Maker:
                return Maker()
            """,
        "use.py": """
            from lib.factory import default


            async def by_factory(url):
                s = default().session()
                r = await s.get(url)
                return r.status
            """,
    }, select=("AIO401",))
    assert {where for where, message in found.items() if message.startswith(UNRELEASED)} == {("use.py", 7)}


def test_what_an_attribute_name_is_follows_the_files_added_since_last_asked(tmp_path):
    project = joined(tmp_path, {"client.py": {"attributes": {"http": "aiohttp.ClientSession"}}})
    asking = str(tmp_path / "cog.py")
    assert project.answer(asking, "*.http") == "aiohttp.ClientSession"
    project.add(str(tmp_path / "pool.py"), {"attributes": {"http": ""}})
    assert project.answer(asking, "*.http") is None


def test_an_attribute_name_is_answered_once_no_file_still_to_come_may_assign_it(tmp_path):
    """Before the run is sealed, a file announced (not linted yet) whose text may assign the name holds the
    answer back (it may assign another kind); once it is added, or when its text assigns other names only,
    the answer is given at once, and the join has nothing to lint again."""
    project = Project([str(tmp_path)])
    (tmp_path / "pyproject.toml").write_text("")
    asking = str(tmp_path / "cog.py")
    project.add(str(tmp_path / "client.py"), {"attributes": {"http": "aiohttp.ClientSession"}})
    pool = "class Pool:\n    def __init__(self, conn):\n        self.http = conn\n"
    for _ in range(2):  # announced again: still one file to come
        project.announce(str(tmp_path / "pool.py"), pool)
    project.announce(str(tmp_path / "db.py"), "class Db:\n    def __init__(self):\n        self.pool = None\n")
    assert project.answer(asking, "*.http") is None  # not foreseen: files not announced may still come
    project.foreseen = True
    assert project.answer(asking, "*.http") is None  # pool.py may assign it
    project.add(str(tmp_path / "pool.py"), {"attributes": {"pool": ""}})
    assert project.answer(asking, "*.http") == "aiohttp.ClientSession"  # it did not; db.py never spells `.http =`
    project.add(str(tmp_path / "db.py"), {"attributes": {"http": ""}})  # its text said otherwise: the join settles
    assert project.answer(asking, "*.http") is None
    # Nothing is left to come: the index of what may still be assigned holds nothing (not even emptied sets).
    assert project.pending == {str(tmp_path): {}}


@pytest.mark.parametrize("large", [False, True], ids=["small texts", "large texts"])
def test_the_texts_read_to_order_a_run_are_given_back_once_it_is_ordered(tmp_path, monkeypatch, large):
    given_back = []
    monkeypatch.setattr(runner, "give_back_freed_memory", lambda: given_back.append(True))
    (tmp_path / "a.py").write_text("import b\n" + "#" * (memory.LARGE_TEXT if large else 10) + "\n")
    (tmp_path / "b.py").write_text("x = 1\n")
    tasks = [(str(tmp_path / name), (), {}) for name in ("a.py", "b.py")]
    assert runner.foreseen(tasks, Project([str(tmp_path)]), runner.Limits()) == tasks[::-1]
    assert given_back == ([True] if large else [])


def test_a_run_in_one_process_lints_no_file_twice_when_its_imports_come_first():
    """The cogs that ask what ``http_session`` is come after the client that stores it (they import it), and no
    other file may assign it: each is linted once, with the answer, and reports what the fixture announces."""
    project = FIXTURES / "projects" / "bot"
    settings = Settings(selection=Selection(select=("ALL",)), root=str(project), respect_gitignore=False, cache_dir="")
    report = lint_paths([str(project)], settings)
    assert report.failures == [] and report.relinted == 0
    assert {(Path(d.path).name, d.line, d.code) for d in report.diagnostics} >= {("one.py", 9, "AIO401")}


# ``app/cog.py`` leaks a response of the session that ``app/net/factory.py``, which it imports, makes (AIO401).
FACTORY_AND_COG = {
    "pyproject.toml": "", "app/__init__.py": "", "app/net/__init__.py": "",
    "app/net/factory.py": "import aiohttp\n\n\ndef make_session() -> aiohttp.ClientSession:\n"
                          "    return aiohttp.ClientSession()\n",
    "app/cog.py": "from .net.factory import make_session\n\n\nasync def fetch(url):\n"
                  "    session = make_session()\n    r = await session.get(url)\n    return r.status\n",
}


@pytest.mark.parametrize("select", [None, ("AIO401",)], ids=["default rules", "AIO401: the factory not parsed"])
def test_a_module_is_linted_after_a_deeper_module_it_imports(tmp_path, select):
    """Shallow modules would come first; ``app/cog.py`` imports ``app/net/factory.py``, so the factory is linted
    first and the cog's question about what it makes is answered at once: nothing is linted twice. When no rule
    needs the factory parsed, it is read when the question comes, and what it says is cached with its result."""
    write_tree(tmp_path, FACTORY_AND_COG)
    selection = Selection(select=select) if select else Selection()
    settings = Settings(selection=selection, root=str(tmp_path), respect_gitignore=False,
                        cache_dir=str(tmp_path / ".cache"))
    for run in ("cold", "warm"):
        report = lint_paths([str(tmp_path)], settings, cache=True)
        assert [(Path(d.path).name, d.line, d.code) for d in report.diagnostics] == [("cog.py", 6, "AIO401")]
        assert report.relinted == 0 and report.cached == (report.files if run == "warm" else 0)


@pytest.mark.parametrize("select", [None, ("AIO401",)], ids=["default rules", "AIO401: the factory not parsed"])
def test_a_worker_process_answers_from_the_files_linted_before_its_file(tmp_path, select):
    """In a pool, a worker is sent, with each file, the summaries of the files linted since its last one (by any
    worker), and reads a file the pre-filter skipped when a question is about it: the cog, given after the
    factory it imports, is linted once, with the answer, as in one process (one worker here, so that the factory
    is certainly done first)."""
    from aiolint.cache import from_data
    from aiolint.pool import run_pool

    write_tree(tmp_path, FACTORY_AND_COG)
    settings = Settings(selection=Selection(select=select) if select else Selection(), root=str(tmp_path),
                        respect_gitignore=False)
    project = Project([str(tmp_path)])
    paths = sorted(str(path) for path in tmp_path.rglob("*.py"))
    tasks = runner.foreseen([runner.task_for(path, path, settings) for path in paths], project, runner.Limits())
    names = [Path(task[0]).name for task in tasks]
    assert names.index("factory.py") < names.index("cog.py")
    assert pickle.loads(pickle.dumps(project)).pending == project.pending  # how spawned workers (Windows) get it
    results = {task[0]: from_data(task[0], data) for task, (_, data) in run_pool(tasks, 1, runner.Limits(), project)}
    cog = results[str(tmp_path / "app" / "cog.py")]
    assert [(d.line, d.code) for d in cog.diagnostics] == [(6, "AIO401")]
    assert cog.answers and None not in cog.answers.values()  # the join has nothing to lint again


# A client stores its session as ``http``; a cog's request through ``self.bot.http`` leaks on one path (AIO405).
STORED_AS_HTTP = {
    "app/__init__.py": "",
    "app/client.py": "import aiohttp\n\n\nclass Client:\n    def __init__(self):\n"
                     "        self.http = aiohttp.ClientSession()\n",
    "app/use.py": "class Cog:\n    def __init__(self, bot):\n        self.bot = bot\n\n"
                  "    async def fetch(self, url):\n        r = await self.bot.http.get(url)\n"
                  "        if r.status != 200:\n            return None\n        return await r.text()\n",
}


def test_a_run_in_one_process_still_settles_an_answer_given_early_and_then_changed(tmp_path):
    """An assignment that the scan of a file's text misses (its target and ``=`` on two lines) changes the answer
    after it was given: the join lints the asking file again, and the run reports what the sealed project says."""
    files = dict(STORED_AS_HTTP)
    assert leaks(tmp_path / "one", files) == {("app/use.py", 6)}
    files["app/zz_other.py"] = ("import aiohttp\n\n\nclass Other:\n    def __init__(self, pool):\n"
                                "        self.http \\\n            = pool\n\n    async def ping(self):\n"
                                "        async with self.http.get('/') as r:\n            return r.status\n")
    assert leaks(tmp_path / "two", files) == set()


def leaks(root: Path, files: Dict[str, str]) -> set:
    """Where the run, every rule on, reports a response left unreleased on some path (AIO405)."""
    return {where for where, message in lint(root, files, select=("ALL",)).items() if message.startswith("AIO405")}


def test_a_class_attribute_in_a_file_no_rule_parses_keeps_the_name_from_telling(tmp_path):
    """``db.py`` has no word any rule needs, so it is not parsed; its class stores a pool as ``http``. The name
    no longer tells what ``self.bot.http`` is: no finding (there was one, false, when only ``.http =`` and
    annotations were looked for in such a file)."""
    files = dict(STORED_AS_HTTP)
    assert leaks(tmp_path / "alone", files) == {("app/use.py", 6)}
    assert leaks(tmp_path / "with_db", {**files, "app/db.py": "class Db:\n    http = make_pool()\n"}) == set()


def test_class_body_names_are_those_a_class_body_assigns_not_its_methods():
    text = ("class A:\n    x = 1\n    def f(self):\n        local = 3\n        if a:\n            deeper = 1\n"
            "    class B:\n        inner = 4\n        async def g(self):\n            other = 2\n        after = 5\n"
            "    if X:\n        conditional = 1\nmodule_level = 6\nclass C(\n    Base,\n):  # bases\n"
            "    \"\"\"Doc.\"\"\"\n    session = Pool()\n    same == 1\nclass D: pass\nr = 1\n"
            "def h():\n    hh = 1\n")
    assert class_body_names(text) == {"x", "inner", "after", "conditional", "session"}
    assert {"x", "session"} <= assigned_attributes(text)


def test_the_body_of_a_method_whose_signature_spans_lines_is_not_the_class_body():
    # The signature's closing ``):`` is at the ``def``'s own indentation: the lines after it are still the method's.
    text = ("class A:\n    def f(\n        self,\n    ):\n        response = 1\n    after = 2\n"
            "    async def g(self, a,\n                b) -> None:\n        local = 3\n    last = 4\n")
    assert class_body_names(text) == {"after", "last"}


def test_a_parameter_or_an_entry_on_a_line_of_its_own_is_no_attribute_a_file_may_assign():
    # ``name: T,`` with its brackets closed continues a parameter list or a literal; an annotation that goes on
    # over the next lines, and ``name: T = value,`` (a tuple, assigned), still count.
    text = ("class A:\n    def f(\n        self,\n        use_menus: Literal['a', ']'],\n        timeout: float = 5,\n"
            "    ):\n        d = {\n            key: value,\n        }\n"
            "    pair: Tuple[int,\n                str] = (1, 'a')\n    single: tuple = 1,\n    plain: int\n")
    names = assigned_attributes(text)
    assert {"timeout", "pair", "single", "plain"} <= names
    assert not {"use_menus", "key"} & names


def test_a_file_is_not_linted_again_for_a_name_only_its_own_parameters_spell(tmp_path):
    """``app/use.py`` spells ``http: int,`` in a signature; it asks what ``self.bot.http`` is, which the client
    stores, and gets the answer at once: its own text does not make the name one that a file to come may assign."""
    use = STORED_AS_HTTP["app/use.py"].replace("def __init__(self, bot):",
                                               "def __init__(\n        self,\n        bot,\n        http: int,\n    ):")
    write_tree(tmp_path, {"pyproject.toml": "", **STORED_AS_HTTP, "app/use.py": use})
    settings = Settings(selection=Selection(select=("ALL",)), root=str(tmp_path), respect_gitignore=False,
                        cache_dir="")
    report = lint_paths([str(tmp_path)], settings)
    assert report.failures == [] and report.relinted == 0
    assert {(Path(d.path).name, d.line) for d in report.diagnostics if d.code == "AIO405"} == {("use.py", 10)}


def test_imported_modules_are_read_from_every_form_of_import():
    text = ("import a.b as c, d\nfrom .net import (make,\n    other as o)\nfrom . import utils\n"
            "if TYPE_CHECKING:\n    from ..core import Bot  # a comment\n")
    found = imported_modules(text)
    assert {"a.b", "d", ".net", ".net.make", ".net.other", ".", ".utils", "..core", "..core.Bot"} <= found
    assert not {"c", "a.b.c", "..core.a", "..core.comment"} & found


def test_files_are_ordered_after_the_modules_they_import_and_a_cycle_comes_together_most_imported_first(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": "", "pkg/__init__.py": "", "pkg/cog.py": "", "pkg/core.py": "",
                          "pkg/helpers.py": "", "pkg/lone.py": "", "pkg/user.py": ""})
    path = {name: str(tmp_path / "pkg" / f"{name}.py") for name in ("cog", "core", "helpers", "lone", "user")}
    order = import_order({
        path["cog"]: {".core", ".core.Bot", "aiohttp"},
        path["lone"]: set(),
        path["helpers"]: {"pkg.core"},  # core and helpers import each other: core, imported thrice, comes first
        path["core"]: {".helpers"},
        path["user"]: {"pkg", "pkg.core"},
    })
    # cog, first given, waits for the cycle it imports (core, the most imported, then helpers); then the others.
    assert order == [path[name] for name in ("core", "helpers", "cog", "lone", "user")]
    assert import_order({path["user"]: {"pkg.helpers"}, path["helpers"]: {"pkg.core"}, path["core"]: set()}) == [
        path["core"], path["helpers"], path["user"]]  # a chain, given backwards


def test_a_file_that_imports_a_package_of_a_cycle_waits_for_the_whole_cycle(tmp_path):
    """``commands/__init__.py`` re-exports ``Context`` from ``commands/context.py``, which imports ``bot.py``, which
    imports ``commands``: a cog importing ``pkg.commands`` asks what ``Context.bot`` is, so it comes after all three,
    not just after the package, the most imported."""
    write_tree(tmp_path, {"pyproject.toml": "", "pkg/__init__.py": "", "pkg/bot.py": "", "pkg/cog.py": "",
                          "pkg/commands/__init__.py": "", "pkg/commands/context.py": ""})
    cog, bot = str(tmp_path / "pkg" / "cog.py"), str(tmp_path / "pkg" / "bot.py")
    package, context = str(tmp_path / "pkg" / "commands" / "__init__.py"), str(tmp_path / "pkg" / "commands" / "context.py")
    order = import_order({cog: {"pkg.commands", "pkg.commands.Context"}, package: {".context", ".context.Context"},
                          context: {"..bot", "..bot.Bot"}, bot: {".commands"}})
    assert order[-1] == cog and order[0] == package


def test_an_attribute_holding_an_instance_of_a_class_of_the_project_is_of_that_class(tmp_path):
    """``self.backup = Api()`` in client.py says ``@.Api``, ``self.api = Api()`` in bot.py ``.client.Api``: each
    attribute name is ``app.client.Api``, whose ``session()`` gives a session. (Both files name aiohttp, so the
    pre-filter reads them: what a file it skipped assigns is unknown.)"""
    found = lint(tmp_path, {
        "app/__init__.py": "",
        "app/client.py": """
            import aiohttp


            class Api:
                def session(self) -> aiohttp.ClientSession:
                    return aiohttp.ClientSession()


            class Holder:
                def __init__(self):
                    self.backup = Api()
            """,
        "app/bot.py": """
            import aiohttp

            from .client import Api


            class Bot:
                def __init__(self):
                    self.api = Api()

                async def setup_hook(self):
                    self.http = aiohttp.ClientSession()
            """,
        "app/cog.py": """
            class Cog:
                def __init__(self, bot, holder):
                    self.bot = bot
                    self.holder = holder

                async def status(self, url):
                    s = self.holder.backup.session()
                    r = await s.get(url)
                    return r.status

                async def health(self, url):
                    s = self.bot.api.session()
                    r = await s.get(url)
                    return r.status
            """,
    }, select=("ALL",))
    assert {where for where, message in found.items() if message.startswith(UNRELEASED)} == {
        ("app/cog.py", 9), ("app/cog.py", 14)}


def test_an_attribute_name_assigned_only_values_of_unknown_types_answers_nothing(tmp_path):
    """``self.db = connect()`` says nothing of ``db``, nor ``self.pool = Pool()`` of ``pool`` (``Pool`` is imported
    from above the top package): the cog that asks what ``self.bot.db`` and ``self.bot.pool`` are has no answer,
    and no file is linted again for them."""
    write_tree(tmp_path, {
        "pyproject.toml": "",
        "app/__init__.py": "",
        "app/client.py": """
            import aiohttp

            from ...outside import Pool
            from .storage import connect


            class Bot:
                def __init__(self):
                    self.db = connect()
                    self.pool = Pool()

                async def setup_hook(self):
                    self.http = aiohttp.ClientSession()

                async def close(self):
                    await self.http.close()
            """,
        "app/cog.py": """
            class Cog:
                def __init__(self, bot):
                    self.bot = bot

                async def lookup(self, key):
                    row = await self.bot.db.get(key)
                    return row.status

                async def pooled(self, key):
                    row = await self.bot.pool.get(key)
                    return row.status
            """,
    })
    settings = Settings(selection=Selection(select=("ALL",)), root=str(tmp_path), respect_gitignore=False,
                        cache_dir="")
    report = lint_paths([str(tmp_path)], settings)
    assert report.failures == [] and report.diagnostics == [] and report.relinted == 0


def without_empty(value):
    """A project's state without the empty containers that adding and forgetting leave behind."""
    if isinstance(value, dict):
        kept = {key: without_empty(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if item not in ({}, [], set(), ())}
    return value


@pytest.mark.parametrize("gone", ["bot/client.py", "bot/cogs/one.py", "bot/storage.py"])
def test_a_forgotten_file_leaves_the_project_as_if_it_had_never_been_added(tmp_path, gone):
    from aiolint.engine import lint_source, summarize
    from aiolint.rules import default_rules

    root = copy_project(tmp_path, "bot")
    files = sorted(str(path) for path in root.rglob("*.py"))
    summaries = {path: lint_source(Path(path).read_bytes(), path, default_rules()).summary for path in files}
    summaries[files[0]] = summarize(Path(files[0]).read_bytes(), files[0])  # a file the pre-filter skipped, read
    assert any(summary.get("unparsed") for summary in summaries.values())
    everything, others = Project(), Project()
    for path, summary in summaries.items():
        everything.add(path, summary)
        if path != str(root / gone):
            others.add(path, summary)
    everything.forget(str(root / gone), str(root))
    assert without_empty(everything.state()) == without_empty(others.state())
