"""Tests for corpus_tools.topics: units, vocabulary, fits, K choice, stability, tables, browser.

Most tests use small constructed corpora with a known topic structure (an agriculture and an
education vocabulary, optionally a third), built as Tokens so that no segmenter is needed.
"""

from __future__ import annotations

import filecmp
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from corpus_tools.corpus import corpus_from_texts
from corpus_tools.tokens import Tokens
from corpus_tools import topics
from corpus_tools.topics import TopicInputError

PROJECT_ROOT = Path(__file__).resolve().parents[1]

AGRICULTURE = ["农业", "粮食", "种植", "农民", "耕地", "收成", "农田", "水稻"]
EDUCATION = ["教育", "学校", "学生", "老师", "课堂", "教材", "校园", "考试"]
CULTURE = ["文化", "演出", "剧团", "舞台", "观众", "非遗", "展览", "艺术"]


def _tokens(vocabularies, *, n_units=15, length=12, seed=0, extra=()) -> Tokens:
    """`n_units` units per vocabulary, each `length` words drawn from it; one doc per vocabulary."""
    generator = np.random.default_rng(seed)
    lists, doc_ids, groups = [], [], []
    for v, vocabulary in enumerate(vocabularies):
        for _ in range(n_units):
            lists.append(list(generator.choice(vocabulary, size=length)) + list(extra))
            doc_ids.append(f"doc{v}")
            groups.append(["甲县", "乙县", "丙县"][v])
    index = pd.Index([f"doc{d[-1]}:p{i:03d}" for i, d in enumerate(doc_ids)], name="unit_id")
    docvars = pd.DataFrame({"doc_id": doc_ids, "para_no": np.arange(1, len(index) + 1), "group": groups},
                           index=index)
    return Tokens(tokens=pd.Series(lists, index=index, dtype=object), docvars=docvars, unit="paragraph")


@pytest.fixture(scope="module")
def two_topic_corpus() -> topics.TopicCorpus:
    return topics.topic_corpus(_tokens([AGRICULTURE, EDUCATION]), stopwords=None, min_nchar=1)


@pytest.fixture(scope="module")
def two_topic_model(two_topic_corpus) -> topics.TopicModel:
    # tol=None: exactly 30 passes, so the per-pass tests below see a fixed table.
    return topics.fit_lda(two_topic_corpus, k=2, random_state=7, passes=30, tol=None, iterations=200)


# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------

WINDOW_TEXT = "标题\n\n学史明理。学史增信。学史崇德。\n\n学史力行。办实事。"


def test_sentence_windows_within_document_cross_paragraphs():
    corp = corpus_from_texts({"a": WINDOW_TEXT})
    windows = topics.sentence_windows(corp, 2)
    assert windows.index.tolist() == ["a:w001", "a:w002", "a:w003"]
    assert windows["text"].tolist() == ["学史明理。学史增信。", "学史崇德。学史力行。", "办实事。"]
    assert windows[["para_no", "para_no_end", "n_sentences"]].values.tolist() == [[1, 1, 2], [1, 2, 2], [2, 2, 1]]


def test_sentence_windows_within_paragraph_and_size_checks():
    corp = corpus_from_texts({"a": WINDOW_TEXT})
    windows = topics.sentence_windows(corp, 2, within="paragraph")
    assert windows.index.tolist() == ["a:p001:w01", "a:p001:w02", "a:p002:w01"]
    assert topics.sentence_windows(corp, 1).shape[0] == 5
    with pytest.raises(ValueError, match="at least 1"):
        topics.sentence_windows(corp, 0)
    with pytest.raises(ValueError, match="within"):
        topics.sentence_windows(corp, 2, within="sentence")


def _two_vocabulary_texts() -> dict[str, str]:
    agriculture = "农民在农田种植水稻，粮食收成很好。"
    education = "学生在学校课堂学习，老师编写教材。"
    return {
        "farm": "农业报道\n\n" + "\n\n".join([agriculture * 2] * 8),
        "school": "教育报道\n\n" + "\n\n".join([education * 2] * 8),
    }


