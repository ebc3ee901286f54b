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

The same per-chunk function, :func:`process_chunk`, runs on a Dask cluster in
:func:`corpus_tools.scaleout.dask_dtm`; any ``concurrent.futures``-style executor can be passed
to :func:`stream_dtm` as ``executor``.

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
from itertools import islice
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd
import scipy.sparse as sp

from . import readers
from .corpus import merge_docvars, process_document
from .dtm import (
    MATRIX_FILE,
    DocTermMatrix,
    check_output_folder,
    count_codes,
    output_folder,
    write_npz,
    write_sidecars,
)
from .parallel import n_workers, worker_pool
from .progress import progress as _progress
from .structure import split_sentences
from .tokens import Tokens, encode_tokens, sort_vocabulary

__all__ = ["ChunkResult", "SourceDocument", "StreamResult", "count_units", "process_chunk", "stream_dtm"]

logger = logging.getLogger(__name__)

Unit = Literal["document", "paragraph", "sentence"]
_UNITS: tuple[str, ...] = ("document", "paragraph", "sentence")

#: Tokens table written beside the matrix when ``keep_tokens``.
TOKENS_FILE = "tokens.parquet"
#: Stored counts per block when the matrix is sorted and written (bounds the finishing memory).
_BLOCK_NNZ = 4_000_000
#: Chunks whose docvars frames are folded into one.
_CONSOLIDATE_CHUNKS = 64
#: Tokens buffered before a Parquet row group is written.
_ROW_GROUP_TOKENS = 1_000_000


# -- sources ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceDocument:
    """One document to process, its text already read.

    Parameters
    ----------
    doc_id : str
    text : str
        The raw text as read (decoded, not cleaned).
    read_info : dict, optional
        The docvars reading adds (``file``, ``encoding`` …); by default those of a text given
        in memory.
    docvars : dict, optional
        Docvars the source states (manifest, table columns …): ``given`` in the corpus merge.
    origin : dict, optional
        Where each stated docvar came from (``manifest``, ``table`` …).
    """

    doc_id: str
    text: str
    read_info: Mapping[str, object] | None = None
    docvars: Mapping[str, str] = field(default_factory=dict)
    origin: Mapping[str, str] = field(default_factory=dict)

    def read(self) -> tuple[str, dict[str, object], int]:
        """Return ``(raw text, read info, size in bytes of the UTF-8 text)``."""
        info = dict(self.read_info) if self.read_info is not None else dict(_IN_MEMORY_READ_INFO)
        return self.text, info, len(self.text.encode("utf-8"))


#: What ``corpus_from_texts`` records for a text given in memory.
_IN_MEMORY_READ_INFO: Mapping[str, object] = {
    "file": "", "format": "in-memory", "row": None, "source": "", "encoding": "",
    "encoding_method": "in-memory", "sha256": "",
}


@dataclass
class _Source:
    documents: Iterable[SourceDocument]
    total: int | None
    label: str
    problems: list[Any] = field(default_factory=list)


def _read_source(
    source: Any,
    *,
    metadata: str | os.PathLike[str] | None | Literal[False],
    pattern: str | None,
    encoding: str | None,
    read_options: Mapping[str, Any],
) -> _Source:
    """Turn what the caller passed into documents in corpus order: the one place that reads.

    A folder (or file) goes through :func:`corpus_tools.readers.iter_documents` exactly as
    ``read_corpus`` reads it.
    """
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        result = _Source([], None, str(path))

        def documents() -> Iterator[SourceDocument]:
            for item in readers.iter_documents(
                path, metadata=metadata, encoding=encoding, pattern=pattern, **read_options
            ):
                if isinstance(item, readers.RawDocument):
                    yield SourceDocument(
                        item.doc_id,
                        text=item.raw_text,
                        read_info=dict(item.read_info),
                        docvars=dict(item.docvars),
                        origin=dict(item.docvar_origin),
                    )
                else:
                    result.problems.append(item)

        result.documents = documents()
        return result
    if metadata not in (None, False) or read_options or pattern is not None or encoding is not None:
        raise ValueError("metadata, pattern, encoding and reading options apply to a folder; not to texts")
    if isinstance(source, Mapping):
        return _Source(_text_documents(source), len(source), f"<{len(source)} texts>")
    return _Source(_text_documents(source), None, f"<{type(source).__name__} of texts>")


