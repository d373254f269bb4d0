"""The project model, per file: what one file tells the others, and what it asks them.

During the file's one walk, ``FileModel`` notes the values each function returns and
every assignment to an attribute (``self.session = ...``, ``bot.session = ...``). After
the walk, ``summary()`` turns them, with the module's top-level bindings, into plain
data the join (``project.py``) reads:

- ``facts``: name in the module -> type. ``make_session`` -> ``()aiohttp.ClientSession``
  (what calling it gives; ``()awaitable:T`` for a coroutine function), ``Client.session``
  -> the type of a class's attribute, ``Client.fetch`` -> a method's result, ``STATE`` ->
  ``pathlib.Path``, ``make_session`` -> ``=.net.make_session`` (imported from elsewhere).
  Types are qualified names; ``@.Client`` is a class of this module and ``.x.Y`` is relative
  to its package: the join makes both absolute.
- ``attributes``: attribute name -> the one type of everything this file assigns to it
  (``""`` when something assigned is unknown or two differ).
- ``call_sites``: (caller, callee, how) for calls of functions that may be the project's: imported
  names, this module's defs (``@.fetch``, ``@.Client.fetch``), methods of instances of known classes
  (``.api.WeatherApi.get`` for ``self.api.get()`` with ``self.api = WeatherApi()``), and decorations
  (``Fun.weather`` decorated with ``@with_session``: how ``wraps``); ``runs``: what runs each function
  (per-event or one-shot code); ``registered``: imported functions registered as per-event callbacks.

The summary is made blind (no answers from other files), so that it is the same however
the run went: cached with the file's result, it stays true while the file is unchanged.
The questions the file asked (``values.project_fact``) and the answers it was given are
kept with its result: when the join's answers differ, the runner lints the file again.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Dict, List, Mapping, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from .aiohttp import assigned_type, guarded, how_repeated, self_assignments, self_class
from .entry_points import DECORATORS, EntryKind, entry_point, local_function, registered
from .names import qualified_name
from .scope import Scope, scope_of
from .testing import in_test
from .project import AWAITABLE, CALLED, GUARDED, REFERENCE, THIS_MODULE, WRAPS
from .tree import DOTTED_NAMES
from .values import (
    FACTORIES, Kind, binding_type, binds_none, factories_for,
    function_type, is_class_name, is_none, kind_of_type, one_type, type_of,
)

# Packages whose functions are never the project's: calls of them are not call sites.
NOT_PROJECT = frozenset(getattr(sys, "stdlib_module_names", ())) | {"builtins"}
# What a call site names: an imported or module-level name (``.net.fetch``, ``.api.WeatherApi.get``), or a
# def of this module.
Callee = Union[str, cst.FunctionDef]


class ProjectQuestions:
    """The other files of the project, as this file's walk may ask them (``values.project_fact``)."""

    def __init__(self, answer: Optional[Any] = None) -> None:
        # ``answer(question) -> type or None``: the join's view of the project (None: no project known).
        self.answer = answer
        self.asked: Dict[str, Optional[str]] = {}
        self.blind = False

    def ask(self, question: str) -> Optional[str]:
        if self.blind:
            return None
        if question not in self.asked:
            self.asked[question] = self.answer(question) if self.answer is not None else None
        return self.asked[question]

    def answers(self) -> Dict[str, str]:
        return {question: answer for question, answer in self.asked.items() if answer is not None}


def install(scope: Scope, options: Mapping[str, Any], answer: Optional[Any]) -> ProjectQuestions:
    """Give the file's scopes the project and the factory table (read by ``values``)."""
    questions = ProjectQuestions(answer)
    scope.file_memo["project"] = questions
    scope.file_memo["factories"] = factories_for(options) if options.get("extend-factories") else FACTORIES
    return questions


