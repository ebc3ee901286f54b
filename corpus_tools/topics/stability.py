"""Refits with other seeds: how well each topic recurs (:func:`stability`), and the fits pooled by :func:`with_refits`.

LDA's answer depends on its random start. A refit with another ``random_state`` (on a seeded
sample of units for a large corpus) is matched topic by topic to the reference by the
Hungarian algorithm on Jensen–Shannon distances; a topic that comes back closely is robust.
The same refits, pooled with the model, carry the random start into the intervals of
:func:`~corpus_tools.topics.estimate_effect`.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from ..compat import REMOVED_IN, renamed_parameters
from ..resultcache import CachedCall, cached
from . import lda as fitting
from .lda import DEFAULT_SAMPLE_UNITS, LdaSettings, lda_settings
from .measures import align_topics, top_indices
from .model import TopicModel, _fit_call, fit_lda
from .prepare import TopicCorpus

__all__ = ["Stability", "refit_seeds", "stability", "with_refits"]

F = TypeVar("F", bound=Callable[..., Any])


def _seeds_renamed(function: F) -> F:
    """Accept the old `seeds` (a count or a list of seeds) as `n_refits` or `random_state`, with a FutureWarning."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if "seeds" in kwargs:
            seeds = kwargs.pop("seeds")
            new = "n_refits" if isinstance(seeds, int | np.integer) else "random_state"
            if new in kwargs:
                raise TypeError(f"{function.__name__}() got both 'seeds' and its new name {new!r}; pass only {new!r}")
            warnings.warn(
                f"{function.__name__}(): 'seeds' is renamed 'n_refits' (a count) or 'random_state' (a list of "
                f"seeds); the old name stops working in {REMOVED_IN}",
                FutureWarning,
                stacklevel=2,
            )
            kwargs[new] = seeds
        return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def refit_seeds(reference_seed: int, *, n_refits: int, random_state: int | Sequence[int] | None = None,
                min_refits: int = 1) -> list[int]:
    """The seeds of the refits of a model fitted with `reference_seed`.

    Parameters
    ----------
    reference_seed : int
        The model's own ``random_state``; no refit may use it.
    n_refits : int
        How many refits (a count, at least `min_refits`); ignored when `random_state` lists the seeds.
    random_state : int, sequence of int or None
        None: ``reference_seed + 1 … + n_refits``; an int r: ``r, r + 1 …``; a sequence: those seeds.
    min_refits : int, default 1

    Examples
    --------
    >>> refit_seeds(42, n_refits=3), refit_seeds(42, n_refits=2, random_state=7), refit_seeds(42, n_refits=0, random_state=[1, 5])
    ([43, 44, 45], [7, 8], [1, 5])
    """
    if random_state is None or isinstance(random_state, int | np.integer):
        if isinstance(n_refits, bool) or not isinstance(n_refits, int | np.integer) or n_refits < min_refits:
            raise ValueError(f"n_refits must be an integer of at least {min_refits}, got {n_refits!r}")
        first = reference_seed + 1 if random_state is None else int(random_state)
        seeds = [first + i for i in range(int(n_refits))]
    else:
        seeds = [int(s) for s in random_state]
        if not seeds and min_refits > 0:
            raise ValueError("random_state is an empty list of seeds")
    if reference_seed in seeds:
        raise ValueError(f"the refits' seeds must differ from the reference random_state ({reference_seed}), "
                         f"got {seeds}")
    return seeds



@dataclass(frozen=True, eq=False)
class Stability:
    """How well the topics of a reference fit recur when the model is refitted with other seeds.

    Attributes
    ----------
    topics : pandas.DataFrame
        One row per reference topic: ``topic, label, prevalence, n_runs``, ``n_refit_units``
        (units each refit was fitted on: all, or a sample of `sample_units`),
        ``mean_js_distance`` and ``max_js_distance`` (Jensen–Shannon distance, base 2, to the
        matched topic of each refit: 0 identical, 1 disjoint), ``mean_top_jaccard`` and
        ``min_top_jaccard`` (overlap of the `n` most probable terms: 1 identical, 0 none
        shared) and ``robust`` (mean JS distance at most `max_js` and mean Jaccard at least
        `min_jaccard`).
    runs : pandas.DataFrame
        One row per (refit, reference topic): ``random_state, n_refit_units, topic, label, matched_topic``
        (the refit's own topic number, by its prevalence), ``js_distance``, ``top_jaccard``,
        ``matched_top_terms``.
    convergence : pandas.DataFrame
        Per-pass tables of the refits (see :func:`~corpus_tools.topics.fit_lda`) with a leading ``random_state``.
    """

    topics: pd.DataFrame
    runs: pd.DataFrame
    convergence: pd.DataFrame


