"""Tests for corpus_tools.streaming.merge: chunks merged into one vocabulary and one sorted matrix."""

from __future__ import annotations

import numpy as np
import pytest

from corpus_tools.streaming import merge
from corpus_tools.streaming.chunks import ChunkResult
from corpus_tools.streaming.merge import Accumulator, read_blocks


def _chunk(doc_id: str, vocab: list[str], rows: list[dict[str, int]]) -> ChunkResult:
    """A chunk of one document whose units count ``rows`` (term -> count), built by hand."""
    index = {term: i for i, term in enumerate(vocab)}
    cols = [index[t] for row in rows for t in row]
    vals = [c for row in rows for c in row.values()]
    return ChunkResult(
        doc_ids=[doc_id], inferred=[{}], info=[{}], given=[{}], origin=[{}], n_bytes=3,
        units={"unit_id": [f"{doc_id}:p{i:03d}" for i in range(1, len(rows) + 1)], "doc_id": [doc_id] * len(rows),
               "para_no": list(range(1, len(rows) + 1)), "section": [""] * len(rows)},
        vocab=vocab, unit_nnz=np.array([len(r) for r in rows], dtype=np.int32),
        cols=np.array(cols, dtype=np.int32), vals=np.array(vals, dtype=np.int32),
        n_tokens=np.array([sum(r.values()) for r in rows], dtype=np.int64),
    )


def test_two_chunks_share_one_sorted_vocabulary(tmp_path, monkeypatch):
    monkeypatch.setattr(merge, "_BLOCK_NNZ", 2)  # several blocks for three rows
    accumulator = Accumulator(tmp_path, unit="paragraph", tokens_path=None, pos=False)
    accumulator.add(_chunk("a", ["群众", "党史"], [{"群众": 2, "党史": 1}, {"党史": 4}]))
    accumulator.add(_chunk("b", ["党史", "实事"], [{"实事": 1, "党史": 3}]))
    accumulator.close_files()
    terms, new_id = accumulator.sorted_terms()
    assert terms == sorted(["群众", "党史", "实事"])  # code-point order: 党 < 实 < 群
    assert new_id.tolist() == [terms.index("群众"), terms.index("党史"), terms.index("实事")]
    indptr = accumulator.write_sorted_matrix(new_id)
    indices = np.fromfile(tmp_path / "indices.i32", dtype=np.int32)
    data = np.fromfile(tmp_path / "data.i32", dtype=np.int32)
    rows = [
        {terms[j]: int(v) for j, v in zip(indices[s:e], data[s:e])} for s, e in zip(indptr[:-1], indptr[1:])
    ]
    assert rows == [{"党史": 1, "群众": 2}, {"党史": 4}, {"党史": 3, "实事": 1}]
    # Within each row the columns are sorted, as scipy's canonical CSR has them.
    assert all(np.all(np.diff(indices[s:e]) > 0) for s, e in zip(indptr[:-1], indptr[1:]))
    assert (accumulator.n_docs, accumulator.n_units, accumulator.total_tokens, accumulator.nnz) == (2, 3, 11, 5)


def test_read_blocks_yields_every_value_in_bounded_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(merge, "_BLOCK_NNZ", 3)
    path = tmp_path / "values.i32"
    np.arange(7, dtype=np.int32).tofile(path)
    blocks = list(read_blocks(path, 7)())
    assert [b.tolist() for b in blocks] == [[0, 1, 2], [3, 4, 5], [6]]
    with pytest.raises(RuntimeError, match=r"values\.i32: ended 2 values early"):
        list(read_blocks(path, 9)())
