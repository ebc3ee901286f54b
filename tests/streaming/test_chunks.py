"""Tests for corpus_tools.streaming.chunks: a chunk is counted as the in-memory path counts it."""

from __future__ import annotations

import numpy as np
import pytest

import corpus_tools as ct
from corpus_tools.streaming.chunks import process_chunk
from corpus_tools.streaming.sources import SourceDocument


def test_count_units_codes_and_counts_words_as_the_in_memory_path_does():
    from collections import Counter

    from corpus_tools.dtm import count_codes
    from corpus_tools.streaming.chunks import count_units

    words = [["学党史", "办实事", "学党史", "，"], [], ["开新局", "办实事"], ["学党史"]]
    vocab, codes, unit_nnz, cols, vals, lengths = count_units(words)
    assert vocab == ["学党史", "办实事", "，", "开新局"]  # first appearance
    assert [[vocab[c] for c in codes[a:b]] for a, b in zip([0, 4, 4, 6], [4, 4, 6, 7])] == words
    assert lengths.tolist() == [4, 0, 2, 1]
    # Unit by unit, the (word, count) pairs are a Counter of the unit's words.
    bounds = np.concatenate([[0], np.cumsum(unit_nnz)])
    for i, unit_words in enumerate(words):
        pairs = {vocab[c]: int(v) for c, v in zip(cols[bounds[i] : bounds[i + 1]], vals[bounds[i] : bounds[i + 1]])}
        assert pairs == Counter(unit_words)
    # ...and they are exactly dtm's counting function's CSR arrays.
    matrix = count_codes(codes, np.concatenate([[0], np.cumsum(lengths)]), len(vocab))
    assert cols.tolist() == matrix.indices.tolist() and vals.tolist() == matrix.data.tolist()
    assert unit_nnz.tolist() == np.diff(matrix.indptr).tolist()


@pytest.mark.parametrize("unit", ["paragraph", "sentence"])
def test_process_chunk_numbers_units_as_corpus_units(unit):
    text = (
        "全区上下坚持学史明理、学史增信，推动党史学习教育走深走实。\n\n"
        "各级党组织开展实践活动，为群众解决急难愁盼问题。学史力行见实效。"
    )
    result = process_chunk([SourceDocument("甲", text=text)], unit=unit)
    expected = ct.corpus_from_texts({"甲": text}).units(unit)
    assert result.units["unit_id"] == list(expected.index)
    assert result.units["doc_id"] == ["甲"] * len(expected)
    assert result.units["para_no"] == expected["para_no"].tolist()


def test_process_chunk_refuses_an_unknown_unit():
    with pytest.raises(ValueError, match="unit must be one of"):
        process_chunk([SourceDocument("a", text="学史明理。")], unit="page")
