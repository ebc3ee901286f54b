"""The fitted topic model: :class:`TopicModel` and :func:`fit_lda`.

A :class:`TopicModel` holds an LDA (gensim or tomotopy) fitted to a :class:`~corpus_tools.topics.TopicCorpus`
with its topics numbered by prevalence, and turns it into tidy tables: top terms by relevance,
a table per topic with coherence, every unit's topic shares, shares per group and the most
representative units. :func:`fit_lda` fits one, cached on disk (:mod:`corpus_tools.resultcache`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..compat import renamed_parameters
from ..resultcache import CachedCall, cached
from . import lda as fitting
from .lda import LdaSettings, lda_settings
from .measures import COHERENCE_MEASURES, coherence, relevance, top_indices
from .prepare import TopicCorpus

if TYPE_CHECKING:
    from gensim.models import LdaModel

__all__ = ["LABEL_LAMBDA", "LABEL_TERMS", "TopicModel", "fit_lda"]

#: λ used for the short topic labels (Sievert & Shirley 2014 found 0.6 best for interpretation).
LABEL_LAMBDA = 0.6
#: Terms in a topic label.
LABEL_TERMS = 3



@dataclass(frozen=True, eq=False, kw_only=True)
class TopicModel:
    """A fitted LDA model with its corpus, its settings and its topics in a readable order.

    Build with :func:`fit_lda`. Topics are numbered 1..K by prevalence (the share of the
    corpus's tokens they account for), largest first; gensim's own numbering is arbitrary.

    Attributes
    ----------
    lda : gensim.models.LdaModel or corpus_tools.topics.gibbs.GibbsLda
        The fitted model of the settings' ``engine`` (its topic ids are the engine's: see `order`).
    corpus : TopicCorpus
    k, random_state : int
    settings : dict
        The fitting options (:class:`~corpus_tools.topics.LdaSettings` as a dict:
        ``alpha, eta, passes, tol, iterations, chunksize, gamma_threshold, n_jobs, train_units,
        engine, gibbs_sweeps``).
    order : tuple of int
        ``order[i]`` is the engine's topic id of topic ``i + 1``.
    phi : numpy.ndarray of shape (K, V)
        Topic-term probabilities, rows in topic order.
    theta : numpy.ndarray of shape (n_units, K)
        Topic shares of every unit (rows sum to 1), inferred with ``random_state``.
    convergence : pandas.DataFrame
        One row per pass run (tomotopy: per 10 Gibbs sweeps), see :func:`fit_lda`.
    """

    lda: LdaModel
    corpus: TopicCorpus
    k: int
    random_state: int
    settings: dict[str, Any]
    order: tuple[int, ...]
    phi: np.ndarray = field(repr=False)
    theta: np.ndarray = field(repr=False)
    convergence: pd.DataFrame = field(repr=False)

    def __repr__(self) -> str:
        trained = "" if self.n_train_units == self.corpus.n_units else f", trained on {self.n_train_units}"
        return (
            f"TopicModel(K={self.k}, random_state={self.random_state}, {self.corpus.n_units} "
            f"{self.corpus.unit_plural} x {self.corpus.n_terms} terms{trained})"
        )

    @property
    def n_train_units(self) -> int:
        """int: the units the model was trained on: all, or a sample of ``train_units`` (:class:`LdaSettings`)."""
        return min(self.corpus.n_units, self.lda_settings.train_units or self.corpus.n_units)

    @property
    def training_summary(self) -> str:
        """str: one sentence saying which units the topics were learned from, for a report.

        A model fitted on every unit says so; one fitted on a sample names the sample's size
        and seed, and that the topic shares of every unit were inferred from its topics.
        """
        plural = self.corpus.unit_plural
        if self.n_train_units == self.corpus.n_units:
            return f"The topics were learned from all {self.corpus.n_units} {plural}."
        return (
            f"The topics were learned from a random sample of {self.n_train_units} of the {self.corpus.n_units} "
            f"{plural} (train_units, drawn with random_state={self.random_state}); the topic shares of all "
            f"{self.corpus.n_units} were then inferred from them."
        )

    @property
    def engine_summary(self) -> str:
        """str: one sentence saying which engine fitted the model and what its convergence table shows, for a report."""
        settings = self.lda_settings
        if settings.engine == "tomotopy":
            sweeps = int(self.convergence["pass"].iloc[-1]) if len(self.convergence) else settings.gibbs_sweeps
            if settings.gibbs_tol is None or sweeps >= settings.gibbs_sweeps:
                ran = f"{sweeps} sweeps"
            else:
                ran = (f"{sweeps} sweeps, stopped before the most, {settings.gibbs_sweeps}, because its "
                       f"log-likelihood had levelled off (gibbs_tol={settings.gibbs_tol:g})")
            return (
                f"The model was fitted by collapsed Gibbs sampling (tomotopy, {ran}, one worker); the "
                "convergence table has one row per 10 sweeps with the sampler's log-likelihood per word, which "
                "should level off."
            )
        return (
            f"The model was fitted by variational Bayes (gensim, at most {settings.passes} passes, stopping when "
            "the per-word bound settles); the convergence table has one row per pass with the bound, the change "
            "of the topics and the share of units whose E-step converged."
        )

    # -- basic quantities -----------------------------------------------------------------------

    @property
    def term_prob(self) -> np.ndarray:
        """numpy.ndarray: the model's marginal probability of each term (the p of :func:`relevance`).

        ``p(w) = Σ_k prevalence_k · φ[k, w]``: the share of all tokens the model expects to be
        ``w``. This is the p(w) of LDAvis and pyLDAvis (which compute it from the model
        whatever term frequencies they are given), so the relevance in :meth:`terms`, the
        labels and the topic browser rank terms identically. It differs from the term's
        share of the corpus's tokens mainly for rare terms, whose φ the prior smooths; with
        it, no topic's expected count of a term (``topic_count``) exceeds the term's total.
        """
        marginal = self.prevalence @ self.phi
        return marginal / marginal.sum()

    @property
    def unit_tokens(self) -> np.ndarray:
        """numpy.ndarray: tokens per unit that the model saw."""
        return np.asarray(self.corpus.dtm.matrix.sum(axis=1), dtype=np.float64).ravel()

    @property
    def prevalence(self) -> np.ndarray:
        """numpy.ndarray: each topic's share of all tokens (topic shares weighted by unit length)."""
        weights = self.unit_tokens
        return (self.theta * weights[:, np.newaxis]).sum(axis=0) / weights.sum()

    @property
    def alpha(self) -> np.ndarray:
        """numpy.ndarray: the document-topic prior per topic (learned when ``alpha="auto"``)."""
        return fitting.fitted_alpha(self.lda)[list(self.order)]

    @property
    def labels(self) -> pd.Series:
        """pandas.Series: ``"1 红色·资源·革命"``-style labels, index ``topic`` (1..K).

        The top :data:`LABEL_TERMS` terms by relevance at λ = :data:`LABEL_LAMBDA`.
        """
        top = top_indices(relevance(self.phi, self.term_prob, LABEL_LAMBDA), LABEL_TERMS)
        terms = np.asarray(self.corpus.dtm.terms, dtype=object)
        labels = [f"{i + 1} " + "·".join(terms[row]) for i, row in enumerate(top)]
        return pd.Series(labels, index=pd.RangeIndex(1, self.k + 1, name="topic"), name="label")

    def top_terms(self, n: int = 10) -> list[list[str]]:
        """Return the `n` most probable terms of each topic (λ = 1), in topic order."""
        terms = np.asarray(self.corpus.dtm.terms, dtype=object)
        return [terms[row].tolist() for row in top_indices(self.phi, n)]

    # -- tables ---------------------------------------------------------------------------------

    def terms(self, n: int = 10, *, lambda_: float = LABEL_LAMBDA) -> pd.DataFrame:
        """Return the top terms of every topic, ranked by relevance.

        Parameters
        ----------
        n : int, default 10
            Terms per topic.
        lambda_ : float, default 0.6
            λ of :func:`relevance`: 1 ranks by probability in the topic, lower values favour
            terms specific to the topic.

        Returns
        -------
        pandas.DataFrame
            One row per (topic, term): ``topic`` (1..K), ``label``, ``rank`` (1..n),
            ``term``, ``weight`` (φ, the term's probability in the topic), ``lift``
            (φ divided by the term's marginal probability :attr:`term_prob`, the same p(w)
            as the topic browser), ``relevance`` (natural-log scale),
            ``lambda``, ``corpus_count`` (the term's count in all units) and
            ``topic_count`` (the expected number of the term's tokens assigned to the topic:
            φ × the topic's expected token total).
        """
        if int(n) != n or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}")
        n = min(int(n), self.corpus.n_terms)
        p = self.term_prob
        scores = relevance(self.phi, p, lambda_)
        top = top_indices(scores, n)
        terms = np.asarray(self.corpus.dtm.terms, dtype=object)
        counts = np.asarray(self.corpus.dtm.matrix.sum(axis=0), dtype=np.int64).ravel()
        topic_tokens = (self.theta * self.unit_tokens[:, np.newaxis]).sum(axis=0)
        labels = self.labels
        pieces = []
        for i, columns in enumerate(top):
            weight = self.phi[i, columns]
            pieces.append(
                pd.DataFrame(
                    {
                        "topic": i + 1,
                        "label": labels.iloc[i],
                        "rank": np.arange(1, len(columns) + 1),
                        "term": terms[columns],
                        "weight": weight,
                        "lift": weight / p[columns],
                        "relevance": scores[i, columns],
                        "lambda": float(lambda_),
                        "corpus_count": counts[columns],
                        "topic_count": weight * topic_tokens[i],
                    }
                )
            )
        return pd.concat(pieces, ignore_index=True)

    @property
    def lda_settings(self) -> LdaSettings:
        """LdaSettings: the fitting options, as an object (refits pass it on)."""
        # A tomotopy fit recorded before gibbs_tol existed ran all of its sweeps.
        return LdaSettings(**{"gibbs_tol": None, **self.settings})

    @renamed_parameters(n_terms="n")
    def topic_table(self, *, n: int = 10, lambda_: float = LABEL_LAMBDA) -> pd.DataFrame:
        """Return one row per topic: size, prior, coherence and top terms.

        Returns
        -------
        pandas.DataFrame
            ``topic, label, prevalence`` (share of all tokens), ``n_units_dominant`` (units
            whose largest share is this topic), ``alpha`` (the prior), ``c_v`` and ``c_npmi``
            (coherence of the topic's `n` most probable terms on the corpus's token
            lists) and ``top_terms`` (the `n` most relevant terms at `lambda_`,
            space-separated).
        """
        scores = coherence(self.top_terms(n), self.corpus, measures=COHERENCE_MEASURES)
        terms = self.terms(n, lambda_=lambda_)
        joined = terms.groupby("topic", sort=True)["term"].agg(" ".join)
        dominant = np.bincount(self.theta.argmax(axis=1), minlength=self.k)
        return pd.DataFrame(
            {
                "topic": np.arange(1, self.k + 1),
                "label": self.labels.to_numpy(),
                "prevalence": self.prevalence,
                "n_units_dominant": dominant,
                "alpha": self.alpha,
                **{measure: values for measure, values in scores.items()},
                "top_terms": joined.reindex(range(1, self.k + 1)).to_numpy(),
            }
        )

    def _docvar_columns(self, docvars: Sequence[str]) -> list[str]:
        available = self.corpus.dtm.docvars.columns
        missing = [name for name in docvars if name not in available]
        if missing:
            raise KeyError(f"no docvar(s) {missing}; available: {list(available)}")
        own = [c for c in ("doc_id", "para_no", "sent_no", "window_no") if c in available]
        return own + [name for name in docvars if name not in own]

    def doc_topics(self, *, docvars: Sequence[str] = ("group",)) -> pd.DataFrame:
        """Return every unit's topic shares with its docvars, one row per (unit, topic).

        Parameters
        ----------
        docvars : sequence of str, default ("group",)
            Docvars to carry besides ``doc_id`` and the unit's position columns; ``"group"``
            is skipped when the corpus has no such docvar (it is set by
            ``open_corpus(by=...)``), any other missing name is a KeyError.

        Returns
        -------
        pandas.DataFrame
            ``unit_id, doc_id`` (and ``para_no``/``sent_no``/``window_no`` as the unit has
            them), the requested docvars, ``n_model_tokens``, ``topic``, ``label``, ``share``
            (θ: the unit's share of the topic, summing to 1 over topics) and ``dominant``
            (True for the unit's largest share). Units in corpus order, topics 1..K.
        """
        columns = self._docvar_columns([d for d in docvars if d != "group" or "group" in self.corpus.dtm.docvars])
        info = self.corpus.dtm.docvars[columns].copy()
        info["n_model_tokens"] = self.unit_tokens.astype(np.int64)
        n_units = len(info)
        table = info.loc[info.index.repeat(self.k)].reset_index()
        table["topic"] = np.tile(np.arange(1, self.k + 1), n_units)
        table["label"] = np.tile(self.labels.to_numpy(), n_units)
        table["share"] = self.theta.ravel()
        table["dominant"] = (self.theta == self.theta.max(axis=1, keepdims=True)).ravel()
        return table

    def group_shares(self, by: str = "group") -> pd.DataFrame:
        """Return the topic shares of every group of units (e.g. each district).

        Parameters
        ----------
        by : str, default "group"
            A unit docvar: ``group`` (set by ``open_corpus(by=...)``), ``district``,
            ``doc_id`` …

        Returns
        -------
        pandas.DataFrame
            One row per (group, topic): ``group`` (named `by` when not ``"group"``), ``topic``,
            ``label``, ``n_units``, ``n_tokens`` (tokens the model saw in the group),
            ``share`` (the group's tokens assigned to the topic, as a share of its tokens:
            the rows of a group sum to 1), ``mean_unit_share`` (the unweighted mean of its
            units' shares) and ``ratio_to_corpus`` (``share`` divided by the topic's
            prevalence in the whole corpus; above 1 means over-represented).
            Groups in sorted order, topics 1..K.
        """
        # The package's one grouping rule, so that groups (and the warning about rows without a
        # group) are those of DocTermMatrix.group.
        keys = self.corpus.dtm.group_labels(by)
        codes, uniques = pd.factorize(keys, sort=True)
        weights = self.unit_tokens
        n_groups = len(uniques)
        indicator = sp.csr_matrix(
            (np.ones(len(codes)), (codes, np.arange(len(codes)))), shape=(n_groups, len(codes))
        )
        tokens_per_group = indicator @ weights
        weighted = indicator @ (self.theta * weights[:, np.newaxis])
        n_units = np.bincount(codes, minlength=n_groups)
        mean_share = (indicator @ self.theta) / n_units[:, np.newaxis]
        share = weighted / tokens_per_group[:, np.newaxis]
        table = pd.DataFrame(
            {
                by: np.repeat(np.asarray(uniques, dtype=object), self.k),
                "topic": np.tile(np.arange(1, self.k + 1), n_groups),
                "label": np.tile(self.labels.to_numpy(), n_groups),
                "n_units": np.repeat(n_units, self.k),
                "n_tokens": np.repeat(tokens_per_group.astype(np.int64), self.k),
                "share": share.ravel(),
                "mean_unit_share": mean_share.ravel(),
                "ratio_to_corpus": (share / self.prevalence[np.newaxis, :]).ravel(),
            }
        )
        return table

    def representative(
        self,
        n: int = 3,
        *,
        min_tokens: int = 5,
        excerpt_chars: int | None = 120,
        docvars: Sequence[str] = ("group",),
    ) -> pd.DataFrame:
        """Return the units with the largest share of each topic, with an excerpt.

        Parameters
        ----------
        n : int, default 3
            Units per topic.
        min_tokens : int, default 5
            Consider only units with at least this many model tokens: a unit of three tokens
            can be 95 % one topic without being typical of anything.
        excerpt_chars : int or None, default 120
            Cut the text to this many characters (adding "…"); None keeps the whole text.
        docvars : sequence of str, default ("group",)

        Returns
        -------
        pandas.DataFrame
            ``topic, label, rank, unit_id, doc_id`` (and position columns), the docvars,
            ``share`` (the unit's share of the topic), ``n_model_tokens`` and ``excerpt``.
            Ties in share are broken by unit order.
        """
        if int(n) != n or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}")
        columns = self._docvar_columns([d for d in docvars if d != "group" or "group" in self.corpus.dtm.docvars])
        info = self.corpus.dtm.docvars[columns]
        eligible = np.flatnonzero(self.unit_tokens >= min_tokens)
        if len(eligible) == 0:
            eligible = np.arange(self.corpus.n_units)
        texts = self.corpus.texts.to_numpy(dtype=object)
        labels = self.labels
        pieces = []
        for i in range(self.k):
            shares = self.theta[eligible, i]
            order = eligible[np.lexsort((eligible, -shares))][:n]
            piece = info.iloc[order].reset_index()
            piece.insert(0, "rank", np.arange(1, len(order) + 1))
            piece.insert(0, "label", labels.iloc[i])
            piece.insert(0, "topic", i + 1)
            piece["share"] = self.theta[order, i]
            piece["n_model_tokens"] = self.unit_tokens[order].astype(np.int64)
            piece["excerpt"] = [_excerpt(str(t), excerpt_chars) for t in texts[order]]
            pieces.append(piece)
        return pd.concat(pieces, ignore_index=True)


