"""AIO401/AIO403/AIO405 cases the fixtures do not show well: module-level code run with top-level
``await`` (a notebook, ``python -m asyncio``)."""

from __future__ import annotations

import textwrap

from aiolint.engine import lint_source
from aiolint.rules.responses import ResponseNotClosed, ResponseUnreadOnSomePath, ResponseUsedAfterClose


def findings(source):
    result = lint_source(textwrap.dedent(source), "notebook.py", [ResponseNotClosed, ResponseUnreadOnSomePath])
    assert result.failures == []
    return [(d.line, d.code) for d in result.diagnostics]


def test_a_top_level_response_is_followed_like_a_function_s():
    assert findings("""
        import aiohttp
        session: aiohttp.ClientSession
        resp = await session.get("https://example.com")
        print(resp.status)
    """) == [(4, "AIO401")]


def test_a_top_level_session_block_closes_its_responses():
    assert findings("""
        import aiohttp
        async with aiohttp.ClientSession() as session:
            resp = await session.get("https://example.com")
            print(resp.status)
    """) == []


def test_a_top_level_read_after_its_block_is_reported():
    result = lint_source(textwrap.dedent("""
        import aiohttp
        session: aiohttp.ClientSession
        async with session.get("https://example.com") as resp:
            print(resp.status)
        print(await resp.text())
    """), "notebook.py", [ResponseUsedAfterClose])
    assert result.failures == []
    assert [(d.line, d.code) for d in result.diagnostics] == [(6, "AIO403")]
