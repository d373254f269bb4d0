"""AIO7xx: settings that let someone else read or change the traffic, or the server's files.

Facts from aiohttp 3.14: a request's ``ssl=False`` (and the deprecated
``verify_ssl=False``) skips certificate and host name checks; an ``ssl.SSLContext``
passed as ``ssl=`` is used as it is; ``add_static(follow_symlinks=True)`` serves
files that symlinks lead to outside the static root (before 3.9.2, any path:
CVE-2024-23334).
"""

from __future__ import annotations

from typing import List, Optional
from urllib.parse import urlsplit

import libcst as cst

from ..semantics.aiohttp import (
    CLIENT_CALLS, CONNECTORS, REQUEST_FUNCTION, SESSION, WEB_RESPONSE_TYPES, imports_aiohttp,
)
from ..semantics.testing import expects_warning, in_test
from .base import Rule

UNVERIFIED_CONTEXT = "ssl._create_unverified_context"
CONTEXT_MAKERS = frozenset({"ssl.create_default_context", "ssl.SSLContext"})
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})
BASIC_AUTH = "aiohttp.BasicAuth"


def keyword(call: cst.Call, name: str) -> Optional[cst.Arg]:
    return next((arg for arg in call.args if arg.keyword is not None and arg.keyword.value == name), None)


def is_literal(expr: cst.BaseExpression, value: str) -> bool:
    return isinstance(expr, cst.Name) and expr.value == value


def literal_url(call: cst.Call, callee: str) -> Optional[str]:
    """The URL of a request when it is a string literal: ``session.get("http://...")``."""
    if callee in CONNECTORS:
        return None
    url = keyword(call, "url")
    if url is None:
        positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
        index = 1 if callee in (f"{SESSION}.request", REQUEST_FUNCTION) else 0
        url = positional[index] if len(positional) > index else None
    if url is not None and isinstance(url.value, cst.SimpleString):
        text = url.value.evaluated_value
        return text if isinstance(text, str) else None
    return None


def is_local(url: str) -> bool:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    return host in LOCAL_HOSTS or host.startswith("127.") or host.endswith(".localhost")


