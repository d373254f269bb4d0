"""AIO504, AIO505, AIO6xx, AIO7xx, AIO8xx beyond the fixtures: each fix before and after,
what each message promises, AIO201 and the legacy timeouts, and the README's opt-in examples."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import textwrap
from functools import partial

import pytest

from aiolint.engine import lint_source
from aiolint.fixer import fix_source
from aiolint.rules import REGISTRY

from .conftest import ROOT

SERVER_CODES = ["AIO504", "AIO505", "AIO601", "AIO602", "AIO603", "AIO604", "AIO605",
                "AIO701", "AIO702", "AIO703", "AIO705", "AIO801", "AIO802", "AIO803", "AIO804"]


def lint(source, *codes):
    rules = [REGISTRY[code] for code in (codes or SERVER_CODES)]
    result = lint_source(textwrap.dedent(source), "example.py", rules)
    assert result.failures == []
    return result.diagnostics


def fixed(source, *codes, unsafe=False):
    """The source after ``--fix`` (``--unsafe-fixes`` with ``unsafe``) with only these rules."""
    rules = [REGISTRY[code] for code in codes]
    outcome = fix_source(textwrap.dedent(source).encode(), partial(lint_source, path="example.py", rules=rules),
                         unsafe=unsafe)
    assert outcome.error is None
    assert outcome.result.diagnostics == [] or unsafe is False, outcome.result.diagnostics
    return outcome.data.decode()


# -- AIO504 -----------------------------------------------------------------------
MIDDLEWARE = """\
    import logging
    from aiohttp import web

    @web.middleware
    async def errors(request, handler):
        try:
            return await handler(request)
        except Exception:
            logging.exception("failed")
            return web.Response(status=500)
    """


def test_the_middleware_fix_lets_http_exceptions_through_first():
    [found] = lint(MIDDLEWARE)
    assert found.code == "AIO504" and found.fix.applicability == "safe"
    assert "`except Exception` in middleware `errors`" in found.message
    assert fixed(MIDDLEWARE, "AIO504") == textwrap.dedent("""\
        import logging
        from aiohttp import web

        @web.middleware
        async def errors(request, handler):
            try:
                return await handler(request)
            except web.HTTPException:
                raise
            except Exception:
                logging.exception("failed")
                return web.Response(status=500)
        """)


def test_the_middleware_fix_spells_the_class_through_the_imports_and_keeps_parentheses():
    source = """\
        from aiohttp import web as w

        async def errors(request, handler):
        \ttry:
        \t\treturn await handler(request)
        \texcept (KeyError, Exception) as exc:
        \t\treturn w.Response(status=500, text=repr(exc))

        app = w.Application(middlewares=[errors])
        """
    after = fixed(source, "AIO504")
    assert "\texcept (w.HTTPException):\n\t\traise\n\texcept (KeyError, Exception) as exc:\n" in after


def test_the_middleware_fix_follows_the_indentation_of_the_handler_it_precedes():
    source = """\
        import logging
        from aiohttp import web

        async def errors(request, handler):
            try:
                return await handler(request)
            except Exception:
                  logging.exception("failed")
                  return web.Response(status=500)

        app = web.Application(middlewares=[errors])
        """
    after = fixed(source, "AIO504")
    assert "    except web.HTTPException:\n          raise\n    except Exception:\n" in after


def test_a_bare_except_in_a_middleware_is_reported_without_a_fix():
    source = MIDDLEWARE.replace("except Exception:", "except:")
    [found] = lint(source)
    assert found.code == "AIO504" and found.fix is None
    assert "bare `except:`" in found.message


def test_an_http_exception_handled_first_is_not_reported():
    source = MIDDLEWARE.replace("        except Exception:", "        except web.HTTPException:\n            raise\n"
                                "        except Exception:")
    assert lint(source) == []


# -- AIO505 -----------------------------------------------------------------------
def test_returning_an_http_exception_becomes_raising_it():
    source = """\
        from aiohttp import web

        async def login(request: web.Request):
            return web.HTTPFound(
                "/login",
            )
        """
    [found] = lint(source)
    assert found.code == "AIO505" and found.fix.applicability == "safe"
    assert "aiohttp 3.0" in found.message and "4.0" in found.message
    assert fixed(source, "AIO505").splitlines()[3:6] == ["    raise web.HTTPFound(", '        "/login",', "    )"]


def test_the_raise_fix_keeps_the_indentation_of_a_block_indented_unlike_the_module():
    source = """\
        from aiohttp import web

        def helper():
            pass

        async def login(request: web.Request):
          return web.HTTPFound(
              "/login",
          )
        """
    assert fixed(source, "AIO505").splitlines()[6:9] == ["  raise web.HTTPFound(", '      "/login",', "  )"]


def test_the_raise_fix_is_unsafe_inside_a_try():
    source = """\
        from aiohttp import web

        async def login(request: web.Request):
            try:
                return web.HTTPFound("/login")
            except Exception:
                return web.Response(status=500)
        """
    [found] = lint(source)
    assert found.fix.applicability == "unsafe"  # the except now catches the raised exception


# -- AIO601, AIO605 -----------------------------------------------------------------
def test_sync_handlers_resolve_through_aliases():
    source = """\
        from aiohttp import web as w

        def index(request):
            return w.Response()

        app = w.Application()
        app.add_routes([w.route("GET", "/", index)])
        """
    [found] = lint(source)
    assert (found.code, found.line) == ("AIO601", 7)
    assert "2.3" in found.message


def test_a_router_method_of_a_module_without_aiohttp_is_not_a_route():
    source = """\
        STYLE = "aiohttp"  # a router with aiohttp's method names; the word lets the file past a quick text check
        def index(request):
            return "hello"

        router.add_get("/", index)
        """
    assert lint(source) == []


def test_run_app_in_a_coroutine_only():
    source = """\
        from aiohttp import web

        async def main(app):
            web.run_app(app)

        def plain(app):
            web.run_app(app)
        """
    assert [(d.code, d.line) for d in lint(source)] == [("AIO605", 4)]


# -- AIO701 -------------------------------------------------------------------------
def test_the_tls_message_says_what_an_attacker_can_do():
    source = """\
        import aiohttp

        async def fetch(session: aiohttp.ClientSession, url):
            return await session.get(url, ssl=False)
        """
    [found] = lint(source)
    assert found.code == "AIO701"
    assert "impersonate the server and read or change the traffic" in found.message


# -- AIO801 -------------------------------------------------------------------------
def test_the_loop_argument_is_removed_keeping_the_layout():
    source = """\
        import asyncio
        import aiohttp

        async def main():
            loop = asyncio.get_running_loop()
            async with aiohttp.ClientSession(
                loop=loop,
                timeout=aiohttp.ClientTimeout(total=5),
            ) as session:
                connector = aiohttp.TCPConnector(limit=10, loop=loop)
                return session, connector
        """
    found = lint(source)
    assert [(d.code, d.line) for d in found] == [("AIO801", 7), ("AIO801", 10)]
    assert all("aiohttp 2.0" in d.message and "removed in 4.0" in d.message for d in found)
    assert fixed(source, "AIO801").splitlines()[5:10] == [
        "    async with aiohttp.ClientSession(",
        "        timeout=aiohttp.ClientTimeout(total=5),",
        "    ) as session:",
        "        connector = aiohttp.TCPConnector(limit=10)",
        "        return session, connector",
    ]


def test_the_loop_argument_of_a_test_or_under_pytest_warns_is_not_reported():
    source = """\
        import aiohttp, pytest

        async def test_session(loop):
            async with aiohttp.ClientSession(loop=loop):
                pass

        async def main(loop):
            with pytest.warns(DeprecationWarning):
                aiohttp.TCPConnector(loop=loop)
        """
    assert lint(source) == []


# -- AIO802 -------------------------------------------------------------------------
@pytest.mark.parametrize("before, after, applicability", [
    ("session.get(url, verify_ssl=False)", "session.get(url, ssl=False)", "safe"),
    ("session.get(url, verify_ssl=True)", "session.get(url)", "safe"),
    ("session.get(url, verify_ssl=flag)", "session.get(url, ssl=flag)", "unsafe"),
    ("session.get(url, ssl_context=ctx)", "session.get(url, ssl=ctx)", "safe"),
    ("session.get(url, fingerprint=fp)", "session.get(url, ssl=ah.Fingerprint(fp))", "safe"),
    ("ah.TCPConnector(ssl_context=ctx, limit=5)", "ah.TCPConnector(ssl=ctx, limit=5)", "safe"),
])
def test_legacy_tls_arguments_become_ssl(before, after, applicability):
    source = f"import aiohttp as ah\n\nasync def f(session: ah.ClientSession, url, ctx, fp, flag):\n    await {before}\n"
    [found] = lint(source, "AIO802")
    assert found.fix.applicability == applicability and "aiohttp 3.0" in found.message
    assert fixed(source, "AIO802", unsafe=True).splitlines()[3] == f"    await {after}"


def test_two_legacy_tls_arguments_are_reported_without_a_fix():
    source = "import aiohttp\n\nasync def f(ctx, fp):\n    aiohttp.TCPConnector(ssl_context=ctx, fingerprint=fp)\n"
    found = lint(source, "AIO802")
    assert len(found) == 2 and all(d.fix is None for d in found)


# -- AIO803 and AIO201 ---------------------------------------------------------------
LEGACY_TIMEOUTS = """\
    import aiohttp

    async def main():
        async with aiohttp.ClientSession(read_timeout=30, conn_timeout=5) as session:
            async with session.get("https://example.com") as resp:
                return await resp.text()
    """


def test_legacy_timeouts_become_the_client_timeout_aiohttp_builds_from_them():
    [found] = lint(LEGACY_TIMEOUTS)
    assert found.code == "AIO803" and "aiohttp 3.5" in found.message and found.fix.applicability == "safe"
    assert fixed(LEGACY_TIMEOUTS, "AIO803").splitlines()[3] == (
        "    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30, connect=5, sock_connect=30)) "
        "as session:")


def test_the_fixed_timeout_equals_the_one_aiohttp_builds_from_the_legacy_arguments():
    import asyncio
    import warnings

    import aiohttp

    async def both():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            legacy = aiohttp.ClientSession(read_timeout=30, conn_timeout=5)
        new = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30, connect=5, sock_connect=30))
        try:
            return legacy.timeout, new.timeout
        finally:
            await legacy.close()
            await new.close()

    legacy, new = asyncio.run(both())
    assert legacy == new


def test_a_session_with_legacy_timeouts_is_not_missing_a_timeout():
    assert [d.code for d in lint(LEGACY_TIMEOUTS, "AIO201", "AIO803")] == ["AIO803"]
    without = LEGACY_TIMEOUTS.replace("read_timeout=30, conn_timeout=5", "")
    assert [d.code for d in lint(without, "AIO201", "AIO803")] == ["AIO201"]


# -- AIO804 -------------------------------------------------------------------------
def test_has_body_becomes_can_read_body_and_chunk_sizes_become_true():
    source = """\
        from aiohttp import web, ClientSession

        async def handler(request):
            if request.has_body:
                return web.Response()

        async def upload(session: ClientSession):
            await session.post("https://example.com", data=b"x", chunked=8192)

        app = web.Application()
        app.router.add_post("/", handler)
        """
    found = lint(source, "AIO804")
    assert [(d.line, d.fix.applicability) for d in found] == [(4, "safe"), (8, "safe")]
    assert "aiohttp 2.3" in found[0].message and "aiohttp 2.0" in found[1].message
    after = fixed(source, "AIO804").splitlines()
    assert after[3] == "    if request.can_read_body:"
    assert after[7] == '    await session.post("https://example.com", data=b"x", chunked=True)'


def test_every_deprecation_message_names_a_version():
    for code in ("AIO801", "AIO802", "AIO803"):
        assert re.search(r"aiohttp \d\.\d", REGISTRY[code].message), code


# -- the README's opt-in examples -------------------------------------------------------
README = (ROOT / "README.md").read_text(encoding="utf-8")
OPT_IN = """\
from aiohttp import web


