"""AIO3xx: blocking calls in coroutines, which freeze the event loop and every task on it.

One matcher serves every code: a call in coroutine context whose qualified name
is in the code's part of the call table (``semantics/blocking.py``), or of the
user's ``extend-blocking-calls`` option. A function passed as an argument
(``asyncio.to_thread(time.sleep, 1)``) is not called, so it is never matched,
and a nested ``def`` or ``lambda`` is not coroutine context. The file-system codes
leave test code out: a test that sets up or removes its temporary files blocks only
its own loop, for as long as a local disk takes.
"""

from __future__ import annotations

import functools
from types import MappingProxyType
from typing import Any, ClassVar, Dict, FrozenSet, Mapping, Optional, Set, Tuple

import libcst as cst

from ..semantics.names import runtime_spelling
from ..semantics.blocking import (BLOCKS_WITH_ARGUMENTS, NON_BLOCKING_WITH, SQLITE_CONNECT, called_name, calls_for,
                                  in_memory_sqlite, method_trigger, opens_memory_database, receiver, trigger_word,
                                  wraps_descriptor)
from ..semantics.imports import import_edits, is_free
from .base import NodeFix, Replacement, Rule

OPTION = "extend-blocking-calls"


def user_calls(options: Mapping[str, Any]) -> Dict[str, str]:
    """The option's ``qualified name -> code`` pairs (entries of the wrong shape are left out)."""
    extra = options.get(OPTION)
    if not isinstance(extra, Mapping):
        return {}
    return {name: code.upper() for name, code in extra.items() if isinstance(name, str) and isinstance(code, str)}


class BlockingCall(Rule):
    """The shared matcher; each subclass is one code (this class has none, so it is not registered)."""

    message = "`{call}()` blocks the event loop; {advice}."
    requires = frozenset({"async"})  # only coroutine context is reported
    triggers_are_names = True  # modules and builtins, which a call must spell (even under an alias)
    advice: ClassVar[str]  # for the names a user adds through the option
    reported_in_tests: ClassVar[bool] = True  # False: test code is left out (the file-system codes)
    table: ClassVar[Dict[str, str]]  # qualified name -> advice, from the call table

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.table = calls_for(cls.code)
        methods = {method_trigger(name) for name in cls.table} - {None}
        cls.triggers = frozenset({trigger_word(name) for name in cls.table} | methods)  # type: ignore[arg-type]

    @classmethod
    def triggers_for(cls, options: Mapping[str, Any]) -> FrozenSet[str]:
        added = [name for name, code in user_calls(options).items() if code == cls.code]
        return cls.triggers | {trigger_word(name) for name in added}

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.calls, self.called = self.reported_calls(tuple(sorted(user_calls(context.options).items())))
        # The local names imported under another name (`from time import sleep as nap`).
        self.aliases: Set[str] = set()

    @classmethod
    @functools.lru_cache(maxsize=64)  # the same for every file of a run: made once, not once per file
    def reported_calls(cls, extra: Tuple[Tuple[str, str], ...]) -> Tuple[Mapping[str, str], FrozenSet[str]]:
        """The calls this code reports (qualified name -> advice), with the user's ``extra`` ones (a name
        the user maps to a code belongs to that code only); and the names written at their call sites,
        to skip most calls before resolving anything."""
        added = dict(extra)
        calls = {name: advice for name, advice in cls.table.items() if name not in added}
        calls.update((name, cls.advice) for name, code in added.items() if code == cls.code)
        return MappingProxyType(calls), frozenset(called_name(name) for name in calls)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        imported = node.name.attr if type(node.name) is cst.Attribute else node.name
        if node.asname is not None and type(node.asname.name) is cst.Name and imported.value in self.called:
            self.aliases.add(node.asname.name.value)

    def visit_Call(self, node: cst.Call) -> None:
        func: Any = node.func  # its type is checked exactly, which type checkers do not narrow on
        kind = type(func)
        if kind is cst.Attribute:
            if func.attr.value not in self.called:
                return
        elif kind is not cst.Name or (func.value not in self.called and func.value not in self.aliases):
            return
        if not self.context.in_coroutine():
            return
        name = self.context.callee_name(node)
        advice = self.calls.get(name) if name is not None else None
        if advice is None or not self.blocks(name, node):
            return
        if not self.reported_in_tests and self.context.in_test_code():
            return
        shown = name[len("builtins."):] if name.startswith("builtins.") else name
        self.report(node, fix=self.fix(node), call=shown, advice=advice)

    def blocks(self, name: str, call: cst.Call) -> bool:
        """Leave out the calls that the table's own exceptions say return at once."""
        if name in BLOCKS_WITH_ARGUMENTS and not call.args:
            return False
        flags = NON_BLOCKING_WITH.get(name)
        return not flags or not any(self.mentions(arg.value, flags) for arg in call.args)

    def mentions(self, expr: cst.BaseExpression, names: FrozenSet[str]) -> bool:
        """``os.WNOHANG``, or ``os.WNOHANG | os.WUNTRACED``."""
        if isinstance(expr, cst.BinaryOperation):
            return self.mentions(expr.left, names) or self.mentions(expr.right, names)
        return self.context.qualified_name(expr) in names

    def fix(self, call: cst.Call) -> Optional[NodeFix]:
        return None


