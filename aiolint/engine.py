"""One file: decode -> parse -> one walk with every enabled rule -> positions -> noqa.

The walk is read-only and dispatches to the rules' ``visit_<Node>`` and
``leave_<Node>`` methods itself: LibCST's own visitor rebuilds every node, which
costs as much as the parse. Names are resolved on demand from the scopes the
walk enters, and positions are computed only for files that have findings.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import inspect
import keyword
import re
import symtable
import sys
import threading
import traceback
import types
import warnings
from collections import Counter
from itertools import accumulate
from typing import (Any, Callable, Dict, FrozenSet, Iterable, Iterator, List, Mapping, Optional, Pattern, Sequence, Tuple,
                    Type, Union)

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

try:
    import resource
except ImportError:  # not on Windows
    resource = None  # type: ignore[assignment]

from .diagnostics import (PARSE_ERROR, PARSER_LIMIT, READ_ERROR, Diagnostic, Edit, FileResult, Fix, RuleFailure,
                          file_diagnostic)
from .memory import LARGE_TEXT, give_back_freed_memory
from .rules.base import NodeFix, Rule
from .positions import positions as node_positions
from .context import LINE_MARK, LINE_MENTION, FileContext
from .semantics.model import FileModel, install as install_project
from .semantics.project import WORD, assigned_attributes, import_statements
from .semantics.tree import NESTED_CODE, child_fields, children, is_node_type
from .semantics.scope import COMPREHENSION_NODES, Scope, scope_of
from .source import DecodeError, decode
from .suppression import split_suppressed, unused_suppressions


# AIO001 means one thing: the file is not valid Python, for any version aiolint supports. A
# file that is valid Python but that LibCST cannot parse is AIO003, and the verdict is the
# same whether the pre-filter skips the file or not. CPython (the running interpreter's parser
# and symbol table) and LibCST's parser (which knows syntax newer than an older interpreter) must
# both reject a file for it to be AIO001, except for what every CPython refuses and LibCST would
# accept at great cost: NUL bytes, and brackets nested past CPython's tokenizer's limit.
MAX_BRACKET_NESTING = 200  # CPython's MAXLEVEL, the same in every version aiolint supports
_NOT_BRACKETS = bytes(byte for byte in range(256) if chr(byte) not in "()[]{}")
_BRACKET_STEP = {ord(opening): 1 for opening in "([{"} | {ord(closing): -1 for closing in ")]}"}


def python_syntax_error(path: str, source: str) -> Optional[Diagnostic]:
    """AIO001 where CPython puts the error, or None when it accepts the file.

    Its symbol table is built from the parser's tree without making Python objects of it (as
    ``ast.parse`` does), at two thirds of the cost; it also refuses what CPython would not compile
    (``nonlocal`` at module level).
    """
    try:
        with warnings.catch_warnings():  # e.g. invalid escape sequences: not this check's business
            warnings.simplefilter("ignore")
            symtable.symtable(source, path, "exec")
        return None
    except SyntaxError as exc:
        return file_diagnostic(path, PARSE_ERROR, f"Syntax error: {exc.msg}; the file was not checked.",
                               exc.lineno or 1, exc.offset or 1)
    except (ValueError, RecursionError, MemoryError) as exc:
        return file_diagnostic(path, PARSE_ERROR, f"Cannot parse: {exc or type(exc).__name__}; the file was not "
                                                  "checked.")


def refused_by_python(path: str, source: str) -> Optional[Diagnostic]:
    """AIO001 for what every CPython refuses and LibCST would spend seconds and gigabytes on; cheap
    (CPython's parser runs only when the brackets, strings and comments counted in, nest that deep)."""
    null = source.find("\0")
    if null >= 0:
        line = source.count("\n", 0, null) + 1
        column = null - source.rfind("\n", 0, null)
        return file_diagnostic(path, PARSE_ERROR, "Syntax error: source code cannot contain null bytes; the file "
                                                  "was not checked.", line, column)
    # As bytes: deleting every other character is then one pass in C.
    brackets = source.encode("utf-8", "surrogatepass").translate(None, _NOT_BRACKETS)
    if len(brackets) > MAX_BRACKET_NESTING and max(accumulate(map(_BRACKET_STEP.__getitem__, brackets))) > \
            MAX_BRACKET_NESTING:
        return python_syntax_error(path, source)
    return None


def syntax_error(path: str, source: str, error: Union[cst.ParserSyntaxError, RecursionError]) -> Diagnostic:
    """LibCST cannot parse the file: AIO001 where Python puts the error if it is not valid Python
    (LibCST's position can be a line late), else AIO003."""
    invalid = python_syntax_error(path, source)
    if invalid is not None:
        return invalid
    if isinstance(error, RecursionError):
        return file_diagnostic(path, PARSER_LIMIT, "Valid Python nested too deeply for LibCST, the parser aiolint "
                                                   "checks with; the file was not checked.")
    first = error.message.splitlines()[0] if error.message else "unsupported syntax"
    return file_diagnostic(path, PARSER_LIMIT, f"Valid Python that LibCST, the parser aiolint checks with, cannot "
                                               f"parse ({first}); the file was not checked.")


# LibCST recurses once per level of nesting: natively in its parser, and in Python in its
# code generator (positions, fixes), as do some rules. An expression as deep as CPython
# compiles (about 3,000 levels: a long concatenation, a chain of calls) needs more than
# the default 1,000 frames, and a deeper one, which LibCST still parses, overflows an
# 8 MiB stack: a crash, not an exception. So trees are made and walked under a raised
# recursion limit, on a stack that can hold it: the main thread's, allowed to grow while
# they are (Linux checks the soft limit as it grows, and leaves at least 128 MiB free
# below it), or else a thread of their own. (Every file on another thread would be
# simpler, but LibCST parses a tenth slower off the main thread.)
DEEP_STACK_BYTES = 512 * 2**20
DEEP_RECURSION_LIMIT = 20_000
_deep = threading.local()  # .active: this thread is already under the raised limit
_limit_lock = threading.Lock()
_limit_holders = 0  # calls running under the raised limit
_saved_limit = 0


def on_deep_stack(function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)`` with room to recurse, its exception raised here (as it is, where
    the room cannot be had)."""
    if getattr(_deep, "active", False):
        return function(*args)
    if threading.current_thread() is threading.main_thread():
        limits = _grow_main_stack()
        if limits is not None:
            try:
                return _deeply(function, *args)
            finally:
                resource.setrlimit(resource.RLIMIT_STACK, limits)
    outcome: List[Tuple[bool, Any]] = []

    def run() -> None:
        try:
            outcome.append((True, _deeply(function, *args)))
        except BaseException as exc:  # handed to the caller's thread
            outcome.append((False, exc))

    try:
        previous = threading.stack_size(DEEP_STACK_BYTES)
    except (ValueError, RuntimeError):  # a platform without settable stacks
        return function(*args)
    try:
        thread = threading.Thread(target=run, name="aiolint-deep-stack", daemon=True)
        try:
            thread.start()
        except RuntimeError:  # no thread to be had
            return function(*args)
    finally:
        threading.stack_size(previous)
    thread.join()
    succeeded, value = outcome[0]
    if succeeded:
        return value
    raise value


def _grow_main_stack() -> Optional[Tuple[int, int]]:
    """Let the main thread's stack grow to ``DEEP_STACK_BYTES``: the limits to restore after (None: it
    cannot). Restored, so that the processes a program starts later do not inherit the raised limit."""
    if resource is None or not sys.platform.startswith("linux"):  # elsewhere the main stack is fixed at start
        return None
    try:
        soft, hard = limits = resource.getrlimit(resource.RLIMIT_STACK)
        if soft == resource.RLIM_INFINITY or soft >= DEEP_STACK_BYTES:
            return limits
        if hard != resource.RLIM_INFINITY and hard < DEEP_STACK_BYTES:
            return None
        resource.setrlimit(resource.RLIMIT_STACK, (DEEP_STACK_BYTES, hard))
        return limits
    except (ValueError, OSError):
        return None


def _deeply(function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)`` under the raised recursion limit (process-wide: raised by the first
    such call running, restored by the last)."""
    global _limit_holders, _saved_limit
    with _limit_lock:
        if _limit_holders == 0:
            _saved_limit = sys.getrecursionlimit()
            sys.setrecursionlimit(max(_saved_limit, DEEP_RECURSION_LIMIT))
        _limit_holders += 1
    _deep.active = True
    try:
        return function(*args)
    finally:
        _deep.active = False
        with _limit_lock:
            _limit_holders -= 1
            if _limit_holders == 0:
                sys.setrecursionlimit(_saved_limit)


