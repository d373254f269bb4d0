"""The command line: ``aiolint [PATHS]`` (check), ``aiolint rules``, ``aiolint explain CODE``."""

from __future__ import annotations

import sys
from typing import List, Optional, Sequence

import click

from . import __version__
from .config import ConfigError, Selection, Settings, split_codes
from .reporters import REPORTERS
from .rules import REGISTRY
from .runner import Report, lint_paths

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class DefaultToCheck(click.Group):
    """``aiolint src/`` means ``aiolint check src/``, as with ruff's main command."""

    def parse_args(self, ctx: click.Context, args: List[str]) -> List[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = ["check", *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultToCheck, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="aiolint")
def main() -> None:
    """aiolint: find aiohttp anti-patterns before they reach production."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--select", multiple=True, metavar="CODES", help="Only these codes or prefixes (e.g. AIO3,AIO501).")
@click.option("--extend-select", multiple=True, metavar="CODES", help="Add these codes or prefixes to the selection.")
@click.option("--ignore", multiple=True, metavar="CODES", help="Leave out these codes or prefixes.")
@click.option("--output-format", type=click.Choice(sorted(REPORTERS)), default="text", show_default=True)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings (2 still means an error).")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only: no summary.")
def check(paths: Sequence[str], select: Sequence[str], extend_select: Sequence[str], ignore: Sequence[str],
          output_format: str, exit_zero: bool, quiet: bool) -> None:
    """Lint PATHS (files or directories; default: the current directory)."""
    settings = Settings(selection=Selection(
        select=split_codes(select) if select else None,
        extend_select=split_codes(extend_select),
        ignore=split_codes(ignore),
    ))
    try:
        settings.selection.codes()  # validate before any work
        report = lint_paths(list(paths) or ["."], settings)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(REPORTERS[output_format](report), nl=False)
    sys.exit(finish(report, quiet, exit_zero))


def finish(report: Report, quiet: bool, exit_zero: bool) -> int:
    """Print the summary and internal errors on stderr; return the exit code."""
    for failure in report.failures:
        click.echo(f"aiolint: internal error: rule {failure.code} failed on {failure.path}: {failure.error}", err=True)
    count = len(report.diagnostics)
    if not quiet:
        files = len({d.path for d in report.diagnostics})
        checked = f"{report.files} file{'s' if report.files != 1 else ''} checked"
        if count:
            click.echo(f"Found {count} finding{'s' if count != 1 else ''} in {files} "
                       f"file{'s' if files != 1 else ''} ({checked}).", err=True)
        else:
            click.echo(f"All checks passed ({checked}).", err=True)
    if report.failures:
        return EXIT_ERROR
    return EXIT_FINDINGS if count and not exit_zero else EXIT_CLEAN


@main.command()
@click.option("--format", "table_format", type=click.Choice(["text", "markdown"]), default="text", show_default=True)
def rules(table_format: str) -> None:
    """List every rule: code, name, on by default, summary."""
    click.echo(rules_table(table_format), nl=False)


def rules_table(table_format: str = "text") -> str:
    """The registry as a table; the markdown form is the README's rule table."""
    header = ("code", "name", "default", "summary")
    rows = [(r.code, r.name, "on" if r.default_enabled else "off", r.summary) for r in REGISTRY.values()]
    if table_format == "markdown":
        lines = ["| " + " | ".join(header) + " |", "|---|---|---|---|"]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
        return "\n".join(lines) + "\n"
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
    return "".join(f"{row[0]:{widths[0]}}  {row[1]:{widths[1]}}  {row[2]:{widths[2]}}  {row[3]}\n"
                   for row in [header, *rows])


@main.command()
@click.argument("code")
def explain(code: str) -> None:
    """Print the documentation of rule CODE (e.g. AIO301)."""
    rule = REGISTRY.get(code.upper()) or next((r for r in REGISTRY.values() if r.name == code), None)
    if rule is None:
        raise click.UsageError(f"unknown rule {code!r}; `aiolint rules` lists them")
    state = "on by default" if rule.default_enabled else "off by default (opt in with --extend-select)"
    click.echo(f"# {rule.code} {rule.name}\n\n{rule.summary} ({state})\n\n{rule.documentation()}")
