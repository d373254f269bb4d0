"""One file: decode -> parse -> one walk with every enabled rule -> positions -> noqa.

The walk is read-only and dispatches to the rules' ``visit_<Node>`` and
``leave_<Node>`` methods itself: LibCST's own visitor rebuilds every node, which
costs as much as the parse. Names are resolved on demand from the scopes the
walk enters, and positions are computed only for files that have findings.
"""

from __future__ import annotations

import ast
import functools
import traceback
import warnings
from collections import Counter
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple, Type, Union

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .diagnostics import PARSE_ERROR, READ_ERROR, Diagnostic, Edit, FileResult, Fix, RuleFailure, file_diagnostic
from .rules.base import NodeFix, Rule
from .positions import positions as node_positions
from .semantics.names import qualified_name
from .semantics.tree import child_fields, children
from .semantics.scope import COMPREHENSION_NODES, Scope
from .semantics.values import member_name, type_of
from .source import DecodeError, decode
from .suppression import split_suppressed


def syntax_error(path: str, source: str, error: cst.ParserSyntaxError) -> Diagnostic:
    """AIO001 where Python itself puts the error (LibCST's position can be a line late)."""
    try:
        ast.parse(source)
    except SyntaxError as exc:
        return file_diagnostic(path, PARSE_ERROR, f"Syntax error: {exc.msg}; the file was not checked.",
                               exc.lineno or 1, exc.offset or 1)
    except (ValueError, RecursionError, MemoryError) as exc:
        return file_diagnostic(path, PARSE_ERROR, f"Cannot parse: {exc}; the file was not checked.")
    first = error.message.splitlines()[0] if error.message else "unsupported syntax"
    return file_diagnostic(path, PARSE_ERROR, f"LibCST cannot parse this file ({first}); it was not checked.",
                           error.raw_line, error.raw_column + 1)


def parse(path: str, text: str) -> Union[cst.Module, Diagnostic]:
    """The LibCST tree, or the AIO001 saying why there is none."""
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        return syntax_error(path, text, exc)
    except RecursionError:
        return file_diagnostic(path, PARSE_ERROR, "The file is nested too deeply to parse; it was not checked.")


def check_syntax(path: str, text: str) -> Optional[Diagnostic]:
    """AIO001 for a file that no rule needs parsed, so that skipping it hides no syntax error.

    Python's own parser is ten times cheaper than LibCST's; only when it rejects the
    file (which may be newer syntax than this interpreter knows) does LibCST decide.
    """
    try:
        with warnings.catch_warnings():  # e.g. invalid escape sequences: not this check's business
            warnings.simplefilter("ignore")
            ast.parse(text)
        return None
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = parse(path, text)
        return tree if isinstance(tree, Diagnostic) else None


def lint_source(source: Union[bytes, str], path: str = "<string>", rules: Optional[Sequence[Type[Rule]]] = None,
                options: Optional[Mapping[str, Any]] = None, prefilter: bool = True) -> FileResult:
    """Lint one file's contents (bytes are decoded per PEP 263) with the given rules (default: those on by default).

    With ``prefilter``, only the rules whose trigger words the text contains run,
    and a file that triggers none is not parsed at all.
    """
    if rules is None:
        from .rules import default_rules

        rules = default_rules()
    result = FileResult(path)
    if isinstance(source, bytes):
        try:
            text = decode(source)
        except DecodeError as exc:
            result.diagnostics.append(file_diagnostic(path, READ_ERROR, f"Cannot decode the file: {exc}."))
            return result
    else:
        text = source
    if prefilter:
        rules = triggered_rules(text, rules, options or {})
    if not rules:
        error = check_syntax(path, text)
        if error is not None:
            result.diagnostics.append(error)
        return result
    result.parsed = True
    module = parse(path, text)
    if isinstance(module, Diagnostic):
        result.diagnostics.append(module)
        return result
    context = FileContext(module, path, rules, options or {})
    context.run()
    diagnostics = context.diagnostics()
    result.diagnostics, suppressed = split_suppressed(diagnostics, text)
    result.suppressed = dict(Counter(d.code for d in suppressed))
    result.failures = context.failures
    return result


