"""Tests for corpus_tools.topics.lda: fitting options, K checks, convergence, the bound and its sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from corpus_tools import topics
from corpus_tools.topics import lda as fitting
from corpus_tools.topics import TopicInputError

from .helpers import AGRICULTURE, EDUCATION


def test_k_larger_than_the_units_is_a_clear_error(two_topic_corpus):
    with pytest.raises(TopicInputError, match=r"K=30 topics need more than 30 paragraphs, but only 30"):
        topics.fit_lda(two_topic_corpus, k=30, random_state=1)
    with pytest.raises(TopicInputError, match="at least 2"):
        topics.fit_lda(two_topic_corpus, k=1, random_state=1)


def test_sweep_names_the_held_out_split_when_k_is_too_large(two_topic_corpus):
    with pytest.raises(TopicInputError, match=r"K=16 .*heldout_prop=0.5"):
        topics.sweep_k(two_topic_corpus, ks=[2, 16], random_state=1, heldout_prop=0.5, progress=False)
    with pytest.raises(TopicInputError, match="holds out only 1"):
        topics.sweep_k(two_topic_corpus, ks=[2], random_state=1, heldout_prop=0.01, progress=False)


def test_learned_alpha_needs_a_single_worker(two_topic_corpus):
    with pytest.raises(ValueError, match="alpha='auto' needs workers=1"):
        topics.fit_lda(two_topic_corpus, k=2, random_state=1, alpha="auto", n_jobs=2)


def test_convergence_table_has_one_row_per_pass(two_topic_model):
    conv = two_topic_model.convergence
    assert conv["pass"].tolist() == list(range(1, 31))
    assert (conv["n_updates"] == 1).all()  # 30 units fit in one chunk: one M-step per pass
    assert conv["topic_diff"].iloc[-1] < conv["topic_diff"].iloc[0]
    assert conv["converged_share"].iloc[-1] == 1.0
    assert (conv["units_inferred"] == 30).all()
    assert conv["per_word_bound"].notna().all()
    assert conv["per_word_bound"].iloc[-1] >= conv["per_word_bound"].iloc[0]
    assert np.allclose(conv["perplexity"], np.exp(-conv["per_word_bound"]))  # the bound is in nats


def test_passes_stop_when_the_bound_settles_and_the_model_is_that_many_passes(two_topic_corpus):
    tol = 1e-3
    model = topics.fit_lda(two_topic_corpus, k=2, random_state=7, passes=200, tol=tol, iterations=200, cache=False)
    conv = model.convergence
    n = len(conv)
    assert 2 <= n < 200  # a clear two-vocabulary structure settles long before 200 passes
    assert conv["pass"].tolist() == list(range(1, n + 1))
    bound = conv["per_word_bound"].to_numpy()
    # the relative change, recomputed here from the bounds: below tol at the last pass only
    change = np.abs(np.diff(bound)) / np.abs(bound[:-1])
    np.testing.assert_allclose(conv["bound_rel_change"].iloc[1:], change, rtol=1e-12)
    assert change[-1] < tol and (change[:-1] >= tol).all()
    # stopping early gives exactly the model a fit with that many fixed passes gives
    fixed = topics.fit_lda(two_topic_corpus, k=2, random_state=7, passes=n, tol=None, iterations=200, cache=False)
    np.testing.assert_array_equal(model.phi, fixed.phi)
    np.testing.assert_array_equal(model.theta, fixed.theta)
    pd.testing.assert_frame_equal(model.convergence, fixed.convergence)
    assert model.settings["tol"] == tol


def test_bound_of_a_large_corpus_is_that_of_a_fixed_sample_and_leaves_the_fit_alone(two_topic_corpus, monkeypatch):
    from gensim.matutils import Sparse2Corpus

    full = topics.fit_lda(two_topic_corpus, k=2, random_state=7, passes=5, tol=None, cache=False)
    monkeypatch.setattr(fitting, "BOUND_UNITS", 12)
    sampled = topics.fit_lda(two_topic_corpus, k=2, random_state=7, passes=5, tol=None, cache=False)
    np.testing.assert_array_equal(sampled.phi, full.phi)  # the bound only watches the fit
    rows = fitting.sample_rows(two_topic_corpus.n_units, 12, 7)
    assert len(rows) == 12 == len(set(rows.tolist()))
    lda = sampled.lda
    saved, lda.random_state = lda.random_state, np.random.RandomState(7)
    try:  # reference: gensim's own per-word bound of those 12 units
        bound = lda.log_perplexity(list(Sparse2Corpus(two_topic_corpus.dtm.matrix[rows], documents_columns=False)))
    finally:
        lda.random_state = saved
    assert sampled.convergence["per_word_bound"].iloc[-1] == pytest.approx(bound, rel=1e-9)
    assert sampled.convergence["per_word_bound"].iloc[-1] != full.convergence["per_word_bound"].iloc[-1]


def test_passes_never_exceed_the_cap(two_topic_corpus):
    capped = topics.fit_lda(two_topic_corpus, k=2, random_state=7, passes=4, tol=1e-12, cache=False)
    assert capped.convergence["pass"].tolist() == [1, 2, 3, 4]
    # tol=0 is never met: every pass runs
    assert len(topics.fit_lda(two_topic_corpus, k=2, random_state=7, passes=6, tol=0, cache=False).convergence) == 6
    with pytest.raises(ValueError, match="tol"):
        topics.fit_lda(two_topic_corpus, k=2, random_state=7, tol=1.5)


def test_perplexity_is_e_to_the_minus_gensims_per_word_bound(two_topic_corpus, two_topic_model):
    # Reference: gensim's own log_perplexity (its per-word bound, in nats) on the same units with
    # a generator seeded as the fit seeds it, exponentiated base e here.
    from gensim.matutils import Sparse2Corpus

    lda = two_topic_model.lda
    saved = lda.random_state
    lda.random_state = np.random.RandomState(two_topic_model.random_state)
    try:
        bound = lda.log_perplexity(list(Sparse2Corpus(two_topic_corpus.dtm.matrix, documents_columns=False)))
    finally:
        lda.random_state = saved
    last = two_topic_model.convergence.iloc[-1]
    assert last["per_word_bound"] == pytest.approx(bound, rel=1e-9)
    assert last["perplexity"] == pytest.approx(np.exp(-bound), rel=1e-9)
    # 2 ** -bound (what gensim logs) would be far smaller; the bound is in nats
    assert last["perplexity"] > 1.5 * 2.0 ** -bound


def test_multicore_fit_recovers_the_structure(two_topic_corpus):
    model = topics.fit_lda(two_topic_corpus, k=2, random_state=7, passes=40, n_jobs=2)
    assert sorted(map(sorted, model.top_terms(8))) == sorted([sorted(AGRICULTURE), sorted(EDUCATION)])
    conv = model.convergence
    assert conv["pass"].tolist() == list(range(1, 41))
    # the table shows the updates that happened; under load LdaMulticore skips some (n_updates 0)
    assert conv["n_updates"].isin([0, 1]).all() and conv["topic_diff"].notna().sum() == conv["n_updates"].sum()
    # E-steps ran in worker processes: their convergence counts are not available
    assert conv["units_converged"].isna().all() and conv["per_word_bound"].isna().all()