async def show(request):
    return web.Response(text=request.app["greeting"])


app = web.Application()
app.router.add_get("/", show)
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(OPT_IN, encoding="utf-8")
    return tmp_path


def readme_command(pattern):
    match = re.search(pattern, README, re.M)
    assert match, f"the README lost its example: {pattern}"
    return match.group(1)


def test_the_readme_flake8_opt_in_example_reports_the_opt_in_rule(project):
    command = shlex.split(readme_command(r"^(flake8 --extend-select AIO6 src/)\s"))
    plain = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select", "AIO", "src/"], cwd=project,
                           capture_output=True, text=True)
    assert plain.stdout == "" and plain.stderr == ""  # off by default
    result = subprocess.run([sys.executable, "-m", *command[:1], "--isolated", *command[1:]], cwd=project,
                            capture_output=True, text=True)
    assert result.stderr == ""
    assert [line.split(" ")[1] for line in result.stdout.splitlines()] == ["AIO602"]


def test_the_readme_pre_commit_args_select_the_opt_in_rule(project):
    args = readme_command(r"^\s*# args: (\[.*\])")
    flags = [flag.strip() for flag in args.strip("[]").split(",")]
    assert flags == ["--extend-select", "AIO6"]
    result = subprocess.run([sys.executable, "-m", "aiolint", "--isolated", "--force-exclude", *flags, "src/app.py"],
                            cwd=project, capture_output=True, text=True)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("src/app.py:5:30: AIO602 ")
