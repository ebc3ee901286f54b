"""Scale-out: the read → clean → segment → count stage on a Dask cluster.

:func:`dask_dtm` runs :func:`corpus_tools.streaming.chunks.process_chunk`, the per-chunk function
of the streaming path, on the workers of a ``dask.distributed`` cluster: it is
:func:`corpus_tools.streaming.stream.stream_dtm` with a Dask executor, so the reading, merging
and output are stream_dtm's own and this module only sets up the cluster. The result is the same
:class:`~corpus_tools.dtm.DocTermMatrix`, row for row and term for term, as the single-machine
path and as ``dtm(tokenize(read_corpus(...)))``.

Without a ``client`` a ``LocalCluster`` is started on this machine (one single-threaded worker
process per core: segmentation and cleaning are pure Python and hold the GIL) and closed at the
end.

Using an existing cluster
-------------------------
Start a scheduler on one machine; it prints its address::

    dask scheduler                 # e.g. "Scheduler at: tcp://10.0.0.5:8786"

Start workers on every machine that should do the work, in an environment where this package
is installed (the same version)::

    dask worker tcp://10.0.0.5:8786 --nworkers 4 --nthreads 1

Then point :func:`dask_dtm` at the scheduler from Python::

    from corpus_tools.streaming import dask_dtm
    result = dask_dtm("/shared/corpus", client="tcp://10.0.0.5:8786", out_dir="work/dtm")
    counts = result.dtm()

This process reads the corpus (exactly as ``read_corpus`` does) and sends each chunk's texts
with its task, so workers need not see the corpus folder; they clean, segment and count. The
output folder is written by this process, so ``out_dir`` is a path on this machine. A
``distributed.Client`` that is already connected can be passed as ``client`` too; it is left
open.

The same cluster can take the cleaning of ``read_corpus``, the per-document analyses and the
reports: see :mod:`corpus_tools.parallel` (``DANGSHI_DASK_SCHEDULER``, ``use_dask``) and
``dangshi-reports --dask-scheduler``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..compat import renamed_parameters
from ..parallel import n_workers
from .stream import StreamResult, stream_dtm

if TYPE_CHECKING:  # distributed is imported only when a cluster is used
    from distributed import Client

__all__ = ["dask_dtm"]

logger = logging.getLogger(__name__)


class _DaskExecutor:
    """The ``submit`` that :func:`stream_dtm` expects, on a Dask client."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        # pure=False: a task's key is not a hash of its (possibly large) arguments, and two
        # identical chunks are still two tasks.
        return self.client.submit(fn, *args, pure=False, **kwargs)


@renamed_parameters(n_workers="n_jobs")
def dask_dtm(
    source: str | os.PathLike[str] | Mapping[str, str] | Iterable[tuple[str, str]],
    *,
    client: Client | str | None = None,
    n_jobs: int | None = None,
    max_pending_chunks: int | None = None,
    **options: Any,
) -> StreamResult:
    """Count a corpus into a document-term matrix on a Dask cluster.

    Parameters
    ----------
    source : str, Path, mapping or iterable
        As for :func:`~corpus_tools.streaming.stream.stream_dtm`: a folder of text files, a
        mapping ``doc_id -> raw text`` or an iterable of ``(doc_id, raw text)`` pairs.
    client : distributed.Client or str, optional
        A connected client (left open), or a scheduler address such as
        ``"tcp://10.0.0.5:8786"`` (connected and closed here). ``None`` starts a
        ``LocalCluster`` on this machine for the duration of the call.
    n_jobs : int, optional
        Worker processes of the ``LocalCluster``: ``None`` or ``-1`` one per core (asking for
        a cluster is asking for parallel work; see :func:`corpus_tools.parallel.n_workers`),
        ``k`` that many. Only without ``client``. Formerly ``n_workers``.
    max_pending_chunks : int, optional
        Chunks submitted but not yet merged; default twice the cluster's worker threads.
    **options
        Every other keyword of :func:`~corpus_tools.streaming.stream.stream_dtm` (``out_dir``,
        ``unit``, ``pos``, ``metadata``, ``pattern``, ``encoding``, ``chunk_size``,
        ``keep_tokens``, ``overwrite``, ``engine``, ``progress``) and the reading options of
        ``read_corpus`` for a folder (``on_error``, ``format`` …), with the same meaning and
        defaults. Not ``executor``: the cluster is the executor.

    Returns
    -------
    StreamResult
        The same as :func:`~corpus_tools.streaming.stream.stream_dtm` returns for the same input.

    Raises
    ------
    ValueError
        When ``n_jobs`` is given together with ``client``.
    TypeError
        When ``executor`` is passed.

    Notes
    -----
    Chunks are merged in the order they were submitted, and at most ``max_pending_chunks`` are
    on the cluster at once, so this process reads the source only that far ahead and its
    memory stays bounded whatever the corpus size. See the module docstring for connecting to
    an existing scheduler.

    Examples
    --------
    >>> from distributed import Client, LocalCluster  # doctest: +SKIP
    >>> with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, \\
    ...         Client(cluster) as client:  # doctest: +SKIP
    ...     counts = dask_dtm("seeds", client=client).dtm()
    """
    from distributed import Client, LocalCluster

    if "executor" in options:
        raise TypeError("dask_dtm() runs on the Dask cluster; pass client=..., not executor=...")
    if client is not None and n_jobs is not None:
        raise ValueError(
            "n_jobs (formerly n_workers) sets up a LocalCluster; it cannot be combined with client"
        )
    own_cluster = own_client = None
    try:
        if client is None:
            own_cluster = LocalCluster(
                # threshold 0: n_jobs=None goes parallel whatever the size (parallel.n_workers).
                n_workers=n_workers(n_jobs, 0, 0),
                threads_per_worker=1,
                processes=True,
                # The scheduler serves HTTP even without a dashboard, by default on port 8787;
                # a random port avoids clashing with another cluster on this machine.
                dashboard_address=":0",
                scheduler_kwargs={"dashboard": False},
            )
            client = own_client = Client(own_cluster)
        elif isinstance(client, (str, os.PathLike)):
            client = own_client = Client(os.fspath(client))
        threads = sum(client.nthreads().values())
        if threads == 0:
            raise RuntimeError(f"the Dask cluster at {client.scheduler.address} has no workers")
        window = max_pending_chunks if max_pending_chunks is not None else 2 * threads
        logger.info("dask_dtm: %d worker threads at %s", threads, client.scheduler.address)
        return stream_dtm(source, executor=_DaskExecutor(client), max_pending_chunks=window, **options)
    finally:
        if own_client is not None:
            own_client.close()
        if own_cluster is not None:
            own_cluster.close()
