"""Tests for corpus_tools.compare.shingles: normalisation, shingle hashes, the index, pairs, passages.

Expectations are worked out by hand on short constructed strings.
"""

from __future__ import annotations

import logging

import numpy as np
import pytest

from corpus_tools.compare import shingles
from corpus_tools.compare.shingles import (
    PairSearch,
    ShingledText,
    build_index,
    candidate_pairs,
    cap_pairs,
    consecutive_runs,
    docs_containing,
    find_candidate_pairs,
    lsh_candidate_pairs,
    normalise,
    pair_matches,
    pairable_sets,
    partner_matches,
    shared_shingle_counts,
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


def _pairwise_reference(a, b, *, shingle_chars, min_chars, rare_a):
    """Maximal common passages of one pair, the way pair_matches found them before partner_matches:
    every equal shingle pair, merged along diagonals (an independent implementation for the tests)."""
    found = []
    runs = {}
    for i, h in enumerate(a.hashes.tolist()):
        for j, g in enumerate(b.hashes.tolist()):
            if h == g:
                runs.setdefault(i - j, []).append(i)
    for diagonal, starts in sorted(runs.items()):
        groups, current = [], [starts[0]]
        for i in starts[1:]:
            if i == current[-1] + 1:
                current.append(i)
            else:
                groups.append(current)
                current = [i]
        groups.append(current)
        for group in groups:
            sa, ea = group[0], group[-1] + shingle_chars
            sb, eb = sa - diagonal, ea - diagonal
            if ea - sa >= min_chars and rare_a[group].any() and a.norm[sa:ea] == b.norm[sb:eb]:
                found.append((sa, ea, sb, eb))
    return found


@pytest.mark.parametrize("filter_bits", [20, 2])
def test_partner_matches_equal_an_exhaustive_pairwise_search(monkeypatch, filter_bits):
    # Random documents over a small alphabet share many passages, repeated ones (the same
    # passage twice in one document: several diagonals) and none at all (an empty partner).
    # With a 2-bit prefilter nearly every shingle passes it, so the result cannot lean on it.
    monkeypatch.setattr(shingles, "_FILTER_BITS", filter_bits)
    monkeypatch.setattr(shingles, "_FILTER_MASK", np.uint64((1 << filter_bits) - 1))
    generator = np.random.default_rng(7)
    alphabet = list("学史明理增信崇德力行党")
    template = "".join(generator.choice(alphabet, 30))
    bodies = []
    for k in range(12):
        noise = ["".join(generator.choice(alphabet, int(generator.integers(5, 40)))) for _ in range(3)]
        pieces = [noise[0], template[: 10 + k], noise[1], template[5:], noise[2]]
        bodies.append("，".join(pieces) if k % 3 else "".join(pieces) + template)
    bodies += ["", "乙丙"]  # no shingle at all, and fewer characters than a shingle
    docs = _texts(*bodies, shingle_chars=4)
    generator_rare = np.random.default_rng(1)
    for a in range(len(docs)):
        rare = generator_rare.random(len(docs[a].hashes)) < 0.8
        partners = [b for b in range(len(docs)) if b != a]
        together = partner_matches(docs[a], [docs[b] for b in partners], shingle_chars=4, min_chars=6, rare_a=rare)
        one_by_one = [(k, *m) for k, b in enumerate(partners)
                      for m in _pairwise_reference(docs[a], docs[b], shingle_chars=4, min_chars=6, rare_a=rare)]
        assert sorted(together) == sorted(one_by_one)
        if a < 12:
            assert len(one_by_one) > 10  # the case is not empty
    assert partner_matches(docs[0], [], shingle_chars=4, min_chars=6, rare_a=np.ones(len(docs[0].hashes), bool)) == []
    # Two partners whose passages continue each other on one diagonal stay two passages.
    a, p, q = _texts("甲乙丙丁戊己庚辛壬癸子丑", "甲乙丙丁戊己寅卯辰巳午未", "申酉戌丁戊己庚辛壬癸子丑", shingle_chars=4)
    found = partner_matches(a, [p, q], shingle_chars=4, min_chars=6, rare_a=np.ones(len(a.hashes), bool))
    assert found == [(0, 0, 6, 0, 6), (1, 3, 12, 3, 12)]


def test_docs_containing_counts_documents_with_the_passage():
    docs = _texts("学史明理学史增信", "学史明理", "学史增信学史明理", shingle_chars=2)
    index, _ = build_index(docs)
    assert docs_containing("学史明理", index, docs, 2) == 3
    assert docs_containing("学史增信", index, docs, 2) == 2
    assert docs_containing("明理学史增信", index, docs, 2) == 1


def test_shared_shingle_counts_count_distinct_pairable_shingles():
    # 学史明理好 / 学史明理坏 share 学史, 史明, 明理 (3); each shares only 学史 with 学史 (1)
    docs = _texts("学史明理好", "学史明理坏", "学史", shingle_chars=2)
    index, _ = build_index(docs)
    pairs, shared = shared_shingle_counts(index, len(docs), max_pair_docs=3, min_shared=1)
    assert pairs.tolist() == [[0, 1], [0, 2], [1, 2]]
    assert shared.tolist() == [3, 1, 1]


def test_shared_shingle_counts_equal_counting_every_pair_with_sets():
    # Random documents over a small alphabet share many shingles, some held by more documents
    # than max_pair_docs; the reference counts each pair's common shingles with Python sets.
    generator = np.random.default_rng(3)
    alphabet = list("学史明理增信")
    bodies = ["".join(generator.choice(alphabet, int(generator.integers(0, 30)))) for _ in range(25)]
    docs = _texts(*bodies, shingle_chars=3)
    index, _ = build_index(docs)
    sets = [set(doc.hashes.tolist()) for doc in docs]
    holders = {}
    for number, hashes in enumerate(sets):
        for h in hashes:
            holders[h] = holders.get(h, 0) + 1
    for max_pair_docs, min_shared in ((4, 1), (8, 3), (25, 5)):
        expected = []
        for a in range(len(docs)):
            for b in range(a + 1, len(docs)):
                n = sum(1 for h in sets[a] & sets[b] if 2 <= holders[h] <= max_pair_docs)
                if n >= min_shared:
                    expected.append((a, b, n))
        pairs, shared = shared_shingle_counts(index, len(docs), max_pair_docs=max_pair_docs, min_shared=min_shared)
        assert [(a, b, n) for (a, b), n in zip(pairs.tolist(), shared.tolist())] == expected
        assert len(expected) > 3  # the case is not empty


@pytest.mark.parametrize("batch", [1 << 20, 7])  # all documents looked up at once, or a few at a time
def test_index_postings_and_frequencies_equal_a_dictionary_of_sets(monkeypatch, batch):
    monkeypatch.setattr(shingles, "_LOOKUP_BATCH", batch)
    generator = np.random.default_rng(5)
    bodies = ["".join(generator.choice(list("甲乙丙丁"), int(generator.integers(0, 40)))) for _ in range(30)]
    docs = _texts(*bodies, shingle_chars=3)
    index, position_df = build_index(docs)
    holders = {}
    for number, doc in enumerate(docs):
        for h in set(doc.hashes.tolist()):
            holders.setdefault(h, []).append(number)
    assert sorted(index.hashes.tolist()) == index.hashes.tolist() == sorted(holders)
    for h, numbers in holders.items():
        assert index.postings(np.uint64(h)).tolist() == numbers
    for doc, df in zip(docs, position_df):
        assert df.tolist() == [len(holders[h]) for h in doc.hashes.tolist()]


def test_pairable_sets_leave_out_unique_and_too_frequent_shingles():
    # 甲乙 is in all three documents (too frequent with max_pair_docs=2), 丙丁 in d0 and d1, the rest once
    docs = _texts("甲乙丙丁", "丙丁甲乙", "甲乙", shingle_chars=2)
    _, position_df = build_index(docs)
    sets = pairable_sets(docs, position_df, max_pair_docs=2)
    bing_ding = shingle_hashes("丙丁", 2)[0]
    assert [s.tolist() for s in sets] == [[bing_ding], [bing_ding], []]


def _random_sets(rng, n_sets, size):
    return [np.unique(rng.integers(0, 2**63, size, dtype=np.uint64)) for _ in range(n_sets)]


def test_lsh_finds_sets_well_above_its_threshold_and_checks_the_shared_count():
    rng = np.random.default_rng(7)
    sets = _random_sets(rng, 6, 200)
    # d1 holds 180 of d0's 200 hashes and 20 of its own: Jaccard 180 / 220 = 0.82
    sets[1] = np.unique(np.r_[sets[0][:180], sets[1][:20]])
    # d3 shares 4 hashes with d2 (Jaccard 4 / 396, about 0.01): far below the threshold
    sets[3] = np.unique(np.r_[sets[2][:4], sets[3][4:]])
    pairs, shared = lsh_candidate_pairs(sets, min_shared=3, min_jaccard=0.3, num_perm=128, random_state=1)
    assert pairs.tolist() == [[0, 1]]
    assert shared.tolist() == [180]
    # the exact count decides: a pair LSH proposes but that shares fewer hashes is dropped
    assert lsh_candidate_pairs(sets, min_shared=181, min_jaccard=0.3, num_perm=128, random_state=1)[0].tolist() == []


def test_lsh_pairs_are_the_same_for_the_same_seed():
    rng = np.random.default_rng(3)
    base = _random_sets(rng, 1, 400)[0]
    # eight sets overlapping their neighbours by different amounts: Jaccard from about 0.1 to 0.6
    sets = [np.unique(np.r_[base[k * 40:k * 40 + 160], _random_sets(rng, 1, 60)[0]]) for k in range(8)]
    runs = [lsh_candidate_pairs(sets, min_shared=2, min_jaccard=0.3, num_perm=64, random_state=11) for _ in range(2)]
    assert runs[0][0].tolist() == runs[1][0].tolist()
    assert runs[0][1].tolist() == runs[1][1].tolist()


def test_cap_pairs_keeps_the_pairs_sharing_most():
    pairs = np.array([[0, 1], [0, 2], [1, 2], [1, 3], [2, 3]])
    shared = np.array([4, 9, 4, 7, 1])
    # top three by shared: (0, 2) 9, (1, 3) 7, then the tie at 4 goes to the earlier pair (0, 1)
    assert cap_pairs(pairs, shared, 3).tolist() == [[0, 1], [0, 2], [1, 3]]
    assert cap_pairs(pairs, shared, 5).tolist() == pairs.tolist()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("method", "minhash", "PairSearch.method"),
    ("lsh_min_docs", 1, "PairSearch.lsh_min_docs"),
    ("max_pairs", 0, "PairSearch.max_pairs"),
    ("max_pairs", 2.5, "PairSearch.max_pairs"),
    ("num_perm", 8, "PairSearch.num_perm"),
    ("min_jaccard", 1.0, "PairSearch.min_jaccard"),
    ("min_jaccard", 0.0, "PairSearch.min_jaccard"),
    ("random_state", -1, "PairSearch.random_state"),
])
def test_pair_search_checks_its_fields(field, value, message):
    with pytest.raises(ValueError, match=message):
        PairSearch(**{field: value})