class BlockingSleep(BlockingCall):
    """Checks for `time.sleep()` in a coroutine.

    ## What it does
    Reports `time.sleep()` called in an `async def` (a `def` or `lambda` nested in it is
    not checked: it may run in an executor).

    ## Why is this bad?
    `time.sleep()` stops the whole thread, and with it the event loop: no other task,
    request handler, timeout or heartbeat runs until it returns. `await asyncio.sleep()`
    suspends only the current task.

    ## Example
    ```python
    import time

    async def poll(session, url):
        while True:
            async with session.get(url) as response:
                print(response.status)
            time.sleep(5)
    ```

    ## Use instead
    ```python
    import asyncio

    async def poll(session, url):
        while True:
            async with session.get(url) as response:
                print(response.status)
            await asyncio.sleep(5)
    ```
    The fix does this rewrite, under the name by which `asyncio` (or `asyncio.sleep`) is
    imported where the call is, by an import that has run when the call runs (not one
    under `if TYPE_CHECKING:` or `if __name__ == "__main__":`, which would leave a
    `NameError`); when there is none, it adds `import asyncio` to the file's imports. It
    removes the import of `time` (or `sleep`) when the call was its last use. It is
    unsafe: other tasks now run during the sleep, which is the point but can expose
    shared state the code assumed nobody touched meanwhile.

    ## Known limits
    Passing `time.sleep` to `run_in_executor`, `asyncio.to_thread` or `functools.partial`
    is not a call and is not reported. A sync function that sleeps and is called from a
    coroutine is not followed into.
    """

    code = "AIO301"
    name = "blocking-sleep"
    fixable = "unsafe"
    summary = "`time.sleep()` in a coroutine blocks the event loop"
    advice = "use `await asyncio.sleep()`"

    def fix(self, call: cst.Call) -> Optional[NodeFix]:
        # `time.sleep(x)` -> `await asyncio.sleep(x)`: replacing the callee with
        # `await asyncio.sleep` keeps the arguments as written.
        parent = self.context.ancestors[-1]
        if call.func.lpar or any(isinstance(a, cst.GeneratorExp) for a in self.context.ancestors):
            return None  # `await` would not parse / would make a generator async
        if isinstance(parent, (cst.Attribute, cst.Subscript, cst.Await)) or (isinstance(parent, cst.Call) and parent.func is call):
            return None  # `time.sleep(1).x`: `await` would apply to `.x`; `await await` does not parse
        scope = self.context.scope
        sleep = runtime_spelling("asyncio.sleep", scope, self.context.ancestors)
        add = None
        if sleep is None:  # `import asyncio` is added to the file's imports, if the name is free
            if not is_free("asyncio", scope, "asyncio"):
                return None
            sleep, add = "asyncio.sleep", "import asyncio"
        # The import of `time` (or of `sleep`) goes when this call was its last use.
        used = call.func.value if isinstance(call.func, cst.Attribute) else call.func
        imports = import_edits(self.context.module, scope, add=add, drop=used.value if isinstance(used, cst.Name) else None,
                               dropping_use=used if isinstance(used, cst.Name) else None)
        if imports is None:
            return None
        return NodeFix("unsafe", (Replacement(call.func, f"await {sleep}"),
                                  *(Replacement(node, content) for node, content in imports)))


