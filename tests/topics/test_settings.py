"""Tests for corpus_tools.topics.settings and the fitting options it builds (LdaSettings).

Expected values are written out by hand: the documented defaults, the field a bad value names,
the keyword arguments each report stage receives.
"""

from __future__ import annotations

import dataclasses
import json
import warnings

import pytest

from corpus_tools import topics
from corpus_tools.topics import LdaSettings, TopicSettings


def test_new_fields_and_their_defaults():
    settings = TopicSettings()
    assert settings.tol == 1e-5
    assert settings.sample_units == 5000
    assert settings.train_units == 20_000 and settings.lda.train_units == 20_000
    assert (settings.min_chars, settings.n_jobs, settings.coherence_n) == (2, None, 10)
    assert [f.name for f in dataclasses.fields(TopicSettings)][-9:] == [
        "passes", "tol", "iterations", "n_jobs", "sample_units", "train_units", "coherence_n", "stability_runs",
        "random_state"]
    # The reports fit with tomotopy; fit_lda's own default (LdaSettings) stays gensim.
    assert (settings.engine, settings.gibbs_sweeps) == ("tomotopy", 300) == (settings.lda.engine,
                                                                             settings.lda.gibbs_sweeps)
    assert LdaSettings().engine == "gensim"


def test_settings_reach_every_stage():
    settings = TopicSettings(passes=12, tol=None, sample_units=300, coherence_n=7, stability_runs=3, n_jobs=1,
                             alpha="symmetric", min_chars=1, random_state=9, train_units=700, engine="gensim")
    assert settings.corpus_args()["min_chars"] == 1
    assert settings.fit_args() == {"random_state": 9, "settings": LdaSettings(alpha="symmetric", eta="symmetric",
                                                                              passes=12, tol=None, iterations=400,
                                                                              n_jobs=1, train_units=700)}
    sweep = settings.sweep_args()
    assert (sweep["n"], sweep["sample_units"], sweep["ks"], sweep["random_state"]) == (7, 300, [3, 4, 5, 6, 7, 8], 9)
    assert sweep["settings"].tol is None and sweep["settings"].passes == 12
    assert settings.stability_args() == {"n_refits": 3, "n": 7, "sample_units": 300}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("unit", "chapter"),
        ("window_size", 0),
        ("min_chars", -1),
        ("max_docfreq_prop", 0.0),
        ("max_docfreq_prop", 1.5),
        ("k_values", (3, 3)),
        ("k_values", (1, 2)),
        ("k_values", ()),
        ("k", 1),
        ("k_rule", "bic"),
        ("heldout_prop", 1.0),
        ("passes", 0),
        ("iterations", 2.5),
        ("tol", 1.0),
        ("tol", -0.1),
        ("n_jobs", 0),
        ("n_jobs", -2),
        ("sample_units", 1),
        ("train_units", 1),
        ("train_units", 2.5),
        ("coherence_n", 1),
        ("stability_runs", 0),
        ("alpha", "learned"),
        ("eta", "asymmetric"),
    ],
)
def test_a_bad_value_names_its_field(field, value):
    with pytest.raises(ValueError, match=rf"^TopicSettings\.{field} "):
        TopicSettings(**{field: value})


def test_learned_alpha_and_several_processes_name_n_jobs():
    with pytest.raises(ValueError, match=r"TopicSettings\.n_jobs"):
        TopicSettings(alpha="auto", n_jobs=2, engine="gensim")  # gensim's LdaMulticore cannot learn alpha
    assert TopicSettings(alpha="auto", n_jobs=2).lda.processes == 2  # tomotopy learns it in any process
    assert TopicSettings(alpha="symmetric", n_jobs=2).lda.processes == 2
    assert TopicSettings(n_jobs=None).lda.processes == 1  # no size makes LDA parallel


