"""AIO401 response-not-closed and AIO405 response-unread-on-some-path: what the fixtures cannot show."""

from __future__ import annotations

import textwrap

import pytest

from aiolint.engine import lint_source
from aiolint.rules.responses import ResponseNotClosed, ResponseUnreadOnSomePath


def lint(source, path="t.py"):
    result = lint_source(textwrap.dedent(source), path, [ResponseNotClosed, ResponseUnreadOnSomePath])
    assert result.failures == []
    return result.diagnostics


def lines(body, header="async def f(session: aiohttp.ClientSession, url, helper):"):
    """Lines reported in ``body``, the indented body of a function with a known session."""
    source = "import aiohttp\n" + header + "\n" + textwrap.indent(textwrap.dedent(body).lstrip("\n"), "    ")
    return [d.line for d in lint(source)]


def test_message_names_the_response_and_the_fix():
    [finding] = lint("""
        import aiohttp
        async def f(http: aiohttp.ClientSession, url):
            resp = await http.post(url)
            return resp.ok
    """)
    assert finding.code == "AIO401"
    assert finding.message == (
        "Response `resp` is never read, released or closed: if its body does not arrive in full by itself "
        "(a large download, a stream, a slow server), it keeps its pooled connection until it is "
        "garbage-collected; use `async with http.post(...) as resp:` or read its body.")
    assert (finding.line, finding.column) == (4, 5)


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


def messages(body):
    source = "import aiohttp\nasync def f(session: aiohttp.ClientSession, url, helper, urls):\n" + \
        textwrap.indent(textwrap.dedent(body).lstrip("\n"), "    ")
    return [(d.line, d.message) for d in lint(source)]


def test_an_early_return_that_leaves_it_unread_is_reported_with_its_line():
    [(line, message)] = messages("""
        r = await session.get(url)
        if r.status != 200:
            return None
        return await r.json()
    """)
    assert line == 3
    assert message == (
        "Response `r` is read or released on some paths, but the `return` on line 5 leaves it unread and "
        "unreleased: if its body does not arrive in full by itself (a large download, a stream, a slow "
        "server), it keeps its pooled connection until it is garbage-collected; use "
        "`async with session.get(...) as r:`, or release it on that path.")


@pytest.mark.parametrize("body, exit", [
    ("r = await session.get(url)\nif not r.ok:\n    raise RuntimeError(r.reason)\nreturn await r.text()\n",
     "the `raise` on line 5"),
    ("for url in urls:\n    r = await session.get(url)\n    if r.status == 404:\n        continue\n"
     "    print(await r.json())\n", "the `continue` on line 6"),
    ("r = await session.get(url)\nif r.status == 200:\n    return await r.json()\n",
     "the path that runs off the end of the function"),
    ("for url in urls:\n    r = await session.get(url)\n    if r.ok:\n        print(await r.text())\n",
     "the path that goes on to the loop's next pass"),
    ("r = await session.get(url)\nif r.status == 401:\n    return None\nelif r.status == 404:\n    return {}\n"
     "return await r.json()\n", "the `return` on line 5 (and 1 other way out)"),
    # A status without a body releases its connection at once: only the other ways out count.
    ("r = await session.get(url)\nif r.status == 204:\n    return None\nelif r.status == 404:\n    return {}\n"
     "return await r.json()\n", "the `return` on line 7"),
    ("r = await session.get(url)\nif r.status == HTTPStatus.NOT_MODIFIED:\n    return None\nreturn await r.json()\n",
     None),
    ("r = await session.get(url); return r.status if r.status != 200 else await r.text()\n", None),
    # A test of what was read from the response looks at the response.
    ("r = await session.get(url)\nstatus = r.status\nif status == 200:\n    return await r.json()\n"
     "if status == 401:\n    return None\nprint(status)\n", "the `return` on line 8 (and 1 other way out)"),
])
def test_each_way_out_is_named(body, exit):
    found = messages(body)
    if exit is None:
        assert found == []
    else:
        [(_, message)] = found
        assert f"but {exit} leaves it unread" in message


