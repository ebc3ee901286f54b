"""Tests for corpus_tools.compare.similarity: TF-IDF cosine and Jensen–Shannon values checked by
hand, matrix properties on the seeds, clustering that recovers planted families."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import corpus_tools as ct
from corpus_tools.compare.similarity import (
    Clustering,
    check_square,
    cluster_order,
    document_neighbours,
    document_similarity,
    group_similarity,
    resolve_kind,
    similarity_table,
    topic_profiles,
    topic_similarity,
)
from corpus_tools.dtm import DocTermMatrix

SEED_GROUPS = {"槐荫区", "市中区", "济南市（全市）", "召陵区", "武隆区"}


def _matrix(rows, terms, groups=None, name="doc_id") -> DocTermMatrix:
    index = pd.Index([f"d{i}" for i in range(len(rows))], name=name)
    docvars = pd.DataFrame({"doc_id": list(index)}, index=index)
    if groups is not None:
        docvars["group"] = groups
    return DocTermMatrix(matrix=sp.csr_matrix(np.array(rows, dtype=np.int64)), terms=terms, docvars=docvars)


def test_tfidf_cosine_by_hand():
    m = _matrix([[1, 1, 0], [1, 0, 1]], ("党史", "红色", "乡村"))
    sim = document_similarity(m)
    # n = 2 rows; df = 2, 1, 1 -> smoothed idf = ln(3/3) + 1 = 1 and ln(3/2) + 1 for the others.
    idf = math.log(3 / 2) + 1
    a, b = np.array([1.0, idf, 0.0]), np.array([1.0, 0.0, idf])
    expected = a @ b / (np.linalg.norm(a) * np.linalg.norm(b))  # = 1 / (1 + idf²) = 0.336097
    assert sim.loc["d0", "d1"] == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.336097, abs=1e-6)
    counts = document_similarity(m, weighting="count")
    assert counts.loc["d0", "d1"] == pytest.approx(0.5)  # (1·1) / (√2 · √2)
    shares = document_similarity(m, weighting="share")
    assert shares.loc["d0", "d1"] == pytest.approx(0.5)  # cosine ignores the row's scale
    assert sim.attrs["kind"] == "similarity"


def test_empty_row_has_nan_diagonal_and_zero_similarity():
    m = _matrix([[1, 1], [0, 0], [2, 0]], ("党史", "红色"))
    sim = document_similarity(m, weighting="count")
    assert math.isnan(sim.loc["d1", "d1"])
    assert sim.loc["d1", "d0"] == 0.0
    assert sim.loc["d0", "d0"] == 1.0


def test_group_similarity_pools_counts_before_weighting():
    # d0 + d1 form 甲 = [2, 1, 0]; d2 is 乙 = [0, 1, 2].
    m = _matrix([[1, 1, 0], [1, 0, 0], [0, 1, 2]], ("党史", "红色", "乡村"), groups=["甲", "甲", "乙"])
    sim = group_similarity(m, weighting="count")
    assert list(sim.index) == ["乙", "甲"] and sim.index.name == "group"
    assert sim.loc["甲", "乙"] == pytest.approx((2 * 0 + 1 * 1 + 0 * 2) / (math.sqrt(5) * math.sqrt(5)))


def test_seed_group_similarity_is_a_proper_similarity_matrix(seeds):
    corp = seeds.assign_docvars(group=ct.group_labels(seeds.docvars, "district"))
    m = ct.dtm(ct.tokenize(corp).remove(ct.stopwords("zh-official"), min_chars=2))
    for sim in (group_similarity(m), document_similarity(m)):
        values = sim.to_numpy()
        assert np.allclose(values, values.T)
        assert np.allclose(np.diag(values), 1.0)
        off = values[~np.eye(len(values), dtype=bool)]
        assert ((off >= 0) & (off < 1)).all()
    sim = group_similarity(m)
    assert set(sim.index) == SEED_GROUPS
    # By district directly (group_labels' city fallback) gives the same matrix.
    pd.testing.assert_frame_equal(group_similarity(m, by="district").rename_axis(index="group", columns="group"), sim,
                                  check_names=False)
    pairs = similarity_table(sim)
    assert len(pairs) == 10
    assert pairs["similarity"].is_monotonic_decreasing
    assert list(pairs.columns) == ["a", "b", "similarity"]
    order = cluster_order(sim).order
    assert sorted(order) == sorted(sim.index)


def _family_corpus() -> DocTermMatrix:
    # Six groups in two families with disjoint core vocabularies plus a shared campaign core.
    red = ["红色", "革命", "烈士", "纪念馆"]
    rural = ["乡村", "产业", "振兴", "合作社"]
    shared = ["党史", "学习", "教育"]
    terms = tuple(red + rural + shared)
    rows, groups = [], []
    rng = np.random.default_rng(3)
    for g in range(6):
        family = red if g < 3 else rural
        for _ in range(2):
            row = dict.fromkeys(terms, 0)
            for term in shared:
                row[term] = int(rng.integers(3, 6))
            for term in family:
                row[term] = int(rng.integers(2, 8))
            rows.append([row[t] for t in terms])
            groups.append(f"{'红' if g < 3 else '农'}{g}")
    return _matrix(rows, terms, groups=groups)


def test_clustering_puts_each_planted_family_together():
    sim = group_similarity(_family_corpus())
    clustering = cluster_order(sim)
    assert isinstance(clustering, Clustering)
    families = clustering.clusters(2)
    red = {g for g in sim.index if g.startswith("红")}
    assert len(set(families[list(red)])) == 1
    assert len(set(families[[g for g in sim.index if g not in red]])) == 1
    assert families.nunique() == 2
    # The leaf order keeps each family contiguous.
    positions = [clustering.order.index(g) for g in red]
    assert max(positions) - min(positions) == len(red) - 1
    # A distance matrix (1 - s) gives the same tree.
    distance = 1 - sim
    distance.attrs = {"kind": "distance"}
    assert cluster_order(distance).clusters(2).tolist() == families.tolist()


def test_js_topic_similarity_by_hand():
    shares = pd.DataFrame(
        {"group": ["甲", "甲", "乙", "乙", "丙", "丙"], "topic": [1, 2] * 3, "share": [1.0, 0.0, 0.5, 0.5, 0.0, 1.0]}
    )
    dist = topic_similarity(shares)
    # p = (1, 0), q = (1/2, 1/2): m = (3/4, 1/4); JSD = ½ KL(p‖m) + ½ KL(q‖m) in bits.
    kl_p = 1.0 * math.log2(1.0 / 0.75)
    kl_q = 0.5 * math.log2(0.5 / 0.75) + 0.5 * math.log2(0.5 / 0.25)
    assert dist.loc["甲", "乙"] == pytest.approx(math.sqrt(0.5 * kl_p + 0.5 * kl_q), rel=1e-9)  # 0.557923
    assert dist.loc["甲", "丙"] == pytest.approx(1.0)  # disjoint support
    assert np.allclose(np.diag(dist.to_numpy()), 0.0)
    assert dist.attrs["kind"] == "distance"
    assert similarity_table(dist)["distance"].is_monotonic_increasing


def test_topic_profiles_average_units_by_tokens():
    units = pd.DataFrame(
        {
            "group": ["甲", "甲", "甲", "甲"],
            "unit_id": ["u1", "u1", "u2", "u2"],
            "topic": [1, 2, 1, 2],
            "share": [1.0, 0.0, 0.0, 1.0],
            "n_model_tokens": [30, 30, 10, 10],
        }
    )
    profile = topic_profiles(units)
    assert profile.loc["甲"].tolist() == pytest.approx([0.75, 0.25])  # (30·1 + 10·0) / 40


@pytest.fixture(scope="module")
def small_model(seeds):
    from corpus_tools.topics import fit_lda, topic_corpus

    corp = seeds.assign_docvars(group=ct.group_labels(seeds.docvars, "district"))
    tc = topic_corpus(corp, unit="paragraph")
    return fit_lda(tc, k=3, random_state=1, passes=3, iterations=50, track_bound=False)


def test_topic_similarity_from_a_fitted_model(small_model):
    profiles = topic_profiles(small_model)
    assert set(profiles.index) == SEED_GROUPS
    assert np.allclose(profiles.sum(axis=1), 1.0)
    # The model's own grouping (no blank groups here, so the same labels) gives the same shares.
    own = small_model.group_shares("group").pivot(index="group", columns="topic", values="share")
    pd.testing.assert_frame_equal(profiles.sort_index(), own.sort_index(), check_names=False, atol=1e-12)
    dist = topic_similarity(small_model)
    values = dist.to_numpy()
    assert np.allclose(values, values.T) and np.allclose(np.diag(values), 0.0)
    assert ((values >= 0) & (values <= 1)).all()
    docs = topic_similarity(small_model, by="doc_id")
    assert len(docs) == 5


def test_errors():
    sim = pd.DataFrame([[1.0, 0.5], [0.5, 1.0]], index=["a", "b"], columns=["a", "c"])
    with pytest.raises(ValueError, match="square"):
        cluster_order(sim)
    odd = pd.DataFrame([[0.3, 0.5], [0.5, 0.3]], index=["a", "b"], columns=["a", "b"])
    with pytest.raises(ValueError, match="kind"):
        cluster_order(odd)
    with pytest.raises(ValueError, match="weighting"):
        document_similarity(_family_corpus(), weighting="bm25")
    with pytest.raises(KeyError, match="district"):
        group_similarity(_family_corpus(), by="district")
    with pytest.raises(KeyError, match="share"):
        topic_profiles(pd.DataFrame({"group": ["a"], "topic": [1]}))


def test_check_square_and_resolve_kind_are_public():
    labels = pd.Index(["甲", "乙"], name="group")
    square = pd.DataFrame([[1.0, 0.3], [0.3, 1.0]], index=labels, columns=labels)
    check_square(square)  # no error
    with pytest.raises(ValueError, match="square"):
        check_square(square.iloc[:, :1])
    with pytest.raises(ValueError, match="square"):
        check_square(square.set_axis(["甲", "丙"], axis=1))
    assert resolve_kind(square, "auto") == "similarity"  # diagonal all 1
    assert resolve_kind(1.0 - square, "auto") == "distance"  # diagonal all 0
    assert resolve_kind(square, "distance") == "distance"  # an explicit kind wins
    tagged = square.copy()
    tagged.attrs["kind"] = "distance"
    assert resolve_kind(tagged, "auto") == "distance"  # attrs before the diagonal
    with pytest.raises(ValueError, match="cannot tell"):
        resolve_kind(square * 0.5, "auto")
    with pytest.raises(ValueError, match="kind must be"):
        resolve_kind(square, "cosine")



# --------------------------------------------------------------------------------------------
# Nearest neighbours, block by block
# --------------------------------------------------------------------------------------------


def _brute_force_neighbours(counts: np.ndarray, n: int) -> list[tuple[int, int, float]]:
    """Every row's n nearest other rows by plain dense numpy: tf-idf as sklearn's defaults, cosine."""
    n_rows = counts.shape[0]
    df = (counts > 0).sum(axis=0)
    weighted = counts * (np.log((1 + n_rows) / (1 + df)) + 1)
    norms = np.linalg.norm(weighted, axis=1, keepdims=True)
    unit = np.divide(weighted, norms, out=np.zeros_like(weighted), where=norms > 0)
    cosine = unit @ unit.T
    expected = []
    for i in range(n_rows):
        others = [j for j in range(n_rows) if j != i]
        # most similar first, equal similarities by position (rounded so that ties are ties)
        others.sort(key=lambda j: (-round(cosine[i, j], 12), j))
        expected += [(i, j, cosine[i, j]) for j in others[:n]]
    return expected


def _neighbour_corpus() -> np.ndarray:
    generator = np.random.default_rng(3)
    counts = generator.poisson(0.6, size=(23, 15)).astype(float)
    counts[5] = counts[2]  # a duplicate: similarity 1 with row 2, tied with nothing else
    counts[11] = counts[17] = counts[19] = counts[8]  # four equal rows: ties broken by position
    counts[13] = 0  # an empty row: similarity 0 with every row, so all its candidates tie
    return counts


@pytest.mark.parametrize("block_rows", [None, 1, 4, 23])
@pytest.mark.parametrize("n", [1, 3, 30])
def test_neighbours_equal_a_brute_force_dense_computation(block_rows, n):
    counts = _neighbour_corpus()
    m = _matrix(counts.astype(np.int64).tolist(), tuple(f"词{j}" for j in range(counts.shape[1])))
    table = document_neighbours(m, n=n, block_rows=block_rows)
    expected = _brute_force_neighbours(counts, n)
    assert list(zip(table["row"], [int(x[1:]) for x in table["neighbour"]])) == [(i, j) for i, j, _ in expected]
    assert np.allclose(table["similarity"], [s for _, _, s in expected], atol=1e-12)
    assert table["doc_id"].tolist() == [f"d{i}" for i, _, _ in expected]
    assert table.groupby("row")["rank"].apply(list).tolist() == [list(range(1, min(n, 22) + 1))] * 23


def _tied_corpus(seed: int) -> np.ndarray:
    """Rows in runs of exact copies (whole runs tied at 1, and tied with each other against any third row),
    a few rows sharing one term with a single other, and empty rows."""
    generator = np.random.default_rng(seed)
    base = generator.poisson(0.4, size=(12, 40))
    rows = [base[generator.integers(12)] for _ in range(90)]  # 90 rows, ~8 copies of each
    lonely = np.zeros((4, 40), dtype=np.int64)
    lonely[0, 39] = lonely[1, 39] = 1  # a pair sharing a term nobody else uses
    lonely[2, 38] = 2  # a row alike to no one
    rows += list(lonely)
    rows += [np.zeros(40, dtype=np.int64)] * 3
    order = generator.permutation(len(rows))
    return np.array(rows, dtype=float)[order]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("n_jobs, block_rows", [(1, None), (2, 7), (2, None)])
@pytest.mark.parametrize("n", [1, 5, 12])
def test_neighbours_where_ties_straddle_the_cut_equal_brute_force(seed, n_jobs, block_rows, n):
    # Runs of 8 equal rows put up to 7 ties at 1 and more at the next value, so the top-n product
    # has to be corrected wherever its own choice among ties differs from the documented order.
    counts = _tied_corpus(seed)
    m = _matrix(counts.astype(np.int64).tolist(), tuple(f"词{j}" for j in range(counts.shape[1])))
    table = document_neighbours(m, n=n, n_jobs=n_jobs, block_rows=block_rows, progress=False)
    expected = _brute_force_neighbours(counts, n)
    assert list(zip(table["row"], [int(x[1:]) for x in table["neighbour"]])) == [(i, j) for i, j, _ in expected]
    assert np.allclose(table["similarity"], [s for _, _, s in expected], atol=1e-12)


def test_neighbours_of_a_matrix_with_negative_values_use_the_exhaustive_comparison():
    # Zero is then not the lowest similarity: rows sharing nothing rank above opposite rows.
    values = np.array([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [2, 1, 0]])  # counts a DocTermMatrix does not refuse
    m = DocTermMatrix(matrix=sp.csr_matrix(values), terms=("甲", "乙", "丙"),
                      docvars=pd.DataFrame(index=pd.Index([f"d{i}" for i in range(4)], name="doc_id")))
    table = document_neighbours(m, n=3, weighting="count")
    unit = values / np.linalg.norm(values, axis=1, keepdims=True)
    cosine = unit @ unit.T
    of = lambda row: table.loc[table["row"] == row, "neighbour"].tolist()  # noqa: E731
    assert of(1) == ["d2", "d3", "d0"]  # 0 with d2, -0.894 with d3, -1 with d0
    assert np.allclose(table.loc[table["row"] == 1, "similarity"], [cosine[1, 2], cosine[1, 3], cosine[1, 0]])


def test_document_similarity_reuses_a_neighbours_table_and_refuses_another_matrixs():
    counts = _neighbour_corpus()
    m = _matrix(counts.astype(np.int64).tolist(), tuple(f"词{j}" for j in range(15)))
    table = document_neighbours(m, n=4)
    pd.testing.assert_frame_equal(document_similarity(m, max_docs=6, neighbours=table),
                                  document_similarity(m, max_docs=6))
    with pytest.raises(ValueError, match="same matrix and weighting"):
        document_similarity(m, max_docs=6, neighbours=document_neighbours(m, n=4, weighting="count"))
    smaller = _matrix(counts[:20].astype(np.int64).tolist(), tuple(f"词{j}" for j in range(15)))
    with pytest.raises(ValueError, match="20 rows"):
        document_similarity(smaller, max_docs=6, neighbours=table)


def test_neighbour_ties_go_to_the_earlier_row():
    m = _matrix(_neighbour_corpus().astype(np.int64).tolist(), tuple(f"词{j}" for j in range(15)))
    table = document_neighbours(m, n=3)
    of = lambda doc: table.loc[table["doc_id"] == doc, "neighbour"].tolist()  # noqa: E731
    assert of("d11") == ["d8", "d17", "d19"]  # its three equals, in row order
    assert of("d2")[0] == "d5"
    assert of("d13") == ["d0", "d1", "d2"]  # the empty row: everything ties at 0
    assert (table.loc[table["doc_id"] == "d13", "similarity"] == 0).all()


def test_neighbours_of_tiny_corpora_and_bad_arguments():
    single = _matrix([[1, 2]], ("党史", "红色"))
    assert document_neighbours(single).empty
    assert list(document_neighbours(single).columns) == ["doc_id", "neighbour", "rank", "similarity", "row"]
    with pytest.raises(ValueError, match="n .neighbours per row"):
        document_neighbours(single, n=0)
    with pytest.raises(ValueError, match="block_rows"):
        document_neighbours(single, block_rows=0)
    with pytest.raises(ValueError, match="n_jobs"):
        document_neighbours(single, n_jobs=0)
    with pytest.raises(ValueError, match="max_docs"):
        document_similarity(single, max_docs=0)


def test_a_large_corpus_is_shown_by_the_documents_with_the_closest_neighbours():
    counts = _neighbour_corpus()
    m = _matrix(counts.astype(np.int64).tolist(), tuple(f"词{j}" for j in range(15)))
    full = document_similarity(m)
    assert full.shape == (23, 23) and full.attrs["n_docs_shown"] == 23 == full.attrs["n_docs"]
    shown = document_similarity(m, max_docs=6)
    # best neighbour 1: the duplicate pair (2, 5) and the four equal rows (8, 11, 17, 19), in row order
    assert shown.index.tolist() == ["d2", "d5", "d8", "d11", "d17", "d19"]
    assert shown.attrs == {**full.attrs, "n_docs_shown": 6}
    # the same values as the full matrix: document frequencies are counted over every row
    pd.testing.assert_frame_equal(shown, full.loc[shown.index, shown.index], check_exact=False, atol=1e-12)