def _excerpt(text: str, n_chars: int | None) -> str:
    if n_chars is None or len(text) <= n_chars:
        return text
    return text[:n_chars] + "…"


def fit_lda(
    tc: TopicCorpus,
    *,
    k: int,
    random_state: int,
    settings: LdaSettings | None = None,
    track_bound: bool = True,
    cache: bool | str | os.PathLike[str] = True,
    **options: Any,
) -> TopicModel:
    """Fit an LDA model with K topics to a topic corpus and infer the topic shares of every unit.

    Parameters
    ----------
    tc : TopicCorpus
    k : int
        Number of topics (at least 2, fewer than the units and the terms).
    random_state : int
        Seed of the engine's generator (gensim: topic initialisation and every E-step, and the
        inference of the reported topic shares; tomotopy: the sampler).
    settings : LdaSettings, optional
        The fitting options (priors, passes, `tol`, iterations, chunks, processes); default
        ``LdaSettings()``, whose fields document them.
    **options
        Fields of :class:`~corpus_tools.topics.LdaSettings` (``alpha``, ``eta``, ``passes``,
        ``tol``, ``iterations``, ``chunksize``, ``gamma_threshold``, ``n_jobs``,
        ``train_units``, ``engine``, ``gibbs_sweeps``) that replace those of `settings`, e.g.
        ``fit_lda(tc, k=5, random_state=1, passes=80)``. With more units than ``train_units``
        (default 20,000) the model is trained on a seeded sample of them and every unit's
        topic shares are inferred from it (:attr:`TopicModel.training_summary` says which).
    track_bound : bool, default True
        Compute the training corpus's per-word bound after every pass (one extra E-step per
        pass; one process only).
    cache : bool or path, default True
        Keep the fitted model on disk (:mod:`corpus_tools.resultcache`), keyed by the corpus,
        K, the seed and every setting, and load it instead of refitting next time; ``False``
        always fits. gensim fits in more than one process are never cached (they are not
        reproducible); tomotopy fits always are.

    Returns
    -------
    TopicModel
        ``convergence`` has one row per pass run (with ``engine="tomotopy"``: one row per 10
        Gibbs sweeps, ``pass`` the sweeps done, ``per_word_bound`` tomotopy's log-likelihood
        per word, not comparable with gensim's bound, ``perplexity`` its ``exp(-)``, the other
        columns NaN): ``pass`` (1-based), ``n_updates`` (M-steps in
        the pass), ``topic_diff`` (mean absolute change of the log topic-term weights in the
        pass's last update: it falls towards 0 as the topics settle), ``rho`` (the update's
        learning rate), ``units_converged`` and ``units_inferred`` (units whose E-step met
        `gamma_threshold` within `iterations`, and all units processed), ``converged_share``,
        ``per_word_bound`` (gensim's variational lower bound (ELBO) of the log likelihood of
        the training units, with their topic shares re-inferred, including the topic-term prior
        term once, divided by the training tokens: nats per token, higher is better; on a
        corpus of more than 1,000 units (``BOUND_UNITS``), of a fixed sample of 1,000 of them
        drawn with `random_state`, since each bound costs a pass over its units; NaN when
        neither `track_bound` nor `tol` asks for it), ``bound_rel_change`` (its relative change
        since the pass before, what `tol` is compared with) and
        ``perplexity`` (``exp(-per_word_bound)``, an upper bound of the per-token perplexity;
        lower is better; gensim's own log line prints ``2 ** -bound``, which is wrong for a
        bound in nats).

    Raises
    ------
    TopicInputError
        If K is below 2 or not below the number of units or terms.
    ValueError
        If ``alpha="auto"`` is combined with more than one process (``n_jobs``).

    Notes
    -----
    Convergence figures are read from gensim's own log records while it trains (its
    ``topic diff=`` and ``documents converged`` lines), not by re-running anything. The bound
    is computed with a separate generator, so tracking it does not change the fit.

    With ``n_jobs > 1`` the table shows the M-steps that actually happened: gensim 4.4's
    ``LdaMulticore`` skips a pass's update when the pass's last result is merged before the
    pass ends (seen on small corpora on a busy machine), which shows as ``n_updates`` 0. On
    the 2-core machines of this project one process is also faster
    (``benchmarks/topics_scaling.py``); more processes pay off with more cores.
    """
    settings = lda_settings(settings, options, caller="fit_lda")
    fitting.check_k(k, len(fitting.sample_rows(tc.n_units, settings.train_units, random_state)), tc.n_terms,
                    plural=tc.unit_plural)
    lda, convergence, order, phi, theta = _fit_call(tc, k=k, random_state=random_state, settings=settings,
                                                    track_bound=track_bound, cache=cache)()
    return TopicModel(lda=lda, corpus=tc, k=int(k), random_state=random_state, settings=settings.to_dict(),
                      order=order, phi=phi, theta=theta, convergence=convergence)


