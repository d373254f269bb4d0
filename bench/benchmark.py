"""Speed and memory of aiolint on the pinned real-world corpus, against LibCST's parser and peer linters.

Every figure is a ratio to the floor measured in the same run: ``libcst.parse_module``
alone, in one process, over the files the pre-filter keeps (the files aiolint must
parse). Absolute times on a shared machine are noise; ratios taken in one run are not.
Each row is a whole process (interpreter start-up and imports included), timed from
start to exit, with the peak of the memory its process tree holds (the sum of the
resident sets of the process and its children, sampled every 0.1 s, or the largest resident
set one of its processes reached, as the kernel counts it, if larger). aiolint's rows and
the floor run twice, interleaved, and keep their fastest time: on a shared machine the
slower run measures the neighbours.

    python bench/corpus.py          # fetch the corpus once (bench/corpus/, git-ignored)
    python bench/benchmark.py       # print the table

A second row of reference, LibCST's parser run as aiolint runs it (its nodes built without
validation, their fields set directly), shows the engine's own cost on equal terms. The "one
changed file" rows are a developer's next run: in a copy of the corpus linted once with the
cache, a module of a Home Assistant integration gets a line at its end, and aiolint runs on
the whole copy (``aiolint .``), then on that file alone (as pre-commit passes it), the other
files' results in the cache. Where valgrind is installed, ``--instructions --every 15``
counts instructions instead of seconds for the floor, that row and aiolint ``--jobs 1``:
slow, but exact on a machine that is not quiet.

Peers are run when installed, from ``bench/.venv-peers`` (git-ignored) or the PATH:

    python -m venv bench/.venv-peers
    bench/.venv-peers/bin/pip install fixit flake8 flake8-async ruff
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CORPUS = BENCH / "corpus"
PEERS = BENCH / ".venv-peers" / "bin"

# The floor: what aiolint cannot avoid, reading and parsing each file with LibCST. With
# "as-aiolint", the parse aiolint itself runs (``aiolint.engine.parse_module``: nodes built without
# validation, their fields set directly): the engine's own cost, on equal terms.
PARSE_SCRIPT = """
import io, sys, tokenize
import libcst
parse_module = libcst.parse_module
if sys.argv[2:] == ["as-aiolint"]:
    from aiolint.engine import parse_module
for path in open(sys.argv[1], encoding="utf-8").read().splitlines():
    data = open(path, "rb").read()
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    try:
        parse_module(data.decode(encoding))
    except Exception:
        pass
"""

BARE = "LibCST's parse as aiolint runs it (no node validation, fields set directly)"

# The targets: (what, whether the measured rows meet it; None when a row is missing).
TARGETS = (
    ("cold, 1 process <= 1.15 x floor", lambda r: r["cold1"].seconds <= 1.15 * r["floor"].seconds),
    ("cold, 2 processes >= 15 x faster than Fixit",
     lambda r: r["fixit"].seconds >= 15 * r["cold2"].seconds if "fixit" in r else None),
    ("warm <= 5 % of cold and < 1 s",
     lambda r: r["warm"].seconds <= 0.05 * r["cold2"].seconds and r["warm"].seconds < 1.0),
    ("single small file <= 0.4 s", lambda r: r["single"].seconds <= 0.4),
    ("one changed file, the rest cached <= 0.4 s (the corpus, and the file alone)",
     lambda r: max(r["changed"].seconds, r["changed_alone"].seconds) <= 0.4),
    ("peak memory, 2 processes <= 400 MB", lambda r: r["cold2"].peak_mb <= 400),
    # The floor holds one tree at a time: a run that kept anything per file would grow past it on a large corpus.
    ("memory flat: peak of cold, 1 process <= 1.25 x the floor's", lambda r: r["cold1"].peak_mb <= 1.25 * r["floor"].peak_mb),
)
# A change a developer makes: a line added at the end of a module (a comment: it parses, nothing else changes).
CHANGE = "\n# changed for the benchmark ({})\n"


@dataclass
class Measure:
    seconds: float
    peak_mb: float
    stdout: bytes
    returncode: int


def tree_rss(root: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc)."""
    children: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
    return total


