"""What a value is: the type of an expression, and its kind (``Kind``), as far as is certain.

``p = Path(x)`` makes ``p`` a ``pathlib.Path``; ``conn = sqlite3.connect(db)`` a
``sqlite3.Connection``; a parameter annotated ``aiohttp.ClientSession`` (also
``Optional[...]``, ``X | None`` or a string) a session; so do ``self.x`` assigned one in
any method, a module global, ``a or ClientSession()``, a function of this module that
returns one, and, through the project model (``model.py``, ``project.py``), what the
other modules of the project say. A name assigned different things, or anything
unknown, has no type, so rules stay quiet about it.
"""

from __future__ import annotations

import enum
from typing import Any, Dict, Mapping, Optional

import libcst as cst

from .names import qualified_name
from .aiohttp import assigned_type, self_assignments, self_attribute  # it imports this module lazily
from .project import ATTRIBUTE, AWAITABLE, CALLED, THIS_MODULE
from .scope import Scope, scope_of

# What calling a function returns, when it is not the class being constructed.
RETURNS: Dict[str, str] = {
    "builtins.open": "io.TextIOWrapper",
    "io.open": "io.TextIOWrapper",
    "sqlite3.connect": "sqlite3.Connection",
    "sqlite3.Connection.cursor": "sqlite3.Cursor",
    "sqlite3.Connection.execute": "sqlite3.Cursor",
    "psycopg2.connect": "psycopg2.extensions.connection",
    "psycopg2.extensions.connection.cursor": "psycopg2.extensions.cursor",
    "pymysql.connect": "pymysql.connections.Connection",
    "pymysql.Connect": "pymysql.connections.Connection",
    "pymysql.connections.Connection.cursor": "pymysql.cursors.Cursor",
    "MySQLdb.connect": "MySQLdb.connections.Connection",
    "MySQLdb.connections.Connection.cursor": "MySQLdb.cursors.Cursor",
    "socket.create_connection": "socket.socket",
    "socket.socket.accept": "tuple",
    "ssl.create_default_context": "ssl.SSLContext",
    "requests.session": "requests.Session",
    "urllib3.PoolManager": "urllib3.PoolManager",
    "redis.from_url": "redis.Redis",
    "redis.Redis.from_url": "redis.Redis",
    "redis.StrictRedis": "redis.Redis",
    "pathlib.Path.cwd": "pathlib.Path",
    "pathlib.Path.home": "pathlib.Path",
    "pathlib.Path.resolve": "pathlib.Path",
    "pathlib.Path.absolute": "pathlib.Path",
    "pathlib.Path.expanduser": "pathlib.Path",
    "pathlib.Path.with_name": "pathlib.Path",
    "pathlib.Path.with_suffix": "pathlib.Path",
    "pathlib.Path.joinpath": "pathlib.Path",
    "pathlib.Path.relative_to": "pathlib.Path",
    "pathlib.Path.parent": "pathlib.Path",
}

SESSION = "aiohttp.ClientSession"
RESPONSE = "aiohttp.ClientResponse"
REQUEST_CONTEXT = "aiohttp.client._RequestContextManager"  # what `session.get(...)` returns
REQUEST_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
SESSION_REQUESTS = frozenset(f"{SESSION}.{method}" for method in REQUEST_METHODS)
RETURNS.update({f"{SESSION}.{method}": REQUEST_CONTEXT for method in REQUEST_METHODS})

# The objects whose methods block (AIO3xx): sockets, event loops, DB cursors, HTTP clients.
EVENT_LOOP = "asyncio.AbstractEventLoop"
PATH_TYPES = frozenset({"pathlib.Path", "pathlib.PurePath"})  # `path / "name"` is one too
RETURNS.update({
    "socket.socket": "socket.socket",  # a class with a lower-case name
    "socket.fromfd": "socket.socket",
    "asyncio.get_event_loop": EVENT_LOOP,
    "asyncio.new_event_loop": EVENT_LOOP,
    "asyncio.get_running_loop": EVENT_LOOP,
    "sqlite3.Connection.executemany": "sqlite3.Cursor",
    "sqlite3.Connection.executescript": "sqlite3.Cursor",
    "pymysql.Connection": "pymysql.connections.Connection",
    "MySQLdb.Connect": "MySQLdb.connections.Connection",
    "redis.Redis.pipeline": "redis.client.Pipeline",
    "urllib.request.build_opener": "urllib.request.OpenerDirector",
    "urllib3.connection_from_url": "urllib3.HTTPConnectionPool",
    "urllib3.proxy_from_url": "urllib3.ProxyManager",
})