def _fit_call(tc: TopicCorpus, *, k: int, random_state: int, settings: LdaSettings, track_bound: bool,
              cache: bool | str | os.PathLike[str]) -> CachedCall:
    """A fit of :func:`fit_lda` (`settings` an :class:`LdaSettings`) as a cached call."""
    # Several processes finish chunks in varying order: such a fit is not a function of its
    # arguments, so it is never cached.
    fit = cached(_fit_counts, cache if settings.reproducible else False)
    # Keyed on the counts and terms alone, which are all a fit depends on: not on the topic
    # corpus's docvars, whose in-memory layout (Arrow string chunks, what lies under missing
    # values) differs between a corpus read afresh and the same corpus loaded from the store,
    # so notebook 03 reuses the fits of notebook 01.
    return CachedCall(fit, (tc.dtm.matrix, tc.dtm.terms), {"k": int(k), "random_state": random_state,
                                                           "settings": settings, "track_bound": track_bound})


def _fit_counts(
    matrix: sp.csr_matrix, terms: tuple[str, ...], *, k: int, random_state: int, settings: LdaSettings,
    track_bound: bool,
) -> tuple[Any, pd.DataFrame, tuple[int, ...], np.ndarray, np.ndarray]:
    # The result cache keys on this function's code: models cached before the convergence
    # table's perplexity became exp(-bound) (it was 2 ** -bound) are not reused.
    rows = fitting.sample_rows(matrix.shape[0], settings.train_units, random_state)
    training = matrix if len(rows) == matrix.shape[0] else matrix[rows]
    lda, convergence = fitting.train(training, terms, k=int(k), random_state=random_state,
                                     settings=settings, track_bound=track_bound)
    fitting.log_fit(f"LDA K={k} random_state={random_state}", convergence)
    # Every unit's shares, the sample's and the rest's, come from one inference with the
    # trained topics, so they are alike whether a unit was in the sample or not.
    theta_raw, order, phi = fitting.ordered_topics(lda, matrix, seed=random_state, chunksize=settings.chunksize)
    return lda, convergence, tuple(int(i) for i in order), phi, theta_raw[:, order]
