"""Tests for corpus_tools.compare.shingles: normalisation, shingle hashes, the index, pairs, passages.

Expectations are worked out by hand on short constructed strings.
"""

from __future__ import annotations

import numpy as np

from corpus_tools.compare.shingles import (
    ShingledText,
    build_index,
    candidate_pairs,
    consecutive_runs,
    docs_containing,
    normalise,
    pair_matches,
    shingle_hashes,
)


def _texts(*bodies: str, shingle_chars: int) -> list[ShingledText]:
    docs = []
    for k, body in enumerate(bodies):
        norm, index = normalise(body)
        docs.append(ShingledText(f"d{k}", body, norm, index, shingle_hashes(norm, shingle_chars)))
    return docs


def test_normalise_drops_punctuation_and_keeps_offsets():
    text = "“学史明理”、学史 增信。"
    normalised, index = normalise(text)
    assert normalised == "学史明理学史增信"
    assert [text[i] for i in index] == list("学史明理学史增信")


def test_normalise_lowercases_ascii_and_keeps_digits():
    normalised, index = normalise("H5页面，第3期")
    assert normalised == "h5页面第3期"
    assert index.tolist() == [0, 1, 2, 3, 5, 6, 7]


def test_equal_shingles_hash_equal():
    # 学史明理学史明: the 3-shingles at 0 (学史明) and 4 (学史明) are the same; 5 shingles in all
    hashes = shingle_hashes("学史明理学史明", 3)
    assert len(hashes) == 5
    assert hashes[0] == hashes[4]
    assert len(set(hashes.tolist())) == 4
    assert len(shingle_hashes("学史", 3)) == 0  # shorter than a shingle


def test_consecutive_runs():
    firsts, lasts = consecutive_runs(np.array([0, 1, 2, 5, 7, 8]))
    assert (firsts.tolist(), lasts.tolist()) == ([0, 5, 7], [2, 5, 8])
    empty_firsts, empty_lasts = consecutive_runs(np.array([], dtype=np.int64))
    assert len(empty_firsts) == len(empty_lasts) == 0


def test_index_counts_documents_not_occurrences():
    # "甲乙" is in d0 twice and in d1 once: document frequency 2; "丙丁" only in d2
    docs = _texts("甲乙甲乙", "甲乙", "丙丁", shingle_chars=2)
    index, position_df = build_index(docs)
    jia_yi = shingle_hashes("甲乙", 2)[0]
    bing_ding = shingle_hashes("丙丁", 2)[0]
    assert index.frequency(np.array([jia_yi, bing_ding], dtype=np.uint64)).tolist() == [2, 1]
    assert sorted(index.postings(jia_yi).tolist()) == [0, 1]
    # d0's shingles 甲乙, 乙甲, 甲乙: held by 2, 1 and 2 documents
    assert position_df[0].tolist() == [2, 1, 2]
    assert index.frequency(shingle_hashes("戊己", 2)).tolist() == [0]


def test_candidate_pairs_need_enough_shared_pairable_shingles():
    # d0 and d1 share 3 shingles of 学史明理 (学史, 史明, 明理); d2 shares 学史 with both
    docs = _texts("学史明理好", "学史明理坏", "学史", shingle_chars=2)
    index, _ = build_index(docs)
    pairs = candidate_pairs(index, len(docs), max_pair_docs=3, min_shared=3)
    assert pairs.tolist() == [[0, 1]]
    loose = candidate_pairs(index, len(docs), max_pair_docs=3, min_shared=1)
    assert loose.tolist() == [[0, 1], [0, 2], [1, 2]]
    # 学史 is in all three documents: with max_pair_docs=2 it makes no pair
    strict = candidate_pairs(index, len(docs), max_pair_docs=2, min_shared=2)
    assert strict.tolist() == [[0, 1]]


def test_pair_matches_extends_shingles_into_maximal_passages():
    a, b = _texts("甲：学史明理学史增信。乙", "丙，学史明理、学史增信！丁", shingle_chars=3)
    rare = np.ones(len(a.hashes), dtype=bool)
    found = pair_matches(a, b, shingle_chars=3, min_chars=5, rare_a=rare)
    # normalised a = 甲学史明理学史增信乙, b = 丙学史明理学史增信丁: the 8 characters from 1 to 9
    assert found == [(1, 9, 1, 9)]
    assert a.original(1, 9) == (2, 10)  # 学史明理学史增信 in a's body, punctuation excluded
    assert pair_matches(a, b, shingle_chars=3, min_chars=9, rare_a=rare) == []
    # a passage made only of shingles too frequent to pair is not a pair's passage
    assert pair_matches(a, b, shingle_chars=3, min_chars=5, rare_a=np.zeros(len(a.hashes), dtype=bool)) == []


def test_docs_containing_counts_documents_with_the_passage():
    docs = _texts("学史明理学史增信", "学史明理", "学史增信学史明理", shingle_chars=2)
    index, _ = build_index(docs)
    assert docs_containing("学史明理", index, docs, 2) == 3
    assert docs_containing("学史增信", index, docs, 2) == 2
    assert docs_containing("明理学史增信", index, docs, 2) == 1