def _text_documents(texts: Mapping[str, str] | Iterable[tuple[str, str]]) -> Iterator[SourceDocument]:
    items = texts.items() if isinstance(texts, Mapping) else texts
    for item in items:
        if isinstance(item, SourceDocument):
            yield item
            continue
        doc_id, text = item
        if not isinstance(text, str):
            raise TypeError(f"document {doc_id!r}: text must be a str, not {type(text).__name__}")
        yield SourceDocument(str(doc_id), text=text)


# -- the per-chunk work -----------------------------------------------------------------------


@dataclass
class ChunkResult:
    """What one chunk of documents sends back: counts and docvars, tokens only as codes.

    Attributes
    ----------
    doc_ids : list of str
    inferred : list of dict
        Per document, :attr:`ProcessedDocument.inferred <corpus_tools.corpus.ProcessedDocument>`.
    info : list of dict
        Per document, what reading found (``file``, ``encoding``, ``encoding_method``,
        ``sha256`` …).
    given, origin : list of dict
        Per document, the docvars its source states and where each came from.
    n_bytes : int
        Size of the documents as read (file bytes, or UTF-8 bytes of in-memory texts).
    units : dict of str to list
        Per unit: ``unit_id``, ``doc_id`` and, for finer units, ``para_no``, ``sent_no``,
        ``section``.
    vocab : list of str
        The chunk's terms, numbered in order of first appearance.
    unit_nnz : numpy.ndarray of int32
        Distinct terms per unit; the unit's entries of ``cols`` and ``vals`` follow in order.
    cols, vals : numpy.ndarray of int32
        Term (index into ``vocab``) and count of every non-zero cell, unit by unit.
    n_tokens : numpy.ndarray of int64
        Tokens per unit.
    token_codes : numpy.ndarray of int32, optional
        Every token as an index into ``vocab``, unit by unit (only when tokens are kept).
    pos_vocab : list of str, optional
    pos_codes : numpy.ndarray of int32, optional
        Part-of-speech tags, likewise (only with ``pos=True`` and kept tokens).
    segmenter : str
        ``repr`` of the segmenter used, for the provenance record.
    """

    doc_ids: list[str]
    inferred: list[dict[str, object]]
    info: list[dict[str, object]]
    given: list[dict[str, object]]
    origin: list[dict[str, object]]
    n_bytes: int
    units: dict[str, list[Any]]
    vocab: list[str]
    unit_nnz: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    n_tokens: np.ndarray
    token_codes: np.ndarray | None = None
    pos_vocab: list[str] | None = None
    pos_codes: np.ndarray | None = None
    segmenter: str = ""


def _segmenter(engine: str | None):
    from .segment import get_segmenter

    return get_segmenter(hmm=False, engine=engine or "auto")


def _units_of(doc_id: str, doc, unit: str) -> Iterator[tuple[str, tuple[Any, ...], str]]:
    """Yield ``(unit_id, unit columns, text)`` exactly as ``Corpus.units(unit)`` numbers them."""
    if unit == "document":
        yield doc_id, (), doc.body
        return
    body = [row for row in doc.block_rows if row.kind == "body"]
    for para_no, row in enumerate(body, start=1):
        section, text = row.section, row.text
        para_id = f"{doc_id}:p{para_no:03d}"
        if unit == "paragraph":
            yield para_id, (para_no, section), text
        else:
            for sent_no, sentence in enumerate(split_sentences(text), start=1):
                yield f"{para_id}:s{sent_no:02d}", (para_no, sent_no, section), sentence


def _unit_columns(unit: str) -> tuple[str, ...]:
    return {"document": (), "paragraph": ("para_no", "section"), "sentence": ("para_no", "sent_no", "section")}[unit]


