"""The result cache: hits when nothing changed, misses when anything that decides a result did."""

from __future__ import annotations

import json
import marshal
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aiolint import cache, catalog, runner
from aiolint.cache import CACHEDIR_TAG, PRUNED, RUN_PREFIX, ResultCache
from aiolint.cli import run_statistics
from aiolint.config import Selection, Settings
from aiolint.rules import REGISTRY
from aiolint.runner import lint_paths
from aiolint.semantics.project import Project

from .conftest import FIXTURES, ROOT

POLL = "import time\n\n\nasync def poll():\n    time.sleep(1)\n"
SETTLED_SECONDS = cache.SETTLED_NS / 1e9  # as aiolint has it (tests keep files unsettled: see conftest.py)


def project(tmp_path: Path) -> Path:
    """A small tree: every fixture, a file with one finding, a file no rule needs to parse."""
    for fixture in FIXTURES.glob("*.py"):
        (tmp_path / fixture.name).write_bytes(fixture.read_bytes())
    (tmp_path / "poll.py").write_text(POLL)
    (tmp_path / "plain.py").write_text("def add(a, b):\n    return a + b\n")
    return tmp_path


def settings_for(tmp_path: Path, **changes) -> Settings:
    return Settings(root=str(tmp_path), respect_gitignore=False, **changes)


def run(tmp_path: Path, **changes):
    return lint_paths([str(tmp_path)], settings_for(tmp_path, **changes), cache=True)


def entries(cache_dir: Path):
    return [path for path in cache_dir.glob("*/*")
            if path.name not in (catalog.CATALOG_FILE, PRUNED) and not path.name.startswith(RUN_PREFIX)]


def snapshots(cache_dir: Path):
    return list(cache_dir.glob(f"*/{RUN_PREFIX}*"))


def test_a_second_run_reads_every_file_from_the_cache_and_reports_the_same(tmp_path):
    project(tmp_path)
    first = run(tmp_path)
    second = run(tmp_path)
    assert first.cached == 0 and first.files > 0 and first.diagnostics
    assert second.cached == second.files == first.files
    assert second.parsed == 0
    assert second.diagnostics == first.diagnostics
    assert [d.fix for d in second.diagnostics] == [d.fix for d in first.diagnostics]
    assert second.suppressed == first.suppressed


def test_changing_a_file_relints_that_file_only(tmp_path):
    project(tmp_path)
    before = run(tmp_path)
    (tmp_path / "poll.py").write_text(POLL.replace("time.sleep(1)", "pass\n    time.sleep(2)"))
    after = run(tmp_path)
    assert after.cached == after.files - 1
    assert [(d.line, d.code) for d in after.diagnostics if d.path.endswith("poll.py")] == [(6, "AIO301")]
    assert len(after.diagnostics) == len(before.diagnostics)


def test_identical_files_share_an_entry_but_keep_their_own_paths(tmp_path):
    (tmp_path / "a.py").write_text(POLL)
    (tmp_path / "b.py").write_text(POLL)
    run(tmp_path)
    report = run(tmp_path)
    assert report.cached == 2
    assert sorted(Path(d.path).name for d in report.diagnostics) == ["a.py", "b.py"]


@pytest.mark.parametrize("changes", [
    {"selection": Selection(ignore=("AIO301",))},
    {"selection": Selection(select=("AIO3",))},
    {"per_file_ignores": (("poll.py", ("AIO3",)),)},
    {"options": {"extend-blocking-calls": {"mylib.get": "AIO302"}}},
], ids=["ignore", "select", "per-file-ignores", "rule-options"])
def test_changing_the_settings_of_a_file_invalidates_its_entry(tmp_path, changes):
    (tmp_path / "poll.py").write_text(POLL)
    run(tmp_path)
    changed = run(tmp_path, **changes)
    assert changed.cached == 0
    expected = lint_paths([str(tmp_path)], settings_for(tmp_path, **changes))  # no cache
    assert changed.diagnostics == expected.diagnostics
    assert run(tmp_path, **changes).cached == 1


