"""Handing memory the process has freed back to the operating system.

glibc keeps memory that Python frees for reuse by the same process instead of returning it, so
a long computation's resident size is the sum of its temporary peaks, not what it holds:
:func:`release_freed_memory` runs ``malloc_trim(0)`` (the same trim Dask's workers use for
"unmanaged memory") and asks Arrow's memory pool, which holds pandas' string columns, to release
its unused pages as well. It is called after every cell of a report notebook
(:func:`corpus_tools.reports.notebook.trim_memory_after_cells`) and inside the few analyses that
free gigabytes half-way (:func:`corpus_tools.compare.shared_passages`).
"""

from __future__ import annotations

import ctypes
import functools
import sys
from collections.abc import Callable

__all__ = ["can_release_memory", "release_freed_memory"]


@functools.lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[], int] | None:
    """glibc's ``malloc_trim(0)``, or None where the C library has none (macOS, musl, Windows)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return lambda: trim(0)


def can_release_memory() -> bool:
    """Whether :func:`release_freed_memory` can hand memory back here (glibc's ``malloc_trim``)."""
    return _malloc_trim() is not None


def release_freed_memory() -> None:
    """Return the heap memory this process has freed to the operating system; a no-op without glibc.

    Takes milliseconds on a heap of a few GB. Arrow's pool is only asked when pyarrow is
    already imported.
    """
    arrow = sys.modules.get("pyarrow")
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim()
