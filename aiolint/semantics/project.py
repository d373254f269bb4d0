"""The project model, across files: the join of the files' summaries.

Plain data only (no LibCST): a run whose every file is cached joins their cached summaries.

- **Which files form a project**: those under the same *project root*, the nearest directory
  above the file holding ``pyproject.toml``, ``setup.py``, ``setup.cfg`` or ``.git`` (without
  one: the directory above the file's top-level package). A question is answered only from
  files of the asking file's project that are in the run.
- **Which module a file is**: its dotted name from the project root (``src/`` left out), and,
  inside a package (directories with ``__init__.py``), its dotted name from the top of the
  package. ``from .net import x`` is resolved against the asking file's package; an absolute
  ``import a.b`` against the modules of the project with exactly that name (none, or two:
  unknown).
- **Attribute names** (``self.bot.http_session``): the one type every assignment to that
  attribute name in the project has, from any class or object (none unknown, none of
  another kind), answered only when the whole project is in the run (its root is, or is
  under, a directory named on the command line), or its other files are all known from the
  cache (``include``, for a run over a few files); before every file is added, only when no file
  announced and not added yet may assign it (``announce``: a scan of its text, which sees more
  assignments than its summary will say, never fewer but for odd spellings the join settles).
- **Functions called again and again** (``REPEATED``): a file asks about one of its functions;
  the answer names the per-event code (a route, a bot command) or the loop that calls it, in any
  file of the run, directly or through functions that only pass the call on (not through one-shot
  code such as ``main()``, nor through a call made only under a condition), from the summaries' ``call_sites``, ``runs`` and ``registered``. A
  caller that is not in the run is not seen: fewer findings, never a false one. A file the
  pre-filter skipped is summarized when its imports name the function (or its module).
  A decorator's wrapper runs whenever a function it decorates runs: the answer about it names the
  decorated per-event code, or what calls the decorated function again and again (``WRAPS``).
"""

from __future__ import annotations

import functools
import os
import re
from collections import deque
from sys import intern
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Set, Tuple

PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
# How types and questions are written in summaries (``values.py`` and ``model.py`` write them).
THIS_MODULE = "@."  # a class of the file that wrote the summary: ``@.Client`` (the join names its module)
CALLED = "()"  # what calling a function gives: ``()T``
AWAITABLE = "awaitable:"  # what calling a coroutine function gives: ``awaitable:T``, awaited to ``T``
ATTRIBUTE = "*."  # a question about an attribute name across the project: ``*.http_session``
REFERENCE = "="  # a name that is another's: ``=.net.make_session`` (a re-export)
GUARDED = "guarded"  # a call site run only under a condition (``aiohttp.guarded``)
# A call site that is a decoration: each run of the decorated function (the caller) runs the wrapper that
# the decorator (the callee) returns, not the decorator itself.
WRAPS = "wraps"
WRAPPER_OF = "^"  # a decorator's wrapper, as questions name it: ``^with_session`` (``~.^with_session``)
REPEATED = "~."  # a question about a function of the asking file: what calls it again and again (``~.fetch``)
# The same question, bot commands and other code a person invokes (``PER_COMMAND``) counted too.
REPEATED_ON_DEMAND = "~!."
PER_COMMAND = "per command"  # how a summary says that a person invokes a function (``model.run_kind``)
MAX_HOPS = 6  # re-exports followed at most this far (cycles end here)
# ``x.name = ...``, and ``name: T`` in a class body (or a function: more names, never fewer; but not ``name: T,``,
# see ``an_element``): attribute names a file's text may assign; ``name = ...`` in a class body is found by
# indentation (``class_body_names``). Two expressions, each anchored on a character (``\n`` rather than ``^``),
# scan several times faster than one.
ASSIGNED_ATTRIBUTE = re.compile(r"\.([A-Za-z_]\w*)\s*(?::[^=\n]*)?=(?!=)")
ANNOTATED_NAME = re.compile(r"(?m)\n[ \t]+([A-Za-z_]\w*)\s*:([^=\n]*)(=|$)")
STRING_LITERAL = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'")
CLASS_BODY_ASSIGNMENT = re.compile(r"([A-Za-z_]\w*)\s*=(?!=)")
# ``from .a import (b, c as d)`` and ``import a.b as c, d``: the import statements of a file's text (read after a
# newline, so that the first line is a line like the others; what follows a ``;`` comes along).
FROM_IMPORT = re.compile(r"\n[ \t]*from[ \t]+([\w.]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]*)")
PLAIN_IMPORT = re.compile(r"\n[ \t]*import[ \t]+([^\n#]*)")
WORD = re.compile(r"\w+")
# A function of the project: (the path of its file, its name there: ``fetch``, ``Client.fetch``).
Function = Tuple[str, str]


