"""The Rule base class: what every rule declares, and how it reports.

A rule is a class with ``visit_<Node>`` / ``leave_<Node>`` methods, called by the
engine during its single walk of the tree. It reads the tree and the context
(names, scopes, coroutine context) and calls ``self.report``. It knows nothing
of files, output, caching or ``# noqa``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Dict, FrozenSet, Mapping, Optional, Sequence, Tuple

import libcst as cst

from ..semantics.testing import DOC_PARAGRAPHS

if TYPE_CHECKING:
    from ..context import FileContext

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Known limits")


@dataclass(frozen=True)
class Replacement:
    """Part of a fix: put ``content`` where ``node`` is."""

    node: cst.CSTNode
    content: str


@dataclass(frozen=True)
class NodeFix:
    applicability: str  # "safe" | "unsafe"
    replacements: Tuple[Replacement, ...]


class Rule:
    """Base of every rule. Subclasses set the class attributes and the visit methods.

    The class docstring is the rule's documentation, in the sections of
    ``DOC_SECTIONS`` as Markdown ``##`` headings.
    """

    code: ClassVar[str]
    name: ClassVar[str]  # kebab-case
    summary: ClassVar[str]  # one line, for `aiolint rules` and the README table
    message: ClassVar[str]  # one sentence: what is wrong and what to do; may hold {fields}
    default_enabled: ClassVar[bool] = True
    # Whether its findings may carry a fix: "safe", "unsafe" (may change behaviour), or "" (none).
    fixable: ClassVar[str] = ""
    # LibCST metadata providers the rule reads through ``self.context.metadata``;
    # the engine resolves only those that enabled rules declare.
    metadata: ClassVar[Tuple[type, ...]] = ()
    # Words one of which a file must contain for the rule to possibly report.
    # Empty means: the rule may report on any file.
    triggers: ClassVar[FrozenSet[str]] = frozenset()
    # Words one of which a file must contain as well (on top of ``triggers``):
    # ``{"async"}`` for a rule that reports only in coroutine context, which takes
    # an ``async def``. Empty means: no such condition.
    requires: ClassVar[FrozenSet[str]] = frozenset()
    # Whether the trigger words (method calls aside) are names a file must spell whole, as the names of
    # modules and builtins are (``os`` is not in ``position``); otherwise a part of a name will do
    # (``Timeout`` in ``ClientTimeout``). Keywords (``async``, ``except``), required or trigger words, are always whole.
    triggers_are_names: ClassVar[bool] = False
    # A rule about the suppression comments themselves: the engine judges them once the
    # other rules have reported (it has no visitors of its own).
    checks_suppressions: ClassVar[bool] = False

    @classmethod
    def triggers_for(cls, options: Mapping[str, Any]) -> FrozenSet[str]:
        """The trigger words under these options (a rule whose options add names extends them)."""
        return cls.triggers

    def __init__(self, context: "FileContext") -> None:
        self.context = context

    def report(self, node: cst.CSTNode, message: Optional[str] = None,
               fix: Optional[NodeFix] = None, **fields: Any) -> None:
        text = message if message is not None else self.message.format(**fields)
        self.context.report(self, node, text, fix)

    # -- documentation ------------------------------------------------------
    @classmethod
    def documentation(cls) -> str:
        doc = cls.__doc__ or ""
        lines = doc.expandtabs().splitlines()
        indent = min((len(l) - len(l.lstrip()) for l in lines[1:] if l.strip()), default=0)
        # A line that names a shared paragraph ("{test code}") stands for its text.
        body = "\n".join([lines[0].strip(), *(DOC_PARAGRAPHS.get(l.strip(), l[indent:]) for l in lines[1:])])
        return body.strip()

    @classmethod
    def doc_sections(cls) -> Dict[str, str]:
        parts = re.split(r"^## (.+)$", cls.documentation(), flags=re.M)
        return {title.strip(): text.strip() for title, text in zip(parts[1::2], parts[2::2])}


def code_in_place(node: cst.CSTNode, ancestors: Sequence[cst.CSTNode], module: cst.Module) -> str:
    """The code of ``node`` as it would stand where ``ancestors`` put it: the lines an expression
    spans after its first keep the indentation of the statement that holds it (``code_for_node``
    writes them as if the statement stood at the left margin)."""
    from libcst._nodes.internal import CodegenState

    state = CodegenState(default_indent=module.default_indent, default_newline=module.default_newline)
    state.indent_tokens.extend(block.indent if block.indent is not None else module.default_indent
                               for block in ancestors if isinstance(block, cst.IndentedBlock))
    node._codegen(state)
    return "".join(state.tokens)
