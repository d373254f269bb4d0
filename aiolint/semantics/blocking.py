"""The blocking-call table: qualified name -> (code, what to use instead).

Data, and the few exceptions to it; the AIO3xx rules read it. A name is the one
``callee_name`` gives: module functions (``time.sleep``), builtins (``builtins.open``)
and methods of objects whose type is known (``pathlib.Path.read_text``,
``sqlite3.Cursor.execute``). Only calls that really block on I/O or a child process
are listed: constructors that do not connect (``requests.Session()``, ``redis.Redis()``)
are left out, and their request methods listed instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, Optional

import libcst as cst

from .names import qualified_name
from .scope import Scope


@dataclass(frozen=True)
class Blocking:
    code: str
    advice: str  # what to do instead, completing "`x()` blocks the event loop; ..."


BLOCKING_CALLS: Dict[str, Blocking] = {}


def _add(code: str, advice: str, names: Iterable[str]) -> None:
    for name in names:
        assert name not in BLOCKING_CALLS, name
        BLOCKING_CALLS[name] = Blocking(code, advice)


def _methods(classes: Iterable[str], methods: str) -> Iterable[str]:
    return [f"{cls}.{method}" for cls in classes for method in methods.split()]


def _functions(module: str, functions: str) -> Iterable[str]:
    return _methods([module], functions)


# -- AIO301 blocking-sleep ------------------------------------------------------
_add("AIO301", "use `await asyncio.sleep()`", ["time.sleep"])

# -- AIO302 blocking-http (Home Assistant patches http.client, which all of these use)
_REQUEST = "get post put patch delete head options request"
_add("AIO302", "use the aiohttp session (or `httpx.AsyncClient`)", [
    *_functions("requests", _REQUEST),
    *_methods(["requests.Session"], _REQUEST + " send"),
    *_functions("httpx", _REQUEST + " stream"),
    *_methods(["httpx.Client"], _REQUEST + " stream send"),
    *_functions("urllib.request", "urlopen urlretrieve"),
    *_methods(["urllib.request.OpenerDirector"], "open"),
    *_methods(["http.client.HTTPConnection", "http.client.HTTPSConnection"],
              "connect request putrequest endheaders send getresponse"),
    "urllib3.request",
    *_methods(["urllib3.PoolManager", "urllib3.ProxyManager"],
              "request urlopen request_encode_url request_encode_body"),
    *_methods(["urllib3.HTTPConnectionPool", "urllib3.HTTPSConnectionPool"], "request urlopen"),
])

# -- AIO303 blocking-subprocess ------------------------------------------------
_add("AIO303", "use `asyncio.create_subprocess_exec()`", [
    *_functions("subprocess", "run call check_call check_output Popen"),
    *_methods(["subprocess.Popen"], "wait communicate"),
    *_functions("os", "spawnl spawnle spawnlp spawnlpe spawnv spawnve spawnvp spawnvpe"),
])
_add("AIO303", "use `asyncio.create_subprocess_shell()`", [
    *_functions("subprocess", "getoutput getstatusoutput"),
    *_functions("os", "system popen"),
])
_add("AIO303", "use `asyncio.create_subprocess_exec()` and `await process.wait()`",
     _functions("os", "wait waitpid wait3 wait4 waitid"))

# -- AIO304 blocking-file-io: reading or writing a file's contents, listing or copying directories,
# importing: the time they take grows with the data (what Home Assistant's runtime detector patches, and more)
_FILE_ADVICE = "use `aiofiles`, `anyio.Path` or `await asyncio.to_thread(...)`"
_add("AIO304", _FILE_ADVICE, [
    "builtins.open", "io.open",
    *_methods(["pathlib.Path"], "open read_text read_bytes write_text write_bytes iterdir glob rglob"),
    *_functions("glob", "glob iglob"),
    *_functions("os", "walk listdir scandir"),
    *_functions("shutil", "copy copy2 copyfile copyfileobj copytree move rmtree"),
])
_add("AIO304", "import at module level, or in `await asyncio.to_thread(...)`", ["importlib.import_module"])
# - flake8-async's ASYNC230 and ASYNC231: `io.open_code()` and `os.fdopen()` open files.
_add("AIO304", _FILE_ADVICE, ["io.open_code", "os.fdopen"])

# -- AIO309 blocking-file-metadata: one metadata operation on one path (a query, or creating, removing
# or renaming one entry): one system call, short unless the disk or network file system is slow.
# Each from where it is listed:
# - Home Assistant's detector (homeassistant/block_async_io.py) patches `os.stat`, and so catches at
#   run time every `os.path` function and `Path` method that calls it;
_OS_ADVICE = "use `aiofiles.os` or `await asyncio.to_thread(...)`"
_add("AIO309", _OS_ADVICE, ["os.stat"])
# - flake8-async's ASYNC240 lists the `os.path` functions that touch the disk (it also lists
#   `normpath` and `relpath`, which compute on strings, and the cwd at most: left out here);
_add("AIO309", "use `aiofiles.os.path` or `await asyncio.to_thread(...)`", _functions(
    "os.path", "exists lexists isfile isdir islink ismount getsize getatime getmtime getctime "
               "samefile sameopenfile realpath"))
# - ruff's ASYNC240 adds the `pathlib.Path` methods that touch the disk (`anyio.Path` has them awaitable);
_add("AIO309", "use `anyio.Path` or `await asyncio.to_thread(...)`", _methods(["pathlib.Path"], (
    "exists is_file is_dir is_symlink is_mount stat lstat owner group readlink resolve samefile "
    "touch mkdir chmod unlink rename replace rmdir symlink_to hardlink_to")))
# - neither list has the `os` calls that change the file system, which block as `os.stat` does:
#   these are the ones `aiofiles.os` offers awaitable versions of.
_add("AIO309", _OS_ADVICE, _functions(
    "os", "makedirs mkdir remove unlink rename renames replace rmdir removedirs link symlink readlink "
          "lstat statvfs access"))

# -- AIO305 blocking-network ---------------------------------------------------
_add("AIO305", "use `await loop.getaddrinfo()` (or let aiohttp resolve it)",
     _functions("socket", "getaddrinfo gethostbyname gethostbyname_ex gethostbyaddr getnameinfo getfqdn"))
_add("AIO305", "use `asyncio.open_connection()` or the loop's `sock_*` methods", [
    "socket.create_connection",
    *_methods(["socket.socket"], "connect recv recv_into recvfrom recvfrom_into recvmsg "
                                 "send sendall sendto sendmsg sendfile accept"),
])
_add("AIO305", "use `aiosmtplib`, or run it in `await asyncio.to_thread(...)`", [
    "smtplib.SMTP", "smtplib.SMTP_SSL", "smtplib.LMTP",
    *_methods(["smtplib.SMTP", "smtplib.SMTP_SSL", "smtplib.LMTP"],
              "connect login starttls ehlo helo sendmail send_message quit"),
])
_add("AIO305", "use `aioftp`, or run it in `await asyncio.to_thread(...)`", [
    "ftplib.FTP", "ftplib.FTP_TLS",
    *_methods(["ftplib.FTP", "ftplib.FTP_TLS"],
              "connect login cwd nlst dir mlsd retrbinary retrlines storbinary storlines quit"),
])
_add("AIO305", "build the SSL context once at start-up, or in `await asyncio.to_thread(...)`", [
    "ssl.create_default_context", "ssl.get_server_certificate",
    *_methods(["ssl.SSLContext"],
              "load_default_certs load_verify_locations load_cert_chain set_default_verify_paths"),
])

# -- AIO306 blocking-database --------------------------------------------------
_add("AIO306", "use `aiosqlite`", [
    "sqlite3.connect",
    *_methods(["sqlite3.Connection"], "execute executemany executescript commit rollback backup"),
    *_methods(["sqlite3.Cursor"], "execute executemany executescript fetchone fetchmany fetchall"),
])
_add("AIO306", "use `asyncpg` or psycopg 3's async connection", [
    "psycopg2.connect",
    *_methods(["psycopg2.extensions.connection"], "commit rollback"),
    *_methods(["psycopg2.extensions.cursor"], "execute executemany callproc copy_from copy_to copy_expert"),
])
_add("AIO306", "use `aiomysql` or `asyncmy`", [
    "pymysql.connect", "pymysql.Connect", "MySQLdb.connect", "MySQLdb.Connect",
    *_methods(["pymysql.connections.Connection", "MySQLdb.connections.Connection"],
              "commit rollback ping query select_db"),
    *_methods(["pymysql.cursors.Cursor", "MySQLdb.cursors.Cursor"], "execute executemany callproc"),
])
_add("AIO306", "use `redis.asyncio`", [
    *_methods(["redis.Redis"],
              "execute_command ping get set setex setnx getset mget mset delete exists expire ttl "
              "incr incrby decr decrby keys scan publish "
              "hget hset hmget hmset hgetall hdel hexists hincrby hkeys hvals hlen "
              "lpush rpush lpop rpop blpop brpop lrange llen ltrim "
              "sadd srem smembers sismember scard zadd zrem zrange zrangebyscore zrevrange zscore zcard "
              "xadd xread xrange flushdb"),
    *_methods(["redis.client.Pipeline"], "execute"),
])

# -- AIO307 nested-event-loop --------------------------------------------------
_add("AIO307", "`await` the coroutine instead", [
    "asyncio.run",
    *_methods(["asyncio.AbstractEventLoop"], "run_until_complete run_forever"),
])

# -- AIO308 blocking-input -----------------------------------------------------
_add("AIO308", "call it through `await asyncio.to_thread(...)`, or before the loop starts",
     ["builtins.input", "getpass.getpass"])


# Calls that do not block when one of their arguments mentions one of these names:
# ``os.waitpid(pid, os.WNOHANG)`` polls, ``os.spawnv(os.P_NOWAIT, ...)`` returns at once.
_NO_WAIT_SPAWN = frozenset({"os.P_NOWAIT", "os.P_NOWAITO", "os.P_DETACH"})
NON_BLOCKING_WITH: Dict[str, FrozenSet[str]] = {
    **{name: frozenset({"os.WNOHANG"}) for name in _functions("os", "waitpid wait3 wait4 waitid")},
    **{name: _NO_WAIT_SPAWN for name in _functions("os", "spawnl spawnle spawnlp spawnlpe spawnv spawnve spawnvp spawnvpe")},
}

# Constructors that connect only when given a host: ``smtplib.SMTP()`` does not.
BLOCKS_WITH_ARGUMENTS = frozenset({"smtplib.SMTP", "smtplib.SMTP_SSL", "smtplib.LMTP", "ftplib.FTP", "ftplib.FTP_TLS"})


# An SQLite database in memory does no I/O: connecting to it and querying it only compute.
SQLITE_CONNECT = "sqlite3.connect"
SQLITE_MEMORY = ":memory:"
SQLITE_MEMORY_URI = "file::memory:"  # with uri=True; "?cache=shared" may follow
SQLITE_RESULTS = frozenset({"cursor", "execute", "executemany", "executescript"})  # what hands on the connection


def opens_memory_database(call: cst.Call) -> bool:
    """``sqlite3.connect(":memory:")``, or ``connect("file::memory:?cache=shared", uri=True)``."""
    database = next((arg.value for arg in call.args if arg.keyword is None and not arg.star), None)
    database = next((arg.value for arg in call.args if arg.keyword is not None and arg.keyword.value == "database"),
                    database)
    if not isinstance(database, cst.SimpleString):
        return False
    text = database.evaluated_value
    if text == SQLITE_MEMORY:
        return True
    uri = any(arg.keyword is not None and arg.keyword.value == "uri"
              and isinstance(arg.value, cst.Name) and arg.value.value == "True" for arg in call.args)
    return uri and isinstance(text, str) and text.startswith(SQLITE_MEMORY_URI)


def in_memory_sqlite(expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> bool:
    """``expr`` is an SQLite connection or cursor of a database in memory: ``sqlite3.connect(":memory:")``,
    a name every binding of which (in this scope) is one, or its ``cursor()`` / ``execute()``."""
    if depth > 8:
        return False
    if isinstance(expr, cst.Call):
        if qualified_name(expr.func, scope) == SQLITE_CONNECT:
            return opens_memory_database(expr)
        func = expr.func
        return (isinstance(func, cst.Attribute) and func.attr.value in SQLITE_RESULTS
                and in_memory_sqlite(func.value, scope, depth + 1))
    if isinstance(expr, cst.Name):
        bindings = scope.lookup(expr.value)
        return bool(bindings) and all(binding.kind in ("assign", "annotation", "with") and binding.value is not None
                                      and in_memory_sqlite(binding.value, scope, depth + 1) for binding in bindings)
    return False


def receiver(call: cst.Call) -> Optional[cst.BaseExpression]:
    """``conn.execute(...)`` -> ``conn``."""
    return call.func.value if isinstance(call.func, cst.Attribute) else None


def calls_for(code: str) -> Dict[str, str]:
    """qualified name -> advice, the table's entries for one code."""
    return {name: entry.advice for name, entry in BLOCKING_CALLS.items() if entry.code == code}


def trigger_word(name: str) -> str:
    """The word a file must contain to call ``name``: its module, or a builtin's own name."""
    head, _, rest = name.partition(".")
    return rest.partition(".")[0] if head == "builtins" else head


def method_trigger(name: str) -> Optional[str]:
    """``.read_text(`` for a method of a class (``pathlib.Path.read_text``): the object it is called on
    may be made in another module, so the file need not name the class's module. None for a function."""
    owner, _, method = name.rpartition(".")
    last = owner.rpartition(".")[2]
    return f".{method}(" if last[:1].isupper() or owner == "socket.socket" else None


def called_name(name: str) -> str:
    """The attribute or name written at the call site: ``pathlib.Path.read_text`` -> ``read_text``."""
    return name.rpartition(".")[2]
