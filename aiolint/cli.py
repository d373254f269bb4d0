"""The command line: ``aiolint [PATHS]`` (check), ``aiolint rules``, ``aiolint explain CODE``."""

from __future__ import annotations

import functools
import json
import os
import sys
import traceback
from collections import Counter
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence

import click

from . import __version__
from .catalog import rule_catalog
from .config import ConfigError, Settings, load_settings, split_codes
from .discovery import FileFilter
from .reporters import REPORTERS
from .reporters.names import quoted_path
from .runner import InternalError, Report, SettingsCache, collect_rarely, default_jobs, lint_paths, lint_text
from .terminal import use_color

if TYPE_CHECKING:
    from .fixer import Fixing

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class DefaultToCheck(click.Group):
    """``aiolint src/`` means ``aiolint check src/``, as with ruff's main command."""

    def parse_args(self, ctx: click.Context, args: List[str]) -> List[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        """An error of aiolint's own is exit 2, as the contract says, not Python's 1 (which means findings)."""
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except InternalError as exc:
            click.echo(f"aiolint: internal error: {exc}", err=True)
        except Exception:
            click.echo(f"aiolint: internal error (a bug in aiolint; please report it):\n{traceback.format_exc()}",
                       err=True)
        sys.exit(EXIT_ERROR)


@click.group(cls=DefaultToCheck, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="aiolint")
def main() -> None:
    """aiolint: find aiohttp anti-patterns before they reach production."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--config", type=click.Path(dir_okay=False), metavar="FILE",
              help="Read settings from this file (default: [tool.aiolint] in the nearest pyproject.toml).")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.option("--select", multiple=True, metavar="CODES", help="Only these codes or prefixes (e.g. AIO3,AIO501).")
@click.option("--extend-select", multiple=True, metavar="CODES", help="Add these codes or prefixes to the selection.")
@click.option("--ignore", multiple=True, metavar="CODES", help="Leave out these codes or prefixes.")
@click.option("--per-file-ignores", multiple=True, metavar="GLOB:CODES",
              help="Leave out codes in the files a pattern matches (e.g. 'tests/*:AIO3').")
@click.option("--exclude", multiple=True, metavar="GLOBS", help="Replace the excluded file patterns.")
@click.option("--extend-exclude", multiple=True, metavar="GLOBS", help="Exclude these patterns too.")
@click.option("--respect-gitignore/--no-respect-gitignore", default=None,
              help="Skip the files .gitignore files ignore (default: on).")
@click.option("--force-exclude/--no-force-exclude", default=None,
              help="Apply exclusions to paths given explicitly too (for pre-commit).")
@click.option("--extend-blocking-calls", multiple=True, metavar="NAME=CODE",
              help="Report calls to NAME in coroutines as CODE (e.g. 'mylib.http.get=AIO302').")
@click.option("--extend-factories", multiple=True, metavar="NAME=KIND",
              help="Calling NAME gives a value of KIND (e.g. 'mylib.net.make_session=session').")
@click.option("--output-format", type=click.Choice(sorted(REPORTERS)), default="text", show_default=True)
@click.option("--output-file", type=click.Path(dir_okay=False, writable=True), metavar="FILE",
              help="Write the findings (or statistics) to FILE instead of standard output.")
@click.option("--statistics", is_flag=True,
              help="Print a count per code, with those silenced by noqa, instead of the findings.")
@click.option("--stdin-filename", metavar="PATH",
              help="Lint standard input (the path '-') as if it were this file: its configuration applies.")
@click.option("--fix", is_flag=True, help="Apply safe fixes, then report the findings that remain.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that may change behaviour (with --fix or --diff).")
@click.option("--diff", is_flag=True,
              help="Print a diff of what --fix would change and write nothing (exit 1 if there is any change).")
@click.option("--show-fixes", is_flag=True,
              help="With --fix or --diff, list the fixes made (or to make), per file and code.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings (2 still means an error).")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only: no summary.")
@click.option("--color", "color_choice", type=click.Choice(["auto", "always", "never"]), default=None,
              help="Colour the output: auto (on a terminal; NO_COLOR, FORCE_COLOR and CLICOLOR_FORCE apply), "
                   "always, never.")
@click.option("--no-color", is_flag=True, help="The same as --color never.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N",
              help="Lint in N processes (default: one per CPU; 1: in this process only).")
@click.option("--cache-dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Keep results per file here (default: .aiolint_cache in the project root).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write cached results.")
@click.option("--max-file-size", metavar="MB",
              help="Do not lint files larger than this (AIO004; default: 8 MB).")
@click.option("--file-timeout", metavar="SECONDS",
              help="Stop linting a file that takes longer than this (AIO005; default: 120 s).")
@click.option("-v", "--verbose", is_flag=True,
              help="Also say how many files came from the cache, were linted, or were skipped by the pre-filter.")
@click.option("--show-settings", metavar="FILE",
              help="Print the settings that apply to FILE and where they come from, then exit.")
# Adopting aiolint on existing code.
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Report only the findings that are not in this baseline file (see --write-baseline).")
@click.option("--write-baseline", type=click.Path(dir_okay=False), metavar="FILE",
              help="Record the current findings in FILE, to be accepted by --baseline FILE.")
@click.option("--add-noqa", is_flag=True, help="Write '# noqa: CODE' on each reported line instead of reporting.")
@click.option("--peer-noqa/--no-peer-noqa", default=None,
              help="Let other linters' codes for the same finding (BLE001 for AIO501...) silence it (default: on).")
def check(paths: Sequence[str], config: Optional[str], isolated: bool, select: Sequence[str],
          extend_select: Sequence[str], ignore: Sequence[str], per_file_ignores: Sequence[str],
          exclude: Sequence[str], extend_exclude: Sequence[str], respect_gitignore: Optional[bool],
          force_exclude: Optional[bool], extend_blocking_calls: Sequence[str], extend_factories: Sequence[str],
          output_format: str, output_file: Optional[str], statistics: bool, stdin_filename: Optional[str],
          fix: bool, unsafe_fixes: bool, diff: bool, show_fixes: bool, exit_zero: bool, quiet: bool,
          color_choice: Optional[str], no_color: bool, jobs: Optional[int], cache_dir: Optional[str], no_cache: bool,
          max_file_size: Optional[str], file_timeout: Optional[str], verbose: bool,
          baseline_file: Optional[str], write_baseline: Optional[str], add_noqa: bool,
          peer_noqa: Optional[bool], show_settings: Optional[str]) -> None:
    """Lint PATHS (files or directories; default: the current directory; '-': standard input)."""
    collect_rarely()
    if statistics and output_format not in STATISTICS_FORMATS:
        raise ConfigFailure(f"--statistics cannot be written as {output_format}: use --output-format "
                            f"{', '.join(sorted(STATISTICS_FORMATS))}")
    try:
        settings = load_settings(config, isolated, flags={
            "select": list(split_codes(select)) if select else None,
            "extend-select": list(split_codes(extend_select)) or None,
            "ignore": list(split_codes(ignore)) or None,
            "per-file-ignores": pairs(per_file_ignores, ":", "--per-file-ignores", split=True),
            "exclude": list(split_codes(exclude)) if exclude else None,
            "extend-exclude": list(split_codes(extend_exclude)) or None,
            "respect-gitignore": respect_gitignore,
            "force-exclude": force_exclude,
            "extend-blocking-calls": pairs(extend_blocking_calls, "=", "--extend-blocking-calls"),
            "extend-factories": pairs(extend_factories, "=", "--extend-factories"),
            "cache-dir": cache_dir,
            "max-file-size": max_file_size,
            "file-timeout": file_timeout,
            "baseline": baseline_file,
            "peer-noqa": peer_noqa,
        })
        if show_settings:
            from .config import show_settings as describe_settings

            click.echo(describe_settings(settings, show_settings), nl=False)
            sys.exit(EXIT_CLEAN)
        fixing = None
        if fix or diff:
            from .fix_runner import Fixing, fix_files  # LibCST is imported only when something is fixed

            fixing = Fixing(unsafe=unsafe_fixes, write=not diff)
        from_stdin = "-" in paths or bool(stdin_filename and not paths)
        sources: Dict[str, str] = {}  # texts linted that are not on disk (standard input)
        if from_stdin:
            if tuple(paths) not in ((), ("-",)):
                raise ConfigError("'-' (standard input) cannot be mixed with other paths")
            report = lint_stdin(stdin_filename, settings, fixing, sources, cache=not no_cache)
        else:
            report = lint_paths(list(paths) or ["."], settings, jobs=jobs or default_jobs(), cache=not no_cache)
            if fixing is not None:
                fix_files(report, settings, fixing, cache=not no_cache)
        if write_baseline:
            sys.exit(record_baseline(write_baseline, report, settings, sources, quiet))
        notes = compare_with_baseline(report, settings, sources)
        if add_noqa:
            if from_stdin:
                raise ConfigError("--add-noqa writes files: it cannot be used with standard input")
            sys.exit(write_noqa(report, quiet))
    except ConfigError as exc:
        raise ConfigFailure(str(exc)) from None
    # Fixed standard input goes to standard output, so the findings go to standard error, as with ruff.
    to_stderr = from_stdin and fixing is not None and fixing.write
    # On a terminal, findings come with their source line, in colour unless the user opted out.
    terminal = output_file is None and not to_stderr and sys.stdout.isatty()
    color = use_color("never" if no_color else color_choice, terminal)
    if fixing is not None and not fixing.write:
        output = "".join(fixing.diffs)  # --diff: the changes instead of the findings
    elif statistics:
        output = render_statistics(report, output_format, unsafe_fixes=unsafe_fixes)
    else:
        output = REPORTERS[output_format](report, context=terminal, color=color, unsafe_fixes=unsafe_fixes,
                                          root=settings.root)
    if output_file is None:
        click.echo(output, nl=False, err=to_stderr, color=color)  # click strips colours off a terminal otherwise
    else:
        write_output(output_file, output)
    if show_fixes and fixing is not None:
        click.echo(fixes_made(fixing), nl=False, err=True)
    # As ruff: a directory without Python files is a mistake worth a word (files named but excluded are not).
    if not report.files and not from_stdin and not any(os.path.isfile(path) for path in paths):
        click.echo("aiolint: warning: no Python files found under the given paths", err=True)
    if verbose:
        click.echo(run_statistics(report, None if no_cache else settings.cache_dir), err=True)
        click.echo(configurations_used(report, settings), err=True, nl=False)
    sys.exit(finish(report, quiet, exit_zero, fixing, unsafe_fixes, notes))


def record_baseline(path: str, report: Report, settings: Settings, sources: Dict[str, str], quiet: bool) -> int:
    """``--write-baseline``: the findings become the baseline; the run succeeds."""
    from .baseline import write_baseline

    entries = write_baseline(path, report.diagnostics, settings.root, report.paths, sources)
    if not quiet:
        click.echo(f"Wrote {entries} finding{'s' if entries != 1 else ''} to the baseline {path} "
                   f"({report.files} file{'s' if report.files != 1 else ''} checked).", err=True)
    return EXIT_ERROR if report.failures else EXIT_CLEAN


def write_noqa(report: Report, quiet: bool) -> int:
    """``--add-noqa``: the findings are silenced where they stand; the run succeeds."""
    from .noqa import add_noqa

    outcome = add_noqa(report.diagnostics)
    for error in outcome.errors:
        click.echo(f"aiolint: error: {error}", err=True)
    if outcome.skipped:
        click.echo(f"aiolint: warning: {outcome.skipped} line{'s' if outcome.skipped != 1 else ''} cannot take a "
                   "comment (the line ends inside a string or with a backslash); their findings remain", err=True)
    if not quiet:
        click.echo(f"Added {outcome.added} noqa directive{'s' if outcome.added != 1 else ''}.", err=True)
    return EXIT_ERROR if outcome.errors or report.failures else EXIT_CLEAN


def compare_with_baseline(report: Report, settings: Settings, sources: Dict[str, str]) -> List[str]:
    """``--baseline`` (or ``baseline`` in the configuration): drop the accepted findings; the summary's notes."""
    if not settings.baseline:
        return []
    from .baseline import apply_baseline, describe, read_baseline

    report.diagnostics, outcome = apply_baseline(report.diagnostics, read_baseline(settings.baseline),
                                                 settings.root, report.paths, sources)
    return describe(outcome)


def write_output(path: str, output: str) -> None:
    """``--output-file``: missing parent directories are made, as ruff does."""
    try:
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        with open(path, "w", encoding="utf-8", errors="surrogateescape") as handle:
            handle.write(output)
    except OSError as exc:
        raise ConfigFailure(f"{path}: cannot write the report: {exc.strerror or exc}") from None


def configurations_used(report: Report, settings: Settings) -> str:
    """What ``--verbose`` says of configuration: each file read, and how many files it applied to."""
    used = Counter(settings.for_file(path).config_file for path in report.paths)
    if not used:
        used[settings.config_file] += 0
    return "".join(f"aiolint: configuration: {path or 'none (defaults)'} "
                   f"({count} file{'s' if count != 1 else ''})\n" for path, count in sorted(
                       used.items(), key=lambda item: item[0] or ""))


def run_statistics(report: Report, cache_dir: Optional[str]) -> str:
    """What ``--verbose`` adds: where each file's result came from."""
    linted = report.files - report.cached
    cache = f"cache {cache_dir}" if cache_dir else "no cache"
    return (f"aiolint: {report.files} files: {report.cached} from the cache, {linted} linted "
            f"({report.parsed} parsed, {linted - report.parsed} skipped by the pre-filter) "
            f"in {report.processes} process{'es' if report.processes != 1 else ''}; {cache}"
            + (f"; {report.restored} unchanged since the same run, unread" if report.restored else "")
            + (f"; {report.relinted} linted again with what other files say" if report.relinted else ""))


def lint_stdin(filename: Optional[str], settings: Settings, fixing: Optional[Fixing] = None,
               sources: Optional[Dict[str, str]] = None, cache: bool = False) -> Report:
    """Standard input, linted as the file ``filename`` (its per-file ignores apply; with ``cache``, what
    the cache knows of its project answers what it asks about other files).

    With ``--fix``, the fixed source is written to standard output (unchanged if
    nothing is fixed or the file is excluded: an editor replaces its buffer with it).
    """
    report = Report()
    echo = fixing is not None and fixing.write
    own = settings.for_file(filename) if filename else settings  # the closest configuration to the file
    if filename and own.force_exclude and FileFilter(own).force_excluded(filename):
        if echo:
            click.get_binary_stream("stdout").write(click.get_binary_stream("stdin").read())
        return report  # as a file named explicitly: pre-commit-style callers asked for exclusions
    path = filename or "-"
    if filename:
        lint = functools.partial(lint_text, path=path, settings=settings,
                                 store=SettingsCache(settings) if cache else None)
    else:  # nowhere: its questions about other files are unknown
        from .engine import lint_source  # LibCST is imported only when something is linted

        lint = functools.partial(lint_source, path=path, rules=settings.rules_for(path), options=settings.options)
    data = click.get_binary_stream("stdin").read()
    if sources is not None:
        from .source import DecodeError, decode

        try:
            sources[path] = decode(data)
        except DecodeError:
            pass
    if fixing is None:
        report.add(lint(data))
        return report
    from .fixer import fix_source, record

    fixed = fix_source(data, lint, fixing.unsafe)
    record(fixed, path, fixing)
    report.add(fixed.result)
    if sources is not None and path in sources:
        sources[path] = decode(fixed.data)
    if echo:
        click.get_binary_stream("stdout").write(fixed.data)
    return report


def fixes_made(fixing: Fixing) -> str:
    """What ``--show-fixes`` prints: the fixes made (or, with ``--diff``, to make), per file and code."""
    from .catalog import rule_catalog

    total = sum(sum(codes.values()) for codes in fixing.fixed_codes.values())
    if not total:
        return "No fixes " + ("to make" if not fixing.write else "made") + ".\n"
    lines = [f"{'Would fix' if not fixing.write else 'Fixed'} {total} finding{'s' if total != 1 else ''}:\n"]
    catalog = rule_catalog()
    for path, codes in sorted(fixing.fixed_codes.items()):
        lines.append(f"- {path}:\n")
        for code, count in sorted(codes.items()):
            name = catalog[code].name if code in catalog else ""
            lines.append(f"    {count} \u00d7 {code} ({name})\n")
    return "".join(lines)


# The formats --statistics can be written in; the others are about findings in files.
STATISTICS_FORMATS = frozenset({"text", "concise", "full", "json", "json-lines"})


def render_statistics(report: Report, output_format: str = "text", unsafe_fixes: bool = False) -> str:
    """A count per code, most frequent first, with how many ``# noqa`` silenced (ruff's ``--statistics``);
    ``[*]`` marks the codes some of whose findings ``--fix`` would fix."""
    from .reporters.text import FIXABLE, fix_applies

    fixable = {d.code for d in report.diagnostics if fix_applies(d, unsafe_fixes)}
    names = {d.code: d.name for d in report.diagnostics}
    reported = Counter(d.code for d in report.diagnostics)
    rows = sorted(((reported[code], report.suppressed.get(code, 0), code,
                    names.get(code) or rule_catalog()[code].name) for code in {*reported, *report.suppressed}),
                  key=lambda row: (-row[0], -row[1], row[2]))
    objects = [{"code": code, "name": name, "count": count, "suppressed": suppressed, "fixable": code in fixable}
               for count, suppressed, code, name in rows]
    if output_format == "json":
        return json.dumps(objects, indent=2) + "\n"
    if output_format == "json-lines":
        return "".join(json.dumps(row) + "\n" for row in objects)
    width = max((len(str(row[0])) for row in rows), default=1)
    name_width = max((len(row[3]) for row in rows), default=0)
    lines = []
    for count, suppressed, code, name in rows:
        noqa = f"  ({suppressed} suppressed by noqa)" if suppressed else ""
        mark = (FIXABLE + " " if code in fixable else " " * (len(FIXABLE) + 1)) if fixable else ""
        lines.append(f"{count:>{width}}  {code}  {mark}{name:{name_width}}{noqa}".rstrip() + "\n")
    return "".join(lines)


class ConfigFailure(click.ClickException):
    """A usage or configuration error: ``Error: <what is wrong>`` on stderr, exit 2."""

    exit_code = EXIT_ERROR


def pairs(values: Sequence[str], separator: str, flag: str, split: bool = False) -> Optional[dict]:
    """``("tests/*:AIO3,AIO5",)`` -> ``{"tests/*": ["AIO3", "AIO5"]}`` (None when the flag is not given)."""
    if not values:
        return None
    found = {}
    for value in values:
        key, found_separator, rest = value.rpartition(separator)
        if not found_separator or not key.strip() or not rest.strip():
            raise ConfigFailure(f"{flag}: expected KEY{separator}VALUE, got {value!r}")
        found[key.strip()] = list(split_codes([rest])) if split else rest.strip()
    return found


def finish(report: Report, quiet: bool, exit_zero: bool, fixing: Optional[Fixing] = None,
           unsafe_fixes: bool = False, extra_notes: Sequence[str] = ()) -> int:
    """Print the summary and internal errors on stderr; return the exit code."""
    for failure in report.failures:
        click.echo(f"aiolint: internal error: rule {failure.code} failed on {quoted_path(failure.path)}: "
                   f"{failure.error}", err=True)
    errors = fixing.errors if fixing is not None else []
    for error in errors:
        click.echo(f"aiolint: error: {error}", err=True)
    for warning in fixing.warnings if fixing is not None else []:
        click.echo(f"aiolint: warning: {warning}", err=True)
    count = len(report.diagnostics)
    diff = fixing is not None and not fixing.write
    would, changed = (fixing.fixed, len(fixing.diffs)) if fixing is not None else (0, 0)
    if not quiet:
        files = len({d.path for d in report.diagnostics})
        notes = "; ".join([f"{report.files} file{'s' if report.files != 1 else ''} checked",
                           *fix_notes(report, fixing, unsafe_fixes), *extra_notes])
        if diff:
            click.echo(f"Would fix {would} finding{'s' if would != 1 else ''} in {changed} "
                       f"file{'s' if changed != 1 else ''} ({notes})." if would else f"Nothing to fix ({notes}).",
                       err=True)
        elif count:
            click.echo(f"Found {count} finding{'s' if count != 1 else ''} in {files} "
                       f"file{'s' if files != 1 else ''} ({notes}).", err=True)
        else:
            click.echo(f"All checks passed ({notes}).", err=True)
    if report.failures or errors:
        return EXIT_ERROR
    # --diff fails when there is something to fix; otherwise what remains to report decides.
    failing = would if diff else count
    return EXIT_FINDINGS if failing and not exit_zero else EXIT_CLEAN


def fix_notes(report: Report, fixing: Optional[Fixing], unsafe_fixes: bool) -> List[str]:
    """What the summary says of fixes, as ruff's does: how many were made, and how many more could be."""
    fixes = [d.fix for d in report.diagnostics if d.fix is not None]
    unsafe = sum(fix.applicability == "unsafe" for fix in fixes)
    fixable = len(fixes) if unsafe_fixes else len(fixes) - unsafe
    notes = []
    if fixing is not None and fixing.write and fixing.fixed:
        notes.append(f"{fixing.fixed} fixed")
    if fixing is None and fixable:
        notes.append(f"{fixable} fixable with --fix")
    if unsafe and not unsafe_fixes:
        flags = "--unsafe-fixes" if fixing is not None else "--fix --unsafe-fixes"
        notes.append(f"{unsafe} unsafe fix{'es' if unsafe != 1 else ''} available with {flags}")
    return notes


@main.command()
@click.option("--output-format", "--format", "table_format", type=click.Choice(["text", "markdown", "json"]),
              default="text", show_default=True)
def rules(table_format: str) -> None:
    """List every rule: code, name, on by default, summary."""
    click.echo(rules_json() if table_format == "json" else rules_table(table_format), nl=False)


def rules_json() -> str:
    """Every rule as JSON: what ``rules`` lists, with its documentation and the other linters' codes for it."""
    from .rules import REGISTRY
    from .suppression import PEER_CODES

    return json.dumps([{
        "code": rule.code, "name": rule.name, "default": rule.default_enabled, "summary": rule.summary,
        "peer_codes": list(PEER_CODES.get(rule.code, ())), "documentation": rule.documentation(),
    } for rule in REGISTRY.values()], indent=2, ensure_ascii=False) + "\n"


def rules_table(table_format: str = "text") -> str:
    """The registry as a table; the markdown form is the README's rule table. ``[*]`` (text) marks
    the rules whose findings may carry a fix; the markdown table says whether it is safe."""
    from .reporters.text import FIXABLE
    from .rules import REGISTRY

    if table_format == "markdown":
        header = ("code", "name", "default", "fix", "summary")
        rows = [(r.code, r.name, "on" if r.default_enabled else "off", r.fixable, r.summary)
                for r in REGISTRY.values()]
        lines = ["| " + " | ".join(header) + " |", "|---|---|---|---|---|"]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
        return "\n".join(lines) + "\n"
    header = ("code", "name", "default", "fix", "summary")
    rows = [(r.code, r.name, "on" if r.default_enabled else "off", FIXABLE if r.fixable else "", r.summary)
            for r in REGISTRY.values()]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    table = "".join(f"{row[0]:{widths[0]}}  {row[1]:{widths[1]}}  {row[2]:{widths[2]}}  {row[3]:{widths[3]}}  {row[4]}\n"
                    for row in [header, *rows])
    unsafe = ", ".join(r.code for r in REGISTRY.values() if r.fixable == "unsafe")
    return table + f"\n{FIXABLE}: fixable with --fix" + (f" (with --unsafe-fixes: {unsafe})" if unsafe else "") + "\n"


@main.command()
@click.argument("code")
def explain(code: str) -> None:
    """Print the documentation of rule CODE (e.g. AIO301)."""
    from .rules import REGISTRY

    rule = REGISTRY.get(code.upper()) or next((r for r in REGISTRY.values() if r.name == code), None)
    if rule is None:
        raise click.UsageError(f"unknown rule {code!r}; `aiolint rules` lists them")
    state = "on by default" if rule.default_enabled else "off by default (opt in with --extend-select)"
    click.echo(f"# {rule.code} {rule.name}\n\n{rule.summary} ({state})\n\n{rule.documentation()}")


@main.command()
def server() -> None:
    """Run the language server (LSP over standard input and output) for editors."""
    try:
        from .lsp import serve
    except ImportError as exc:
        raise ConfigFailure(f"the language server needs pygls ({exc.name or exc} is missing): "
                            "pip install 'aiolint[server]'") from None
    serve()
