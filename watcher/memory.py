"""Give freed heap memory back to the OS (glibc), so a long-running daemon's RSS shows what it uses."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from collections.abc import Callable

log = logging.getLogger("watcher.memory")


def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # musl, macOS: no malloc_trim, nothing to do
        return None
    return trim


_TRIM = _malloc_trim()


def release_free_memory() -> None:
    """Return free heap pages to the OS; a no-op where the C library has no `malloc_trim`.

    glibc keeps freed memory (the ONNX model bytes parsed at load, per-thread arenas) mapped; after
    loading and then once a minute that is 15-40 MB of RSS nobody uses (docs/performance.md).
    """
    if _TRIM is not None:
        _TRIM(0)