class FileModel:
    """Notes what the summary needs as the engine walks the file (it is driven like a rule)."""

    code = "model"  # how a failure here is reported
    metadata = ()

    def __init__(self, context: Any) -> None:
        self.context = context
        self.returns: Dict[cst.FunctionDef, Optional[List[cst.BaseExpression]]] = {}
        self.assigned: List[Tuple[str, Optional[cst.BaseExpression], Optional[cst.BaseExpression], Scope]] = []
        # The top-level functions and methods, by name ("fetch", "Client.fetch"), and where each is defined.
        self.members: Dict[cst.FunctionDef, Tuple[str, Scope]] = {}
        self.sites: Set[Tuple[Optional[cst.FunctionDef], Callee, str]] = set()  # (caller, callee, how)
        self.registrations: List[Tuple[cst.BaseExpression, Scope, EntryKind]] = []
        # Calls of methods on objects (``self.api.get()``), resolved at summary time (``method_of``): most are
        # not the project's, so whether they repeat is asked only of those that are.
        self.method_calls: List[Tuple[Optional[cst.FunctionDef], cst.Attribute, cst.Call, Tuple[cst.CSTNode, ...],
                                      Scope]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.returns[node] = []
        scope = self.context.scope
        if scope.is_module:
            self.members[node] = (node.name.value, scope)
        elif scope.is_class and scope.parent is not None and scope.parent.is_module:
            self.members[node] = (f"{scope.node.name.value}.{node.name.value}", scope)  # type: ignore[attr-defined]
        else:
            return
        if in_test(scope):
            return
        for item in node.decorators:
            decorator = item.decorator.func if isinstance(item.decorator, cst.Call) else item.decorator
            if qualified_name(decorator, scope) in DECORATORS:
                continue  # a framework's (what runs the function: ``runs``), not the project's
            callee = project_callee(decorator, scope)
            if callee is not None and callee is not node:
                self.sites.add((node, callee, WRAPS))

    def visit_Return(self, node: cst.Return) -> None:
        function = self.context.scope.function()
        if function is not None and isinstance(function.node, cst.FunctionDef) and node.value is not None:
            values = self.returns.get(function.node)
            if values is not None:
                values.append(node.value)

    def visit_Yield(self, node: cst.Yield) -> None:
        function = self.context.scope.function()
        if function is not None and isinstance(function.node, cst.FunctionDef):
            self.returns[function.node] = None  # a generator

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if type(func) not in DOTTED_NAMES:
            return
        scope = self.context.scope
        self.registrations.extend((callback, scope, kind) for callback, kind in registered(node, scope))
        callee = project_callee(func, scope)
        if callee is None and not instance_method(func, scope):
            return
        caller = top_function(scope)
        if caller is callee or in_test(scope):
            return
        if callee is None:
            self.method_calls.append((caller, func, node, tuple(self.context.ancestors), scope))  # type: ignore
        else:
            self.add_site(caller, callee, node, self.context.ancestors, scope)

    def add_site(self, caller: Optional[cst.FunctionDef], callee: Callee, node: cst.Call,
                 ancestors: Sequence[cst.CSTNode], scope: Scope) -> None:
        how = how_repeated(node, ancestors, scope)
        if caller is not None:
            self.sites.add((caller, callee, how or (GUARDED if guarded(node, ancestors) else "")))
        elif how:
            self.sites.add((caller, callee, how))

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1 and type(node.targets[0].target) is cst.Attribute:
            self.assigned.append((node.targets[0].target.attr.value, node.value, None, self.context.scope))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Attribute):
            self.assigned.append((node.target.attr.value, node.value, node.annotation.annotation,
                                  self.context.scope))

    def summary(self, questions: ProjectQuestions) -> Dict[str, Any]:
        module = self.context.module_scope
        memo = module.file_memo
        # Blind, and without what the walk worked out with the answers.
        questions.blind = True
        forget_answered(memo)
        memo["returns"] = self.returns  # every function's returns are known now: no more walks for them
        try:
            return self._summary(module)
        finally:
            questions.blind = False
            forget_answered(memo)

    def _summary(self, module: Scope) -> Dict[str, Any]:
        facts: Dict[str, str] = {}
        is_package = os.path.basename(self.context.path) in ("__init__.py", "__init__.pyi")
        by_attribute: Dict[str, Set[Optional[str]]] = {}
        for name, bindings in module.bindings.items():
            kinds = {binding.kind for binding in bindings}
            if kinds == {"def"} and len(bindings) == 1:
                self._function_fact(facts, name, bindings[0].node, module)
            elif kinds == {"class"} and len(bindings) == 1:
                self._class_facts(facts, by_attribute, name, bindings[0].node, module)
            elif kinds == {"import"} and len(bindings) == 1:
                # Re-exports: relative imports, and a package's imports (``from .net import make_session``).
                target = bindings[0].qualified
                if target and (target.startswith(".") or is_package):
                    facts[name] = REFERENCE + target
            elif kinds <= {"assign", "annotation"}:
                found = one_type(binding_type(b, module) for b in bindings if not binds_none(b))
                if found is not None:
                    facts[name] = found
        for attribute, value, annotation, scope in self.assigned:
            found = assigned_type([(value, annotation, scope)])
            if found is not None or (value is not None and not is_none(value)) or annotation is not None:
                by_attribute.setdefault(attribute, set()).add(found)
        attributes = {name: (types.pop() or "") if len(types) == 1 else "" for name, types in by_attribute.items()}
        return {"facts": facts, "attributes": attributes, **self._call_sites()}

    def _call_sites(self) -> Dict[str, Any]:
        """``call_sites``, ``runs`` and ``registered`` (see the module docstring)."""
        sites: Set[Tuple[str, str, str]] = set()
        kinds: Dict[cst.FunctionDef, EntryKind] = {}
        methods: Dict[Tuple[object, str], Optional[str]] = {}  # by receiver: the class's method, if the project's
        for caller, func, node, ancestors, scope in self.method_calls:
            key = (receiver_key(func.value, scope), func.attr.value)
            if key not in methods:
                methods[key] = method_of(func, scope)
            method = methods[key]
            if method is not None:
                self.add_site(caller, method, node, ancestors, scope)
        for caller, callee, how in self.sites:
            if not isinstance(callee, str) and callee not in self.members:
                continue  # a nested def: what it calls counts as its outer function's
            if caller is not None and caller not in self.members:
                continue
            called = callee if isinstance(callee, str) else THIS_MODULE + self.members[callee][0]
            sites.add((self.members[caller][0] if caller is not None else "", called, how))
            if caller is not None and caller not in kinds:
                kind = entry_point(caller, self.members[caller][1])
                if kind is not None:
                    kinds[caller] = kind
        registered_imports: Dict[str, str] = {}
        for callback, scope, kind in self.registrations:
            if not kind.per_event:
                continue
            found = local_function(callback, scope)
            if found is not None and found[0] in self.members:
                known = kinds.get(found[0]) or entry_point(found[0], self.members[found[0]][1])
                if known is None or not known.per_event:
                    kinds[found[0]] = kind
                continue
            name = project_callee(callback, scope) if isinstance(callback, (cst.Name, cst.Attribute)) else None
            if isinstance(name, str):
                registered_imports.setdefault(name, run_kind(kind))
        runs = {self.members[function][0]: run_kind(kind) for function, kind in kinds.items()
                if kind.per_event or kind.one_shot}
        return {"call_sites": [list(site) for site in sorted(sites)], "runs": dict(sorted(runs.items())),
                "registered": dict(sorted(registered_imports.items()))}

    @staticmethod
    def _function_fact(facts: Dict[str, str], name: str, function: cst.CSTNode, scope: Scope) -> None:
        if isinstance(function, cst.FunctionDef):
            found = function_type(function, scope)
            if found is not None:
                facts[name] = CALLED + found

    def _class_facts(self, facts: Dict[str, str], by_attribute: Dict[str, Set[Optional[str]]], name: str,
                     node: cst.CSTNode, module: Scope) -> None:
        class_scope = scope_of(node, module)
        for attribute, assigned in self_assignments(class_scope).items():
            found = assigned_type(assigned)
            if found is not None:
                facts[f"{name}.{attribute}"] = found
            # Class-body fields (dataclasses): the self.x assignments are in ``self.assigned``.
            for value, annotation, where in assigned:
                if where is class_scope and (annotation is not None or (value is not None and not is_none(value))):
                    by_attribute.setdefault(attribute, set()).add(assigned_type([(value, annotation, where)]))
        for method, bindings in class_scope.bindings.items():
            if len(bindings) == 1 and bindings[0].kind == "def":
                self._function_fact(facts, f"{name}.{method}", bindings[0].node, class_scope)


