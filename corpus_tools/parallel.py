"""Worker processes for per-document work: how many, how started, in what batches.

Cleaning (:func:`corpus_tools.corpus.read_corpus`), segmentation
(:func:`corpus_tools.tokens.segment_texts`), :func:`corpus_tools.streaming.stream.stream_dtm`
and :func:`corpus_tools.streaming.dask.dask_dtm` share these rules, so that ``n_jobs`` means the
same everywhere; :func:`n_workers` states the rule.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

import numpy as np

from .compat import renamed_parameters

__all__ = ["available_cores", "batches_by_size", "exit_with_parent", "mp_context", "n_workers", "worker_pool"]

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_PARENT_POLL_SECONDS = 1.0

T = TypeVar("T")


def available_cores() -> int:
    """The number of cores this process may run on (its CPU affinity, where the OS tells)."""
    if hasattr(os, "sched_getaffinity"):
        return max(len(os.sched_getaffinity(0)), 1)
    return max(os.cpu_count() or 1, 1)


def mp_context() -> multiprocessing.context.BaseContext:
    """The start method for workers: ``fork`` where it is safe, else ``spawn``.

    fork hands what this process has built (a segmenter, the gazetteer) to the workers for
    free. Forking a process that runs other threads (a Jupyter kernel, a progress monitor) can
    copy a lock some thread holds, so then the workers start clean and rebuild what they need.
    """
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def n_workers(n_jobs: int | None, size: int, threshold: int | None) -> int:
    """Resolve ``n_jobs`` to a number of processes: the one meaning of ``n_jobs`` in the package.

    Parameters
    ----------
    n_jobs : int or None
        ``None``: decide by size, every core when ``size >= threshold``, else 1. ``-1``: every
        core this process may use (:func:`available_cores`). A positive integer: that many.
    size : int
        The size of the job (characters to process).
    threshold : int or None
        The size from which ``n_jobs=None`` goes parallel. ``None``: never, for work whose
        size is not known before it starts (``stream_dtm`` reads its source as it goes, so it
        stays in one process unless asked). ``0``: always, where asking for the function is
        asking for parallel work (``dask_dtm``'s local cluster).

    Returns
    -------
    int
        Processes to start (1: work in this process).

    Raises
    ------
    TypeError, ValueError
        If ``n_jobs`` is not ``None``, ``-1`` or a positive integer.

    Notes
    -----
    Below the threshold, starting worker processes (each loads the segmenter or the gazetteer)
    costs more than it saves; the functions that take ``n_jobs`` set their threshold from
    measurements (``benchmarks/pipeline_speed.py``).

    Examples
    --------
    >>> n_workers(None, 1_000, 2_000_000), n_workers(3, 1_000, 2_000_000), n_workers(None, 0, None)
    (1, 3, 1)
    >>> n_workers(None, 0, 0) == n_workers(-1, 0, None) == available_cores()
    True
    """
    if n_jobs is None:
        return available_cores() if threshold is not None and size >= threshold else 1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)):
        raise TypeError(f"n_jobs must be None or an integer, got {n_jobs!r}")
    if n_jobs == -1:
        return available_cores()
    if n_jobs < 1:
        raise ValueError(f"n_jobs must be None, -1 or a positive integer, got {n_jobs}")
    return int(n_jobs)


def batches_by_size(items: Sequence[T], sizes: Sequence[int], batch_size: int) -> list[list[T]]:
    """Cut ``items`` into consecutive batches whose sizes add up to at least ``batch_size``.

    The last batch may be smaller. Order is kept, so results can be joined back in order.
    """
    batches: list[list[T]] = []
    current: list[T] = []
    total = 0
    for item, size in zip(items, sizes):
        current.append(item)
        total += size
        if total >= batch_size:
            batches.append(current)
            current, total = [], 0
    if current:
        batches.append(current)
    return batches


def exit_with_parent(parent_pid: int) -> None:
    """End this worker process as soon as ``parent_pid`` (the process that started it) dies.

    A process-pool initializer. Without it, a parent killed with ``kill -9`` (or by the
    out-of-memory killer) leaves its workers blocked forever on a queue that nobody will
    write to again, each holding its segmenter's memory: every worker holds both ends of
    the pool's pipes, so none of them ever sees end-of-file.

    Parameters
    ----------
    parent_pid : int
        ``os.getpid()`` of the process creating the pool.

    Notes
    -----
    On Linux the kernel sends the worker SIGKILL when the thread that started it ends
    (``prctl(PR_SET_PDEATHSIG)``); pools here are created and used within one call on one
    thread, so that thread ends only with the process or after the pool is shut down.
    Elsewhere, and as a second line on Linux, a daemon thread checks every second whether the
    worker has been handed to another parent.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # no prctl (another libc): the watchdog below still works
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(_PARENT_POLL_SECONDS)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _start_worker(parent_pid: int, initializer, initargs: tuple) -> None:
    exit_with_parent(parent_pid)
    if initializer is not None:
        initializer(*initargs)


@renamed_parameters(workers="n_processes")
def worker_pool(
    n_processes: int, context: multiprocessing.context.BaseContext, *, initializer=None, initargs: tuple = ()
) -> ProcessPoolExecutor:
    """A ``ProcessPoolExecutor`` of ``n_processes`` processes that end when this process dies.

    See :func:`exit_with_parent`. Every pool of the package is made here.

    Parameters
    ----------
    n_processes : int
        Processes, already resolved from ``n_jobs`` by :func:`n_workers`.
    context : multiprocessing context
        How to start them (:func:`mp_context`).
    initializer : callable, optional
        Run in each worker after the parent watch is set up, with ``initargs``
        (module level, so that ``spawn`` can pickle it).
    """
    return ProcessPoolExecutor(
        max_workers=n_processes, mp_context=context, initializer=_start_worker,
        initargs=(os.getpid(), initializer, tuple(initargs)),
    )