def test_per_file_settings_invalidate_only_the_files_they_apply_to(tmp_path):
    project(tmp_path)
    run(tmp_path)
    report = run(tmp_path, per_file_ignores=(("poll.py", ("AIO3",)),))
    assert report.cached == report.files - 1


def test_a_new_version_starts_a_new_cache_and_removes_the_old_one(tmp_path, monkeypatch):
    (tmp_path / "poll.py").write_text(POLL)
    run(tmp_path)
    cache_dir = tmp_path / ".aiolint_cache"
    (old,) = [path for path in cache_dir.iterdir() if path.is_dir()]
    monkeypatch.setattr(catalog, "__version__", "99.0.0")
    monkeypatch.setattr(catalog, "_build_id", None)
    report = run(tmp_path)
    assert report.cached == 0
    (new,) = [path for path in cache_dir.iterdir() if path.is_dir()]
    assert new.name.startswith("99.0.0-") and not old.exists()


@pytest.mark.parametrize("garbage", [b"", b"{not json", b"[]", b'{"diagnostics": 3}', b"\xff\xfe"],
                         ids=["empty", "truncated", "wrong-type", "wrong-shape", "binary"])
def test_a_corrupt_entry_or_snapshot_is_ignored_and_rewritten(tmp_path, garbage):
    project(tmp_path)
    first = run(tmp_path)
    cache_dir = tmp_path / ".aiolint_cache"
    assert len(snapshots(cache_dir)) == 1
    for entry in entries(cache_dir) + snapshots(cache_dir):
        entry.write_bytes(garbage)
    recovered = run(tmp_path)
    assert recovered.cached == 0
    assert recovered.diagnostics == first.diagnostics
    for entry in entries(cache_dir):
        json.loads(entry.read_bytes())  # rewritten whole
    (snapshot,) = snapshots(cache_dir)
    assert isinstance(marshal.loads(snapshot.read_bytes()), dict)
    assert run(tmp_path).cached == first.files



def age(path: Path, days: float) -> None:
    then = time.time() - days * 24 * 3600
    os.utime(path, (then, then))


def test_entries_no_run_has_read_for_a_month_are_removed_once_a_day(tmp_path):
    cache_dir = tmp_path / ".aiolint_cache"
    project(tmp_path)
    (tmp_path / "poll.py").unlink()
    run(tmp_path)
    others = set(entries(cache_dir))  # of every file but poll.py
    (tmp_path / "poll.py").write_text(POLL)
    run(tmp_path)
    (first_poll,) = set(entries(cache_dir)) - others
    (tmp_path / "poll.py").write_text(POLL + "# edited\n")
    run(tmp_path)
    (edited_poll,) = set(entries(cache_dir)) - others - {first_poll}
    for entry in [*entries(cache_dir), *snapshots(cache_dir), *cache_dir.glob(f"*/{PRUNED}")]:
        age(entry, 31)  # nothing read for a month, nor pruned
    (tmp_path / "new.py").write_text(POLL + "# new\n")  # something to write: the run prunes
    report = run(tmp_path)
    assert report.cached == report.files - 1
    (new,) = set(entries(cache_dir)) - others - {first_poll, edited_poll}
    assert set(entries(cache_dir)) == others | {edited_poll, new}  # the content no file has now is gone
    # Pruned today: an entry unread for a month now waits for tomorrow's run.
    (tmp_path / "poll.py").write_text(POLL + "# edited again\n")
    age(edited_poll, 31)
    run(tmp_path)
    assert edited_poll.exists()


def test_entries_are_kept_while_runs_take_their_results_from_a_snapshot(tmp_path, settled):
    """A month of runs that read no entry (each file unchanged, from the snapshot) marks them read once a day."""
    project(tmp_path)
    run(tmp_path)
    cache_dir = tmp_path / ".aiolint_cache"
    kept = set(entries(cache_dir))
    for entry in [*kept, *snapshots(cache_dir), *cache_dir.glob(f"*/{PRUNED}")]:
        age(entry, 31)  # the snapshot was last read a month ago, too
    assert run(tmp_path).restored == len(kept)  # this run reads the snapshot: it marks the entries
    (tmp_path / "new.py").write_text(POLL + "# new\n")  # something to write: the run prunes
    assert run(tmp_path).restored == len(kept)
    assert kept < set(entries(cache_dir))


