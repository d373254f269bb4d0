"""The README's promises: its rule table is the registry's, its commands are the ones CI runs."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys

from aiolint.cli import rules_table
from aiolint.reporters import REPORTERS

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_rule_table_matches_registry():
    block = re.search(r"<!-- rules-table:start -->\n(.*?)<!-- rules-table:end -->", README, re.S)
    assert block, "README lost its rule-table markers"
    assert block.group(1) == rules_table("markdown"), "stale table: run `python docs/update_readme.py`"


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"^(python3 -m venv .*)$", README, re.M)
    assert len(commands) == 2, "the set-up is exactly two commands"
    demo, tests = commands
    assert demo.endswith("aiolint fixtures/")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines()


# -- every flag and format is documented, and the examples run ------------------------------------

def sh_examples():
    """The ``aiolint ...`` lines of the README's shell blocks, without their comments or pipes."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", README, re.S):
        for line in block.splitlines():
            if line.startswith("aiolint "):
                command = re.split(r"\s+#\s", line, maxsplit=1)[0].split(" | ")[0]
                commands.append(shlex.split(command)[1:])
    return commands


def test_every_option_and_output_format_is_in_the_readme():
    from aiolint.cli import main

    for name in ("check", "rules"):
        command = main.commands[name]
        for param in command.params:
            for option in [*param.opts, *param.secondary_opts]:
                if option.startswith("-"):
                    assert re.search(re.escape(option) + r"\b", README), f"{name} {option} is not in the README"
    formats = README.split("chooses another form:", 1)[1].split("\n\n", 2)[1]
    assert sorted(re.findall(r"^\| `([a-z-]+)` \|", formats, re.M)) == sorted(REPORTERS)
    assert set(main.commands) <= set(re.findall(r"^aiolint ([a-z]+)\b", README, re.M)) | {"check"}


def test_the_readme_examples_run(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.aiolint]\n")
    (tmp_path / "src").mkdir()
    for fixture in (ROOT / "fixtures").glob("*.py"):
        shutil.copy(fixture, tmp_path / "src" / fixture.name)
    (tmp_path / "src" / "x.py").write_text("import time\n\nasync def f():\n    time.sleep(1)\n")
    examples = sh_examples()
    assert len(examples) > 20
    ran = 0
    for args in examples:
        if args[:1] == ["server"]:
            continue  # tests/test_lsp.py drives it with a real client
        run = subprocess.run([sys.executable, "-m", "aiolint", *args], cwd=tmp_path, capture_output=True,
                             text=True, input="import time\n", timeout=600)
        assert run.returncode in (0, 1), f"aiolint {' '.join(args)}: exit {run.returncode}\n{run.stderr}"
        assert "Error:" not in run.stderr and "Traceback" not in run.stderr, run.stderr
        ran += 1
    assert ran == len(examples) - 1


def test_the_readme_baseline_example_is_a_baseline(tmp_path):
    from aiolint.baseline import read_baseline

    section = README.split("## Adopting aiolint on an existing project", 1)[1]
    (tmp_path / "b.json").write_text(section.split("```json\n", 1)[1].split("```", 1)[0])
    assert [e.code for e in read_baseline(str(tmp_path / "b.json"))] == ["AIO301"]


def test_the_release_is_the_version_the_readme_installs():
    from aiolint import __version__

    assert f"rev: v{__version__}\n" in README
    assert f"git+https://github.com/OWNER/aiolint@v{__version__}" in README