# -- pre-filter ---------------------------------------------------------------
def triggered_rules(text: str, rules: Sequence[Type[Rule]], options: Mapping[str, Any]) -> List[Type[Rule]]:
    """The rules that may report on this text: it contains one of their trigger words (if they
    have any) and one of the words they require (if any).

    A rule's words are the names a file must spell to reach what the rule matches
    (a module has to be imported by name, even under an alias; coroutine context
    takes ``async``), so a file without them cannot produce its findings. Each word
    is searched once.
    """
    found: Dict[str, bool] = {}

    def contains_one(words: FrozenSet[str]) -> bool:
        for word in words:
            hit = found.get(word)
            if hit is None:
                hit = found[word] = word in text
            if hit:
                return True
        return not words

    return [rule for rule in rules if contains_one(rule.triggers_for(options)) and contains_one(rule.requires)]


class _Walked(Dict[type, bool]):
    """node type -> whether the walk enters its nodes: a rule visits or leaves them, or they
    have children. A third of all nodes are names, which most rules reach from their parents."""

    def __init__(self, dispatched: Iterable[type]) -> None:
        super().__init__()
        self.dispatched = frozenset(dispatched)

    def __missing__(self, node_type: type) -> bool:
        known = self[node_type] = node_type in self.dispatched or bool(child_fields(node_type))
        return known


_ENTER, _LEAVE, _PUSH, _POP = range(4)
_SCOPE_BODY_NODES = frozenset({cst.FunctionDef, cst.Lambda, cst.ClassDef})
_COMPREHENSION_NODES = frozenset(COMPREHENSION_NODES)


_UNKNOWN = object()


@functools.lru_cache(maxsize=None)
def last_parts(names: FrozenSet[str]) -> FrozenSet[str]:
    return frozenset(name.rpartition(".")[2] for name in names)