def forget_answered(memo: Dict[str, Any]) -> None:
    """Drop what analyses remembered that other files' answers may have changed."""
    for key in ("function_types", "entry_points"):
        memo.pop(key, None)


def run_kind(kind: EntryKind) -> str:
    """How a summary says what runs a function: ``a discord.py command|per event``, or "" for one-shot code."""
    return f"{kind.description}|{kind.per}" if kind.per_event else ""


def top_function(scope: Scope) -> Optional[cst.FunctionDef]:
    """The outermost def whose call runs the code of ``scope`` (None: module-level code)."""
    found: Optional[cst.FunctionDef] = None
    current: Optional[Scope] = scope
    while current is not None:
        if type(current.node) is cst.FunctionDef:
            found = current.node  # type: ignore[assignment]
        current = current.parent
    return found


def instance_method(func: cst.BaseExpression, scope: Scope) -> bool:
    """``api.get`` (``api`` assigned, here or at module level) or ``self.api.get``: a method of an object whose
    class the summary may know (``method_of``); parameters and deeper chains are not known without other files."""
    if type(func) is not cst.Attribute:
        return False
    receiver = func.value  # type: ignore[attr-defined]
    if type(receiver) is cst.Name:
        bindings = scope.lookup(receiver.value)
        return bool(bindings) and all(binding.kind == "assign" for binding in bindings)
    return (isinstance(receiver, cst.Attribute) and isinstance(receiver.value, cst.Name)
            and self_class(receiver.value.value, scope) is not None)