def test_a_run_that_writes_nothing_removes_nothing(tmp_path):
    project(tmp_path)
    run(tmp_path)
    cache_dir = tmp_path / ".aiolint_cache"
    (tmp_path / "poll.py").unlink()
    for entry in entries(cache_dir):
        age(entry, 31)
    before = set(entries(cache_dir))
    assert run(tmp_path).cached == len(list(tmp_path.glob("*.py")))
    assert set(entries(cache_dir)) == before  # a warm run only reads, and marks what it read
    recent = {entry for entry in before if time.time() - entry.stat().st_mtime < 3600}
    assert len(recent) == len(before) - 1  # all but poll.py's entry, which no file has now

def test_rule_failures_are_not_cached(tmp_path):
    cache = ResultCache(str(tmp_path / "cache"))
    failed = {"diagnostics": [], "suppressed": {}, "parsed": True, "failures": [["AIO301", "ZeroDivisionError"]]}
    cache.put("k" * 64, failed)
    assert cache.get("k" * 64, "x.py") is None
    cache.put("k" * 64, {**failed, "failures": []})
    assert cache.get("k" * 64, "x.py").failures == []


def test_the_cache_directory_is_tagged_and_ignored_by_git(tmp_path):
    (tmp_path / "poll.py").write_text(POLL)
    run(tmp_path)
    cache_dir = tmp_path / ".aiolint_cache"
    assert (cache_dir / ".gitignore").read_text() == "*\n"
    assert (cache_dir / "CACHEDIR.TAG").read_text() == CACHEDIR_TAG
    assert CACHEDIR_TAG.startswith("Signature: 8a477f597d28d172789f06886806bc55")


def test_the_stored_rule_catalog_equals_the_registry(tmp_path):
    (tmp_path / "poll.py").write_text(POLL)
    run(tmp_path)
    (stored,) = (tmp_path / ".aiolint_cache").glob(f"*/{catalog.CATALOG_FILE}")
    assert catalog.read_stored(str(stored)) == catalog.from_registry(REGISTRY)
    assert list(catalog.read_stored(str(stored))) == list(REGISTRY)  # same order: code order


def test_no_cache_option_writes_nothing(tmp_path):
    (tmp_path / "poll.py").write_text(POLL)
    lint_paths([str(tmp_path)], settings_for(tmp_path))
    assert not (tmp_path / ".aiolint_cache").exists()


# -- run snapshots ------------------------------------------------------------------------------

def bot(tmp_path: Path) -> Path:
    root = tmp_path / "bot"
    shutil.copytree(FIXTURES / "projects" / "bot", root)
    return root


def found(report):
    return [(Path(d.path).name, d.line, d.code) for d in report.diagnostics]


def uncached(root: Path):
    return lint_paths([str(root)], settings_for(root))


def test_a_run_over_unchanged_files_reads_neither_them_nor_their_entries(tmp_path, settled, monkeypatch):
    project(tmp_path)
    first = run(tmp_path)
    for entry in entries(tmp_path / ".aiolint_cache"):
        entry.write_bytes(b"{not json")
    monkeypatch.setattr(runner, "read_source", lambda *args: pytest.fail("a file was read"))
    second = run(tmp_path)
    assert second.cached == second.files == first.files and second.parsed == 0
    assert second.diagnostics == first.diagnostics and second.suppressed == first.suppressed
    assert run_statistics(second, ".aiolint_cache").endswith(
        f".aiolint_cache; {second.files} unchanged since the same run, unread")


def test_the_project_of_an_unchanged_run_answers_as_the_run_it_was_saved_by(tmp_path, settled):
    root = bot(tmp_path)
    first = run(root)
    second = run(root)
    assert second.cached == second.files and found(second) == found(first) == [("one.py", 9, "AIO401")]
    questions = {(path, question) for path in first.paths
                 for question in cache.from_data(path, json.loads(cache_entry(root, path).read_bytes())).questions}
    assert questions
    assert all(first.project.answer(*asked) == second.project.answer(*asked) for asked in questions)


