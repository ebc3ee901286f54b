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

On a Dask cluster
-----------------
When a Dask scheduler is named, by the variable :data:`DASK_SCHEDULER_ENV`
(``DANGSHI_DASK_SCHEDULER=tcp://10.0.0.5:8786``, which ``dangshi-reports --dask-scheduler``
sets for the corpus reading and every notebook) or from Python with :func:`use_dask`, work
goes to the cluster's workers instead of local processes, with the same results in the same
order: the cleaning of :func:`corpus_tools.corpus.read_corpus` and :func:`map_documents` (the
per-document analyses) for every ``n_jobs`` but 1, whatever the size (asking for a cluster is
asking for parallel work, as with :func:`corpus_tools.streaming.dask.dask_dtm`); and
:func:`map_tasks` whenever it would start more than one process, so a topic model's K sweep
and refits go there when their ``n_jobs`` asks for several processes. ``n_jobs=1`` stays in
this process; the cluster's worker threads, not ``k``, decide how many tasks run at once.
Segmentation keeps its own processes. ``distributed`` is imported only when a scheduler is
named; :func:`dask_client` is the connection, one per process and address.

Start a cluster with ``dask scheduler`` on one machine and ``PYTHONHASHSEED=0 dask worker
ADDRESS --nthreads 1`` on each machine that should work, with this package installed (the same
version); the fixed hash seed is the report kernels' own, so that sets iterate alike.
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

from .compat import renamed_parameters
from .progress import progress as report_progress

if TYPE_CHECKING:  # distributed is imported only when a scheduler is named
    from distributed import Client, Future

