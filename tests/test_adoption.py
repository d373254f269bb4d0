"""Adopting aiolint on existing code: a baseline of accepted findings, ``--add-noqa``.

Real processes on a real git repository, edited as a project is between two runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from aiolint.fingerprints import identities
from aiolint.diagnostics import Diagnostic
from aiolint.noqa import with_noqa

CLIENT = textwrap.dedent('''\
    import asyncio
    import time

    import aiohttp


    async def poll(url):
        time.sleep(1)
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
                await session.get(url)
        except Exception:
            return None


    async def wait():
        time.sleep(2)


    class Worker:
        async def run(self):
            time.sleep(3); input("state")
            time.sleep(3)
''')


def aiolint(*args, cwd):
    return subprocess.run([sys.executable, "-m", "aiolint", "--no-cache", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


def git(*args, cwd):
    return subprocess.run(["git", "-c", "user.email=dev@example.com", "-c", "user.name=dev", *args],
                          capture_output=True, text=True, cwd=cwd, check=True).stdout


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.aiolint]\nextend-select = ["AIO501"]\n')
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "client.py").write_text(CLIENT)
    (tmp_path / "app" / "other.py").write_text("import time\n\nasync def f():\n    time.sleep(1)\n")
    git("init", "-q", cwd=tmp_path)
    git("add", "-A", cwd=tmp_path)
    git("commit", "-qm", "start", cwd=tmp_path)
    return tmp_path


def test_baseline_keeps_old_findings_through_edits_and_reports_the_new_one_and_the_stale_one(project):
    written = aiolint("--write-baseline", "baseline.json", ".", cwd=project)
    assert written.returncode == 0, written.stderr
    assert "Wrote 7 findings" in written.stderr
    assert aiolint("--baseline", "baseline.json", ".", cwd=project).returncode == 0

    client = project / "app" / "client.py"
    text = client.read_text()
    wait = text[text.index("async def wait"):text.index("class Worker")]
    text = text.replace(wait, "")  # move wait() to the end of the file
    text = "# a new header\n\n\n" + text + "\n\n" + wait
    text = text.replace("    time.sleep(1)\n", "    await asyncio.sleep(1)\n")  # fix one finding
    text += "\n\nasync def later():\n    time.sleep(9)\n"  # a new anti-pattern
    client.write_text(text)

    run = aiolint("--baseline", "baseline.json", "--output-format", "json", ".", cwd=project)
    assert run.returncode == 1
    assert [(d["code"], d["line"]) for d in json.loads(run.stdout)] == [("AIO301", text.count("\n"))]
    assert "6 in the baseline" in run.stderr
    assert "1 stale baseline entry" in run.stderr


def test_baseline_file_is_sorted_json_with_project_relative_paths(project):
    subdir = project / "app"
    aiolint("--write-baseline", "../baseline.json", ".", cwd=subdir)  # from a subdirectory: still root-relative
    data = json.loads((project / "baseline.json").read_text())
    assert data["version"] == 1
    entries = data["findings"]
    assert {e["path"] for e in entries} == {"app/client.py", "app/other.py"}
    keys = [(e["path"], e["code"], e["scope"], e["source"], e["occurrence"]) for e in entries]
    assert keys == sorted(keys)
    assert ("app/client.py", "AIO301", "Worker.run", "time . sleep ( 3 )", 2) in keys
    assert not any("line" in e for e in entries)
    again = (project / "baseline.json").read_text()
    aiolint("--write-baseline", "baseline.json", ".", cwd=project)
    assert (project / "baseline.json").read_text() == again  # stable: a rewrite changes nothing


def test_baseline_of_a_partial_run_keeps_the_other_files_entries_and_calls_none_stale(project):
    aiolint("--write-baseline", "baseline.json", ".", cwd=project)
    run = aiolint("--baseline", "baseline.json", "app/other.py", cwd=project)
    assert run.returncode == 0 and "stale" not in run.stderr
    aiolint("--write-baseline", "baseline.json", "app/other.py", cwd=project)
    assert len(json.loads((project / "baseline.json").read_text())["findings"]) == 7


def test_baseline_from_the_configuration(project):
    aiolint("--write-baseline", "aiolint-baseline.json", ".", cwd=project)
    (project / "pyproject.toml").write_text(
        '[tool.aiolint]\nextend-select = ["AIO501"]\nbaseline = "aiolint-baseline.json"\n')
    assert aiolint(".", cwd=project / "app").returncode == 0


def test_a_missing_or_broken_baseline_is_a_clear_error(project):
    run = aiolint("--baseline", "nope.json", ".", cwd=project)
    assert run.returncode == 2 and "nope.json" in run.stderr and "--write-baseline" in run.stderr
    (project / "bad.json").write_text("[1, 2]")
    run = aiolint("--baseline", "bad.json", ".", cwd=project)
    assert run.returncode == 2 and "not a baseline file" in run.stderr


def test_identity_ignores_comments_and_layout():
    before = "async def f():\n    time.sleep(1)\n"
    after = "\n\nasync def f():\n    time.sleep( 1 )  # noqa: AIO301\n"
    first = Diagnostic("x.py", 2, 5, 2, 18, "AIO301", "blocking-sleep", "m")
    second = Diagnostic("x.py", 4, 5, 4, 19, "AIO301", "blocking-sleep", "m")
    assert (identities([first], ".", {"x.py": before}) == identities([second], ".", {"x.py": after}))


# -- --add-noqa ----------------------------------------------------------------------------------

@pytest.mark.parametrize("line, codes, expected", [
    ("time.sleep(1)\n", ["AIO301"], "time.sleep(1)  # noqa: AIO301\n"),
    ("time.sleep(1)\r\n", ["AIO301"], "time.sleep(1)  # noqa: AIO301\r\n"),
    ("x()  # noqa: E501\n", ["AIO301"], "x()  # noqa: E501, AIO301\n"),
    ("x()  # noqa:AIO301\n", ["AIO301"], "x()  # noqa:AIO301\n"),
    ("x()  # noqa: E501 a known wait\n", ["AIO301"], "x()  # noqa: E501, AIO301 a known wait\n"),
    ("x()  # type: ignore\n", ["AIO302", "AIO301"], "x()  # type: ignore  # noqa: AIO301, AIO302\n"),
    ("x()  # noqa\n", ["AIO301"], "x()  # noqa\n"),
])
def test_with_noqa_merges_and_never_duplicates(line, codes, expected):
    assert with_noqa(line, codes) == expected


def test_add_noqa_then_a_plain_run_is_clean_and_the_diff_only_adds_comments(project):
    client = project / "app" / "client.py"
    client.write_bytes(client.read_bytes().replace(b"\n", b"\r\n").replace(
        b"time.sleep(2)", b"time.sleep(2)  # noqa: E501"))
    git("commit", "-qam", "crlf", cwd=project)
    run = aiolint("--add-noqa", ".", cwd=project)
    assert run.returncode == 0, run.stderr
    assert "Added 7 noqa directives." in run.stderr
    assert aiolint(".", cwd=project).returncode == 0
    assert b"time.sleep(2)  # noqa: E501, AIO301\r\n" in client.read_bytes()
    assert b"\r\r" not in client.read_bytes() and client.read_bytes().count(b"\n") == client.read_bytes().count(b"\r\n")
    diff = git("diff", "-U0", cwd=project)
    removed = [line[1:] for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert len(added) == len(removed) == 6  # 7 codes on 6 lines (one line holds two findings)
    for old, new in zip(removed, added):
        assert new.startswith(old.rstrip("\r").split("  # noqa")[0]) and "noqa" in new
    assert aiolint("--add-noqa", ".", cwd=project).stderr.strip().endswith("Added 0 noqa directives.")


def test_add_noqa_leaves_lines_that_cannot_take_a_comment(tmp_path):
    source = 'import time\n\nasync def f():\n    time.sleep(1); x = """\n    """\n    time.sleep(1) + \\\n        1\n'
    (tmp_path / "x.py").write_text(source)
    run = aiolint("--add-noqa", "x.py", cwd=tmp_path)
    assert "2 lines cannot take a comment" in run.stderr
    assert (tmp_path / "x.py").read_text() == source
