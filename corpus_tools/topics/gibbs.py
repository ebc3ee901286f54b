"""LDA by collapsed Gibbs sampling with tomotopy: the ``engine="tomotopy"`` of :class:`~corpus_tools.topics.LdaSettings`.

:func:`train_gibbs` fits tomotopy's ``LDAModel`` on the rows of a CSR matrix and returns a
:class:`GibbsLda`, a small picklable model (the result cache stores fits with joblib) with
the priors, the topic-term matrix over the corpus's columns and what inference needs.
:mod:`corpus_tools.topics.lda` dispatches to it; callers use that module's functions.

tomotopy is imported only inside the functions that need it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["BLOCK_SWEEPS", "DEFAULT_GIBBS_TOL", "INFER_SWEEPS", "SETTLE_MIN_TOKENS", "SETTLE_WINDOW_SWEEPS", "GibbsLda",
           "gibbs_priors", "settled", "train_blocks", "train_gibbs"]

#: Gibbs sweeps between two rows of the convergence table.
BLOCK_SWEEPS = 10
#: Sweeps in each of the two windows whose mean log-likelihoods :func:`settled` compares (so a
#: fit that stops early has run at least twice this many).
SETTLE_WINDOW_SWEEPS = 50
#: Default ``gibbs_tol``: a fit stops once its log-likelihood per word, averaged over the last
#: :data:`SETTLE_WINDOW_SWEEPS` sweeps, is less than 0.01 % above the average of the 50 before.
#: Past that point the chain only wanders around its level: on the 5 MB corpus of
#: ``benchmarks/report_scale.py`` (K = 3-8 on 4,000 paragraphs) the block-to-block noise is
#: about 0.03 % and fits stop after 150-260 sweeps; ``benchmarks/gibbs_sweeps.py`` finds
#: coherence and stability across seeds after 100-200 sweeps within the spread of those after
#: 300 and 1,000.
DEFAULT_GIBBS_TOL = 1e-4
#: Fits on fewer training tokens run every sweep whatever their tolerance. Their likelihood is
#: too noisy for a 0.01 % rule (a window's mean wanders by more than that), so the rule would stop
#: them by chance, and they cost little: on the seeds' 2,342 tokens it stopped the K sweep's fits
#: after 150-300 sweeps at random and changed the chosen K from 3 to 6, while 300 sweeps take
#: 0.03 s. The K sweep on the 5 MB corpus trains on about 240,000 tokens.
SETTLE_MIN_TOKENS = 50_000
#: Gibbs sweeps of tomotopy's inference of a row's topic shares (tomotopy's default is 100). A
#: paragraph's shares reach the noise of a single sampled state within 25 sweeps: on the 8,157
#: paragraphs of ``benchmarks/report_scale.py``'s 5 MB corpus (K = 5 and 8), shares inferred
#: with 25, 50, 100 or 200 sweeps differ from those with 400 alike (mean L1 per paragraph
#: 0.14-0.17; districts' shares by 0.004-0.007 on average), and 50 take 1.2 s instead of 1.9 s.
INFER_SWEEPS = 50


def gibbs_priors(alpha: Any, eta: Any, k: int) -> tuple[list[float] | float, float, bool]:
    """tomotopy's ``alpha``, ``eta`` and whether alpha is learned, from :class:`LdaSettings`' values.

    ``"symmetric"`` is 1/K (gensim's meaning); ``"asymmetric"`` is gensim's fixed prior
    ``1 / (i + sqrt(K))`` normalised to sum to 1; ``"auto"`` starts at 1/K and is optimised
    every 10 sweeps (tomotopy's ``optim_interval``). ``eta`` is 1/K for ``"symmetric"`` or
    None, else the number; tomotopy cannot learn it, so ``"auto"`` is a ValueError.

    Examples
    --------
    >>> gibbs_priors("symmetric", None, 4)
    (0.25, 0.25, False)
    >>> [round(a, 3) for a in gibbs_priors("asymmetric", 0.1, 2)[0]]
    [0.631, 0.369]
    """
    if isinstance(eta, str) and eta == "auto":
        raise ValueError("LdaSettings.eta='auto' is not available with engine='tomotopy' (its sampler keeps eta "
                         "fixed): pass 'symmetric', None or a number")
    eta_value = 1.0 / k if eta is None or (isinstance(eta, str) and eta == "symmetric") else float(eta)
    if isinstance(alpha, str) and alpha == "asymmetric":
        prior = 1.0 / (np.arange(k) + np.sqrt(k))
        return (prior / prior.sum()).tolist(), eta_value, False
    if isinstance(alpha, str):  # "symmetric" or "auto" (learned from 1/K)
        return 1.0 / k, eta_value, alpha == "auto"
    return float(alpha), eta_value, False


def _rows_words(matrix: sp.csr_matrix, rows: np.ndarray) -> list[list[str]]:
    """Rows `rows` as tomotopy words: column j is the word ``str(j)``, repeated by its count, in column order.

    Built for all rows at once (one array of words, then a slice per row): a row at a time cost
    about 18 microseconds, a noticeable share of a fit on tens of thousands of paragraphs.
    """
    matrix = matrix[np.asarray(rows)]  # a copy, so sorting its indices leaves the caller's alone
    matrix.sort_indices()
    counts = np.asarray(matrix.data).astype(np.int64)
    vocabulary = np.array([str(j) for j in range(matrix.shape[1])], dtype=object)
    words = vocabulary[np.repeat(matrix.indices, counts)].tolist()
    bounds = np.concatenate([[0], np.cumsum(counts)])[matrix.indptr].tolist()
    return [words[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


@dataclass(eq=False)
class GibbsLda:
    """A tomotopy LDA fit, in a form that pickles: priors, topics and the saved sampler state.

    Attributes
    ----------
    alpha : numpy.ndarray of shape (K,)
        The document-topic prior (learned when ``alpha="auto"``).
    eta : float
        The topic-term prior.
    phi : numpy.ndarray of shape (K, V)
        Topic-term probabilities over the corpus's V columns, in tomotopy's topic order; rows
        sum to 1. ``phi[k, w] = (n_kw + eta) / (n_k + V * eta)`` with ``n_kw`` the tokens of
        term w assigned to topic k at the last sweep: tomotopy's smoothed estimate, extended to
        terms absent from the training rows (``n_kw = 0``, so they get eta's share).
    saved : bytes
        ``LDAModel.saves(full=False)``: the sampler's topics without its documents, loaded on
        the first inference (:meth:`infer_theta`, :meth:`per_word_likelihood`).
    topic_tokens : numpy.ndarray of shape (K,) or None
        Training tokens assigned to each topic at the last sweep (``n_k``; None in fits cached
        before it was kept).
    """

    alpha: np.ndarray
    eta: float
    phi: np.ndarray = field(repr=False)
    saved: bytes = field(repr=False)
    topic_tokens: np.ndarray | None = field(default=None, repr=False)
    _loaded: Any = field(default=None, repr=False, compare=False)

    @property
    def num_topics(self) -> int:
        """int: K."""
        return len(self.alpha)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_loaded": None}  # the loaded C++ model is rebuilt from `saved`

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update({"topic_tokens": None, **state})  # fits pickled before topic_tokens existed

    def _model(self):
        import tomotopy as tp

        if self._loaded is None:
            self._loaded = tp.LDAModel.loads(self.saved)
        return self._loaded

    def _infer(self, matrix: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Topic shares, log-likelihoods and known tokens of every row (rows without known tokens: the prior mean)."""
        import tomotopy as tp

        mdl = self._model()
        matrix = sp.csr_matrix(matrix)
        theta = np.tile(self.alpha / self.alpha.sum(), (matrix.shape[0], 1))
        loglik = np.zeros(matrix.shape[0])
        known = np.zeros(matrix.shape[0], dtype=np.int64)
        docs, rows = [], []
        present = np.flatnonzero(matrix.getnnz(axis=1))  # tomotopy aborts the process on an empty document
        for row, words in zip(present, _rows_words(matrix, present)):
            doc = mdl.make_doc(words)  # words unknown to the sampler are dropped
            if len(doc.words):
                docs.append(doc)
                rows.append(row)
                known[row] = len(doc.words)
        if docs:
            shares, values = mdl.infer(docs, iterations=INFER_SWEEPS, workers=1, parallel=tp.ParallelScheme.NONE)
            theta[rows] = np.asarray(shares, dtype=np.float64)
            loglik[rows] = np.asarray(values, dtype=np.float64)
        theta /= theta.sum(axis=1, keepdims=True)
        return theta, loglik, known

    def infer_theta(self, matrix: sp.csr_matrix) -> np.ndarray:
        """Every row's topic shares (rows sum to 1) in tomotopy's topic order.

        tomotopy's inference (:data:`INFER_SWEEPS` sweeps, one worker) starts every row's
        sampler from the same fixed generator state: it cannot be seeded, and a row's shares
        depend only on its counts and the model, not on the other rows or on earlier calls
        (checked in the tests). Terms the model was not trained on are skipped; a row with no
        known term gets the prior mean ``alpha / sum(alpha)``.
        """
        return self._infer(matrix)[0]

    def per_word_likelihood(self, matrix: sp.csr_matrix) -> float:
        """tomotopy's log-likelihood of the rows per known token (nats), NaN if none is known.

        The sum over rows of what ``LDAModel.infer`` returns for each (the joint log-likelihood
        of its words and sampled topic assignments given the topics), divided by the rows'
        tokens of terms the model knows. Not comparable with gensim's variational bound.
        """
        _, loglik, known = self._infer(matrix)
        return float(loglik.sum() / known.sum()) if known.sum() else float("nan")


def settled(values: list[float], tol: float | None) -> bool:
    """Whether a chain whose log-likelihood per word was `values` (one per block) has levelled off.

    True when there are at least two windows of :data:`SETTLE_WINDOW_SWEEPS` sweeps and the mean
    of the last window exceeds the mean of the window before by less than `tol` times its
    magnitude (a fall counts as settled: the chain is then only wandering). A Gibbs chain's
    likelihood is noisy from sweep to sweep, so single blocks are not compared. None never
    settles.

    Examples
    --------
    >>> rising = [-8.0 + 0.1 * i for i in range(10)]
    >>> settled(rising, 1e-4), settled([-7.0, -7.001] * 5, 1e-4), settled([-7.0] * 9, 1e-4)
    (False, True, False)
    """
    window = SETTLE_WINDOW_SWEEPS // BLOCK_SWEEPS
    if tol is None or len(values) < 2 * window:
        return False
    before = float(np.mean(values[-2 * window:-window]))
    last = float(np.mean(values[-window:]))
    return last - before < tol * abs(before)


def train_blocks(model: Any, sweeps: int, tol: float | None, *, n_tokens: int) -> list[dict[str, float]]:
    """Train a tomotopy model in blocks of :data:`BLOCK_SWEEPS` until `sweeps` or :func:`settled` by `tol`.

    Returns one row per block: ``pass`` (sweeps done) and ``per_word_bound`` (tomotopy's
    ``ll_per_word`` after the block). Training in blocks gives the model one call with the
    same total gives (checked in the tests), so a fit that stopped after s sweeps is the fit of
    ``sweeps=s, tol=None``. A model of fewer than :data:`SETTLE_MIN_TOKENS` training tokens
    (`n_tokens`) runs every sweep. One worker: tomotopy's parallel samplers are not
    reproducible from the seed alone.
    """
    import tomotopy as tp

    if n_tokens < SETTLE_MIN_TOKENS:
        tol = None
    done, rows = 0, []
    while done < sweeps and not settled([row["per_word_bound"] for row in rows], tol):
        block = min(BLOCK_SWEEPS, sweeps - done)
        model.train(block, workers=1, parallel=tp.ParallelScheme.NONE)
        done += block
        rows.append({"pass": done, "per_word_bound": float(model.ll_per_word)})
    return rows


def train_gibbs(
    matrix: sp.csr_matrix, *, k: int, random_state: int, alpha: Any, eta: Any, sweeps: int, columns: list[str],
    tol: float | None = None,
) -> tuple[GibbsLda, pd.DataFrame]:
    """Fit tomotopy's LDA on the rows of `matrix`; return it with one convergence row per block of sweeps.

    Parameters
    ----------
    matrix : scipy.sparse.csr_matrix
        Counts, units by terms; empty rows are skipped.
    k, random_state : int
        Topics and tomotopy's seed (one worker: the same seed gives the same model bit for bit).
    alpha, eta
        As in :class:`~corpus_tools.topics.LdaSettings` (see :func:`gibbs_priors`).
    sweeps : int
        The most Gibbs sweeps, run in blocks of :data:`BLOCK_SWEEPS` (the model is the one a
        single run of as many sweeps gives: checked in the tests).
    columns : list of str
        The convergence table's columns (:data:`corpus_tools.topics.lda.CONVERGENCE_COLUMNS`).
    tol : float or None, default None
        Stop before `sweeps` once the log-likelihood has levelled off (:func:`settled`); None,
        or fewer than :data:`SETTLE_MIN_TOKENS` tokens in `matrix`, runs every sweep.

    Returns
    -------
    tuple
        The :class:`GibbsLda` and its table: ``pass`` (sweeps done), ``per_word_bound``
        (tomotopy's ``ll_per_word``: the joint log-likelihood of the training words and their
        topic assignments per token, nats), ``perplexity`` (``exp(-per_word_bound)``), every
        other column NaN.
    """
    import tomotopy as tp

    alpha_value, eta_value, learn_alpha = gibbs_priors(alpha, eta, k)
    # tw=ONE and no pruning: the sampler sees exactly the counts of the matrix.
    mdl = tp.LDAModel(tw=tp.TermWeight.ONE, min_cf=0, min_df=0, rm_top=0, k=int(k), alpha=alpha_value,
                      eta=eta_value, seed=int(random_state))
    mdl.optim_interval = 10 if learn_alpha else 0  # tomotopy optimises alpha by default
    matrix = sp.csr_matrix(matrix)
    for words in _rows_words(matrix, np.flatnonzero(matrix.getnnz(axis=1))):
        mdl.add_doc(words)
    table = pd.DataFrame(train_blocks(mdl, sweeps, tol, n_tokens=int(matrix.sum()))).reindex(columns=columns)
    table["pass"] = table["pass"].astype(np.int64)
    table["perplexity"] = np.exp(-table["per_word_bound"])
    n_terms = matrix.shape[1]
    raw = np.full((int(k), n_terms), eta_value, dtype=np.float64)
    used = [int(word) for word in mdl.used_vocabs]
    for topic in range(int(k)):
        raw[topic, used] = np.asarray(mdl.get_topic_word_dist(topic, normalize=False), dtype=np.float64)
    phi = raw / raw.sum(axis=1, keepdims=True)
    model = GibbsLda(alpha=np.asarray(mdl.alpha, dtype=np.float64).reshape(-1) * np.ones(int(k)),
                     eta=float(eta_value), phi=phi, saved=bytes(mdl.saves(full=False)),
                     topic_tokens=np.asarray(mdl.get_count_by_topics(), dtype=np.int64))
    return model, table
