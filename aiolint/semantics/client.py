"""What an aiohttp client call does: send a request, or read a response.

Rules ask "does this code talk to the network through aiohttp?" here, through the
context's ``callee_name`` (so a session is known as far as the context can type it:
constructed, annotated, stored on ``self``...). A call on an object of unknown type
is not a request: an async SQLAlchemy ``session.get(Model, 1)`` must not count.
"""

from __future__ import annotations

from typing import Iterable, Iterator, Optional, Protocol

import libcst as cst

from .aiohttp import REQUEST_FUNCTION
from .tree import own_code
from .values import REQUEST_METHODS, RESPONSE, SESSION

# `ws_connect` sends the handshake request: it fails as requests fail.
SESSION_REQUESTS = frozenset(f"{SESSION}.{method}" for method in (*REQUEST_METHODS, "ws_connect"))
# Reads of the body: where a dropped connection or a slow server surfaces after the headers.
RESPONSE_READS = frozenset(f"{RESPONSE}.{method}" for method in ("read", "text", "json"))
HTTP_CALLS = SESSION_REQUESTS | RESPONSE_READS | {REQUEST_FUNCTION}
HTTP_CALL_NAMES = frozenset(name.rpartition(".")[2] for name in HTTP_CALLS)



class Resolver(Protocol):
    """What these questions need from the linting context."""

    def callee_name(self, call: cst.Call) -> Optional[str]: ...


def http_call(call: cst.Call, resolver: Resolver) -> Optional[str]:
    """The qualified name of ``call`` if it sends an aiohttp request or reads a response body:
    ``aiohttp.ClientSession.get``, ``aiohttp.request``, ``aiohttp.ClientResponse.json``..."""
    func = call.func
    name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else None
    if name not in HTTP_CALL_NAMES:
        return None  # most calls: turned down without resolving anything
    callee = resolver.callee_name(call)
    return callee if callee in HTTP_CALLS else None


def http_calls(blocks: Iterable[cst.CSTNode], resolver: Resolver) -> Iterator[cst.Call]:
    """The calls in ``blocks`` (not in functions or classes defined there) that send a request or read a response."""
    for block in blocks:
        for node in own_code(block):
            if isinstance(node, cst.Call) and http_call(node, resolver) is not None:
                yield node