@pytest.mark.parametrize("body", [
    # Every path reads, releases or hands it on.
    "r = await session.get(url)\nif r.status != 200:\n    r.release()\n    return None\nreturn await r.json()\n",
    "r = await session.get(url)\nif r.status != 200:\n    raise ApiError(await r.text())\nreturn await r.json()\n",
    "r = await session.get(url)\nif r.status != 200:\n    return r\nreturn await r.json()\n",
    "r = await session.get(url)\nif r.status != 200:\n    raise ApiError(r)\nreturn await r.json()\n",
    "r = await session.get(url)\nif r.status == 200:\n    return await r.json()\nelse:\n    r.close()\n",
    # raise_for_status() releases the response it raises for: no path leaves it.
    "r = await session.get(url)\nr.raise_for_status()\nreturn await r.json()\n",
    # A finally that releases covers every way out of its try.
    "r = await session.get(url)\ntry:\n    if r.status != 200:\n        return None\n    return await r.json()\n"
    "finally:\n    r.release()\n",
    "r = await session.get(url)\nasync with r:\n    if r.status != 200:\n        return None\n",
    # A raise inside a try with handlers may be caught: not followed.
    "r = await session.get(url)\ntry:\n    if r.status != 200:\n        raise ValueError\n    data = await r.json()\n"
    "except ValueError:\n    data = await r.text()\nreturn data\n",
    # A break goes on after the loop, where it is read.
    "for url in urls:\n    r = await session.get(url)\n    if r.ok:\n        break\n    await r.read()\n"
    "return await r.json()\n",
    # A loop that reads is taken to run.
    "r = await session.get(url)\nwhile True:\n    chunk = await r.content.read(10)\n    if not chunk:\n        break\n",
    # A read under a test of something else: whether the other outcome can happen here is not known.
    "failed = helper()\nr = await session.get(url)\nif failed is True:\n    print('no')\nelif failed is False:\n"
    "    print(await r.json())\n",
    # Every way out of the session's block closes the session and its connections.
    "async with aiohttp.ClientSession() as own:\n    r = await own.get(url)\n    if r.status != 200:\n"
    "        return None\n    return await r.json()\n",
    # Bound again: what the name held before is out of sight.
    "r = await session.get(url)\nif r.status == 302:\n    r = await session.get(r.headers['Location'])\n"
    "return await r.json()\n",
])
def test_paths_that_read_release_or_hand_it_on_are_clean(body):
    assert messages(body) == []


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


@pytest.mark.parametrize("rule", [ResponseNotClosed, ResponseUnreadOnSomePath])
def test_documentation_has_every_section(rule):
    sections = rule.doc_sections()
    assert list(sections) == ["What it does", "Why is this bad?", "Example", "Use instead", "Known limits"]
    assert "Test code is not checked: test modules" in sections["Known limits"]


def test_per_path_findings_are_their_own_code_and_off_by_default():
    assert ResponseNotClosed.default_enabled and not ResponseUnreadOnSomePath.default_enabled
    assert ResponseUnreadOnSomePath.doc_sections()["Known limits"].startswith("This rule is off by default")
    found = lint("""
        import aiohttp
        async def f(session: aiohttp.ClientSession, url):
            never = await session.get(url)
            sometimes = await session.get(url)
            if sometimes.status != 200:
                return never.status
            return await sometimes.json()
    """)
    assert [(d.line, d.code) for d in found] == [(4, "AIO401"), (5, "AIO405")]


@pytest.mark.parametrize("block", [
    "async with aiohttp.ClientSession() as own:",
    "async with aiohttp.ClientSession(trust_env=True) as own, lock:",
    "own = aiohttp.ClientSession()\nasync with own:",
])
@pytest.mark.parametrize("use", [
    "    r = await own.get(url)\n    return r.status\n",  # never read: AIO401's form
    "    r = await own.get(url)\n    if r.status != 200:\n        return None\n    return await r.json()\n",  # AIO405's
])
def test_a_response_inside_its_own_sessions_block_is_not_held_until_collected(block, use):
    assert messages(f"{block}\n{use}") == []


def test_a_block_of_another_session_does_not_close_this_ones_connection():
    assert lines("""
        async with aiohttp.ClientSession() as other:
            r = await session.get(url)
            return r.status
    """) == [4]


@pytest.mark.parametrize("path, header", [
    ("tests/test_client.py", "async def fetch(session: aiohttp.ClientSession, url):"),
    ("conftest.py", "async def fetch(session: aiohttp.ClientSession, url):"),
    ("client_test.py", "async def fetch(session: aiohttp.ClientSession, url):"),
    ("pkg/client.py", "async def test_fetch(session: aiohttp.ClientSession, url):"),
    ("pkg/client.py", "@pytest.fixture\nasync def fetch(session: aiohttp.ClientSession, url):"),
])
@pytest.mark.parametrize("body", [
    "    r = await session.get(url)\n    return r.status\n",
    "    r = await session.get(url)\n    if r.status != 200:\n        return None\n    return await r.json()\n",
])
def test_test_code_is_left_out(path, header, body):
    source = f"import aiohttp\nimport pytest\n{header}\n{body}"
    assert lint(source, path) == []
    assert len(lint(source.replace("test_fetch", "fetch").replace("@pytest.fixture\n", ""), "pkg/client.py")) == 1


def test_an_annotated_assignment_is_followed_too():
    assert lines("""
        r: aiohttp.ClientResponse = await session.get(url)
        return r.status
    """) == [3]