def cache_entry(root: Path, path: str) -> Path:
    (build,) = [path for path in (root / ".aiolint_cache").iterdir() if path.is_dir()]
    store = runner.SettingsCache(settings_for(root))
    task = runner.task_for(path, os.path.abspath(path), settings_for(root))
    return build / store.key(cache.content_digest(Path(path).read_bytes()), task[1], task[2])


@pytest.mark.parametrize("change", ["edited", "deleted", "added"])
def test_what_changed_in_one_file_reaches_the_unchanged_files_that_asked_about_it(tmp_path, settled, monkeypatch,
                                                                                  change):
    """The files whose answers changed are linted again; the others are not even read."""
    root = bot(tmp_path)
    assert found(run(root)) == [("one.py", 9, "AIO401")]
    client = root / "bot" / "client.py"
    if change == "edited":  # the bot's http_session is no longer known to be a session
        client.write_text(client.read_text().replace("aiohttp.ClientSession(", "make_pool("))
    elif change == "deleted":
        client.unlink()
    else:  # another class stores something else under the same name
        (root / "bot" / "pool.py").write_text("class Pool:\n    def __init__(self):\n        self.http_session = 3\n")
    read = []
    reading = runner.read_source
    monkeypatch.setattr(runner, "read_source", lambda path, *args: read.append(Path(path).name) or reading(path, *args))
    after = run(root)
    monkeypatch.undo()
    assert found(after) == found(uncached(root)) == []
    assert after.relinted and "storage.py" not in read
    assert {"edited": "client.py", "deleted": "one.py", "added": "pool.py"}[change] in read


def test_a_file_that_can_no_longer_be_read_says_nothing_more_to_the_files_that_asked_about_it(tmp_path, settled):
    root = bot(tmp_path)
    assert found(run(root, max_file_size=0.001)) == [("one.py", 9, "AIO401")]
    client = root / "bot" / "client.py"
    client.write_text(client.read_text() + "#" * 1000 + "\n")  # over the limit of 1,000 bytes: not read
    after = run(root, max_file_size=0.001)
    assert found(after) == [("client.py", 1, "AIO004")]


def test_a_file_rewritten_under_its_old_modification_time_is_read_again(tmp_path, settled):
    (tmp_path / "poll.py").write_text(POLL)
    before = os.stat(tmp_path / "poll.py")
    assert found(run(tmp_path)) == [("poll.py", 5, "AIO301")]
    (tmp_path / "poll.py").write_text(POLL.replace("time.sleep(1)", "time.sleep(2)"))  # the same size
    os.utime(tmp_path / "poll.py", ns=(before.st_atime_ns, before.st_mtime_ns))  # as a copy that keeps times does
    assert run(tmp_path).cached == 0


def test_a_file_changed_just_before_it_was_read_is_read_again_by_the_next_run(tmp_path, monkeypatch):
    """Within a timestamp's resolution a change can leave the stat as it was: a file that changed less than
    ``SETTLED_NS`` before it was read is never taken from a snapshot."""
    project(tmp_path)
    run(tmp_path)
    read = []
    monkeypatch.setattr(runner, "read_source", lambda path, *args: read.append(path) or Path(path).read_bytes())
    second = run(tmp_path)
    assert second.cached == second.files and sorted(read) == sorted(second.paths)


def test_a_snapshot_is_taken_only_under_the_settings_it_was_made_with(tmp_path, settled):
    project(tmp_path)
    run(tmp_path)
    changed = run(tmp_path, selection=Selection(ignore=("AIO301",)))
    assert changed.cached == 0
    assert changed.diagnostics == lint_paths([str(tmp_path)], settings_for(tmp_path, selection=Selection(
        ignore=("AIO301",)))).diagnostics


def test_a_project_saves_all_it_knows_of_its_files():
    """What a project holds is either saved with a run's snapshot or the run's own: a new attribute must say which."""
    run_own = {"directories", "reader", "_where", "_attributes", "_complete", "wanted", "pending", "_announced",
               "sealed", "foreseen"}
    assert set(vars(Project())) == set(Project.SAVED) | run_own