# What ``await x`` gives, by the type of ``x``.
AWAITED: Dict[str, str] = {
    REQUEST_CONTEXT: RESPONSE,
}

# What ``with x as y`` / ``async with x as y`` binds to ``y``, by the type of ``x``,
# when it is not ``x`` itself.
ENTERED: Dict[str, str] = {
    REQUEST_CONTEXT: RESPONSE,
}


# -- kinds: what rules ask about ---------------------------------------------------
class Kind(enum.Enum):
    """What a value is, as far as the rules care: the answer of ``kind_of``."""

    SESSION = "session"
    CONNECTOR = "connector"
    REQUEST = "request"  # ``session.get(...)`` not yet awaited or entered
    RESPONSE = "response"
    APP = "app"
    PATH = "path"
    FILE = "file"
    SYNC_HTTP_CLIENT = "sync-http-client"
    SOCKET = "socket"
    UNKNOWN = "unknown"


FILE_HANDLE = "typing.IO"  # a file object known from an annotation (``TextIO``, ``IO[bytes]``...)
# The type each kind stands for, where a kind names one (``extend-factories`` says a kind).
KIND_TYPES: Dict[Kind, str] = {
    Kind.SESSION: SESSION, Kind.CONNECTOR: "aiohttp.TCPConnector", Kind.REQUEST: REQUEST_CONTEXT,
    Kind.RESPONSE: RESPONSE, Kind.APP: "aiohttp.web.Application", Kind.PATH: "pathlib.Path",
    Kind.FILE: FILE_HANDLE, Kind.SYNC_HTTP_CLIENT: "requests.Session", Kind.SOCKET: "socket.socket",
}
TYPE_KINDS: Dict[str, Kind] = {type_name: kind for kind, type_name in KIND_TYPES.items()}
TYPE_KINDS.update({
    "aiohttp.UnixConnector": Kind.CONNECTOR, "aiohttp.BaseConnector": Kind.CONNECTOR,
    "pathlib.PurePath": Kind.PATH, "io.TextIOWrapper": Kind.FILE, "io.BufferedReader": Kind.FILE,
    "io.BufferedWriter": Kind.FILE, "io.FileIO": Kind.FILE,
    "httpx.Client": Kind.SYNC_HTTP_CLIENT, "urllib3.PoolManager": Kind.SYNC_HTTP_CLIENT,
    "urllib3.ProxyManager": Kind.SYNC_HTTP_CLIENT, "urllib3.HTTPConnectionPool": Kind.SYNC_HTTP_CLIENT,
    "urllib3.HTTPSConnectionPool": Kind.SYNC_HTTP_CLIENT, "http.client.HTTPConnection": Kind.SYNC_HTTP_CLIENT,
    "http.client.HTTPSConnection": Kind.SYNC_HTTP_CLIENT,
})
# Annotations that mean an open file object.
FILE_ANNOTATIONS = frozenset({"typing.IO", "typing.TextIO", "typing.BinaryIO", "io.TextIOBase", "io.IOBase",
                              "io.RawIOBase", "io.BufferedIOBase"})

# Well-known factories of the libraries aiohttp code is written with: qualified name -> the type they return.
# ``extend-factories`` in [tool.aiolint] adds the project's own.
FACTORIES: Dict[str, str] = {
    "homeassistant.helpers.aiohttp_client.async_get_clientsession": SESSION,
    "homeassistant.helpers.aiohttp_client.async_create_clientsession": SESSION,
    "aiohttp.request": REQUEST_CONTEXT,
}
FACTORIES_OPTION = "extend-factories"


