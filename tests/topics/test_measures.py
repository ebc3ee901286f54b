"""Tests for corpus_tools.topics.measures: exact window counts, coherence, relevance, distances, alignment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from corpus_tools import topics
from corpus_tools.tokens import Tokens
from corpus_tools.units import unit_id

from .helpers import AGRICULTURE, CULTURE, EDUCATION, tokens_of


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
    index = pd.Index([unit_id(f"d{u % 4}", u) for u in range(n_units)], name="unit_id")
    docvars = pd.DataFrame({"doc_id": [f"d{u % 4}" for u in range(n_units)]}, index=index)
    return Tokens(tokens=pd.Series(lists, index=index, dtype=object), docvars=docvars, unit="paragraph")


def test_coherence_equals_gensims_on_texts_without_repeated_words():
    from gensim.models.coherencemodel import CoherenceModel

    tc = topics.topic_corpus(_tokens_without_repeats(), stopwords=None, min_chars=1)
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
    tc = topics.topic_corpus(tokens_of([AGRICULTURE, EDUCATION], n_units=6, length=25, seed=4),
                             stopwords=None, min_chars=1)
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
