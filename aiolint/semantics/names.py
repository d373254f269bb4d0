"""Qualified names: what a name or attribute chain refers to, through imports.

``import aiohttp as ah; ah.ClientSession`` and ``from aiohttp import ClientSession
as CS; CS`` both resolve to ``aiohttp.ClientSession``. A name bound locally
(assigned, a parameter, a ``def``) shadows imports and builtins and resolves to
nothing: rules match qualified names, never bare identifiers.
"""

from __future__ import annotations

import builtins
from typing import Dict, Optional

import libcst as cst

from .scope import Scope

BUILTIN_NAMES = frozenset(dir(builtins))

# Where a public name is defined somewhere else than where users import it from.
# Longest prefix wins; the rest of the dotted name is kept.
CANONICAL: Dict[str, str] = {
    "aiohttp.client.ClientSession": "aiohttp.ClientSession",
    "aiohttp.client.ClientTimeout": "aiohttp.ClientTimeout",
    "aiohttp.client.ClientWSTimeout": "aiohttp.ClientWSTimeout",
    "aiohttp.client.request": "aiohttp.request",
    "aiohttp.client_reqrep.ClientResponse": "aiohttp.ClientResponse",
    "aiohttp.client_exceptions": "aiohttp",
    "aiohttp.connector.TCPConnector": "aiohttp.TCPConnector",
    "aiohttp.connector.UnixConnector": "aiohttp.UnixConnector",
    "aiohttp.web_app.Application": "aiohttp.web.Application",
    "aiohttp.web_request.Request": "aiohttp.web.Request",
    "aiohttp.web_request.BaseRequest": "aiohttp.web.BaseRequest",
    "aiohttp.web_response": "aiohttp.web",
    "aiohttp.web_exceptions": "aiohttp.web",
    "aiohttp.web_routedef": "aiohttp.web",
    "aiohttp.web_urldispatcher.View": "aiohttp.web.View",
    "aiohttp.web_urldispatcher.UrlDispatcher": "aiohttp.web.UrlDispatcher",
    "aiohttp.web_runner": "aiohttp.web",
    "aiohttp.web_middlewares": "aiohttp.web",
    "asyncio.exceptions": "asyncio",
    "asyncio.tasks": "asyncio",
    "asyncio.runners": "asyncio",
    "asyncio.events": "asyncio",
    "asyncio.timeouts": "asyncio",
    "asyncio.base_events.BaseEventLoop": "asyncio.AbstractEventLoop",
    "concurrent.futures._base.CancelledError": "concurrent.futures.CancelledError",
    "posixpath": "os.path",
    "pathlib.PosixPath": "pathlib.Path",
    "pathlib.WindowsPath": "pathlib.Path",
    "pathlib.PurePath": "pathlib.PurePath",
    "typing_extensions": "typing",
}


def canonical(name: str) -> str:
    """Map a dotted name to the name users know it by (``aiohttp.client.ClientSession`` -> ``aiohttp.ClientSession``)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        target = CANONICAL.get(prefix)
        if target is not None:
            return ".".join([target, *parts[end:]])
    return name


def qualified_name(expr: cst.BaseExpression, scope: Scope) -> Optional[str]:
    """The qualified name ``expr`` refers to, or None when it is not an imported or builtin name."""
    attrs = []
    while isinstance(expr, cst.Attribute):
        attrs.append(expr.attr.value)
        expr = expr.value
    if not isinstance(expr, cst.Name):
        return None
    base = name_target(expr.value, scope)
    if base is None:
        return None
    return canonical(".".join([base, *reversed(attrs)]))


def name_target(name: str, scope: Scope) -> Optional[str]:
    bindings = scope.lookup(name)
    if bindings is None:
        return f"builtins.{name}" if name in BUILTIN_NAMES else None
    targets = {b.qualified for b in bindings}
    if len(targets) == 1 and all(b.kind == "import" for b in bindings):
        return targets.pop()
    return None


def spelling(target: str, scope: Scope) -> Optional[str]:
    """How code in ``scope`` can write the imported name ``target``: through the import
    that comes closest to it (``web.HTTPException`` after ``from aiohttp import web``,
    ``HTTPException`` after importing it), or None when nothing imported reaches it."""
    best: Optional[str] = None
    best_prefix = ""
    current: Optional[Scope] = scope
    while current is not None:
        for name, bindings in current.bindings.items():
            if not any(b.kind == "import" for b in bindings):
                continue
            prefix = name_target(name, scope)  # None when shadowed here or bound otherwise too
            if prefix is None:
                continue
            prefix = canonical(prefix)
            if (target == prefix or target.startswith(prefix + ".")) and len(prefix) > len(best_prefix):
                best, best_prefix = name + target[len(prefix):], prefix
        current = current.parent
    return best