class FileContext:
    """What rules see of the file being linted, and where they report."""

    def __init__(self, module: cst.Module, path: str, rule_classes: Sequence[Type[Rule]],
                 options: Mapping[str, Any]) -> None:
        self.module = module
        self.path = path
        self.options = options
        self.scope = Scope(module, None)
        self.ancestors: List[cst.CSTNode] = []  # from the module down to the current node's parent
        self.failures: List[RuleFailure] = []
        self.metadata: Mapping[Any, Mapping[cst.CSTNode, Any]] = {}
        self._reports: List[Tuple[Type[Rule], cst.CSTNode, str, Optional[NodeFix]]] = []
        self._names: Dict[Tuple[Any, cst.CSTNode, Scope], Optional[str]] = {}
        self._wrapper: Optional[MetadataWrapper] = None
        self.rules = [rule_class(self) for rule_class in rule_classes]
        providers = {p for rule in self.rules for p in rule.metadata}
        if providers:
            self.metadata = self._metadata_wrapper().resolve_many(providers)
        self._build_dispatch()

    # -- the API of rules -----------------------------------------------------
    def report(self, rule: Rule, node: cst.CSTNode, message: str, fix: Optional[NodeFix]) -> None:
        self._reports.append((type(rule), node, message, fix))

    def qualified_name(self, expr: cst.BaseExpression, scope: Optional[Scope] = None) -> Optional[str]:
        return self._resolved(qualified_name, expr, scope)

    def callee_name(self, call: cst.Call, scope: Optional[Scope] = None) -> Optional[str]:
        return self._resolved(member_name, call.func, scope)

    def callee_among(self, call: cst.Call, names: FrozenSet[str]) -> Optional[str]:
        """The callee's qualified name if it is one of ``names``, else None.

        ``x.attr(...)`` can only be one of them if ``attr`` ends one of their names, so
        most calls are turned down without resolving anything.
        """
        if isinstance(call.func, cst.Attribute) and call.func.attr.value not in last_parts(names):
            return None
        name = self.callee_name(call)
        return name if name in names else None

    def member_name(self, expr: cst.BaseExpression, scope: Optional[Scope] = None) -> Optional[str]:
        return self._resolved(member_name, expr, scope)

    def type_of(self, expr: cst.BaseExpression, scope: Optional[Scope] = None) -> Optional[str]:
        return self._resolved(type_of, expr, scope)

    def _resolved(self, resolve: Callable[[Any, Scope], Optional[str]], node: cst.CSTNode,
                  scope: Optional[Scope]) -> Optional[str]:
        # Several rules ask about the same call: resolve it once per scope.
        key = (resolve, node, scope or self.scope)
        known = self._names.get(key, _UNKNOWN)
        if known is _UNKNOWN:
            known = self._names[key] = resolve(node, key[2])
        return known  # type: ignore[return-value]

    def in_coroutine(self) -> bool:
        """The innermost enclosing function is ``async def`` (a nested def or lambda is not)."""
        function = self.scope.function()
        return function is not None and function.is_coroutine

    def code_for(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    # -- the walk -------------------------------------------------------------
    def _build_dispatch(self) -> None:
        self._visitors: Dict[type, List[Tuple[Rule, Callable]]] = {}
        self._leavers: Dict[type, List[Tuple[Rule, Callable]]] = {}
        for rule in self.rules:
            for attr in dir(type(rule)):
                if attr.startswith(("visit_", "leave_")):
                    prefix, _, node_name = attr.partition("_")
                    node_type = getattr(cst, node_name)
                    table = self._visitors if prefix == "visit" else self._leavers
                    table.setdefault(node_type, []).append((rule, getattr(rule, attr)))
        self._walked = _Walked(self._visitors.keys() | self._leavers.keys())

    def _call(self, callbacks: List[Tuple[Rule, Callable]], node: cst.CSTNode) -> None:
        for rule, callback in callbacks:
            try:
                callback(node)
            except Exception:  # a rule's bug must not cost the user the other rules or files
                self._fail(rule)

    def _fail(self, rule: Rule) -> None:
        detail = traceback.format_exc(limit=-3).strip().splitlines()
        self.failures.append(RuleFailure(self.path, rule.code, detail[-1] if detail else "error"))
        self.rules.remove(rule)
        self._build_dispatch()

    def run(self) -> None:
        if not self.rules:
            return
        stack: List[Tuple[int, Any]] = [(_ENTER, self.module)]
        ancestors = self.ancestors
        walked = self._walked
        while stack:
            op, item = stack.pop()
            if op == _ENTER:
                node_type = type(item)
                callbacks = self._visitors.get(node_type)
                if callbacks:
                    self._call(callbacks, item)
                stack.append((_LEAVE, item))
                kids = [kid for kid in children(item) if walked[type(kid)]]
                if node_type in _SCOPE_BODY_NODES:
                    body = item.body
                    for kid in reversed(kids):
                        if kid is body:
                            stack.append((_POP, None))
                            stack.append((_ENTER, kid))
                            stack.append((_PUSH, item))
                        else:
                            stack.append((_ENTER, kid))
                elif node_type in _COMPREHENSION_NODES:
                    stack.append((_POP, None))
                    stack.extend((_ENTER, kid) for kid in reversed(kids))
                    stack.append((_PUSH, item))
                else:
                    stack.extend((_ENTER, kid) for kid in reversed(kids))
                ancestors.append(item)
            elif op == _LEAVE:
                ancestors.pop()
                callbacks = self._leavers.get(type(item))
                if callbacks:
                    self._call(callbacks, item)
            elif op == _PUSH:
                self.scope = Scope(item, self.scope)
            else:
                self.scope = self.scope.parent  # type: ignore[assignment]

    # -- results --------------------------------------------------------------
    def _metadata_wrapper(self) -> MetadataWrapper:
        if self._wrapper is None:
            self._wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
        return self._wrapper

    def diagnostics(self) -> List[Diagnostic]:
        if not self._reports:
            return []
        positions = self.metadata.get(PositionProvider)
        if positions is None:  # only the reported nodes, not PositionProvider's every node
            nodes = [node for _, node, _, _ in self._reports]
            nodes += [r.node for _, _, _, fix in self._reports if fix is not None for r in fix.replacements]
            positions = node_positions(self.module, nodes)
        found = []
        for rule_class, node, message, fix in self._reports:
            where = positions[node]
            found.append(Diagnostic(
                self.path, where.start.line, where.start.column + 1, where.end.line, where.end.column + 1,
                rule_class.code, rule_class.name, message,
                self._fix(fix, positions) if fix is not None else None,
            ))
        return sorted(set(found))

    @staticmethod
    def _fix(fix: NodeFix, positions: Mapping[cst.CSTNode, Any]) -> Fix:
        edits = []
        for replacement in fix.replacements:
            where = positions[replacement.node]
            edits.append(Edit(where.start.line, where.start.column + 1, where.end.line,
                              where.end.column + 1, replacement.content))
        return Fix(fix.applicability, tuple(edits))
