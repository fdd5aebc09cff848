"""The cyclic garbage collector around work over a loaded project.

A workspace of 1,000 briefings holds a few hundred thousand long-lived objects (the fact
base, the index's states). Every collection of the oldest generation walks all of them
again, and evaluating or building allocates enough to trigger many: at 1,000 briefings the
collector took more time than reading the states. :func:`frozen` moves what exists when the
work starts out of the collector's sight (``gc.freeze``) and gives it back after
(``gc.unfreeze``), so that nothing is kept alive for good in a long-running ``serve`` or
``watch``; what the work itself allocates is collected as usual.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()
_DEPTH = 0


@contextmanager
def frozen() -> Iterator[None]:
    global _DEPTH
    with _LOCK:
        if _DEPTH == 0:
            gc.freeze()
        _DEPTH += 1
    try:
        yield
    finally:
        with _LOCK:
            _DEPTH -= 1
            if _DEPTH == 0:
                gc.unfreeze()


_PAUSES = 0
_WAS_ENABLED = True


@contextmanager
def paused() -> Iterator[None]:
    """The collector off while a burst of long-lived objects is made (loading a project,
    decoding an index), and back as it was after; safe when threads nest it."""
    global _PAUSES, _WAS_ENABLED
    with _LOCK:
        if _PAUSES == 0:
            _WAS_ENABLED = gc.isenabled()
            gc.disable()
        _PAUSES += 1
    try:
        yield
    finally:
        with _LOCK:
            _PAUSES -= 1
            if _PAUSES == 0 and _WAS_ENABLED:
                gc.enable()
