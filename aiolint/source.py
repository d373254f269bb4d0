"""Source bytes -> text, per PEP 263: kept apart from the engine so that reporters
showing source lines do not import LibCST."""

from __future__ import annotations

import io
import tokenize
from typing import Tuple


class DecodeError(Exception):
    pass


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