@pytest.mark.parametrize(("unit", "expected_units"), [("paragraph", 16), ("window", 16), ("sentence", 32)])
def test_topic_corpus_from_a_corpus_carries_docvars(unit, expected_units):
    corp = corpus_from_texts(_two_vocabulary_texts()).assign_docvars(group=["甲县", "乙县"])
    tc = topics.topic_corpus(corp, unit=unit, window_size=2, min_docfreq=2, min_units=4, min_terms=4)
    assert tc.unit == unit
    assert tc.n_units == expected_units
    assert set(tc.dtm.docvars["group"]) == {"甲县", "乙县"}
    assert tc.texts.index.equals(tc.dtm.docvars.index)
    assert tc.tokens.tokens.index.equals(tc.dtm.docvars.index)
    assert {"粮食", "学校"} <= set(tc.dtm.terms)
    # the steps table tells how many units and terms are left
    assert tc.steps[["n_units", "n_terms"]].iloc[-1].tolist() == [tc.n_units, tc.n_terms]


def test_topic_corpus_pos_filter_keeps_only_those_tags():
    corp = corpus_from_texts(_two_vocabulary_texts())
    tc = topics.topic_corpus(corp, keep_pos=["n"], min_units=4, min_terms=4)
    assert "种植" not in tc.dtm.terms  # a verb
    assert "粮食" in tc.dtm.terms
    assert "part-of-speech filter" in tc.steps["step"].tolist()


def test_trimming_and_short_units_reach_a_fixed_point():
    toks = _tokens([AGRICULTURE, EDUCATION], length=4, n_units=20)
    tc = topics.topic_corpus(toks, stopwords=None, min_nchar=1, min_docfreq=6, min_unit_tokens=3)
    matrix = tc.dtm.matrix
    assert (np.bincount(matrix.indices, minlength=tc.n_terms) >= 6).all()
    assert (np.asarray(matrix.sum(axis=1)).ravel() >= 3).all()
    assert (tc.tokens.tokens.map(len).to_numpy() == np.asarray(matrix.sum(axis=1)).ravel()).all()


def test_phrases_join_a_pair_that_always_co_occurs():
    toks = _tokens([AGRICULTURE, EDUCATION], extra=("红色", "基因"))
    tc = topics.topic_corpus(toks, stopwords=None, min_nchar=1, phrases=True, phrase_min_count=5,
                             phrase_threshold=1.0)
    assert "红色_基因" in tc.dtm.terms
    assert "phrases joined" in tc.steps["step"].tolist()


def test_max_docfreq_prop_is_explicit_and_off_by_default():
    toks = _tokens([AGRICULTURE, EDUCATION], extra=("党史",))
    assert "党史" in topics.topic_corpus(toks, stopwords=None, min_nchar=1).dtm.terms
    trimmed = topics.topic_corpus(toks, stopwords=None, min_nchar=1, max_docfreq_prop=0.9)
    assert "党史" not in trimmed.dtm.terms


# --------------------------------------------------------------------------------------------
# Small-corpus messages
# --------------------------------------------------------------------------------------------


def test_too_few_units_after_trimming_says_what_to_change():
    toks = _tokens([AGRICULTURE, EDUCATION], n_units=3)
    with pytest.raises(TopicInputError, match=r"only \d+ paragraphs remain after trimming .*min_docfreq=5.*"
                                              r"lower min_docfreq.*unit='sentence'"):
        topics.topic_corpus(toks, stopwords=None, min_nchar=1, min_docfreq=5)


def test_too_few_terms_says_what_to_change():
    toks = _tokens([AGRICULTURE, EDUCATION])
    with pytest.raises(TopicInputError, match=r"only 16 terms remain .* at least 50: lower min_docfreq"):
        topics.topic_corpus(toks, stopwords=None, min_nchar=1, min_terms=50)


def test_topic_input_error_is_a_value_error():
    assert issubclass(TopicInputError, ValueError)


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
        topics.fit_lda(two_topic_corpus, k=2, random_state=1, alpha="auto", workers=2)


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
    monkeypatch.setattr(topics, "BOUND_UNITS", 12)
    sampled = topics.fit_lda(two_topic_corpus, k=2, random_state=7, passes=5, tol=None, cache=False)
    np.testing.assert_array_equal(sampled.phi, full.phi)  # the bound only watches the fit
    rows = topics._sample_rows(two_topic_corpus.n_units, 12, 7)
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
    model = topics.fit_lda(two_topic_corpus, k=2, random_state=7, passes=40, workers=2)
    assert sorted(map(sorted, model.top_terms(8))) == sorted([sorted(AGRICULTURE), sorted(EDUCATION)])
    conv = model.convergence
    assert conv["pass"].tolist() == list(range(1, 41))
    # the table shows the updates that happened; under load LdaMulticore skips some (n_updates 0)
    assert conv["n_updates"].isin([0, 1]).all() and conv["topic_diff"].notna().sum() == conv["n_updates"].sum()
    # E-steps ran in worker processes: their convergence counts are not available
    assert conv["units_converged"].isna().all() and conv["per_word_bound"].isna().all()


