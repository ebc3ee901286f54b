"""Tests for corpus_tools.topics.stability: refits with other seeds, aligned and judged."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from corpus_tools import topics



def test_stability_refits_on_a_sample_and_records_it(two_topic_model):
    stab = topics.stability(two_topic_model, n_refits=2, sample_units=20, n=8, progress=False, cache=False)
    again = topics.stability(two_topic_model, n_refits=2, sample_units=20, n=8, progress=False, cache=False)
    pd.testing.assert_frame_equal(stab.topics, again.topics)
    pd.testing.assert_frame_equal(stab.runs, again.runs)
    assert (stab.runs["n_refit_units"] == 20).all() and (stab.topics["n_refit_units"] == 20).all()
    assert stab.topics["robust"].all()  # two vocabularies come back from any 20 of the 30 units
    whole = topics.stability(two_topic_model, n_refits=1, n=8, progress=False, cache=False)
    assert (whole.topics["n_refit_units"] == two_topic_model.corpus.n_units).all()


def test_stability_of_a_clear_structure(two_topic_model):
    stab = topics.stability(two_topic_model, n_refits=2, n=8, progress=False)
    assert stab.runs["random_state"].unique().tolist() == [8, 9]
    assert len(stab.runs) == 4
    assert stab.topics["robust"].all()
    assert (stab.topics["mean_top_jaccard"] == 1.0).all()
    assert (stab.topics["max_js_distance"] < 0.2).all()
    assert set(stab.convergence["random_state"]) == {8, 9}
    with pytest.raises(ValueError, match="differ from the reference"):
        topics.stability(two_topic_model, random_state=[7], progress=False)


def _with_n_jobs(model: topics.TopicModel, n_jobs: int) -> topics.TopicModel:
    return dataclasses.replace(model, settings={**model.settings, "n_jobs": n_jobs})


def test_stability_tables_are_the_same_for_any_n_jobs(two_topic_model):
    one = topics.stability(_with_n_jobs(two_topic_model, 1), n_refits=3, n=8, progress=False, cache=False)
    two = topics.stability(_with_n_jobs(two_topic_model, 2), n_refits=3, n=8, progress=False, cache=False)
    for left, right in ((one.topics, two.topics), (one.runs, two.runs), (one.convergence, two.convergence)):
        pd.testing.assert_frame_equal(left, right, check_exact=True)


def test_refits_are_the_same_for_any_n_jobs(two_topic_model, monkeypatch):
    monkeypatch.setenv("DANGSHI_CACHE", "off")  # fit both times, not once and then from the cache
    one = topics.with_refits(_with_n_jobs(two_topic_model, 1), n_refits=2)
    two = topics.with_refits(_with_n_jobs(two_topic_model, 2), n_refits=2)
    assert [m.random_state for m in two] == [7, 8, 9]
    for a, b in zip(one[1:], two[1:]):
        assert b.corpus is two_topic_model.corpus  # the corpus is not shipped back from a worker
        assert np.array_equal(a.phi, b.phi) and np.array_equal(a.theta, b.theta) and a.order == b.order
        assert b.settings["n_jobs"] == 1  # each refit ran in one process
