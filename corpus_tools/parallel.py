"""Worker processes for per-document work: how many, how started, in what batches.

Cleaning (:func:`corpus_tools.corpus.read_corpus`), segmentation
(:func:`corpus_tools.tokens.segment_texts`) and :func:`corpus_tools.stream.stream_dtm` share
these rules, so that ``n_jobs`` means the same everywhere: ``None`` lets the size of the job
decide (one process for small corpora, where starting workers would cost more than it saves;
``stream_dtm`` always stays in one process unless asked), ``-1`` uses every core, a positive
integer that many processes.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

__all__ = ["available_cores", "batches_by_size", "mp_context", "n_workers"]

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
    """Resolve ``n_jobs`` to a number of processes.

    Parameters
    ----------
    n_jobs : int or None
        ``None``: every core when ``size >= threshold``, else 1. ``-1``: every core. A
        positive integer: that many.
    size : int
        The size of the job (characters to process).
    threshold : int or None
        The size from which ``n_jobs=None`` goes parallel; ``None``: never.

    Raises
    ------
    TypeError, ValueError
        If ``n_jobs`` is not ``None``, ``-1`` or a positive integer.
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
