"""What a value is: the type of an expression, as far as the same scope tells.

Only what is certain is known: ``p = Path(x)`` makes ``p`` a ``pathlib.Path``;
``conn = sqlite3.connect(db)`` a ``sqlite3.Connection``; a parameter annotated
``aiohttp.ClientSession`` (also ``Optional[...]``, ``X | None`` or a string) a
session. A name assigned twice with different things, or anything unknown,
has no type, so rules stay quiet about it.
"""

from __future__ import annotations

from typing import Dict, Optional

import libcst as cst

from .names import qualified_name
from .aiohttp import self_attribute_type  # it imports this module lazily
from .scope import Scope

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


def is_class_name(name: str) -> bool:
    return name.rsplit(".", 1)[-1][:1].isupper()


MAX_DEPTH = 8  # `a = b.c(); b = a` and other cycles end here


def callee_name(call: cst.Call, scope: Scope, _depth: int = 0) -> Optional[str]:
    """The qualified name of the function a call calls, methods of known objects included."""
    return member_name(call.func, scope, _depth)


def member_name(expr: cst.BaseExpression, scope: Scope, _depth: int = 0) -> Optional[str]:
    """``time.sleep`` -> ``time.sleep``; ``p.read_text`` with ``p = Path(x)`` -> ``pathlib.Path.read_text``."""
    name = qualified_name(expr, scope)
    if name is not None:
        return name
    if isinstance(expr, cst.Attribute):
        owner = type_of(expr.value, scope, _depth + 1)
        if owner is not None:
            return f"{owner}.{expr.attr.value}"
    return None


def type_of(expr: cst.BaseExpression, scope: Scope, _depth: int = 0) -> Optional[str]:
    """The qualified name of the type of ``expr``'s value, or None when not certain."""
    if _depth > MAX_DEPTH:
        return None
    if isinstance(expr, cst.Call):
        callee = callee_name(expr, scope, _depth + 1)
        if callee is None:
            return None
        if callee in RETURNS:
            return RETURNS[callee]
        return callee if is_class_name(callee) else None
    if isinstance(expr, cst.Await):
        inner = type_of(expr.expression, scope, _depth + 1)
        return AWAITED.get(inner) if inner is not None else None
    if isinstance(expr, cst.Name):
        bindings = scope.lookup(expr.value)
        if not bindings:
            return None
        types = {binding_type(b, scope, _depth + 1) for b in bindings}
        return types.pop() if len(types) == 1 else None
    if isinstance(expr, cst.Attribute):
        if isinstance(expr.value, cst.Name):  # ``self.x``: what the class assigns or annotates
            known = self_attribute_type(expr, scope, _depth)
            if known is not None:
                return known
        # Properties that return a known type, e.g. ``Path(x).parent``.
        owner = type_of(expr.value, scope, _depth + 1)
        return RETURNS.get(f"{owner}.{expr.attr.value}") if owner is not None else None
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Divide):
        # ``base / "name"`` joins paths: a path stays a path (a number divided is not one).
        left = type_of(expr.left, scope, _depth + 1)
        return left if left in PATH_TYPES else None
    return None


def binding_type(binding, scope: Scope, depth: int = 0) -> Optional[str]:
    if binding.annotation is not None:
        return annotation_type(binding.annotation, scope)
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
    if isinstance(annotation, cst.SimpleString):
        try:
            annotation = cst.parse_expression(annotation.evaluated_value)
        except (cst.ParserSyntaxError, ValueError, TypeError):
            return None
    if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
        sides = [annotation.left, annotation.right]
        kept = [side for side in sides if not is_none(side)]
        return annotation_type(kept[0], scope) if len(kept) == 1 else None
    if isinstance(annotation, cst.Subscript):
        generic = qualified_name(annotation.value, scope)
        args = [el.slice.value for el in annotation.slice if isinstance(el.slice, cst.Index)]
        if generic == "typing.Optional" and len(args) == 1:
            return annotation_type(args[0], scope)
        if generic == "typing.Union":
            kept = [arg for arg in args if not is_none(arg)]
            return annotation_type(kept[0], scope) if len(kept) == 1 else None
        return None
    name = qualified_name(annotation, scope)
    return name if name is not None and not name.startswith("builtins.") else None


def is_none(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"
