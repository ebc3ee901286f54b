"""Choosing the number of topics: a K sweep scored by coherence and held-out perplexity, and a stated rule.

:func:`sweep_k` fits a model for every K on a seeded sample of units (part held out) and scores
it; :func:`choose_k` applies a rule (mean z-score of ``c_v`` and ``c_npmi`` by default) or takes
the K given, and says why in one sentence.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..compat import renamed_parameters
from ..resultcache import CachedCall, cached
from . import lda as fitting
from .lda import DEFAULT_SAMPLE_UNITS, LdaSettings, lda_settings
from .measures import COHERENCE_MEASURES, coherence, top_indices
from .prepare import TopicCorpus, TopicCorpusTooSmall, TopicInputError

__all__ = ["K_RULES", "KChoice", "KRule", "KSweep", "choose_k", "min_sweep_units", "sweep_k"]

logger = logging.getLogger(__name__)

KRule = Literal["coherence", "c_v", "c_npmi", "perplexity"]



@dataclass(frozen=True, eq=False)
class KSweep:
    """Scores of every K tried by :func:`sweep_k`.

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per K: ``k``, ``n_corpus_units`` (all units of the topic corpus),
        ``n_sampled_units`` (the units the sweep used: all of them, or a sample of
        `sample_units`), ``n_train_units`` and ``n_heldout_units`` (the sample's split),
        ``n_passes`` (passes run before the bound converged or `passes` was reached; with
        ``engine="tomotopy"`` the Gibbs sweeps),
        ``c_v``, ``c_npmi``
        (mean coherence of the K topics' top terms), ``c_v_min`` (the least coherent
        topic's c_v), ``heldout_per_word_bound`` (the variational lower bound of the held-out
        units' log likelihood, nats per held-out token, see Notes) and ``heldout_perplexity``
        (``exp(-heldout_per_word_bound)``; NaN when none are held out), ``last_topic_diff`` and ``converged_share`` (from
        the last training pass).
    convergence : pandas.DataFrame
        The per-pass table of every fit (see :func:`~corpus_tools.topics.fit_lda`) with a leading ``k`` column.
    heldout : tuple of str
        The held-out ``unit_id`` values.
    settings : dict
        The arguments of the sweep.
    sample : tuple of str
        The ``unit_id`` values of the units the sweep used (training and held-out); every
        unit when the corpus has no more than `sample_units`.
    """

    scores: pd.DataFrame
    convergence: pd.DataFrame
    heldout: tuple[str, ...]
    settings: dict[str, Any]
    sample: tuple[str, ...] = ()


def _n_heldout(n_units: int, heldout_prop: float) -> int:
    n_heldout = int(round(heldout_prop * n_units))
    if heldout_prop > 0 and n_heldout == 0:
        n_heldout = 1
    return n_heldout


def _heldout_rows(n_units: int, heldout_prop: float, random_state: int) -> np.ndarray:
    generator = np.random.default_rng(random_state)
    return np.sort(generator.permutation(n_units)[: _n_heldout(n_units, heldout_prop)])


def min_sweep_units(ks: Sequence[int], heldout_prop: float) -> int:
    """The fewest units on which :func:`sweep_k` can try every K in `ks`.

    The held-out split must leave at least two units out (unless `heldout_prop` is 0) and more
    units than the largest K for training (as :func:`~corpus_tools.topics.fit_lda` requires).

    Parameters
    ----------
    ks : sequence of int
        The Ks the sweep tries.
    heldout_prop : float
        As in :func:`sweep_k`: the share of units held out, in [0, 1).

    Returns
    -------
    int
        A count of units (of the sample the sweep uses).

    Examples
    --------
    >>> min_sweep_units([3, 4, 5, 6, 7, 8], 0.2)  # 11 units: 2 held out, 9 to fit K = 8
    11
    >>> min_sweep_units([2, 3], 0)
    4
    """
    if not 0.0 <= heldout_prop < 1.0:
        raise ValueError(f"heldout_prop is a share in [0, 1), got {heldout_prop!r}")
    largest = max(int(k) for k in ks)
    n_units = largest + 1
    while True:  # ends: the training part grows by at least one unit every few steps
        n_heldout = _n_heldout(n_units, heldout_prop)
        if n_units - n_heldout > largest and (heldout_prop == 0 or n_heldout >= 2):
            return n_units
        n_units += 1


def _score_k(
    tc: TopicCorpus, train: np.ndarray, heldout: np.ndarray, *, k: int, random_state: int, n: int,
    settings: LdaSettings, content_key: str,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Fit one K of a sweep on the training rows; score coherence and held-out perplexity.

    The result cache keys it on ``content_key`` (:attr:`TopicCorpus.content_key`) instead of `tc`.
    """
    # Coherence from exact window counts (window_counts), not gensim's accumulator; a change
    # here re-keys the result cache, so sweeps cached with the old counts are not reused.
    lda, table = fitting.train(tc.dtm.matrix[train], tc.dtm.terms, k=k, random_state=random_state,
                               settings=settings, track_bound=False)
    # The reference texts of coherence are the units the sweep sampled (all units up to
    # `sample_units`), so its cost too is bounded on a large corpus.
    sampled = np.union1d(train, heldout)
    reference = tc if len(sampled) == tc.n_units else tc.subset(sampled)
    phi = fitting.topic_term(lda)
    terms = np.asarray(tc.dtm.terms, dtype=object)
    top_terms = [terms[row].tolist() for row in top_indices(phi, n)]
    scores = coherence(top_terms, reference, measures=COHERENCE_MEASURES)
    bound = fitting.per_word_bound(lda, tc.dtm.matrix[heldout], seed=random_state) if len(heldout) else np.nan
    last = table.iloc[-1]
    row = {
        "k": k,
        "n_corpus_units": tc.n_units,
        "n_sampled_units": len(sampled),
        "n_train_units": len(train),
        "n_heldout_units": len(heldout),
        "n_passes": int(table["pass"].iloc[-1]),
        "c_v": scores["c_v"].mean(),
        "c_npmi": scores["c_npmi"].mean(),
        "c_v_min": scores["c_v"].min(),
        "heldout_per_word_bound": bound,
        "heldout_perplexity": np.exp(-bound),  # the bound is in nats
        "last_topic_diff": last["topic_diff"],
        "converged_share": last["converged_share"],
    }
    return row, table


@dataclass(frozen=True)
class _SweepFits:
    """What every fit of a sweep reads (handed once to each worker process)."""

    tc: TopicCorpus
    train: np.ndarray
    heldout: np.ndarray
    random_state: int
    n: int
    settings: LdaSettings
    cache: bool | str | os.PathLike[str]


def _sweep_call(shared: _SweepFits, k: int) -> CachedCall:
    """One fit of the K sweep as a cached call."""
    score_k = cached(_score_k, shared.cache, ignore=("tc",))
    return CachedCall(score_k, (shared.tc, shared.train, shared.heldout), {
        "k": k, "random_state": shared.random_state, "n": shared.n, "settings": shared.settings,
        "content_key": shared.tc.content_key})


def _sweep_fit(shared: _SweepFits, k: int) -> tuple[dict[str, Any], pd.DataFrame]:
    return _sweep_call(shared, k)()


def _sweep_fit_is_cached(shared: _SweepFits, k: int) -> bool:
    return _sweep_call(shared, k).is_cached()


@renamed_parameters(topn="n")
def sweep_k(
    tc: TopicCorpus,
    *,
    ks: Sequence[int],
    random_state: int,
    heldout_prop: float = 0.2,
    sample_units: int | None = DEFAULT_SAMPLE_UNITS,
    n: int = 10,
    settings: LdaSettings | None = None,
    progress: bool = True,
    cache: bool | str | os.PathLike[str] = True,
    **options: Any,
) -> KSweep:
    """Fit a model for every K in `ks` and score it by coherence and held-out perplexity.

    Parameters
    ----------
    tc : TopicCorpus
    ks : sequence of int
        The numbers of topics to try, e.g. ``range(3, 9)``.
    random_state : int
        Seeds the sample, the held-out split and every fit.
    heldout_prop : float, default 0.2
        Share of the sampled units held out (drawn with `random_state`) for perplexity; the
        models are fitted on the rest. 0 fits on every sampled unit and leaves the perplexity
        columns empty.
    sample_units : int or None, default 5000
        The sweep uses a simple random sample of this many units (drawn with
        `random_state`, the same every run) when the corpus has more; a corpus of at most
        this many units is used whole, and None always uses every unit. The sample is also
        the reference corpus of coherence. Choosing K needs the models' relative quality,
        which a few thousand units show; :func:`~corpus_tools.topics.fit_lda` then fits the
        chosen K on every unit (or on a larger sample, its ``train_units``). ``scores``
        records ``n_corpus_units`` and ``n_sampled_units``.
    n : int, default 10
        Top terms per topic scored for coherence.
    settings : LdaSettings, optional
        The fitting options of every fit, as in :func:`~corpus_tools.topics.fit_lda`. Its
        ``n_jobs`` is how many processes share the fits, each fitted in one process
        (:func:`~corpus_tools.topics.lda.map_fits`): ``None`` decides by size, ``-1`` every
        core. The scores are the same for any ``n_jobs``.
    **options
        Fields of :class:`~corpus_tools.topics.LdaSettings` that replace those of `settings`.
    progress : bool, default True
        Show progress (:func:`corpus_tools.progress.progress`: a bar in JupyterLab, log lines
        in headless runs).
        Each K is also logged at INFO level on the ``corpus_tools.topics.select`` logger.
    cache : bool or path, default True
        Keep each K's scores on disk (:mod:`corpus_tools.resultcache`), keyed by the corpus,
        the held-out split, K and every setting, so re-running a report does not refit
        unchanged models. The result is the same either way; ``False`` always refits.

    Returns
    -------
    KSweep

    Raises
    ------
    TopicCorpusTooSmall
        If a K is too large for the units left for training in a corpus that is used whole
        (a :class:`~corpus_tools.topics.TopicInputError`; :func:`min_sweep_units` says how many
        units the sweep needs).
    TopicInputError
        If a K is too large for the terms or for a sample of `sample_units`, or the held-out
        share leaves too few units on either side.

    Notes
    -----
    Coherence is measured with :func:`~corpus_tools.topics.coherence` (gensim's ``CoherenceModel`` pipeline on exact
    sliding-window counts) on the token lists of the sampled units (the reference corpus): ``c_v``
    (Röder, Both & Hinneburg 2015; boolean sliding windows of 110 tokens, NPMI of the top
    terms against their whole set, cosine-aggregated) and
    ``c_npmi`` (mean normalised pointwise mutual information of term pairs in windows of 10
    tokens; Bouma 2009, Aletras & Stevenson 2013). Both use the topics' `n` most
    probable terms. Held-out perplexity is ``exp(-bound)``, where the bound is gensim's
    ``LdaModel.bound`` on the held-out units divided by their token count: a variational lower
    bound (ELBO) of their log likelihood in nats per token, whose topic shares are inferred
    from the held-out units themselves (not document completion) and which includes the
    topic-term prior term once (as gensim's ``log_perplexity`` with the held-out units as
    the whole corpus). The perplexity is therefore an upper bound of the true one;
    on a small corpus it often keeps falling or rises with K, so it is reported, not used
    by the default rule (:func:`choose_k`).

    With ``engine="tomotopy"`` the held-out figure is tomotopy's log-likelihood of the held-out
    units per known token (:func:`~corpus_tools.topics.lda.per_word_bound`), and
    ``last_topic_diff`` and ``converged_share`` are NaN: held-out perplexities are comparable
    across K within one engine, never across engines.
    """
    ks = [int(k) for k in ks]
    if not ks:
        raise ValueError("ks is empty: give at least one number of topics")
    if len(set(ks)) != len(ks):
        raise ValueError(f"ks has repeated values: {ks}")
    if not 0.0 <= heldout_prop < 1.0:
        raise ValueError(f"heldout_prop is a share in [0, 1), got {heldout_prop!r}")
    if int(n) != n or n < 2:
        raise ValueError(f"n (top terms per topic) must be an integer of at least 2, got {n!r}")
    if n > tc.n_terms:
        raise TopicInputError(f"n={n} top terms is more than the vocabulary ({tc.n_terms} terms): lower n")
    settings = lda_settings(settings, options, caller="sweep_k")

    fitting.check_sample_units(sample_units)
    sample = fitting.sample_rows(tc.n_units, sample_units, random_state)
    heldout = sample[_heldout_rows(len(sample), heldout_prop, random_state)]
    train = np.setdiff1d(sample, heldout)
    if heldout_prop > 0 and len(heldout) < 2:
        raise TopicInputError(
            f"heldout_prop={heldout_prop} holds out only {len(heldout)} of {len(sample)} {tc.unit_plural}: "
            "raise heldout_prop, use a finer unit, or set heldout_prop=0 to skip held-out perplexity"
        )
    for k in ks:
        try:
            fitting.check_k(k, len(train), tc.n_terms, plural=tc.unit_plural)
        except TopicInputError as error:
            detail = (f"{error} (after holding out {len(heldout)} of {len(sample)} {tc.unit_plural} with "
                      f"heldout_prop={heldout_prop}; the largest K tried is {max(ks)})")
            if int(k) == k and k >= max(2, len(train)) and len(sample) == tc.n_units:
                # Too few training units (check_k's first test) in the whole corpus: more units would do.
                needed = min_sweep_units(ks, heldout_prop)
                raise TopicCorpusTooSmall(
                    f"{detail}; the sweep needs at least {needed} {tc.unit_plural}",
                    n_units=tc.n_units, min_units=needed, unit_plural=tc.unit_plural, stage="sweep",
                ) from None
            raise TopicInputError(detail) from None

    shared = _SweepFits(tc, train, heldout, random_state=random_state, n=n, settings=settings.one_process,
                        cache=cache)
    # Largest K first: a pass costs about K times the units, so the costliest fits start first
    # and the last one to finish is a cheap one (the results are put back in the order of ks).
    largest_first = sorted(ks, reverse=True)
    fitted = dict(zip(largest_first, fitting.map_fits(
        _sweep_fit, largest_first, shared=shared, settings=settings, tokens=int(tc.dtm.matrix[train].sum()),
        desc="K sweep", unit="K", progress=progress, is_cached=_sweep_fit_is_cached)))
    rows, convergence = [], []
    for k in ks:
        row, table = fitted[k]
        rows.append(row)
        convergence.append(table.assign(k=k))
        logger.info(
            "K=%d: c_v=%.3f c_npmi=%.3f held-out perplexity=%.1f", k, row["c_v"], row["c_npmi"],
            row["heldout_perplexity"],
        )
        fitting.log_fit(f"sweep K={k}", table)
    conv = pd.concat(convergence, ignore_index=True)
    conv = conv[["k", *[c for c in conv.columns if c != "k"]]]
    return KSweep(
        scores=pd.DataFrame(rows),
        convergence=conv,
        heldout=tuple(tc.dtm.docvars.index[heldout]),
        settings=dict(ks=ks, random_state=random_state, heldout_prop=heldout_prop, sample_units=sample_units, n=n,
                      **settings.to_dict()),
        sample=tuple(tc.dtm.docvars.index[sample]),
    )


@dataclass(frozen=True, eq=False)
class KChoice:
    """The K chosen from a sweep, the rule and the reason.

    Attributes
    ----------
    k : int
        The chosen number of topics.
    rule : str
        The rule applied (one of :data:`K_RULES`), also when `k` was set by hand.
    reason : str
        One sentence for the report, e.g. ``"K=5: the highest mean of standardised c_v and
        c_npmi (0.91) of K = 3..8."``
    table : pandas.DataFrame
        The sweep's scores plus ``c_v_z`` and ``c_npmi_z`` (standardised over the Ks tried),
        ``score`` (what the rule maximises) and ``chosen``.
    """

    k: int
    rule: str
    reason: str
    table: pd.DataFrame


_RULE_TEXT = {
    "coherence": "the highest mean of standardised c_v and c_npmi",
    "c_v": "the highest mean c_v coherence",
    "c_npmi": "the highest mean c_npmi coherence",
    "perplexity": "the lowest held-out perplexity",
}
#: The rules :func:`choose_k` applies.
K_RULES: tuple[str, ...] = tuple(_RULE_TEXT)


def _zscore(values: pd.Series) -> pd.Series:
    spread = values.std(ddof=0)
    if not np.isfinite(spread) or spread == 0:
        return pd.Series(0.0, index=values.index)
    return (values - values.mean()) / spread


def choose_k(sweep: KSweep, *, k: int | None = None, rule: KRule = "coherence") -> KChoice:
    """Choose the number of topics from a sweep by a stated rule, or take the one given.

    Parameters
    ----------
    sweep : KSweep
    k : int, optional
        None applies `rule`; an integer overrides it (it need not be among the Ks swept).
    rule : {"coherence", "c_v", "c_npmi", "perplexity"}, default "coherence"
        ``"coherence"``: the K with the highest mean of the z-scores of ``c_v`` and
        ``c_npmi`` across the Ks tried (the two measures have different scales; standardising
        weighs them equally). ``"c_v"``/``"c_npmi"``: the highest of that measure.
        ``"perplexity"``: the lowest held-out perplexity. Ties go to the smaller K.

    Returns
    -------
    KChoice

    Examples
    --------
    >>> scores = pd.DataFrame({"k": [3, 4, 5], "c_v": [0.40, 0.46, 0.44], "c_npmi": [-0.05, 0.02, 0.00],
    ...                        "heldout_perplexity": [300.0, 280.0, 290.0]})
    >>> choice = choose_k(KSweep(scores, pd.DataFrame(), (), {}))
    >>> choice.k, choice.table["chosen"].tolist()
    (4, [False, True, False])
    >>> choose_k(KSweep(scores, pd.DataFrame(), (), {}), k=5).reason
    'K=5 was set by the parameter k; the rule (the highest mean of standardised c_v and c_npmi) would choose K=4.'
    """
    if rule not in _RULE_TEXT:
        raise ValueError(f"rule must be one of {sorted(_RULE_TEXT)}, got {rule!r}")
    table = sweep.scores.copy()
    table["c_v_z"] = _zscore(table["c_v"])
    table["c_npmi_z"] = _zscore(table["c_npmi"])
    if rule == "coherence":
        table["score"] = (table["c_v_z"] + table["c_npmi_z"]) / 2
    elif rule == "perplexity":
        if table["heldout_perplexity"].isna().all():
            raise ValueError("rule='perplexity' needs held-out units: sweep with heldout_prop > 0")
        table["score"] = -table["heldout_perplexity"]
    else:
        table["score"] = table[rule]
    ranked = table.sort_values(["score", "k"], ascending=[False, True], kind="mergesort")
    by_rule = int(ranked["k"].iloc[0])
    ks = table["k"].tolist()
    span = f"K = {min(ks)}..{max(ks)}" if ks == list(range(min(ks), max(ks) + 1)) else f"K in {ks}"
    if k is None:
        chosen = by_rule
        best = ranked["score"].iloc[0]
        shown = table.loc[table["k"] == chosen, "heldout_perplexity"].iloc[0] if rule == "perplexity" else best
        reason = f"K={chosen}: {_RULE_TEXT[rule]} ({shown:.3g}) of {span}."
    else:
        if int(k) != k or k < 2:
            raise ValueError(f"k must be None or an integer of at least 2, got {k!r}")
        chosen = int(k)
        reason = f"K={chosen} was set by the parameter k; the rule ({_RULE_TEXT[rule]}) would choose K={by_rule}."
    table["chosen"] = table["k"] == chosen
    return KChoice(k=chosen, rule=rule, reason=reason, table=table)

