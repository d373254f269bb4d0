"""Which aiohttp methods return something that must be awaited to do anything.

Facts from aiohttp 3.x: ``ClientSession.close()``, ``TCPConnector.close()`` (a coroutine in
current releases; older 3.x releases closed at once and returned an awaitable that
warns when dropped) and the websockets' ``close()`` are coroutines; ``ClientResponse.close()`` and
``release()`` are plain methods. A response's ``read()``, ``text()``, ``json()`` and
``wait_for_close()`` are coroutines. A session's request methods return a
``_RequestContextManager``: nothing is sent until it is awaited or entered.
"""

from __future__ import annotations

from typing import Optional

from .aiohttp import CONNECTOR, SESSION
from .values import REQUEST_METHODS, RESPONSE

CLIENT_WEBSOCKET = "aiohttp.ClientWebSocketResponse"
SERVER_WEBSOCKET = "aiohttp.web.WebSocketResponse"
# What a coroutine ``close()`` closes, by the receiver's type.
ASYNC_CLOSERS = {SESSION: "session", CONNECTOR: "connector", CLIENT_WEBSOCKET: "websocket",
                 SERVER_WEBSOCKET: "websocket"}
RESPONSE_READS = frozenset({"read", "text", "json", "wait_for_close"})
SESSION_COROUTINES = frozenset(REQUEST_METHODS) | {"ws_connect", "close"}


def awaitable_call(receiver_type: Optional[str], method: str) -> Optional[str]:
    """What calling ``method`` on a value of ``receiver_type`` gives that does nothing until awaited:
    ``"close"``, ``"read"`` or ``"request"``; None when the call does its work by itself (or is unknown)."""
    if method == "close" and receiver_type in ASYNC_CLOSERS:
        return "close"
    if receiver_type == RESPONSE and method in RESPONSE_READS:
        return "read"
    if receiver_type == SESSION and method in SESSION_COROUTINES:
        return "request"
    return None
