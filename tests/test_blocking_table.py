"""Every entry of the blocking-call table is reported in a coroutine, under its own code."""

from __future__ import annotations

import pytest

from aiolint.engine import lint_source
from aiolint.rules import all_rules
from aiolint.semantics import blocking
from aiolint.semantics.blocking import BLOCKING_CALLS, Blocking, called_name, calls_for, method_trigger, trigger_word

from .test_snapshots import TextSnapshot

# Classes of the table whose names are not capitalised (the others are told by their capital).
LOWERCASE_CLASSES = frozenset({"socket.socket", "psycopg2.extensions.cursor", "psycopg2.extensions.connection"})


def is_method(owner: str) -> bool:
    return owner in LOWERCASE_CLASSES or ("." in owner and owner.rpartition(".")[2][:1].isupper())


def call_in_a_coroutine(name: str) -> str:
    """Source that calls ``name`` as users do: a builtin by name, a function through its module,
    a method on a parameter annotated with its class."""
    owner, _, attr = name.rpartition(".")
    if owner == "builtins":
        return f"async def f():\n    {attr}(1)\n"
    if is_method(owner):
        module = owner.rpartition(".")[0]
        return f"import {module}\n\n\nasync def f(x: {owner}):\n    x.{attr}(1)\n"
    return f"import {owner}\n\n\nasync def f():\n    {name}(1)\n"


def test_the_table_is_pinned(snapshot):
    """The whole table, one ``name code`` line per entry: an entry dropped or moved shows in review."""
    table = "".join(f"{name} {entry.code}\n" for name, entry in sorted(BLOCKING_CALLS.items()))
    assert table == snapshot.use_extension(TextSnapshot)


@pytest.mark.parametrize("name", sorted(BLOCKING_CALLS))
def test_every_blocking_call_is_reported_in_a_coroutine(name):
    source = call_in_a_coroutine(name)
    result = lint_source(source, "t.py", all_rules())
    shown = name[len("builtins."):] if name.startswith("builtins.") else name
    assert [(d.line, d.code, d.message.split(" ")[0]) for d in result.diagnostics] == [
        (source.count("\n"), BLOCKING_CALLS[name].code, f"`{shown}()`")]


@pytest.mark.parametrize("name", sorted(BLOCKING_CALLS))
def test_no_blocking_call_is_reported_in_a_plain_function(name):
    source = call_in_a_coroutine(name).replace("async def", "def")
    assert lint_source(source, "t.py", all_rules()).diagnostics == []


def test_the_words_a_file_must_contain_to_call_a_listed_name():
    assert trigger_word("os.path.exists") == "os"
    assert trigger_word("builtins.open") == "open"
    assert method_trigger("pathlib.Path.read_text") == ".read_text("
    assert method_trigger("urllib.request.OpenerDirector.open") == ".open("
    assert method_trigger("socket.socket.recv") == ".recv("
    assert method_trigger("os.path.exists") is None
    assert called_name("pathlib.Path.read_text") == "read_text"
    assert calls_for("AIO301") == {"time.sleep": "use `await asyncio.sleep()`"}


def test_the_table_is_built_from_a_module_and_its_names_each_listed_once(monkeypatch):
    """The table is filled at import, before any mutation of its builders could show: build it afresh."""
    assert blocking._functions("os", "wait waitpid") == ["os.wait", "os.waitpid"]
    monkeypatch.setattr(blocking, "BLOCKING_CALLS", {})
    blocking._add("AIO301", "sleep elsewhere", ["time.sleep"])
    assert blocking.BLOCKING_CALLS == {"time.sleep": Blocking("AIO301", "sleep elsewhere")}
    with pytest.raises(AssertionError):
        blocking._add("AIO301", "again", ["time.sleep"])
