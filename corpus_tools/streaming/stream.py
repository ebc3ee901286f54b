"""Streaming: read, clean, segment and count a corpus of any size without holding it in memory.

:func:`stream_dtm` does what ``dtm(tokenize(read_corpus(path), unit=...))`` does, document by
document: each chunk of documents is read, cleaned (:func:`corpus_tools.corpus.process_document`),
cut into units, segmented and counted in a worker process, and only compact results come back:
a term-count table per unit, the document's docvars and, when asked, its tokens as integer codes.
The parent grows the vocabulary (a ``dict`` term -> id), appends the counts to files on disk,
writes the tokens to Parquet row group by row group, and at the end sorts the vocabulary and
writes the matrix in the :class:`~corpus_tools.dtm.DocTermMatrix` folder layout. What stays in
memory is the vocabulary, the docvars and a bounded number of chunks in flight, so a corpus many
times the size of the machine's memory streams through.

This module owns the running of chunks with bounded memory and the output folder; where the
documents come from is :mod:`~corpus_tools.streaming.sources`, the per-chunk work
:mod:`~corpus_tools.streaming.chunks`, the merge :mod:`~corpus_tools.streaming.merge`. The same
per-chunk function, :func:`~corpus_tools.streaming.chunks.process_chunk`, runs on a Dask
cluster in :func:`corpus_tools.streaming.dask.dask_dtm`; any ``concurrent.futures``-style
executor can be passed to :func:`stream_dtm` as ``executor``.

Output folder
-------------
``out_dir`` holds the :class:`~corpus_tools.dtm.DocTermMatrix` layout (``dtm.json``,
``matrix.npz``, ``terms.parquet``, ``docvars.parquet``; see :mod:`corpus_tools.dtm`), so
``DocTermMatrix.load(out_dir)`` reads it, plus ``tokens.parquet`` when ``keep_tokens``: one row
per token, columns ``unit_id, doc_id, position`` (1-based within the unit), ``token`` and, with
``pos=True``, ``pos`` - the table of :meth:`corpus_tools.tokens.Tokens.to_frame`. In a notebook::

    counts = DocTermMatrix.load("work/stream")
    tokens = pandas.read_parquet("work/stream/tokens.parquet", filters=[("doc_id", "==", "a")])
"""

from __future__ import annotations

import collections
import json
import logging
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd

from ..dtm.matrix import DocTermMatrix
from ..dtm.store import check_output_folder, output_folder
from ..parallel import n_workers, worker_pool
from ..progress import progress as _progress
from ..tokens import Tokens
from ..units import Unit, check_unit
from .chunks import ChunkResult, count_units, process_chunk
from .merge import Accumulator, finish_matrix
from .sources import SourceDocument, chunked, read_source

__all__ = [
    "TOKENS_FILE", "ChunkResult", "Executor", "SourceDocument", "StreamResult", "count_units", "process_chunk",
    "stream_dtm",
]

logger = logging.getLogger(__name__)

#: Tokens table written beside the matrix when ``keep_tokens``.
TOKENS_FILE = "tokens.parquet"


# -- running chunks with bounded memory -------------------------------------------------------


