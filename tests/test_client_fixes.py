"""The fixes of the client rules (AIO106, AIO203, AIO404) and the imports the AIO301 fix adds
and drops: before and after, one fix at a time, then through `--fix` to a fixed point."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap

import pytest

from aiolint.engine import lint_source
from aiolint.fixer import apply_fixes, fix_source
from aiolint.rules import all_rules


def lint(source):
    result = lint_source(source, "m.py", all_rules())
    assert result.failures == []
    return result


def fixed_all(source, unsafe=False):
    """What `--fix` (`--unsafe-fixes`) makes of the source, round after round."""
    fixed = fix_source(textwrap.dedent(source).encode(), lint, unsafe)
    assert fixed.error is None and not fixed.unsettled
    return fixed.data.decode()


def fix_one(source, code):
    source = textwrap.dedent(source)
    (diagnostic,) = [d for d in lint(source).diagnostics if d.code == code]
    assert diagnostic.fix is not None
    text, made = apply_fixes(source, [diagnostic.fix])
    assert made and ast.parse(text)
    return diagnostic.fix.applicability, text


# -- AIO106 -------------------------------------------------------------------------
def test_close_not_awaited_gets_its_await():
    applicability, text = fix_one("""\
        import aiohttp

        async def stop(session: aiohttp.ClientSession):
            session.close()
        """, "AIO106")
    assert applicability == "safe"
    assert text.endswith("    await session.close()\n")


def test_close_in_a_plain_def_has_no_fix():
    (diagnostic,) = [d for d in lint(textwrap.dedent("""\
        import aiohttp

        def stop(session: aiohttp.ClientSession):
            session.close()
        """)).diagnostics if d.code == "AIO106"]
    assert diagnostic.fix is None and "from a coroutine" in diagnostic.message


# -- AIO203 -------------------------------------------------------------------------
@pytest.mark.parametrize("imports, session, written", [
    ("import aiohttp", "aiohttp.ClientSession", "aiohttp.ClientTimeout(total=10)"),
    ("import aiohttp as ah", "ah.ClientSession", "ah.ClientTimeout(total=10)"),
    ("from aiohttp import ClientSession, ClientTimeout", "ClientSession", "ClientTimeout(total=10)"),
])
def test_numeric_timeout_becomes_a_client_timeout_under_the_files_name(imports, session, written):
    applicability, text = fix_one(f"""\
        {imports}

        async def fetch(url):
            async with {session}(timeout=10) as s:
                return await s.get(url)
        """, "AIO203")
    assert applicability == "safe"
    assert f"{session}(timeout={written}) as s:" in text


def test_numeric_timeout_fix_adds_the_import_it_needs():
    text = fixed_all("""\
        \"\"\"Docs.\"\"\"
        from aiohttp import ClientSession  # the client

        TIMEOUT = 5


        async def fetch(session: ClientSession, url):
            async with session.get(url, timeout=TIMEOUT) as r:
                return await r.read()


        async def other(session: ClientSession, url):
            async with session.get(url, timeout=2.5) as r:
                return await r.read()
        """)
    assert text.startswith('"""Docs."""\nfrom aiohttp import ClientSession  # the client\nimport aiohttp\n\nTIMEOUT = 5\n')
    assert "timeout=aiohttp.ClientTimeout(total=TIMEOUT)" in text
    assert "timeout=aiohttp.ClientTimeout(total=2.5)" in text
    assert "AIO203" not in {d.code for d in lint(text).diagnostics}


def test_numeric_timeout_fix_when_aiohttp_is_another_name_imports_client_timeout():
    text = fixed_all("""\
        from aiohttp import ClientSession


        async def fetch(url, aiohttp=None):
            async with ClientSession(timeout=3) as s:
                return await s.get(url)
        """)
    assert text.startswith("from aiohttp import ClientSession\nfrom aiohttp import ClientTimeout\n")
    assert "ClientSession(timeout=ClientTimeout(total=3))" in text


# -- AIO404 -------------------------------------------------------------------------
def test_awaited_request_helper_in_async_with_loses_its_await():
    applicability, text = fix_one("""\
        import aiohttp

        async def fetch(url):
            async with await aiohttp.request("GET", url, timeout=aiohttp.ClientTimeout(total=5)) as r:
                return await r.read()
        """, "AIO404")
    assert applicability == "safe"
    assert '    async with aiohttp.request("GET", url, timeout=aiohttp.ClientTimeout(total=5)) as r:\n' in text


def test_awaited_request_helper_elsewhere_has_no_fix():
    (diagnostic,) = [d for d in lint("import aiohttp\nasync def f(u):\n    r = await aiohttp.request('GET', u)\n"
                                     ).diagnostics if d.code == "AIO404"]
    assert diagnostic.fix is None


# -- AIO301's imports -----------------------------------------------------------------
def test_sleep_fix_adds_import_asyncio_and_drops_time_it_no_longer_needs():
    text = fixed_all("""\
        import os
        import time

        async def poll():
            time.sleep(1)
            return os.getpid()
        """, unsafe=True)
    assert text == "import os\nimport asyncio\n\nasync def poll():\n    await asyncio.sleep(1)\n    return os.getpid()\n"


def test_sleep_fix_drops_from_import_only_after_its_last_use():
    text = fixed_all("""\
        import asyncio
        from time import monotonic, sleep

        async def poll():
            sleep(1)
            sleep(2)
            return monotonic()
        """, unsafe=True)
    assert text == ("import asyncio\nfrom time import monotonic\n\nasync def poll():\n"
                    "    await asyncio.sleep(1)\n    await asyncio.sleep(2)\n    return monotonic()\n")


def test_time_still_used_elsewhere_is_kept():
    text = fixed_all("""\
        import asyncio
        import time

        async def poll():
            time.sleep(1)
            return time.monotonic()
        """, unsafe=True)
    assert "import time\n" in text and "await asyncio.sleep(1)" in text


@pytest.mark.parametrize("guard", ["if TYPE_CHECKING:", 'if __name__ == "__main__":'])
def test_an_import_that_may_not_have_run_is_not_relied_on(guard):
    text = fixed_all(f"""\
        import time
        from typing import TYPE_CHECKING

        {guard}
            import asyncio

        async def poll():
            time.sleep(1)
        """, unsafe=True)
    assert text.startswith("from typing import TYPE_CHECKING\nimport asyncio\n")
    assert "    await asyncio.sleep(1)\n" in text


def test_sleep_fix_drops_a_name_from_a_multi_name_import():
    text = fixed_all("""\
        import asyncio
        import os, time

        async def poll():
            time.sleep(1)
            return os.getpid()
        """, unsafe=True)
    assert text.startswith("import asyncio\nimport os\n\n")


def test_sleep_fix_drops_the_parentheses_of_a_from_import_left_with_one_name():
    text = fixed_all("""\
        import asyncio
        from time import (monotonic, sleep)

        async def poll():
            sleep(1)
            return monotonic()
        """, unsafe=True)
    assert text.startswith("import asyncio\nfrom time import monotonic\n\n")


def test_sleep_fix_keeps_the_parentheses_of_a_from_import_over_several_lines():
    text = fixed_all("""\
        import asyncio
        from time import (
            monotonic,
            perf_counter,
            sleep,
        )

        async def poll():
            sleep(1)
            return monotonic() - perf_counter()
        """, unsafe=True)
    assert text.startswith("import asyncio\nfrom time import (\n    monotonic,\n    perf_counter)\n\n")


@pytest.mark.parametrize("imports", [
    "import asyncio\nimport time; import os\n",  # a line of two statements
    "import asyncio\ntry:\n    import time\nexcept ImportError:\n    raise\n",  # not a line of the module
    "import asyncio\nimport time\nimport time\n",  # bound twice
])
def test_sleep_fix_leaves_an_import_it_cannot_drop_alone(imports):
    text = fixed_all(imports + "\nasync def poll():\n    time.sleep(1)\n", unsafe=True)
    assert text == imports + "\nasync def poll():\n    await asyncio.sleep(1)\n"


def test_sleep_fix_leaves_the_module_import_alone_when_the_call_uses_its_own():
    text = fixed_all("""\
        import asyncio
        import time

        async def poll():
            import time
            time.sleep(1)
        """, unsafe=True)
    assert text.startswith("import asyncio\nimport time\n\n")


@pytest.mark.parametrize("other_use", [
    "STARTED = time.monotonic()\nimport os\n",  # a use above a later import
    'def stamp(when: "time.struct_time"):\n    return when\n',  # a use in a string annotation
])
def test_sleep_fix_keeps_an_import_still_used_elsewhere(other_use):
    text = fixed_all(f"import asyncio\nimport time\n{other_use}\nasync def poll():\n    time.sleep(1)\n", unsafe=True)
    assert text.startswith(f"import asyncio\nimport time\n{other_use}")


def test_no_sleep_fix_in_a_file_without_an_import_block_to_add_asyncio_to():
    source = "async def poll():\n    import time\n    time.sleep(1)\n"
    (diagnostic,) = [d for d in lint(source).diagnostics if d.code == "AIO301"]
    assert diagnostic.fix is None


# -- --fix as a user runs it -------------------------------------------------------------
EVERYTHING = '''\
import time
import aiohttp
from aiohttp import ClientSession


async def fetch(session: ClientSession, url):
    async with session.get(url, timeout=10) as response:
        time.sleep(1)
        return await response.text()


async def once(url):
    async with await aiohttp.request("GET", url, timeout=aiohttp.ClientTimeout(total=5)) as response:
        return response.status


async def stop(session: ClientSession):
    session.close()
'''


def test_fix_alone_applies_the_safe_fixes_and_reaches_a_fixed_point(tmp_path):
    path = tmp_path / "client.py"
    path.write_text(EVERYTHING)
    run = [sys.executable, "-m", "aiolint", "--isolated", "--no-cache"]
    first = subprocess.run([*run, "--fix", "client.py"], cwd=tmp_path, capture_output=True, text=True)
    fixed = path.read_text()
    ast.parse(fixed)
    assert "timeout=aiohttp.ClientTimeout(total=10)" in fixed
    assert "async with aiohttp.request(" in fixed and "await session.close()" in fixed
    assert "time.sleep(1)" in fixed  # unsafe: left for --unsafe-fixes
    assert "3 fixed" in first.stderr
    again = subprocess.run([*run, "--diff", "client.py"], cwd=tmp_path, capture_output=True, text=True)
    assert again.stdout == "" and again.returncode == 0
    unsafe = subprocess.run([*run, "--fix", "--unsafe-fixes", "client.py"], cwd=tmp_path, capture_output=True,
                            text=True)
    assert unsafe.returncode == 0, unsafe.stdout + unsafe.stderr
    final = path.read_text()
    ast.parse(final)
    assert final.startswith("import aiohttp\nfrom aiohttp import ClientSession\nimport asyncio\n")
    assert "        await asyncio.sleep(1)\n" in final
    assert subprocess.run([*run, "--diff", "--unsafe-fixes", "client.py"], cwd=tmp_path, capture_output=True,
                          text=True).stdout == ""


# -- which findings have a fix, as ruff shows it -------------------------------------------
def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "aiolint", "--isolated", "--no-cache", *args], cwd=cwd,
                          capture_output=True, text=True)


def test_text_output_marks_the_findings_fix_would_fix(tmp_path):
    (tmp_path / "client.py").write_text(EVERYTHING)
    codes = {line.split()[1]: line.split()[2] == "[*]" for line in cli("client.py", cwd=tmp_path).stdout.splitlines()}
    assert codes == {"AIO203": True, "AIO301": False, "AIO404": True, "AIO106": True}
    unsafe = cli("--unsafe-fixes", "client.py", cwd=tmp_path).stdout
    assert "client.py:8:9: AIO301 [*] `time.sleep()` blocks" in unsafe


def test_statistics_and_rules_mark_fixable_codes(tmp_path):
    (tmp_path / "client.py").write_text(EVERYTHING)
    assert cli("--statistics", "client.py", cwd=tmp_path).stdout.splitlines() == [
        "1  AIO106  [*] close-not-awaited",
        "1  AIO203  [*] numeric-timeout",
        "1  AIO301      blocking-sleep",
        "1  AIO404  [*] request-helper-misuse",
    ]
    rules = subprocess.run([sys.executable, "-m", "aiolint", "rules"], capture_output=True, text=True).stdout
    marked = {line.split()[0] for line in rules.splitlines() if line.startswith("AIO") and " [*] " in line}
    assert {"AIO106", "AIO203", "AIO404", "AIO301"} <= marked and "AIO201" not in marked


def test_show_fixes_lists_the_fixes_made_per_file_and_code(tmp_path):
    (tmp_path / "client.py").write_text(EVERYTHING)
    run = cli("--fix", "--show-fixes", "client.py", cwd=tmp_path)
    assert run.stderr.startswith("Fixed 3 findings:\n- client.py:\n    1 \u00d7 AIO106 (close-not-awaited)\n"
                                 "    1 \u00d7 AIO203 (numeric-timeout)\n    1 \u00d7 AIO404 (request-helper-misuse)\n")
    nothing = cli("--fix", "--show-fixes", "client.py", cwd=tmp_path)
    assert nothing.stderr.startswith("No fixes made.\n")