def _setter_of(node_class: type, field: str) -> Optional[Callable[[Any, Any], None]]:
    """The slot's own setter for a field (what ``object.__setattr__`` ends up calling), if the field is a slot."""
    for klass in node_class.__mro__:
        if field in klass.__dict__:
            slot = klass.__dict__[field]
            return slot.__set__ if isinstance(slot, types.MemberDescriptorType) else None
    return None


def _unvalidated_init(node_class: type) -> Optional[Callable[..., None]]:
    """An ``__init__`` for a LibCST node class that does what its dataclass ``__init__`` does, field by field and
    with the same defaults, but sets each slot through its descriptor and skips ``__post_init__`` (the
    validation); None for a class that does not fit that pattern, which then keeps its own."""
    if "__init__" not in node_class.__dict__ or node_class.__post_init__ is not cst.CSTNode.__post_init__:
        return None
    fields = dataclasses.fields(node_class)
    if list(inspect.signature(node_class.__init__).parameters)[1:] != [field.name for field in fields]:
        return None  # an __init__ of its own, or fields the constructor does not take
    namespace: Dict[str, Any] = {"MISSING": dataclasses.MISSING}
    parameters, body = [], []
    for index, field in enumerate(fields):
        setter = namespace[f"set{index}"] = _setter_of(node_class, field.name)
        if setter is None:
            return None
        if field.default is not dataclasses.MISSING:
            namespace[f"default{index}"] = field.default
            parameters.append(f"{field.name}=default{index}")
        elif field.default_factory is not dataclasses.MISSING:
            namespace[f"factory{index}"] = field.default_factory
            parameters.append(f"{field.name}=MISSING")
            body.append(f"    if {field.name} is MISSING: {field.name} = factory{index}()")
        else:
            parameters.append(field.name)
        body.append(f"    set{index}(self, {field.name})")
    exec(f"def __init__(self, {', '.join(parameters)}):\n" + "\n".join(body or ["    pass"]), namespace)
    return namespace["__init__"]


