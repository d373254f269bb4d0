"""AIO0xx: aiolint's own comments. The engine checks them after the other rules have run."""

from __future__ import annotations

from .base import Rule


class UnusedNoqa(Rule):
    """A `# noqa` comment that silences nothing.

    ## What it does
    Reports the aiolint codes of `# noqa: AIO…` comments and `# aiolint: noqa: …` lines that
    silenced no finding in this run, and codes that name no aiolint rule. Other linters'
    codes in the same comment (`E501`, `BLE001`) and bare `# noqa` are left alone. The fix
    removes the unused codes, or the whole comment when nothing else is left in it.

    ## Why is this bad?
    A suppression outlives the code it was written for: the finding was fixed, the code
    moved, or the code was mistyped (`# noqa: AIO31`) and never silenced anything. Such a
    comment hides the next real finding on that line and tells readers something that is
    not true.

    ## Example
    ```python
    async def poll():
        await asyncio.sleep(1)  # noqa: AIO301
    ```

    ## Use instead
    ```python
    async def poll():
        await asyncio.sleep(1)
    ```

    ## Known limits
    Off by default: turn it on with `--extend-select AIO000` from time to time, or in CI once
    the comments are clean. A code of a rule that is not enabled in the run (not selected,
    or left out by `per-file-ignores`) cannot be judged and is not reported, nor is a bare
    `# noqa` or `# aiolint: noqa`, which may speak for other tools. A `# noqa` inside a
    string is not a comment and is not reported.
    """

    code = "AIO000"
    name = "unused-noqa"
    summary = "A `# noqa` or `# aiolint: noqa` code that silences nothing, or names no rule"
    message = "`noqa` that silences nothing here."
    default_enabled = False
    triggers = frozenset({"noqa", "NOQA", "Noqa"})
    checks_suppressions = True