class BlockingHttp(BlockingCall):
    """Checks for synchronous HTTP clients used in a coroutine.

    ## What it does
    Reports requests made in an `async def` with `requests` (module functions and
    `requests.Session` methods), sync `httpx` (`httpx.get()`, `httpx.Client` methods),
    `urllib.request.urlopen()`, `http.client` connections and `urllib3`.

    ## Why is this bad?
    A synchronous request holds the event loop for the whole round trip: DNS, connect,
    TLS, waiting for the server, reading the body. Every other task waits, for seconds
    when the server is slow, for ever when it has no timeout.

    ## Example
    ```python
    import requests

    async def fetch(url):
        return requests.get(url, timeout=10).json()
    ```

    ## Use instead
    ```python
    async def fetch(session, url):
        async with session.get(url) as response:
            return await response.json()
    ```

    ## Known limits
    Methods are recognised on clients whose kind is known (see "The project model" in
    the README): created or annotated as such (`s = requests.Session()`, a parameter
    annotated `httpx.Client` or `urllib3.PoolManager`), stored on `self` in any method,
    module globals, and functions' results across the project. `httpx.AsyncClient` and
    aiohttp are never reported.
    """

    code = "AIO302"
    name = "blocking-http"
    summary = "`requests`, sync `httpx`, `urllib` or `http.client` in a coroutine blocks the event loop"
    advice = "use the aiohttp session (or `httpx.AsyncClient`)"


class BlockingSubprocess(BlockingCall):
    """Checks for processes started or waited for synchronously in a coroutine.

    ## What it does
    Reports `subprocess.run()`/`call()`/`check_call()`/`check_output()`/`getoutput()`/
    `Popen()` (and `Popen.wait()`/`communicate()`), `os.system()`, `os.popen()`,
    `os.wait*()` and `os.spawn*()` in an `async def`.

    ## Why is this bad?
    These wait for the child process to finish (or fork the interpreter) on the event
    loop's thread: every other task stalls for as long as the command runs.

    ## Example
    ```python
    import subprocess

    async def version():
        return subprocess.check_output(["git", "describe"]).decode()
    ```

    ## Use instead
    ```python
    import asyncio

    async def version():
        process = await asyncio.create_subprocess_exec(
            "git", "describe", stdout=asyncio.subprocess.PIPE)
        out, _ = await process.communicate()
        return out.decode()
    ```

    ## Known limits
    `os.waitpid(pid, os.WNOHANG)` and `os.spawn*(os.P_NOWAIT, ...)` return at once and
    are not reported. `Popen.wait()` is recognised when the `Popen` object is created in
    the same scope.
    """

    code = "AIO303"
    name = "blocking-subprocess"
    summary = "`subprocess`, `os.system`, `os.popen`, `os.wait*` or `os.spawn*` in a coroutine"
    advice = "use `asyncio.create_subprocess_exec()`"


