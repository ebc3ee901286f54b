"""Measures of topics: relevance, distances and alignment between fits, coherence.

Everything here is a function of arrays and token lists, not of a fitted gensim model:

* :func:`relevance` ranks a topic's terms (Sievert & Shirley 2014);
* :func:`js_distances` and :func:`align_topics` compare the topics of two fits;
* :func:`window_counts` and :func:`coherence` score a topic's top terms on the texts
  (Röder, Both & Hinneburg 2015) with exact sliding-window counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:
    from .prepare import TopicCorpus

__all__ = ["COHERENCE_MEASURES", "align_topics", "coherence", "js_distances", "relevance", "top_indices",
           "window_counts"]

#: Coherence measures computed for every K (gensim ``CoherenceModel`` names).
COHERENCE_MEASURES: tuple[str, ...] = ("c_v", "c_npmi")



def relevance(phi: np.ndarray, term_prob: np.ndarray, lambda_: float) -> np.ndarray:
    """Return the relevance of every term to every topic (Sievert & Shirley 2014).

    ``relevance = λ · log φ[t, w] + (1 − λ) · log(φ[t, w] / p[w])``

    Parameters
    ----------
    phi : array of shape (K, V)
        Topic-term probabilities, each row summing to 1.
    term_prob : array of shape (V,)
        Each term's marginal probability p(w) (:attr:`~corpus_tools.topics.TopicModel.term_prob`: the model's,
        as in LDAvis; a term's share of the corpus's tokens is the other common choice).
    lambda_ : float
        Weight in [0, 1]: 1 ranks terms by their probability in the topic, 0 by their lift
        (how much more probable in the topic than in the corpus), which favours rare terms.

    Returns
    -------
    numpy.ndarray of shape (K, V)
        Natural-log scale; ``-inf`` where ``phi`` is 0.

    Notes
    -----
    Sievert, C. & Shirley, K. (2014). LDAvis: A method for visualizing and interpreting
    topics. *Proceedings of the Workshop on Interactive Language Learning, Visualization, and
    Interfaces*, 63–70. In their user study λ ≈ 0.6 helped readers most.

    Examples
    --------
    >>> phi = np.array([[0.5, 0.3, 0.2]])
    >>> p = np.array([0.25, 0.25, 0.5])
    >>> np.round(relevance(phi, p, 0.5), 4)   # 0.5·log 0.5 + 0.5·log 2 = 0 for the first term
    array([[ 0.    , -0.5108, -1.2629]])
    >>> np.round(relevance(phi, p, 1.0), 4)   # λ = 1: log φ
    array([[-0.6931, -1.204 , -1.6094]])
    """
    if not 0.0 <= lambda_ <= 1.0:
        raise ValueError(f"lambda_ is a weight in [0, 1], got {lambda_!r}")
    phi = np.asarray(phi, dtype=np.float64)
    term_prob = np.asarray(term_prob, dtype=np.float64)
    if phi.ndim != 2 or term_prob.shape != (phi.shape[1],):
        raise ValueError(f"phi must be (K, V) and term_prob (V,); got {phi.shape} and {term_prob.shape}")
    if (term_prob <= 0).any():
        raise ValueError("every term needs a positive corpus probability (a term that never occurs has none)")
    with np.errstate(divide="ignore"):
        log_phi = np.log(phi)
    return lambda_ * log_phi + (1.0 - lambda_) * (log_phi - np.log(term_prob))


def js_distances(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Return the Jensen–Shannon distance between every row of `p` and every row of `q`.

    Parameters
    ----------
    p : array of shape (K1, V)
    q : array of shape (K2, V)
        Non-negative rows (normalised to sum 1 here), e.g. topic-term distributions.

    Returns
    -------
    numpy.ndarray of shape (K1, K2)
        ``scipy.spatial.distance.jensenshannon`` with base 2: 0 for identical distributions,
        1 for distributions with disjoint support.

    Examples
    --------
    >>> np.round(js_distances(np.array([[1.0, 0.0], [0.5, 0.5]]), np.array([[1.0, 0.0]])), 4)
    array([[0.    ],
           [0.5579]])
    """
    from scipy.spatial.distance import jensenshannon

    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    if p.ndim != 2 or q.ndim != 2 or p.shape[1] != q.shape[1]:
        raise ValueError(f"p and q must be 2-d with the same number of columns; got {p.shape} and {q.shape}")
    out = np.empty((p.shape[0], q.shape[0]), dtype=np.float64)
    for i, row in enumerate(p):  # row by row: K1 x K2 x V at once would not fit for big V
        out[i] = jensenshannon(row[np.newaxis, :], q, axis=1, base=2)
    return out


