"""Merging chunk results in the parent process, with memory bounded by the vocabulary.

:class:`Accumulator` takes each :class:`~corpus_tools.streaming.chunks.ChunkResult` in order:
it maps the chunk's terms to global ids, appends the counts to files on disk, keeps the
chunk's docvars frames and writes tokens to Parquet row group by row group.
:func:`finish_matrix` then sorts the vocabulary, renumbers and sorts the cells block by block and
writes the matrix in the on-disk format of :mod:`corpus_tools.dtm` (through its public writers),
or assembles it in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..corpus.document import merge_docvars
from ..dtm.matrix import DocTermMatrix
from ..dtm.store import MATRIX_FILE, write_npz, write_sidecars
from ..tokens import sort_vocabulary
from ..units import unit_docvars
from .chunks import ChunkResult

__all__ = ["Accumulator", "finish_matrix", "read_blocks"]

#: Stored counts per block when the matrix is sorted and written (bounds the finishing memory).
_BLOCK_NNZ = 4_000_000
#: Chunks whose docvars frames are folded into one.
_CONSOLIDATE_CHUNKS = 64
#: Tokens buffered before a Parquet row group is written.
_ROW_GROUP_TOKENS = 1_000_000


class Accumulator:
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
        docvars = unit_docvars(units, doc_docvars)  # tokenize's join: the one rule
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


def read_blocks(path: Path, count: int) -> Callable[[], Iterator[np.ndarray]]:
    """Return a function that yields the ``count`` int32 values of ``path`` in blocks.

    :func:`corpus_tools.dtm.write_npz` takes such a function for an array too large to hold,
    and calls it when it writes that array.
    """

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



def finish_matrix(
    accumulator: Accumulator,
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
            "indices": (np.int32, nnz, read_blocks(work / "indices.i32", nnz)),
            "indptr": indptr.astype(index_dtype),
            "format": np.asarray(b"csr"),
            "shape": np.asarray(shape, dtype=np.int64),
            "data": (np.int32, nnz, read_blocks(work / "data.i32", nnz)),
        },
    )
    write_sidecars(
        staging, terms=terms, docvars=docvars, history=history, shape=shape, nnz=nnz, provenance=provenance
    )
    return len(terms), None