class BlockingFileIO(BlockingCall):
    """Checks for file contents read or written, directories listed or copied, and modules imported in a coroutine (off by default).

    ## What it does
    Reports in an `async def`: `open()`, `io.open_code()`, `os.fdopen()`,
    `pathlib.Path.open()`/`read_text()`/`read_bytes()`/`write_text()`/`write_bytes()`/
    `iterdir()`/`glob()`/`rglob()`, `glob.glob()`/`iglob()`, `os.walk()`/`listdir()`/
    `scandir()`, the `shutil` copies, moves and `rmtree()`, and `importlib.import_module()`.
    Home Assistant's runtime blocking-call detector flags most of them, flake8-async's
    ASYNC230/ASYNC231 the files opened. Single metadata operations (`os.stat()`, `os.path.exists()`,
    `os.makedirs()`, `os.remove()`, `Path.unlink()`...) are AIO309's, off by default.

    ## Why is this bad?
    The time these take grows with the data: a large file, a large directory, a busy
    disk or a network file system stalls the event loop and every task on it for as long
    as the transfer lasts. Importing a module reads and compiles files.

    ## Example
    ```python
    import json

    async def load(path):
        with open(path) as f:
            return json.load(f)
    ```

    ## Use instead
    ```python
    import json
    import aiofiles

    async def load(path):
        async with aiofiles.open(path) as f:
            return json.loads(await f.read())
    ```
    or `await asyncio.to_thread(Path(path).read_text)`.

    ## Known limits
    This rule is off by default: how long a call blocks depends on the size of the file
    and on how often the code runs, and neither is known from the code. On a corpus of
    20 real aiohttp projects it made 31 findings; reviewers judged 6 worth fixing
    (uploads written to disk in a web handler, a large download moved across file
    systems, a directory listed in a long-running server), 24 not worth it and 1 false
    (`open(fd)` on a descriptor, no longer reported). The ones not worth it were code
    that never runs beside other async work (command-line tools run with `asyncio.run`,
    start-up, examples, test helpers), one small file read or written in a rare admin
    command or a one-time set-up, and deliberate designs (a library's `save(path)` that
    writes synchronously, loading a plugin, which is an import). Enable it
    (`extend-select = ["AIO304"]`) in services that must never block their loop: Home
    Assistant integrations (its runtime detector reports these calls), servers with
    tight latency budgets.

    `Path` methods are recognised on values known to be paths (see "The project
    model" in the README): created or annotated as such, built with `/` or
    `parent`/`with_suffix()`..., stored on `self`, module constants of this module
    or imported from another module of the project (`STATE.read_text()` with `STATE =
    Path(...)` in a settings module), and functions' results.
    A function passed rather than called (`await asyncio.to_thread(shutil.rmtree, p)`,
    `asyncio.to_thread(path.read_text)`) is not reported. Methods of a file object
    known only from an annotation (`out: TextIO`) are not reported: `io.StringIO`,
    `io.BytesIO` and `sys.stdout` have that type too. `aiofiles` and `anyio.Path` are
    never reported. The size of a file is not known: reading a few bytes of a local
    file once at start-up is reported as a large download written to disk is.
    `open(fd)` and `os.fdopen(fd)` on a descriptor known to be open already (`fd =
    os.open(...)`, `os.dup(...)`, `fd, path = tempfile.mkstemp()`, `os.pipe()`) look up
    no path and are not reported; reads and writes on the file object are not followed.
    {test code; test modules}
    """

    code = "AIO304"
    name = "blocking-file-io"
    default_enabled = False
    summary = ("`open`, `pathlib.Path` reads and writes, directory listings, `shutil` copies or "
               "`importlib.import_module` in a coroutine")
    advice = "use `aiofiles`, `anyio.Path` or `await asyncio.to_thread(...)`"
    reported_in_tests = False

    def blocks(self, name: str, call: cst.Call) -> bool:
        if wraps_descriptor(name, call, self.context.scope):
            return False  # the descriptor is open already: no path is looked up
        return super().blocks(name, call)


class BlockingFileMetadata(BlockingCall):
    """Checks for single file-system metadata operations in a coroutine (off by default).

    ## What it does
    Reports in an `async def` one operation on one path, a query or a change:
    `os.stat()`/`lstat()`/`access()`/`readlink()`/`statvfs()`, the `os.path` functions
    that touch the disk (`exists()`, `isfile()`, `isdir()`, `getsize()`, `getmtime()`,
    `realpath()`...), the `os` calls that create, remove or rename one entry
    (`makedirs()`, `mkdir()`, `remove()`, `unlink()`, `rename()`, `replace()`,
    `rmdir()`...), and the same `pathlib.Path` methods (`exists()`, `is_file()`,
    `stat()`, `resolve()`, `mkdir()`, `touch()`, `unlink()`, `rename()`...). Home
    Assistant's runtime detector patches `os.stat()`, which the queries call;
    flake8-async's ASYNC240 flags the `os.path` functions, ruff's also the `Path`
    methods; `aiofiles.os` offers awaitable versions of the `os` calls.

    ## Why is this bad?
    Each is a system call that waits for the disk when the metadata is not cached, and
    for the network on NFS or SMB: for that long, nothing else runs on the event loop.
    Applications that run other people's code on one loop (Home Assistant forbids these
    calls in its event loop) want every one of them off the loop.

    This rule is off by default: on a local disk the call usually returns in
    microseconds, and in real projects most of these calls are a check or a clean-up
    next to other work (an `exists()` before reading a configuration file at start-up,
    removing a temporary file), which their maintainers keep on purpose. Enable it
    (`extend-select = ["AIO309"]`) when the loop must never wait for the disk.

    ## Example
    ```python
    import os

    async def record(stream, path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        await stream.save(path)
    ```

    ## Use instead
    ```python
    import asyncio
    import os

    async def record(stream, path):
        await asyncio.to_thread(os.makedirs, os.path.dirname(path), exist_ok=True)
        await stream.save(path)
    ```
    or `await aiofiles.os.makedirs(...)`, `await anyio.Path(path).exists()`.

    ## Known limits
    `Path` methods are recognised on values known to be paths, as for AIO304.
    `os.path.join()`, `normpath()` and `relpath()` compute on strings and are never
    reported, nor are the `PurePath` methods (`with_suffix()`, `parent`, `name`...).
    A function passed rather than called (`await asyncio.to_thread(os.makedirs, p)`)
    is not reported.
    {test code; test modules}
    """

    code = "AIO309"
    name = "blocking-file-metadata"
    default_enabled = False
    summary = "`os.stat`, `os.path.exists`, `os.makedirs`, `os.remove`, `Path.exists`... in a coroutine"
    advice = "use `aiofiles.os`, `anyio.Path` or `await asyncio.to_thread(...)`"
    reported_in_tests = False


