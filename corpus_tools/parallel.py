"""Worker processes for per-document work: how many, how started, in what batches.

Cleaning (:func:`corpus_tools.corpus.read_corpus`), segmentation
(:func:`corpus_tools.tokens.segment_texts`), :func:`corpus_tools.streaming.stream.stream_dtm`
and :func:`corpus_tools.streaming.dask.dask_dtm` share these rules, so that ``n_jobs`` means the
same everywhere; :func:`n_workers` states the rule. :func:`map_documents` applies them to any
analysis that reads one document at a time (quantified claims, dated events, a group profile's
extraction): it runs the function over the documents in worker processes and returns the
results in input order, so a table does not depend on ``n_jobs``. :func:`map_tasks` is the pool
underneath it, for work that comes as a few independent tasks rather than documents (the fits
of a topic model's K sweep or refits): one task per dispatch, with data every task reads
handed to each worker once.

With a Dask scheduler named (:mod:`corpus_tools.cluster`), :func:`map_documents`, the
cleaning of :func:`corpus_tools.corpus.read_corpus` and, when it would start several processes,
:func:`map_tasks` send their work to the cluster's workers instead, with the same results.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import numpy as np

from .cluster import dask_executor, map_on_cluster, running_on_cluster
from .compat import renamed_parameters
from .environment import BLAS_THREAD_VARIABLES, blas_threads_set, cores_setting
from .progress import progress as report_progress

__all__ = [
    "DOCUMENT_MIN_CHARS",
    "BLAS_THREAD_VARIABLES",
    "available_cores",
    "batch_chars",
    "blas_thread_environment",
    "blas_threads",
    "batches_by_size",
    "exit_with_parent",
    "frozen_gc",
    "map_documents",
    "map_tasks",
    "mp_context",
    "n_workers",
    "worker_pool",
]

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_PARENT_POLL_SECONDS = 1.0

T = TypeVar("T")
R = TypeVar("R")

#: Characters of documents from which :func:`map_documents` with ``n_jobs=None`` uses every
#: core, per worker start method. From ``benchmarks/analyses_scale.py`` on 2 cores: reading
#: claims costs about 0.4 µs a character and dated events 0.2 µs in one process, while starting
#: two forked workers from a session holding a corpus and the segmenter, and shipping the texts
#: and rows, costs about 0.1 s; two processes therefore pay from about a million characters
#: (3 MB of text). A spawned worker first imports the package and rebuilds the segmenter and
#: the gazetteer, about two seconds, so spawn waits for ten million.
DOCUMENT_MIN_CHARS: dict[str, int] = {"fork": 1_000_000, "spawn": 10_000_000}

#: A batch handed to a worker holds at least this many characters (fewer, larger batches cost
#: less to ship) and at most the larger one (a batch's results wait in memory until it is
#: done); there are about this many batches per worker, so that the cores stay balanced.
_MIN_BATCH_CHARS = 20_000
_MAX_BATCH_CHARS = 500_000
_BATCHES_PER_WORKER = 8

logger = logging.getLogger(__name__)


def available_cores() -> int:
    """The number of cores this process may spread its work over.

    The cores it may run on (its CPU affinity, where the OS tells), at most ``DANGSHI_CORES``
    when that is set: the report runner sets it to each kernel's share of the machine when
    notebooks run side by side, so that two kernels on two cores do not each start a pool of
    two worker processes that then compete for the same cores (and each pays the pool's
    start-up, several seconds under spawn).
    """
    if hasattr(os, "sched_getaffinity"):
        cores = max(len(os.sched_getaffinity(0)), 1)
    else:
        cores = max(os.cpu_count() or 1, 1)
    allowed = cores_setting()
    return cores if allowed is None else min(cores, allowed)


def blas_threads(n_processes: int) -> int:
    """Threads each of `n_processes` busy processes may give numpy's BLAS: the cores shared out, at least 1.

    OpenBLAS starts one thread per core in every process. Two processes on two cores then run
    four BLAS threads that spin while they wait for each other: on this project's 2-core
    machine a small matrix product (24 x 260 by 260 x 100) took 2.7 s for 150 calls instead of
    0.006 s with one thread while the other core was busy.

    Examples
    --------
    >>> blas_threads(1) == available_cores(), blas_threads(10 ** 6)
    (True, 1)
    """
    return max(1, available_cores() // max(1, int(n_processes)))


def blas_thread_environment(n_processes: int) -> dict[str, str]:
    """The BLAS thread variables for a process started as one of `n_processes` (those the user set are kept)."""
    threads, kept = str(blas_threads(n_processes)), blas_threads_set()
    return {name: threads for name in BLAS_THREAD_VARIABLES if name not in kept}


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


def _start_worker(parent_pid: int, n_processes: int, initializer, initargs: tuple) -> None:
    exit_with_parent(parent_pid)
    if not blas_threads_set():
        # A forked worker inherits its parent's BLAS threads; the variables would come too late.
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=blas_threads(n_processes), user_api="blas")
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

    Notes
    -----
    Each worker's BLAS gets :func:`blas_threads` threads (threadpoolctl), unless the user set
    one of :data:`BLAS_THREAD_VARIABLES`.
    """
    return ProcessPoolExecutor(
        max_workers=n_processes, mp_context=context, initializer=_start_worker,
        initargs=(os.getpid(), n_processes, initializer, tuple(initargs)),
    )