def marks_a_project(directory: str) -> bool:
    """Whether the directory holds one of the files that mark a project's root."""
    return any(os.path.exists(os.path.join(directory, marker)) for marker in PROJECT_MARKERS)


@functools.lru_cache(maxsize=65536)
def marked_ancestor(directory: str) -> Optional[str]:
    """The nearest directory, this one or above, that marks a project's root (None: none does)."""
    if marks_a_project(directory):
        return directory
    parent = os.path.dirname(directory)
    return marked_ancestor(parent) if parent != directory else None


@functools.lru_cache(maxsize=4096)
def project_root(directory: str) -> str:
    """The root of the project a directory belongs to (see the module docstring)."""
    marked = marked_ancestor(directory)
    if marked is not None:
        return marked
    top = directory
    while os.path.exists(os.path.join(top, "__init__.py")) and os.path.dirname(top) != top:
        top = os.path.dirname(top)
    return top


@functools.lru_cache(maxsize=4096)
def package_parts(directory: str) -> Tuple[str, ...]:
    """The dotted name of the package a directory is (empty: not a package)."""
    parts: List[str] = []
    while os.path.exists(os.path.join(directory, "__init__.py")):
        parts.append(os.path.basename(directory))
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return tuple(reversed(parts))


@functools.lru_cache(maxsize=65536)  # asked for every relative name in every file's summary
def module_parts(path: str) -> Tuple[str, ...]:
    """The file's dotted name within its package (its stem alone outside any)."""
    directory, name = os.path.split(path)
    stem = name.rsplit(".", 1)[0]
    package = package_parts(directory)
    return package if stem == "__init__" else (*package, stem)


def module_names(path: str, root: str) -> Set[str]:
    """The names ``import`` may give the file: from its package's top, and from the project root."""
    names = set()
    if package_parts(os.path.dirname(path)):
        names.add(".".join(module_parts(path)))
    parts = parts_from_root(path, root)
    if parts:
        names.add(".".join(parts))
    return names


def parts_from_root(path: str, root: str) -> Optional[List[str]]:
    """The dotted name's parts that the project root gives the file at ``path`` (``src/`` left out, nothing
    for ``__init__``); None when it is not below the root, or a part is not a name ``import`` can spell."""
    top = root.rstrip(os.sep) + os.sep
    relative = path[len(top):] if path.startswith(top) else os.path.relpath(path, root)
    if relative.startswith(".."):
        return None
    parts = relative.replace(os.sep, "/").rsplit(".", 1)[0].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    if parts and parts[0] == "src" and len(parts) > 1:
        parts.pop(0)
    return parts if all(part.isidentifier() for part in parts) else None


def assigned_attributes(text: str) -> Set[str]:
    """Every attribute name the file's text may assign (more, never fewer, than its summary says)."""
    annotated = {name for name, annotation, assigned in ANNOTATED_NAME.findall(text)
                 if assigned or not an_element(annotation)}
    return {*ASSIGNED_ATTRIBUTE.findall(text), *annotated, *class_body_names(text)}


def an_element(annotation: str) -> bool:
    """``name: T,`` whose brackets all close on its line: a parameter, or an entry of a literal, which the line
    continues; as a statement of its own it would not parse, so it assigns nothing."""
    code = STRING_LITERAL.sub("", annotation).rstrip()
    return code.endswith(",") and all(code.count(left) == code.count(right) for left, right in ("()", "[]", "{}"))


