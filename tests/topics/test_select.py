"""Tests for corpus_tools.topics.select: the K sweep and the K rule; sweeps and refits from the result cache."""

from __future__ import annotations

import multiprocessing

import numpy as np
import pandas as pd
import pytest

import corpus_tools.parallel as parallel
from corpus_tools import topics
from corpus_tools.topics import lda as fitting



# --------------------------------------------------------------------------------------------
# Choosing K, stability
# --------------------------------------------------------------------------------------------


def test_sweep_k_scores_and_is_reproducible(two_topic_corpus):
    first = topics.sweep_k(two_topic_corpus, ks=[2, 3], random_state=5, passes=20, progress=False)
    second = topics.sweep_k(two_topic_corpus, ks=[2, 3], random_state=5, passes=20, progress=False)
    pd.testing.assert_frame_equal(first.scores, second.scores)
    assert first.scores["k"].tolist() == [2, 3]
    assert (first.scores["n_heldout_units"] == 6).all()
    assert first.scores["heldout_perplexity"].notna().all()
    assert np.allclose(first.scores["heldout_perplexity"], np.exp(-first.scores["heldout_per_word_bound"]))
    assert set(first.convergence["k"]) == {2, 3}
    assert len(first.heldout) == 6
    choice = topics.choose_k(first)
    assert choice.k == 2  # two vocabularies: K=2 is the coherent model
    assert "standardised c_v and c_npmi" in choice.reason


def test_sweep_without_held_out_units(two_topic_corpus):
    sweep = topics.sweep_k(two_topic_corpus, ks=[2], random_state=5, heldout_prop=0.0, passes=10, progress=False)
    assert sweep.scores["n_train_units"].item() == two_topic_corpus.n_units
    assert sweep.scores["heldout_perplexity"].isna().all()
    with pytest.raises(ValueError, match="heldout_prop > 0"):
        topics.choose_k(sweep, rule="perplexity")


@pytest.mark.parametrize(
    ("rule", "override", "expected"),
    [("coherence", None, 4), ("c_v", None, 4), ("c_npmi", None, 4), ("perplexity", None, 3), ("coherence", 6, 6)],
)
def test_choose_k_rules(rule, override, expected):
    scores = pd.DataFrame({"k": [3, 4, 5], "c_v": [0.40, 0.46, 0.44], "c_npmi": [-0.05, 0.02, 0.00],
                           "heldout_perplexity": [250.0, 280.0, 290.0]})
    choice = topics.choose_k(topics.KSweep(scores, pd.DataFrame(), (), {}), k=override, rule=rule)
    assert choice.k == expected
    assert choice.table["chosen"].sum() == (0 if override == 6 else 1)


def test_choose_k_ties_go_to_the_smaller_k():
    scores = pd.DataFrame({"k": [3, 4], "c_v": [0.5, 0.5], "c_npmi": [0.1, 0.1], "heldout_perplexity": [1.0, 1.0]})
    assert topics.choose_k(topics.KSweep(scores, pd.DataFrame(), (), {})).k == 3


def test_sweep_on_a_sample_is_deterministic_and_recorded(two_topic_corpus):
    kwargs = dict(ks=[2, 3], random_state=5, sample_units=20, passes=20, progress=False, cache=False)
    first = topics.sweep_k(two_topic_corpus, **kwargs)
    second = topics.sweep_k(two_topic_corpus, **kwargs)
    pd.testing.assert_frame_equal(first.scores, second.scores)
    pd.testing.assert_frame_equal(first.convergence, second.convergence)
    assert first.sample == second.sample
    assert len(first.sample) == len(set(first.sample)) == 20
    assert set(first.sample) <= set(two_topic_corpus.dtm.docvars.index)
    assert set(first.heldout) <= set(first.sample)
    assert (first.scores["n_corpus_units"] == 30).all() and (first.scores["n_sampled_units"] == 20).all()
    assert (first.scores["n_train_units"] + first.scores["n_heldout_units"] == 20).all()
    assert (first.scores["n_passes"] == first.convergence.groupby("k").size().to_numpy()).all()
    assert first.settings["sample_units"] == 20
    # another seed draws another sample; a sample as large as the corpus is the corpus
    other = topics.sweep_k(two_topic_corpus, **(kwargs | {"random_state": 6, "ks": [2]}))
    assert other.sample != first.sample
    whole = topics.sweep_k(two_topic_corpus, **(kwargs | {"sample_units": 30, "ks": [2]}))
    assert whole.sample == tuple(two_topic_corpus.dtm.docvars.index)
    with pytest.raises(ValueError, match="sample_units"):
        topics.sweep_k(two_topic_corpus, **(kwargs | {"sample_units": 0}))


