"""Handing memory the process has freed back to the operating system.

glibc keeps memory that Python frees for reuse by the same process instead of returning it, so
a long computation's resident size is the sum of its temporary peaks, not what it holds:
:func:`release_freed_memory` runs ``malloc_trim(0)`` (the same trim Dask's workers use for
"unmanaged memory") and asks Arrow's memory pool, which holds pandas' string columns, to release
its unused pages as well. It is called after every cell of a report notebook
(:func:`corpus_tools.reports.notebook.trim_memory_after_cells`) and inside the few analyses that
free gigabytes half-way (:func:`corpus_tools.compare.shared_passages`).

How much memory is there to use: :func:`available_memory_mb`, what the machine has available,
capped by any memory limit on the control group the process runs in or one above it (a
container's, a systemd unit's, a batch job's), which the machine's figures do not show; and how
much a process holds: :func:`resident_mb`. The report command plans its notebooks by both.
"""

from __future__ import annotations

import ctypes
import functools
import sys
from collections.abc import Callable
from pathlib import Path

__all__ = ["available_memory_mb", "can_release_memory", "release_freed_memory", "resident_mb"]

#: Where Linux shows the control groups; the memory controller's files are read from it.
CGROUP_ROOT = Path("/sys/fs/cgroup")
#: Which control groups this process is in (one line per hierarchy: ``id:controllers:path``).
PROC_CGROUP = Path("/proc/self/cgroup")
#: cgroup v1 writes a number near 2**63 as the limit of a group without one.
_NO_LIMIT = 2**60


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


def _memory_groups(root: Path, proc_cgroup: Path) -> list[tuple[Path, str, str]]:
    """This process's memory cgroup folders, its own first, then each ancestor's up to `root`.

    Each with the names of its limit and usage files: cgroup v2 (``memory.max``,
    ``memory.current``; the ``0::`` line) and v1 (``memory.limit_in_bytes``,
    ``memory.usage_in_bytes`` under ``memory/``). A limit on any ancestor binds the process too.
    Inside a container the process's own group is usually the root the container sees.
    """
    try:
        lines = proc_cgroup.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = ["0::/"]
    groups: list[tuple[Path, str, str]] = []
    for line in lines:
        _, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        if controllers == "":
            base, files = root, ("memory.max", "memory.current")
        elif "memory" in controllers.split(","):
            base, files = root / "memory", ("memory.limit_in_bytes", "memory.usage_in_bytes")
        else:
            continue
        folder = base / path.strip("/")
        while True:
            groups.append((folder, *files))
            if folder == base or base not in folder.parents:
                break
            folder = folder.parent
    return groups


def _cgroup_room(root: Path, proc_cgroup: Path) -> int | None:
    """Bytes the tightest memory limit over this process's cgroups leaves (limit less usage); None without one."""
    rooms = []
    for folder, limit_file, usage_file in _memory_groups(root, proc_cgroup):
        limit, usage = _read_bytes(folder / limit_file), _read_bytes(folder / usage_file)
        if limit is not None and usage is not None and limit < _NO_LIMIT:
            rooms.append(max(limit - usage, 0))
    return min(rooms, default=None)


def available_memory_mb(*, cgroup_root: Path = CGROUP_ROOT, proc_cgroup: Path = PROC_CGROUP) -> float:
    """Memory, in MB of 2**20 bytes, that new processes could use now without swapping.

    The machine's available memory (psutil's ``virtual_memory().available``: free memory plus
    what the page cache can give back), or less when a memory limit on the process's control
    group, or on a group above it, leaves less: a Docker ``--memory`` limit, a Kubernetes pod's,
    a systemd ``MemoryMax``, a batch job's allocation on a cluster. Processes there are killed at
    the limit, whatever the machine has. `cgroup_root` and `proc_cgroup` are where to read
    (for tests).
    """
    import psutil

    available = psutil.virtual_memory().available
    room = _cgroup_room(cgroup_root, proc_cgroup)
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
