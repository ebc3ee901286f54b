"""Tests for corpus_tools.topics.dmr: tomotopy's DMR beside LDA + the method of composition."""

from __future__ import annotations

import pandas as pd
import pytest

from corpus_tools.topics.dmr import compare_effects, dmr_effects
from corpus_tools.topics.effects import EFFECT_COLUMNS, estimate_effect

from .helpers import farming_topic


def test_dmr_effects_agree_with_the_planted_contrast_and_are_reproducible(planted_model):
    table = dmr_effects(planted_model, by="group", iterations=200, random_state=5)
    assert tuple(table.columns) == (*EFFECT_COLUMNS, "topic_js_distance")
    farming = farming_topic(planted_model)
    shares = table[(table["topic"] == farming) & (table["quantity"] == "share")].set_index("level")["estimate"]
    # Planted: 80 % of 甲县's tokens and 20 % of 乙县's are about farming.
    assert shares["甲县"] == pytest.approx(0.8, abs=0.1) and shares["乙县"] == pytest.approx(0.2, abs=0.1)
    prior = table[(table["topic"] == farming) & (table["quantity"] == "prior_share")].set_index("level")["estimate"]
    assert prior["甲县"] > prior["乙县"]
    assert (table["topic_js_distance"] < 0.3).all()
    assert table["std_error"].isna().all() and (table["regressed_on"] == "dmr").all()
    pd.testing.assert_frame_equal(table, dmr_effects(planted_model, by="group", iterations=200, random_state=5))

    lda = estimate_effect(planted_model, by="group", random_state=0)
    both = compare_effects(lda, table)
    assert len(both) == 4 and both["dmr_in_interval"].dtype == bool
    row = both[(both["topic"] == farming) & (both["level"] == "甲县")].iloc[0]
    assert abs(row["share_lda"] - row["share_dmr"]) < 0.15


def test_dmr_learns_from_the_lda_training_sample_and_infers_every_other_unit(planted_model):
    from corpus_tools import topics
    from corpus_tools.topics.dmr import training_rows
    from corpus_tools.topics.lda import sample_rows

    sampled = topics.fit_lda(planted_model.corpus, k=2, random_state=3, passes=30, iterations=200, train_units=24,
                             cache=False)
    assert sampled.n_train_units == 24
    table = dmr_effects(sampled, by="group", iterations=200, random_state=5)
    farming = farming_topic(sampled)
    shares = table[(table["topic"] == farming) & (table["quantity"] == "share")].set_index("level")
    # Every unit counts in the shares (36 per district), not only the 24 the model learned from.
    assert shares["n_units"].to_dict() == {"乙县": 36, "甲县": 36}
    assert shares.loc["甲县", "estimate"] == pytest.approx(0.8, abs=0.12)
    assert shares.loc["乙县", "estimate"] == pytest.approx(0.2, abs=0.12)
    pd.testing.assert_frame_equal(table, dmr_effects(sampled, by="group", iterations=200, random_state=5))
    # The training rows are the LDA's sample (plus a unit of any level it missed).
    keys = sampled.corpus.dtm.docvars["group"].to_numpy(dtype=object)
    rows = training_rows(keys, sample_rows(len(keys), 24, 3))
    assert set(sample_rows(len(keys), 24, 3)) <= set(rows) and set(keys[rows]) == {"甲县", "乙县"}
    only_first = training_rows(keys, sample_rows(len(keys), 24, 3)[keys[sample_rows(len(keys), 24, 3)] == "甲县"])
    assert "乙县" in set(keys[only_first]) and (keys[only_first] == "乙县").sum() == 1


def test_dmr_runs_as_many_sweeps_as_the_lda_it_sits_beside(planted_model, monkeypatch):
    from corpus_tools import topics
    from corpus_tools.topics import dmr
    from corpus_tools.topics.lda import DEFAULT_GIBBS_SWEEPS

    every_sweep = topics.fit_lda(planted_model.corpus, k=2, random_state=3, engine="tomotopy", gibbs_sweeps=120,
                                 gibbs_tol=None, cache=False)
    by_default = dmr_effects(every_sweep, by="group", random_state=5)
    pd.testing.assert_frame_equal(by_default, dmr_effects(every_sweep, by="group", iterations=120, random_state=5))
    # A different number of sweeps is a different chain: the default is not just any number.
    assert not by_default["estimate"].equals(dmr_effects(every_sweep, by="group", iterations=30, random_state=5)["estimate"])
    # With the LDA's gibbs_tol DMR stops as the LDA would: a tolerance of 50 % is met as soon as
    # two 50-sweep windows can be compared, i.e. after 100 of the 300 sweeps.
    monkeypatch.setattr(topics.gibbs, "SETTLE_MIN_TOKENS", 0)  # the planted corpus is small
    settles_at_once = topics.fit_lda(planted_model.corpus, k=2, random_state=3, engine="tomotopy", gibbs_sweeps=300,
                                     gibbs_tol=0.5, cache=False)
    assert settles_at_once.convergence["pass"].iloc[-1] == 100
    pd.testing.assert_frame_equal(dmr_effects(settles_at_once, by="group", random_state=5),
                                  dmr_effects(settles_at_once, by="group", iterations=100, random_state=5))
    # A gensim model has no sweeps of its own: DMR runs the package's defaults.
    monkeypatch.setattr(dmr, "DEFAULT_GIBBS_TOL", None)
    pd.testing.assert_frame_equal(dmr_effects(planted_model, by="group", random_state=5),
                                  dmr_effects(planted_model, by="group", iterations=DEFAULT_GIBBS_SWEEPS,
                                              random_state=5))