# --------------------------------------------------------------------------------------------
# The result cache
# --------------------------------------------------------------------------------------------


def test_sweep_and_stability_come_from_the_cache_when_nothing_changed(two_topic_corpus, two_topic_model, tmp_path,
                                                                       monkeypatch):
    cache = tmp_path / "results"
    first = topics.sweep_k(two_topic_corpus, ks=[2, 3], random_state=5, passes=10, progress=False, cache=cache)
    stab = topics.stability(two_topic_model, n_refits=1, n=8, progress=False, cache=cache)

    def no_fitting(*args, **kwargs):
        raise AssertionError("refitted although the cache holds this result")

    monkeypatch.setattr(fitting, "train", no_fitting)
    again = topics.sweep_k(two_topic_corpus, ks=[3, 2], random_state=5, passes=10, progress=False, cache=cache)
    pd.testing.assert_frame_equal(
        first.scores.set_index("k").sort_index(), again.scores.set_index("k").sort_index()
    )
    pd.testing.assert_frame_equal(stab.runs, topics.stability(two_topic_model, n_refits=1, n=8, progress=False,
                                                              cache=cache).runs)
    # any change of setting, seed or corpus is a new key, so it must fit (and here: fail)
    for change in ({"passes": 11}, {"random_state": 6}):
        kwargs = {"ks": [2], "random_state": 5, "passes": 10, "progress": False, "cache": cache} | change
        with pytest.raises(AssertionError, match="refitted"):
            topics.sweep_k(two_topic_corpus, **kwargs)
    smaller = topics.TopicCorpus(dtm=two_topic_corpus.dtm.trim(min_termfreq=20), tokens=two_topic_corpus.tokens,
                                 texts=two_topic_corpus.texts, unit=two_topic_corpus.unit, steps=two_topic_corpus.steps)
    with pytest.raises(AssertionError, match="refitted"):
        topics.sweep_k(smaller, ks=[2], random_state=5, passes=10, progress=False, cache=cache)
    # and cache=False never reads it
    with pytest.raises(AssertionError, match="refitted"):
        topics.sweep_k(two_topic_corpus, ks=[2], random_state=5, passes=10, progress=False, cache=False)


# --------------------------------------------------------------------------------------------
# How many units a sweep needs
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ks", "heldout_prop", "expected"),
    [
        # 11 units: round(2.2) = 2 held out, 9 > 8 to fit; 10 would leave 8 (not more than K = 8)
        ([3, 4, 5, 6, 7, 8], 0.2, 11),
        # nothing held out: one unit more than K
        ([2, 3], 0.0, 4),
        # 33 units: round(16.5) = 16 held out (half to even), 17 > 16 fit; 32 leaves 16
        ([2, 16], 0.5, 33),
        # K = 2 fits on 3 units, but the held-out part must have 2: 5 units hold out round(2.0) = 2
        ([2], 0.4, 5),
    ],
)
def test_min_sweep_units(ks, heldout_prop, expected):
    assert topics.min_sweep_units(ks, heldout_prop) == expected


def test_a_k_too_large_for_the_whole_corpus_is_too_small(two_topic_corpus):
    with pytest.raises(topics.TopicCorpusTooSmall) as caught:
        topics.sweep_k(two_topic_corpus, ks=[2, 16], random_state=1, heldout_prop=0.5, progress=False)
    error = caught.value
    assert (error.n_units, error.min_units, error.stage) == (30, 33, "sweep")
    assert str(error).endswith("the sweep needs at least 33 paragraphs")


def test_a_k_too_large_for_a_sample_is_not_a_small_corpus(two_topic_corpus):
    # 20 of the 30 units sampled, 4 held out, 16 left for K = 16: more units in the sample would do
    with pytest.raises(topics.TopicInputError, match=r"K=16 topics need more than 16 paragraphs") as caught:
        topics.sweep_k(two_topic_corpus, ks=[2, 16], random_state=1, sample_units=20, progress=False)
    assert not isinstance(caught.value, topics.TopicCorpusTooSmall)


# --------------------------------------------------------------------------------------------
# Fits side by side in worker processes
# --------------------------------------------------------------------------------------------


def test_sweep_tables_are_the_same_for_any_n_jobs(two_topic_corpus):
    kwargs = dict(ks=[2, 3, 4], random_state=5, passes=15, progress=False, cache=False)
    one = topics.sweep_k(two_topic_corpus, n_jobs=1, **kwargs)
    two = topics.sweep_k(two_topic_corpus, n_jobs=2, **kwargs)  # three fits over two worker processes
    pd.testing.assert_frame_equal(one.scores, two.scores, check_exact=True)
    pd.testing.assert_frame_equal(one.convergence, two.convergence, check_exact=True)
    assert one.heldout == two.heldout and one.sample == two.sample
    assert two.settings["n_jobs"] == 2  # the sweep records what it was asked