def _refit_phi(tc: TopicCorpus, rows: np.ndarray, *, k: int, random_state: int, settings: LdaSettings,
               content_key: str) -> tuple[np.ndarray, pd.DataFrame]:
    """Refit a model on `rows` for :func:`stability`; return its phi (topics by prevalence) and convergence.

    The result cache keys it on ``content_key`` (:attr:`TopicCorpus.content_key`) instead of `tc`.
    """
    matrix = tc.dtm.matrix if len(rows) == tc.n_units else tc.dtm.matrix[rows]
    lda, convergence = fitting.train(matrix, tc.dtm.terms, k=k, random_state=random_state, settings=settings,
                                     track_bound=False)
    # Only the topics are compared, so no unit's shares are inferred.
    phi = fitting.prevalence_ordered_phi(lda, matrix, seed=random_state, chunksize=settings.chunksize)
    return phi, convergence


@dataclass(frozen=True)
class _Refits:
    """What every refit reads (handed once to each worker process).

    `rows` are the units a :func:`stability` refit is fitted on; :func:`with_refits` fits as
    :func:`~corpus_tools.topics.fit_lda` does (every unit, up to the settings' ``train_units``).
    """

    tc: TopicCorpus
    k: int
    settings: LdaSettings
    rows: np.ndarray | None = None
    cache: bool | str | os.PathLike[str] = True


def _refit_call(shared: _Refits, seed: int) -> CachedCall:
    """One refit of :func:`stability` as a cached call."""
    refit_phi = cached(_refit_phi, shared.cache, ignore=("tc",))
    return CachedCall(refit_phi, (shared.tc, shared.rows), {"k": shared.k, "random_state": seed,
                                                            "settings": shared.settings,
                                                            "content_key": shared.tc.content_key})


def _refit(shared: _Refits, seed: int) -> tuple[np.ndarray, pd.DataFrame]:
    """One refit of :func:`stability`: its phi and convergence table."""
    return _refit_call(shared, seed)()


def _refit_is_cached(shared: _Refits, seed: int) -> bool:
    return _refit_call(shared, seed).is_cached()


def _refit_model(shared: _Refits, seed: int) -> TopicModel:
    """One refit of :func:`with_refits`, without its corpus (the caller has it: not shipped back)."""
    model = fit_lda(shared.tc, k=shared.k, random_state=seed, settings=shared.settings, track_bound=False,
                    cache=shared.cache)
    return dataclasses.replace(model, corpus=None)


def _refit_model_is_cached(shared: _Refits, seed: int) -> bool:
    return _fit_call(shared.tc, k=shared.k, random_state=seed, settings=shared.settings, track_bound=False,
                     cache=shared.cache).is_cached()


