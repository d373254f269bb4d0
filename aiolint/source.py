"""Source bytes -> text, per PEP 263: kept apart from the engine so that reporters
showing source lines do not import LibCST."""

from __future__ import annotations

import io
import os
import stat
import tokenize
from typing import Optional, Tuple


class DecodeError(Exception):
    pass


# What a path that is not a regular file is, for the message that says it was not read.
_FILE_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
               (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a directory"))


class NotRegularFile(OSError):
    """The path is a FIFO, a socket, a device or a directory: it is not opened for reading."""


def file_kind(mode: int) -> str:
    return next((kind for test, kind in _FILE_KINDS if test(mode)), "not a regular file")


class FileTooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def read_source(path: str, max_bytes: Optional[int] = None) -> bytes:
    """A regular file's bytes. Anything else is not read (reading a FIFO waits for a writer, forever;
    a device may never end): NotRegularFile says what it is. A file over ``max_bytes`` is not read
    either (FileTooLarge)."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise NotRegularFile(f"it is {file_kind(mode)}, not a regular file")
    # Non-blocking, in case it became a FIFO since: opening one for reading would wait for a writer.
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with open(descriptor, "rb") as handle:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(f"it is {file_kind(mode)}, not a regular file")
        size = os.fstat(descriptor).st_size
        if max_bytes is not None and size > max_bytes:
            raise FileTooLarge(size)
        # A buffer of the file's size and a byte more (to see whether it grew since), not of the limit's: a read
        # of ``max_bytes`` allocates them all, 8 MB for every file.
        data = handle.read(size + 1)
        if len(data) > size:  # it grew since: the rest, up to the limit
            data += handle.read() if max_bytes is None else handle.read(max_bytes + 1 - len(data))
        if max_bytes is not None and len(data) > max_bytes:
            raise FileTooLarge(len(data))
        return data


def decode(data: bytes) -> str:
    """Decode source bytes per PEP 263 (BOM, then an encoding cookie, else UTF-8)."""
    return decode_with_encoding(data)[0]


def decode_with_encoding(data: bytes) -> Tuple[str, str]:
    """The text and the encoding it was read with (``utf-8-sig`` with a BOM), so that a fix can write it back alike."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding), encoding
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        raise DecodeError(str(exc)) from exc