def align_topics(reference: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Match the topics of two fits one to one, minimising the total Jensen–Shannon distance.

    Parameters
    ----------
    reference, other : arrays of shape (K, V)
        Topic-term distributions of two fits over the same vocabulary.

    Returns
    -------
    match : numpy.ndarray of int, shape (K,)
        ``other[match[i]]`` is the topic matched to ``reference[i]``.
    distance : numpy.ndarray of float, shape (K,)
        Their Jensen–Shannon distance (:func:`js_distances`).

    Notes
    -----
    The assignment is the Hungarian algorithm (``scipy.optimize.linear_sum_assignment``) on
    the K × K distance matrix; unlike matching each topic to its nearest neighbour, it never
    matches two reference topics to the same topic.

    Examples
    --------
    >>> ref = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]])
    >>> match, distance = align_topics(ref, ref[[2, 0, 1]])
    >>> match.tolist(), distance.round(6).tolist()
    ([1, 2, 0], [0.0, 0.0, 0.0])
    """
    from scipy.optimize import linear_sum_assignment

    reference = np.asarray(reference, dtype=np.float64)
    other = np.asarray(other, dtype=np.float64)
    if reference.shape != other.shape:
        raise ValueError(f"both fits need the same K and vocabulary; got {reference.shape} and {other.shape}")
    distances = js_distances(reference, other)
    rows, columns = linear_sum_assignment(distances)
    match = np.empty(len(reference), dtype=np.int64)
    match[rows] = columns
    return match, distances[np.arange(len(reference)), match]


def top_indices(phi: np.ndarray, n: int) -> np.ndarray:
    """Column indices of the `n` largest entries of each row, largest first, ties by column."""
    order = np.lexsort((np.broadcast_to(np.arange(phi.shape[1]), phi.shape), -phi), axis=1)
    return order[:, :n]


def window_counts(
    texts: Sequence[Sequence[str]], words: Sequence[str], *, window_size: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """Count in how many sliding windows each word, and each pair of words, occurs.

    Parameters
    ----------
    texts : sequence of sequences of str
        Token lists (e.g. the units of :attr:`~corpus_tools.topics.TopicCorpus.tokens`). Windows never cross from
        one text into the next.
    words : sequence of str
        The words to count (e.g. the union of the topics' top terms); other tokens still take
        up their place in the windows.
    window_size : int
        Tokens per window (a count, at least 1). A text of ``L >= window_size`` tokens has
        ``L - window_size + 1`` windows (one per start position); a shorter text, even an
        empty one, is one window.

    Returns
    -------
    occurrences : numpy.ndarray of int, shape (R,)
        Windows that contain ``words[i]`` at least once.
    co_occurrences : numpy.ndarray of int, shape (R, R)
        Windows that contain both ``words[i]`` and ``words[j]`` (the diagonal equals
        `occurrences`).
    n_windows : int
        All windows of all texts.

    Notes
    -----
    These are the boolean sliding-window counts of Röder, Both & Hinneburg (2015), the
    probabilities of ``c_v`` and ``c_npmi``. gensim 4.4's ``WordOccurrenceAccumulator``
    computes them incrementally and clears a word when one copy leaves the window, even if
    another copy is still inside, so it undercounts every word that repeats within a window
    (for ``a b a c d`` and windows of 3 it counts a in 1 window and (a, c) in none; the true
    counts are 3 and 2). Here each occurrence at position p marks the windows that contain it,
    ``max(0, p - window_size + 1) .. min(p, L - window_size)``; the union per word is a
    sparse window × word matrix B, so the occurrences are its column sums and the
    co-occurrences ``BᵀB``. Time and memory grow with the number of (window, word) incidences,
    not with the vocabulary.

    Examples
    --------
    >>> occurrences, co, n = window_counts([["a", "b", "a", "c", "d"]], ["a", "c"], window_size=3)
    >>> occurrences.tolist(), int(co[0, 1]), n
    ([3, 2], 2, 3)
    """
    if int(window_size) != window_size or window_size < 1:
        raise ValueError(f"window_size is a number of tokens, at least 1; got {window_size!r}")
    window_size = int(window_size)
    index = {word: i for i, word in enumerate(words)}
    if len(index) != len(words):
        raise ValueError("words has repeated entries")
    n_words = len(index)
    lengths = np.fromiter((len(text) for text in texts), dtype=np.int64, count=len(texts))
    windows_per_text = np.maximum(1, lengths - window_size + 1)
    first_window = np.concatenate([[0], np.cumsum(windows_per_text)[:-1]]).astype(np.int64)
    n_windows = int(windows_per_text.sum())
    flat = [index.get(token, -1) for text in texts for token in text]
    word = np.asarray(flat, dtype=np.int64)
    text_of = np.repeat(np.arange(len(texts)), lengths)
    position = np.arange(len(word)) - np.repeat(np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    keep = word >= 0
    word, text_of, position = word[keep], text_of[keep], position[keep]
    low = first_window[text_of] + np.maximum(0, position - window_size + 1)
    high = first_window[text_of] + np.minimum(position, windows_per_text[text_of] - 1)
    # Per word, in window order: each occurrence adds the windows not already covered by the
    # previous one (its windows start no earlier and end no earlier).
    order = np.lexsort((low, word))
    word, low, high = word[order], low[order], high[order]
    previous_high = np.concatenate([[-1], high[:-1]])
    previous_high[np.concatenate([[True], word[1:] != word[:-1]])] = -1
    start = np.maximum(low, previous_high + 1)
    size = np.maximum(0, high - start + 1)
    ends = np.cumsum(size)
    rows = np.repeat(start, size) + (np.arange(ends[-1] if len(ends) else 0) - np.repeat(ends - size, size))
    columns = np.repeat(word, size)
    incidence = sp.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, columns)), shape=(n_windows, n_words))
    occurrences = np.bincount(columns, minlength=n_words).astype(np.int64)
    co_occurrences = np.asarray((incidence.T @ incidence).toarray(), dtype=np.int64)
    return occurrences, co_occurrences, n_windows


class _WindowCounts:
    """Exact window counts behind the accumulator interface of gensim's confirmation measures.

    gensim's measures read ``accumulator[word_id]``, ``accumulator[word_id, word_id]`` and
    ``accumulator.num_docs`` (the number of windows); nothing else.
    """

    def __init__(self, ids: Sequence[int], occurrences: np.ndarray, co_occurrences: np.ndarray, n_windows: int):
        self.position = {int(word_id): i for i, word_id in enumerate(ids)}
        self.occurrences = occurrences
        self.co_occurrences = co_occurrences
        self.num_docs = n_windows

    def __getitem__(self, key):
        if isinstance(key, str) or not hasattr(key, "__iter__"):
            return self.occurrences[self.position[int(key)]]
        first, second = key
        return self.co_occurrences[self.position[int(first)], self.position[int(second)]]


def coherence(
    top_terms: Sequence[Sequence[str]], tc: TopicCorpus, *, measures: Sequence[str] = COHERENCE_MEASURES
) -> dict[str, np.ndarray]:
    """Return the coherence of each topic's term list on the topic corpus's token lists.

    Parameters
    ----------
    top_terms : sequence of sequences of str
        One list of terms per topic (usually its most probable terms), all in ``tc``'s
        vocabulary.
    tc : TopicCorpus
        Its :attr:`~corpus_tools.topics.TopicCorpus.tokens` are the reference texts; windows stay inside a unit.
    measures : sequence of str, default ("c_v", "c_npmi")
        ``"c_v"`` (boolean sliding windows of 110 tokens, NPMI context vectors of each term
        against the whole list, cosine similarity, mean), ``"c_npmi"`` (windows of 10 tokens,
        mean NPMI of the term pairs) or ``"c_uci"`` (windows of 10, mean PMI).

    Returns
    -------
    dict of str to numpy.ndarray
        Per measure, one value per topic in the order of `top_terms`.

    Notes
    -----
    The definitions are Röder, Both & Hinneburg (2015), as gensim's ``CoherenceModel``
    implements them (its segmentation, confirmation and aggregation functions and window
    sizes are used here, ε = 10⁻¹² included), but the window counts are exact
    (:func:`window_counts`): gensim's own accumulator undercounts words that repeat inside a
    window, which on this corpus moved a topic's c_npmi by up to 0.09. On texts in which no
    word repeats within a window the two agree to rounding.
    """
    from gensim.models.coherencemodel import COHERENCE_MEASURES as PIPELINES
    from gensim.models.coherencemodel import SLIDING_WINDOW_SIZES

    term_id = {term: j for j, term in enumerate(tc.dtm.terms)}
    unknown = sorted({term for terms in top_terms for term in terms if term not in term_id})
    if unknown:
        raise ValueError(f"top terms not in the topic corpus's vocabulary: {unknown[:5]}")
    topics = [np.asarray([term_id[term] for term in terms], dtype=np.int64) for terms in top_terms]
    ids = sorted({int(j) for topic in topics for j in topic})
    words = [tc.dtm.terms[j] for j in ids]
    texts = list(tc.tokens.tokens)
    scores = {}
    for measure in measures:
        if measure not in ("c_v", "c_npmi", "c_uci"):
            raise ValueError(f"coherence measure must be 'c_v', 'c_npmi' or 'c_uci', not {measure!r}")
        pipeline = PIPELINES[measure]
        counts = _WindowCounts(ids, *window_counts(texts, words, window_size=SLIDING_WINDOW_SIZES[measure]))
        segmented = pipeline.seg(topics)
        if measure == "c_v":
            values = pipeline.conf(segmented, counts, topics=topics, measure="nlr", gamma=1)
        else:
            values = pipeline.conf(segmented, counts, normalize=measure == "c_npmi")
        scores[measure] = np.asarray(values, dtype=np.float64)
    return scores
