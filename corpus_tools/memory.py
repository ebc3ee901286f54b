"""Handing memory the process has freed back to the operating system.

glibc keeps memory that Python frees for reuse by the same process instead of returning it, so
a long computation's resident size is the sum of its temporary peaks, not what it holds:
:func:`release_freed_memory` runs ``malloc_trim(0)`` (the same trim Dask's workers use for
"unmanaged memory") and asks Arrow's memory pool, which holds pandas' string columns, to release
its unused pages as well. It is called after every cell of a report notebook
(:func:`corpus_tools.reports.notebook.trim_memory_after_cells`) and inside the few analyses that
free gigabytes half-way (:func:`corpus_tools.compare.shared_passages`).

How much memory is there to use: :func:`available_memory_mb`, what the machine has available,
capped by the limit of the container (cgroup) the process runs in, which the machine's figures
do not show; and how much a process holds: :func:`resident_mb`. The report command plans its
notebooks by both.
"""

from __future__ import annotations

import ctypes
import functools
import sys
from collections.abc import Callable
from pathlib import Path

__all__ = ["available_memory_mb", "can_release_memory", "release_freed_memory", "resident_mb"]

#: Where Linux shows the process's control groups; the memory controller's files are read from it.
CGROUP_ROOT = Path("/sys/fs/cgroup")


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


def _read_bytes(path: Path) -> int | None:
    """The whole number in a cgroup file, or None when it is missing, unreadable or ``max``."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def _cgroup_room(root: Path) -> int | None:
    """Bytes the container's memory limit leaves: the limit less what the group uses; None without a limit.

    cgroup v2 (``memory.max``, ``memory.current``) first, then v1 (``memory/memory.limit_in_bytes``,
    ``memory/memory.usage_in_bytes``; v1 writes an absurdly large number when there is no limit).
    """
    for limit_file, usage_file in (("memory.max", "memory.current"),
                                   ("memory/memory.limit_in_bytes", "memory/memory.usage_in_bytes")):
        limit, usage = _read_bytes(root / limit_file), _read_bytes(root / usage_file)
        if limit is not None and usage is not None and limit < 2**60:
            return max(limit - usage, 0)
    return None


def available_memory_mb(*, cgroup_root: Path = CGROUP_ROOT) -> float:
    """Memory, in MB of 2**20 bytes, that new processes could use now without swapping.

    The machine's available memory (psutil's ``virtual_memory().available``: free memory plus
    what the page cache can give back), or less when the process runs in a container whose
    memory limit leaves less (a Docker ``--memory`` limit, a Kubernetes pod's, a batch job's
    allocation on a cluster): processes there are killed at the limit, whatever the machine has.
    """
    import psutil

    available = psutil.virtual_memory().available
    room = _cgroup_room(cgroup_root)
    return min(available, room if room is not None else available) / 2**20


def resident_mb(pid: int | None = None, *, children: bool = False) -> float | None:
    """Resident memory (RSS), in MB of 2**20 bytes, of a process and, with `children`, its descendants.

    Parameters
    ----------
    pid : int, optional
        The process; default this one.
    children : bool, default False
        Add every descendant's (a kernel's worker pools). Pages a forked child still shares
        with its parent count in both, so the sum can exceed what the tree holds.

    Returns
    -------
    float or None
        None when the process has ended; a descendant that ends while it is read counts 0.
    """
    import psutil

    try:
        process = psutil.Process(pid)
        members = [process, *process.children(recursive=True)] if children else [process]
        total = process.memory_info().rss
    except psutil.Error:
        return None
    for member in members[1:]:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue
    return total / 2**20
