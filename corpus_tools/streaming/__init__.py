"""Streaming and scale-out: the read → clean → segment → count stage without holding the corpus.

The in-memory pipeline (``dtm(tokenize(read_corpus(path)))``) chunked and accumulated: every
step on a chunk is the in-memory path's own function; this package only cuts the source into
chunks, runs them (in this process, a process pool, any executor or a Dask cluster) and merges
the results into the on-disk format of :mod:`corpus_tools.dtm`.

Modules
-------
sources
    Documents from a folder (read as ``read_corpus`` reads it) or from texts, in chunks.
chunks
    The per-chunk work run in a worker: :func:`process_chunk`, :func:`count_units`.
merge
    Merging chunk results in order, with bounded memory, and writing the matrix.
stream
    :func:`stream_dtm`, its executors and its output folder; :class:`StreamResult`.
dask
    :func:`dask_dtm`: :func:`stream_dtm` on a Dask cluster.
"""

from ..units import Unit
from .chunks import ChunkResult, count_units, process_chunk
from .dask import dask_dtm
from .sources import SourceDocument
from .stream import TOKENS_FILE, Executor, StreamResult, stream_dtm

__all__ = [
    "TOKENS_FILE",
    "ChunkResult",
    "Executor",
    "SourceDocument",
    "StreamResult",
    "Unit",
    "count_units",
    "dask_dtm",
    "process_chunk",
    "stream_dtm",
]
