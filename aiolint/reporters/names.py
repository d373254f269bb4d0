"""File names as each output format can carry them.

A POSIX file name is bytes: it need not be UTF-8 (Python holds the bytes that are not
as lone surrogates, which no UTF-8 writer and no valid JSON accepts), and it may hold a
newline, which would split a one-line-per-finding format, or an escape sequence, which
would drive the terminal. Ordinary names are written as they are.
"""

from __future__ import annotations

import os
import re
from typing import Any, Dict

from ..diagnostics import Diagnostic

# Control characters, and the lone surrogates that stand for bytes that are not UTF-8.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\udc80-\udcff]")
_C_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\", '"': '\\"'}


def raw_bytes(path: str) -> bytes:
    """The name's bytes, as the file system holds them."""
    return os.fsencode(path)


def json_path(path: str) -> str:
    """Valid Unicode: a byte that is not UTF-8 becomes ``\\xNN`` (Python's ``backslashreplace``)."""
    if not _UNPRINTABLE.search(path):
        return path
    return raw_bytes(path).decode("utf-8", "backslashreplace")


def quoted_path(path: str) -> str:
    """One line of printable text: a name with a control character or a byte that is not UTF-8 is
    written in double quotes with C escapes (``"new\\nline.py"``, ``"caf\\xe9.py"``), as git quotes
    such names; any other name as it is."""
    if not _UNPRINTABLE.search(path):
        return path
    out = []
    for char in path:
        if "\udc80" <= char <= "\udcff":  # a byte that is not UTF-8
            out.append(f"\\x{ord(char) - 0xdc00:02x}")
        elif char in _C_ESCAPES:
            out.append(_C_ESCAPES[char])
        elif char < " " or char == "\x7f":
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def as_json(diagnostic: Diagnostic) -> Dict[str, Any]:
    """A diagnostic as the JSON formats write it: its path as valid Unicode."""
    data = diagnostic.to_dict()
    data["path"] = json_path(data["path"])
    return data
