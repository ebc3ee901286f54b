"""Tests for the intervals of corpus_tools.rhetoric.stats (rate_intervals and the tables that use it).

Reference values come from hand counts of constructed texts and from scipy.stats.bootstrap
called directly on the per-document counts; the coverage of the intervals is measured in
benchmarks/bootstrap_coverage.py, not here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from corpus_tools import rhetoric
from corpus_tools.corpus import corpus_from_texts
from corpus_tools.rhetoric.stats import CI_DOCUMENT, CI_DOCUMENT_BCA, CI_OWN_RATE, rate_intervals

FILLER = "今天召开会议部署工作。"  # 11 characters, no registry expression
PHRASE = "急难愁盼"  # the registry's people category


def _grouped_corpus():
    """12 documents in 甲县 with 0..3 uses of 急难愁盼, 2 in 乙县 (1 and 2), one single-paragraph doc in 丙县."""
    texts, groups = {}, {}
    for i in range(12):
        uses = i % 4
        first = FILLER + "，".join([PHRASE] * uses) + ("。" if uses else "")
        texts[f"j{i:02d}"] = first + "\n\n" + FILLER * (1 + i % 3)
        groups[f"j{i:02d}"] = "甲县"
    for i in range(2):
        texts[f"y{i}"] = FILLER + "，".join([PHRASE] * (i + 1)) + "。\n\n" + FILLER
        groups[f"y{i}"] = "乙县"
    texts["b0"] = FILLER + PHRASE + "。"
    groups["b0"] = "丙县"
    docvars = pd.DataFrame({"group": groups})
    return corpus_from_texts(texts, docvars=docvars)


@pytest.fixture(scope="module")
def grouped():
    corp = _grouped_corpus()
    matches = rhetoric.match_registry(corp)
    return corp, matches[matches["category"] == "people"]


def _people(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["category"] == "people"].set_index("group")


def test_the_document_bootstrap_is_scipys_on_the_documents_counts(grouped):
    corp, matches = grouped
    table = rhetoric.frequency(matches, corp, term="category", n_boot=500, random_state=3)
    row = table[(table["group"] == "甲县") & (table["category"] == "people")].iloc[0]
    # Independent reference: per-document counts and lengths written down from the texts.
    counts = np.array([i % 4 for i in range(12)], dtype=float)
    lengths = np.array([len(corp.texts[f"j{i:02d}"].replace("\n", "")) for i in range(12)], dtype=float)
    assert row["count"] == counts.sum() and row["n_chars"] == lengths.sum()
    assert row["per_10k_chars"] == pytest.approx(1e4 * counts.sum() / lengths.sum())
    # The bootstrap-t: resample the 12 documents (scipy, same seed), studentize each resample's ratio
    # by its delta-method standard error, and invert the 2.5 % and 97.5 % quantiles of t.
    def ratio_se(y, x):
        n = y.shape[-1]
        ratio = y.sum(axis=-1) / x.sum(axis=-1)
        se = np.sqrt(((y - ratio[..., None] * x) ** 2).sum(axis=-1) / (n * (n - 1))) / x.mean(axis=-1)
        return ratio, se

    estimate, se = ratio_se(counts, lengths)
    t = stats.bootstrap((counts, lengths), lambda y, x, axis=-1: (ratio_se(y, x)[0] - estimate) / ratio_se(y, x)[1],
                        paired=True, vectorized=True, n_resamples=500, method="percentile",
                        rng=np.random.default_rng(3)).bootstrap_distribution
    t_low, t_high = np.quantile(t, [0.025, 0.975])
    reference = (1e4 * (estimate - t_high * se), 1e4 * (estimate - t_low * se))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(reference, rel=1e-12)
    assert row["n_docs"] == 12 and row["ci_method"] == CI_DOCUMENT and row["ci_note"] == ""
    assert row["ci_low"] < row["per_10k_chars"] < row["ci_high"]


def test_small_groups_get_a_labelled_own_rate_interval_or_none(grouped):
    corp, matches = grouped
    table = _people(rhetoric.frequency(matches, corp, term="category", n_boot=300))
    few = table.loc["乙县"]
    assert few["n_docs"] == 2 and few["ci_method"] == CI_OWN_RATE
    assert "own rate" in few["ci_note"] and "min_docs_for_interval=10" in few["ci_note"]
    assert few["ci_low"] < few["ci_high"]
    # one document of one paragraph: nothing varies, so no interval (not [rate, rate])
    single = table.loc["丙县"]
    assert np.isnan(single["ci_low"]) and np.isnan(single["ci_high"]) and single["ci_method"] == ""
    assert "nothing to resample" in single["ci_note"]
    strict = _people(rhetoric.frequency(matches, corp, term="category", n_boot=300, small_groups="nan"))
    assert np.isnan(strict.loc["乙县", "ci_low"]) and "too few" in strict.loc["乙县", "ci_note"]
    assert strict.loc["甲县", "ci_method"] == CI_DOCUMENT
    # three identical documents: a document bootstrap cannot vary, so none (not a zero-width one)
    same = {f"y{i}": FILLER + PHRASE + "。" for i in range(3)}
    twins = corpus_from_texts(same, docvars=pd.DataFrame({"group": {doc: "乙县" for doc in same}}))
    twin_table = rhetoric.frequency(rhetoric.match_registry(twins), twins, term="canonical", n_boot=100,
                                    min_docs_for_interval=3)
    assert np.isnan(twin_table["ci_low"]).all() and twin_table["ci_note"].str.contains("degenerate").all()
    three = rate_intervals(np.array([1.0, 2.0, 0.0]), np.array([26.0, 31.0, 20.0]), documents=[0, 1, 2],
                           min_docs_for_interval=3, n_boot=300)
    # fewer than 10 resampled units: BCa at the expanded level, not the erratic bootstrap-t
    assert three["ci_method"].item() == CI_DOCUMENT_BCA and three["ci_high"].item() > three["rate"].item()


def test_no_zero_width_interval_for_a_term_never_used():
    counts = np.array([[2, 0], [1, 0], [0, 0], [3, 0]] * 3, dtype=float)
    table = rate_intervals(counts, np.full(12, 500.0), documents=np.arange(12), scale=1e4, n_boot=200)
    used, unused = table.iloc[0], table.iloc[1]
    assert used["ci_method"] == CI_DOCUMENT and used["ci_low"] < used["rate"] < used["ci_high"]
    assert unused["rate"] == 0 and np.isnan(unused["ci_low"]) and np.isnan(unused["ci_high"])
    assert "no occurrence" in unused["ci_note"]


def test_bootstrap_t_falls_back_to_bca_when_resamples_lack_spread():
    # one document of 12 uses the term: about a third of the resamples leave it out, have no
    # spread and an infinite t, so the bootstrap-t has no finite bound
    counts = np.zeros((12, 2))
    counts[0, 0] = 3
    counts[:, 1] = [1, 2, 0, 1, 3, 1, 0, 2, 1, 1, 2, 0]
    table = rate_intervals(counts, np.full(12, 400.0), documents=np.arange(12), scale=1e4, n_boot=300)
    assert table["ci_method"].tolist() == [CI_DOCUMENT_BCA, CI_DOCUMENT]
    assert (table["ci_low"] < table["rate"]).all() and (table["rate"] < table["ci_high"]).all()


def test_paragraph_resampling_is_labelled_as_the_documents_own_rate():
    counts = np.array([1, 0, 2, 1, 0, 3], dtype=float)
    table = rate_intervals(counts, np.full(6, 100.0), documents=list("aabbcc"), resample="paragraph",
                           n_boot=200, min_docs_for_interval=3)
    assert table["ci_method"].item() == CI_OWN_RATE and "resample='paragraph'" in table["ci_note"].item()
    assert table["n_docs"].item() == 3 and table["n_units"].item() == 6


def test_intervals_are_reproducible_and_depend_on_the_seed():
    generator = np.random.default_rng(0)
    counts = generator.poisson(2.0, size=(40, 3)).astype(float)
    lengths = generator.integers(100, 300, size=40).astype(float)
    documents = np.repeat(np.arange(20), 2)
    groups = np.where(documents < 10, "甲", "乙")
    first = rate_intervals(counts, lengths, documents=documents, groups=groups, n_boot=300, random_state=1)
    again = rate_intervals(counts, lengths, documents=documents, groups=groups, n_boot=300, random_state=1)
    other = rate_intervals(counts, lengths, documents=documents, groups=groups, n_boot=300, random_state=2)
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["ci_low"], other["ci_low"])
    assert first["group"].tolist() == ["甲"] * 3 + ["乙"] * 3
    # the rate is a ratio of sums, computed by hand here
    in_first = documents < 10
    assert np.allclose(first["rate"].to_numpy()[:3], counts[in_first].sum(axis=0) / lengths[in_first].sum())


def test_bad_options_name_the_parameter():
    with pytest.raises(ValueError, match="min_docs_for_interval"):
        rate_intervals(np.ones(3), np.ones(3), documents=[0, 1, 2], min_docs_for_interval=2)
    with pytest.raises(ValueError, match="resample"):
        rate_intervals(np.ones(3), np.ones(3), documents=[0, 1, 2], resample="sentence")
    with pytest.raises(ValueError, match="small_groups"):
        rate_intervals(np.ones(3), np.ones(3), documents=[0, 1, 2], small_groups="zero")
    with pytest.raises(ValueError, match="same units"):
        rate_intervals(np.ones(3), np.ones(2), documents=[0, 1, 2])