def _fork_context():
    return multiprocessing.get_context("fork")


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_fits_cached_in_workers_are_found_here_and_the_other_way(two_topic_corpus, tmp_path, monkeypatch):
    # fork: the workers inherit this process's patched `train`, so a fit in a worker fails too
    monkeypatch.setattr(parallel, "mp_context", _fork_context)
    cache = tmp_path / "results"
    kwargs = dict(ks=[2, 3], passes=10, progress=False, cache=cache)
    in_workers = topics.sweep_k(two_topic_corpus, random_state=5, n_jobs=2, **kwargs)
    here = topics.sweep_k(two_topic_corpus, random_state=6, n_jobs=1, **kwargs)

    def no_fitting(*args, **kwargs):
        raise AssertionError("refitted although the cache holds this result")

    monkeypatch.setattr(fitting, "train", no_fitting)
    pd.testing.assert_frame_equal(in_workers.scores,
                                  topics.sweep_k(two_topic_corpus, random_state=5, n_jobs=1, **kwargs).scores)
    pd.testing.assert_frame_equal(here.scores,
                                  topics.sweep_k(two_topic_corpus, random_state=6, n_jobs=2, **kwargs).scores)
    with pytest.raises(AssertionError, match="refitted"):  # a new seed in the workers: no result to find
        topics.sweep_k(two_topic_corpus, random_state=7, n_jobs=2, **kwargs)


def test_n_jobs_none_fits_side_by_side_from_the_measured_work(monkeypatch):
    monkeypatch.setattr(parallel, "available_cores", lambda: 2)
    calls = []
    monkeypatch.setattr(fitting, "map_tasks", lambda function, tasks, **kw: calls.append(kw["n_processes"]) or [])
    method = parallel.mp_context().get_start_method()
    threshold = fitting.FIT_MIN_TOKEN_PASSES[method]
    settings = topics.LdaSettings(n_jobs=None, passes=10)
    # 4 fits x 10 passes: the work is 40 x tokens
    fitting.map_fits(len, [1, 2, 3, 4], shared=None, settings=settings, tokens=threshold // 40 - 1, desc="t",
                     unit="K", progress=False)
    fitting.map_fits(len, [1, 2, 3, 4], shared=None, settings=settings, tokens=threshold // 40 + 1, desc="t",
                     unit="K", progress=False)
    fitting.map_fits(len, [1, 2], shared=None, settings=topics.LdaSettings(n_jobs=1), tokens=10**9, desc="t",
                     unit="K", progress=False)
    assert calls == [1, 2, 1]


def test_fits_found_in_the_cache_are_loaded_here_without_worker_processes(two_topic_corpus, tmp_path, monkeypatch):
    # n_jobs=2 asks for two processes; once every result of a call is cached, the call must
    # load them in this process (a worker would be sent the whole topic corpus for nothing),
    # and a call with one new fit still uses processes for it. The real pool is replaced by
    # one that records how many processes it was asked for and runs here.
    real_map_tasks = fitting.map_tasks
    asked: list[int] = []

    def recording(function, tasks, **kw):
        asked.append(kw["n_processes"])
        return real_map_tasks(function, tasks, **{**kw, "n_processes": 1})

    monkeypatch.setattr(fitting, "map_tasks", recording)
    cache = tmp_path / "results"
    sweep_args = dict(ks=[2, 3], random_state=5, n_jobs=2, passes=5, iterations=50, cache=cache, progress=False)
    first = topics.sweep_k(two_topic_corpus, **sweep_args)
    again = topics.sweep_k(two_topic_corpus, **sweep_args)
    pd.testing.assert_frame_equal(first.scores, again.scores)
    topics.sweep_k(two_topic_corpus, **{**sweep_args, "ks": [2, 3, 4]})  # K=4 is new
    assert asked == [2, 1, 2]

    asked.clear()
    model = topics.fit_lda(two_topic_corpus, k=2, random_state=7, passes=5, iterations=50, n_jobs=2, cache=cache)
    stability_args = dict(n_refits=2, progress=False, cache=cache)
    first_stab = topics.stability(model, **stability_args)
    pd.testing.assert_frame_equal(first_stab.topics, topics.stability(model, **stability_args).topics)
    refits = topics.with_refits(model, n_refits=2)
    again_refits = topics.with_refits(model, n_refits=2)
    assert [r.random_state for r in refits] == [r.random_state for r in again_refits]
    np.testing.assert_array_equal(refits[1].theta, again_refits[1].theta)
    assert asked == [2, 1, 2, 1]