@_seeds_renamed
@renamed_parameters(topn="n")
def stability(
    reference: TopicModel,
    *,
    n_refits: int = 5,
    random_state: int | Sequence[int] | None = None,
    sample_units: int | None = DEFAULT_SAMPLE_UNITS,
    n: int = 10,
    max_js: float = 0.4,
    min_jaccard: float = 0.5,
    progress: bool = True,
    cache: bool | str | os.PathLike[str] = True,
) -> Stability:
    """Refit the reference model with other seeds and measure how each topic recurs.

    Parameters
    ----------
    reference : TopicModel
        The model whose topics are judged; refits use its corpus, K and settings. Its
        ``n_jobs`` setting is how many processes share the refits, each fitted in one process
        (:func:`~corpus_tools.topics.lda.map_fits`; ``None`` decides by size): the tables are
        the same for any ``n_jobs``.
    n_refits : int, default 5
        How many refits (a count, at least 1).
    random_state : int, sequence of int or None, default None
        The refits' seeds: None ``reference.random_state + 1 … + n_refits``; an int r
        ``r, r + 1 …`` (`n_refits` of them); a sequence of ints those seeds (then `n_refits`
        is ignored). None of them may be the reference's own seed.
    sample_units : int or None, default 5000
        Every refit uses the same simple random sample of this many units (drawn with the
        reference's ``random_state``, the same every run) when the corpus has more; a
        corpus of at most this many units is refitted whole, and None always refits every
        unit. A refit on a sample differs from the reference by the sample as well as the
        seed, so a topic that stays robust passes a stricter test. ``topics`` and ``runs``
        record ``n_refit_units``.
    n : int, default 10
        Top terms per topic compared by the Jaccard index.
    max_js, min_jaccard : float, default 0.4 and 0.5
        Thresholds of the ``robust`` column.
    progress : bool, default True
        Show a progress bar over the refits.
    cache : bool or path, default True
        Keep each refit's topics on disk (:mod:`corpus_tools.resultcache`), keyed by the corpus,
        K, the seed and the settings; ``False`` always refits. The result is the same either way.

    Returns
    -------
    Stability

    Notes
    -----
    Each refit's topics are matched one to one to the reference topics by the Hungarian
    algorithm on their Jensen–Shannon distances (:func:`~corpus_tools.topics.align_topics`), so a topic cannot
    claim a partner already taken by a closer one. A robust topic comes back with nearly
    the same distribution and the same top terms whatever the seed; a topic that matches
    poorly in some refits is partly an accident of initialisation and should not be
    interpreted on its own.
    """
    seeds = refit_seeds(reference.random_state, n_refits=n_refits, random_state=random_state)
    fitting.check_sample_units(sample_units)
    rows = fitting.sample_rows(reference.corpus.n_units, sample_units, reference.random_state)
    n = min(int(n), reference.corpus.n_terms)
    # A model made by hand may not say its tol: then refits run every pass, as before tol existed.
    settings = lda_settings(LdaSettings(tol=None), reference.settings, caller="stability")
    ref_top = [set(terms) for terms in reference.top_terms(n)]
    labels = reference.labels
    run_rows, convergence = [], []
    terms = np.asarray(reference.corpus.dtm.terms, dtype=object)
    shared = _Refits(reference.corpus, k=reference.k, settings=settings.one_process, rows=rows, cache=cache)
    fitted = fitting.map_fits(_refit, seeds, shared=shared, settings=settings,
                              tokens=int(reference.corpus.dtm.matrix[rows].sum()), desc="stability refits",
                              unit="refit", progress=progress, is_cached=_refit_is_cached)
    for seed, (phi, refit_convergence) in zip(seeds, fitted):
        match, distance = align_topics(reference.phi, phi)
        refit_top = [terms[row].tolist() for row in top_indices(phi, n)]
        for i in range(reference.k):
            other = refit_top[match[i]]
            run_rows.append(
                {
                    "random_state": seed,
                    "n_refit_units": len(rows),
                    "topic": i + 1,
                    "label": labels.iloc[i],
                    "matched_topic": int(match[i]) + 1,
                    "js_distance": float(distance[i]),
                    "top_jaccard": len(ref_top[i] & set(other)) / len(ref_top[i] | set(other)),
                    "matched_top_terms": " ".join(other),
                }
            )
        convergence.append(refit_convergence.assign(random_state=seed))
    runs = pd.DataFrame(run_rows)
    summary = runs.groupby("topic", sort=True).agg(
        n_runs=("random_state", "size"),
        n_refit_units=("n_refit_units", "first"),
        mean_js_distance=("js_distance", "mean"),
        max_js_distance=("js_distance", "max"),
        mean_top_jaccard=("top_jaccard", "mean"),
        min_top_jaccard=("top_jaccard", "min"),
    )
    summary.insert(0, "prevalence", reference.prevalence)
    summary.insert(0, "label", labels.to_numpy())
    summary["robust"] = (summary["mean_js_distance"] <= max_js) & (summary["mean_top_jaccard"] >= min_jaccard)
    conv = pd.concat(convergence, ignore_index=True)
    conv = conv[["random_state", *[c for c in conv.columns if c != "random_state"]]]
    return Stability(topics=summary.reset_index(), runs=runs, convergence=conv)


@_seeds_renamed
def with_refits(model: TopicModel, *, n_refits: int = 2, random_state: int | Sequence[int] | None = None
                ) -> list[TopicModel]:
    """Return the model followed by refits with other seeds, for :func:`~corpus_tools.topics.estimate_effect`.

    Parameters
    ----------
    model : TopicModel
    n_refits : int, default 2
        How many refits (a count; 0 returns the model alone).
    random_state : int, sequence of int or None, default None
        The refits' seeds, as in :func:`stability` (None: ``model.random_state + 1, + 2, …``,
        the seeds :func:`stability` uses).

    Returns
    -------
    list of TopicModel
        ``[model, refit, …]``, each fitted on the same corpus with the same K and settings
        (and cached on disk like every :func:`~corpus_tools.topics.fit_lda`). The model's
        ``n_jobs`` setting is how many processes share the refits, as in :func:`stability`.

    Notes
    -----
    The variational posterior of one fit says how sure the model is of the proportions *given
    its topics*; it says nothing of how the topics themselves would come out from another
    random start. Spreading the draws over a few fits carries part of that into the intervals:
    in ``benchmarks/topic_effects_coverage.py --lda`` (30 documents per group, 100 simulations)
    the coverage of 95 % intervals went from 0.85 with one fit to 0.93 with three.
    """
    seeds = refit_seeds(model.random_state, n_refits=n_refits, random_state=random_state, min_refits=0)
    settings = lda_settings(None, model.settings, caller="with_refits")
    shared = _Refits(model.corpus, k=model.k, settings=settings.one_process)
    refits = fitting.map_fits(_refit_model, seeds, shared=shared, settings=settings,
                              tokens=int(model.corpus.dtm.matrix.sum()), desc="refits", unit="refit", progress=False,
                              is_cached=_refit_model_is_cached)
    return [model] + [dataclasses.replace(refit, corpus=model.corpus) for refit in refits]