def class_body_names(text: str) -> Set[str]:
    """The names a class body assigns plainly (``session = Pool()``, also under an ``if``), found by the
    indentation of its lines; not those of its methods."""
    names: Set[str] = set()
    if "class" not in text:
        return names
    classes: List[Tuple[int, Optional[int]]] = []  # the indentation of each open class, and of its body
    header = False  # in a class or def statement written on several lines (bases, parameters), until its colon
    function: Optional[int] = None  # the indentation of the ``def`` whose body the lines are in
    for line in text.splitlines():
        statement = line.lstrip()
        if header:
            header = not line.split("#", 1)[0].rstrip().endswith(":")
            continue
        if not statement or statement.startswith("#"):
            continue
        indent = len(line) - len(statement)
        if function is not None:
            if indent > function:
                continue
            function = None
        while classes and (indent <= classes[-1][0] or classes[-1][1] is not None and indent < classes[-1][1]):
            classes.pop()
        if classes and classes[-1][1] is None:
            classes[-1] = (classes[-1][0], indent)
        if statement.startswith(("def ", "async def ")):
            function = indent
            header = statement.count("(") > statement.count(")")
        elif classes:
            match = CLASS_BODY_ASSIGNMENT.match(statement)
            if match:
                names.add(match.group(1))
        if statement.startswith(("class ", "class\t")):
            classes.append((indent, None))
            header = statement.count("(") > statement.count(")")
    return names


def import_statements(text: str) -> List[Tuple[str, str]]:
    """The file's import statements, as they are spelled: (the module after ``from``, or "", what is imported)."""
    text = "\n" + text
    return [*FROM_IMPORT.findall(text), *(("", imported) for imported in PLAIN_IMPORT.findall(text))]


def imported_modules(text: str) -> Set[str]:
    """The modules the file's text may import, as its statements spell them (``.net``, ``a.b``; for ``from a
    import b``, ``a`` and ``a.b``, which may be a module too)."""
    names = set()
    for module, imported in import_statements(text):
        imported = imported.split(";", 1)[0]
        if module:
            names.add(module)
            prefix = module if module.endswith(".") else module + "."
            names.update(prefix + word for word in WORD.findall(imported))
        else:
            names.update(part.split()[0] for part in imported.split(",") if part.split())
    return names


def import_order(imports: Mapping[str, Iterable[str]]) -> List[str]:
    """The files (path -> the modules it imports, as ``imported_modules`` gives them), each after the files of
    its project that it imports, in the order given as far as that allows. Files whose imports go round in a
    cycle come together, the most imported first (a project's core module, which the others ask about), and
    before every file that imports one of them."""
    by_name: Dict[Tuple[str, str], str] = {}
    where = {}
    for path in imports:
        full = absolute_path(path)
        root = project_root(os.path.dirname(full))
        where[path] = (full, root)
        for name in module_names(full, root):
            by_name.setdefault((root, name), path)
    needs: Dict[str, List[str]] = {}
    importers: Dict[str, int] = dict.fromkeys(imports, 0)
    for path, names in imports.items():
        full, root = where[path]
        targets = (by_name.get((root, absolute(name, full) or "")) for name in names)
        needs[path] = sorted({target for target in targets if target is not None and target != path})
        for target in needs[path]:
            importers[target] += 1
    given = {path: number for number, path in enumerate(imports)}
    return [path for cycle in import_cycles(list(imports), needs)
            for path in sorted(cycle, key=lambda path: (-importers[path], given[path]))]