class BlockingNetwork(BlockingCall):
    """Checks for blocking sockets, DNS, SMTP, FTP and SSL set-up in a coroutine.

    ## What it does
    Reports in an `async def`: `socket.getaddrinfo()`/`gethostbyname()` and the other
    resolver functions, `socket.create_connection()`, `connect()`/`recv()`/`send*()`/
    `accept()` on a socket created in the same scope, `smtplib.SMTP(host)` and
    `ftplib.FTP(host)` (which connect) and their commands, `ssl.create_default_context()`
    and the `ssl.SSLContext` certificate loading methods.

    ## Why is this bad?
    Name resolution and socket operations wait on the network; loading certificates reads
    the system's CA bundle from disk. The event loop waits with them.

    ## Example
    ```python
    import socket

    async def resolve(host):
        return socket.gethostbyname(host)
    ```

    ## Use instead
    ```python
    import asyncio

    async def resolve(host):
        infos = await asyncio.get_running_loop().getaddrinfo(host, None)
        return infos[0][4][0]
    ```

    ## Known limits
    A socket is recognised when it is created or annotated in the same scope; after
    `sock.setblocking(False)` (or `settimeout(0)`) in that scope its calls return at once
    and are not reported. A socket kept on `self` is not checked (it is often made
    non-blocking in another method). `smtplib.SMTP()` with no host does not connect and is not reported.
    """

    code = "AIO305"
    name = "blocking-network"
    summary = "blocking `socket` calls, DNS lookups, `smtplib`, `ftplib` or SSL certificate loading in a coroutine"
    advice = "use the event loop's non-blocking APIs, or `await asyncio.to_thread(...)`"

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        # Sockets made non-blocking so far, as (scope node, name): their calls return at once.
        self.non_blocking: Set[Tuple[cst.CSTNode, str]] = set()

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if (isinstance(func, cst.Attribute) and func.attr.value in ("setblocking", "settimeout")
                and isinstance(func.value, cst.Name) and len(node.args) == 1 and is_zero(node.args[0].value)):
            self.non_blocking.add((self.context.scope.node, func.value.value))
        super().visit_Call(node)

    def blocks(self, name: str, call: cst.Call) -> bool:
        if name.startswith("socket.socket.") and isinstance(call.func, cst.Attribute):
            # Only a local socket: one kept on `self` is often made non-blocking elsewhere.
            receiver = call.func.value
            if not isinstance(receiver, cst.Name) or (self.context.scope.node, receiver.value) in self.non_blocking:
                return False
        return super().blocks(name, call)


def is_zero(expr: cst.BaseExpression) -> bool:
    """``False``, ``0`` or ``0.0``: what ``setblocking``/``settimeout`` take to make a socket non-blocking."""
    if isinstance(expr, cst.Name):
        return expr.value == "False"
    return isinstance(expr, (cst.Integer, cst.Float)) and float(expr.evaluated_value) == 0