class TlsVerificationDisabled(Rule):
    """A request or connector with TLS certificate verification turned off.

    ## What it does
    Reports, on aiohttp requests (`session.get(...)` and the other methods on a known
    `ClientSession`, `ws_connect`, `aiohttp.request`) and connectors (`TCPConnector`):
    `ssl=False`, `verify_ssl=False`, and an `ssl=`/`ssl_context=` whose context is
    `ssl._create_unverified_context()` or was given `check_hostname = False` or
    `verify_mode = ssl.CERT_NONE` in the same function.

    ## Why is this bad?
    Without verification, anyone on the network path (a public Wi-Fi, a compromised
    router, a proxy) can present their own certificate, impersonate the server, and
    read and change everything sent and received: credentials, tokens, responses.

    ## Example
    ```python
    async with session.get(url, ssl=False) as resp:
        ...
    ```

    ## Use instead
    ```python
    context = ssl.create_default_context(cafile="internal-ca.pem")  # trust your own CA
    async with session.get(url, ssl=context) as resp:
        ...
    ```

    ## Known limits
    Only literal `False` and contexts built in the same function are seen: a setting
    read from configuration (`ssl=settings.verify`) is not reported. Requests to a
    literal `http://` URL (no TLS) or to `localhost` are not reported. Requests on a
    session the linter cannot type (a parameter without annotation) are not checked.
    {test code}
    """

    code = "AIO701"
    name = "tls-verification-disabled"
    summary = "TLS certificate verification disabled on an aiohttp request or connector"
    message = ("{what} turns TLS certificate verification off, so anyone on the network path can impersonate "
               "the server and read or change the traffic, credentials included; keep verification on (for a "
               "private CA, pass `ssl=ssl.create_default_context(cafile=...)`).")
    triggers = frozenset({"ssl"})
    requires = frozenset({"aiohttp"})

    def visit_Call(self, node: cst.Call) -> None:
        callee = self.context.callee_among(node, CLIENT_CALLS)
        if callee is None or in_test(self.context.scope) or expects_warning(self.context.ancestors,
                                                                                 self.context.scope):
            return
        url = literal_url(node, callee)
        if url is not None and (url.startswith("http://") or url.startswith("ws://") or is_local(url)):
            return
        for arg in node.args:
            name = arg.keyword.value if arg.keyword is not None else None
            if name in ("ssl", "verify_ssl") and is_literal(arg.value, "False"):
                self.report(arg, what=f"`{name}=False`")
            elif name in ("ssl", "ssl_context") and self.is_unverified_context(arg.value):
                self.report(arg, what=f"`{name}={self.context.code_for(arg.value)}`")

    def is_unverified_context(self, expr: cst.BaseExpression) -> bool:
        if isinstance(expr, cst.Call):
            return self.context.callee_name(expr) == UNVERIFIED_CONTEXT
        if not isinstance(expr, cst.Name):
            return False
        bindings = self.context.scope.lookup(expr.value)
        if not bindings or len(bindings) != 1 or bindings[0].kind not in ("assign", "annotation") \
                or not isinstance(bindings[0].value, cst.Call):
            return False
        maker = self.context.callee_name(bindings[0].value)
        if maker == UNVERIFIED_CONTEXT:
            return True
        if maker not in CONTEXT_MAKERS:
            return False
        owner = self.context.scope.function()
        code = owner.node.body if owner is not None else self.context.module  # type: ignore[attr-defined]
        statements = code.body if isinstance(code, (cst.IndentedBlock, cst.Module)) else ()
        # Only what always runs: a context weakened under an `if` follows a setting someone chose.
        return any(self.weakens(small, expr.value) for statement in statements
                   if isinstance(statement, cst.SimpleStatementLine) for small in statement.body)

    def weakens(self, node: cst.CSTNode, name: str) -> bool:
        """``name.check_hostname = False`` or ``name.verify_mode = ssl.CERT_NONE``."""
        if not isinstance(node, cst.Assign) or len(node.targets) != 1:
            return False
        target = node.targets[0].target
        if not (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == name):
            return False
        if target.attr.value == "check_hostname":
            return is_literal(node.value, "False")
        return target.attr.value == "verify_mode" and self.context.qualified_name(node.value) in (
            "ssl.CERT_NONE", "ssl.VerifyMode.CERT_NONE")


class BasicAuthOverHttp(Rule):
    """Credentials sent to a plain `http://` URL.

    ## What it does
    Reports an aiohttp request (on a known `ClientSession`, or `aiohttp.request`) to a
    string literal `http://` URL whose host is not local, when it passes
    `auth=aiohttp.BasicAuth(...)` or a literal `headers=` dict with an `Authorization`
    key.

    ## Why is this bad?
    Basic credentials are only base64-encoded: over plain HTTP anyone on the path reads
    the user name and password, and an `Authorization` token the same way.

    ## Example
    ```python
    await session.get("http://api.example.com/items", auth=aiohttp.BasicAuth("user", password))
    ```

    ## Use instead
    ```python
    await session.get("https://api.example.com/items",
                      headers={"Authorization": aiohttp.encode_basic_auth("user", password)})
    ```
    (`BasicAuth` and `auth=` are themselves deprecated since aiohttp 3.14.)

    ## Known limits
    Off by default: only literal URLs are checked, and many services only ever reached
    on a private network (a container's neighbour) are addressed over `http://` by
    design. `localhost`, `127.*` and `*.localhost` are never reported.
    {test code}
    """

    code = "AIO702"
    name = "basic-auth-over-http"
    summary = "Credentials (`BasicAuth`, an `Authorization` header) sent to a plain `http://` URL"
    message = ("{what} is sent to `{url}` over plain HTTP, so anyone on the network path can read it; use "
               "`https://`.")
    default_enabled = False
    triggers = frozenset({"http://"})
    requires = frozenset({"aiohttp"})

    def visit_Call(self, node: cst.Call) -> None:
        callee = self.context.callee_among(node, CLIENT_CALLS - CONNECTORS)
        if callee is None or in_test(self.context.scope):
            return
        url = literal_url(node, callee)
        if url is None or not url.startswith("http://") or is_local(url):
            return
        auth = keyword(node, "auth")
        if auth is not None and isinstance(auth.value, cst.Call) and self.context.callee_name(auth.value) == BASIC_AUTH:
            self.report(auth, what="`BasicAuth` (user name and password)", url=url)
        headers = keyword(node, "headers")
        if headers is not None and isinstance(headers.value, cst.Dict):
            for element in headers.value.elements:
                if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString) \
                        and str(element.key.evaluated_value).lower() == "authorization":
                    self.report(element, what="The `Authorization` header", url=url)