# -- through the command line, in fresh processes ---------------------------------------------

# Runs the command line and says on stderr whether LibCST was imported, and OpenSSL's hashes (``_hashlib``).
PROBE = """
import sys
from aiolint.cli import main
try:
    main(sys.argv[1:])
finally:
    for module in ("libcst", "_hashlib"):
        print(module, "imported" if module in sys.modules else "not imported", file=sys.stderr)
"""


def aiolint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_a_run_keys_its_cache_without_loading_openssl(tmp_path):
    # CPython's own BLAKE2 makes the keys: OpenSSL, which importing hashlib loads, is 3.5 MB of every run's memory.
    project(tmp_path)
    cold = aiolint("--verbose", ".", cwd=tmp_path)
    warm = aiolint("--verbose", ".", cwd=tmp_path)
    assert "0 from the cache" in cold.stderr and "libcst imported" in cold.stderr
    assert "_hashlib not imported" in cold.stderr, cold.stderr
    assert "_hashlib not imported" in warm.stderr and " from the cache, 0 linted" in warm.stderr
    assert warm.stdout == cold.stdout != ""


def test_a_fully_cached_run_does_not_import_libcst(tmp_path):
    project(tmp_path)
    cold = aiolint("--verbose", "--select", "AIO3,AIO5", ".", cwd=tmp_path)
    warm = aiolint("--verbose", "--select", "AIO3,AIO5", ".", cwd=tmp_path)
    assert cold.returncode == warm.returncode == 1
    assert "libcst imported" in cold.stderr
    assert "libcst not imported" in warm.stderr, warm.stderr
    assert warm.stdout == cold.stdout != ""
    files = len(list(tmp_path.glob("*.py")))
    assert f"{files} files: {files} from the cache, 0 linted" in warm.stderr
    # An unknown code is still an error, told apart with the stored catalog.
    unknown = aiolint("--select", "AIO399", ".", cwd=tmp_path)
    assert unknown.returncode == 2 and "AIO399" in unknown.stderr
    assert "libcst not imported" in unknown.stderr



def test_a_fully_cached_sarif_run_describes_every_rule_without_importing_libcst(tmp_path):
    project(tmp_path)
    cold = aiolint("--output-format", "sarif", ".", cwd=tmp_path)
    warm = aiolint("--output-format", "sarif", ".", cwd=tmp_path)
    assert "libcst imported" in cold.stderr
    assert "libcst not imported" in warm.stderr, warm.stderr
    assert warm.stdout == cold.stdout
    (driver_run,) = json.loads(warm.stdout)["runs"]
    described = {rule["id"]: rule for rule in driver_run["tool"]["driver"]["rules"]}
    assert set(REGISTRY) <= set(described)
    for code, rule in REGISTRY.items():  # the documentation comes from the stored catalog, unabridged
        assert described[code]["help"]["markdown"] == rule.documentation()

def test_a_second_run_says_it_hit_the_cache(tmp_path):
    project(tmp_path)
    aiolint(".", cwd=tmp_path)
    warm = aiolint("-v", ".", cwd=tmp_path)
    assert "from the cache, 0 linted" in warm.stderr
    no_cache = aiolint("-v", "--no-cache", ".", cwd=tmp_path)
    assert " 0 from the cache" in no_cache.stderr and no_cache.stdout == warm.stdout


def test_a_run_over_settled_files_starts_from_the_snapshot_the_same_run_left(tmp_path):
    """Through the command line, in fresh processes: files untouched for longer than SETTLED_NS are taken from
    the snapshot, unread; one edited since is read, and what it now says is reported."""
    project(tmp_path)
    time.sleep(SETTLED_SECONDS + 0.1)  # the files settle: their stat can vouch for them
    first = aiolint("-v", ".", cwd=tmp_path)
    files = len(list(tmp_path.glob("*.py")))
    assert f"; {files} unchanged since the same run, unread" not in first.stderr
    second = aiolint("-v", ".", cwd=tmp_path)
    assert second.stderr.splitlines()[0].endswith(f"; {files} unchanged since the same run, unread")
    assert second.stdout == first.stdout and "libcst not imported" in second.stderr
    (tmp_path / "poll.py").write_text(POLL.replace("time.sleep(1)", "pass"))
    third = aiolint("-v", ".", cwd=tmp_path)
    assert third.stderr.splitlines()[0].endswith(f"; {files - 1} unchanged since the same run, unread")
    assert "poll.py" in first.stdout and "poll.py" not in third.stdout


