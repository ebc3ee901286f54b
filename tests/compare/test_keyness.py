"""Tests for corpus_tools.compare.keyness: G², χ², log ratio and the Monroe et al. log-odds z
checked against hand computation from the formulas and against scipy, on constructed corpora
with planted answers and on the seeds."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.stats import chi2_contingency, power_divergence

import corpus_tools as ct
from corpus_tools.compare.keyness import KEYNESS_COLUMNS, group_counts, keyness, keyness_summary, top_keyness
from corpus_tools.dtm import DocTermMatrix

SEED_GROUPS = {"槐荫区", "市中区", "济南市（全市）", "召陵区", "武隆区"}


def _matrix(rows: list[list[int]], terms: tuple[str, ...], groups: list[str]) -> DocTermMatrix:
    index = pd.Index([f"u{i}" for i in range(len(rows))], name="unit_id")
    return DocTermMatrix(
        matrix=sp.csr_matrix(np.array(rows, dtype=np.int64)),
        terms=terms,
        docvars=pd.DataFrame({"doc_id": list(index), "group": groups}, index=index),
    )


# A 2-group, 3-term table worked by hand.
#            红色  乡村  党史 | n
#   甲区      10     2     8  | 20
#   乙县       3     9     8  | 20
WORKED = _matrix([[10, 2, 8], [3, 9, 8]], ("红色", "乡村", "党史"), ["甲区", "乙县"])


def _row(table: pd.DataFrame, group: str, term: str) -> pd.Series:
    rows = table[(table["group"] == group) & (table["term"] == term)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_worked_example_g2_chi2_log_ratio_by_hand():
    table = keyness(WORKED, measure="g2")
    row = _row(table, "甲区", "红色")
    # 2 x 2 table [[10, 3], [10, 17]]; margins 13 / 27 (rows) and 20 / 20 (columns), N = 40.
    e_a, e_b, e_c, e_d = 20 * 13 / 40, 20 * 13 / 40, 20 * 27 / 40, 20 * 27 / 40  # 6.5, 6.5, 13.5, 13.5
    g2 = 2 * (10 * math.log(10 / e_a) + 3 * math.log(3 / e_b) + 10 * math.log(10 / e_c) + 17 * math.log(17 / e_d))
    chi2 = (10 - e_a) ** 2 / e_a + (3 - e_b) ** 2 / e_b + (10 - e_c) ** 2 / e_c + (17 - e_d) ** 2 / e_d
    assert row["g2"] == pytest.approx(g2, rel=1e-12)
    assert row["chi2"] == pytest.approx(chi2, rel=1e-12)
    # Same numbers written out: 3.5² (2/6.5 + 2/13.5) = 5.58405 for χ²; G² = 2 × 2.906116 = 5.81223.
    assert row["chi2"] == pytest.approx(5.58405, abs=1e-5)
    assert row["g2"] == pytest.approx(5.81223, abs=1e-5)
    # Hardie's log ratio: log2((10/20) / (3/20)) = log2(10/3).
    assert row["log_ratio"] == pytest.approx(math.log2(10 / 3))
    assert row["per_10k_tokens_group"] == pytest.approx(5000.0)
    assert row["per_10k_tokens_rest"] == pytest.approx(1500.0)
    # χ² p-value with 1 df: P(X > G²) = erfc(√(G²/2)) for the ranking measure G².
    assert row["p_value"] == pytest.approx(math.erfc(math.sqrt(g2 / 2)), rel=1e-9)


def test_worked_example_log_odds_with_pooled_prior_by_hand():
    table = keyness(WORKED)  # prior="pooled", alpha0 = N = 40: α_w is the pooled count
    # 红色 for 甲区: y_i = 10, y_j = 3, n_i = n_j = 20, α_w = 13, α0 = 40.
    delta = math.log((10 + 13) / (20 + 40 - 10 - 13)) - math.log((3 + 13) / (20 + 40 - 3 - 13))
    var = 1 / (10 + 13) + 1 / (3 + 13)
    row = _row(table, "甲区", "红色")
    assert row["prior"] == pytest.approx(13.0)
    assert row["log_odds"] == pytest.approx(delta, rel=1e-12)
    assert row["log_odds_z"] == pytest.approx(delta / math.sqrt(var), rel=1e-12)
    # ln(23/37) - ln(16/44) = 0.536177; √(1/23 + 1/16) = 0.325543; z = 1.64703 (hand, 5 d.p.).
    assert row["log_odds_z"] == pytest.approx(1.64703, abs=1e-5)
    # 乡村 for 甲区 (under-used): y_i = 2, y_j = 9, α_w = 11.
    delta = math.log((2 + 11) / (20 + 40 - 2 - 11)) - math.log((9 + 11) / (20 + 40 - 9 - 11))
    z = delta / math.sqrt(1 / (2 + 11) + 1 / (9 + 11))
    assert _row(table, "甲区", "乡村")["log_odds_z"] == pytest.approx(z, rel=1e-12)
    assert z < 0
    # 党史 is used at the same rate by both: every statistic is 0.
    same = _row(table, "甲区", "党史")
    assert same[["g2", "chi2", "log_ratio", "log_odds", "log_odds_z"]].abs().max() == pytest.approx(0.0, abs=1e-12)


def test_log_odds_with_scaled_and_constant_priors_by_hand():
    scaled = keyness(WORKED, alpha0=10.0)
    alpha = 10 * 13 / 40  # α0 times the pooled share of 红色
    delta = math.log((10 + alpha) / (20 + 10 - 10 - alpha)) - math.log((3 + alpha) / (20 + 10 - 3 - alpha))
    z = delta / math.sqrt(1 / (10 + alpha) + 1 / (3 + alpha))
    assert _row(scaled, "甲区", "红色")["log_odds_z"] == pytest.approx(z, rel=1e-12)

    constant = keyness(WORKED, prior=0.01)  # Monroe et al.'s uninformative prior: α0 = 0.01 · 3
    a, a0 = 0.01, 0.03
    delta = math.log((2 + a) / (20 + a0 - 2 - a)) - math.log((9 + a) / (20 + a0 - 9 - a))
    z = delta / math.sqrt(1 / (2 + a) + 1 / (9 + a))
    assert _row(constant, "甲区", "乡村")["log_odds_z"] == pytest.approx(z, rel=1e-12)
    with pytest.raises(ValueError, match="alpha0"):
        keyness(WORKED, prior=0.01, alpha0=5.0)


def test_reference_prior_uses_reference_shares_with_pseudocount():
    reference = pd.Series({"红色": 99.5, "乡村": 0.0, "其他": 500.0})  # 党史 absent from the reference
    table = keyness(WORKED, prior=reference, alpha0=100.0)
    # Shares over the compared terms, each count + 0.5: 红色 100, 乡村 0.5, 党史 0.5 -> total 101.
    assert _row(table, "甲区", "红色")["prior"] == pytest.approx(100 * 100 / 101)
    assert _row(table, "甲区", "乡村")["prior"] == pytest.approx(100 * 0.5 / 101)
    assert _row(table, "甲区", "党史")["prior"] == pytest.approx(100 * 0.5 / 101)
    reference_dtm = _matrix([[99, 0, 0]], ("红色", "乡村", "别的"), ["参照"])
    from_dtm = keyness(WORKED, prior=reference_dtm, alpha0=100.0)
    # 红色 99 + 0.5, 乡村 0 + 0.5, 党史 0 + 0.5 -> shares 99.5/100.5 ...
    assert _row(from_dtm, "甲区", "红色")["prior"] == pytest.approx(100 * 99.5 / 100.5)


def test_two_groups_mirror_each_other():
    table = keyness(WORKED)
    for term in WORKED.terms:
        a, b = _row(table, "甲区", term), _row(table, "乙县", term)
        for column in ("g2", "chi2", "log_ratio", "log_odds", "log_odds_z"):
            assert a[column] == pytest.approx(-b[column], abs=1e-12)


def test_g2_and_chi2_match_scipy_on_every_term_of_a_four_group_table():
    rng = np.random.default_rng(7)
    counts = rng.integers(0, 30, size=(4, 12))
    counts[2, 5] = 0  # a zero cell, where 0 · ln 0 = 0 matters
    m = _matrix(counts.tolist(), tuple(f"词{j:02d}" for j in range(12)), ["甲", "乙", "丙", "丁"])
    table = keyness(m)
    assert len(table) == 4 * 12
    for row in table.itertuples():
        observed = np.array(
            [[row.count_group, row.count_rest],
             [row.n_tokens_group - row.count_group, row.n_tokens_rest - row.count_rest]]
        )
        g2, *_ = chi2_contingency(observed, correction=False, lambda_="log-likelihood")
        x2, *_ = chi2_contingency(observed, correction=False)
        expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
        pd_g2 = power_divergence(observed.ravel(), expected.ravel(), ddof=2, lambda_="log-likelihood").statistic
        assert abs(row.g2) == pytest.approx(g2, rel=1e-9, abs=1e-12)
        assert abs(row.g2) == pytest.approx(pd_g2, rel=1e-9, abs=1e-12)
        assert abs(row.chi2) == pytest.approx(x2, rel=1e-9, abs=1e-12)
        over = row.count_group / row.n_tokens_group > row.count_rest / row.n_tokens_rest
        if abs(row.g2) > 1e-9:
            assert (row.g2 > 0) == over and (row.chi2 > 0) == over and (row.log_odds_z > 0) == over


def _planted_corpus():
    # Three districts with the same campaign vocabulary; only 甲区 mentions 泉城 (5 times), and
    # 乙县 over-uses 乡村 (also used once by 丙市).
    shared = "党史学习教育扎实开展，党员干部学党史、悟思想、办实事、开新局。"
    texts = {
        "a1": shared * 2 + "泉城红色资源丰富，泉城群众踊跃参与。" + "泉城泉城泉城。",
        "a2": shared + "红色故事深入人心。",
        "b1": shared * 2 + "乡村振兴成效明显，乡村面貌焕然一新，乡村群众得实惠。",
        "c1": shared * 3 + "乡村群众参与红色宣讲。",
    }
    docvars = pd.DataFrame({"district": ["甲区", "甲区", "乙县", "丙市"]}, index=list(texts))
    corp = ct.corpus_from_texts(texts, docvars=docvars)
    return ct.dtm(ct.tokenize(corp).remove(ct.stopwords("zh-official"), min_chars=2))


def test_planted_term_is_its_districts_most_distinctive():
    m = _planted_corpus()
    assert "泉城" in m.terms
    table = keyness(m, by="district")
    top = top_keyness(table, 1)
    assert top.loc[top["group"] == "甲区", "term"].item() == "泉城"
    assert top.loc[top["group"] == "乙县", "term"].item() == "乡村"
    quancheng = _row(table, "甲区", "泉城")
    assert (quancheng["count_group"], quancheng["count_rest"]) == (5, 0)
    # Elsewhere 泉城 is under-used, so its statistics there are negative.
    assert _row(table, "乙县", "泉城")["log_odds_z"] < 0
    assert _row(table, "乙县", "泉城")["g2"] < 0
    # Under G² too.
    top_g2 = top_keyness(keyness(m, by="district", measure="g2"), 1)
    assert top_g2.loc[top_g2["group"] == "甲区", "term"].item() == "泉城"


def test_table_shape_ranks_and_options():
    m = _planted_corpus()
    table = keyness(m, by="district")
    assert tuple(table.columns) == KEYNESS_COLUMNS
    assert list(pd.unique(table["group"])) == ["丙市", "乙县", "甲区"]  # sorted labels
    for _, rows in table.groupby("group"):
        assert rows["rank"].tolist() == list(range(1, m.n_terms + 1))
        assert rows["log_odds_z"].is_monotonic_decreasing
    only = keyness(m, by="district", target="乙县")
    assert set(only["group"]) == {"乙县"}
    pd.testing.assert_frame_equal(
        only.reset_index(drop=True), table[table["group"] == "乙县"].reset_index(drop=True)
    )
    frequent = keyness(m, by="district", min_termfreq=3)
    pooled = dict(zip(m.terms, np.asarray(m.matrix.sum(axis=0)).ravel()))
    assert set(frequent["term"]) == {t for t, c in pooled.items() if c >= 3}
    under = top_keyness(table, 2, direction="under")
    assert (under["log_odds_z"] < 0).all()
    assert under.groupby("group")["rank"].max().max() <= 2


def test_errors_name_the_problem():
    m = _planted_corpus()
    with pytest.raises(KeyError, match="target"):
        keyness(m, by="district", target="丁镇")
    with pytest.raises(KeyError, match="outlet_x"):
        keyness(m, by="outlet_x")
    with pytest.raises(ValueError, match="measure"):
        keyness(m, by="district", measure="tfidf")
    one_group = _matrix([[1, 2]], ("红色", "乡村"), ["甲"])
    with pytest.raises(ValueError, match="two groups"):
        keyness(one_group)
    with pytest.raises(ValueError, match="min_termfreq"):
        keyness(m, by="district", min_termfreq=0)


def test_summary_has_one_line_per_group():
    table = keyness(_planted_corpus(), by="district")
    summary = keyness_summary(table, 2)
    assert summary["group"].tolist() == ["丙市", "乙县", "甲区"]
    assert summary.loc[summary["group"] == "甲区", "top_terms"].item().split("、")[0] == "泉城"


def test_seeds_by_district(seeds):
    corp = seeds.assign_docvars(group=ct.group_labels(seeds.docvars, "district"))
    m = ct.dtm(ct.tokenize(corp).remove(ct.stopwords("zh-official"), min_chars=2))
    table = keyness(m)
    assert set(table["group"]) == SEED_GROUPS
    assert np.isfinite(table[["g2", "chi2", "log_ratio", "log_odds_z", "p_value"]].to_numpy()).all()
    assert table["p_value"].between(0, 1).all()
    # Counts add up: group + rest = the term's total, for every group.
    totals = dict(zip(m.terms, np.asarray(m.matrix.sum(axis=0)).ravel()))
    assert (table["count_group"] + table["count_rest"] == table["term"].map(totals)).all()
    # Grouping by the raw docvar gives the same labels (group_labels falls back to the city).
    by_district = keyness(m, by="district")
    assert set(by_district["group"]) == SEED_GROUPS
    top = top_keyness(table, 5)
    assert (top["log_odds_z"] > 0).all()
    # Each district's report names its own district, which no other report does.
    for name in ("市中区", "槐荫区", "召陵区"):
        assert name in top.loc[top["group"] == name, "term"].tolist()
    assert group_counts(m).docvars.index.name == "group"


# ------------------------------------------------------------------ corrections, q-values, totals

# Small counts: 红色 has an expected count below 5 in both groups, so quanteda's Yates rule applies.
SMALL = _matrix([[4, 0, 16], [1, 5, 14]], ("红色", "乡村", "党史"), ["甲区", "乙县"])


def _two_by_two(a: int, b: int, n1: int, n2: int) -> np.ndarray:
    return np.array([[a, b], [n1 - a, n2 - b]], dtype=float)


def test_yates_chi2_matches_scipy_when_quantedas_condition_holds():
    row = _row(keyness(SMALL, measure="chi2", correction="yates"), "甲区", "红色")
    reference = chi2_contingency(_two_by_two(4, 1, 20, 20), correction=True)[0]  # always Yates-corrects
    assert row["chi2"] == pytest.approx(reference, rel=1e-12)
    assert row["p_value"] == pytest.approx(chi2_contingency(_two_by_two(4, 1, 20, 20), correction=True)[1], rel=1e-9)
    # quanteda corrects only tables with an expected count below 5: 红色 in WORKED (expected 6.5,
    # 6.5, 13.5, 13.5) keeps its uncorrected χ², which scipy gives with correction=False.
    worked = _row(keyness(WORKED, measure="chi2", correction="yates"), "甲区", "红色")
    assert worked["chi2"] == pytest.approx(chi2_contingency(_two_by_two(10, 3, 20, 20), correction=False)[0])


def test_yates_g2_is_the_likelihood_ratio_of_the_half_unit_adjusted_table():
    row = _row(keyness(SMALL, measure="g2", correction="yates"), "甲区", "红色")
    # ad - bc = 4·19 - 1·16 > 0: a and d move down by 0.5, b and c up (quanteda's lr_lambda).
    adjusted = np.array([[3.5, 1.5], [16.5, 18.5]])
    reference = chi2_contingency(adjusted, correction=False, lambda_="log-likelihood")[0]
    assert row["g2"] == pytest.approx(reference, rel=1e-12)


def _williams_q(table: np.ndarray) -> float:
    # The G-test with Williams' correction as written in quanteda.textstats' own test file.
    n = table.sum()
    rows = (1 / table.sum(axis=1)).sum()
    cols = (1 / table.sum(axis=0)).sum()
    return 1 + (n * rows - 1) * (n * cols - 1) / (6 * n)


def test_williams_divides_g2_and_chi2_by_q():
    table = keyness(WORKED, measure="g2", correction="williams")
    row = _row(table, "甲区", "红色")
    cells = _two_by_two(10, 3, 20, 20)
    q = _williams_q(cells)
    g2 = chi2_contingency(cells, correction=False, lambda_="log-likelihood")[0]
    assert q > 1
    assert row["g2"] == pytest.approx(g2 / q, rel=1e-12)
    assert row["chi2"] == pytest.approx(chi2_contingency(cells, correction=False)[0] / q, rel=1e-12)
    # a table with an empty cell is not corrected (quanteda: q = 1 when a·b·c·d = 0)
    zero = _row(keyness(SMALL, measure="g2", correction="williams"), "甲区", "乡村")
    assert zero["g2"] == pytest.approx(
        -chi2_contingency(_two_by_two(0, 5, 20, 20), correction=False, lambda_="log-likelihood")[0], rel=1e-12)
    with pytest.raises(ValueError, match="correction"):
        keyness(WORKED, correction="default")


def test_q_values_are_benjamini_hochberg_within_each_group():
    m = _planted_corpus()
    table = keyness(m, by="district", measure="g2")
    for _, rows in table.groupby("group"):
        p = rows["p_value"].to_numpy()
        # BH by hand: q_(i) = min over j >= i of p_(j) · m / j, capped at 1.
        order = np.argsort(p)
        ranked = p[order] * len(p) / np.arange(1, len(p) + 1)
        q_sorted = np.minimum(1.0, np.minimum.accumulate(ranked[::-1])[::-1])
        expected = np.empty_like(p)
        expected[order] = q_sorted
        assert np.allclose(rows["q_value"].to_numpy(), expected, rtol=1e-12)
        assert (rows["q_value"] >= rows["p_value"] - 1e-15).all()
    distinctive = top_keyness(table, 10, max_q=0.05)
    assert (distinctive["q_value"] < 0.05).all()
    assert len(distinctive) <= len(top_keyness(table, 10))
    summary = keyness_summary(table, 3, max_q=1e-300)  # nothing passes: every line is empty
    assert (summary["top_terms"] == "").all() and len(summary) == table["group"].nunique()


def test_min_count_keeps_the_real_token_totals_and_statistics():
    m = _planted_corpus()
    full = keyness(m, by="district")
    frequent = keyness(m, by="district", min_termfreq=3)
    group_tokens = np.asarray(group_counts(m, by="district").matrix.sum(axis=1)).ravel()
    totals = dict(zip(group_counts(m, by="district").docvars.index, group_tokens))
    assert (frequent["n_tokens_group"] == frequent["group"].map(totals)).all()
    assert (frequent["n_tokens_group"] + frequent["n_tokens_rest"] == group_tokens.sum()).all()
    # A kept term's statistics do not depend on which other terms the table shows.
    merged = frequent.merge(full, on=["group", "term"], suffixes=("", "_full"))
    assert len(merged) == len(frequent)
    for column in ("g2", "chi2", "log_ratio", "prior", "log_odds", "log_odds_z", "p_value"):
        assert np.allclose(merged[column], merged[f"{column}_full"], rtol=1e-12), column


def test_old_threshold_names_still_work_with_a_warning():
    m = _planted_corpus()
    with pytest.warns(FutureWarning, match="'min_count' is renamed 'min_termfreq'"):
        old = keyness(m, by="district", min_count=3)
    pd.testing.assert_frame_equal(old, keyness(m, by="district", min_termfreq=3))
    table = keyness(m, by="district")
    with pytest.warns(FutureWarning, match="'min_count_group' is renamed 'min_termfreq_group'"):
        old_top = top_keyness(table, 3, min_count_group=2)
    new_top = top_keyness(table, 3, min_termfreq_group=2)
    pd.testing.assert_frame_equal(old_top, new_top)
    assert (new_top["count_group"] >= 2).all()


def test_n_keeps_each_groups_strongest_terms_at_both_ends_of_the_full_table():
    m = _planted_corpus()
    full = keyness(m, by="district")
    assert m.n_terms > 4
    kept = keyness(m, by="district", n=2)
    assert kept.attrs["n"] == 2 and full.attrs["n"] is None
    for group, rows in full.groupby("group"):
        # The same rows as the full table's first two and last two, statistics and q-values
        # included (computed over every term before the cut).
        expected = pd.concat([rows.iloc[:2], rows.iloc[-2:]]).reset_index(drop=True)
        pd.testing.assert_frame_equal(kept[kept["group"] == group].reset_index(drop=True), expected)
    pd.testing.assert_frame_equal(keyness(m, by="district", n=m.n_terms), full)  # nothing to cut
    with pytest.raises(ValueError, match="n must be None"):
        keyness(m, by="district", n=0)