@functools.lru_cache(maxsize=None)
def _parser_constructors() -> Tuple[Tuple[type, Callable[..., None], Callable[..., None]], ...]:
    """(node class, its own ``__init__``, the unvalidated one) for each node class of LibCST that can have one."""
    node_classes = (node_class for node_class in _exported_node_classes()
                    if dataclasses.is_dataclass(node_class) and not inspect.isabstract(node_class))
    return tuple((node_class, node_class.__init__, init) for node_class in node_classes
                 for init in [_unvalidated_init(node_class)] if init is not None)


def _exported_node_classes() -> List[type]:
    """The node classes that LibCST exports, found through ``__subclasses__``. (Asking ``issubclass(value,
    cst.CSTNode)`` of everything it exports would leave, for each class that is not a node, an answer in the
    ABC cache of every node class: 1.4 MB, for the rest of the process.)"""
    found, todo = set(), [cst.CSTNode]
    while todo:
        for subclass in todo.pop().__subclasses__():
            if subclass not in found:
                found.add(subclass)
                todo.append(subclass)
    return sorted((node_class for node_class in found if getattr(cst, node_class.__name__, None) is node_class),
                  key=lambda node_class: node_class.__name__)


# Building those constructors takes about what they save on parsing 100 KB (some 15 ms): a process builds them once
# it has parsed that much, so that a run over a file or two (pre-commit, an editor) does not pay for them.
UNVALIDATED_AFTER = 100_000
_parsed_so_far = 0


