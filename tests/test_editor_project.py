"""Standard input named as a file, and a document open in the language server, are that file of its project:
what they ask about other files is answered from what aiolint's cache knows of them, as for ``aiolint FILE``;
with nothing cached, or no cache, those findings are missed, never made up."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from .conftest import FIXTURES
from .test_lsp import diagnostics_published, open_document

COG = "bot/cogs/one.py"  # its AIO401 needs bot/client.py, which stores a session as `http_session`
COG_FINDING = (9, "AIO401")
# The cog as an editor may hold it: a second class stores something else as `http_session`.
NOT_A_SESSION = "\n\nclass Pool:\n    def __init__(self, pool):\n        self.http_session = pool\n"


def aiolint(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aiolint", "--isolated", "--output-format", "json", *args],
                          cwd=cwd, input=stdin, capture_output=True, text=True)


def findings(run: subprocess.CompletedProcess) -> list:
    assert run.returncode in (0, 1), run.stderr
    return [(item["line"], item["code"]) for item in json.loads(run.stdout)]


@pytest.fixture
def bot(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "projects" / "bot", tmp_path / "bot"))


def test_standard_input_named_as_a_file_answers_from_the_cached_project(bot):
    text = (bot / COG).read_text()
    assert findings(aiolint("-", "--stdin-filename", COG, cwd=bot, stdin=text)) == []  # nothing cached yet
    assert COG_FINDING in findings(aiolint(".", cwd=bot))  # fills the cache
    assert findings(aiolint("-", "--stdin-filename", COG, cwd=bot, stdin=text)) == [COG_FINDING]
    assert findings(aiolint("--no-cache", "-", "--stdin-filename", COG, cwd=bot, stdin=text)) == []
    assert findings(aiolint("-", cwd=bot, stdin=text)) == []  # unnamed: nowhere in the project


def test_the_text_given_takes_the_place_of_the_file_on_disk(bot):
    aiolint(".", cwd=bot)
    edited = (bot / COG).read_text() + NOT_A_SESSION
    assert findings(aiolint("-", "--stdin-filename", COG, cwd=bot, stdin=edited)) == []  # `http_session` is two kinds
    (bot / COG).write_text(edited)
    assert findings(aiolint("--no-cache", COG, cwd=bot)) == []  # as the whole project says once the file is saved
    assert findings(aiolint("--no-cache", ".", cwd=bot)) == []


def test_standard_input_fixed_within_its_project(bot):
    """``--fix`` on standard input lints each fixed text within the project too: the finding stays reported."""
    aiolint(".", cwd=bot)
    run = subprocess.run([sys.executable, "-m", "aiolint", "--isolated", "--fix", "-", "--stdin-filename", COG],
                         cwd=bot, input=(bot / COG).read_text(), capture_output=True, text=True)
    assert run.returncode == 1 and run.stdout == (bot / COG).read_text()
    assert f"{COG}:9:9: AIO401" in run.stderr


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "aiolint", "server"]))
async def client(lsp_client: LanguageClient, tmp_path):
    shutil.copytree(FIXTURES / "projects" / "bot", tmp_path, dirs_exist_ok=True)
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri=tmp_path.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="bot")]))
    yield
    await lsp_client.shutdown_session()


async def change(client: LanguageClient, uri: str, version: int, text: str) -> list:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
    await diagnostics_published(client)
    return shown(client.diagnostics[uri])


def shown(diagnostics) -> list:
    return [(d.range.start.line + 1, d.code) for d in diagnostics]


@pytest.mark.asyncio
async def test_the_language_server_answers_from_the_cached_project(client: LanguageClient, tmp_path):
    text = (tmp_path / COG).read_text()
    uri, found = await open_document(client, tmp_path / COG, text)
    assert shown(found) == []  # nothing cached yet
    # Run from the server's own directory, so that both import the same aiolint and share its cache build.
    filled = aiolint("--cache-dir", str(tmp_path / ".aiolint_cache"), str(tmp_path), cwd=Path.cwd())
    assert COG_FINDING in findings(filled)
    assert await change(client, uri, 2, text) == [COG_FINDING]
    assert await change(client, uri, 3, text + NOT_A_SESSION) == []  # the buffer stores something else there too
