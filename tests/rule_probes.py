"""Small rules that only the tests register: they show what the engine gives every rule."""

from __future__ import annotations

import os
import signal
import time

import libcst as cst
from libcst.metadata import ParentNodeProvider, PositionProvider

from aiolint.rules.base import Rule


class CallProbe(Rule):
    """Reports every call whose callee resolves, with its qualified name and coroutine context."""

    code = "AIO990"
    name = "call-probe"
    summary = "test probe"
    message = "{callee} coroutine={coroutine}"

    def visit_Call(self, node: cst.Call) -> None:
        callee = self.context.callee_name(node)
        if callee is not None:
            self.report(node, callee=callee, coroutine=self.context.in_coroutine())


class Crashes(Rule):
    """Raises on the first call it sees: a rule with a bug."""

    code = "AIO991"
    name = "crashes"
    summary = "test probe"
    message = "never reported"

    def visit_Call(self, node: cst.Call) -> None:
        raise ZeroDivisionError("a bug in a rule")


class DiesOn(Rule):
    """Kills its own process on a file that says LINTER_DIES, after noting the attempt beside it:
    a linting process that the system kills, or a native crash."""

    code = "AIO992"
    name = "dies-on"
    summary = "test probe"
    message = "never reported"

    def visit_Module(self, node: cst.Module) -> None:
        if "LINTER_DIES" in (self.context.source or ""):
            with open(self.context.path + ".attempts", "a") as log:
                log.write(f"{os.getpid()}\n")
            os.kill(os.getpid(), signal.SIGKILL)


class Hangs(Rule):
    """Sleeps on a file that says HANGS; with HANGS_DEAF, the timer's signal cannot stop it either."""

    code = "AIO993"
    name = "hangs"
    summary = "test probe"
    message = "never reported"

    def visit_Module(self, node: cst.Module) -> None:
        source = self.context.source or ""
        if "HANGS_DEAF" in source:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        if "HANGS" in source:
            time.sleep(600)


class ParentProbe(Rule):
    """Declares LibCST metadata (the parent of each node and its position) and reads it: what
    a rule that needs more than the engine's own walk gives may do."""

    code = "AIO995"
    name = "parent-probe"
    summary = "test probe"
    message = "call in {parent} at {line}:{column}"
    metadata = (ParentNodeProvider, PositionProvider)

    def visit_Call(self, node: cst.Call) -> None:
        start = self.context.metadata[PositionProvider][node].start
        parent = type(self.context.metadata[ParentNodeProvider][node]).__name__
        self.report(node, parent=parent, line=start.line, column=start.column)
