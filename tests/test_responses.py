"""AIO401 response-not-closed: what the fixture cannot show."""

from __future__ import annotations

import textwrap

import pytest

from aiolint.engine import lint_source
from aiolint.rules.responses import ResponseNotClosed


def lint(source):
    result = lint_source(textwrap.dedent(source), "t.py", [ResponseNotClosed])
    assert result.failures == []
    return result.diagnostics


def lines(body, header="async def f(session: aiohttp.ClientSession, url, helper):"):
    """Lines reported in ``body``, the indented body of a function with a known session."""
    source = "import aiohttp\n" + header + "\n" + textwrap.indent(textwrap.dedent(body).lstrip("\n"), "    ")
    return [d.line for d in lint(source)]


def test_message_names_the_response_and_the_fix():
    [finding] = lint("""
        import aiohttp
        async def f(url):
            async with aiohttp.ClientSession() as http:
                resp = await http.post(url)
                return resp.ok
    """)
    assert finding.message == (
        "Response `resp` is never read, released or closed, so it holds a pooled connection until it is "
        "garbage-collected; use `async with http.post(...) as resp:` or read its body.")
    assert (finding.line, finding.column) == (5, 9)


@pytest.mark.parametrize("use", [
    "await r.read()", "await r.text()", "await r.json()", "r.release()", "r.close()",
    "await r.wait_for_close()", "await r.content.read()", "helper(r.content)",
    "async with r:\n    pass",
])
def test_any_read_release_close_or_enter_counts(use):
    assert lines(f"r = await session.get(url)\n{use}\n") == []


@pytest.mark.parametrize("use", [
    "return r", "yield r", "helper(r)", "other = r", "self.last = r", "responses.append(r)",
    "items = [r]", "loop.call_soon(r.close)",
    "def later():\n    return r.status",
])
def test_a_response_that_escapes_is_someone_elses(use):
    assert lines(f"r = await session.get(url)\n{use}\n") == []


@pytest.mark.parametrize("use", [
    "print(r.status)", "helper(r.headers)", "r.raise_for_status()", "assert r.ok", "if r.status != 200:\n    raise ValueError(r.reason)",
])
def test_looking_at_status_and_headers_is_not_closing(use):
    assert lines(f"r = await session.get(url)\n{use}\n") == [3]


def test_a_read_in_one_branch_counts():
    # Precision over recall: one read anywhere is taken as the function handling its response.
    assert lines("""
        r = await session.get(url)
        if r.status == 200:
            return await r.json()
        return None
    """) == []


@pytest.mark.parametrize("header", [
    "async def f(session, url, helper):",
    "async def f(session: 'Database', url, helper):",
])
def test_responses_of_unknown_clients_are_not_followed(header):
    assert lines("r = await session.get(url)\nreturn r.status\n", header) == []


def test_response_of_a_session_on_self():
    assert lint("""
        import aiohttp
        class Client:
            async def start(self):
                self.http = aiohttp.ClientSession()
            async def ping(self, url):
                r = await self.http.options(url)
                return r.status
    """)[0].line == 7


def test_only_a_plain_local_name_is_followed():
    assert lines("""
        self.r = await session.get(url)
        first, second = await session.get(url), None
        await session.post(url)
    """) == []


@pytest.mark.parametrize("method", ["head(url)", 'request("HEAD", url)', "request('head', url)"])
def test_head_responses_release_themselves(method):
    assert lines(f"r = await session.{method}\nreturn r.status\n") == []


def test_documentation_has_every_section():
    sections = ResponseNotClosed.doc_sections()
    assert list(sections) == ["What it does", "Why is this bad?", "Example", "Use instead", "Known limits"]


def test_an_annotated_assignment_is_followed_too():
    assert lines("""
        r: aiohttp.ClientResponse = await session.get(url)
        return r.status
    """) == [3]
