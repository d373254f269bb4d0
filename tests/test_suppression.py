"""``# noqa`` on a line and ``# aiolint: noqa`` for a file, through the real engine."""

from __future__ import annotations

import textwrap

import pytest

from aiolint.diagnostics import Diagnostic
from aiolint.engine import lint_source
from aiolint.suppression import split_suppressed

from .rule_probes import CallProbe


def lint(source):
    """(kept lines, suppressed count) for a file linted with the probe that reports every resolved call."""
    result = lint_source(textwrap.dedent(source), "t.py", [CallProbe])
    return [d.line for d in result.diagnostics], sum(result.suppressed.values())


def diagnostic(code, line=1):
    return Diagnostic("t.py", line, 1, line, 2, code, "name", "message")


@pytest.mark.parametrize("comment", [
    "# noqa", "#noqa", "# NOQA", "# noqa: AIO990", "# noqa:AIO990", "# noqa:  aio990", "# noqa: AIO99",
    "# noqa: AIO9", "# noqa: AIO101,AIO990", "# noqa: AIO101, AIO990", "# noqa: E501 AIO990",
    "# noqa: AIO990 the sleep is the point of this test", "# type: ignore  # noqa: AIO990",
])
def test_line_noqa_silences_matching_codes(comment):
    assert lint(f"import time\ntime.sleep(1)  {comment}\n") == ([], 1)


@pytest.mark.parametrize("comment", ["# noqa: AIO101", "# noqa: E501", "# noqa: AIO1,AIO2", "# no qa", "# aiolint: noqa"])
def test_line_noqa_for_other_codes_does_not_silence(comment):
    assert lint(f"import time\ntime.sleep(1)  {comment}\n") == ([2], 0)


def test_prose_after_the_codes_does_not_widen_the_suppression():
    source = "x  # noqa: AIO301 a deliberate wait\n"
    kept, suppressed = split_suppressed([diagnostic("AIO301"), diagnostic("AIO501")], source)
    assert [d.code for d in kept] == ["AIO501"]
    assert [d.code for d in suppressed] == ["AIO301"]


def test_noqa_applies_to_the_line_where_the_finding_starts_inside_a_multiline_statement():
    kept, suppressed = lint("""\
        import os, time
        os.path.join(
            time.sleep(1),  # noqa: AIO990
            "x",
        )  # noqa
        """)
    # the join starts on line 2: the noqa on its closing line does not reach it
    assert (kept, suppressed) == ([2], 1)


def test_noqa_on_another_line_does_not_silence():
    assert lint("import time  # noqa\ntime.sleep(1)\n") == ([2], 0)


def test_file_noqa_silences_the_whole_file():
    assert lint("""\
        # aiolint: noqa
        import time
        time.sleep(1)
        time.sleep(2)
        """) == ([], 2)


def test_file_noqa_with_a_code_silences_that_code_only():
    source = "# aiolint: noqa: AIO301\nx = 1\n"
    kept, suppressed = split_suppressed([diagnostic("AIO301", 2), diagnostic("AIO501", 2)], source)
    assert [d.code for d in kept] == ["AIO501"]
    assert [d.code for d in suppressed] == ["AIO301"]
    assert lint("import time\n# AIOLINT: NOQA: aio99\ntime.sleep(1)\n") == ([], 1)  # prefixes, any case


def test_file_noqa_must_be_on_its_own_line():
    assert lint("import time\ntime.sleep(1)\nx = 1  # aiolint: noqa\n") == ([2], 0)


def test_the_tools_own_codes_are_never_suppressed():
    result = lint_source("# aiolint: noqa\ndef broken(:  # noqa\n    pass\n", "t.py", [CallProbe])
    assert [(d.line, d.code) for d in result.diagnostics] == [(2, "AIO001")]
    kept, _ = split_suppressed([diagnostic("AIO002")], "# aiolint: noqa\n")
    assert [d.code for d in kept] == ["AIO002"]


def test_suppressed_findings_are_counted_by_code():
    result = lint_source("import time, os\ntime.sleep(1)  # noqa\nos.getcwd()  # noqa\n", "t.py", [CallProbe])
    assert result.diagnostics == []
    assert result.suppressed == {"AIO990": 2}