def parse_module(text: str, unvalidated: Optional[bool] = None) -> cst.Module:
    """``libcst.parse_module``, building each node with a constructor that only sets its fields (``unvalidated``;
    by default, once the process has parsed ``UNVALIDATED_AFTER`` characters).

    Each LibCST node checks its own fields when it is constructed (whitespace is
    whitespace, brackets pair up...): about a tenth of the parse, spent re-checking
    what the parser has just read from valid code (LibCST's own comment on
    ``CSTNode.__post_init__`` says as much). And a frozen dataclass's ``__init__`` sets
    each field through ``object.__setattr__``, a lookup and a call more per field than
    the slot's own setter: another tenth. So the nodes' constructors are swapped for the
    parse only; nodes that rules and fixes build are built and checked as always. (The
    swap is process-wide while it lasts: another thread building nodes meanwhile would
    skip its checks too.)
    """
    global _parsed_so_far
    if unvalidated is None:
        unvalidated = _parsed_so_far >= UNVALIDATED_AFTER
        _parsed_so_far += len(text)
    if not unvalidated:
        return cst.parse_module(text)
    constructors = _parser_constructors()
    for node_class, _, fast in constructors:
        node_class.__init__ = fast  # type: ignore[misc]
    try:
        return cst.parse_module(text)
    finally:
        for node_class, init, _ in constructors:
            node_class.__init__ = init  # type: ignore[misc]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while one file is linted. Its tree and what the walk builds are freed
    by reference counting as it ends (a tree holds no cycles, and the walk breaks its own: ``FileWalk.close``),
    so the collections that their millions of allocations would set off find nothing to free, only nodes to
    scan. It must resume only once the tree is freed: it counts allocations net of what was freed, and a tree
    still held then would be scanned whole at the next allocation."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


# Answers a question a file asks of its project: a type, or None for unknown.
Answer = Callable[[str], Optional[str]]
# A file linted: its diagnostics, the rules that failed, its summary and its questions with their answers.
Linted = Union[Diagnostic, Tuple[List[Diagnostic], List[RuleFailure], Dict[str, Any], Dict[str, Any]]]


def parse(path: str, text: str) -> Union[cst.Module, Diagnostic]:
    """The LibCST tree, or the AIO001 or AIO003 saying why there is none."""
    refused = refused_by_python(path, text)
    if refused is not None:
        return refused
    try:
        return parse_module(text)
    except (cst.ParserSyntaxError, RecursionError) as exc:
        return syntax_error(path, text, exc)


def check_syntax(path: str, text: str) -> Optional[Diagnostic]:
    """AIO001 for a file that no rule needs parsed, so that skipping it hides no syntax error.

    CPython's check is ten times cheaper than LibCST's parse; only when it rejects the
    file (which may be newer syntax than this interpreter knows) does LibCST decide.
    """
    if python_syntax_error(path, text) is None:
        return None
    tree = on_deep_stack(parse, path, text)
    return tree if isinstance(tree, Diagnostic) else None


def lint_source(source: Union[bytes, str], path: str = "<string>", rules: Optional[Sequence[Type[Rule]]] = None,
                options: Optional[Mapping[str, Any]] = None, prefilter: bool = True,
                project: Optional[Answer] = None) -> FileResult:
    """Lint one file's contents (bytes are decoded per PEP 263) with the given rules (default: those on by default).

    With ``prefilter``, only the rules whose trigger words the text contains run,
    and a file that triggers none is not parsed at all. ``project(question)`` answers
    what the file asks of the other files of its project (see ``semantics/model.py``);
    without it, every such question is answered unknown.
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
    enabled = [rule.code for rule in rules]
    judges = [rule for rule in rules if rule.checks_suppressions]
    if prefilter:
        rules = triggered_rules(text, rules, options or {})
    judges = [rule for rule in judges if rule in rules]
    rules = [rule for rule in rules if not rule.checks_suppressions]
    if not rules:
        error = check_syntax(path, text)
        if error is not None:
            result.diagnostics.append(error)
            return result
        result.summary = unparsed_summary(text)
        diagnostics: List[Diagnostic] = []
    else:
        result.parsed = True
        found = on_deep_stack(lint_tree, text, path, rules, options or {}, project)
        if isinstance(found, Diagnostic):
            result.diagnostics.append(found)
            return result
        diagnostics, result.failures, result.summary, asked = found
        result.questions, result.answers = asked["questions"], asked["answers"]
    peers = bool((options or {}).get("peer-noqa", True))
    result.diagnostics, suppressed = split_suppressed(diagnostics, text, peers)
    result.suppressed = dict(Counter(d.code for d in suppressed))
    if judges:
        result.diagnostics = sorted(result.diagnostics + judge_suppressions(
            text, path, suppressed, enabled, result.failures, judges, peers))
    return result


def judge_suppressions(text: str, path: str, suppressed: List[Diagnostic], enabled: Sequence[str],
                       failures: Sequence[RuleFailure], judges: Sequence[Type[Rule]], peers: bool) -> List[Diagnostic]:
    """The findings of the rules about suppressions (AIO000), themselves subject to ``# aiolint: noqa``."""
    from .catalog import rule_catalog

    failed = {failure.code for failure in failures}  # a rule that failed may have had findings to silence
    judged = [code for code in enabled if code not in failed]
    found = []
    for judge in judges:
        found += unused_suppressions(text, path, suppressed, judged, rule_catalog().keys(), (judge.code, judge.name))
    kept, _ = split_suppressed(found, text, peers)
    return kept