def kind_of_type(type_name: Optional[str]) -> Kind:
    return TYPE_KINDS.get(type_name, Kind.UNKNOWN) if type_name is not None else Kind.UNKNOWN


def factories_for(options: Mapping[str, Any]) -> Dict[str, str]:
    """The factory table with the user's ``extend-factories`` (name -> kind) added."""
    extra = options.get(FACTORIES_OPTION)
    table = dict(FACTORIES)
    if isinstance(extra, Mapping):
        for name, kind in extra.items():
            try:
                table[name] = KIND_TYPES[Kind(kind)]
            except (ValueError, KeyError):
                continue
    return table


def is_class_name(name: str) -> bool:
    return name.rsplit(".", 1)[-1][:1].isupper()


MAX_DEPTH = 8  # `a = b.c(); b = a` and other cycles end here


def callee_name(call: cst.Call, scope: Scope, _depth: int = 0) -> Optional[str]:
    """The qualified name of the function a call calls, methods of known objects included."""
    return member_name(call.func, scope, _depth)


def member_name(expr: cst.BaseExpression, scope: Scope, _depth: int = 0) -> Optional[str]:
    """``time.sleep`` -> ``time.sleep``; ``p.read_text`` with ``p = Path(x)`` -> ``pathlib.Path.read_text``."""
    name = qualified_name(expr, scope)
    if isinstance(expr, cst.Attribute) and (name is None or names_a_value(name.rpartition(".")[0])):
        # ``config.MARKER.unlink`` names an import, but what counts is the type of ``config.MARKER``.
        owner = type_of(expr.value, scope, _depth + 1)
        if owner is not None and not owner.startswith(AWAITABLE):
            return f"{owner}.{expr.attr.value}"
    return name


def names_a_value(qualified: str) -> bool:
    """``.config.STATE``, ``acme.settings.MARKER``: an import that may be a value of another module of the
    project, not a module (``os.path``, ``time``: their functions are known by name)."""
    return qualified.startswith(".") or qualified.rpartition(".")[2] != qualified.rpartition(".")[2].lower()


def project_fact(question: str, scope: Scope) -> Optional[str]:
    """What the other files of the project say of ``question`` (None: nothing, or no project known)."""
    project = scope.file_memo.get("project")
    return project.ask(question) if project is not None else None


def project_value(question: str, scope: Scope) -> Optional[str]:
    """The type of a global or an attribute of another module (not a function's result)."""
    fact = project_fact(question, scope)
    return fact if fact is not None and not fact.startswith(CALLED) else None


def type_of(expr: cst.BaseExpression, scope: Scope, _depth: int = 0) -> Optional[str]:
    """The qualified name of the type of ``expr``'s value, or None when not certain."""
    if _depth > MAX_DEPTH:
        return None
    kind = type(expr)
    if kind is cst.Call:
        return call_type(expr, scope, _depth)  # type: ignore[arg-type]
    if kind is cst.Await:
        inner = type_of(expr.expression, scope, _depth + 1)  # type: ignore[attr-defined]
        if inner is None:
            return None
        return inner[len(AWAITABLE):] if inner.startswith(AWAITABLE) else AWAITED.get(inner)
    if kind is cst.Name:
        bindings = scope.lookup(expr.value)
        if not bindings:
            return None
        return one_type(binding_type(b, scope, _depth + 1) for b in bindings if not binds_none(b))
    if kind is cst.Attribute:
        return attribute_type(expr, scope, _depth)  # type: ignore[arg-type]
    if kind is cst.BinaryOperation and type(expr.operator) is cst.Divide:  # type: ignore[attr-defined]
        # ``base / "name"`` joins paths: a path stays a path (a number divided is not one).
        left = type_of(expr.left, scope, _depth + 1)
        return left if left in PATH_TYPES else None
    if kind is cst.BooleanOperation and type(expr.operator) is cst.Or:  # type: ignore[attr-defined]
        # ``session or ClientSession()``: what the right side makes, unless the left is known to be another thing.
        right = type_of(expr.right, scope, _depth + 1)
        left = None if is_none(expr.left) else type_of(expr.left, scope, _depth + 1)
        return right if left is None or left == right else None
    if kind is cst.IfExp:
        return one_type(type_of(side, scope, _depth + 1) for side in (expr.body, expr.orelse) if not is_none(side))
    return None