__all__ = [
    "DASK_CONNECT_SECONDS",
    "DASK_SCHEDULER_ENV",
    "DOCUMENT_MIN_CHARS",
    "DaskExecutor",
    "available_cores",
    "batch_chars",
    "batches_by_size",
    "dask_client",
    "dask_executor",
    "dask_scheduler",
    "exit_with_parent",
    "frozen_gc",
    "map_documents",
    "map_tasks",
    "mp_context",
    "n_workers",
    "use_dask",
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


# --------------------------------------------------------------------------------------------
# A Dask cluster instead of worker processes
# --------------------------------------------------------------------------------------------

#: The environment variable naming the Dask scheduler that parallel work goes to
#: (``tcp://10.0.0.5:8786``); unset or empty: worker processes on this machine.
DASK_SCHEDULER_ENV = "DANGSHI_DASK_SCHEDULER"

#: Seconds :func:`dask_client` waits for the scheduler to answer, and then for a first worker.
DASK_CONNECT_SECONDS = 10.0

_FROM_ENVIRONMENT = object()  # use_dask has not been called (or its block has ended)
_dask_setting: object = _FROM_ENVIRONMENT  # else what use_dask was given: address, Client or None
_dask_clients: dict[tuple[int, str], Client] = {}  # (process id, address) -> connected client
_dask_lock = threading.Lock()
# Set while a task runs on a cluster worker: work a task starts itself stays in that worker,
# which must not wait on the cluster for slots it may be holding.
_task_state = threading.local()


def _scheduler_variable() -> str | None:
    # corpus_tools.environment is meant to be the one reader of variables; this one is read
    # here until that module lists it (then: `return environment.dask_scheduler_setting()`).
    if DASK_SCHEDULER_ENV not in os.environ:
        return None
    return os.environ[DASK_SCHEDULER_ENV].strip() or None


def dask_scheduler() -> str | None:
    """Return the address of the Dask scheduler parallel work goes to, or None for this machine.

    What :func:`use_dask` set, else the variable :data:`DASK_SCHEDULER_ENV`. Nothing is
    connected; :func:`dask_client` connects.

    Examples
    --------
    >>> with use_dask(None):
    ...     print(dask_scheduler())
    None
    """
    setting = _dask_setting
    if setting is _FROM_ENVIRONMENT:
        return _scheduler_variable()
    if setting is None or isinstance(setting, str):
        return setting
    return str(setting.scheduler.address)  # a Client given to use_dask


def _where(address: str) -> str:
    if _dask_setting is _FROM_ENVIRONMENT or address == _scheduler_variable():
        return (f"named by {DASK_SCHEDULER_ENV} (set by dangshi-reports --dask-scheduler, or in the "
                f"environment); unset {DASK_SCHEDULER_ENV} to work on this machine")
    return "given to corpus_tools.parallel.use_dask; use_dask(None) works on this machine"


def _connect(address: str, timeout: float) -> Client:
    try:
        from distributed import Client
    except ImportError as error:
        raise ImportError(
            f"a Dask scheduler is named ({address}, {_where(address)}), but the distributed package "
            "is not installed: pip install 'dask[distributed]'"
        ) from error
    try:
        # Not the default client: a user's own dask.compute calls keep their scheduler.
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as error:
        raise ConnectionError(
            f"cannot reach the Dask scheduler at {address} ({error}). The address is {_where(address)}. "
            f"Start a scheduler there with `dask scheduler` and workers with `dask worker {address} "
            "--nthreads 1`, or correct the address."
        ) from error
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (TimeoutError, OSError) as error:
        client.close()
        raise ConnectionError(
            f"the Dask scheduler at {address} has no workers after {timeout:g} s; start some with "
            f"`dask worker {address} --nthreads 1` (the address is {_where(address)})"
        ) from error
    return client


def dask_client(*, timeout: float | None = None) -> Client | None:
    """Return the connected ``distributed.Client`` parallel work goes to, or None for this machine.

    The scheduler is the one :func:`dask_scheduler` names. A client is made once per process
    and address and kept for the process's lifetime; one given to :func:`use_dask` is returned
    as it is. Inside a task running on the cluster this is None: work a task starts itself
    (a nested :func:`map_tasks`) is done in that worker's thread.

    Parameters
    ----------
    timeout : float, optional
        Seconds to wait for the scheduler to answer, and then for its first worker; default
        :data:`DASK_CONNECT_SECONDS`.

    Returns
    -------
    distributed.Client or None
        None when no scheduler is named.

    Raises
    ------
    ConnectionError
        When the scheduler cannot be reached or has no worker: the message names the address,
        where it was set (:data:`DASK_SCHEDULER_ENV` or :func:`use_dask`) and what to do.
    ImportError
        When a scheduler is named but ``distributed`` is not installed.

    Examples
    --------
    >>> with use_dask(None):
    ...     print(dask_client())
    None
    """
    if getattr(_task_state, "on_cluster", False):
        return None
    setting = _dask_setting if _dask_setting is not _FROM_ENVIRONMENT else _scheduler_variable()
    if setting is None:
        return None
    if not isinstance(setting, str):
        return setting  # type: ignore[return-value]  # a Client given to use_dask
    key = (os.getpid(), setting)  # a forked process cannot use its parent's connection
    with _dask_lock:
        client = _dask_clients.get(key)
        if client is None or client.status not in ("running", "connecting"):
            client = _dask_clients[key] = _connect(setting, DASK_CONNECT_SECONDS if timeout is None else timeout)
        return client


class _DaskSetting:
    """What :func:`use_dask` returns: the setting is made; a ``with`` block puts the previous back."""

    def __init__(self, previous: object) -> None:
        self._previous = previous
        self._opened: Client | None = None

    def __enter__(self) -> Client | None:
        known = [id(client) for client in _dask_clients.values()]
        try:
            client = dask_client()  # connect now, so that a bad address fails at the `with`
        except BaseException:
            self.__exit__()  # no block runs: put the setting back here
            raise
        if client is not None and id(client) not in known and client in _dask_clients.values():
            self._opened = client  # made for this block: closed with it
        return client

    def __exit__(self, *exc_info: object) -> None:
        global _dask_setting
        _dask_setting = self._previous
        if self._opened is not None:
            with _dask_lock:
                for key in [key for key, client in _dask_clients.items() if client is self._opened]:
                    del _dask_clients[key]
            self._opened.close()


def use_dask(scheduler: str | Client | None) -> _DaskSetting:
    """Send the package's parallel work to a Dask cluster, or keep it on this machine.

    Takes effect at once, for the rest of the process; used as a context manager, until the
    ``with`` block ends (the block gets the connected client, or None). It takes precedence
    over the variable :data:`DASK_SCHEDULER_ENV`. See the module notes for what goes to the
    cluster and how ``n_jobs`` reads there.

    Parameters
    ----------
    scheduler : str, distributed.Client or None
        A scheduler address (``"tcp://10.0.0.5:8786"``; connected on first use, see
        :func:`dask_client`), a connected client (used as it is and never closed here), or
        None: worker processes on this machine, whatever the variable says.

    Returns
    -------
    context manager
        Entering it connects (so a bad address fails there) and yields the client; leaving it
        restores the setting that was in force before the call and closes a connection the
        block opened.

    Raises
    ------
    TypeError, ValueError
        When `scheduler` is not an address, a client or None.

    Examples
    --------
    >>> with use_dask(None):
    ...     map_documents(len, ["学史明理", "办实事"])
    [4, 3]

    With a cluster::

        from corpus_tools.parallel import use_dask
        with use_dask("tcp://10.0.0.5:8786"):
            corp = ct.read_corpus("articles")   # cleaned on the cluster's workers
    """
    global _dask_setting
    if isinstance(scheduler, str):
        scheduler = scheduler.strip()
        if not scheduler:
            raise ValueError("use_dask: scheduler is an empty address; give tcp://HOST:PORT, a Client or None")
    elif scheduler is not None and not (hasattr(scheduler, "submit") and hasattr(scheduler, "scheduler")):
        raise TypeError(
            f"use_dask: scheduler must be an address such as 'tcp://10.0.0.5:8786', a distributed.Client "
            f"or None, got {type(scheduler).__name__}"
        )
    previous, _dask_setting = _dask_setting, scheduler
    return _DaskSetting(previous)


def _on_cluster(function: Callable[..., R], *args: object) -> R:
    _task_state.on_cluster = True
    try:
        return function(*args)
    finally:
        _task_state.on_cluster = False


class DaskExecutor:
    """A process pool's ``submit`` and ``shutdown`` on a Dask cluster.

    For code written for a ``concurrent.futures`` pool (the cleaning of ``read_corpus``): a
    returned future's ``result()`` gives the function's value or raises its exception,
    unchanged. ``shutdown`` cancels what this executor submitted and leaves the client open.

    Parameters
    ----------
    client : distributed.Client
        Connected, e.g. by :func:`dask_client`.
    """

    def __init__(self, client: Client) -> None:
        self.client = client
        self._futures: list[Future] = []

    def submit(self, function: Callable[..., R], /, *args: Any) -> Future:
        """Run ``function(*args)`` on a worker; return its future."""
        # pure=False: a task's key is not a hash of its (possibly large) arguments, and two
        # identical batches are still two tasks.
        future = self.client.submit(_on_cluster, function, *args, pure=False)
        self._futures.append(future)
        return future

    def scatter(self, value: object) -> Future:
        """Send `value` to every worker once; pass the future to :meth:`submit` in its place."""
        # In a list, so that a list or dict is sent as one object, not element by element;
        # hash=False: no time spent hashing a large corpus for a key.
        (future,) = self.client.scatter([value], broadcast=True, hash=False)
        self._futures.append(future)
        return future

    @property
    def n_threads(self) -> int:
        """int: the worker threads of the cluster (at least 1), which run tasks side by side."""
        return max(sum(self.client.nthreads().values()), 1)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Forget what was submitted; with `cancel_futures`, cancel what has not finished."""
        if cancel_futures:
            pending = [future for future in self._futures if not future.done()]
            if pending:
                self.client.cancel(pending)
        self._futures = []

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown(cancel_futures=True)


def dask_executor() -> DaskExecutor | None:
    """Return a :class:`DaskExecutor` on :func:`dask_client`, or None when no scheduler is named.

    Raises
    ------
    ConnectionError
        As :func:`dask_client`.
    """
    client = dask_client()
    return None if client is None else DaskExecutor(client)


def _map_on_cluster(
    executor: DaskExecutor, function: Callable[..., R], tasks: list[T], shared: object, *,
    desc: str, unit: str, progress: bool,
) -> list[R]:
    logger.info("%s: %d tasks on the Dask cluster at %s", desc, len(tasks), executor.client.scheduler.address)
    with executor:  # cancels what is left when a task fails or the caller is interrupted
        if shared is _NOTHING:
            futures = [executor.submit(function, task) for task in tasks]
        else:
            data = executor.scatter(shared)
            futures = [executor.submit(function, data, task) for task in tasks]
        results = (future.result() for future in futures)  # in task order
        return list(report_progress(results, desc=desc, total=len(tasks), unit=unit, enabled=progress))


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
    if getattr(_task_state, "on_cluster", False):
        processes = 1  # a cluster worker is a daemon process: it may not start processes of its own
    results: list[R] = []
    cluster = dask_executor() if processes > 1 else None
    if cluster is not None:
        return _map_on_cluster(cluster, function, tasks, shared, desc=desc, unit=unit, progress=progress)
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
    for task in report_progress(rest, desc=desc, total=len(rest), unit=unit, enabled=progress):
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
        return [result for batch_results in _map_on_cluster(
            cluster, functools.partial(_apply_batch, function), batches, _NOTHING, desc=desc, unit="batch",
            progress=show) for result in batch_results]

    if processes > 1:
        logger.info("%s: %d items (%d characters) in %d processes", desc, len(items), total, processes)
    done = map_tasks(functools.partial(_apply_batch, function), batches, n_processes=processes, desc=desc,
                     unit="batch", progress=show)
    return [result for batch_results in done for result in batch_results]


def _apply_batch(function: Callable[[T], R], batch: list[T]) -> list[R]:
    return [function(item) for item in batch]