def test_topics_are_numbered_by_prevalence(two_topic_model):
    assert (np.diff(two_topic_model.prevalence) <= 0).all()
    assert np.isclose(two_topic_model.prevalence.sum(), 1.0)
    assert two_topic_model.labels.index.tolist() == [1, 2]


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
    table = two_topic_model.topic_table(n_terms=5)
    assert list(table.columns) == ["topic", "label", "prevalence", "n_units_dominant", "alpha", "c_v", "c_npmi",
                                   "top_terms"]
    assert table["n_units_dominant"].sum() == two_topic_model.corpus.n_units
    assert (table["c_v"] > 0.5).all()


# --------------------------------------------------------------------------------------------
# Coherence: exact sliding-window counts
# --------------------------------------------------------------------------------------------


def _brute_force_windows(texts, window_size):
    """Every window of every text as a set of words (a short text is one window)."""
    windows = []
    for text in texts:
        if len(text) < window_size:
            windows.append(set(text))
        else:
            windows.extend(set(text[i : i + window_size]) for i in range(len(text) - window_size + 1))
    return windows


def test_window_counts_hand_worked_example_with_a_repeated_word():
    # a b a c d, windows of 3: {a,b}, {a,b,c}, {a,c,d} -> a in 3 windows, (a, c) together in 2
    occurrences, co, n_windows = topics.window_counts([["a", "b", "a", "c", "d"]], ["a", "c", "d"], window_size=3)
    assert n_windows == 3
    assert occurrences.tolist() == [3, 2, 1]
    assert co[0, 1] == co[1, 0] == 2 and co[0, 2] == 1 and co[1, 2] == 1
    assert np.array_equal(np.diag(co), occurrences)


@pytest.mark.parametrize("window_size", [1, 2, 3, 5, 10])
def test_window_counts_equal_a_brute_force_count(window_size):
    generator = np.random.default_rng(window_size)
    vocabulary = ["红色", "基因", "党史", "学习", "教育", "群众", "实事"]
    # short and long texts, an empty one, many repeats
    texts = [list(generator.choice(vocabulary, size=n)) for n in (0, 1, 4, 9, 17, 30)]
    words = vocabulary[:5]
    occurrences, co, n_windows = topics.window_counts(texts, words, window_size=window_size)
    windows = _brute_force_windows(texts, window_size)
    assert n_windows == len(windows)
    for i, first in enumerate(words):
        assert occurrences[i] == sum(first in w for w in windows)
        for j, second in enumerate(words):
            assert co[i, j] == sum(first in w and second in w for w in windows)


def _tokens_without_repeats(n_units=40, seed=0) -> Tokens:
    generator = np.random.default_rng(seed)
    vocabulary = AGRICULTURE + EDUCATION + CULTURE
    lists = []
    for u in range(n_units):
        own = [AGRICULTURE, EDUCATION, CULTURE][u % 3]
        words = list(generator.choice(own, size=6, replace=False)) + list(
            generator.choice([w for w in vocabulary if w not in own], size=4, replace=False))
        generator.shuffle(words)
        lists.append(words)
    index = pd.Index([f"d{u % 4}:p{u:03d}" for u in range(n_units)], name="unit_id")
    docvars = pd.DataFrame({"doc_id": [f"d{u % 4}" for u in range(n_units)]}, index=index)
    return Tokens(tokens=pd.Series(lists, index=index, dtype=object), docvars=docvars, unit="paragraph")


