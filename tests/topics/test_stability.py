"""Tests for corpus_tools.topics.stability: refits with other seeds, aligned and judged."""

from __future__ import annotations

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