def measure(command: Sequence[str], cwd: Path, env: Optional[Dict[str, str]] = None,
            timeout: Optional[float] = None) -> Optional[Measure]:
    """Run a command to its end: wall time, and the peak memory of its process tree (None: timed out).

    The peak is the larger of two: the tree's resident sets summed, sampled every 0.1 s (what workers
    running side by side hold together), and the largest resident set any single process of the tree
    reached, which the kernel records exactly (``ru_maxrss`` of ``wait4``): a sample can miss a peak
    that lasts less than 0.1 s, such as the parse of the largest file."""
    peak = 0
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    done = threading.Event()
    timed_out = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.1):
            peak = max(peak, tree_rss(process.pid))

    def kill() -> None:
        if not done.wait(timeout):
            timed_out.set()
            os.killpg(process.pid, signal.SIGKILL)  # the tool and its worker processes

    threads = [threading.Thread(target=kill, daemon=True)] if timeout is not None else []
    if os.path.isdir("/proc"):
        threads.append(threading.Thread(target=sample, daemon=True))
    for thread in threads:
        thread.start()
    assert process.stdout is not None
    stdout = process.stdout.read()
    process.stdout.close()
    _, status, usage = os.wait4(process.pid, 0)  # not Popen.wait: it would drop the rusage
    seconds = time.perf_counter() - start
    done.set()
    process.returncode = os.waitstatus_to_exitcode(status)
    if timed_out.is_set():
        return None
    # ru_maxrss is in KiB on Linux (bytes on macOS, where this script has no /proc to sample anyway).
    largest = usage.ru_maxrss * (1024 if sys.platform.startswith("linux") else 1)
    return Measure(seconds, max(peak, largest) / 2**20, stdout, process.returncode)


def find_tool(name: str) -> Optional[str]:
    local = PEERS / name
    return str(local) if local.exists() else shutil.which(name)


def snapshot(directory: Path) -> Path:
    """A copy of the aiolint package: editing the work tree during the run cannot change what is measured.

    It is compiled to bytecode, as ``pip install`` does: otherwise, where bytecode is not
    written (PYTHONDONTWRITEBYTECODE), every run would compile aiolint's modules anew.
    """
    shutil.copytree(ROOT / "aiolint", directory / "aiolint", ignore=shutil.ignore_patterns("__pycache__"))
    compileall.compile_dir(str(directory / "aiolint"), quiet=1)
    return directory


def kept_files(files: List[str], code: Path, select: Optional[str] = None) -> List[str]:
    """The files the pre-filter keeps with the rules aiolint's ``--select`` gives (the default rules without
    it): the ones aiolint parses."""
    sys.path.insert(0, str(code))
    from aiolint.config import Selection
    from aiolint.engine import triggered_rules
    from aiolint.source import DecodeError, decode

    rules = Selection(select=tuple(select.split(",")) if select else None).rules()
    kept = []
    for path in files:
        try:
            text = decode((CORPUS / path).read_bytes())
        except DecodeError:
            continue
        if triggered_rules(text, rules, {}):
            kept.append(path)
    return kept


def small_file(files: List[str]) -> str:
    """The pre-commit case: a small module that uses aiohttp, so that it is parsed and linted."""
    candidates = [p for p in files if b"aiohttp" in (CORPUS / p).read_bytes()]
    return min(candidates, key=lambda p: (abs((CORPUS / p).stat().st_size - 2000), p))


def changed_file(files: List[str]) -> str:
    """The module changed in the "one changed file" rows: a mid-sized module of a Home Assistant
    integration that uses aiohttp (application code, in the largest project of the corpus), or of any project."""
    uses_aiohttp = [p for p in files if b"aiohttp" in (CORPUS / p).read_bytes()]
    candidates = [p for p in uses_aiohttp if "/homeassistant/components/" in p] or uses_aiohttp
    return min(candidates, key=lambda p: (abs((CORPUS / p).stat().st_size - 8000), p))


def copy_tree(files: List[str], target: Path) -> Path:
    """A copy of the files measured, with the files that mark each project's root (one may change it)."""
    for path in files + [str(p.relative_to(CORPUS)) for pattern in ("*/pyproject.toml", "*/setup.cfg")
                         for p in CORPUS.glob(pattern)]:
        (target / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / path, target / path)
    return target