def test_coherence_equals_gensims_on_texts_without_repeated_words():
    from gensim.models.coherencemodel import CoherenceModel

    tc = topics.topic_corpus(_tokens_without_repeats(), stopwords=None, min_nchar=1)
    top_terms = [AGRICULTURE[:5], EDUCATION[:5], [AGRICULTURE[0], EDUCATION[0], CULTURE[0], CULTURE[1]]]
    ours = topics.coherence(top_terms, tc, measures=("c_v", "c_npmi"))
    texts = list(tc.tokens.tokens)
    from gensim.corpora import Dictionary

    for measure in ("c_v", "c_npmi"):
        reference = CoherenceModel(topics=top_terms, texts=texts, dictionary=Dictionary(texts), coherence=measure,
                                   processes=1).get_coherence_per_topic()
        assert np.allclose(ours[measure], reference, rtol=0, atol=1e-9), measure
    assert ours["c_npmi"][0] > ours["c_npmi"][2]  # a topic's own words go together


def test_c_npmi_with_repeated_words_follows_the_definition():
    # Units with repeats; reference: NPMI from brute-force window counts, mean over ordered pairs.
    tc = topics.topic_corpus(_tokens([AGRICULTURE, EDUCATION], n_units=6, length=25, seed=4),
                             stopwords=None, min_nchar=1)
    terms = AGRICULTURE[:4]
    value = topics.coherence([terms], tc, measures=("c_npmi",))["c_npmi"][0]
    windows = _brute_force_windows(list(tc.tokens.tokens), 10)
    n = len(windows)
    eps = 1e-12  # gensim's ε, part of the published implementation
    scores = []
    for i, first in enumerate(terms):
        for second in terms[:i] + terms[i + 1 :]:
            p1 = sum(first in w for w in windows) / n
            p2 = sum(second in w for w in windows) / n
            p12 = sum(first in w and second in w for w in windows) / n
            scores.append(np.log((p12 + eps) / (p1 * p2)) / -np.log(p12 + eps))
    assert value == pytest.approx(np.mean(scores), abs=1e-12)


# --------------------------------------------------------------------------------------------
# Relevance, distances, alignment
# --------------------------------------------------------------------------------------------


def test_relevance_on_a_hand_computed_example():
    phi = np.array([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]])
    p = np.array([0.25, 0.25, 0.5])
    # λ = 0.5, topic 1, term 2: 0.5·log 0.3 + 0.5·log(0.3/0.25) = 0.5·(−1.2039728) + 0.5·0.1823216
    assert topics.relevance(phi, p, 0.5)[0, 1] == pytest.approx(-0.5108256, abs=1e-7)
    assert np.allclose(topics.relevance(phi, p, 1.0), np.log(phi))
    assert np.allclose(topics.relevance(phi, p, 0.0), np.log(phi / p))
    # topic 2, term 3 with λ = 0.2: 0.2·log 0.8 + 0.8·log 1.6
    assert topics.relevance(phi, p, 0.2)[1, 2] == pytest.approx(0.2 * np.log(0.8) + 0.8 * np.log(1.6))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        topics.relevance(phi, p, 1.5)


def test_js_distances_bounds():
    d = topics.js_distances(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 0.0], [0.0, 2.0]]))
    assert np.allclose(d, [[0.0, 1.0], [1.0, 0.0]])


def test_hungarian_alignment_recovers_a_permutation():
    generator = np.random.default_rng(3)
    reference = generator.dirichlet(np.full(60, 0.1), size=6)
    permutation = np.array([4, 0, 5, 2, 1, 3])
    other = reference[permutation] + generator.uniform(0, 1e-4, size=reference.shape)
    other /= other.sum(axis=1, keepdims=True)
    match, distance = topics.align_topics(reference, other)
    # other[match[i]] is reference[i]: match is the inverse permutation
    assert np.array_equal(permutation[match], np.arange(6))
    assert (distance < 0.05).all()


def test_hungarian_alignment_is_one_to_one_where_nearest_neighbours_collide():
    reference = np.array([[0.6, 0.4, 0.0], [0.5, 0.5, 0.0]])
    other = np.array([[0.55, 0.45, 0.0], [0.0, 0.5, 0.5]])
    match, _ = topics.align_topics(reference, other)
    # both reference topics are closest to other[0]; the assignment gives each its own partner
    assert sorted(match.tolist()) == [0, 1]


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


