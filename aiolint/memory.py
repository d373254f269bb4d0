"""Memory a run has freed, given back to the system.

LibCST's parser (native code) and the texts of files allocate in the C library's heap. When they
free it, glibc keeps the pages for its own later use, while Python's small objects, which are most
of what a run allocates, come from arenas of their own and never reuse them: after a large file, a
run would stay as large as that file made it. ``malloc_trim`` returns those pages; elsewhere than
glibc there is nothing to call, and nothing is done.
"""
from __future__ import annotations

import functools
from typing import Callable, Optional

# A text at least this large frees enough, once parsed or read, to be worth giving back (a call costs about
# a millisecond; a corpus of 4,000 files holds some fifty such files).
LARGE_TEXT = 64 * 1024


@functools.lru_cache(maxsize=None)
def _malloc_trim() -> Optional[Callable[[int], int]]:
    import ctypes  # only once a run has something to give back

    try:
        return ctypes.CDLL(None).malloc_trim  # type: ignore[no-any-return]
    except (AttributeError, OSError, TypeError):  # not glibc (TypeError: Windows has no process library)
        return None


def give_back_freed_memory() -> None:
    """Return the C library's free pages to the system."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