def test_old_field_names_work_with_a_warning_and_old_records_load():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = TopicSettings(workers=1, min_nchar=3, coherence_topn=8)
    assert sorted(str(w.message).split(":")[1].split(" is ")[0].strip() for w in caught
                  if w.category is FutureWarning) == ["'coherence_topn'", "'min_nchar'", "'workers'"]
    assert (old.n_jobs, old.min_chars, old.coherence_n) == (1, 3, 8)
    with pytest.warns(FutureWarning, match="coherence_topn is renamed coherence_n"):
        assert old.coherence_topn == 8
    record = {**TopicSettings().to_dict(), "workers": 1, "min_nchar": 2, "coherence_topn": 10}
    for new in ("n_jobs", "min_chars", "coherence_n"):
        del record[new]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a record of the previous release loads silently
        assert TopicSettings.from_dict(json.loads(json.dumps(record))) == TopicSettings(n_jobs=1)  # that release fitted in one process


@pytest.mark.parametrize(
    ("field", "value"),
    [("passes", 0), ("iterations", -1), ("chunksize", 0), ("tol", 2), ("gamma_threshold", 0), ("alpha", "x"),
     ("eta", "asymmetric"), ("n_jobs", 0), ("train_units", 0), ("train_units", True)],
)
def test_lda_settings_name_the_bad_field(field, value):
    with pytest.raises(ValueError, match=rf"LdaSettings\.{field}"):
        LdaSettings(**{field: value})


def test_fit_options_as_keywords_replace_the_settings_object_and_unknown_ones_are_named(two_topic_corpus):
    base = LdaSettings(passes=3, tol=None, iterations=50)
    model = topics.fit_lda(two_topic_corpus, k=2, random_state=1, settings=base, passes=4, cache=False)
    assert model.settings == {**dataclasses.asdict(base), "passes": 4}
    assert len(model.convergence) == 4
    assert model.lda_settings == dataclasses.replace(base, passes=4)
    with pytest.raises(TypeError, match=r"unexpected option\(s\) \['pases'\]"):
        topics.fit_lda(two_topic_corpus, k=2, random_state=1, pases=4)


def test_old_keywords_of_the_fits_warn_and_give_the_same_result(two_topic_corpus, two_topic_model):
    with pytest.warns(FutureWarning, match="'workers' is renamed 'n_jobs'"):
        old = topics.fit_lda(two_topic_corpus, k=2, random_state=7, passes=30, tol=None, iterations=200, workers=1)
    assert (old.phi == two_topic_model.phi).all()
    with pytest.warns(FutureWarning, match="'seeds' is renamed 'n_refits'"):
        by_count = topics.stability(two_topic_model, seeds=1, n=8, progress=False)
    with pytest.warns(FutureWarning, match="'topn' is renamed 'n'"):
        by_list = topics.stability(two_topic_model, random_state=[8], topn=8, progress=False)
    assert by_count.runs.equals(by_list.runs)
    assert by_count.runs["random_state"].unique().tolist() == [8]
    with pytest.warns(FutureWarning, match="'seeds' is renamed"):
        fits = topics.with_refits(two_topic_model, seeds=[11])
    assert [fit.random_state for fit in fits] == [7, 11]


def test_the_former_module_keeps_its_names():
    import importlib

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # an import from outside the package warns once
        old = importlib.import_module("corpus_tools.topic_settings")
    for name in ("TopicSettings", "ReportModel", "choose_model", "record_choice", "read_choice", "report_model"):
        assert getattr(old, name) is getattr(topics, name), name
    assert old.RECORD_NAME == "topic_model.json"


def test_min_units_is_what_the_sweep_needs_and_reaches_topic_corpus():
    # default K up to 8 with a fifth held out: 11 units (see test_select.test_min_sweep_units)
    assert TopicSettings().min_units == 11
    assert TopicSettings().corpus_args()["min_units"] == 11
    # small Ks: the topic corpus's own minimum of 10 units
    assert TopicSettings(k_values=(2, 3)).min_units == 10
    # K = 12 with a fifth held out: 16 units hold out round(3.2) = 3 and fit on 13
    assert TopicSettings(k_values=(3, 12)).min_units == 16
