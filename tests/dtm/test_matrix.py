"""Tests for corpus_tools.dtm: building, trimming, grouping and exporting DocTermMatrix."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from corpus_tools.dtm import DocTermMatrix, count_codes, dtm
from corpus_tools.lexicons import stopwords
from corpus_tools.segment import get_segmenter
from corpus_tools.tokens import Tokens

from .toy import COUNTS, TERMS, TOY, toy_tokens

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

def _seed_tokens() -> Tokens:
    seg = get_segmenter()
    paths = sorted(SEEDS.glob("*.txt"))
    index = pd.Index([p.stem for p in paths], name="unit_id")
    return Tokens(
        tokens=pd.Series([seg.cut(p.read_text(encoding="utf-8")) for p in paths], index=index, dtype=object),
        docvars=pd.DataFrame({"doc_id": list(index)}, index=index),
        unit="document",
    ).remove(stopwords(), min_chars=2)


# -- building ---------------------------------------------------------------------------------


def test_counts_match_hand_counts(toy_dtm):
    assert toy_dtm.terms == TERMS
    assert isinstance(toy_dtm.matrix, sp.csr_matrix)
    assert np.issubdtype(toy_dtm.matrix.dtype, np.integer)
    assert toy_dtm.matrix.toarray().tolist() == COUNTS
    assert toy_dtm.shape == (4, 5) and toy_dtm.n_docs == 4 and toy_dtm.n_terms == 5
    assert list(toy_dtm.docvars.index) == list(TOY)
    assert toy_dtm.docvars["n_tokens"].tolist() == [4, 2, 5, 2]
    assert toy_dtm.history == ("tokenize(toy)", "dtm()")


def test_count_codes_matches_a_counter():
    from collections import Counter

    rng = np.random.default_rng(7)
    lengths = rng.integers(0, 30, size=40)
    lengths[[0, 17, 39]] = 0  # empty units first, inside and last
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    codes = rng.integers(0, 25, size=int(offsets[-1])).astype(np.int32)
    before = codes.copy()
    got = count_codes(codes, offsets, 25)
    expected = np.zeros((40, 25), dtype=np.int64)
    for row in range(40):
        for term, count in Counter(codes[offsets[row] : offsets[row + 1]].tolist()).items():
            expected[row, term] = count
    assert got.has_canonical_format and got.dtype == np.int64
    assert (got.toarray() == expected).all()
    assert np.array_equal(codes, before)  # the caller's codes are not reordered
    with pytest.raises(ValueError, match="n_terms"):
        count_codes(np.array([0, 3]), np.array([0, 2]), 3)
    with pytest.raises(ValueError, match="offsets"):
        count_codes(np.array([0, 1]), np.array([0, 1]), 3)


def test_dtm_leaves_the_tokens_as_they_were():
    tokens = toy_tokens()
    codes = tokens.codes.copy()
    dtm(tokens)
    assert np.array_equal(tokens.codes, codes)
    assert tokens.tokens.tolist() == [TOY[i][0] for i in TOY]


def test_dtm_after_remove_equals_dtm_without_the_removed_columns():
    tokens = toy_tokens()
    full = dtm(tokens)
    fewer = dtm(tokens.remove({"群众", "学史明理"}))
    keep = [j for j, term in enumerate(full.terms) if term not in {"群众", "学史明理"}]
    assert fewer.terms == ("党史", "办实事", "红色")
    assert (fewer.matrix.toarray() == full.matrix.toarray()[:, keep]).all()
    assert fewer.docvars["n_tokens"].tolist() == [3, 2, 2, 1]


def test_build_is_deterministic_and_order_free():
    first, second = dtm(_seed_tokens()), dtm(_seed_tokens())
    assert first.terms == second.terms
    assert (first.matrix != second.matrix).nnz == 0
    reordered = dtm(toy_tokens(order=["c:p1", "b:p1", "a:p2", "a:p1"]))
    assert reordered.terms == TERMS  # the vocabulary does not depend on the order units come in
    assert reordered.matrix.toarray().tolist() == COUNTS[::-1]


def test_seed_matrix_totals_match_token_counts():
    tokens = _seed_tokens()
    matrix = dtm(tokens)
    assert int(matrix.matrix.sum()) == tokens.n_tokens
    assert matrix.docvars["n_tokens"].tolist() == tokens.tokens.map(len).tolist()
    assert list(matrix.terms) == sorted(matrix.terms)


def test_empty_units_give_empty_rows():
    index = pd.Index(["x", "y"], name="unit_id")
    tokens = Tokens(
        tokens=pd.Series([[], []], index=index, dtype=object),
        docvars=pd.DataFrame({"doc_id": ["x", "y"]}, index=index),
        unit="document",
    )
    assert dtm(tokens).shape == (2, 0)


def test_constructor_refuses_dense_and_non_integer_input():
    docvars = pd.DataFrame(index=pd.Index(["a"], name="unit_id"))
    with pytest.raises(TypeError, match="sparse"):
        DocTermMatrix(matrix=np.array([[1]]), terms=("党史",), docvars=docvars)
    with pytest.raises(TypeError, match="integer"):
        DocTermMatrix(matrix=sp.csr_matrix(np.array([[0.5]])), terms=("党史",), docvars=docvars)
    with pytest.raises(ValueError, match="shape"):
        DocTermMatrix(matrix=sp.csr_matrix(np.array([[1, 2]])), terms=("党史",), docvars=docvars)


def test_constructor_does_not_modify_callers_matrix():
    unsorted = sp.csr_matrix((np.array([1, 2]), np.array([1, 0]), np.array([0, 2])), shape=(1, 2))
    before = unsorted.indices.copy()
    DocTermMatrix(matrix=unsorted, terms=("党史", "红色"), docvars=pd.DataFrame(index=["a"]))
    assert unsorted.indices.tolist() == before.tolist()


def test_is_frozen(toy_dtm):
    with pytest.raises(dataclasses.FrozenInstanceError):
        toy_dtm.terms = ()


# -- trim -------------------------------------------------------------------------------------
# term frequencies: 党史 4, 办实事 2, 学史明理 1, 红色 2, 群众 4
# document frequencies (of 4 rows): 党史 3, 办实事 2, 学史明理 1, 红色 2, 群众 2


@pytest.mark.parametrize(
    ("kwargs", "kept"),
    [
        ({}, TERMS),
        ({"min_termfreq": 2}, ("党史", "办实事", "红色", "群众")),  # inclusive: 2 stays
        ({"min_termfreq": 4}, ("党史", "群众")),
        ({"min_termfreq": 5}, ()),
        ({"min_docfreq": 2}, ("党史", "办实事", "红色", "群众")),  # inclusive
        ({"min_docfreq": 3}, ("党史",)),
        ({"max_docfreq_prop": 0.75}, TERMS),  # 党史 is in 3/4 = 0.75 rows: inclusive, stays
        ({"max_docfreq_prop": 0.74}, ("办实事", "学史明理", "红色", "群众")),
        ({"max_docfreq_prop": 0.5}, ("办实事", "学史明理", "红色", "群众")),
        ({"max_docfreq_prop": 0.25}, ("学史明理",)),
        ({"max_terms": 2}, ("党史", "群众")),
        # 办实事 and 红色 tie on 2: the code-point order decides, 办实事 < 红色
        ({"max_terms": 3}, ("党史", "办实事", "群众")),
        ({"max_terms": 10}, TERMS),
        ({"min_docfreq": 2, "max_terms": 3}, ("党史", "办实事", "群众")),
    ],
)
def test_trim_thresholds(toy_dtm, kwargs, kept):
    trimmed = toy_dtm.trim(**kwargs)
    assert trimmed.terms == kept
    assert trimmed.n_docs == toy_dtm.n_docs
    columns = [TERMS.index(term) for term in kept]
    assert trimmed.matrix.toarray().tolist() == np.array(COUNTS)[:, columns].reshape(4, -1).tolist()
    assert trimmed.docvars["n_tokens"].tolist() == [4, 2, 5, 2]  # denominators survive trimming


@pytest.mark.parametrize(
    "kwargs",
    [{"min_termfreq": -1}, {"min_docfreq": 1.5}, {"max_docfreq_prop": 1.5}, {"max_docfreq_prop": -0.1}, {"max_terms": -1}],
)
def test_trim_refuses_bad_thresholds(toy_dtm, kwargs):
    with pytest.raises(ValueError):
        toy_dtm.trim(**kwargs)


def test_trim_records_history(toy_dtm):
    assert toy_dtm.trim(min_docfreq=2).history[-1] == (
        "trim(min_termfreq=1, min_docfreq=2, max_docfreq_prop=1.0, max_terms=None) -> 4 of 5 terms"
    )


# -- group ------------------------------------------------------------------------------------


def test_group_sums_rows(toy_dtm):
    grouped = toy_dtm.group("doc_id")
    assert list(grouped.docvars.index) == ["a", "b", "c"]
    assert grouped.docvars.index.name == "doc_id"
    assert grouped.matrix.toarray().tolist() == [
        [3, 1, 0, 1, 1],
        [0, 1, 0, 1, 3],
        [1, 0, 1, 0, 0],
    ]
    assert grouped.docvars["n_units"].tolist() == [2, 1, 1]
    assert grouped.docvars["n_tokens"].tolist() == [6, 5, 2]
    # district is constant within each document, so it is carried along
    assert grouped.docvars["district"].tolist()[:2] == ["槐荫区", "市中区"]
    assert grouped.terms == toy_dtm.terms
    assert int(grouped.matrix.sum()) == int(toy_dtm.matrix.sum())


def test_group_missing_values_become_unknown_with_warning(toy_dtm):
    with pytest.warns(UserWarning, match="1 rows have no 'district'"):
        grouped = toy_dtm.group("district")
    assert list(grouped.docvars.index) == sorted(["槐荫区", "市中区", "unknown"])
    assert grouped.matrix.toarray()[list(grouped.docvars.index).index("unknown")].tolist() == COUNTS[3]
    assert grouped.docvars["doc_id"].tolist() == ["c", "b", "a"]  # constant within each district


def test_group_drops_docvars_that_vary_within_a_group(toy_dtm):
    with_para = DocTermMatrix(matrix=toy_dtm.matrix, terms=toy_dtm.terms, docvars=toy_dtm.docvars.assign(para_no=[1, 2, 1, 1]))
    grouped = with_para.group("doc_id")
    assert "para_no" not in grouped.docvars.columns
    assert "district" in grouped.docvars.columns


def test_group_blank_strings_count_as_missing(toy_dtm):
    blanks = DocTermMatrix(
        matrix=toy_dtm.matrix, terms=toy_dtm.terms, docvars=toy_dtm.docvars.assign(district=["槐荫区", "槐荫区", "", " "])
    )
    with pytest.warns(UserWarning, match="2 rows have no 'district'"):
        grouped = blanks.group("district")
    assert list(grouped.docvars.index) == ["unknown", "槐荫区"]
    assert grouped.docvars["n_units"].tolist() == [2, 2]


def test_group_categorical_keeps_category_order(toy_dtm):
    order = pd.CategoricalDtype(["市中区", "槐荫区", "召陵区"], ordered=True)
    categorical = DocTermMatrix(
        matrix=toy_dtm.matrix,
        terms=toy_dtm.terms,
        docvars=toy_dtm.docvars.assign(district=toy_dtm.docvars["district"].astype(order)),
    )
    with pytest.warns(UserWarning):
        grouped = categorical.group("district")
    assert list(grouped.docvars.index) == ["市中区", "槐荫区", "unknown"]


def test_group_by_index_name_keeps_rows(toy_dtm):
    grouped = toy_dtm.group("unit_id")
    assert grouped.matrix.toarray().tolist() == COUNTS
    assert grouped.docvars["n_units"].tolist() == [1, 1, 1, 1]


def test_group_unknown_docvar(toy_dtm):
    with pytest.raises(KeyError, match="province"):
        toy_dtm.group("province")


# -- tables -----------------------------------------------------------------------------------


def test_term_frequencies(toy_dtm):
    table = toy_dtm.term_frequencies()
    assert list(table.columns) == ["term", "count", "docfreq", "prop"]
    assert table[["term", "count", "docfreq"]].values.tolist() == [
        ["党史", 4, 3],
        ["群众", 4, 2],
        ["办实事", 2, 2],
        ["红色", 2, 2],
        ["学史明理", 1, 1],
    ]
    assert table["prop"].sum() == pytest.approx(1.0)
    assert table.loc[0, "prop"] == pytest.approx(4 / 13)


def test_top_terms_overall(toy_dtm):
    table = toy_dtm.top_terms(3)
    assert list(table.columns) == ["group", "rank", "term", "count", "per_10k_tokens"]
    assert table.values.tolist() == [
        ["all", 1, "党史", 4, pytest.approx(4 / 13 * 10_000)],
        ["all", 2, "群众", 4, pytest.approx(4 / 13 * 10_000)],
        ["all", 3, "办实事", 2, pytest.approx(2 / 13 * 10_000)],
    ]


def test_top_terms_by_group(toy_dtm):
    table = toy_dtm.top_terms(2, by="doc_id")
    assert table[["group", "rank", "term", "count"]].values.tolist() == [
        ["a", 1, "党史", 3],
        ["a", 2, "办实事", 1],
        ["b", 1, "群众", 3],
        ["b", 2, "办实事", 1],
        ["c", 1, "党史", 1],
        ["c", 2, "学史明理", 1],
    ]
    assert table["per_10k_tokens"].tolist()[0] == pytest.approx(3 / 6 * 10_000)


def test_top_terms_rates_use_tokens_before_trim(toy_dtm):
    trimmed = toy_dtm.trim(min_docfreq=3)  # only 党史 left
    (row,) = trimmed.top_terms(5).itertuples(index=False)
    assert (row.term, row.count) == ("党史", 4)
    assert row.per_10k_tokens == pytest.approx(4 / 13 * 10_000)


# -- bridges ----------------------------------------------------------------------------------


def test_to_gensim_round_trips_counts_and_ids(toy_dtm):
    dictionary, bow = toy_dtm.to_gensim()
    assert {dictionary[j]: j for j in range(len(dictionary))} == {t: j for j, t in enumerate(TERMS)}
    rebuilt = np.zeros(toy_dtm.shape, dtype=int)
    for i, doc in enumerate(bow):
        for j, count in doc:
            rebuilt[i, j] = count
    assert rebuilt.tolist() == COUNTS
    assert dictionary.dfs == {0: 3, 1: 2, 2: 1, 3: 2, 4: 2}
    assert dictionary.cfs == {0: 4, 1: 2, 2: 1, 3: 2, 4: 4}
    assert (dictionary.num_docs, dictionary.num_pos, dictionary.num_nnz) == (4, 13, toy_dtm.matrix.nnz)
    # gensim's own doc2bow on the original tokens gives the same bags of words
    assert [dictionary.doc2bow(words) for words, _, _ in TOY.values()] == bow


def test_to_gensim_on_seed_matrix_is_exact():
    matrix = dtm(_seed_tokens()).trim(min_docfreq=2)
    dictionary, bow = matrix.to_gensim()
    rows = [i for i, doc in enumerate(bow) for _ in doc]
    cols = [j for doc in bow for j, _ in doc]
    data = [c for doc in bow for _, c in doc]
    rebuilt = sp.csr_matrix((data, (rows, cols)), shape=matrix.shape)
    assert (rebuilt != matrix.matrix).nnz == 0
    assert all(dictionary.token2id[t] == j for j, t in enumerate(matrix.terms))


def test_to_frame(toy_dtm):
    frame = toy_dtm.to_frame()
    assert list(frame.columns) == ["unit_id", "term", "count"]
    assert frame.iloc[:3].values.tolist() == [["a:p1", "党史", 2], ["a:p1", "红色", 1], ["a:p1", "群众", 1]]
    assert frame["count"].sum() == 13
    assert len(frame) == toy_dtm.matrix.nnz
    assert list(toy_dtm.group("doc_id").to_frame().columns) == ["doc_id", "term", "count"]


def test_to_pandas_sparse(toy_dtm):
    frame = toy_dtm.to_pandas_sparse()
    assert all(isinstance(dtype, pd.SparseDtype) for dtype in frame.dtypes)
    assert list(frame.columns) == list(TERMS)
    assert list(frame.index) == list(TOY)
    assert frame.sparse.to_dense().values.tolist() == COUNTS


def test_group_by_district_labels_a_city_level_document_as_the_whole_city():
    # The same rule as compare.keyness(by="district") and open_corpus(group_by="district"): a
    # city-level report is 济南市（全市）, never "unknown" (hand-worked labels).
    from corpus_tools.corpus import corpus_from_texts
    from corpus_tools.dtm import dtm
    from corpus_tools.tokens import tokenize

    corp = corpus_from_texts(
        {"a": "槐荫区开展党史学习教育。", "b": "济南市开展党史学习教育。"},
        docvars=pd.DataFrame(
            {"district": ["槐荫区", ""], "city": ["济南市", "济南市"], "province": ["山东省", "山东省"],
             "admin_level": ["district", "city"]},
            index=["a", "b"],
        ),
    )
    grouped = dtm(tokenize(corp)).group("district")
    assert list(grouped.docvars.index) == ["槐荫区", "济南市（全市）"]


# -- subset and select (quanteda's dfm_subset / dfm_select) -------------------------------------


def test_subset_by_condition_keeps_rows_in_order_and_every_term(toy_dtm):
    # 槐荫区 rows are a:p1 and a:p2 (rows 0 and 1 of COUNTS).
    kept = toy_dtm.subset(lambda d: d["district"] == "槐荫区")
    assert list(kept.docvars.index) == ["a:p1", "a:p2"]
    assert kept.matrix.toarray().tolist() == [[2, 0, 0, 1, 1], [1, 1, 0, 0, 0]]
    assert kept.terms == TERMS  # 学史明理 no longer occurs but keeps its column
    assert kept.docvars["n_tokens"].tolist() == [4, 2]
    assert kept.history[-1] == "subset(where=<mask>) -> 2 of 4 rows"
    assert kept.trim().terms == ("党史", "办实事", "红色", "群众")


def test_subset_by_row_ids_mask_or_doc_ids(toy_dtm):
    by_ids = toy_dtm.subset(["c:p1", "a:p1"])  # given out of order: rows keep theirs
    assert list(by_ids.docvars.index) == ["a:p1", "c:p1"]
    assert by_ids.matrix.toarray().tolist() == [[2, 0, 0, 1, 1], [1, 0, 1, 0, 0]]
    by_mask = toy_dtm.subset([False, False, True, False])
    assert by_mask.matrix.toarray().tolist() == [[0, 1, 0, 1, 3]]
    by_series = toy_dtm.subset(toy_dtm.docvars["district"].isna())
    assert list(by_series.docvars.index) == ["c:p1"]
    by_doc = toy_dtm.subset(doc_ids=["a"])
    assert by_doc.matrix.sum() == 6 and list(by_doc.docvars.index) == ["a:p1", "a:p2"]
    both = toy_dtm.subset(lambda d: d["district"] == "槐荫区", doc_ids="a")
    assert both.n_docs == 2
    # A grouped matrix is subset by its group labels.
    grouped = toy_dtm.group("doc_id").subset(["b"])
    assert grouped.matrix.toarray().tolist() == [[0, 1, 0, 1, 3]]


def test_subset_refuses_unknown_ids_and_wrong_lengths(toy_dtm):
    with pytest.raises(KeyError, match="x:p9"):
        toy_dtm.subset(["a:p1", "x:p9"])
    with pytest.raises(ValueError, match=r"one boolean per row \(4\)"):
        toy_dtm.subset([True, False])
    with pytest.raises(KeyError, match="unknown doc_ids"):
        toy_dtm.subset(doc_ids=["z"])


def test_select_keeps_or_removes_columns(toy_dtm):
    kept = toy_dtm.select(["群众", "党史", "不在"])
    assert kept.terms == ("党史", "群众")
    assert kept.matrix.toarray().tolist() == [[2, 1], [1, 0], [0, 3], [1, 0]]
    assert kept.docvars["n_tokens"].tolist() == [4, 2, 5, 2]  # rates stay per token as built
    assert kept.history[-1] == "select(terms=3, selection='keep') -> 2 of 5 terms"
    removed = toy_dtm.select("群众", selection="remove")
    assert removed.terms == ("党史", "办实事", "学史明理", "红色")
    assert removed.matrix.toarray().tolist() == [row[:4] for row in COUNTS]
    with pytest.raises(ValueError, match="selection"):
        toy_dtm.select(["党史"], selection="drop")


def test_group_labels_follow_the_package_rule(toy_dtm):
    # Hand-worked: a:p1/a:p2 have their district; b:p1 has none but a city (the whole city's
    # report); c:p1 has nothing to go by; a district of spaces counts as missing.
    docvars = toy_dtm.docvars.assign(
        district=["槐荫区", " ", "", None], city=["济南市", "济南市", "济南市", ""],
        admin_level=["district", "district", "city", ""],
    )
    m = DocTermMatrix(matrix=toy_dtm.matrix, terms=toy_dtm.terms, docvars=docvars)
    with pytest.warns(UserWarning, match="1 rows have no 'district'"):
        labels = m.group_labels("district")
    assert labels.tolist() == ["槐荫区", "济南市（未定）", "济南市（全市）", "unknown"]
    assert list(labels.index) == list(TOY)
    with pytest.warns(UserWarning):
        grouped = m.group("district")
    # Code-point order: ASCII first, then 槐 U+69D0 < 济 U+6D4E, and 全 U+5168 < 未 U+672A.
    assert list(grouped.docvars.index) == ["unknown", "槐荫区", "济南市（全市）", "济南市（未定）"]
    assert grouped.matrix.toarray().tolist() == [COUNTS[3], COUNTS[0], COUNTS[2], COUNTS[1]]