def test_pair_search_auto_switches_at_lsh_min_docs():
    assert PairSearch().method == "index"
    search = PairSearch(method="auto", lsh_min_docs=100)
    assert (search.resolve(99), search.resolve(100)) == ("index", "lsh")
    assert PairSearch(method="index").resolve(10**6) == "index"
    assert PairSearch(method="lsh").resolve(2) == "lsh"


def test_a_cut_is_logged_and_recorded(caplog):
    docs = _texts("学史明理好", "学史明理坏", "学史", shingle_chars=2)
    index, position_df = build_index(docs)
    with caplog.at_level(logging.WARNING, logger="corpus_tools.compare.shingles"):
        pairs, record = find_candidate_pairs(docs, index, position_df, max_pair_docs=3, min_shared=1,
                                             search=PairSearch(method="index", max_pairs=1))
    assert pairs.tolist() == [[0, 1]]  # shares 3 shingles, the others 1
    assert record == {"method": "index", "requested": "index", "n_docs": 3, "n_pairs_found": 3,
                      "n_pairs_compared": 1, "max_pairs": 1, "capped": True}
    assert any("max_pairs=1" in r.getMessage() and "dropped 2" in r.getMessage() for r in caplog.records)


def test_both_routes_find_a_pair_whose_shared_shingles_are_all_it_holds():
    docs = _texts("甲乙丙丁戊己庚辛壬癸子丑", "天地甲乙丙丁戊己庚辛壬癸子丑人", "寅卯辰巳午未申酉", shingle_chars=3)
    index, position_df = build_index(docs)
    found = {}
    for method in ("index", "lsh"):
        found[method], record = find_candidate_pairs(docs, index, position_df, max_pair_docs=3, min_shared=5,
                                                     search=PairSearch(method=method))
        assert record["method"] == method and not record["capped"]
    assert found["index"].tolist() == found["lsh"].tolist() == [[0, 1]]


@pytest.mark.parametrize("n", [1, 2, 5, 1000, 50_000])
def test_bucketed_lookup_equals_searchsorted(n):
    generator = np.random.default_rng(n)
    hashes = np.unique(generator.integers(0, 2**64 - 1, n, dtype=np.uint64, endpoint=True))
    # present values, absent ones, and the extremes of the range
    values = np.r_[generator.choice(hashes, 500), generator.integers(0, 2**64 - 1, 500, dtype=np.uint64, endpoint=True),
                   np.array([0, 2**64 - 1], dtype=np.uint64)]
    assert shingles._positions_in(hashes)(values).tolist() == np.searchsorted(hashes, values).tolist()
