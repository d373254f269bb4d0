"""Qualified names: what a name or attribute chain refers to, through imports.

``import aiohttp as ah; ah.ClientSession`` and ``from aiohttp import ClientSession
as CS; CS`` both resolve to ``aiohttp.ClientSession``. A name bound locally
(assigned, a parameter, a ``def``) shadows imports and builtins and resolves to
nothing: rules match qualified names, never bare identifiers.
"""

from __future__ import annotations

import builtins
import functools
from typing import Dict, Optional, Sequence

import libcst as cst

from .scope import Binding, Scope

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


@functools.lru_cache(maxsize=4096)  # asked for every name every rule resolves, of few distinct names
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
    while type(expr) is cst.Attribute:
        attrs.append(expr.attr.value)  # type: ignore[attr-defined]
        expr = expr.value  # type: ignore[attr-defined]
    if type(expr) is not cst.Name:
        return None
    base = name_target(expr.value, scope)
    if base is None:
        return None
    return canonical(".".join([base, *reversed(attrs)]))


def name_target(name: str, scope: Scope) -> Optional[str]:
    """The qualified name a plain name refers to in ``scope`` (None: not an import or builtin); asked for
    every name of every call by several rules, so remembered by the scope."""
    known = scope.resolved_names
    if name in known:
        return known[name]
    found = known[name] = _name_target(name, scope)
    return found


def _name_target(name: str, scope: Scope) -> Optional[str]:
    bindings = scope.lookup(name)
    if bindings is None:
        return f"builtins.{name}" if name in BUILTIN_NAMES else None
    targets = {b.qualified for b in bindings}
    if len(targets) == 1 and all(b.kind == "import" for b in bindings):
        return targets.pop()
    return None


def runtime_spelling(qualified: str, scope: Scope, ancestors: Sequence[cst.CSTNode]) -> Optional[str]:
    """How code at this point may spell ``qualified`` (``asyncio.sleep``) through imports that have
    run by the time it runs: ``asyncio.sleep``, ``aio.sleep`` or ``sleep``; None when no such name.

    ``ancestors`` are the nodes from the module down to the point. An import under ``if
    TYPE_CHECKING:`` or any other condition does not count, nor one in a function after the point.
    """
    module, _, _ = qualified.rpartition(".")
    for target, suffix in ((module, qualified[len(module):]), (qualified, "")):
        if not module and suffix:
            continue
        found: Optional[Scope] = scope
        while found is not None:
            for name in found.imported_as(target):
                bindings = scope.lookup(name)
                if (bindings and name_target(name, scope) == target
                        and all(_bound_before(binding, found, ancestors) for binding in bindings)):
                    return name + suffix
            found = found.parent
    return None


def _bound_before(binding: Binding, scope: Scope, ancestors: Sequence[cst.CSTNode]) -> bool:
    """Whether the binding, in ``scope``, has surely been made when the code at ``ancestors`` runs."""
    if binding.conditional:
        return False
    if scope.is_module:  # functions run once the module has been imported
        return True
    # Imports bind in a def's or a class's block, which holds the point.
    statements = scope.node.body.body  # type: ignore[attr-defined]
    where = next(index for index, node in enumerate(ancestors) if node is scope.node)
    below = ancestors[where + 1:]
    for index, statement in enumerate(statements):
        if any(node is statement for node in below[:2]):
            return binding.order < index
    return False