def count_instructions(runs: Dict[str, Tuple[str, List[str]]], env: Dict[str, str], files: int) -> int:
    """Instructions each run executes, by callgrind: unlike seconds, they do not depend on what else
    the machine is doing, so a ratio of a few percent can be trusted."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("--instructions needs valgrind.", file=sys.stderr)
        return 2
    counts: Dict[str, int] = {}
    for key, (label, command) in runs.items():
        print(f"  {label} ...", file=sys.stderr, flush=True)
        done = subprocess.run([valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
                              cwd=CORPUS, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        match = re.search(r"Collected : (\d+)", done.stderr)
        if match is None:
            print(done.stderr[-2000:], file=sys.stderr)
            return 2
        counts[key] = int(match.group(1))
    print(f"\nInstructions (callgrind), {files} files of the pinned corpus.\n")
    print("| run | instructions (G) | x floor |")
    print("|---|---:|---:|")
    for key, (label, _) in runs.items():
        print(f"| {label} | {counts[key] / 1e9:.2f} | {counts[key] / counts['floor']:.2f} |")
    print(f"\naiolint --jobs 1 against LibCST's parse as aiolint runs it: "
          f"{counts['cold1'] / counts['bare']:.2f}.")
    return 0


def main() -> int:
    global CORPUS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-peers", action="store_true", help="skip flake8-async, ruff and Fixit")
    parser.add_argument("--every", type=int, default=1, metavar="N", help="only every Nth file (a quick try)")
    parser.add_argument("--repeat", type=int, default=2, metavar="N",
                        help="run aiolint and the floor N times, keeping the fastest (default: %(default)s)")
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions with valgrind's callgrind instead of timing: the same on a busy "
                             "machine, but 50 times slower (use with --every)")
    parser.add_argument("--peer-timeout", type=float, default=1800, metavar="S",
                        help="give up on a peer after S seconds (default: %(default)s)")
    parser.add_argument("--select", metavar="CODES",
                        help="aiolint's rules (as its --select: codes or prefixes, comma-separated) instead of the "
                             "default ones, for every aiolint row and for the files the floor parses")
    parser.add_argument("--corpus", type=Path, default=CORPUS, metavar="DIR",
                        help="the corpus to measure on (default: %(default)s)")
    args = parser.parse_args()
    CORPUS = args.corpus.resolve()
    files = sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*.py"))[::args.every]
    if not files:
        print("No corpus: run `python bench/corpus.py` first.", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="aiolint-bench-") as scratch:
        work = Path(scratch)
        code = snapshot(work / "code")
        env = {**os.environ, "PYTHONPATH": str(code)}
        kept = kept_files(files, code, args.select)
        (work / "kept.txt").write_text("\n".join(kept) + "\n", encoding="utf-8")
        total = sum((CORPUS / p).stat().st_size for p in files)
        kept_bytes = sum((CORPUS / p).stat().st_size for p in kept)
        single = small_file(kept)
        changed = changed_file(kept)
        changed_size = (CORPUS / changed).stat().st_size
        tree = copy_tree(files, work / "tree")
        warm_tree = str(work / "cache-tree")
        aiolint = [sys.executable, "-m", "aiolint", "--isolated", "--exit-zero", "--quiet",
                   *(["--select", args.select] if args.select else [])]
        rows: Dict[str, Measure] = {}
        labels: Dict[str, str] = {}
        missing: List[str] = []  # peers not measured, and why

        def run(key: str, label: str, command: Sequence[str], cwd: Path = CORPUS, **kwargs) -> None:
            measured = measure(command, cwd, **kwargs)
            if measured is None:
                missing.append(f"{label} | timed out (> {kwargs['timeout']:.0f} s)")
                return
            print(f"  {label}: {measured.seconds:.2f} s", file=sys.stderr, flush=True)
            earlier = rows.get(key)
            if earlier is not None:  # repeated: the fastest time (the least disturbed), the highest peak
                measured.peak_mb = max(measured.peak_mb, earlier.peak_mb)
                if earlier.seconds <= measured.seconds:
                    measured.seconds = earlier.seconds
            labels[key], rows[key] = label, measured

        floor = [sys.executable, "-c", PARSE_SCRIPT, str(work / "kept.txt")]
        cold = [*aiolint, "--jobs", "1", "--no-cache", *files]
        if args.instructions:
            return count_instructions({
                "floor": ("libcst.parse_module, files the pre-filter keeps (floor)", floor),
                "bare": (BARE, [*floor, "as-aiolint"]),
                "cold1": ("aiolint, no cache, --jobs 1", cold),
            }, env, len(files))
        print(f"Measuring on {len(files)} files ...", file=sys.stderr, flush=True)
        subprocess.run([*aiolint, "--cache-dir", warm_tree, "."], cwd=tree, env=env, stdout=subprocess.DEVNULL)
        for attempt in range(args.repeat):  # interleaved, so that a busy spell hits no row alone
            run("floor", "libcst.parse_module, files the pre-filter keeps (floor)", floor)
            run("bare", BARE, [*floor, "as-aiolint"], env=env)
            cold1, cold2 = str(work / f"cache1-{attempt}"), str(work / f"cache2-{attempt}")
            run("cold1", "aiolint, cold cache, --jobs 1", [*aiolint, "--jobs", "1", "--cache-dir", cold1, *files],
                env=env)
            run("cold2", "aiolint, cold cache, --jobs 2", [*aiolint, "--jobs", "2", "--cache-dir", cold2, *files],
                env=env)
            run("warm", "aiolint, warm cache (nothing changed)", [*aiolint, "--cache-dir", cold2, *files], env=env)
            for repeat in range(5):  # a short run is easily disturbed, and cheap to repeat
                run("import", "python -c 'import libcst' (what the next row cannot avoid)",
                    [sys.executable, "-c", "import libcst"])
                run("single", f"aiolint, one small file, no cache ({(CORPUS / single).stat().st_size} bytes)",
                    [*aiolint, "--no-cache", single], env=env)
                # The rest cached: the file changes before each run (else it would be cached too).
                with open(tree / changed, "a", encoding="utf-8") as handle:
                    handle.write(CHANGE.format(f"{attempt}.{repeat}"))
                run("changed", f"aiolint ., one file changed ({changed_size} bytes), the rest cached",
                    [*aiolint, "--cache-dir", warm_tree, "."], cwd=tree, env=env)
                with open(tree / changed, "a", encoding="utf-8") as handle:
                    handle.write(CHANGE.format(f"{attempt}.{repeat} alone"))
                run("changed_alone", "aiolint on that file alone, as pre-commit passes it, the rest cached",
                    [*aiolint, "--cache-dir", warm_tree, changed], cwd=tree, env=env)
        peers = {
            "ruff": ("ruff check --select ASYNC,BLE", ["check", "--isolated", "--no-cache", "--select", "ASYNC,BLE",
                                                       "--exit-zero", "--quiet"]),
            "fixit": ("fixit lint", ["lint"]),
            "flake8": ("flake8 --select ASYNC (flake8-async)", ["--isolated", "--select", "ASYNC", "--exit-zero"]),
        }
        for key, (label, arguments) in peers.items():
            tool = None if args.no_peers else find_tool(key)
            if key == "flake8" and tool and b"flake8-async" not in subprocess.run(
                    [tool, "--version"], capture_output=True).stdout:
                tool = None
            if tool is None:
                missing.append(f"{label} | not installed")
            else:
                run(key, label, [tool, *arguments, *files], timeout=args.peer_timeout)

    same = rows["cold1"].stdout == rows["cold2"].stdout == rows["warm"].stdout
    floor_seconds = rows["floor"].seconds
    rules = f"the rules of --select {args.select}" if args.select else "the default rules"
    print(f"\n{len(files)} files ({total / 2**20:.1f} MB) of the pinned corpus; with {rules}, the pre-filter keeps "
          f"{len(kept)} ({kept_bytes / total:.0%} of the bytes). {platform.python_implementation()} "
          f"{platform.python_version()}, {os.cpu_count()} CPUs.\n")
    print("| run | time (s) | x floor | peak memory (MB) |")
    print("|---|---:|---:|---:|")
    for key, measured in rows.items():
        peak = f"{measured.peak_mb:.0f}" if measured.peak_mb else "(too quick to sample)"
        print(f"| {labels[key]} | {measured.seconds:.2f} | {measured.seconds / floor_seconds:.2f} | {peak} |")
    for label in missing:
        print(f"| {label} | | |")
    print(f"\nThe engine against libcst.parse_module alone on the files it parses (--jobs 1 / floor): "
          f"{rows['cold1'].seconds / floor_seconds:.2f}; against LibCST's parse as aiolint runs it: "
          f"{rows['cold1'].seconds / rows['bare'].seconds:.2f}.")
    print(f"Output of --jobs 1, --jobs 2 and the warm run: {'identical' if same else 'DIFFERENT'}.")
    if "fixit" in rows:
        print(f"Fixit / aiolint --jobs 2, cold: {rows['fixit'].seconds / rows['cold2'].seconds:.1f} x.")
    print(f"Warm / cold (--jobs 2): {rows['warm'].seconds / rows['cold2'].seconds:.1%}.")
    print(f"The changed file: {changed}.\n")
    for label, check in TARGETS:
        verdict = check(rows)
        print(f"- {label}: {'not measured' if verdict is None else 'met' if verdict else 'NOT MET'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