def count_units(
    words: list[list[str]],
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Count the tokens of each unit against a vocabulary local to these units.

    Parameters
    ----------
    words : list of list of str
        One token list per unit.

    Returns
    -------
    vocab : list of str
        The distinct tokens, numbered in order of first appearance.
    codes : numpy.ndarray of int32
        Every token as an index into ``vocab``, unit by unit.
    unit_nnz : numpy.ndarray of int32
        Distinct tokens per unit.
    cols, vals : numpy.ndarray of int32
        Token (index into ``vocab``) and count of each (unit, token) pair, unit by unit and
        by ``vocab`` index within a unit.
    lengths : numpy.ndarray of int64
        Tokens per unit.

    Examples
    --------
    >>> vocab, codes, unit_nnz, cols, vals, lengths = count_units([["党史", "群众", "党史"], ["群众"]])
    >>> vocab, unit_nnz.tolist(), cols.tolist(), vals.tolist(), lengths.tolist()
    (['党史', '群众'], [2, 1], [0, 1, 1], [2, 1, 1], [3, 1])
    """
    # The in-memory path's two steps, on this chunk: code the words (Tokens' encoding), then count
    # the codes (dtm's counting function). Only the vocabulary is local to the chunk.
    codes, lengths, vocabulary = encode_tokens(words)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    counts = count_codes(codes, offsets, len(vocabulary))
    return (
        list(vocabulary),
        codes,
        np.diff(counts.indptr).astype(np.int32),
        counts.indices.astype(np.int32),
        counts.data.astype(np.int32),
        lengths,
    )


def process_chunk(
    documents: list[SourceDocument],
    *,
    unit: Unit = "document",
    pos: bool = False,
    keep_tokens: bool = False,
    engine: str | None = None,
) -> ChunkResult:
    """Read, clean, segment and count one chunk of documents.

    Per document this does what the in-memory path does: ``process_document`` (cleaning,
    blocks, inferred docvars), the units of ``Corpus.units(unit)``, the default segmenter
    (``hmm=False``) as in ``tokenize``, and a count of every token, punctuation included, as in
    ``dtm``.

    Parameters
    ----------
    documents : list of SourceDocument
    unit : {"document", "paragraph", "sentence"}, default "document"
    pos : bool, default False
        Segment with part-of-speech tags (``Segmenter.cut_pos``), as ``tokenize(pos=True)``.
    keep_tokens : bool, default False
        Also return every token as a code, for the tokens table.
    engine : str, optional
        Segmentation engine passed to ``get_segmenter`` when it takes one.

    Returns
    -------
    ChunkResult

    Examples
    --------
    >>> result = process_chunk([SourceDocument("a", text="学史明理，学史明理。")])
    >>> dict(zip([result.vocab[c] for c in result.cols], result.vals.tolist()))
    {'学史明理': 2, '，': 1, '。': 1}
    """
    if unit not in _UNITS:
        raise ValueError(f"unit must be one of {_UNITS}, got {unit!r}")
    segmenter = _segmenter(engine)
    doc_ids: list[str] = []
    inferred: list[dict[str, object]] = []
    infos: list[dict[str, object]] = []
    given: list[dict[str, object]] = []
    origin: list[dict[str, object]] = []
    n_bytes = 0
    unit_ids: list[str] = []
    unit_docs: list[str] = []
    unit_extra: list[tuple[Any, ...]] = []
    words: list[list[str]] = []
    tags: list[list[str]] = []
    for document in documents:
        raw, info, size = document.read()
        doc = process_document(document.doc_id, raw)
        doc_ids.append(document.doc_id)
        inferred.append(doc.inferred)
        infos.append(info)
        given.append(dict(document.docvars))
        origin.append(dict(document.origin))
        n_bytes += size
        for unit_id, extra, text in _units_of(document.doc_id, doc, unit):
            unit_ids.append(unit_id)
            unit_docs.append(document.doc_id)
            unit_extra.append(extra)
            if pos:
                pairs = segmenter.cut_pos(text)
                words.append([word for word, _ in pairs])
                tags.append([tag for _, tag in pairs])
            else:
                words.append(segmenter.cut(text))

    vocab, codes, unit_nnz, cols, vals, lengths = count_units(words)
    columns: dict[str, list[Any]] = {"unit_id": unit_ids, "doc_id": unit_docs}
    for position, name in enumerate(_unit_columns(unit)):
        columns[name] = [extra[position] for extra in unit_extra]
    result = ChunkResult(
        doc_ids=doc_ids,
        inferred=inferred,
        info=infos,
        given=given,
        origin=origin,
        n_bytes=n_bytes,
        units=columns,
        vocab=vocab,
        unit_nnz=unit_nnz,
        cols=cols,
        vals=vals,
        n_tokens=lengths,
        segmenter=repr(segmenter),
    )
    if keep_tokens:
        result.token_codes = codes.astype(np.int32)
        if pos:
            tag_codes, _, tag_vocabulary = encode_tokens(tags)
            result.pos_codes = tag_codes
            result.pos_vocab = list(tag_vocabulary)
    return result


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


def _chunks(documents: Iterable[SourceDocument], size: int) -> Iterator[list[SourceDocument]]:
    iterator = iter(documents)
    seen: set[str] = set()
    while chunk := list(islice(iterator, size)):
        for document in chunk:
            if document.doc_id in seen:
                raise ValueError(f"duplicate doc_id {document.doc_id!r}; every document needs its own id")
            seen.add(document.doc_id)
        yield chunk


# -- merging ----------------------------------------------------------------------------------


class _Accumulator:
    """Merge chunk results in order: vocabulary in memory, counts and tokens on disk."""

    def __init__(self, work: Path, *, unit: str, tokens_path: Path | None, pos: bool) -> None:
        self.unit = unit
        self.pos = pos
        self.work = work
        self.vocabulary: dict[str, int] = {}
        self._row_nnz = open(work / "row_nnz.i32", "wb")
        self._cols = open(work / "cols.i32", "wb")
        self._vals = open(work / "vals.i32", "wb")
        # Per chunk, the frames read_corpus builds for the whole corpus (see corpus._assemble):
        # inferred docvars, read info, stated docvars, their origin, and the units.
        self._frames: list[list[pd.DataFrame]] = [[], [], [], [], []]
        self._n_pending = 0
        self.n_tokens: list[np.ndarray] = []
        self.n_docs = self.n_units = self.total_tokens = self.nnz = self.n_bytes = 0
        self.segmenter = ""
        self.tokens_path = tokens_path
        self._writer = None
        self._buffer: list[Any] = []
        self._buffered = 0

    def add(self, result: ChunkResult) -> None:
        vocabulary = self.vocabulary
        # setdefault reads len() before inserting, so a new term gets the next id.
        to_global = np.fromiter(
            (vocabulary.setdefault(term, len(vocabulary)) for term in result.vocab),
            dtype=np.int32,
            count=len(result.vocab),
        )
        self._row_nnz.write(result.unit_nnz.astype(np.int32).tobytes())
        self._cols.write(to_global[result.cols].tobytes())
        self._vals.write(result.vals.astype(np.int32).tobytes())
        index = pd.Index(result.doc_ids, name="doc_id")
        chunk_frames = (
            pd.DataFrame(result.inferred, index=index),
            pd.DataFrame(result.info, index=index),
            pd.DataFrame(result.given, index=index, dtype=object),
            pd.DataFrame(result.origin, index=index, dtype=object),
            self._unit_frame(result.units),
        )
        for frames, frame in zip(self._frames, chunk_frames):
            frames.append(frame)
        self._n_pending += 1
        if self._n_pending >= _CONSOLIDATE_CHUNKS:
            # Thousands of small DataFrames cost far more memory than their rows: fold the recent
            # ones into one (concatenation is associative, so the result is unchanged).
            for frames in self._frames:
                frames[-self._n_pending :] = [pd.concat(frames[-self._n_pending :])]
            self._n_pending = 0
        self.n_tokens.append(result.n_tokens)
        if self.tokens_path is not None:
            self._add_tokens(result)
        self.n_docs += len(result.doc_ids)
        self.n_units += len(result.n_tokens)
        self.total_tokens += int(result.n_tokens.sum())
        self.nnz += len(result.cols)
        self.n_bytes += result.n_bytes
        self.segmenter = self.segmenter or result.segmenter

    def _unit_frame(self, units: dict[str, list[Any]]) -> pd.DataFrame:
        # Built as Corpus.units() builds them, so the dtypes agree with the in-memory path.
        index = pd.Index(units["unit_id"], name="unit_id")
        if self.unit == "document":
            return pd.DataFrame({"doc_id": pd.Index(units["doc_id"], name="doc_id")}, index=index)
        if self.unit == "paragraph":
            return pd.DataFrame(
                {
                    "doc_id": np.asarray(units["doc_id"], dtype=object),
                    "para_no": np.asarray(units["para_no"], dtype=np.int64),
                    "section": np.asarray(units["section"], dtype=object),
                },
                index=index,
            )
        rows = list(zip(units["unit_id"], units["doc_id"], units["para_no"], units["sent_no"], units["section"]))
        frame = pd.DataFrame(rows, columns=["unit_id", "doc_id", "para_no", "sent_no", "section"])
        return frame.set_index("unit_id")

    def _add_tokens(self, result: ChunkResult) -> None:
        import pyarrow as pa

        lengths = result.n_tokens
        total = int(lengths.sum())
        unit_of = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths)
        starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        columns = {
            "unit_id": pa.array(result.units["unit_id"], type=pa.string()).take(unit_of),
            "doc_id": pa.array(result.units["doc_id"], type=pa.string()).take(unit_of),
            "position": pa.array((np.arange(total, dtype=np.int64) - starts + 1).astype(np.int32)),
            "token": pa.array(result.vocab, type=pa.string()).take(result.token_codes),
        }
        if self.pos:
            columns["pos"] = pa.array(result.pos_vocab, type=pa.string()).take(result.pos_codes)
        self._buffer.append(pa.table(columns))
        self._buffered += total
        if self._buffered >= _ROW_GROUP_TOKENS:
            self._flush_tokens()

    def _flush_tokens(self, *, final: bool = False) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._writer is None and (self._buffer or final):
            fields = [("unit_id", pa.string()), ("doc_id", pa.string()), ("position", pa.int32()), ("token", pa.string())]
            if self.pos:
                fields.append(("pos", pa.string()))
            self._writer = pq.ParquetWriter(self.tokens_path, pa.schema(fields), compression="zstd")
        if self._buffer:
            table = pa.concat_tables(self._buffer)
            self._writer.write_table(table, row_group_size=max(len(table), 1))
            self._buffer, self._buffered = [], 0

    def close_files(self) -> None:
        for handle in (self._row_nnz, self._cols, self._vals):
            handle.close()
        if self.tokens_path is not None:
            self._flush_tokens(final=True)
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    # -- finishing --------------------------------------------------------------------------

    def docvars(self) -> pd.DataFrame:
        """Return the unit docvars exactly as ``dtm(tokenize(read_corpus(...)))`` has them."""
        if self._frames[0]:
            *frames, units = [pd.concat(parts) for parts in self._frames]
        else:
            empty = pd.DataFrame(index=pd.Index([], name="doc_id"))
            frames = [empty, empty, empty, empty]
            units = pd.DataFrame({"doc_id": []}, index=pd.Index([], name="unit_id"))
        self._frames = [[], [], [], [], []]
        doc_docvars = merge_docvars(*frames)
        del frames
        # As tokens._unit_docvars: the unit's own columns win over same-named document columns.
        unit_columns = list(units.columns)
        doc_columns = [column for column in doc_docvars.columns if column not in unit_columns]
        docvars = units[unit_columns].join(doc_docvars[doc_columns], on="doc_id")
        docvars.index.name = "unit_id"
        docvars["n_tokens"] = np.concatenate(self.n_tokens) if self.n_tokens else np.zeros(0, dtype=np.int64)
        return docvars

    def sorted_terms(self) -> tuple[list[str], np.ndarray]:
        """Return the terms in code-point order (as ``dtm`` orders them) and old id -> new id."""
        terms, new_id = sort_vocabulary(list(self.vocabulary))
        return terms.tolist(), new_id

    def write_sorted_matrix(self, new_id: np.ndarray) -> np.ndarray:
        """Renumber columns, sort each row's entries, write them to disk; return ``indptr``.

        Works block by block (at most ``_BLOCK_NNZ`` cells at a time), so the finished matrix is
        never held in memory.
        """
        row_nnz = np.fromfile(self.work / "row_nnz.i32", dtype=np.int32)
        indptr = np.zeros(len(row_nnz) + 1, dtype=np.int64)
        np.cumsum(row_nnz, out=indptr[1:])
        n_terms = len(new_id)
        with (
            open(self.work / "cols.i32", "rb") as cols_in,
            open(self.work / "vals.i32", "rb") as vals_in,
            open(self.work / "indices.i32", "wb") as cols_out,
            open(self.work / "data.i32", "wb") as vals_out,
        ):
            start = 0
            while start < len(row_nnz):
                # The largest run of rows from `start` whose cells fit in one block (at least one row).
                stop = int(np.searchsorted(indptr, indptr[start] + _BLOCK_NNZ, side="right")) - 1
                stop = min(max(stop, start + 1), len(row_nnz))
                count = int(indptr[stop] - indptr[start])
                cols = new_id[np.fromfile(cols_in, dtype=np.int32, count=count)]
                vals = np.fromfile(vals_in, dtype=np.int32, count=count)
                block = sp.csr_matrix(
                    (vals, cols, (indptr[start : stop + 1] - indptr[start])), shape=(stop - start, n_terms)
                )
                block.sort_indices()
                cols_out.write(block.indices.astype(np.int32).tobytes())
                vals_out.write(block.data.astype(np.int32).tobytes())
                start = stop
        return indptr


def _read_blocks(path: Path, count: int) -> Callable[[], Iterator[np.ndarray]]:
    def blocks() -> Iterator[np.ndarray]:
        with open(path, "rb") as handle:
            left = count
            while left > 0:
                block = np.fromfile(handle, dtype=np.int32, count=min(left, _BLOCK_NNZ))
                if not len(block):
                    raise RuntimeError(f"{path}: ended {left} values early")
                left -= len(block)
                yield block

    return blocks


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
    problems : tuple of corpus_tools.readers.ReadProblem
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
        Worker processes; ``None`` or 1 works in this process, ``-1`` uses every core.
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
    if unit not in _UNITS:
        raise ValueError(f"unit must be one of {_UNITS}, got {unit!r}")
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

    reading = _read_source(source, metadata=metadata, pattern=pattern, encoding=encoding, read_options=read_options)
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
        for chunk in _chunks(documents, chunk_size):
            yield executor.submit(process_chunk, chunk, **options)

    def merged(accumulator: _Accumulator) -> Iterator[str]:
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
            accumulator = _Accumulator(
                work, unit=unit, tokens_path=staging / TOKENS_FILE if keep_tokens else None, pos=pos
            )
            try:
                for _ in _progress(merged(accumulator), desc="stream_dtm", total=total, unit="doc", enabled=progress):
                    pass
            finally:
                accumulator.close_files()
            if own_pool is not None:
                own_pool.shutdown()
            n_terms, matrix = _finish(
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


def _finish(
    accumulator: _Accumulator,
    *,
    staging: Path | None,
    history: tuple[str, ...],
    provenance: dict[str, Any],
) -> tuple[int, DocTermMatrix | None]:
    """Build the docvars, sort the vocabulary, write the matrix (or assemble it in memory)."""
    docvars = accumulator.docvars()
    terms, new_id = accumulator.sorted_terms()
    accumulator.vocabulary = {}
    indptr = accumulator.write_sorted_matrix(new_id)
    del new_id
    nnz = int(indptr[-1])
    shape = (len(indptr) - 1, len(terms))
    work = accumulator.work
    if staging is None:
        matrix = sp.csr_matrix(
            (
                np.fromfile(work / "data.i32", dtype=np.int32),
                np.fromfile(work / "indices.i32", dtype=np.int32),
                indptr,
            ),
            shape=shape,
        )
        return len(terms), DocTermMatrix(matrix=matrix, terms=tuple(terms), docvars=docvars, history=history)
    index_dtype = np.int32 if nnz < np.iinfo(np.int32).max else np.int64
    write_npz(
        staging / MATRIX_FILE,
        {
            "indices": (np.int32, nnz, _read_blocks(work / "indices.i32", nnz)),
            "indptr": indptr.astype(index_dtype),
            "format": np.asarray(b"csr"),
            "shape": np.asarray(shape, dtype=np.int64),
            "data": (np.int32, nnz, _read_blocks(work / "data.i32", nnz)),
        },
    )
    write_sidecars(
        staging, terms=terms, docvars=docvars, history=history, shape=shape, nnz=nnz, provenance=provenance
    )
    return len(terms), None