def batch_chars(total: int, n_processes: int) -> int:
    """Characters per batch when ``total`` characters are shared among ``n_processes`` workers.

    Parameters
    ----------
    total : int
        Characters of all the work.
    n_processes : int
        Worker processes (resolved from ``n_jobs`` by :func:`n_workers`).

    Returns
    -------
    int
        About an eighth of each worker's share, so that one slow batch does not leave a core
        idle; at least 20,000 (shipping a batch has a fixed cost) unless that would leave a
        worker without work; at most 500,000 (a batch's results are held until it is done).

    Examples
    --------
    >>> batch_chars(1_000_000, 2), batch_chars(10_000, 2), batch_chars(10**9, 2)
    (62500, 5000, 500000)
    """
    n_processes = max(int(n_processes), 1)
    size = max(1, min(_MIN_BATCH_CHARS, -(-total // n_processes)), -(-total // (n_processes * _BATCHES_PER_WORKER)))
    return min(size, _MAX_BATCH_CHARS)


@contextmanager
def frozen_gc(context: multiprocessing.context.BaseContext) -> Iterator[None]:
    """Keep the garbage collector off the objects that exist now while forked workers run.

    Forked workers share this process's memory until either side writes to it, and a
    collection writes to every object it visits: freezing the objects that exist before the
    fork keeps both sides' collections off them (a large session otherwise pays seconds in
    copied pages). Does nothing for ``spawn``, or when the caller manages ``gc.freeze`` itself.

    Parameters
    ----------
    context : multiprocessing context
        How the workers start (:func:`mp_context`).

    Yields
    ------
    None
        While the block runs; the objects are unfrozen when it ends, also on an error.
    """
    freeze = context.get_start_method() == "fork" and gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    try:
        yield
    finally:
        if freeze:
            gc.unfreeze()


def _apply(job: tuple[Callable, object]) -> object:
    function, task = job
    return function(task)


# What map_tasks hands to every worker once (its `shared`), set by the pool's initializer.
_worker_shared: object = None


def _share(value: object) -> None:
    global _worker_shared
    _worker_shared = value


def _apply_shared(job: tuple[Callable, object]) -> object:
    function, task = job
    return function(_worker_shared, task)


_NOTHING = object()


def map_tasks(
    function: Callable[..., R],
    tasks: Sequence[T],
    *,
    n_processes: int,
    shared: object = _NOTHING,
    desc: str = "tasks",
    unit: str = "task",
    progress: bool = False,
) -> list[R]:
    """Apply ``function`` to every task in `n_processes` worker processes (or on the Dask cluster).

    Results come back in task order.

    The pool under :func:`map_documents`, and the way to run a few independent, costly tasks
    side by side (one topic-model fit each). Every task is one dispatch, so a slow one does not
    hold others back.

    Parameters
    ----------
    function : callable
        Called as ``function(task)``, or ``function(shared, task)`` when `shared` is given;
        with several processes it must be picklable (module level, or a
        :func:`functools.partial` of a module-level function).
    tasks : sequence
        The tasks, each small to ship (a seed, a K).
    n_processes : int
        Processes, already resolved from ``n_jobs`` by :func:`n_workers` (1: in this process,
        no worker is started; never more than there are tasks). When a Dask scheduler is named
        (:func:`dask_scheduler`) and more than one process would start, the tasks go to the
        cluster instead, whose worker threads decide how many run at once.
    shared : object, optional
        Data every task reads (a topic corpus): handed to each worker once when it starts (not
        pickled at all under fork), instead of once per task; on a cluster, sent to every
        worker once (``Client.scatter(..., broadcast=True)``).
    desc : str, default "tasks"
        What is being done, for progress reports and the log.
    unit : str, default "task"
        What one task is, for progress reports (``"K"``, ``"refit"``).
    progress : bool, default False
        Report progress per task (:func:`corpus_tools.progress.progress`).

    Returns
    -------
    list
        The results in the order of `tasks`, whatever `n_processes` is.

    Raises
    ------
    Exception
        An exception raised by `function` in a worker is raised here unchanged (on a cluster,
        the tasks not yet done are then cancelled).
    ConnectionError
        When a named Dask scheduler cannot be reached (:func:`dask_client`).

    Notes
    -----
    Workers come from :func:`worker_pool` started by :func:`mp_context`, under fork with the
    parent's objects kept from the garbage collector (:func:`frozen_gc`). When a worker dies,
    the tasks not yet done are done in this process, with a :class:`RuntimeWarning`. On a
    Dask cluster a task whose worker dies is retried by the scheduler elsewhere; a task that
    kills its workers again and again fails with Dask's ``KilledWorker``.

    The topic models' K sweep and refits run here (:func:`corpus_tools.topics.lda.map_fits`):
    each fit has its own seed and runs in one thread, so a fit on a cluster worker is the
    same fit as in a local worker process or in this one.

    Examples
    --------
    >>> map_tasks(len, ["学史明理", "办实事"], n_processes=1)
    [4, 3]
    >>> map_tasks(divmod, [3, 4], n_processes=1, shared=10)
    [(3, 1), (2, 2)]
    """
    tasks = list(tasks)
    alone = shared is _NOTHING
    call, initializer, initargs = (_apply, None, ()) if alone else (_apply_shared, _share, (shared,))
    processes = min(int(n_processes), len(tasks))
    if running_on_cluster():
        processes = 1  # a cluster worker is a daemon process: it may not start processes of its own
    results: list[R] = []
    cluster = dask_executor() if processes > 1 else None
    if cluster is not None:
        return map_on_cluster(cluster, function, tasks, shared=() if alone else (shared,), desc=desc, unit=unit,
                              progress=progress)
    if processes > 1:
        context = mp_context()
        logger.info("%s: %d tasks in %d processes", desc, len(tasks), processes)
        try:
            with frozen_gc(context), worker_pool(processes, context, initializer=initializer,
                                                 initargs=initargs) as pool:
                computed = pool.map(call, [(function, task) for task in tasks])
                results.extend(report_progress(computed, desc=desc, total=len(tasks), unit=unit, enabled=progress))
        except BrokenProcessPool as error:
            warnings.warn(f"{desc}: worker processes failed ({error}); continuing in this process",
                          RuntimeWarning, stacklevel=2)
    rest = tasks[len(results):]
    # Nothing left after the workers: no second, empty "done" line in the log.
    for task in report_progress(rest, desc=desc, total=len(rest), unit=unit, enabled=progress and bool(rest)):
        results.append(function(task) if alone else function(shared, task))
    return results


def map_documents(
    function: Callable[[T], R],
    items: Sequence[T],
    *,
    n_jobs: int | None = None,
    sizes: Sequence[int] | None = None,
    threshold: int | None | Literal["measured"] = "measured",
    desc: str = "documents",
    progress: bool = False,
) -> list[R]:
    """Apply ``function`` to every item, in worker processes when the work is large enough.

    The one way the package runs a per-document analysis in parallel. Each item is one
    document's input (its id, text and whatever docvars the analysis needs); ``function``
    returns that document's result (e.g. its rows). Results come back in the order of
    `items` whatever `n_jobs` is, so a table built from them is the same with one process or
    several.

    Parameters
    ----------
    function : callable
        Called as ``function(item)``. With several processes it must be picklable: a function
        defined at module level, or a :func:`functools.partial` of one (the settings of the
        analysis bound as keywords). It reads nothing but its item and module-level state
        (a segmenter from :func:`corpus_tools.segment.get_segmenter`, the gazetteer), which
        each worker builds once.
    items : sequence
        One item per document, in the order the results should have.
    n_jobs : int or None, default None
        Processes, as everywhere in the package (:func:`n_workers`): ``None`` decides by size,
        one process below `threshold` characters, every core from it on; ``-1`` every core;
        ``k`` that many (1: in this process, no worker is started). When a Dask scheduler is
        named (:func:`dask_scheduler`), every value but 1 sends the batches to the cluster,
        whatever the size (see the module notes).
    sizes : sequence of int, optional
        Each item's size in characters (its text's length), for the decision and for cutting
        batches of similar size. Without it, items count as equal and ``n_jobs=None`` stays
        in this process (the size of the work is unknown).
    threshold : int, None or "measured", default "measured"
        Characters from which ``n_jobs=None`` goes parallel: ``"measured"`` is
        :data:`DOCUMENT_MIN_CHARS` for the start method in use; ``None`` never.
    desc : str, default "documents"
        What is being done, for progress reports and the log.
    progress : bool, default False
        Report progress per batch (:func:`corpus_tools.progress.progress`).

    Returns
    -------
    list
        ``[function(item) for item in items]``, computed in batches of consecutive items.

    Raises
    ------
    TypeError, ValueError
        For a bad `n_jobs` (the message names it), or `sizes` of another length than `items`.
        An exception raised by `function` in a worker is raised here unchanged.

    Notes
    -----
    Workers come from :func:`worker_pool` (they end if this process dies) started by
    :func:`mp_context` (fork where safe, else spawn), and under fork the garbage collector is
    kept off the parent's objects (:func:`frozen_gc`). Items are cut into consecutive batches
    of about :func:`batch_chars` characters (:func:`batches_by_size`), each batch is one task,
    and the batches' results are joined in order. When a worker dies (killed for memory, or a
    script without an ``if __name__ == "__main__":`` guard under spawn) the remaining batches
    are done in this process, with a :class:`RuntimeWarning`. On a Dask cluster the batches are
    cut for the cluster's worker threads and every one, even a single batch, is a cluster task.

    Examples
    --------
    >>> map_documents(len, ["学史明理", "学史增信", "学史崇德"], n_jobs=1)
    [4, 4, 4]
    """
    items = list(items)
    if sizes is None:
        known = False
        sizes = [1] * len(items)
    else:
        known = True
        sizes = [int(size) for size in sizes]
        if len(sizes) != len(items):
            raise ValueError(f"sizes has {len(sizes)} entries for {len(items)} items; give one size per item")
    context = mp_context()
    if threshold == "measured":
        threshold = DOCUMENT_MIN_CHARS[context.get_start_method()]
    total = sum(sizes)
    processes = n_workers(n_jobs, total, threshold if known else None)
    if not items:
        return []
    cluster = dask_executor() if n_jobs != 1 else None
    if cluster is not None:
        processes = cluster.n_threads
    # Items of unknown size are shared by count, about eight batches per worker.
    per_batch = batch_chars(total, processes) if known else -(-len(items) // (processes * _BATCHES_PER_WORKER))
    batches = batches_by_size(items, sizes, per_batch)
    processes = min(processes, len(batches))
    show = progress and len(batches) > 1
    if cluster is not None:
        done = map_on_cluster(cluster, functools.partial(_apply_batch, function), batches, desc=desc, unit="batch",
                              progress=show)
        return [result for batch_results in done for result in batch_results]

    if processes > 1:
        logger.info("%s: %d items (%d characters) in %d processes", desc, len(items), total, processes)
    done = map_tasks(functools.partial(_apply_batch, function), batches, n_processes=processes, desc=desc,
                     unit="batch", progress=show)
    return [result for batch_results in done for result in batch_results]


def _apply_batch(function: Callable[[T], R], batch: list[T]) -> list[R]:
    return [function(item) for item in batch]