def receiver_key(receiver: cst.BaseExpression, scope: Scope) -> object:
    """What the object of ``instance_method`` is, the same for every call on it: ``self.api`` by its class
    and name, a name by its bindings."""
    if isinstance(receiver, cst.Attribute):
        return self_class(receiver.value.value, scope).node, receiver.attr.value  # type: ignore
    return tuple(id(binding) for binding in scope.lookup(receiver.value) or ())  # type: ignore[attr-defined]


def method_of(func: cst.Attribute, scope: Scope) -> Optional[str]:
    """``.api.WeatherApi.get`` for ``self.api.get`` with ``self.api = WeatherApi()`` (``WeatherApi`` imported
    from ``.api``), ``@.Client.fetch`` for a class of this module; None when the object's class is not one
    the project may define (unknown, a library's, an aiohttp session's)."""
    owner = type_of(func.value, scope)
    if owner is None or owner.startswith(AWAITABLE) or not is_class_name(owner):
        return None
    if kind_of_type(owner) is not Kind.UNKNOWN:  # a session, a path...: no method of the project
        return None
    package = owner[len(THIS_MODULE):] if owner.startswith(THIS_MODULE) else owner
    if package.split(".")[0] in NOT_PROJECT or package.startswith("aiohttp."):
        return None
    return f"{owner}.{func.attr.value}"


def project_callee(func: cst.BaseExpression, scope: Scope) -> Optional[Callee]:
    """What a call may run of the project: an imported name (``.net.fetch``, ``acme.net.fetch``,
    ``utils.fetch`` through ``from acme import utils``) or a top-level def or method of this module
    (``fetch``, ``self.fetch``, ``Client.fetch``); None for anything else."""
    kind = type(func)
    if kind is cst.Name:
        bindings = scope.lookup(func.value)  # type: ignore[attr-defined]
        if not bindings or len(bindings) != 1:
            return None
        binding = bindings[0]
        if binding.kind == "import" and binding.qualified:
            return binding.qualified if binding.qualified.split(".")[0] not in NOT_PROJECT else None
        return binding.node if binding.kind == "def" else None  # type: ignore[return-value]
    if kind is not cst.Attribute:
        return None
    base = func.value  # type: ignore[attr-defined]
    while type(base) is cst.Attribute:
        base = base.value
    if type(base) is not cst.Name:
        return None
    bindings = scope.lookup(base.value)
    if bindings and len(bindings) == 1 and bindings[0].kind == "import":
        name = qualified_name(func, scope)
        return name if name and name.split(".")[0] not in NOT_PROJECT else None
    found = local_function(func, scope) if base is func.value else None
    return found[0] if found is not None else None