class BlockingDatabase(BlockingCall):
    """Checks for synchronous database drivers used in a coroutine.

    ## What it does
    Reports in an `async def`: `sqlite3.connect()` and queries, commits and fetches on
    `sqlite3` connections and cursors; the same for `psycopg2`, `pymysql` and `MySQLdb`;
    commands on a sync `redis.Redis` client and `pipeline().execute()`.

    ## Why is this bad?
    Each query is a round trip to a server or to the disk, made on the event loop's
    thread; under load every request handler queues behind the slowest query.

    ## Example
    ```python
    import sqlite3

    async def count(db_path):
        conn = sqlite3.connect(db_path)
        return conn.execute("SELECT count(*) FROM users").fetchone()
    ```

    ## Use instead
    ```python
    import aiosqlite

    async def count(db_path):
        async with aiosqlite.connect(db_path) as conn:
            async with conn.execute("SELECT count(*) FROM users") as cursor:
                return await cursor.fetchone()
    ```

    ## Known limits
    Connections and cursors are recognised when created or annotated in the same scope
    (`conn = sqlite3.connect(...)`, `cur = conn.cursor()`, `r: redis.Redis`); one stored on
    `self` is not. A database in memory does no I/O: `sqlite3.connect(":memory:")` (or a
    `file::memory:` URI with `uri=True`) is not reported, nor are the calls on a connection
    or cursor that the same scope gets from it. `aiosqlite`, `asyncpg`, `redis.asyncio` and
    `aiomysql` are never reported.
    """

    code = "AIO306"
    name = "blocking-database"
    summary = "`sqlite3`, `psycopg2`, `pymysql`, `MySQLdb` or sync `redis` in a coroutine"
    advice = "use an async driver, or `await asyncio.to_thread(...)`"

    def blocks(self, name: str, call: cst.Call) -> bool:
        if name == SQLITE_CONNECT and opens_memory_database(call):
            return False  # no file, no server: nothing to wait for
        owner = receiver(call)
        if name.startswith("sqlite3.") and owner is not None and in_memory_sqlite(owner, self.context.scope):
            return False
        return super().blocks(name, call)


class NestedEventLoop(BlockingCall):
    """Checks for an event loop started inside a coroutine.

    ## What it does
    Reports `asyncio.run()` and `loop.run_until_complete()`/`run_forever()` in an
    `async def`.

    ## Why is this bad?
    A coroutine already runs in an event loop. `asyncio.run()` there raises
    `RuntimeError: asyncio.run() cannot be called from a running event loop`, and
    `run_until_complete()` on the running loop raises `This event loop is already running`;
    on a second loop it blocks the first for as long as the second runs.

    ## Example
    ```python
    import asyncio
    from aiohttp import web

    async def handler(request):
        data = asyncio.run(fetch_data())
        return web.json_response(data)
    ```

    ## Use instead
    ```python
    from aiohttp import web

    async def handler(request):
        data = await fetch_data()
        return web.json_response(data)
    ```

    ## Known limits
    `run_until_complete()` is recognised on loops obtained in the same scope
    (`asyncio.get_event_loop()`, `new_event_loop()`, a parameter annotated
    `asyncio.AbstractEventLoop`); `self.loop` is not.
    """

    code = "AIO307"
    name = "nested-event-loop"
    summary = "`asyncio.run()` or `loop.run_until_complete()` in a coroutine"
    message = "`{call}()` in a coroutine starts an event loop inside the running one; {advice}."
    advice = "`await` the coroutine instead"


class BlockingInput(BlockingCall):
    """Checks for `input()` in a coroutine.

    ## What it does
    Reports `input()` and `getpass.getpass()` in an `async def`.

    ## Why is this bad?
    Waiting for a human to type stops the event loop: no connection is served, no
    heartbeat sent, until the user presses Enter.

    ## Example
    ```python
    async def main(client):
        while True:
            line = input("> ")
            await client.send(line)
    ```

    ## Use instead
    ```python
    import asyncio

    async def main(client):
        while True:
            line = await asyncio.to_thread(input, "> ")
            await client.send(line)
    ```

    ## Known limits
    Reading `sys.stdin` directly is not reported.
    """

    code = "AIO308"
    name = "blocking-input"
    summary = "`input()` in a coroutine waits for the user with the event loop stopped"
    advice = "call it through `await asyncio.to_thread(...)`, or before the loop starts"
