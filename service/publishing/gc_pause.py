"""Pause Python's cyclic garbage collector while a bulk request builds its (large, acyclic) working set.

A 2,000-item bulk publish allocates hundreds of thousands of containers (parsed documents, canonical
schemas, ORM states) that all survive until the response. Each allocation burst triggers the collector,
which scans them again and again: measured, that was half of the CPU time of a bulk publish. Reference
counting still frees everything as usual while paused; cycles wait for the next collection. The pause is
process-wide, so it is counted: the collector resumes when the last concurrent bulk request ends, and
only if it was enabled before.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

BULK_THRESHOLD = 100
"""Requests with fewer items than this do not pause the collector (it would not pay off)."""

_lock = threading.Lock()
_active = 0
_resume = False


@contextlib.contextmanager
def gc_paused(items: int) -> Iterator[None]:
    """Pause automatic garbage collection for a block that handles ``items`` items (when many)."""
    global _active, _resume
    if items < BULK_THRESHOLD:
        yield
        return
    with _lock:
        if _active == 0:
            _resume = gc.isenabled()
            gc.disable()
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _resume:
                gc.enable()