def import_cycles(paths: List[str], needs: Mapping[str, List[str]]) -> List[List[str]]:
    """The files grouped by import cycle (strongly connected components, by Tarjan's algorithm, without
    recursion), each group after the groups its files import."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    groups: List[List[str]] = []
    for start in paths:
        if start in index:
            continue
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        work = [(start, iter(needs[start]))]
        while work:
            path, todo = work[-1]
            for needed in todo:
                if needed not in index:
                    index[needed] = low[needed] = len(index)
                    stack.append(needed)
                    on_stack.add(needed)
                    work.append((needed, iter(needs[needed])))
                    break
                if needed in on_stack:
                    low[path] = min(low[path], index[needed])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[path])
                if low[path] == index[path]:
                    group = []
                    while not group or group[-1] != path:
                        group.append(stack.pop())
                        on_stack.discard(group[-1])
                    groups.append(group)
    return groups


def absolute_path(path: str) -> str:
    """The file's absolute path, interned: the model's indexes and a run's snapshot are keyed by it, table after
    table, and hold (and write) it once."""
    return intern(os.path.abspath(path))


def absolute(name: str, path: str) -> Optional[str]:
    """``..net.x`` seen from the file at ``path`` -> ``pkg.net.x`` (None: above the top package)."""
    if not name.startswith("."):
        return name
    dots = len(name) - len(name.lstrip("."))
    directory = os.path.dirname(path)
    package: Sequence[str] = package_parts(directory)
    if dots > len(package):
        # Above the packages that have an ``__init__.py``: a namespace package (a folder of cogs loaded as
        # ``cogs.weather``), whose ``.utils`` is the module beside the file, as the project root names it.
        package = parts_from_root(os.path.join(directory, "__init__.py"), project_root(directory)) or ()
    if dots - 1 > len(package):
        return None
    base = package[: len(package) - (dots - 1)]
    rest = name[dots:]
    return ".".join([*base, rest]) if rest else ".".join(base)


def absolute_type(type_name: str, path: str, module: str) -> Optional[str]:
    """A summary's type made absolute: ``@.Client`` and ``.client.Client`` name classes of the project."""
    prefix = ""
    for marker in (CALLED, AWAITABLE):
        if type_name.startswith(marker):
            prefix, type_name = prefix + marker, type_name[len(marker):]
    if type_name.startswith(THIS_MODULE):
        return f"{prefix}{module}.{type_name[len(THIS_MODULE):]}"
    if type_name.startswith("."):
        found = absolute(type_name, path)
        return prefix + found if found else None
    return prefix + type_name


