"""``aiolint server``: the Language Server Protocol over standard input and output.

Diagnostics on open, change and save (code, rule name, message: no links); quick fixes
for findings that have one; "disable for this line" (``# noqa: CODE``) actions. Each
document is linted with the settings the command line would use for its file (the
closest configuration above it), as that file of its project: what it asks about the other
files is answered from aiolint's cache, as for ``aiolint FILE``. Needs ``pygls``:
``pip install 'aiolint[server]'``.
"""

from __future__ import annotations

import os
from typing import Dict, List, Optional, Tuple
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import ServerTextPosition, ServerTextRange

from . import __version__
from .config import ConfigError, Settings, load_settings
from .diagnostics import TOOL_CODES, Diagnostic, Edit
from .discovery import FileFilter
from .noqa import commentable_lines, with_noqa
from .suppression import lines_with_ends

SOURCE = "aiolint"


class AiolintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("aiolint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.findings: Dict[str, Tuple[Optional[int], List[Diagnostic]]] = {}  # uri -> (version, findings)


server = AiolintServer()


def workspace_root(ls: AiolintServer) -> str:
    root = ls.workspace.root_path if ls.workspace is not None else None
    return root or os.getcwd()


def document_path(ls: AiolintServer, document: TextDocument) -> str:
    """The file's path; an unsaved buffer is linted as a file of that name in the workspace root."""
    if document.path:
        return document.path
    name = os.path.basename(unquote(urlparse(document.uri).path)) or "untitled.py"
    return os.path.join(workspace_root(ls), name)


def settings_for(ls: AiolintServer, path: str) -> Optional[Settings]:
    """The settings of the workspace, read afresh (an edited configuration applies at once); None if they
    exclude this file."""
    settings = load_settings(cwd=workspace_root(ls))
    if FileFilter(settings.for_file(path)).force_excluded(path):
        return None
    return settings


def lint_document(ls: AiolintServer, uri: str) -> None:
    """Lint the document as it stands in the editor; what it asks about the other files of its project is
    answered from what aiolint's cache knows of them (a run of ``aiolint`` fills it)."""
    from .runner import SettingsCache, lint_text

    document = ls.workspace.get_text_document(uri)
    path = document_path(ls, document)
    try:
        settings = settings_for(ls, path)
    except ConfigError as exc:
        ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=f"aiolint: {exc}"))
        return
    found: List[Diagnostic] = []
    if settings is not None:
        result = lint_text(document.source, path, settings, SettingsCache(settings))
        found = result.diagnostics
        for failure in result.failures:
            ls.window_log_message(types.LogMessageParams(
                type=types.MessageType.Error, message=f"aiolint: rule {failure.code} failed on {path}: {failure.error}"))
    ls.findings[uri] = (document.version, found)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
        uri=uri, version=document.version, diagnostics=[to_lsp(document, d) for d in found]))


def client_range(document: TextDocument, line: int, column: int, end_line: int, end_column: int) -> types.Range:
    """1-based code-point positions -> the client's units (UTF-16 unless negotiated otherwise)."""
    lines = document.lines
    last = max(len(lines) - 1, 0)

    def position(line: int, column: int) -> ServerTextPosition:
        line = min(max(line - 1, 0), last + 1)
        return ServerTextPosition(line, max(column - 1, 0))

    return document.range_to_client_units(ServerTextRange(position(line, column), position(end_line, end_column)))


def to_lsp(document: TextDocument, d: Diagnostic) -> types.Diagnostic:
    return types.Diagnostic(
        range=client_range(document, d.line, d.column, d.end_line, d.end_column),
        message=f"{d.message} ({d.name})",
        severity=types.DiagnosticSeverity.Error if d.code in TOOL_CODES else types.DiagnosticSeverity.Warning,
        code=d.code,
        source=SOURCE,
        data={"name": d.name, "fixable": d.fix is not None},
    )


def text_edit(document: TextDocument, edit: Edit) -> types.TextEdit:
    return types.TextEdit(range=client_range(document, edit.line, edit.column, edit.end_line, edit.end_column),
                          new_text=edit.content)


def code_actions(ls: AiolintServer, params: types.CodeActionParams) -> List[types.CodeAction]:
    uri = params.text_document.uri
    document = ls.workspace.get_text_document(uri)
    version, found = ls.findings.get(uri, (None, []))
    if version != document.version:
        lint_document(ls, uri)
        version, found = ls.findings.get(uri, (None, []))
    first, last = params.range.start.line + 1, params.range.end.line + 1
    wanted = params.context.only
    actions: List[types.CodeAction] = []
    lines = lines_with_ends(document.source)
    commentable = commentable_lines(document.source)
    for d in found:
        if d.end_line < first or d.line > last:
            continue
        diagnostic = to_lsp(document, d)
        if d.fix is not None:
            unsafe = " (unsafe: may change behaviour)" if d.fix.applicability == "unsafe" else ""
            actions.append(types.CodeAction(
                title=f"Fix {d.code} ({d.name}){unsafe}", kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic], is_preferred=d.fix.applicability == "safe",
                edit=types.WorkspaceEdit(changes={uri: [text_edit(document, e) for e in d.fix.edits]})))
        if d.code not in TOOL_CODES and d.line in commentable and d.line <= len(lines):
            line = lines[d.line - 1]
            body = line.rstrip("\r\n")
            commented = with_noqa(body, [d.code])
            actions.append(types.CodeAction(
                title=f"Disable {d.code} for this line", kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                edit=types.WorkspaceEdit(changes={uri: [
                    text_edit(document, Edit(d.line, 1, d.line, len(body) + 1, commented))]})))
    if wanted:
        actions = [a for a in actions if any(a.kind and a.kind.value.startswith(kind.value) for kind in wanted)]
    return actions


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: AiolintServer, params: types.DidOpenTextDocumentParams) -> None:
    lint_document(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: AiolintServer, params: types.DidChangeTextDocumentParams) -> None:
    lint_document(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: AiolintServer, params: types.DidSaveTextDocumentParams) -> None:
    lint_document(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: AiolintServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.findings.pop(params.text_document.uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
def code_action(ls: AiolintServer, params: types.CodeActionParams) -> List[types.CodeAction]:
    return code_actions(ls, params)


def serve() -> None:
    server.start_io()