def one_type(types) -> Optional[str]:
    """The one type every value has; None if any is unknown or two differ."""
    found = set(types)
    return found.pop() if len(found) == 1 else None


def binds_none(binding) -> bool:
    """``x = None``: a placeholder, not the value the name is for."""
    return binding.kind == "assign" and binding.value is not None and is_none(binding.value)


def call_type(call: cst.Call, scope: Scope, depth: int) -> Optional[str]:
    callee = callee_name(call, scope, depth + 1)
    if callee is None:
        return local_call_type(call.func, scope, depth)
    if callee in RETURNS:
        return RETURNS[callee]
    factories = scope.file_memo.get("factories", FACTORIES)
    if callee in factories:
        return factories[callee]
    if callee.startswith(THIS_MODULE):  # a method of a class of this file
        cls, _, method = callee[len(THIS_MODULE):].rpartition(".")
        function = local_definition(cls, method, scope)
        return function_type(function[0], function[1], depth) if function is not None else None
    if is_class_name(callee):
        return callee
    if callee.startswith("builtins."):
        return None
    fact = project_fact(callee, scope)
    return fact[len(CALLED):] if fact is not None and fact.startswith(CALLED) else None


def local_call_type(func: cst.BaseExpression, scope: Scope, depth: int) -> Optional[str]:
    """Calling a class or a function defined at the top of this file: an instance, or what it returns."""
    if not isinstance(func, cst.Name):
        return None
    module = scope.module()
    bindings = scope.lookup(func.value)
    if not bindings or len(bindings) != 1 or module.bindings.get(func.value) is not bindings:
        return None
    binding = bindings[0]
    if binding.kind == "class":
        return THIS_MODULE + func.value
    if binding.kind == "def" and isinstance(binding.node, cst.FunctionDef):
        return function_type(binding.node, module, depth)
    return None


def local_definition(cls: str, member: str, scope: Scope) -> Optional[tuple]:
    """(the ``def`` of ``member`` in the top-level class ``cls`` of this file, the class's scope), if any."""
    class_scope = local_class_scope(cls, scope)
    if class_scope is None:
        return None
    found = [b for b in class_scope.bindings.get(member, ()) if b.kind == "def"]
    return (found[0].node, class_scope) if len(found) == 1 else None


def local_class_scope(cls: str, scope: Scope) -> Optional[Scope]:
    module = scope.module()
    bindings = module.bindings.get(cls)
    if not bindings or len(bindings) != 1 or bindings[0].kind != "class":
        return None
    return scope_of(bindings[0].node, module)


def function_type(function: cst.FunctionDef, defined_in: Scope, depth: int = 0) -> Optional[str]:
    """What calling ``function`` gives: its return annotation, else the one type of every value it
    returns (``awaitable:T`` for a coroutine function); None for a generator or when unsure."""
    memo = defined_in.file_memo.setdefault("function_types", {})
    if function in memo:
        return memo[function]
    memo[function] = None  # a function that returns its own result ends here
    found = _function_type(function, defined_in, depth)
    memo[function] = found
    return found


def _function_type(function: cst.FunctionDef, defined_in: Scope, depth: int) -> Optional[str]:
    is_coroutine = function.asynchronous is not None
    if function.returns is not None:
        returned = annotation_type(function.returns.annotation, defined_in)
    else:
        values = returned_values(function, defined_in)
        if values is None:
            return None
        inner = scope_of(function, defined_in)
        returned = one_type(type_of(value, inner, depth + 1) for value in values if not is_none(value))
    if returned is None:
        return None
    return AWAITABLE + returned if is_coroutine else returned


def returned_values(function: cst.FunctionDef, defined_in: Scope) -> Optional[list]:
    """The values the function returns (None for a generator). The walk records them as it passes
    (``model.FileModel``); a function it has not reached yet is read here."""
    recorded = defined_in.file_memo.get("returns")
    if recorded is not None and function in recorded:
        values = recorded[function]
        return None if values is None else list(values)
    from .tree import walk

    values = []
    nested = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
    for node in walk(function.body, skip=nested):
        if isinstance(node, (cst.Yield,)):
            return None
        if isinstance(node, cst.Return) and node.value is not None:
            values.append(node.value)
    return values


