"""Tests for corpus_tools.topics.gibbs: tomotopy as the engine of every LDA fit (LdaSettings(engine="tomotopy"))."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from corpus_tools import topics
from corpus_tools.topics import lda as fitting
from corpus_tools.topics import gibbs
from corpus_tools.topics.gibbs import SETTLE_MIN_TOKENS, GibbsLda, gibbs_priors, settled, train_blocks, train_gibbs

from .helpers import AGRICULTURE, EDUCATION, farming_topic

# Every sweep, so that tables have a known length (the early stop has tests of its own).
GIBBS = dict(engine="tomotopy", gibbs_sweeps=200, gibbs_tol=None)


@pytest.fixture(scope="module")
def gibbs_model(two_topic_corpus) -> topics.TopicModel:
    return topics.fit_lda(two_topic_corpus, k=2, random_state=7, cache=False, **GIBBS)


def test_gibbs_recovers_the_two_planted_vocabularies(gibbs_model):
    assert isinstance(gibbs_model.lda, GibbsLda)
    assert sorted(map(sorted, gibbs_model.top_terms(8))) == sorted([sorted(AGRICULTURE), sorted(EDUCATION)])
    np.testing.assert_allclose(gibbs_model.phi.sum(axis=1), 1.0)
    np.testing.assert_allclose(gibbs_model.theta.sum(axis=1), 1.0)
    # the first 15 units are farming, the last 15 education: each unit's largest share says so
    farm = farming_topic(gibbs_model) - 1
    dominant = gibbs_model.theta.argmax(axis=1)
    assert (dominant[:15] == farm).all() and (dominant[15:] != farm).all()
    np.testing.assert_allclose(gibbs_model.alpha, [0.5, 0.5])  # "symmetric" is 1/K, fixed
    assert "Gibbs" in gibbs_model.engine_summary and "200 sweeps" in gibbs_model.engine_summary


def test_gibbs_finds_the_districts_dominant_topics(planted_model):
    model = topics.fit_lda(planted_model.corpus, k=2, random_state=3, cache=False, **GIBBS)
    shares = model.group_shares()
    farm = farming_topic(model)
    farming = shares[shares["topic"] == farm].set_index("group")["share"]
    assert farming["甲县"] > 0.65 and farming["乙县"] < 0.35  # planted: 80 % and 20 %


def test_convergence_table_has_one_row_per_block_of_ten_sweeps(gibbs_model):
    conv = gibbs_model.convergence
    assert conv.columns.tolist() == fitting.CONVERGENCE_COLUMNS
    assert conv["pass"].tolist() == list(range(10, 201, 10))
    assert conv["per_word_bound"].notna().all() and (conv["per_word_bound"] < 0).all()
    np.testing.assert_allclose(conv["perplexity"], np.exp(-conv["per_word_bound"]))
    others = [c for c in conv.columns if c not in ("pass", "per_word_bound", "perplexity")]
    assert conv[others].isna().all().all()


def test_blocks_of_sweeps_give_the_model_of_one_run(two_topic_corpus):
    # Reference: tomotopy trained in one call of 30 sweeps on the same words.
    import tomotopy as tp

    matrix = two_topic_corpus.dtm.matrix
    model, table = train_gibbs(matrix, k=2, random_state=5, alpha="symmetric", eta=None, sweeps=30,
                               columns=fitting.CONVERGENCE_COLUMNS)
    mdl = tp.LDAModel(tw=tp.TermWeight.ONE, k=2, alpha=0.5, eta=0.5, seed=5)
    mdl.optim_interval = 0
    for row in range(matrix.shape[0]):
        columns = matrix.indices[matrix.indptr[row]:matrix.indptr[row + 1]]
        counts = matrix.data[matrix.indptr[row]:matrix.indptr[row + 1]].astype(int)
        order = np.argsort(columns)
        mdl.add_doc([str(j) for j in np.repeat(columns[order], counts[order])])
    mdl.train(30, workers=1, parallel=tp.ParallelScheme.NONE)
    assert table["per_word_bound"].iloc[-1] == mdl.ll_per_word
    used = [int(w) for w in mdl.used_vocabs]
    for topic in range(2):
        expected = np.asarray(mdl.get_topic_word_dist(topic), dtype=np.float64)
        np.testing.assert_allclose(model.phi[topic, used], expected, rtol=1e-6)


def test_same_seed_gives_identical_tables_and_another_seed_runs(two_topic_corpus, gibbs_model):
    again = topics.fit_lda(two_topic_corpus, k=2, random_state=7, cache=False, **GIBBS)
    np.testing.assert_array_equal(again.phi, gibbs_model.phi)
    np.testing.assert_array_equal(again.theta, gibbs_model.theta)
    pd.testing.assert_frame_equal(again.convergence, gibbs_model.convergence, check_exact=True)
    other = topics.fit_lda(two_topic_corpus, k=2, random_state=8, cache=False, **GIBBS)
    assert not np.array_equal(other.convergence["per_word_bound"], gibbs_model.convergence["per_word_bound"])
    assert sorted(map(sorted, other.top_terms(8))) == sorted([sorted(AGRICULTURE), sorted(EDUCATION)])


def test_inference_is_deterministic_and_per_row(gibbs_model):
    matrix = gibbs_model.corpus.dtm.matrix
    lda = gibbs_model.lda
    first = fitting.infer_theta(lda, matrix, seed=1, chunksize=2000)
    # tomotopy's inference cannot be seeded: the seed changes nothing, and neither do other rows
    np.testing.assert_array_equal(fitting.infer_theta(lda, matrix, seed=2, chunksize=2000), first)
    np.testing.assert_array_equal(fitting.infer_theta(lda, matrix[5:9], seed=1, chunksize=2000), first[5:9])
    # a pickled model (as the result cache stores it) infers the same after loading
    loaded = pickle.loads(pickle.dumps(lda))
    assert loaded._loaded is None
    np.testing.assert_array_equal(loaded.infer_theta(matrix), first)


def test_rows_without_known_terms_get_the_prior_mean(gibbs_model):
    lda = gibbs_model.lda
    n_terms = gibbs_model.corpus.n_terms
    empty = sp.csr_matrix((2, n_terms), dtype=np.int64)
    np.testing.assert_allclose(lda.infer_theta(empty), 0.5)
    assert np.isnan(lda.per_word_likelihood(empty))
    bound = fitting.per_word_bound(lda, gibbs_model.corpus.dtm.matrix, seed=0)
    assert np.isfinite(bound) and bound < 0


def test_cache_round_trip_gives_identical_tables(two_topic_corpus, tmp_path):
    first = topics.fit_lda(two_topic_corpus, k=2, random_state=4, cache=tmp_path, **GIBBS)
    cached = topics.fit_lda(two_topic_corpus, k=2, random_state=4, cache=tmp_path, **GIBBS)
    assert any(tmp_path.rglob("output.pkl"))
    np.testing.assert_array_equal(cached.theta, first.theta)
    pd.testing.assert_frame_equal(cached.topic_table(n=5), first.topic_table(n=5), check_exact=True)
    pd.testing.assert_frame_equal(cached.convergence, first.convergence, check_exact=True)
    # the loaded model still infers
    np.testing.assert_array_equal(cached.lda.infer_theta(two_topic_corpus.dtm.matrix[:3]),
                                  first.lda.infer_theta(two_topic_corpus.dtm.matrix[:3]))


def test_sweep_and_stability_run_with_the_engine(two_topic_corpus, gibbs_model):
    sweep = topics.sweep_k(two_topic_corpus, ks=[2, 3], random_state=1, n=5, progress=False, cache=False, **GIBBS)
    scores = sweep.scores
    assert scores["n_passes"].tolist() == [200, 200]
    assert scores["heldout_perplexity"].notna().all() and (scores["heldout_perplexity"] > 1).all()
    assert scores["c_v"].iloc[0] > 0.8  # two planted vocabularies: K=2 is very coherent
    assert sweep.settings["engine"] == "tomotopy"
    assert sweep.convergence["k"].tolist() == [2] * 20 + [3] * 20  # one row per 10 sweeps of each fit
    stab = topics.stability(gibbs_model, n_refits=2, n=8, progress=False, cache=False)
    assert stab.topics["robust"].all() and (stab.topics["mean_top_jaccard"] == 1.0).all()
    assert set(stab.convergence["random_state"]) == {8, 9}
    refits = topics.with_refits(gibbs_model, n_refits=1)
    assert isinstance(refits[1].lda, GibbsLda) and refits[1].random_state == 8


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"engine": "mallet"}, "LdaSettings.engine"),
        ({"engine": "tomotopy", "gibbs_sweeps": 0}, "LdaSettings.gibbs_sweeps"),
        ({"gibbs_sweeps": 2.5}, "LdaSettings.gibbs_sweeps"),
        ({"gibbs_tol": 1.5}, "LdaSettings.gibbs_tol"),
        ({"gibbs_tol": "auto"}, "LdaSettings.gibbs_tol"),
        ({"engine": "tomotopy", "eta": "auto"}, "LdaSettings.eta"),
    ],
)
def test_bad_engine_options_name_the_field(options, field):
    with pytest.raises(ValueError, match=field):
        topics.LdaSettings(**options)
    name = field.replace("LdaSettings.", "TopicSettings.")
    with pytest.raises(ValueError, match=name):
        topics.TopicSettings(**options)


def test_priors_follow_gensims_meaning():
    alpha, eta, learned = gibbs_priors("asymmetric", "symmetric", 3)
    expected = 1.0 / (np.arange(3) + np.sqrt(3))
    np.testing.assert_allclose(alpha, expected / expected.sum())  # gensim's asymmetric prior
    assert eta == pytest.approx(1 / 3) and not learned
    assert gibbs_priors("auto", 0.01, 4) == (0.25, 0.01, True)
    assert gibbs_priors(0.3, None, 4) == (0.3, 0.25, False)


def test_learned_alpha_changes_and_is_reported(two_topic_corpus):
    model = topics.fit_lda(two_topic_corpus, k=2, random_state=7, alpha="auto", cache=False, **GIBBS)
    assert model.alpha.shape == (2,) and not np.allclose(model.alpha, 0.5)
    assert model.settings["alpha"] == "auto"


def test_topic_settings_pass_the_engine_and_old_records_load():
    settings = topics.TopicSettings(engine="tomotopy", gibbs_sweeps=300)
    assert settings.lda.engine == "tomotopy" and settings.lda.gibbs_sweeps == 300
    assert topics.TopicSettings.from_dict(settings.to_dict()) == settings
    old = {k: v for k, v in topics.TopicSettings().to_dict().items() if k not in ("engine", "gibbs_sweeps")}
    assert topics.TopicSettings.from_dict(old).lda.engine == "gensim"
    # a tomotopy record from before gibbs_tol ran every sweep, and loads so
    before_tol = {k: v for k, v in settings.to_dict().items() if k != "gibbs_tol"}
    assert topics.TopicSettings.from_dict(before_tol).lda.gibbs_tol is None
    assert topics.TopicSettings().gibbs_tol == topics.LdaSettings().gibbs_tol == 1e-4


class _Chain:
    """A stand-in for a tomotopy model whose log-likelihood per word after each block is given."""

    def __init__(self, values):
        self.values, self.calls, self.ll_per_word = list(values), [], None

    def train(self, sweeps, **options):
        self.calls.append(sweeps)
        self.ll_per_word = self.values.pop(0)


def test_training_stops_once_two_windows_of_fifty_sweeps_agree():
    # Hand-worked: five blocks climbing from -9.0 to -8.6, then flat at -7.0 with a +-0.0004 wobble
    # (-7.0004 first). After 10 blocks the windows' means are -8.8 and -7.00008 (a rise of 20 %):
    # go on. After 15 blocks they are -7.00008 and -6.99992 (a rise of 0.002 %): stop, at 150.
    climb = [-9.0, -8.9, -8.8, -8.7, -8.6]
    flat = [-7.0 + (0.0004 if i % 2 else -0.0004) for i in range(20)]
    chain = _Chain(climb + flat)
    rows = train_blocks(chain, 300, 1e-4, n_tokens=SETTLE_MIN_TOKENS)
    assert [row["pass"] for row in rows] == list(range(10, 151, 10)) and chain.calls == [10] * 15
    assert rows[-1]["per_word_bound"] == flat[9]
    # None runs every sweep; the last block is cut to the total.
    chain = _Chain(climb + flat)
    assert [row["pass"] for row in train_blocks(chain, 95, None, n_tokens=10**6)][-2:] == [90, 95]
    assert chain.calls[-1] == 5
    # So does a chain on too few tokens for the rule, whatever its tolerance.
    assert len(train_blocks(_Chain(climb + flat), 250, 1e-4, n_tokens=SETTLE_MIN_TOKENS - 1)) == 25
    # A rise of 0.02 % per window is still a rise at 1e-4, not at 1e-3.
    rising = [-7.0 * (1 - 0.0002) ** (i // 5) for i in range(30)]
    assert not settled(rising[:15], 1e-4) and settled(rising[:15], 1e-3)


def test_a_fit_that_stopped_early_is_the_fit_of_that_many_sweeps(two_topic_corpus, monkeypatch):
    monkeypatch.setattr(gibbs, "SETTLE_MIN_TOKENS", 0)  # the planted corpus is small
    early = topics.fit_lda(two_topic_corpus, k=2, random_state=7, cache=False, engine="tomotopy", gibbs_sweeps=1000)
    sweeps = int(early.convergence["pass"].iloc[-1])
    assert 100 <= sweeps < 1000 and sweeps % 10 == 0
    fixed = topics.fit_lda(two_topic_corpus, k=2, random_state=7, cache=False, engine="tomotopy",
                           gibbs_sweeps=sweeps, gibbs_tol=None)
    np.testing.assert_array_equal(early.phi, fixed.phi)
    pd.testing.assert_frame_equal(early.convergence, fixed.convergence)
    assert f"{sweeps} sweeps, stopped before the most, 1000" in early.engine_summary
    assert "stopped" not in fixed.engine_summary


def test_topics_ordered_by_the_samplers_token_counts_without_inference():
    from .helpers import tokens_of

    # Farming has twice the units (and tokens) of education: it is the more prevalent topic.
    tc = topics.topic_corpus(tokens_of([EDUCATION, AGRICULTURE, AGRICULTURE]), stopwords=None, min_chars=1)
    lda, _ = fitting.train(tc.dtm.matrix, tc.dtm.terms, k=2, random_state=3,
                           settings=fitting.LdaSettings(**GIBBS), track_bound=False)
    assert lda.topic_tokens.sum() == tc.dtm.matrix.sum()  # every training token sits in one topic
    phi = fitting.prevalence_ordered_phi(lda, tc.dtm.matrix, seed=3, chunksize=100)
    terms = np.asarray(tc.dtm.terms)
    assert set(terms[np.argsort(-phi[0])[:8]]) <= set(AGRICULTURE)
    np.testing.assert_allclose(phi, fitting.ordered_topics(lda, tc.dtm.matrix, seed=3, chunksize=100)[2])
    # A fit pickled before the counts were kept loads without them and is ordered by inference.
    state = {**lda.__getstate__()}
    del state["topic_tokens"]
    old = GibbsLda.__new__(GibbsLda)
    old.__setstate__(state)
    assert old.topic_tokens is None
    np.testing.assert_allclose(fitting.prevalence_ordered_phi(old, tc.dtm.matrix, seed=3, chunksize=100), phi)


def test_rows_become_words_in_column_order_whatever_the_matrix_stores():
    from corpus_tools.topics.gibbs import _rows_words

    # Row 0 stores columns 2, 0 (unsorted) with counts 1, 2; row 1 is empty; row 2 has column 1 three times.
    matrix = sp.csr_matrix((np.array([1, 2, 3]), np.array([2, 0, 1]), np.array([0, 2, 2, 3])), shape=(3, 3))
    assert _rows_words(matrix, np.array([0, 1, 2])) == [["0", "0", "2"], [], ["1", "1", "1"]]
    assert _rows_words(matrix, np.array([2, 0])) == [["1", "1", "1"], ["0", "0", "2"]]
    assert matrix.indices.tolist() == [2, 0, 1]  # the caller's matrix is left as it was