def test_stability_refits_on_a_sample_and_records_it(two_topic_model):
    stab = topics.stability(two_topic_model, seeds=2, sample_units=20, topn=8, progress=False, cache=False)
    again = topics.stability(two_topic_model, seeds=2, sample_units=20, topn=8, progress=False, cache=False)
    pd.testing.assert_frame_equal(stab.topics, again.topics)
    pd.testing.assert_frame_equal(stab.runs, again.runs)
    assert (stab.runs["n_refit_units"] == 20).all() and (stab.topics["n_refit_units"] == 20).all()
    assert stab.topics["robust"].all()  # two vocabularies come back from any 20 of the 30 units
    whole = topics.stability(two_topic_model, seeds=1, topn=8, progress=False, cache=False)
    assert (whole.topics["n_refit_units"] == two_topic_model.corpus.n_units).all()


def test_stability_of_a_clear_structure(two_topic_model):
    stab = topics.stability(two_topic_model, seeds=2, topn=8, progress=False)
    assert stab.runs["random_state"].unique().tolist() == [8, 9]
    assert len(stab.runs) == 4
    assert stab.topics["robust"].all()
    assert (stab.topics["mean_top_jaccard"] == 1.0).all()
    assert (stab.topics["max_js_distance"] < 0.2).all()
    assert set(stab.convergence["random_state"]) == {8, 9}
    with pytest.raises(ValueError, match="differ from the reference"):
        topics.stability(two_topic_model, seeds=[7], progress=False)


# --------------------------------------------------------------------------------------------
# Topic browser
# --------------------------------------------------------------------------------------------


def test_topic_browser_is_escaped_and_offline(tmp_path):
    toks = _tokens([AGRICULTURE, EDUCATION, CULTURE])
    texts = pd.Series(" ".join(words) for words in toks.tokens)
    texts.iloc[0] = "<script>alert(1)</script> " + texts.iloc[0]
    tc = topics.topic_corpus(toks, stopwords=None, min_nchar=1)
    tc = topics.TopicCorpus(dtm=tc.dtm, tokens=tc.tokens, texts=pd.Series(texts.to_numpy(), index=tc.texts.index),
                            unit=tc.unit, steps=tc.steps)
    model = topics.fit_lda(tc, k=3, random_state=2, passes=20)
    path = topics.write_topic_browser(model, tmp_path / "run", n_units=30)
    assert path == tmp_path / "run" / topics.BROWSER_FILENAME
    page = path.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'src="http' not in page and "href=\"http" not in page.split("<body>")[0]
    assert "new LDAvis(" in page  # the intertopic map, with its scripts inlined
    assert all(f'id="topic-{i}"' in page for i in (1, 2, 3))


def _skewed_tokens(seed=11) -> Tokens:
    """Three vocabularies with Zipf-like word frequencies and a few shared words, so that rare
    terms (where the choice of p(w) matters most) exist."""
    generator = np.random.default_rng(seed)
    shared = ["工作", "推进", "开展"]
    lists, doc_ids = [], []
    for v, vocabulary in enumerate([AGRICULTURE, EDUCATION, CULTURE]):
        words = vocabulary + shared
        weights = 1.0 / np.arange(1, len(words) + 1) ** 1.2
        for u in range(20):
            lists.append(list(generator.choice(words, size=15, p=weights / weights.sum())))
            doc_ids.append(f"doc{v}")
    index = pd.Index([f"{d}:p{i:03d}" for i, d in enumerate(doc_ids)], name="unit_id")
    return Tokens(tokens=pd.Series(lists, index=index, dtype=object),
                  docvars=pd.DataFrame({"doc_id": doc_ids}, index=index), unit="paragraph")


