"""``aiolint server`` end to end: a real LSP client (pytest-lsp) drives the real server process."""

from __future__ import annotations

import asyncio
import sys

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from .conftest import POLL_EXAMPLE

DIAGNOSTICS = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS


async def diagnostics_published(client: LanguageClient) -> None:
    # A bound so that a server that never answers fails the test instead of hanging the suite.
    await asyncio.wait_for(client.wait_for_notification(DIAGNOSTICS), timeout=120)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "aiolint", "server"]))
async def client(lsp_client: LanguageClient, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.aiolint]\n")
    (tmp_path / "quiet").mkdir()
    (tmp_path / "quiet" / "pyproject.toml").write_text('[tool.aiolint]\nignore = ["AIO503"]\n')
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri=tmp_path.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="project")]))
    yield
    await lsp_client.shutdown_session()


async def open_document(client: LanguageClient, path, text: str):
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
    await diagnostics_published(client)
    return uri, client.diagnostics[uri]


@pytest.mark.asyncio
async def test_diagnostics_quick_fixes_and_noqa_actions(client: LanguageClient, tmp_path):
    uri, found = await open_document(client, tmp_path / "poll.py", POLL_EXAMPLE)
    assert [(d.code, d.range.start.line, d.range.start.character) for d in found] == [
        ("AIO301", 4, 4), ("AIO503", 9, 4)]
    sleep = found[0]
    assert sleep.source == "aiolint" and sleep.message.endswith("(blocking-sleep)")
    assert sleep.code_description is None  # no links
    assert (sleep.range.end.line, sleep.range.end.character) == (4, len("    time.sleep(1)"))

    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=sleep.range,
        context=types.CodeActionContext(diagnostics=[sleep])))
    by_title = {action.title: action for action in actions}
    fix = by_title["Fix AIO301 (blocking-sleep) (unsafe: may change behaviour)"]
    edits = fix.edit.changes[uri]
    assert [edit.new_text for edit in edits if "sleep" in edit.new_text] == ["await asyncio.sleep"]
    assert fix.is_preferred is False  # unsafe: not applied by "fix all" editors
    (noqa,) = by_title["Disable AIO301 for this line"].edit.changes[uri]
    assert noqa.new_text == "    time.sleep(1)  # noqa: AIO301"
    assert (noqa.range.start.line, noqa.range.start.character, noqa.range.end.character) == (4, 0, 17)

    # The editor applies the noqa action: the change is linted again.
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangePartial(range=noqa.range, text=noqa.new_text)]))
    await diagnostics_published(client)
    assert [d.code for d in client.diagnostics[uri]] == ["AIO503"]


@pytest.mark.asyncio
async def test_each_file_gets_its_own_configuration_and_utf16_positions(client: LanguageClient, tmp_path):
    _, found = await open_document(client, tmp_path / "quiet" / "poll.py", POLL_EXAMPLE)
    assert [d.code for d in found] == ["AIO301"]  # quiet/pyproject.toml ignores AIO503

    source = "import time\n\nasync def f():\n    s = '🎉'; time.sleep(1)\n"
    _, found = await open_document(client, tmp_path / "wide.py", source)
    (sleep,) = found
    # The emoji is one code point but two UTF-16 units: LSP's default encoding.
    assert (sleep.range.start.line, sleep.range.start.character) == (3, len("    s = '🎉'; ") + 1)


@pytest.mark.asyncio
async def test_save_and_a_syntax_error(client: LanguageClient, tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("def f(:\n")
    uri, found = await open_document(client, path, "def f(:\n")
    assert [d.code for d in found] == ["AIO001"]
    client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    await diagnostics_published(client)
    assert [d.code for d in client.diagnostics[uri]] == ["AIO001"]