class Project:
    """The summaries of the files in a run, by project, and the answers to the questions files ask."""

    def __init__(self, directories: Sequence[str] = ()) -> None:
        # The directories named in the run: a project under one of them is wholly in the run.
        self.directories = [os.path.abspath(d) for d in directories]
        self.modules: Dict[str, Dict[str, List[str]]] = {}  # root -> module name -> paths
        self.facts: Dict[str, Dict[str, str]] = {}  # path -> name -> type (absolute)
        self.names: Dict[str, str] = {}  # path -> its module's name
        # root -> path -> attribute -> type ("": unknown), and by root the union of its files' (made when asked).
        self.file_attributes: Dict[str, Dict[str, Dict[str, str]]] = {}
        self._attributes: Dict[str, Dict[str, Set[str]]] = {}
        self.unparsed: Set[str] = set()  # files the pre-filter skipped: their facts are read when asked about
        self.wanted: Set[str] = set()  # of those, the files a question was about
        # Reads such a file's summary into the project at once, when a question is about it (a run in one
        # process, before the join); without it, the file is wanted, and the join reads it.
        self.reader: Optional[Callable[[str], None]] = None
        self._complete: Dict[str, bool] = {}
        # Whether every file of the run has been added: until then, what an attribute name is cannot be told
        # (a file not seen yet may assign it another kind) unless the run is ``foreseen``, and answering from
        # the files seen so far would only have the join lint again the files whose answer then changes.
        self.sealed = False
        self._where: Dict[str, Tuple[str, str]] = {}  # path as given -> (absolute path, project root)
        # Calls of the project's functions, by root, by the called function's last name, by file:
        # (caller, callee as the summary names it, how). And the callbacks files register, the same way.
        self.call_sites: Dict[str, Dict[str, Dict[str, List[Tuple[str, str, str]]]]] = {}
        self.registered: Dict[str, Dict[str, Dict[str, List[Tuple[str, str]]]]] = {}
        self._indexed: Dict[str, Tuple[str, ...]] = {}  # path -> the last names it is indexed under
        self.runs: Dict[str, Dict[str, str]] = {}  # path -> function -> what runs it (model.run_kind)
        # root -> a name that imports bind in files the pre-filter skipped -> those files (and each file's names).
        self.imports: Dict[str, Dict[str, Set[str]]] = {}
        self._imported: Dict[str, Tuple[str, ...]] = {}
        # Before the run is sealed, by root, how many files announced but not added yet (``announce``) may
        # assign each attribute name; with ``foreseen``, every file of the run is added or announced, so that an
        # attribute name no file still to come may assign is answered at once rather than by the join.
        self.pending: Dict[str, Dict[str, int]] = {}
        self._announced: Dict[str, Tuple[str, ...]] = {}  # path -> the attribute names it may assign
        self.foreseen = False

    # What the project knows of its files: what a run saves of it, to start from the next time. The rest of its
    # attributes are the run's own (what it was given, how far it went) and answers remembered.
    SAVED = ("modules", "facts", "names", "file_attributes", "unparsed", "call_sites", "registered", "_indexed", "runs",
             "imports", "_imported")

    def state(self) -> Dict[str, Any]:
        """What the project knows, as plain data."""
        return {name: getattr(self, name) for name in self.SAVED}

    @classmethod
    def restored(cls, state: Mapping[str, Any], directories: Sequence[str] = ()) -> "Project":
        """The project whose ``state()`` this was, for a run given ``directories``: its files as they were then,
        to be added again where they changed."""
        project = cls(directories)
        for name in cls.SAVED:
            setattr(project, name, state[name])
        return project

    def transplant(self, state: Mapping[str, Any], path: str) -> bool:
        """Add the file at ``path`` (absolute) as the project whose ``state()`` this was knew it, rather than from
        its summary; False when that project did not know it under the same root (nothing is added)."""
        root = project_root(os.path.dirname(path))
        if path in self.names or path not in state["names"] or path not in state["file_attributes"].get(root, {}):
            return False
        self._name(path, root, state["names"][path])
        self.facts[path] = state["facts"][path]
        self.file_attributes.setdefault(root, {})[path] = state["file_attributes"][root][path]
        self._attributes.pop(root, None)
        (self.unparsed.add if path in state["unparsed"] else self.unparsed.discard)(path)
        self.runs[path] = state["runs"][path]
        self._indexed[path] = state["_indexed"][path]
        for index, saved in ((self.call_sites, state["call_sites"]), (self.registered, state["registered"])):
            for last in self._indexed[path]:
                sites = saved.get(root, {}).get(last, {}).get(path)
                if sites is not None:
                    index.setdefault(root, {}).setdefault(last, {})[path] = sites
        self._imported[path] = state["_imported"].get(path, ())
        for name in self._imported[path]:
            self.imports.setdefault(root, {}).setdefault(name, set()).add(path)
        return True

    def forget(self, path: str, root: str) -> None:
        """A file gone from the run (``path`` absolute, ``root`` its project's root when it was added): nothing of
        it is known any more."""
        self._unindex(path, root)
        self.file_attributes.get(root, {}).pop(path, None)
        self._attributes.pop(root, None)
        for paths in self.modules.get(root, {}).values():
            if path in paths:
                paths.remove(path)
        for index in (self.names, self.facts, self.runs):
            index.pop(path, None)
        self.unparsed.discard(path)

    def announce(self, path: str, text: str) -> None:
        """A file of the run, to be added later, whose text is ``text``: until it is, no attribute name it may
        assign is answered."""
        path = absolute_path(path)
        root = project_root(os.path.dirname(path))
        self._withdraw(path, root)  # announced again: counted once
        # Interned: the same names come from file after file, and are held until the files are added.
        names = self._announced[path] = tuple([intern(name) for name in assigned_attributes(text)])
        pending = self.pending.setdefault(root, {})
        for name in names:
            pending[name] = pending.get(name, 0) + 1

    def _withdraw(self, path: str, root: str) -> None:
        """The file is no longer to come: its attribute names are not pending on its account."""
        pending = self.pending.get(root, {})
        for name in self._announced.pop(path, ()):
            pending[name] -= 1
            if not pending[name]:  # answered now
                del pending[name]

    def add(self, path: str, summary: Mapping[str, object]) -> None:
        """Add a file's summary (again: it replaces the one added before)."""
        path = absolute_path(path)
        root = project_root(os.path.dirname(path))
        self._withdraw(path, root)
        if path not in self.names:
            self._name(path, root)
        name = self.names[path]
        if summary.get("unparsed"):
            self.unparsed.add(path)
        else:
            self.unparsed.discard(path)
        # The names of a project repeat from file to file (types, attributes, functions): held once each.
        facts = {}
        for key, value in dict(summary.get("facts") or {}).items():  # type: ignore[union-attr]
            if value.startswith(REFERENCE):
                target = absolute(value[len(REFERENCE):], path)
                if target:
                    facts[intern(key)] = intern(REFERENCE + target)
            else:
                found = absolute_type(value, path, name)
                if found:
                    facts[intern(key)] = intern(found)
        self.facts[path] = facts
        self.file_attributes.setdefault(root, {})[path] = {
            intern(attribute): intern((absolute_type(value, path, name) or "") if value else "")
            for attribute, value in dict(summary.get("attributes") or {}).items()}  # type: ignore[union-attr]
        self._attributes.pop(root, None)
        self._add_calls(path, root, summary)

    def _add_calls(self, path: str, root: str, summary: Mapping[str, object]) -> None:
        self._unindex(path, root)
        call_sites = self.call_sites.setdefault(root, {})
        registered = self.registered.setdefault(root, {})
        indexed = set()
        for caller, callee, how in summary.get("call_sites") or ():  # type: ignore[attr-defined]
            last = callee.rpartition(".")[2]
            call_sites.setdefault(last, {}).setdefault(path, []).append((intern(caller), intern(callee), intern(how)))
            indexed.add(last)
        for callee, kind in dict(summary.get("registered") or {}).items():  # type: ignore[arg-type]
            last = callee.rpartition(".")[2]
            registered.setdefault(last, {}).setdefault(path, []).append((callee, kind))
            indexed.add(last)
        self._indexed[path] = tuple(indexed)
        self.runs[path] = {intern(function): intern(kind) for function, kind in dict(summary.get("runs") or {}).items()}
        if summary.get("unparsed"):
            names = self._imported[path] = tuple(set(summary.get("imports") or ()))  # type: ignore[arg-type]
            for name in names:
                self.imports.setdefault(root, {}).setdefault(intern(name), set()).add(path)

    def _name(self, path: str, root: str, name: Optional[str] = None) -> None:
        """Register the file under the names ``import`` may give it; ``name`` is its module's (by default, as
        its package says)."""
        names = module_names(path, root)
        if name is None:
            name = ".".join(module_parts(path)) if package_parts(os.path.dirname(path)) else min(names or {""}, key=len)
        self.names[path] = name
        for each in names:
            self.modules.setdefault(root, {}).setdefault(each, []).append(path)

    def _unindex(self, path: str, root: str) -> None:
        """Take the file out of the indexes of the calls it makes, the callbacks it registers and its imports."""
        for last in self._indexed.pop(path, ()):
            for index in (self.call_sites, self.registered):
                index.get(root, {}).get(last, {}).pop(path, None)
        for name in self._imported.pop(path, ()):
            self.imports.get(root, {}).get(name, set()).discard(path)

    def attributes(self, root: str) -> Dict[str, Set[str]]:
        if root not in self._attributes:
            union: Dict[str, Set[str]] = {}
            for attributes in self.file_attributes.get(root, {}).values():
                for attribute, value in attributes.items():
                    union.setdefault(attribute, set()).add(value)
            self._attributes[root] = union
        return self._attributes[root]

    def want(self, paths: Iterable[str]) -> None:
        """Files the pre-filter skipped that a question is about: read now, or by the join."""
        for path in sorted(paths):
            if self.reader is not None and path in self.unparsed:
                self.reader(path)
            else:
                self.wanted.add(path)

    def take_wanted(self) -> Set[str]:
        """The files skipped by the pre-filter that questions were about, since last asked."""
        wanted, self.wanted = self.wanted, set()
        return wanted

    def include(self, root: str) -> None:
        """Every file of the project at ``root`` is known, as if its root had been named in the run."""
        self.directories.append(root)
        self._complete[root] = True

    def complete(self, root: str) -> bool:
        if root not in self._complete:
            self._complete[root] = any(root == d or root.startswith(d.rstrip(os.sep) + os.sep)
                                       for d in self.directories)
        return self._complete[root]

    def answer(self, path: str, question: str) -> Optional[str]:
        """What the project says of ``question`` asked in the file at ``path`` (None: unknown)."""
        where = self._where.get(path)
        if where is None:
            full = absolute_path(path)
            where = self._where[path] = (full, project_root(os.path.dirname(full)))
        path, root = where
        if question.startswith(REPEATED):
            return self.repeated(root, (path, question[len(REPEATED):]), on_demand=False)
        if question.startswith(REPEATED_ON_DEMAND):
            return self.repeated(root, (path, question[len(REPEATED_ON_DEMAND):]), on_demand=True)
        if question.startswith(ATTRIBUTE):
            attribute = question[len(ATTRIBUTE):]
            if not self.complete(root) or not (self.sealed or self.foreseen and not self.pending.get(root, {}).get(
                    attribute)):
                return None
            types = self.attributes(root).get(attribute)
            return next(iter(types)) or None if types and len(types) == 1 else None
        name = absolute(question, path)
        return self.lookup(root, name, 0) if name else None

    def module_file(self, root: str, name: str) -> Optional[Tuple[str, List[str]]]:
        """The one file of the run whose module is the longest prefix of ``name``, and the rest of the
        name's parts (None: no such file, several, or one not parsed yet, which is then wanted)."""
        modules = self.modules.get(root, {})
        parts = name.split(".")
        for end in range(len(parts) - 1, 0, -1):
            paths = modules.get(".".join(parts[:end]))
            if paths is None:
                continue
            if len(paths) != 1:
                return None
            if paths[0] in self.unparsed:
                self.want((paths[0],))
                if paths[0] in self.unparsed:
                    return None
            return paths[0], parts[end:]
        return None

    def lookup(self, root: str, name: str, hops: int) -> Optional[str]:
        found = self.module_file(root, name) if hops <= MAX_HOPS else None
        return self.member(root, found[0], found[1], hops) if found else None

    def member(self, root: str, path: str, parts: List[str], hops: int) -> Optional[str]:
        facts = self.facts.get(path, {})
        for end in range(len(parts), 0, -1):
            value = facts.get(".".join(parts[:end]))
            if value is None:
                continue
            if value.startswith(REFERENCE):  # re-exported: ask where it comes from
                return self.lookup(root, ".".join([value[len(REFERENCE):], *parts[end:]]), hops + 1)
            return value if end == len(parts) else None
        return None

    # -- functions called again and again -------------------------------------------------------
    def repeated(self, root: str, target: Function, on_demand: bool) -> Optional[str]:
        """What calls ``target`` again and again, said from its file: ``Fun.weather() (a discord.py command)
        in bot/cogs/fun.py calls it per command``; None when nothing in the run is seen to. Code a person
        invokes (a bot command) counts only ``on_demand``. For a decorator's wrapper (``^with_session``):
        ``it wraps ...``, the function it decorates, which is per-event code or called again and again."""
        path, name = target
        if not name.startswith(WRAPPER_OF):
            return self.calls_again(root, target, on_demand, path)
        decorator = (path, name[len(WRAPPER_OF):])
        for decorated, how in self.callers(root, decorator):
            if how != WRAPS:
                continue
            kind = self.kind(root, decorated)
            if kind and (on_demand or not invoked(kind)):
                return f"it wraps {self.label(root, path, decorated, kind.partition('|')[0])}"
            if kind is not None:
                continue  # one-shot code, or a command when commands do not count
            said = self.calls_again(root, decorated, on_demand, path, it="")
            if said is not None:
                return f"it wraps {self.label(root, path, decorated)}, which {said}"
        return None

    def calls_again(self, root: str, target: Function, on_demand: bool, asking: str, it: str = "it ") -> Optional[str]:
        """``repeated`` for a function (``it``: how the answer speaks of it), said from the file ``asking``."""
        seen = {target}
        queue = deque([(target, ())])  # (a function, those between it and the target)
        while queue:
            function, between = queue.popleft()
            direct = function == target
            if direct:
                registrar = self.registrar(root, target)
                if registrar is not None and (on_demand or not invoked(registrar[1])):
                    path, kind = registrar
                    return f"{self.where(root, path)} registers {it}as {kind.partition('|')[0]}"
            for caller, how in self.callers(root, function):
                if how == WRAPS:
                    continue  # decorating runs the decorator once; its wrapper is asked about apart
                repeats = how if how != GUARDED else ""
                if not caller[1]:  # module-level code
                    if repeats and direct:
                        return f"module-level code in {self.where(root, caller[0])} calls {it}{repeats}"
                    continue
                kind = self.kind(root, caller)
                if kind and not on_demand and invoked(kind):
                    kind = ""  # a command: what it calls in a loop counts, not what it calls once
                if kind or (repeats and direct):
                    return self.said(root, asking, caller, kind, repeats, between, it)
                # One-shot code; a loop of code that is not per-event only counts for what it calls itself; a
                # function that calls only under a condition (a token expired, a cache miss) is not known to
                # call on every run.
                if kind == "" or how or caller in seen:
                    continue
                seen.add(caller)
                queue.append((caller, (caller, *between)))
        return None

    def said(self, root: str, asking: str, caller: Function, kind: Optional[str], how: str,
             between: Tuple[Function, ...], it: str = "it ") -> str:
        description = ""
        if kind and not how:
            description, _, how = kind.partition("|")
        who = self.label(root, asking, caller, description)
        through = f" through {', '.join(self.label(root, asking, f) for f in between)}" if between else ""
        return f"{who} calls {it}{how}{through}"

    def label(self, root: str, asking: str, function: Function, description: str = "") -> str:
        """```Fun.weather()` (a discord.py command) in `bot/cogs/fun.py```: where it is, unless in the asking file."""
        path, name = function
        label = f"`{name}()` ({description})" if description else f"`{name}()`"
        return label if path == asking else f"{label} in {self.where(root, path)}"

    @staticmethod
    def where(root: str, path: str) -> str:
        return "`" + os.path.relpath(path, root).replace(os.sep, "/") + "`"

    def kind(self, root: str, function: Function) -> Optional[str]:
        """What runs a function (``model.run_kind``): its own file's word, else a file that registers it."""
        kind = self.runs.get(function[0], {}).get(function[1])
        if kind is None:
            registrar = self.registrar(root, function)
            return registrar[1] if registrar is not None else None
        return kind

    def registrar(self, root: str, function: Function) -> Optional[Tuple[str, str]]:
        """A file that registers ``function`` as a per-event callback, and as what."""
        for path, entries in sorted(self.registered.get(root, {}).get(function[1].rpartition(".")[2], {}).items()):
            for callee, kind in entries:
                if self.resolve(root, path, callee) == function:
                    return path, kind
        return None

    def callers(self, root: str, function: Function) -> Iterator[Tuple[Function, str]]:
        """The functions (``(path, "")``: module-level code) that call ``function``, and how."""
        path, name = function
        last = name.rpartition(".")[2]
        imports = self.imports.get(root, {})
        for each in (name.partition(".")[0], (module_parts(path) or ("",))[-1]):
            self.want(imports.get(each, ()))  # the pre-filter skipped files that may call it: read them
        for caller_path, entries in sorted(self.call_sites.get(root, {}).get(last, {}).items()):
            for caller, callee, how in sorted(entries):
                if self.resolve(root, caller_path, callee) == function:
                    yield (caller_path, caller), how

    def resolve(self, root: str, path: str, callee: str) -> Optional[Function]:
        """The function a call site's callee names, seen from the file at ``path`` (None: not one of the run)."""
        if callee.startswith(THIS_MODULE):
            return path, callee[len(THIS_MODULE):]
        name = absolute(callee, path)
        return self.locate(root, name, 0) if name else None

    def locate(self, root: str, name: str, hops: int) -> Optional[Function]:
        found = self.module_file(root, name) if hops <= MAX_HOPS else None
        if found is None:
            return None
        path, rest = found
        value = self.facts.get(path, {}).get(rest[0], "")
        if value.startswith(REFERENCE):  # re-exported: where it comes from
            return self.locate(root, ".".join([value[len(REFERENCE):], *rest[1:]]), hops + 1)
        return path, ".".join(rest)


def invoked(kind: str) -> bool:
    """A summary's word for what runs a function (``model.run_kind``) says that a person invokes it."""
    return kind.partition("|")[2] == PER_COMMAND