def test_topic_browser_and_tables_rank_terms_with_one_p_w(tmp_path):
    import json
    import re

    tc = topics.topic_corpus(_skewed_tokens(), stopwords=None, min_nchar=1)
    model = topics.fit_lda(tc, k=3, random_state=4, passes=30)
    # Reference p(w): the model's expected share of each term, from theta, unit lengths and phi.
    lengths = np.asarray(tc.dtm.matrix.sum(axis=1)).ravel()
    expected = (model.theta * lengths[:, None]).sum(axis=0) @ model.phi
    assert np.allclose(model.term_prob, expected / expected.sum(), rtol=1e-12)

    page = topics.write_topic_browser(model, tmp_path, n_terms=8).read_text(encoding="utf-8")
    found = re.search(r'new LDAvis\("#ldavis_topics", (\{.*?\})\);</script>', page, re.S)
    tinfo = pd.DataFrame(json.loads(found.group(1))["tinfo"])
    terms = list(tc.dtm.terms)
    for lam in (0.2, 0.6):
        table = model.terms(8, lambda_=lam)
        for topic in (1, 2, 3):
            rows = tinfo[tinfo["Category"] == f"Topic{topic}"].copy()
            # the browser's lift is the table's lift: one p(w) (pyLDAvis keeps 4 decimals)
            phi = model.phi[topic - 1, [terms.index(t) for t in rows["Term"]]]
            assert np.allclose(rows["loglift"], np.log(phi / model.term_prob[[terms.index(t) for t in rows["Term"]]]),
                               atol=6e-5)
            rows["relevance"] = lam * rows["logprob"] + (1 - lam) * rows["loglift"]
            browser = rows.sort_values("relevance", ascending=False, kind="mergesort")["Term"].head(8).tolist()
            ours = table.loc[table["topic"] == topic, "term"].tolist()
            assert browser == ours, (lam, topic)


def test_topic_browser_without_the_interactive_map(tmp_path, two_topic_model):
    page = topics.write_topic_browser(two_topic_model, tmp_path, interactive=False).read_text(encoding="utf-8")
    assert "LDAvis" not in page
    assert "λ = 0.6" in page


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


# --------------------------------------------------------------------------------------------
# The result cache
# --------------------------------------------------------------------------------------------


def test_sweep_and_stability_come_from_the_cache_when_nothing_changed(two_topic_corpus, two_topic_model, tmp_path,
                                                                       monkeypatch):
    cache = tmp_path / "results"
    first = topics.sweep_k(two_topic_corpus, ks=[2, 3], random_state=5, passes=10, progress=False, cache=cache)
    stab = topics.stability(two_topic_model, seeds=1, topn=8, progress=False, cache=cache)

    def no_fitting(*args, **kwargs):
        raise AssertionError("refitted although the cache holds this result")

    monkeypatch.setattr(topics, "_train", no_fitting)
    again = topics.sweep_k(two_topic_corpus, ks=[3, 2], random_state=5, passes=10, progress=False, cache=cache)
    pd.testing.assert_frame_equal(
        first.scores.set_index("k").sort_index(), again.scores.set_index("k").sort_index()
    )
    pd.testing.assert_frame_equal(stab.runs, topics.stability(two_topic_model, seeds=1, topn=8, progress=False,
                                                              cache=cache).runs)
    # any change of setting, seed or corpus is a new key, so it must fit (and here: fail)
    for change in ({"passes": 11}, {"random_state": 6}):
        kwargs = {"ks": [2], "random_state": 5, "passes": 10, "progress": False, "cache": cache} | change
        with pytest.raises(AssertionError, match="refitted"):
            topics.sweep_k(two_topic_corpus, **kwargs)
    smaller = topics.TopicCorpus(dtm=two_topic_corpus.dtm.trim(min_docfreq=2), tokens=two_topic_corpus.tokens,
                                 texts=two_topic_corpus.texts, unit=two_topic_corpus.unit, steps=two_topic_corpus.steps)
    with pytest.raises(AssertionError, match="refitted"):
        topics.sweep_k(smaller, ks=[2], random_state=5, passes=10, progress=False, cache=cache)
    # and cache=False never reads it
    with pytest.raises(AssertionError, match="refitted"):
        topics.sweep_k(two_topic_corpus, ks=[2], random_state=5, passes=10, progress=False, cache=False)


def test_fitted_model_comes_from_the_cache_with_the_same_topics(two_topic_corpus, tmp_path, monkeypatch):
    cache = tmp_path / "results"
    first = topics.fit_lda(two_topic_corpus, k=2, random_state=3, passes=10, cache=cache)
    monkeypatch.setattr(topics, "_train", lambda *a, **k: (_ for _ in ()).throw(AssertionError("refitted")))
    again = topics.fit_lda(two_topic_corpus, k=2, random_state=3, passes=10, cache=cache)
    np.testing.assert_array_equal(first.phi, again.phi)
    np.testing.assert_array_equal(first.theta, again.theta)
    pd.testing.assert_frame_equal(first.topic_table(), again.topic_table())
    with pytest.raises(AssertionError, match="refitted"):
        topics.fit_lda(two_topic_corpus, k=2, random_state=3, passes=10, cache=False)
