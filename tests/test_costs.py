"""aiolint's own work grows with its input, not with its square: measured by counting work within
one test on two sizes of input, never by wall-clock time."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from aiolint.positions import positions


class CountingSource(str):
    """A source that counts the characters its searches may read."""

    read = 0

    def find(self, sub, start=0, *rest):  # type: ignore[override]
        CountingSource.read += len(self) - min(start, len(self))
        return super().find(sub, start, *rest)


def reported_calls(functions: int):
    """A module of ``functions`` coroutines that each hold one reported call, with the calls and the
    top-level statement of each (as the engine records them)."""
    source = "import time\n" + "".join(f"\nasync def f{n}():\n    time.sleep({n})\n" for n in range(functions))
    module = cst.parse_module(source)
    statements = {}
    for statement in module.body[1:]:
        call = statement.body.body[0].body[0].value
        statements[call] = statement
    return source, module, statements


def characters_read(functions: int) -> int:
    source, module, statements = reported_calls(functions)
    CountingSource.read = 0
    found = positions(module, list(statements), CountingSource(source), statements)
    assert len(found) == functions
    return CountingSource.read


def test_positions_read_the_source_a_bounded_number_of_times():
    """Twice the statements with findings, at most about twice the reading (each was found by
    searching the whole source: four times)."""
    small, large = characters_read(3000), characters_read(6000)
    assert large / small < 2.5


def test_positions_past_the_search_budget_are_still_true():
    source, module, statements = reported_calls(3000)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    found = positions(module, list(statements), source, statements)
    assert found == {call: expected[call] for call in statements}
