"""Tests for corpus_tools.topics.model: a fit recovers a known structure; its tables; the cached model; notebook 01."""

from __future__ import annotations

import filecmp

import numpy as np
import pandas as pd
import pytest

from corpus_tools import topics
from corpus_tools.topics import lda as fitting

from .helpers import AGRICULTURE, EDUCATION, PROJECT_ROOT


# --------------------------------------------------------------------------------------------
# The model recovers a known structure
# --------------------------------------------------------------------------------------------


def test_two_vocabularies_are_recovered_as_two_topics(two_topic_model):
    top = [set(terms) for terms in two_topic_model.top_terms(8)]
    assert sorted(map(sorted, top)) == sorted([sorted(AGRICULTURE), sorted(EDUCATION)])
    dominant = two_topic_model.theta.argmax(axis=1)
    agri_topic = 0 if top[0] == set(AGRICULTURE) else 1
    is_agri = two_topic_model.corpus.dtm.docvars["group"].to_numpy() == "甲县"
    assert (dominant[is_agri] == agri_topic).all()
    assert (dominant[~is_agri] == 1 - agri_topic).all()


def test_group_shares_follow_the_districts(two_topic_model):
    shares = two_topic_model.group_shares("group")
    assert list(shares.columns) == ["group", "topic", "label", "n_units", "n_tokens", "share",
                                    "mean_unit_share", "ratio_to_corpus"]
    assert np.allclose(shares.groupby("group")["share"].sum(), 1.0)
    agri = int(shares.loc[shares["group"] == "甲县"].sort_values("share")["topic"].iloc[-1])
    edu = int(shares.loc[shares["group"] == "乙县"].sort_values("share")["topic"].iloc[-1])
    assert agri != edu
    assert shares.loc[(shares["group"] == "甲县") & (shares["topic"] == agri), "share"].item() > 0.9


def test_fit_is_deterministic_given_random_state(two_topic_corpus, two_topic_model):
    again = topics.fit_lda(two_topic_corpus, k=2, random_state=7, passes=30, tol=None, iterations=200)
    assert np.array_equal(again.phi, two_topic_model.phi)
    assert np.array_equal(again.theta, two_topic_model.theta)
    pd.testing.assert_frame_equal(again.convergence, two_topic_model.convergence)
    pd.testing.assert_frame_equal(again.terms(5), two_topic_model.terms(5))


def test_tracking_the_bound_does_not_change_the_fit(two_topic_corpus, two_topic_model):
    untracked = topics.fit_lda(two_topic_corpus, k=2, random_state=7, passes=30, tol=None, iterations=200,
                               track_bound=False)
    assert np.array_equal(untracked.phi, two_topic_model.phi)
    assert untracked.convergence["per_word_bound"].isna().all()


def test_topics_are_numbered_by_prevalence(two_topic_model):
    assert (np.diff(two_topic_model.prevalence) <= 0).all()
    assert np.isclose(two_topic_model.prevalence.sum(), 1.0)
    assert two_topic_model.labels.index.tolist() == [1, 2]


# --------------------------------------------------------------------------------------------
# Training on a sample of the units (train_units)
# --------------------------------------------------------------------------------------------


def _rows_as_set(phi: np.ndarray) -> set[tuple[float, ...]]:
    return {tuple(np.round(row, 12)) for row in phi}