_MODULE_CALL = re.compile(r"\b(\w+)\.(\w+)\s*\(")


def unparsed_summary(text: str) -> Dict[str, Any]:
    """The summary of a file no rule needed parsed: every attribute name it may assign, of a type unknown
    (so that no attribute is taken for a session that this file may make something else), the names its
    imports spell (the functions and modules it may call), and a mark that its facts are to be read on
    demand (``summarize``)."""
    names = assigned_attributes(text)
    imports = {word for _, imported in import_statements(text) for word in WORD.findall(imported)}
    imports.update(called for module, called in _MODULE_CALL.findall(text) if module in imports)  # utils.fetch(...)
    return {"attributes": dict.fromkeys(sorted(names), ""), "unparsed": True, "imports": sorted(imports)}


def summarize(source: Union[bytes, str], path: str, options: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """The summary of a file the pre-filter skipped, when another file asks about it (empty when it cannot
    be read or parsed)."""
    try:
        text = decode(source) if isinstance(source, bytes) else source
    except DecodeError:
        return {}
    found = on_deep_stack(lint_tree, text, path, [], options or {})
    return found[2] if not isinstance(found, Diagnostic) else {}


def lint_tree(text: str, path: str, rules: Sequence[Type[Rule]], options: Mapping[str, Any],
              project: Optional[Answer] = None) -> Linted:
    """Parse and walk one file: its diagnostics, the rules that failed, its summary and the questions it asked
    (with the answers it got), or the AIO001 that stopped it."""
    with collector_paused():  # resumed once the tree is freed, with the frame of the call that held it
        return _parse_and_walk(text, path, rules, options, project)


def _parse_and_walk(text: str, path: str, rules: Sequence[Type[Rule]], options: Mapping[str, Any],
                    project: Optional[Answer]) -> Linted:
    module = parse(path, text)
    if len(text) >= LARGE_TEXT:  # the parser's own memory, freed now: the walk's is not to come on top of it
        give_back_freed_memory()
    if isinstance(module, Diagnostic):
        return module
    file_walk = FileWalk(module, path, rules, options, text, project)
    try:
        file_walk.run()
        diagnostics = file_walk.diagnostics()
        summary = file_walk.summary()
        asked = {"questions": sorted(file_walk.questions.asked), "answers": file_walk.questions.answers()}
        return diagnostics, file_walk.failures, summary, asked
    except RecursionError as exc:  # deeper than even the raised limit: no rule's fault
        return syntax_error(path, text, exc)
    finally:
        file_walk.close()


# -- pre-filter ---------------------------------------------------------------
# A method call as the text spells it: every ``.name(`` it holds is one of these matches (a name holds no dot).
METHOD_CALL = re.compile(r"\.\w+\(")


@functools.lru_cache(maxsize=None)
def is_method_call(word: str) -> bool:
    return METHOD_CALL.fullmatch(word) is not None


@functools.lru_cache(maxsize=None)
def _word_end(word: str) -> Pattern[str]:
    # No look-behind: a pattern that starts with the word itself is searched for as a string is, many times faster.
    return re.compile(rf"{re.escape(word)}(?!\w)")


def spelled_whole(word: str, text: str) -> bool:
    """The text holds the word, not as a part of a longer name."""
    for match in _word_end(word).finditer(text):
        start = match.start()
        if not start or not (text[start - 1].isalnum() or text[start - 1] == "_"):
            return True
    return False


def triggered_rules(text: str, rules: Sequence[Type[Rule]], options: Mapping[str, Any]) -> List[Type[Rule]]:
    """The rules that may report on this text: it contains one of their trigger words (if they
    have any) and one of the words they require (if any).

    A rule's words are the names a file must spell to reach what the rule matches
    (a module has to be imported by name, even under an alias; coroutine context
    takes ``async``), so a file without them cannot produce its findings. Keywords,
    and the trigger words of rules whose words are names, count only spelled whole.
    Each word is searched once.
    """
    found: Dict[Tuple[str, bool], bool] = {}
    method_calls: Optional[FrozenSet[str]] = None

    def contains(word: str, whole: bool) -> bool:
        nonlocal method_calls
        if is_method_call(word):  # most words are ``.get(``: one scan finds every such call at once
            if method_calls is None:
                method_calls = frozenset(METHOD_CALL.findall(text))
            return word in method_calls
        return spelled_whole(word, text) if whole else word in text

    def contains_one(words: FrozenSet[str], names: bool) -> bool:
        for word in words:
            whole = names or keyword.iskeyword(word)
            hit = found.get((word, whole))
            if hit is None:
                hit = found[word, whole] = contains(word, whole)
            if hit:
                return True
        return not words

    # The required words first: few, shared by many rules (``aiohttp``, ``async``), they turn most files down at once.
    return [rule for rule in rules
            if contains_one(rule.requires, False) and contains_one(rule.triggers_for(options), rule.triggers_are_names)]


class _Walked(Dict[type, bool]):
    """type -> whether the walk enters its nodes: they are nodes that a rule visits or leaves,
    or that have children. A third of all nodes are names, which most rules reach from their
    parents."""

    def __init__(self, dispatched: Iterable[type]) -> None:
        super().__init__()
        self.dispatched = frozenset(dispatched)

    def __missing__(self, value_type: type) -> bool:
        known = self[value_type] = is_node_type(value_type) and (
            value_type in self.dispatched or bool(child_fields(value_type)))
        return known


@functools.lru_cache(maxsize=64)
def walked_types(dispatched: FrozenSet[type]) -> _Walked:
    """The ``_Walked`` of a set of dispatched types, shared by the files that dispatch the same (most do)."""
    return _Walked(dispatched)


@functools.lru_cache(maxsize=None)
def callbacks_of(rule_class: type) -> Tuple[Tuple[bool, type, str], ...]:
    """A rule class's ``visit_<Node>`` and ``leave_<Node>`` methods: (whether it leaves, the node type, the
    method's name). Found once per class: ``dir()`` of every rule for every file added up."""
    found = []
    for attr in dir(rule_class):
        if attr.startswith(("visit_", "leave_")):
            prefix, _, node_name = attr.partition("_")
            found.append((prefix == "leave", getattr(cst, node_name), attr))
    return tuple(found)


class FileWalk:
    """One walk of a file's tree with the enabled rules: it keeps the rules' ``FileContext``
    up to date (scope, ancestors) and turns what they report into diagnostics."""

    def __init__(self, module: cst.Module, path: str, rule_classes: Sequence[Type[Rule]],
                 options: Mapping[str, Any], source: Optional[str] = None, project: Optional[Answer] = None) -> None:
        self.module = module
        self.path = path
        self.context = FileContext(module, path, options, source)
        self.questions = install_project(self.context.module_scope, options, project)
        self.failures: List[RuleFailure] = []
        self._wrapper: Optional[MetadataWrapper] = None
        self.model = FileModel(self.context)
        self.rules: List[Any] = [self.model, *(rule_class(self.context) for rule_class in rule_classes)]
        self._visitors: Dict[type, List[Tuple[Rule, Callable]]] = {}
        self._leavers: Dict[type, List[Tuple[Rule, Callable]]] = {}
        providers = {p for rule in self.rules for p in rule.metadata}
        if providers:
            self.context.metadata = self._metadata_wrapper().resolve_many(providers)
        self._build_dispatch()

    # -- the walk -------------------------------------------------------------
    def _build_dispatch(self) -> None:
        """node type -> the rules' callbacks for it. The tables are refilled in place when a
        rule fails, so that the walk, which holds them, stops calling it."""
        self._visitors.clear()
        self._leavers.clear()
        for rule in self.rules:
            for leaving, node_type, attr in callbacks_of(type(rule)):
                table = self._leavers if leaving else self._visitors
                table.setdefault(node_type, []).append((rule, getattr(rule, attr)))
        self._walked = walked_types(frozenset(self._visitors.keys() | self._leavers.keys()))

    def _call(self, callbacks: List[Tuple[Rule, Callable]], node: cst.CSTNode) -> None:
        for rule, callback in callbacks:
            try:
                callback(node)
            except RecursionError:  # the file is too deep (lint_tree says so), not the rule wrong
                raise
            except Exception:  # a rule's bug must not cost the user the other rules or files
                self._fail(rule)

    def _fail(self, rule: Rule) -> None:
        detail = traceback.format_exc(limit=-3).strip().splitlines()
        self.failures.append(RuleFailure(self.path, rule.code, detail[-1] if detail else "error"))
        self.rules.remove(rule)
        self._build_dispatch()

    def run(self) -> None:
        """Visit the tree depth first. Each node on the stack carries its depth and scope,
        so the ancestors and the scope are set as it is entered: a node is left (popped)
        only when it has leavers."""
        if not self.rules:
            return
        context = self.context
        ancestors, walked = context.ancestors, self._walked
        visitors, leavers = self._visitors, self._leavers
        stack: List[Tuple[cst.CSTNode, int, Scope]] = [(self.module, 0, context.module_scope)]
        pop, push = stack.pop, stack.append
        while stack:
            node, depth, scope = pop()
            context.scope = scope
            if depth < 0:  # leaving the node at depth ~depth
                del ancestors[~depth:]
                callbacks = leavers.get(type(node))
                if callbacks:  # none left if its rules failed
                    self._call(callbacks, node)
                continue
            del ancestors[depth:]
            node_type = type(node)
            callbacks = visitors.get(node_type)
            if callbacks:
                self._call(callbacks, node)
            if node_type in leavers:
                push((node, ~depth, scope))
            kids = children(node, walked)
            depth += 1
            if node_type in NESTED_CODE:  # a new scope for its body
                body = node.body
                inner = scope_of(node, scope)
                for kid in reversed(kids):
                    push((kid, depth, inner if kid is body else scope))
            elif node_type in COMPREHENSION_NODES:  # a new scope for the whole of it
                inner = scope_of(node, scope)
                for kid in reversed(kids):
                    push((kid, depth, inner))
            else:
                for kid in reversed(kids):
                    push((kid, depth, scope))
            ancestors.append(node)
        context.scope = context.module_scope

    def summary(self) -> Dict[str, Any]:
        """What this file tells the others (empty if the model failed on it)."""
        return self.model.summary(self.questions) if self.model in self.rules else {}

    def close(self) -> None:
        """Let go of the rules: they and the context refer to each other, and the cycle would
        keep the whole tree alive until the garbage collector next runs a full collection."""
        self.rules.clear()
        self._visitors.clear()
        self._leavers.clear()
        # What analyses remembered holds scopes, which hold the memo: another cycle.
        self.context.module_scope.file_memo.clear()

    # -- results --------------------------------------------------------------
    def _metadata_wrapper(self) -> MetadataWrapper:
        if self._wrapper is None:
            self._wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
        return self._wrapper

    def diagnostics(self) -> List[Diagnostic]:
        reports = self.context.reports
        if not reports:
            return []
        positions = self.context.metadata.get(PositionProvider)
        if positions is None:  # only the reported nodes, not PositionProvider's every node
            statements = self.context.statements
            nodes = [node for _, node, _, _ in reports] + self.context.mentioned
            for _, node, _, fix in reports:
                for replacement in fix.replacements if fix is not None else ():
                    nodes.append(replacement.node)
                    if node in statements:  # a fix edits inside the reported statement, as a rule
                        statements.setdefault(replacement.node, statements[node])
            positions = node_positions(self.module, nodes, self.context.source, statements)
        found = []
        for rule_class, node, message, fix in reports:
            where = positions[node]
            if LINE_MARK in message:
                message = LINE_MENTION.sub(
                    lambda match: str(positions[self.context.mentioned[int(match.group(1))]].start.line), message)
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