def test_a_snapshot_writes_each_file_path_once(tmp_path):
    """The run's files and the model's tables are all keyed by each file's path: the snapshot holds each path
    once, also when a run starts from the snapshot and adds to it a file that changed."""
    shutil.copytree(FIXTURES / "projects" / "bot", tmp_path / "bot")
    paths = [str(path).encode() for path in (tmp_path / "bot").rglob("*.py")]
    settings = settings_for(tmp_path / "bot", cache_dir=str(tmp_path / "cache"))
    one = tmp_path / "bot" / "bot" / "cogs" / "one.py"
    for _ in range(2):
        one.write_text(one.read_text() + "\n")
        lint_paths([str(tmp_path / "bot")], settings, cache=True)
        [snapshot] = snapshots(tmp_path / "cache")
        data = snapshot.read_bytes()
        assert len(paths) > 3 and [data.count(path) for path in paths] == [1] * len(paths)


def test_a_snapshot_loaded_in_aiolint_s_own_process_is_kept_out_of_the_collector_s_sight(tmp_path):
    """The collector would scan a project's snapshot again and again while the run lasts: in aiolint's own process
    it is loaded out of its sight (reference counting still frees it); in another (an editor's server, which has
    not called collect_rarely), the collector is left as it was."""
    project(tmp_path)
    script = """
import gc, sys
from aiolint import runner
from aiolint.config import Settings
if sys.argv[2] == "own":
    runner.collect_rarely()
settings = Settings(root=sys.argv[1], respect_gitignore=False, cache_dir=sys.argv[1] + "/.cache")
runner.lint_paths([sys.argv[1]], settings, cache=True)
snapshot = runner.SettingsCache(settings).snapshot([sys.argv[1]])
tracked = {id(item) for item in gc.get_objects()}
print(len(snapshot.results), sum(id(result) in tracked for result in snapshot.results.values()), gc.isenabled())
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for process in ("own", "other"):
        run = subprocess.run([sys.executable, "-c", script, str(tmp_path), process], capture_output=True, text=True,
                             env=env, check=True)
        files, tracked, collecting = run.stdout.split()
        assert int(files) > 10 and collecting == "True"
        assert int(tracked) == (0 if process == "own" else int(files)), process


def test_cache_dir_option_and_configuration_key(tmp_path):
    (tmp_path / "poll.py").write_text(POLL)
    aiolint("--cache-dir", "flag-cache", "poll.py", cwd=tmp_path)
    assert list((tmp_path / "flag-cache").glob("*/*"))
    (tmp_path / "pyproject.toml").write_text('[tool.aiolint]\ncache-dir = "conf-cache"\n')
    aiolint("poll.py", cwd=tmp_path)
    assert list((tmp_path / "conf-cache").glob("*/*"))
    assert not (tmp_path / ".aiolint_cache").exists()


def test_concurrent_runs_share_the_cache_without_corrupting_it(tmp_path):
    project(tmp_path)
    for copy in range(3):  # enough files that the runs overlap
        for fixture in FIXTURES.glob("*.py"):
            (tmp_path / f"copy{copy}_{fixture.name}").write_bytes(fixture.read_bytes())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "aiolint", "--jobs", "1", "."]
    runs = [subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(3)]
    outputs = [run.communicate()[0] for run in runs]
    assert outputs[0] and outputs.count(outputs[0]) == 3
    for entry in entries(tmp_path / ".aiolint_cache"):
        json.loads(entry.read_bytes())
    assert not list((tmp_path / ".aiolint_cache").glob("*/*.tmp"))
    warm = aiolint("-v", ".", cwd=tmp_path)
    assert warm.stdout.encode() == outputs[0] and "0 linted" in warm.stderr