def test_a_model_trained_on_a_sample_learns_the_samples_topics_and_covers_every_unit(two_topic_corpus):
    fit = dict(k=2, random_state=7, passes=30, tol=None, iterations=200, cache=False)
    sampled = topics.fit_lda(two_topic_corpus, train_units=12, **fit)
    assert sampled.n_train_units == 12 and sampled.corpus.n_units == 30
    # The topics are those of a model fitted to the 12 sampled units alone (the same seed, the
    # same rows), whatever order the whole corpus's prevalence puts them in.
    rows = fitting.sample_rows(30, 12, 7)
    assert len(rows) == 12 and len(set(rows.tolist())) == 12
    alone = topics.fit_lda(two_topic_corpus.subset(rows), train_units=None, **fit)
    assert _rows_as_set(sampled.phi) == _rows_as_set(alone.phi)
    # Every unit, sampled or not, has inferred shares, and the planted structure holds for all.
    assert sampled.theta.shape == (30, 2) and np.allclose(sampled.theta.sum(axis=1), 1.0)
    top = [set(terms) for terms in sampled.top_terms(8)]
    agri_topic = 0 if top[0] == set(AGRICULTURE) else 1
    is_agri = two_topic_corpus.dtm.docvars["group"].to_numpy() == "甲县"
    dominant = sampled.theta.argmax(axis=1)
    assert (dominant[is_agri] == agri_topic).all() and (dominant[~is_agri] == 1 - agri_topic).all()
    assert "trained on 12" in repr(sampled)
    assert sampled.training_summary.startswith("The topics were learned from a random sample of 12 of the 30 paragraphs")


def test_train_units_at_or_above_the_corpus_size_trains_on_every_unit(two_topic_corpus, two_topic_model):
    fit = dict(k=2, random_state=7, passes=30, tol=None, iterations=200, cache=False)
    for train_units in (30, None):
        model = topics.fit_lda(two_topic_corpus, train_units=train_units, **fit)
        assert np.array_equal(model.phi, two_topic_model.phi)
        assert np.array_equal(model.theta, two_topic_model.theta)
        assert model.n_train_units == 30
        assert model.training_summary == "The topics were learned from all 30 paragraphs."


def test_k_must_be_below_the_training_sample(two_topic_corpus):
    with pytest.raises(topics.TopicInputError, match="K=3 topics need more than 3 paragraphs"):
        topics.fit_lda(two_topic_corpus, k=3, random_state=7, train_units=3, cache=False)


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def test_terms_table(two_topic_model):
    terms = two_topic_model.terms(5, lambda_=0.6)
    assert list(terms.columns) == ["topic", "label", "rank", "term", "weight", "lift", "relevance", "lambda",
                                   "corpus_count", "topic_count"]
    assert len(terms) == 10
    for _, group in terms.groupby("topic"):
        assert (np.diff(group["relevance"].to_numpy()) <= 1e-12).all()
    assert np.allclose(terms["relevance"], 0.6 * np.log(terms["weight"]) + 0.4 * np.log(terms["lift"]))


def test_doc_topics_long_table(two_topic_model):
    table = two_topic_model.doc_topics()
    assert len(table) == 2 * two_topic_model.corpus.n_units
    assert list(table.columns[:5]) == ["unit_id", "doc_id", "para_no", "group", "n_model_tokens"]
    assert np.allclose(table.groupby("unit_id")["share"].sum(), 1.0)
    assert (table.groupby("unit_id")["dominant"].sum() >= 1).all()
    with pytest.raises(KeyError, match="district"):
        two_topic_model.doc_topics(docvars=["district"])


def test_representative_units(two_topic_model):
    table = two_topic_model.representative(2, excerpt_chars=4)
    assert table.groupby("topic").size().tolist() == [2, 2]
    assert table["excerpt"].str.len().max() <= 5
    first = table[table["rank"] == 1]
    assert (first["share"] > 0.9).all()


def test_topic_table(two_topic_model):
    table = two_topic_model.topic_table(n=5)
    assert list(table.columns) == ["topic", "label", "prevalence", "n_units_dominant", "alpha", "c_v", "c_npmi",
                                   "top_terms"]
    assert table["n_units_dominant"].sum() == two_topic_model.corpus.n_units
    assert (table["c_v"] > 0.5).all()


# --------------------------------------------------------------------------------------------
# The notebook
# --------------------------------------------------------------------------------------------