class InsecureCookie(Rule):
    """A cookie set without `secure=True`, `httponly=True` and `samesite`.

    ## What it does
    Reports `response.set_cookie(...)` on an aiohttp response (a `web.Response`,
    `web.StreamResponse`, `web.FileResponse` or HTTP exception the linter can type)
    that does not pass `secure=True`, `httponly=True` and a `samesite=` value.

    ## Why is this bad?
    Without `secure`, the cookie is also sent over plain HTTP, where anyone on the
    path reads it; without `httponly`, any script injected into a page can read it;
    without `samesite`, browsers that do not default to `Lax` send it with requests
    other sites make (CSRF).

    ## Example
    ```python
    response.set_cookie("session", token)
    ```

    ## Use instead
    ```python
    response.set_cookie("session", token, secure=True, httponly=True, samesite="Lax")
    ```

    ## Known limits
    Off by default: cookies that scripts must read (a CSRF token for a single-page
    app), or set for a site only served over HTTP in development, are deliberate. A
    value held in a variable counts as set; `**kwargs` hides what is set and is not
    reported.
    {test code}
    """

    code = "AIO703"
    name = "insecure-cookie"
    summary = "A cookie set without `secure=True`, `httponly=True` and `samesite`"
    message = "This cookie is set without {missing}; pass `secure=True, httponly=True, samesite=\"Lax\"`."
    default_enabled = False
    triggers = frozenset({"set_cookie"})
    requires = frozenset({"aiohttp"})

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "set_cookie") or any(
                arg.star == "**" for arg in node.args):
            return
        if self.context.type_of(func.value) not in WEB_RESPONSE_TYPES or in_test(self.context.scope):
            return
        missing: List[str] = []
        for name, off in (("secure", "False"), ("httponly", "False"), ("samesite", "None")):
            arg = keyword(node, name)
            if arg is None or is_literal(arg.value, off) or (name != "samesite" and is_literal(arg.value, "None")):
                missing.append(f"`{name}`")
        if missing:
            self.report(node, missing=", ".join(missing[:-1]) + (" or " if len(missing) > 1 else "") + missing[-1])


class StaticFollowSymlinks(Rule):
    """Static files served with `follow_symlinks=True`.

    ## What it does
    Reports `add_static(..., follow_symlinks=True)` and `web.static(...,
    follow_symlinks=True)`.

    ## Why is this bad?
    With `follow_symlinks=True`, aiohttp before 3.9.2 served any path a client asked
    for, `/static/../../etc/passwd` included (CVE-2024-23334, exploited in the wild);
    later versions still serve whatever a symlink in the directory points to, outside
    the static root. aiohttp's documentation calls the option a security risk, meant
    only for local development.

    ## Example
    ```python
    app.router.add_static("/static", STATIC_DIR, follow_symlinks=True)
    ```

    ## Use instead
    ```python
    app.router.add_static("/static", STATIC_DIR)  # symlinks inside the root still work
    ```
    In production, let a web server (nginx) or a CDN serve static files.

    ## Known limits
    Only a literal `True` is reported. `add_static` is recognised by its name on any
    object in a module that imports aiohttp.
    {test code}
    """

    code = "AIO705"
    name = "static-follow-symlinks"
    summary = "`add_static(..., follow_symlinks=True)`: clients can read files outside the static root"
    message = ("`follow_symlinks=True` lets clients read files outside the static root (any path before aiohttp "
               "3.9.2, CVE-2024-23334; through symlinks after); remove it.")
    triggers = frozenset({"follow_symlinks"})
    requires = frozenset({"aiohttp"})

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not ((isinstance(func, cst.Attribute) and func.attr.value == "add_static"
                 and imports_aiohttp(self.context.scope))
                or self.context.qualified_name(func) == "aiohttp.web.static"):
            return
        arg = keyword(node, "follow_symlinks")
        if arg is not None and is_literal(arg.value, "True") and not in_test(self.context.scope):
            self.report(arg)
