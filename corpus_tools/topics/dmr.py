"""A metadata-aware topic model beside LDA: tomotopy's DMR, reported like :func:`~corpus_tools.topics.estimate_effect`.

DMR (Mimno & McCallum 2008) lets each level of a docvar set its own Dirichlet prior of topic
proportions while the topics are learned. :func:`dmr_effects` fits it on the LDA's units,
vocabulary and K and matches its topics to the LDA's; :func:`compare_effects` sets its shares
beside the LDA + method-of-composition intervals and :func:`describe_comparison` says how far
they agree. tomotopy is imported only inside :func:`dmr_effects`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .effects import EFFECT_COLUMNS, TopicPosterior, aggregation_matrix, check_effect_table, unit_groups
from .gibbs import DEFAULT_GIBBS_TOL, INFER_SWEEPS, train_blocks
from .lda import DEFAULT_GIBBS_SWEEPS, sample_rows
from .measures import align_topics

if TYPE_CHECKING:
    from .model import TopicModel

__all__ = ["compare_effects", "describe_comparison", "dmr_effects"]


def dmr_effects(
    model: TopicModel,
    *,
    by: str = "group",
    iterations: int | None = None,
    min_docs: int = 3,
    random_state: int,
) -> pd.DataFrame:
    """Fit a Dirichlet-multinomial regression topic model with `by` and report it like :func:`~corpus_tools.topics.estimate_effect`.

    DMR (Mimno & McCallum 2008, tomotopy's ``DMRModel``) lets each level of `by` set its own
    Dirichlet prior of topic proportions, so the metadata shapes the topics while they are
    learned; LDA + :func:`~corpus_tools.topics.estimate_effect` learns topics first and asks about the metadata
    afterwards. Where the two agree, the group differences do not hinge on that choice.

    DMR learns from the units the LDA learned from (all of them, or its ``train_units``
    sample: :attr:`TopicModel.n_train_units <corpus_tools.topics.TopicModel.n_train_units>`),
    plus the first unit of any level that sample missed; tomotopy infers the topic shares of
    every other unit, so the shares below cover all units at a cost that stops growing with
    the corpus.

    Parameters
    ----------
    model : TopicModel
        The LDA whose units, vocabulary and K the DMR reuses; DMR topics are matched one to one
        to its topics (:func:`~corpus_tools.topics.align_topics`) so that topic numbers agree.
    by : str, default "group"
        The categorical docvar given to DMR as each unit's metadata.
    iterations : int or None, default None
        Gibbs-sampling iterations, all of them run. None: as the LDA's fits, at most its
        ``gibbs_sweeps``, stopping once the log-likelihood has levelled off by its
        ``gibbs_tol`` (:func:`~corpus_tools.topics.gibbs.settled`); for a gensim LDA
        :data:`~corpus_tools.topics.lda.DEFAULT_GIBBS_SWEEPS` (300) and
        :data:`~corpus_tools.topics.gibbs.DEFAULT_GIBBS_TOL`. DMR's
        log-likelihood per word levels off as LDA's does: on the 8,157 paragraphs of
        ``benchmarks/report_scale.py``'s 5 MB corpus (K = 5, 98 districts) it is -6.8668 after
        200 iterations, -6.8654 after 300 and within ±0.001 of -6.864 from there to 1,000, and
        the districts' shares after 300 iterations differ from those after 1,000 by at most
        0.063, as much as after 500 (0.056): the chain's own noise.
    min_docs : int, default 3
        Levels with fewer documents are flagged ``too_few_documents``.
    random_state : int
        tomotopy's seed; training runs in one thread, so the same seed gives the same table.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`~corpus_tools.topics.estimate_effect` plus ``topic_js_distance`` (Jensen–Shannon
        distance between the DMR topic and the LDA topic it was matched to: above about 0.5 the
        two are not the same topic and should not be compared). ``quantity`` is ``share`` (the
        token-weighted mean of the DMR's document–topic proportions over the level's
        documents, comparable with :func:`~corpus_tools.topics.estimate_effect`'s shares), ``difference`` (share
        minus the mean of the levels' shares) or ``prior_share`` (the level's DMR prior mean,
        exp(λ) normalised over topics: the model's own metadata effect, usually more extreme
        than the shares). DMR gives no sampling distribution, so ``std_error``, the interval
        and the p- and q-values are empty; ``regressed_on`` is ``"dmr"``.
    """
    import tomotopy as tp

    if by not in model.corpus.dtm.docvars.columns:
        raise KeyError(f"no docvar {by!r} in the model's units; available: {list(model.corpus.dtm.docvars.columns)}")
    if iterations is None:
        settings = model.lda_settings
        if settings.engine == "tomotopy":
            iterations, tol = settings.gibbs_sweeps, settings.gibbs_tol
        else:
            iterations, tol = DEFAULT_GIBBS_SWEEPS, DEFAULT_GIBBS_TOL
    elif isinstance(iterations, bool) or int(iterations) != iterations or iterations < 1:
        raise ValueError(f"iterations must be a positive integer, got {iterations!r}")
    else:
        tol = None
    docvars = model.corpus.dtm.docvars
    keys = docvars[by].astype("string").str.strip().fillna("").to_numpy(dtype=object)
    units = list(model.corpus.tokens.tokens)  # by position
    # DMR learns from the units the LDA learned from (train_units), plus one unit of any level
    # that sample missed; the other units' shares are inferred, as the LDA's are.
    trained = training_rows(keys, sample_rows(len(keys), model.lda_settings.train_units, model.random_state))
    dmr = tp.DMRModel(tw=tp.TermWeight.ONE, k=model.k, seed=int(random_state))
    for row in trained:
        dmr.add_doc(list(units[row]), metadata=str(keys[row]))
    train_blocks(dmr, int(iterations), tol, n_tokens=sum(len(units[row]) for row in trained))

    terms = list(model.corpus.dtm.terms)
    column = {term: j for j, term in enumerate(terms)}
    phi = np.zeros((model.k, len(terms)))
    used = [column[w] for w in dmr.used_vocabs]
    for t in range(model.k):
        phi[t, used] = np.asarray(dmr.get_topic_word_dist(t), dtype=np.float64)
    match, distance = align_topics(model.phi, phi)  # DMR topic match[i] is LDA topic i + 1
    levels = [str(level) for level in dmr.metadata_dict]
    lambdas = np.asarray(dmr.lambdas, dtype=np.float64)  # (K, levels), in DMR topic order
    prior = np.exp(lambdas - lambdas.max(axis=0, keepdims=True))
    prior /= prior.sum(axis=0, keepdims=True)
    theta = _unit_shares(dmr, units, keys, trained, prior=dict(zip(levels, prior.T, strict=True)))[:, match]
    prior = prior[match]
    codes, _ = unit_groups(TopicPosterior(gamma=np.ones_like(theta), unit_tokens=model.unit_tokens,
                                           docvars=docvars, labels=model.labels))
    n_docs = int(codes.max()) + 1
    doc_theta = aggregation_matrix(codes, model.unit_tokens, n_docs) @ theta
    first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
    # Shares and counts of every level at once (not one scan of all documents per level).
    doc_level = pd.Categorical(keys[first], categories=levels).codes
    docs_at = np.bincount(doc_level, minlength=len(levels))
    units_at = np.bincount(pd.Categorical(keys, categories=levels).codes, minlength=len(levels))
    shares = pd.DataFrame(doc_theta).groupby(doc_level).mean().reindex(range(len(levels))).to_numpy()  # (levels, K)
    rows = []
    for i, level in enumerate(levels):
        n_at = int(docs_at[i])
        common = {"covariate": by, "level": level, "n_documents": n_at, "n_units": int(units_at[i]),
                  "too_few_documents": n_at < min_docs}
        for t in range(model.k):
            for quantity, value, contrast in (("share", shares[i, t], ""),
                                              ("difference", shares[i, t] - shares[:, t].mean(), "vs mean of levels"),
                                              ("prior_share", prior[t, i], "")):
                rows.append({"topic": t + 1, "quantity": quantity, "contrast": contrast, "estimate": value, **common})
    table = pd.DataFrame(rows).sort_values(["topic", "quantity", "level"], kind="stable", ignore_index=True)
    table["label"] = model.labels.reindex(table["topic"]).to_numpy()
    for name in ("std_error", "ci_low", "ci_high", "p_value", "q_value"):
        table[name] = np.nan
    table["robust"] = pd.array([pd.NA] * len(table), dtype="boolean")
    table["regressed_on"] = "dmr"
    table["topic_js_distance"] = distance[table["topic"].to_numpy() - 1]
    return table[[*EFFECT_COLUMNS, "topic_js_distance"]]


def training_rows(keys: np.ndarray, sample: np.ndarray) -> np.ndarray:
    """The rows DMR is trained on: `sample`, plus the first unit of every level it misses.

    tomotopy can infer a unit's topics only under a level it was trained with (an unknown one
    aborts the process), so a level the sample missed brings its first unit into training.

    Examples
    --------
    >>> training_rows(np.array(["甲", "甲", "乙", "丙", "丙"], dtype=object), np.array([0, 1])).tolist()
    [0, 1, 2, 3]
    """
    first = pd.Series(np.arange(len(keys))).groupby(keys, sort=False).first()
    missing = first[~first.index.isin(pd.unique(keys[sample]))].to_numpy()
    return np.union1d(sample, missing).astype(np.intp)


def _unit_shares(dmr, units: Sequence[Sequence[str]], keys: np.ndarray, trained: np.ndarray, *,
                 prior: dict[str, np.ndarray]) -> np.ndarray:
    """Every unit's DMR topic shares (DMR topic order): sampled in training, or inferred.

    Units outside the training rows are inferred by tomotopy under their level's prior
    (:data:`~corpus_tools.topics.gibbs.INFER_SWEEPS` sweeps, one worker: deterministic); one
    none of whose words the model saw gets its level's prior mean.
    """
    import tomotopy as tp

    theta = np.empty((len(keys), dmr.k), dtype=np.float64)
    theta[trained] = np.array([doc.get_topic_dist() for doc in dmr.docs], dtype=np.float64)
    docs, rows = [], []
    for row in np.setdiff1d(np.arange(len(keys)), trained):
        doc = dmr.make_doc(list(units[row]), metadata=str(keys[row]))
        if len(doc.words):  # tomotopy aborts the process on an empty document
            docs.append(doc)
            rows.append(row)
        else:
            theta[row] = prior[str(keys[row])]
    if docs:
        shares, _ = dmr.infer(docs, iterations=INFER_SWEEPS, workers=1, parallel=tp.ParallelScheme.NONE)
        theta[rows] = np.asarray(shares, dtype=np.float64)
    return theta / theta.sum(axis=1, keepdims=True)


def compare_effects(lda: pd.DataFrame, dmr: pd.DataFrame) -> pd.DataFrame:
    """Set the shares of :func:`~corpus_tools.topics.estimate_effect` beside those of :func:`dmr_effects`.

    Returns
    -------
    pandas.DataFrame
        One row per (topic, level) present in both: ``topic, label, covariate, level,
        n_documents``, ``share_lda``, ``ci_low``, ``ci_high`` (LDA + method of composition),
        ``share_dmr``, ``topic_js_distance`` and ``dmr_in_interval`` (the DMR share lies in
        the LDA interval).
    """
    check_effect_table(lda)
    check_effect_table(dmr, "topic_js_distance")
    keys = ["topic", "covariate", "level"]
    left = lda[lda["quantity"] == "share"][[*keys, "label", "n_documents", "estimate", "ci_low", "ci_high"]]
    right = dmr[dmr["quantity"] == "share"][[*keys, "estimate", "topic_js_distance"]]
    both = left.merge(right, on=keys, suffixes=("_lda", "_dmr"))
    both = both.rename(columns={"estimate_lda": "share_lda", "estimate_dmr": "share_dmr"})
    both["dmr_in_interval"] = (both["ci_low"] <= both["share_dmr"]) & (both["share_dmr"] <= both["ci_high"])
    return both[["topic", "label", "covariate", "level", "n_documents", "share_lda", "ci_low", "ci_high",
                 "share_dmr", "topic_js_distance", "dmr_in_interval"]]


def describe_comparison(comparison: pd.DataFrame, *, max_js: float = 0.5) -> str:
    """Say in English how far the DMR agrees with LDA + method of composition, from :func:`compare_effects`.

    Parameters
    ----------
    comparison : pandas.DataFrame
        A table from :func:`compare_effects`.
    max_js : float, default 0.5
        Topics matched at a larger Jensen–Shannon distance are called different topics, and
        their shares are not compared.

    Examples
    --------
    >>> comparison = pd.DataFrame({"topic": [1, 1, 2, 2], "topic_js_distance": [0.2, 0.2, 0.7, 0.7],
    ...                            "dmr_in_interval": [True, False, True, True]})
    >>> describe_comparison(comparison)
    'DMR finds 1 of the 2 LDA topics (Jensen–Shannon distance ≤ 0.5); on those, its group shares lie inside the LDA + composition 95 % interval for 1 of 2 (topic, group) pairs.'
    """
    missing = [c for c in ("topic", "topic_js_distance", "dmr_in_interval") if c not in comparison.columns]
    if missing:
        raise KeyError(f"the table lacks column(s) {missing}; pass a table from compare_effects")
    per_topic = comparison.groupby("topic")["topic_js_distance"].first()
    same = per_topic[per_topic <= max_js].index
    rows = comparison[comparison["topic"].isin(same)]
    text = f"DMR finds {len(same)} of the {len(per_topic)} LDA topics (Jensen–Shannon distance ≤ {max_js:g})"
    if rows.empty:
        return text + "; no group shares can be compared."
    return (text + f"; on those, its group shares lie inside the LDA + composition 95 % interval for "
            f"{int(rows['dmr_in_interval'].sum())} of {len(rows)} (topic, group) pairs.")