def test_notebook_gives_identical_tables_fresh_and_from_the_result_cache(tmp_path, monkeypatch):
    papermill = pytest.importorskip("papermill")
    notebook = PROJECT_ROOT / "notebooks" / "01-topic-model.ipynb"
    monkeypatch.setenv("DANGSHI_CACHE_DIR", str(tmp_path / "cache"))
    runs = []
    # a: no cache; b: cache empty (fits and stores); c: cache warm (loads). a == b shows the fits are
    # deterministic, b == c that a cached result is the table a fit gives.
    for name, cache in (("a", "off"), ("b", "on"), ("c", "on")):
        monkeypatch.setenv("DANGSHI_CACHE", cache)
        out = tmp_path / name
        papermill.execute_notebook(
            str(notebook), str(tmp_path / f"{name}.ipynb"), parameters={"output_dir": str(out), "progress": False},
            kernel_name="python3", cwd=str(PROJECT_ROOT), progress_bar=False,
        )
        runs.append(out)
    assert any((tmp_path / "cache" / "results").rglob("output.pkl")), "run b stored nothing in the cache"
    tables = sorted(p.name for p in (runs[0] / "tables").glob("*.csv"))
    assert {"k_sweep.csv", "topic_terms.csv", "unit_topics.csv", "group_topic_shares.csv", "representative_units.csv",
            "stability.csv", "convergence.csv", "topics.csv", "vocabulary_steps.csv"} <= set(tables)
    assert sorted(p.name for p in (runs[1] / "tables").glob("*.csv")) == tables
    for other in runs[1:]:
        match, mismatch, errors = filecmp.cmpfiles(runs[0] / "tables", other / "tables", tables, shallow=False)
        assert mismatch == [] and errors == [], other.name
    assert (runs[0] / topics.BROWSER_FILENAME).is_file()
    # the notebook's own figures (their number follows the notebook): the same in every run
    figures = sorted(p.name for p in (runs[0] / "figures").glob("*.png"))
    assert {"k_sweep.png", "convergence.png"} <= set(figures)
    assert all(sorted(p.name for p in (run / "figures").glob("*.png")) == figures for run in runs[1:])


def test_fitted_model_comes_from_the_cache_with_the_same_topics(two_topic_corpus, tmp_path, monkeypatch):
    cache = tmp_path / "results"
    first = topics.fit_lda(two_topic_corpus, k=2, random_state=3, passes=10, cache=cache)
    monkeypatch.setattr(fitting, "train", lambda *a, **k: (_ for _ in ()).throw(AssertionError("refitted")))
    again = topics.fit_lda(two_topic_corpus, k=2, random_state=3, passes=10, cache=cache)
    np.testing.assert_array_equal(first.phi, again.phi)
    np.testing.assert_array_equal(first.theta, again.theta)
    pd.testing.assert_frame_equal(first.topic_table(), again.topic_table())
    with pytest.raises(AssertionError, match="refitted"):
        topics.fit_lda(two_topic_corpus, k=2, random_state=3, passes=10, cache=False)


def test_the_cached_fit_depends_on_the_counts_not_on_how_the_docvars_are_held(two_topic_corpus, tmp_path,
                                                                              monkeypatch):
    """A corpus loaded from the corpus store holds equal docvars in another layout (Arrow string
    chunks, what lies under a missing value): its topic corpus must reuse the fit, while other
    counts must not."""
    import dataclasses

    cache = tmp_path / "results"
    first = topics.fit_lda(two_topic_corpus, k=2, random_state=3, passes=10, cache=cache)
    docvars = two_topic_corpus.dtm.docvars.copy()
    docvars["row"] = pd.array([None] * len(docvars), dtype="Int64")  # a docvar the first never had
    relabelled = dataclasses.replace(two_topic_corpus, dtm=dataclasses.replace(two_topic_corpus.dtm, docvars=docvars))
    calls = []
    train = fitting.train
    monkeypatch.setattr(fitting, "train", lambda *a, **k: calls.append(1) or train(*a, **k))
    again = topics.fit_lda(relabelled, k=2, random_state=3, passes=10, cache=cache)
    assert calls == []
    np.testing.assert_array_equal(first.theta, again.theta)
    assert again.corpus is relabelled  # the model describes the units it was asked about
    doubled = dataclasses.replace(two_topic_corpus, dtm=dataclasses.replace(two_topic_corpus.dtm,
                                                                           matrix=two_topic_corpus.dtm.matrix * 2))
    topics.fit_lda(doubled, k=2, random_state=3, passes=10, cache=cache)
    assert calls == [1]