def attribute_type(expr: cst.Attribute, scope: Scope, depth: int) -> Optional[str]:
    if isinstance(expr.value, cst.Name):  # ``self.x``: what the class assigns or annotates
        assigned, known = self_attribute(expr, scope, depth)
        if assigned:
            return known
    qualified = qualified_name(expr, scope)
    if qualified is not None:  # ``config.STATE``: a global of another module
        return None if qualified.startswith("builtins.") else project_value(qualified, scope)
    attr = expr.attr.value
    owner = type_of(expr.value, scope, depth + 1)
    if owner is None:
        # ``self.bot.http_session``: what every class of the project assigns to the name.
        return project_value(ATTRIBUTE + attr, scope)
    if owner.startswith(AWAITABLE):
        return None
    member = f"{owner}.{attr}"
    if member in RETURNS:  # properties, e.g. ``Path(x).parent``
        return RETURNS[member]
    if owner.startswith(THIS_MODULE):
        class_scope = local_class_scope(owner[len(THIS_MODULE):], scope)
        return assigned_type(self_assignments(class_scope).get(attr), depth) if class_scope is not None else None
    if owner in TYPE_KINDS or owner.startswith(("aiohttp.", "builtins.")):
        return None
    return project_value(member, scope)


def binding_type(binding, scope: Scope, depth: int = 0) -> Optional[str]:
    if binding.annotation is not None:
        return annotation_type(binding.annotation, scope)
    if binding.kind == "import":  # ``from .config import STATE``
        qualified = binding.qualified
        last = qualified.rpartition(".")[2] if qualified else ""
        if not qualified or (is_class_name(qualified) and not last.isupper()):  # a class, not a CONSTANT
            return None
        return project_value(qualified, scope)
    if binding.value is None:
        return None
    if binding.kind == "assign":
        return type_of(binding.value, scope, depth)
    if binding.kind == "with":
        manager = type_of(binding.value, scope, depth)
        return ENTERED.get(manager, manager) if manager is not None else None
    return None


def annotation_type(annotation: cst.BaseExpression, scope: Scope) -> Optional[str]:
    """``ClientSession``, ``Optional[ClientSession]``, ``ClientSession | None``, ``"ClientSession"``."""
    kind = type(annotation)
    if kind is cst.SimpleString:
        try:
            annotation = cst.parse_expression(annotation.evaluated_value)
        except (cst.ParserSyntaxError, ValueError, TypeError):
            return None
        kind = type(annotation)
    if kind is cst.BinaryOperation and type(annotation.operator) is cst.BitOr:  # type: ignore[attr-defined]
        sides = [annotation.left, annotation.right]
        kept = [side for side in sides if not is_none(side)]
        return annotation_type(kept[0], scope) if len(kept) == 1 else None
    if kind is cst.Subscript:
        generic = qualified_name(annotation.value, scope)
        args = [el.slice.value for el in annotation.slice if isinstance(el.slice, cst.Index)]
        if generic == "typing.Optional" and len(args) == 1:
            return annotation_type(args[0], scope)
        if generic == "typing.Union":
            kept = [arg for arg in args if not is_none(arg)]
            return annotation_type(kept[0], scope) if len(kept) == 1 else None
        if generic in FILE_ANNOTATIONS:  # IO[str]
            return FILE_HANDLE
        return None
    if kind is cst.Name and not annotation.value.startswith("_"):
        local = local_class_scope(annotation.value, scope) if scope.lookup(annotation.value) else None
        if local is not None:  # a class of this file
            return THIS_MODULE + annotation.value
    name = qualified_name(annotation, scope)
    if name in FILE_ANNOTATIONS:
        return FILE_HANDLE
    return name if name is not None and not name.startswith("builtins.") else None


def is_none(expr: cst.BaseExpression) -> bool:
    return type(expr) is cst.Name and expr.value == "None"  # type: ignore[attr-defined]