class Executor(Protocol):
    """What :func:`stream_dtm` needs from an executor: ``submit`` returning a future."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any: ...


class _Done:
    """A future that is already resolved (the serial path)."""

    def __init__(self, value: Any) -> None:
        self._value = value

    def result(self) -> Any:
        return self._value

    def cancel(self) -> bool:
        return False


class _SerialExecutor:
    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> _Done:
        return _Done(fn(*args, **kwargs))


def _ordered_results(futures_from: Iterable[Any], window: int) -> Iterator[Any]:
    """Yield results in submission order, never holding more than ``window`` unconsumed futures.

    ``futures_from`` submits lazily (a generator), so the source is read only ``window`` chunks
    ahead of what has been merged: that is what bounds memory.
    """
    pending: collections.deque[Any] = collections.deque()
    try:
        for future in futures_from:
            pending.append(future)
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()



# -- the entry point --------------------------------------------------------------------------


@dataclass(frozen=True)
class StreamResult:
    """What :func:`stream_dtm` produced, and where.

    Attributes
    ----------
    out_dir : pathlib.Path or None
        The output folder, or None when the matrix was kept in memory.
    unit : str
    n_docs, n_units, n_tokens, n_terms, nnz : int
        Documents read, matrix rows, tokens counted, matrix columns, non-zero cells.
    n_bytes : int
        Bytes read (file sizes; UTF-8 size for texts given in memory).
    seconds : float
        Wall time.
    problems : tuple of corpus_tools.io.records.ReadProblem
        Inputs reading skipped, kept despite a problem, or ignored (with ``on_error="skip"``),
        as in :attr:`Corpus.problems <corpus_tools.corpus.Corpus.problems>`.
    """

    out_dir: Path | None
    unit: str
    n_docs: int
    n_units: int
    n_tokens: int
    n_terms: int
    nnz: int
    n_bytes: int
    seconds: float
    problems: tuple[Any, ...] = ()
    _matrix: DocTermMatrix | None = field(default=None, repr=False)

    @property
    def mb_per_second(self) -> float:
        """float: throughput in MB (10^6 bytes) read per second of wall time."""
        return self.n_bytes / 1e6 / self.seconds if self.seconds > 0 else float("inf")

    @property
    def tokens_path(self) -> Path | None:
        """pathlib.Path or None: ``tokens.parquet`` when tokens were kept."""
        if self.out_dir is None or not (self.out_dir / TOKENS_FILE).is_file():
            return None
        return self.out_dir / TOKENS_FILE

    def dtm(self) -> DocTermMatrix:
        """Return the document-term matrix (loaded from ``out_dir`` on each call when written there)."""
        if self._matrix is not None:
            return self._matrix
        return DocTermMatrix.load(self.out_dir)

    def tokens_frame(self, *, columns: list[str] | None = None, filters: Any = None) -> pd.DataFrame:
        """Read the tokens table (see the module docstring for its columns).

        Parameters
        ----------
        columns : list of str, optional
            Read only these columns.
        filters : optional
            Passed to ``pandas.read_parquet`` (e.g. ``[("doc_id", "==", "a")]``).

        Returns
        -------
        pandas.DataFrame
            Columns ``unit_id, doc_id, position, token`` (and ``pos``), in unit order.
        """
        if self.tokens_path is None:
            raise ValueError("no tokens were kept; run stream_dtm with out_dir=... and keep_tokens=True")
        return pd.read_parquet(self.tokens_path, columns=columns, filters=filters)

    def tokens(self):
        """Return the kept tokens as a :class:`~corpus_tools.tokens.Tokens` (all in memory).

        Returns
        -------
        Tokens
            The units, tokens (and tags) and docvars that ``tokenize`` would give.
        """
        import pyarrow.parquet as pq

        counts = self.dtm()
        if self.tokens_path is None:
            raise ValueError("no tokens were kept; run stream_dtm with out_dir=... and keep_tokens=True")
        tagged = "pos" in pq.read_schema(self.tokens_path).names
        frame = self.tokens_frame(columns=["token", "pos"] if tagged else ["token"])
        offsets = np.zeros(len(counts.docvars) + 1, dtype=np.int64)
        np.cumsum(counts.docvars["n_tokens"].to_numpy(dtype=np.int64), out=offsets[1:])
        codes, vocabulary = pd.factorize(frame["token"].to_numpy(dtype=object))
        pos_codes = pos_vocabulary = None
        if "pos" in frame.columns:
            pos_codes, pos_vocabulary = pd.factorize(frame["pos"].to_numpy(dtype=object))
        del frame
        return Tokens.from_codes(
            codes=codes,
            offsets=offsets,
            vocabulary=list(vocabulary),
            pos_codes=pos_codes,
            pos_vocabulary=None if pos_vocabulary is None else list(pos_vocabulary),
            docvars=counts.docvars.drop(columns="n_tokens"),
            unit=self.unit,
            history=counts.history,
        )


def stream_dtm(
    source: str | os.PathLike[str] | Mapping[str, str] | Iterable[tuple[str, str]],
    *,
    out_dir: str | os.PathLike[str] | None = None,
    unit: Unit = "document",
    pos: bool = False,
    metadata: str | os.PathLike[str] | None | Literal[False] = None,
    pattern: str | None = None,
    encoding: str | None = None,
    n_jobs: int | None = None,
    executor: Executor | None = None,
    chunk_size: int = 64,
    max_pending_chunks: int | None = None,
    keep_tokens: bool | None = None,
    overwrite: bool = False,
    engine: str | None = None,
    progress: bool = True,
    **read_options: Any,
) -> StreamResult:
    """Read, clean, segment and count a corpus chunk by chunk into a document-term matrix.

    Parameters
    ----------
    source : str, Path, mapping or iterable
        A folder of articles (or one file), read one document at a time exactly as
        :func:`~corpus_tools.corpus.read_corpus` reads it; a mapping ``doc_id -> raw text``
        (as :func:`~corpus_tools.corpus.corpus_from_texts`); or an iterable of
        ``(doc_id, raw text)`` pairs, consumed lazily, so a generator over a huge source works.
    out_dir : str or Path, optional
        Write the matrix (and tokens) here, in the layout of
        :meth:`DocTermMatrix.save <corpus_tools.dtm.DocTermMatrix.save>` plus
        ``tokens.parquet``. ``None`` keeps the matrix in memory and writes nothing.
    unit : {"document", "paragraph", "sentence"}, default "document"
        What one matrix row is, as in ``tokenize``.
    pos : bool, default False
        Segment with part-of-speech tags (stored in the tokens table as ``pos``).
    metadata : str, Path, None or False
        For a folder: a manifest, as in ``read_corpus`` (``None``: ``metadata.csv`` when it
        exists; ``False``: none). Not for texts.
    pattern : str, optional
        Files to read from a folder, as in ``read_corpus``.
    encoding : str, optional
        Decode every file with this codec instead of detecting it.
    n_jobs : int, optional
        Worker processes, as everywhere (:func:`corpus_tools.parallel.n_workers`): ``None``
        decides by size, and a stream's size is not known before it is read, so ``None`` or 1
        works in this process; ``-1`` uses every core, ``k`` that many processes.
    executor : concurrent.futures.Executor or similar, optional
        Run chunks on this instead (anything with ``submit(fn, *args, **kwargs)`` returning a
        future with ``result()``: a ``ProcessPoolExecutor``, a Dask ``Client`` …). Not with
        ``n_jobs``.
    chunk_size : int, default 64
        Documents per chunk: the unit of work sent to a worker.
    max_pending_chunks : int, optional
        Chunks submitted but not yet merged, at most; default twice the number of workers
        (4 for an ``executor``, 1 when working in this process). With ``chunk_size`` it
        bounds how far ahead of the merge the source is read.
    keep_tokens : bool, optional
        Write ``tokens.parquet``. Default: True when ``out_dir`` is given; needs ``out_dir``.
    overwrite : bool, default False
        Replace an existing non-empty ``out_dir`` (one that holds a saved matrix).
    engine : str, optional
        Segmentation engine, as for :func:`corpus_tools.segment.get_segmenter`
        (``"auto"``, ``"jieba"`` or ``"rjieba"``); ``None`` means ``"auto"``.
    progress : bool, default True
        Report progress (documents) with :func:`corpus_tools.progress.progress`.
    **read_options
        Further options of ``read_corpus`` for a folder (``on_error``, ``format``,
        ``text_column`` …).

    Returns
    -------
    StreamResult
        Sizes, timing and, through ``.dtm()``, the :class:`~corpus_tools.dtm.DocTermMatrix`.

    Raises
    ------
    FileExistsError
        When ``out_dir`` is a file, or a non-empty folder and ``overwrite`` is False (or holds
        no saved matrix); the message names the folder. Checked before any work.
    CorpusReadError
        As ``read_corpus``: missing folder, no files, a file that cannot be decoded or is empty.

    Notes
    -----
    The result equals ``dtm(tokenize(read_corpus(source, metadata=...), unit=unit))``: the same
    rows in the same order with the same docvars (``n_tokens`` included), the same terms in
    the same (code-point) order, the same counts. Terms are numbered in order of first
    appearance while streaming and sorted once at the end, block by block on disk.

    Output is written to a hidden sibling of ``out_dir`` and renamed into place only when
    complete, so an interrupted run never leaves a half-written folder where a good one was.

    Memory is bounded by the vocabulary, the docvars (one small row per document), and
    ``max_pending_chunks`` chunks; matrix cells and tokens go to disk as they arrive. Counts
    are stored as 32-bit integers.

    Examples
    --------
    >>> result = stream_dtm({"a": "学史明理，学史增信。", "b": "学史明理。"}, progress=False)
    >>> counts = result.dtm()
    >>> counts.terms, counts.matrix.toarray().tolist()
    (('。', '学史增信', '学史明理', '，'), [[1, 1, 1, 1], [1, 0, 1, 0]])
    """
    started = time.perf_counter()
    check_unit(unit)
    if int(chunk_size) != chunk_size or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive number of documents, got {chunk_size!r}")
    if keep_tokens is None:
        keep_tokens = out_dir is not None
    if keep_tokens and out_dir is None:
        raise ValueError("keep_tokens=True needs out_dir: tokens are written to <out_dir>/tokens.parquet")
    if executor is not None and n_jobs is not None:
        raise ValueError("pass either n_jobs or executor, not both")
    if out_dir is not None:
        check_output_folder(Path(out_dir), overwrite=overwrite)  # fail before hours of work

    reading = read_source(source, metadata=metadata, pattern=pattern, encoding=encoding, read_options=read_options)
    documents, total, source_label = reading.documents, reading.total, reading.label

    workers = n_workers(n_jobs, 0, None)  # None: one process (stream_dtm is asked, not guessed)
    own_pool = None
    if executor is None and workers > 1:
        # spawn: workers start clean (no copy of this process's memory or threads) and load the
        # segmenter once each.
        own_pool = worker_pool(workers, multiprocessing.get_context("spawn"))
        executor = own_pool
    elif executor is None:
        executor = _SerialExecutor()
    if max_pending_chunks is None:
        window = 1 if isinstance(executor, _SerialExecutor) else 2 * (workers if own_pool is not None else 2)
    elif int(max_pending_chunks) != max_pending_chunks or max_pending_chunks < 1:
        raise ValueError(f"max_pending_chunks must be a positive number of chunks, got {max_pending_chunks!r}")
    else:
        window = int(max_pending_chunks)
    options = {"unit": unit, "pos": pos, "keep_tokens": keep_tokens, "engine": engine}
    metadata_label = (
        "inferred" if metadata is False or not isinstance(source, (str, os.PathLike))
        else "manifest" if metadata is not None or (Path(source) / "metadata.csv").is_file()
        else "inferred"
    )

    def submissions() -> Iterator[Any]:
        for chunk in chunked(documents, chunk_size):
            yield executor.submit(process_chunk, chunk, **options)

    def merged(accumulator: Accumulator) -> Iterator[str]:
        for result in _ordered_results(submissions(), window):
            accumulator.add(result)
            yield from result.doc_ids

    _remove_stale_staging(Path(out_dir) if out_dir is not None else None)
    staging_context = (
        output_folder(out_dir, overwrite=overwrite)
        if out_dir is not None
        else tempfile.TemporaryDirectory(prefix=_TEMP_PREFIX)
    )
    try:
        with staging_context as staging_name:
            staging = Path(staging_name)
            work = staging / ".work"
            work.mkdir()
            _write_owner(work)
            accumulator = Accumulator(
                work, unit=unit, tokens_path=staging / TOKENS_FILE if keep_tokens else None, pos=pos
            )
            try:
                for _ in _progress(merged(accumulator), desc="stream_dtm", total=total, unit="doc", enabled=progress):
                    pass
            finally:
                accumulator.close_files()
            if own_pool is not None:
                own_pool.shutdown()
            n_terms, matrix = finish_matrix(
                accumulator,
                staging=staging if out_dir is not None else None,
                history=(
                    f"stream_dtm({source_label!r}, metadata={metadata_label}, unit={unit!r}, pos={pos}, "
                    f"hmm=False, segmenter={accumulator.segmenter})",
                ),
                provenance={
                    "source": source_label,
                    "metadata": metadata_label,
                    "unit": unit,
                    "pos": pos,
                    "segmenter": accumulator.segmenter,
                    "chunk_size": int(chunk_size),
                    "executor": f"ProcessPoolExecutor({workers})" if own_pool is not None else type(executor).__name__,
                    "n_docs": accumulator.n_docs,
                    "n_bytes": accumulator.n_bytes,
                    "n_tokens": accumulator.total_tokens,
                    "n_problems": len(reading.problems),
                },
            )
            shutil.rmtree(work, ignore_errors=True)
    finally:
        if own_pool is not None:
            own_pool.shutdown(cancel_futures=True)
    seconds = time.perf_counter() - started
    logger.info(
        "stream_dtm: %d documents (%.1f MB) -> %d %s rows x %d terms in %.1f s (%.2f MB/s)",
        accumulator.n_docs,
        accumulator.n_bytes / 1e6,
        accumulator.n_units,
        unit,
        n_terms,
        seconds,
        accumulator.n_bytes / 1e6 / seconds if seconds else float("inf"),
    )
    return StreamResult(
        out_dir=Path(out_dir) if out_dir is not None else None,
        unit=unit,
        n_docs=accumulator.n_docs,
        n_units=accumulator.n_units,
        n_tokens=accumulator.total_tokens,
        n_terms=n_terms,
        nnz=accumulator.nnz,
        n_bytes=accumulator.n_bytes,
        seconds=seconds,
        problems=tuple(reading.problems),
        _matrix=matrix,
    )


_TEMP_PREFIX = "corpus_tools-stream-"
_OWNER_FILE = "owner.json"


def _process_started(pid: int) -> float | None:
    """The start time of process ``pid``, or None when there is no such process."""
    import psutil

    try:
        return psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return None
    except psutil.Error:
        return -1.0  # exists, but cannot be inspected: treat as alive


def _write_owner(work: Path) -> None:
    """Record which process owns a staging folder, so a later run can tell a dead run's leftovers."""
    import socket

    owner = {"pid": os.getpid(), "host": socket.gethostname(), "started": _process_started(os.getpid())}
    (work / _OWNER_FILE).write_text(json.dumps(owner), encoding="utf-8")


