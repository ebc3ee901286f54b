"""The Dask cluster that parallel work goes to instead of local worker processes.

This module owns the connection: which scheduler is named (:func:`dask_scheduler`: what
:func:`use_dask` set, else the variable ``DANGSHI_DASK_SCHEDULER`` of
:mod:`corpus_tools.environment`), the client (:func:`dask_client`, one per process and
address), and a process pool's ``submit`` on it (:class:`DaskExecutor`).
:mod:`corpus_tools.parallel` and :func:`corpus_tools.corpus.read_corpus` use them.

What goes to the cluster
------------------------
When a Dask scheduler is named, by the variable :data:`~corpus_tools.environment.DASK_SCHEDULER_ENV`
(``DANGSHI_DASK_SCHEDULER=tcp://10.0.0.5:8786``, which ``dangshi-reports --dask-scheduler``
sets for the corpus reading and every notebook) or from Python with :func:`use_dask`, work
goes to the cluster's workers instead of local processes, with the same results in the same
order: the cleaning of :func:`corpus_tools.corpus.read_corpus` and
:func:`~corpus_tools.parallel.map_documents` (the per-document analyses) for every ``n_jobs``
but 1, whatever the size (asking for a cluster is asking for parallel work, as with
:func:`corpus_tools.streaming.dask.dask_dtm`); and :func:`~corpus_tools.parallel.map_tasks`
whenever it would start more than one process, so a topic model's K sweep
and refits go there when their ``n_jobs`` asks for several processes. ``n_jobs=1`` stays in
this process; the cluster's worker threads, not ``k``, decide how many tasks run at once.
Segmentation keeps its own processes. ``distributed`` is imported only when a scheduler is
named; :func:`dask_client` is the connection, one per process and address.

Start a cluster with ``dask scheduler`` on one machine and ``PYTHONHASHSEED=0 dask worker
ADDRESS --nthreads 1`` on each machine that should work, with this package installed (the same
version); the fixed hash seed is the report kernels' own, so that sets iterate alike.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from .environment import DASK_SCHEDULER_ENV, dask_scheduler_setting
from .progress import progress as report_progress

if TYPE_CHECKING:  # distributed is imported only when a scheduler is named
    from distributed import Client, Future

__all__ = [
    "DASK_CONNECT_SECONDS",
    "DASK_SCHEDULER_ENV",
    "DaskExecutor",
    "dask_client",
    "dask_executor",
    "dask_scheduler",
    "map_on_cluster",
    "running_on_cluster",
    "use_dask",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

#: Seconds :func:`dask_client` waits for the scheduler to answer, and then for a first worker.
DASK_CONNECT_SECONDS = 10.0

_FROM_ENVIRONMENT = object()  # use_dask has not been called (or its block has ended)
_dask_setting: object = _FROM_ENVIRONMENT  # else what use_dask was given: address, Client or None
_dask_clients: dict[tuple[int, str], Client] = {}  # (process id, address) -> connected client
_dask_lock = threading.Lock()
# Set while a task runs on a cluster worker: work a task starts itself stays in that worker,
# which must not wait on the cluster for slots it may be holding.
_task_state = threading.local()


def dask_scheduler() -> str | None:
    """Return the address of the Dask scheduler parallel work goes to, or None for this machine.

    What :func:`use_dask` set, else the variable :data:`~corpus_tools.environment.DASK_SCHEDULER_ENV`. Nothing is
    connected; :func:`dask_client` connects.

    Examples
    --------
    >>> with use_dask(None):
    ...     print(dask_scheduler())
    None
    """
    setting = _dask_setting
    if setting is _FROM_ENVIRONMENT:
        return dask_scheduler_setting()
    if setting is None or isinstance(setting, str):
        return setting
    return str(setting.scheduler.address)  # a Client given to use_dask


def _where(address: str) -> str:
    if _dask_setting is _FROM_ENVIRONMENT or address == dask_scheduler_setting():
        return (f"named by {DASK_SCHEDULER_ENV} (set by dangshi-reports --dask-scheduler, or in the "
                f"environment); unset {DASK_SCHEDULER_ENV} to work on this machine")
    return "given to corpus_tools.cluster.use_dask; use_dask(None) works on this machine"


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
    (a nested :func:`~corpus_tools.parallel.map_tasks`) is done in that worker's thread.

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
        where it was set (:data:`~corpus_tools.environment.DASK_SCHEDULER_ENV` or :func:`use_dask`) and what to do.
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
    setting = _dask_setting if _dask_setting is not _FROM_ENVIRONMENT else dask_scheduler_setting()
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
    over the variable :data:`~corpus_tools.environment.DASK_SCHEDULER_ENV`. See the module notes for what goes to the
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
    >>> from corpus_tools.parallel import map_documents
    >>> with use_dask(None):
    ...     map_documents(len, ["学史明理", "办实事"])
    [4, 3]

    With a cluster::

        from corpus_tools.cluster import use_dask
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


def running_on_cluster() -> bool:
    """bool: whether this code runs inside a task on a cluster worker (work it starts stays there)."""
    return bool(getattr(_task_state, "on_cluster", False))


def map_on_cluster(
    executor: DaskExecutor, function: Callable[..., R], tasks: Sequence[T], *, shared: tuple[object, ...] = (),
    desc: str, unit: str, progress: bool,
) -> list[R]:
    """Run ``function(*shared, task)`` for every task on the cluster; results in task order.

    What :func:`corpus_tools.parallel.map_tasks` does with a cluster: `shared` (empty, or one
    object every task reads) is sent to every worker once; a task's exception is raised here
    unchanged and the tasks not yet done are cancelled.
    """
    logger.info("%s: %d tasks on the Dask cluster at %s", desc, len(tasks), executor.client.scheduler.address)
    with executor:  # cancels what is left when a task fails or the caller is interrupted
        data = [executor.scatter(value) for value in shared]
        futures = [executor.submit(function, *data, task) for task in tasks]
        results = (future.result() for future in futures)  # in task order
        return list(report_progress(results, desc=desc, total=len(tasks), unit=unit, enabled=progress))
