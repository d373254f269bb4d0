"""Source bytes -> text, per PEP 263: kept apart from the engine so that reporters
showing source lines do not import LibCST."""

from __future__ import annotations

import io
import tokenize


class DecodeError(Exception):
    pass


def decode(data: bytes) -> str:
    """Decode source bytes per PEP 263 (BOM, then an encoding cookie, else UTF-8)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        raise DecodeError(str(exc)) from exc