def _remove_stale_staging(out_dir: Path | None) -> None:
    """Delete staging folders that runs killed mid-way (``kill -9``, out of memory) left behind.

    Such a run cannot clean up after itself: its staging folder (``.<out_dir>.partial-*`` beside
    the output, or ``corpus_tools-stream-*`` in the temporary folder) stays, with its partial
    matrix and tokens. A folder is removed only when its owner file names a process on this
    host that no longer runs (or a new process that reuses its id); a running stream's
    folder, another host's, or one without an owner file is left alone.
    """
    import socket

    candidates = list(Path(tempfile.gettempdir()).glob(f"{_TEMP_PREFIX}*"))
    if out_dir is not None and out_dir.parent.is_dir():
        candidates += list(out_dir.parent.glob(f".{out_dir.name}.partial-*"))
    host = socket.gethostname()
    for folder in candidates:
        try:
            owner = json.loads((folder / ".work" / _OWNER_FILE).read_text(encoding="utf-8"))
            pid, started = int(owner["pid"]), owner.get("started")
            if owner.get("host") != host:
                continue
        except (OSError, ValueError, KeyError, TypeError):
            continue
        now_started = _process_started(pid)
        if now_started is None or (started is not None and now_started not in (-1.0, started)):
            logger.warning("stream_dtm: removing %s, left by an interrupted run (process %d)", folder, pid)
            shutil.rmtree(folder, ignore_errors=True)

