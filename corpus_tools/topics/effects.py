"""Topic prevalence by covariates, with the topic model's own uncertainty: estimateEffect for Python.

Which district, administrative level or month talks more about topic k, and how sure are we?
A table of group shares (:meth:`TopicModel.group_shares <corpus_tools.topics.TopicModel.group_shares>`)
answers the first half only. This module answers both, as R's stm does with ``estimateEffect``
(Roberts, Stewart & Tingley 2019): regress the documents' topic proportions on their docvars,
and let the topic model's uncertainty about those proportions flow into the intervals by the
*method of composition*::

    TopicModel ──with_refits──▶ [model, refits with other seeds]
               ──TopicPosterior.from_model──▶ TopicPosterior (Dirichlet γ per unit)
               ──estimate_effect──▶ tidy table: share per level, difference per level, date trend
               ──describe_effects──▶ sentences;  textplot.topics.plot_effects / plot_trend──▶ Figure
               ──dmr_effects──▶ the same table from tomotopy's DMR (:mod:`corpus_tools.topics.dmr`)

statsmodels fits the regressions and patsy builds the design matrices (categorical contrasts,
B-spline date terms); each is imported only inside the functions that need it. How well the
intervals cover planted effects is measured in ``benchmarks/topic_effects_coverage.py``.
:func:`~corpus_tools.topics.with_refits` lives with the refits in
:mod:`corpus_tools.topics.stability`; the figures in :mod:`corpus_tools.textplot.topics`
(both also importable from here, the module's former home being ``corpus_tools.topic_effects``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .measures import align_topics

if TYPE_CHECKING:
    from .model import TopicModel
    from .stability import Stability

__all__ = [
    "EFFECT_COLUMNS",
    "MEAN_REFERENCE",
    "TopicPosterior",
    "aggregation_matrix",
    "check_effect_table",
    "describe_effects",
    "estimate_effect",
    "unit_groups",
]

logger = logging.getLogger(__name__)

RegressOn = Literal["auto", "document", "unit"]

#: Value of ``reference`` that contrasts every level with the unweighted mean of all levels.
MEAN_REFERENCE = "mean"

#: Columns of the table returned by :func:`estimate_effect`, in order.
EFFECT_COLUMNS: tuple[str, ...] = (
    "topic", "label", "covariate", "level", "quantity", "contrast", "estimate", "std_error",
    "ci_low", "ci_high", "p_value", "q_value", "n_documents", "n_units", "too_few_documents",
    "robust", "regressed_on",
)


# --------------------------------------------------------------------------------------------
# The posterior the estimator draws from
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, kw_only=True)
class TopicPosterior:
    """The approximate posterior of every unit's topic proportions: a Dirichlet per unit.

    Build with :meth:`from_model` for a fitted LDA, or directly for any model whose
    document-topic posterior is (approximately) Dirichlet.

    Attributes
    ----------
    gamma : numpy.ndarray of shape (n_units, K)
        Dirichlet parameters of each unit's topic proportions, columns in topic order (1..K).
        Larger totals mean a more certain posterior.
    unit_tokens : numpy.ndarray of shape (n_units,)
        Tokens the model saw in each unit: the weights with which units add up to documents.
    docvars : pandas.DataFrame
        One row per unit (same order as `gamma`), with a ``doc_id`` column and the document's
        docvars (``group``, ``district``, ``date_published`` …).
    labels : pandas.Series
        Topic labels, index ``topic`` (1..K).
    unit : str
        What a unit is (``"paragraph"``, ``"document"`` …), reported in the table.
    """

    gamma: np.ndarray = field(repr=False)
    unit_tokens: np.ndarray = field(repr=False)
    docvars: pd.DataFrame = field(repr=False)
    labels: pd.Series = field(repr=False)
    unit: str = "paragraph"

    def __post_init__(self) -> None:
        gamma = np.asarray(self.gamma, dtype=np.float64)
        if gamma.ndim != 2 or gamma.shape[1] < 2:
            raise ValueError(f"gamma must be a (units x topics) array with at least 2 topics, got shape {gamma.shape}")
        if not np.all(np.isfinite(gamma)) or np.any(gamma <= 0):
            raise ValueError("gamma must be finite and positive (Dirichlet parameters)")
        n_units, k = gamma.shape
        if len(self.unit_tokens) != n_units or len(self.docvars) != n_units:
            raise ValueError(
                f"gamma has {n_units} units but unit_tokens has {len(self.unit_tokens)} and docvars "
                f"{len(self.docvars)} rows; they must describe the same units in the same order"
            )
        if "doc_id" not in self.docvars.columns:
            raise KeyError("docvars needs a doc_id column: units are added up into documents by it")
        if len(self.labels) != k:
            raise ValueError(f"labels has {len(self.labels)} entries for {k} topics")
        object.__setattr__(self, "gamma", gamma)
        object.__setattr__(self, "unit_tokens", np.asarray(self.unit_tokens, dtype=np.float64))

    @property
    def k(self) -> int:
        """int: the number of topics."""
        return self.gamma.shape[1]

    @property
    def theta(self) -> np.ndarray:
        """numpy.ndarray: the posterior mean of each unit's topic proportions."""
        return self.gamma / self.gamma.sum(axis=1, keepdims=True)

    @classmethod
    def from_model(cls, model: TopicModel) -> TopicPosterior:
        """Return the variational posterior of a fitted :class:`~corpus_tools.topics.TopicModel`.

        Notes
        -----
        gensim's E-step sets a unit's Dirichlet parameters to γ = α + Σ_w n_w φ_w, where the
        φ_w (a term's topic responsibilities) sum to 1 over topics; so γ sums to Σα + n (the
        unit's token count), and γ = θ · (Σα + n) with θ the reported topic shares. γ is
        therefore recovered exactly from the model's public tables, without re-running
        inference (checked against ``lda.inference`` in the tests).

        With the tomotopy engine θ is (n_k + α_k) / (n + Σα), n_k the unit's tokens assigned
        to topic k by the sampler's last sweep, so the same formula gives γ = n_k + α: the
        Dirichlet posterior of θ given those assignments (one draw of them, not averaged over
        sweeps). It is exact when tomotopy knew all the unit's terms; terms outside a
        ``train_units`` sample's vocabulary are dropped from inference but still counted in n,
        which makes such a unit's γ slightly too certain.
        """
        theta = np.asarray(model.theta, dtype=np.float64)
        tokens = np.asarray(model.unit_tokens, dtype=np.float64)
        total = float(np.sum(model.alpha)) + tokens
        gamma = theta * total[:, np.newaxis]
        # A topic with a vanishing share still has a positive Dirichlet parameter (α > 0);
        # guard against shares that rounded to exactly zero.
        gamma = np.maximum(gamma, np.finfo(np.float64).tiny)
        return cls(gamma=gamma, unit_tokens=tokens, docvars=model.corpus.dtm.docvars,
                   labels=model.labels, unit=model.corpus.unit)

    def draw(self, generator: np.random.Generator) -> np.ndarray:
        """Draw every unit's topic proportions once from its Dirichlet (rows sum to 1)."""
        draws = generator.standard_gamma(self.gamma)
        sums = draws.sum(axis=1, keepdims=True)
        # Gamma variates with tiny shapes can all underflow to 0; fall back to the mean there.
        empty = sums[:, 0] <= 0
        if np.any(empty):
            draws[empty] = self.gamma[empty]
            sums[empty] = self.gamma[empty].sum(axis=1, keepdims=True)
        return draws / sums


# --------------------------------------------------------------------------------------------
# Estimation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Design:
    """The regression rows, their design matrix and the linear combinations that are reported."""

    aggregate: sp.csr_matrix  # (rows x units): each row's token-weighted mean of its units
    matrix: sp.csr_matrix  # design matrix (rows x coefficients), sparse: a dummy per level
    combos: np.ndarray  # (quantities x coefficients): each reported quantity as c · β
    rows: pd.DataFrame  # one row per quantity: covariate, level, quantity, contrast, n_documents, n_units, too_few_documents
    regressed_on: str


def unit_groups(posterior: TopicPosterior) -> tuple[np.ndarray, pd.Index]:
    """Each unit's document as a code 0..n_docs - 1 (in order of first appearance), and the doc_ids."""
    codes, doc_ids = pd.factorize(posterior.docvars["doc_id"], sort=False)
    return codes, pd.Index(doc_ids, name="doc_id")


def aggregation_matrix(codes: np.ndarray, weights: np.ndarray, n_rows: int) -> sp.csr_matrix:
    """(rows x units) matrix whose product with unit proportions gives token-weighted row means."""
    totals = np.bincount(codes, weights=weights, minlength=n_rows)
    # A document whose units all lost their tokens still needs a row: weight its units equally.
    counts = np.bincount(codes, minlength=n_rows).astype(np.float64)
    zero = totals[codes] <= 0
    values = np.where(zero, 1.0 / counts[codes], weights / np.where(zero, 1.0, totals[codes]))
    return sp.csr_matrix((values, (codes, np.arange(len(codes)))), shape=(n_rows, len(codes)))


def _blank(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return values.isna() | text.isna() | (text == "")


def _parse_dates(values: pd.Series, name: str, *, require: bool = True) -> pd.Series:
    """Dates as datetimes (NaT where a value is not a date, in whatever format each value has)."""
    text = values.astype("string").str.strip()
    parsed = pd.to_datetime(text.where(text != ""), errors="coerce", format="mixed")
    if require and parsed.notna().sum() == 0:
        raise ValueError(
            f"date={name!r}: no value of this docvar parses as a date (e.g. 2021-03-05); "
            "pass another docvar or date=None"
        )
    return parsed


def _build_design(
    posterior: TopicPosterior,
    *,
    by: str | None,
    covariates: Sequence[str],
    reference: str | None,
    date: str | None,
    spline_df: int,
    date_points: int,
    regress_on: RegressOn,
    min_docs: int,
    require_date: bool,
) -> _Design:
    import patsy

    docvars = posterior.docvars
    names = [n for n in ([by] if by else []) + list(covariates) + ([date] if date else [])]
    missing = [n for n in names if n not in docvars.columns]
    if missing:
        raise KeyError(f"no docvar(s) {missing} in the model's units; available: {list(docvars.columns)}")
    if len(set(names)) != len(names):
        raise ValueError(f"a docvar is named twice among by, covariates and date: {names}")
    if not names:
        raise ValueError("nothing to estimate: pass by=, covariates= or date=")

    codes, doc_ids = unit_groups(posterior)
    first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
    doc_table = docvars.iloc[first][names].reset_index(drop=True)
    n_docs = len(doc_ids)
    if date:
        dated = _parse_dates(doc_table[date], date, require=False).dropna()
        if dated.nunique() < 2 or len(dated) < min_docs + 2:
            message = (f"date={date!r}: {len(dated)} of {n_docs} documents have a date, on {dated.nunique()} "
                       f"distinct day(s); a trend needs at least 2 days and {min_docs + 2} dated documents")
            if require_date:
                raise ValueError(message + "; pass date=None, or require_date=False to leave the trend out")
            logger.warning("estimate_effect: %s, so the trend is left out", message)
            names.remove(date)
            date = None
            doc_table = doc_table[names]
            if not names:
                raise ValueError(message + ", and nothing else was asked for (by=None, no covariates)")

    # Internal names keep user docvar names out of the formula: patsy evaluates formulas as
    # Python, and neither names nor values from a corpus may ever execute.
    internal = {name: f"v{i}" for i, name in enumerate(names)}
    categorical = [n for n in ([by] if by else []) + list(covariates)
                   if not pd.api.types.is_numeric_dtype(docvars[n]) or n == by]
    numeric = [n for n in covariates if n not in categorical]

    def prepared(table: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
        keep = np.ones(len(table), dtype=bool)
        out = pd.DataFrame(index=table.index)
        for n in names:
            if n == date:
                parsed = _parse_dates(table[n], n)
                keep &= parsed.notna().to_numpy()
                out[internal[n]] = parsed
            elif n in categorical:
                keep &= ~_blank(table[n]).to_numpy()
                out[internal[n]] = table[n].astype("string").str.strip()
            else:
                values = pd.to_numeric(table[n], errors="coerce")
                keep &= values.notna().to_numpy()
                out[internal[n]] = values.astype(np.float64)
        return out, keep

    # Documents are the default unit of analysis: the paragraphs of one report are not
    # independent observations of its district, and counting them as such would make every
    # interval too narrow.
    doc_data, doc_keep = prepared(doc_table)
    n_coef_guess = 1 + sum(doc_data.loc[doc_keep, internal[n]].nunique() - 1 for n in categorical) \
        + len(numeric) + (spline_df if date else 0)
    if regress_on == "auto":
        regress_on = "document" if int(doc_keep.sum()) - n_coef_guess >= min_docs else "unit"
        if regress_on == "unit":
            logger.warning(
                "estimate_effect: %d documents are too few for %d coefficients, so the regression "
                "is on %s; intervals then treat units of one document as independent and are too "
                "narrow", int(doc_keep.sum()), n_coef_guess, posterior.unit,
            )
    if regress_on == "document":
        data, keep = doc_data, doc_keep
        row_codes = codes
        n_rows = n_docs
    elif regress_on == "unit":
        data, keep = prepared(docvars[names].reset_index(drop=True))
        row_codes = np.arange(len(codes))
        n_rows = len(codes)
    else:
        raise ValueError(f"regress_on must be 'auto', 'document' or 'unit', got {regress_on!r}")
    n_dropped = int((~keep).sum())
    if n_dropped:
        logger.warning("estimate_effect: %d of %d %s lack a value of %s and are left out",
                       n_dropped, n_rows, "documents" if regress_on == "document" else "units", names)
    aggregate = aggregation_matrix(row_codes, posterior.unit_tokens, n_rows)[np.flatnonzero(keep)]
    data = data.loc[keep].reset_index(drop=True)
    row_docs = (codes[first] if regress_on == "document" else codes)[keep]
    if len(data) == 0:
        raise ValueError(f"no {'document' if regress_on == 'document' else 'unit'} has values for all of {names}")

    levels: dict[str, list[str]] = {}
    for n in categorical:
        levels[n] = sorted(data[internal[n]].unique().tolist())
        data[internal[n]] = pd.Categorical(data[internal[n]], categories=levels[n])
    if by is not None and reference not in (None, MEAN_REFERENCE) and str(reference) not in levels[by]:
        raise ValueError(f"reference={reference!r} is not a level of {by!r}; levels: {levels[by]} "
                         f"(or pass reference={MEAN_REFERENCE!r} to contrast with the mean of the levels)")

    # A category with a single level is a constant: the intercept already carries it.
    # term_of: each docvar's term in the (additive) formula, to find its design columns.
    term_of = {internal[n]: f"C({internal[n]})" for n in categorical if len(levels[n]) > 1}
    term_of.update({internal[n]: internal[n] for n in numeric})
    terms = list(term_of.values())
    date_info: dict[str, Any] = {}
    if date:
        days = (data[internal[date]] - data[internal[date]].min()).dt.days.astype(np.float64)
        origin = data[internal[date]].min()
        n_unique = int(days.nunique())
        date_info = {"origin": origin, "min": days.min(), "max": days.max(), "n_unique": n_unique}
        data["t"] = days
        if n_unique < 2:
            raise ValueError(f"date={date!r}: every document has the same date, so there is no trend to estimate")
        if n_unique > spline_df:
            term_of["t"] = f"bs(t, df={int(spline_df)})"
        else:
            logger.warning("estimate_effect: only %d distinct dates; the date enters linearly, not as a "
                           "%d-df spline", n_unique, spline_df)
            term_of["t"] = "t"
        terms.append(term_of["t"])
    formula = " + ".join(terms) if terms else "1"
    info, matrix = _sparse_design(formula, data)
    column_means = np.asarray(matrix.mean(axis=0)).ravel()

    def margins(column: str, values: Sequence[Any]) -> np.ndarray:
        """The design row averaged over the data with `column` set to each value for everyone.

        The formula is additive (no interactions), so only `column`'s own design columns change:
        they are the coding of the value, the others keep their means. Building one design row
        per value, rather than the whole design once per value, keeps a few thousand groups
        from costing groups x documents x coefficients.
        """
        result = np.tile(column_means, (len(values), 1))
        if column not in term_of:  # a category with one level: the design does not depend on it
            return result
        frame = data.iloc[np.zeros(len(values), dtype=np.intp)].reset_index(drop=True)
        if isinstance(data[column].dtype, pd.CategoricalDtype):
            frame[column] = pd.Categorical(list(values), categories=data[column].cat.categories)
        else:
            frame[column] = np.asarray(values, dtype=np.float64)
        (coded,) = patsy.build_design_matrices([info], frame, return_type="matrix")
        own = info.term_name_slices[term_of[column]]
        result[:, own] = np.asarray(coded, dtype=np.float64)[:, own]
        return result

    # Documents and units per level, counted from (level, document) and (level, unit) pairs at
    # once rather than by one scan of the data per level.
    entries = aggregate.tocoo()
    positive = entries.data > 0

    def count_per_level(codes: np.ndarray, n_levels: int) -> tuple[np.ndarray, np.ndarray]:
        docs = pd.DataFrame({"level": codes, "doc": row_docs}).drop_duplicates()
        units = pd.DataFrame({"level": codes[entries.row[positive]], "unit": entries.col[positive]}).drop_duplicates()
        return (np.bincount(docs["level"], minlength=n_levels), np.bincount(units["level"], minlength=n_levels))

    combos, rows = [], []
    for n in categorical:
        shares = margins(internal[n], levels[n])
        n_docs_at, n_units_at = count_per_level(data[internal[n]].cat.codes.to_numpy(), len(levels[n]))
        docs_at = {level: int(n_docs_at[i]) for i, level in enumerate(levels[n])}
        units_at = {level: int(n_units_at[i]) for i, level in enumerate(levels[n])}
        for i, level in enumerate(levels[n]):
            combos.append(shares[i])
            rows.append({"covariate": n, "level": level, "quantity": "share", "contrast": "",
                         "n_documents": docs_at[level], "n_units": units_at[level],
                         "too_few_documents": docs_at[level] < min_docs})
        if len(levels[n]) < 2:
            continue
        ref = reference if n == by else MEAN_REFERENCE
        if ref is None:
            # The largest group is the most stable baseline; ties go to the first in sort order.
            ref = max(levels[n], key=lambda level: (docs_at[level], -levels[n].index(level)))
        for i, level in enumerate(levels[n]):
            if ref == MEAN_REFERENCE:
                combo, contrast = shares[i] - shares.mean(axis=0), "vs mean of levels"
                few = docs_at[level] < min_docs
            elif level == str(ref):
                continue
            else:
                combo = shares[i] - shares[levels[n].index(str(ref))]
                contrast, few = f"vs {ref}", docs_at[level] < min_docs or docs_at[str(ref)] < min_docs
            combos.append(combo)
            rows.append({"covariate": n, "level": level, "quantity": "difference", "contrast": contrast,
                         "n_documents": docs_at[level], "n_units": units_at[level], "too_few_documents": few})
    for n in numeric:
        combo = np.zeros(matrix.shape[1])
        combo[info.column_names.index(internal[n])] = 1.0
        combos.append(combo)
        rows.append({"covariate": n, "level": "", "quantity": "slope", "contrast": "per unit of the docvar",
                     "n_documents": len(np.unique(row_docs)), "n_units": aggregate.shape[1],
                     "too_few_documents": len(np.unique(row_docs)) < min_docs})
    if date:
        grid = np.linspace(date_info["min"], date_info["max"], max(2, int(date_points)))
        dates = date_info["origin"] + pd.to_timedelta(np.round(grid), unit="D")
        t = data["t"].to_numpy()
        edges = np.concatenate([[-np.inf], (grid[1:] + grid[:-1]) / 2, [np.inf]])
        at_dates = margins("t", grid.tolist())
        for g, when in enumerate(dates):
            near = (t > edges[g]) & (t <= edges[g + 1])
            combos.append(at_dates[g])
            n_near = len(np.unique(row_docs[near]))
            rows.append({"covariate": date, "level": when.strftime("%Y-%m-%d"), "quantity": "trend",
                         "contrast": "", "n_documents": n_near,
                         "n_units": int((aggregate[near].sum(axis=0) > 0).sum()),
                         "too_few_documents": n_near < min_docs})
    return _Design(aggregate=aggregate.tocsr(), matrix=matrix, combos=np.array(combos),
                   rows=pd.DataFrame(rows), regressed_on="document" if regress_on == "document" else posterior.unit)


#: Rows of the design patsy builds at a time (dense) before they are stored sparse.
DESIGN_CHUNK_ROWS = 4096


def _sparse_design(formula: str, data: pd.DataFrame) -> tuple[Any, sp.csr_matrix]:
    """patsy's design matrix for `formula` on `data`, built in chunks of rows and stored sparse.

    A dummy per level makes the design mostly zeros: 26,579 documents of 2,051 districts gave a
    dense 26,579 x 2,054 matrix of 437 MB, for about 5 non-zeros a row. patsy learns its
    stateful terms (the spline's knots, each category's levels) from all rows first
    (``incr_dbuilder``), so every chunk is coded exactly as the whole table would be.
    """
    import patsy

    chunks = range(0, len(data), DESIGN_CHUNK_ROWS)

    def pieces():
        return (data.iloc[start:start + DESIGN_CHUNK_ROWS] for start in chunks)

    info = patsy.incr_dbuilder(formula, pieces, NA_action="raise")
    parts = [sp.csr_matrix(np.asarray(patsy.build_design_matrices([info], piece, NA_action="raise")[0],
                                      dtype=np.float64))
             for piece in pieces()]
    return info, sp.vstack(parts, format="csr") if parts else sp.csr_matrix((0, len(info.column_names)))


def estimate_effect(
    model: TopicModel | TopicPosterior | Sequence[TopicModel] | Sequence[TopicPosterior],
    *,
    by: str | None = "group",
    covariates: Sequence[str] = (),
    reference: str | None = MEAN_REFERENCE,
    date: str | None = None,
    spline_df: int = 3,
    date_points: int = 12,
    require_date: bool = True,
    regress_on: RegressOn = "auto",
    n_draws: int = 25,
    n_coef_draws: int = 100,
    cov_type: str = "HC3",
    ci_level: float = 0.95,
    min_docs: int = 3,
    stability: Stability | pd.DataFrame | None = None,
    random_state: int,
) -> pd.DataFrame:
    """Estimate how topic prevalence differs by docvars, with intervals that carry the model's uncertainty.

    Parameters
    ----------
    model : TopicModel, TopicPosterior or a list of them
        A fitted model (its variational posterior is taken with :meth:`TopicPosterior.from_model`)
        or a posterior built by hand. A list of fits of one corpus and K (e.g. the same model
        refitted with other seeds) spreads the draws over them, so that the intervals also carry
        how much the proportions depend on the fit's random start; later models' topics are
        matched to the first's (:func:`~corpus_tools.topics.align_topics`), posteriors must
        come aligned. Labels come from the first.
    by : str or None, default "group"
        The categorical docvar whose levels are compared (``group`` is set by
        ``open_corpus(by=...)``; ``district``, ``admin_level`` …).
    covariates : sequence of str, default ()
        Further docvars adjusted for: text columns enter as categories (reported like `by`,
        against the mean of their levels), numeric ones as a straight line (a ``slope`` row).
    reference : str, "mean" or None, default "mean"
        What each level of `by` is contrasted with: ``"mean"`` the unweighted mean of all
        levels (deviation coding); a level's name that level; None the level with the most
        documents.
    date : str, optional
        A date docvar (e.g. ``date_published``) entered as a smooth trend: a cubic B-spline
        with `spline_df` degrees of freedom (patsy's ``bs``), or a straight line when there
        are no more distinct dates than that. Rows without a date are left out.
    spline_df : int, default 3
        Degrees of freedom of the date spline.
    date_points : int, default 12
        Dates (evenly spaced over the observed range) at which the trend is reported.
    require_date : bool, default True
        What to do when `date` cannot carry a trend (fewer than 2 distinct days, or fewer than
        `min_docs` + 2 dated documents): raise (True), or leave the trend out with a logged
        warning (False, for reports that run on corpora with and without dates).
    regress_on : {"auto", "document", "unit"}, default "auto"
        The rows of the regression. ``"document"`` adds each document's units up, weighted by
        their tokens, so each report counts once; ``"unit"`` regresses the model's units
        (paragraphs …) and treats them as independent, which makes intervals too narrow when
        units of one document resemble each other. ``"auto"`` takes documents unless fewer
        than `min_docs` documents would be left beyond the number of coefficients.
    n_draws : int, default 25
        Draws of all units' topic proportions from the posterior (stm's ``nsims``).
    n_coef_draws : int, default 100
        Coefficient draws from each regression's sampling distribution.
    cov_type : {"HC3", "HC2", "HC1", "HC0", "nonrobust"}, default "HC3"
        Covariance of each fit, as statsmodels names it: ``"HC3"`` (heteroskedasticity-robust:
        topic shares vary more in some groups than in others) or ``"nonrobust"`` (classical,
        as stm). A row with leverage 1 (a level with one observation) borrows the classical
        variance under the HC types.
    ci_level : float, default 0.95
        Coverage of the intervals.
    min_docs : int, default 3
        Levels (or date bins) with fewer documents than this are flagged ``too_few_documents``.
    stability : Stability or DataFrame, optional
        The result of :func:`~corpus_tools.topics.stability` (or its ``topics`` table): adds
        whether each topic is robust across seeds.
    random_state : int
        Seed of every posterior and coefficient draw.

    Returns
    -------
    pandas.DataFrame
        One row per (topic, reported quantity), topics 1..K:

        - ``topic``, ``label``;
        - ``covariate`` (the docvar), ``level`` (its value; for `date` the day the trend is
          evaluated at, ``YYYY-MM-DD``);
        - ``quantity``: ``share`` (the expected topic proportion of a document at that level,
          other covariates as observed: a predictive margin), ``difference`` (the level's
          share minus the reference's, see ``contrast``), ``slope`` (change of the share per
          unit of a numeric covariate) or ``trend`` (the expected share on the date in
          ``level``, as a predictive margin);
        - ``contrast``: ``"vs mean of levels"``, ``"vs <level>"`` or empty;
        - ``estimate`` (mean of the composed draws), ``std_error`` (their standard deviation),
          ``ci_low``, ``ci_high`` (their quantiles at `ci_level`), all as proportions
          (0.05 = five percentage points);
        - ``p_value`` (two-sided t test of zero, with the regression's residual degrees of
          freedom; differences and slopes only) and ``q_value`` (Benjamini–Hochberg over all
          p-values in the table);
        - ``n_documents``, ``n_units`` (documents and units at the level or date bin) and
          ``too_few_documents``;
        - ``robust`` (the topic's stability verdict, missing without `stability`);
        - ``regressed_on`` (``document`` or the unit name).

    Raises
    ------
    KeyError
        If a named docvar is missing.
    ValueError
        If `reference` is not a level, a date column holds no dates, or nothing is left.

    Notes
    -----
    The method of composition, as stm's ``estimateEffect`` with ``uncertainty="Local"``
    (Roberts, Stewart & Tingley 2019; Treier & Jackman 2008): for each of `n_draws` draws,
    every unit's topic proportions are drawn from its Dirichlet posterior (for gensim's
    variational LDA, Dirichlet(γ)), units are added up into documents weighted by their
    tokens, and each topic's proportions are regressed by OLS on the design matrix; from each
    fit `n_coef_draws` coefficient vectors are drawn from N(β̂, V̂). The pooled coefficient
    draws carry both the sampling uncertainty of the regression and the topic model's
    uncertainty about the proportions; every reported quantity is a linear combination of
    the coefficients, so its draws are too. Category levels are dummy-coded internally; the
    reported shares and contrasts do not depend on that coding.

    Shares are modelled linearly, as in stm, so the interval of a rare topic can reach below
    zero. The intervals carry the uncertainty of the proportions given the topics, not of the
    topics themselves: pass several fits (:func:`with_refits`) to add the dependence on the
    random start, and read the differences of robust topics only.

    The same inputs and `random_state` give the same table.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> docvars = pd.DataFrame({"doc_id": [f"d{i}" for i in range(8)],
    ...                         "district": ["槐荫区"] * 4 + ["市中区"] * 4})
    >>> gamma = np.array([[30.0, 10.0]] * 4 + [[10.0, 30.0]] * 4)
    >>> post = TopicPosterior(gamma=gamma, unit_tokens=np.full(8, 40.0), docvars=docvars,
    ...                       labels=pd.Series(["1 红色·资源", "2 乡村·振兴"], index=[1, 2]))
    >>> table = estimate_effect(post, by="district", reference="市中区", random_state=0)
    >>> row = table.query("topic == 1 and quantity == 'difference'").iloc[0]
    >>> row["level"], bool(row["estimate"] > 0.3), bool(row["ci_low"] > 0)
    ('槐荫区', True, True)
    """
    from scipy import stats

    posteriors = _posteriors(model)
    posterior = posteriors[0]
    for name, value, low in (("n_draws", n_draws, 1), ("n_coef_draws", n_coef_draws, 2), ("min_docs", min_docs, 1),
                             ("spline_df", spline_df, 1), ("date_points", date_points, 2)):
        if int(value) != value or value < low:
            raise ValueError(f"{name} must be an integer of at least {low}, got {value!r}")
    if not 0 < ci_level < 1:
        raise ValueError(f"ci_level must be between 0 and 1, got {ci_level!r}")
    if cov_type not in _COV_TYPES:
        raise ValueError(f"cov_type must be one of {_COV_TYPES}, got {cov_type!r}")
    design = _build_design(posterior, by=by, covariates=covariates, reference=reference, date=date,
                           spline_df=int(spline_df), date_points=int(date_points), regress_on=regress_on,
                           min_docs=int(min_docs), require_date=require_date)
    ols = _OLS.of(design.matrix)
    if ols.df_resid < 1:
        raise ValueError(
            f"{design.matrix.shape[0]} regression rows cannot estimate {ols.rank} coefficients with any "
            "uncertainty; use a coarser `by`, fewer covariates, a smaller spline_df or regress_on='unit'"
        )
    df_resid = ols.df_resid

    generator = np.random.default_rng(random_state)
    k = posterior.k
    n_quant = design.combos.shape[0]
    draws = np.empty((k, n_draws * n_coef_draws, n_quant))
    for d in range(n_draws):
        # With several fits, draws cycle through them: the composition then also spans the
        # topic model's dependence on its random start.
        proportions = design.aggregate @ posteriors[d % len(posteriors)].draw(generator)
        params, weights = ols.fit(proportions, cov_type=cov_type)
        for topic in range(k):
            coef = ols.draw_coefficients(params[:, topic], weights[:, topic], generator, n_coef_draws)
            draws[topic, d * n_coef_draws : (d + 1) * n_coef_draws] = coef @ design.combos.T

    tail = (1 - ci_level) / 2
    estimate = draws.mean(axis=1)
    std_error = draws.std(axis=1, ddof=1)
    # Topic by topic: np.quantile works on a copy of what it is given, and all topics' draws
    # are K x 2,500 x quantities (250 MB for 3 topics and 2,051 districts).
    low, high = np.empty_like(estimate), np.empty_like(estimate)
    for topic in range(k):
        low[topic], high[topic] = np.quantile(draws[topic], [tail, 1 - tail], axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_value = estimate / std_error
    p_value = 2 * stats.t.sf(np.abs(t_value), df_resid)
    tested = design.rows["quantity"].isin(["difference", "slope"]).to_numpy()
    p_value[:, ~tested] = np.nan

    table = pd.concat([design.rows] * k, ignore_index=True)
    table.insert(0, "label", np.repeat(posterior.labels.to_numpy(), n_quant))
    table.insert(0, "topic", np.repeat(np.arange(1, k + 1), n_quant))
    table["estimate"] = estimate.ravel()
    table["std_error"] = std_error.ravel()
    table["ci_low"] = low.ravel()
    table["ci_high"] = high.ravel()
    table["p_value"] = p_value.ravel()
    table["q_value"] = np.nan
    has_p = table["p_value"].notna().to_numpy()
    if has_p.any():
        table.loc[has_p, "q_value"] = stats.false_discovery_control(table.loc[has_p, "p_value"].to_numpy())
    table["robust"] = pd.array(_robust(stability, k).reindex(table["topic"]).to_numpy(), dtype="boolean")
    table["regressed_on"] = design.regressed_on
    return table[list(EFFECT_COLUMNS)]


_COV_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3")


@dataclass(frozen=True)
class _OLS:
    """One design matrix, decomposed once, fitted to every draw of every topic.

    stm's ``estimateEffect`` caches the QR decomposition of its design for the same reason:
    the design never changes between draws and topics, only the response does. Every quantity
    goes through ``G⁺ = (XᵀX)⁺``, a coefficients x coefficients matrix, and the sparse design
    itself: the pseudo-inverse of X is ``G⁺ Xᵀ``, so coefficients are ``G⁺ Xᵀ y`` and each
    fit's covariance is ``G⁺ Xᵀ diag(w) X G⁺`` (:meth:`covariance`), which equals
    ``statsmodels.OLS(y, x).fit(cov_type=...)``'s for one topic (checked in the tests).
    statsmodels itself would hold X and its pseudo-inverse as dense rows x coefficients
    matrices: with a dummy for each of 2,051 districts, 437 MB each, and more for the SVD
    while it computes them.

    Notes
    -----
    ``G⁺`` is taken from the eigendecomposition of the Gram matrix of the design's columns
    scaled to unit length (so that a docvar's units do not decide what counts as collinear),
    and directions whose eigenvalue is below ``RANK_TOLERANCE`` times the largest (the
    design's singular values below about 1e-5 of the largest) are treated as exactly
    collinear. For a design of full rank this is the ordinary inverse and every result equals
    statsmodels'. For a design with collinear columns (a covariate nested in `by`, e.g.
    province beside district) it is a generalized inverse: fitted values, residuals,
    leverages and every estimable combination of coefficients equal statsmodels', and so does
    the rank (``df_resid``).
    """

    x: sp.csr_matrix
    gram_inverse: np.ndarray  # G⁺ (coefficients x coefficients)
    leverage: np.ndarray  # diagonal of the hat matrix X G⁺ Xᵀ
    rank: int
    df_resid: int

    #: Eigenvalues of the scaled Gram matrix below this share of the largest count as zero.
    RANK_TOLERANCE = 1e-10
    #: Rows whose leverage is computed at a time (a dense rows x coefficients block).
    LEVERAGE_CHUNK_ROWS = 4096

    @classmethod
    def of(cls, x: np.ndarray | sp.spmatrix) -> _OLS:
        x = sp.csr_matrix(x, dtype=np.float64)
        n_rows = x.shape[0]
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=0)).ravel())
        scale = 1.0 / np.where(norms > 0, norms, 1.0)
        scaled_gram = (x.T @ x).toarray() * scale[:, None] * scale[None, :]
        eigenvalues, vectors = np.linalg.eigh(scaled_gram)
        kept = eigenvalues > cls.RANK_TOLERANCE * max(float(eigenvalues.max()), 0.0)
        inverse_scaled = (vectors[:, kept] / eigenvalues[kept]) @ vectors[:, kept].T
        gram_inverse = inverse_scaled * scale[:, None] * scale[None, :]
        leverage = np.empty(n_rows)
        for start in range(0, n_rows, cls.LEVERAGE_CHUNK_ROWS):
            rows = x[start:start + cls.LEVERAGE_CHUNK_ROWS]
            leverage[start:start + rows.shape[0]] = np.asarray(rows.multiply(rows @ gram_inverse).sum(axis=1)).ravel()
        rank = int(kept.sum())
        return cls(x=x, gram_inverse=gram_inverse, leverage=leverage, rank=rank, df_resid=n_rows - rank)

    def fit(self, y: np.ndarray, *, cov_type: str) -> tuple[np.ndarray, np.ndarray]:
        """Coefficients (coefficients x topics) and each row's variance weight (rows x topics).

        statsmodels writes every covariance it offers as ``P diag(w) Pᵀ`` with P the design's
        pseudo-inverse (its ``_HCCM``; the classical one is ``s² (XᵀX)⁻¹ = s² P Pᵀ``), so the
        weights w carry the whole choice.
        """
        params = self.gram_inverse @ (self.x.T @ y)
        resid = y - self.x @ params
        scale = (resid**2).sum(axis=0) / self.df_resid
        if cov_type == "nonrobust":
            return params, np.broadcast_to(scale, resid.shape)
        n = self.x.shape[0]
        # A row with leverage 1 (a level with a single observation) has a zero residual that says
        # nothing about its variance: it borrows the classical variance estimate instead.
        own = self.leverage < 1 - 1e-8
        one_minus_h = np.where(own, 1 - self.leverage, 1.0)[:, None]
        weights = {
            "HC0": resid**2,
            "HC1": resid**2 * n / self.df_resid,
            "HC2": resid**2 / one_minus_h,
            "HC3": resid**2 / one_minus_h**2,
        }[cov_type]
        return params, np.where(own[:, None], weights, scale[None, :])

    def covariance(self, weights: np.ndarray) -> np.ndarray:
        """The coefficients' covariance ``P diag(w) Pᵀ = G⁺ Xᵀ diag(w) X G⁺`` for one topic's row weights."""
        middle = (self.x.T @ self.x.multiply(np.asarray(weights)[:, None])).toarray()
        return self.gram_inverse @ middle @ self.gram_inverse

    def draw_coefficients(self, params: np.ndarray, weights: np.ndarray, generator: np.random.Generator,
                          n: int) -> np.ndarray:
        """`n` draws (n x coefficients) from N(β̂, P diag(w) Pᵀ) for one topic.

        β̂ + P (√w ⊙ u) with u standard normal over the rows has exactly that distribution, and
        costs a pass over the sparse design per draw; forming the covariance and factoring it
        would cost coefficients³ per fit, minutes with a few thousand groups.
        """
        u = generator.standard_normal((self.x.shape[0], n))
        return params[None, :] + (self.gram_inverse @ (self.x.T @ (np.sqrt(weights)[:, None] * u))).T


def _posteriors(model: Any) -> list[TopicPosterior]:
    """One posterior per fit, topics of later fits matched to the first fit's (by their φ)."""
    fits = list(model) if isinstance(model, list | tuple) else [model]
    if not fits:
        raise ValueError("model is an empty sequence; pass a TopicModel, a TopicPosterior or a list of them")
    posteriors = []
    for i, fit in enumerate(fits):
        post = fit if isinstance(fit, TopicPosterior) else TopicPosterior.from_model(fit)
        if i and not isinstance(fit, TopicPosterior):
            if isinstance(fits[0], TopicPosterior):
                raise TypeError("mix of TopicPosterior and TopicModel: pass models only, or posteriors aligned by hand")
            match, _ = align_topics(fits[0].phi, fit.phi)
            post = TopicPosterior(gamma=post.gamma[:, match], unit_tokens=post.unit_tokens, docvars=post.docvars,
                                  labels=posteriors[0].labels, unit=post.unit)
        if i and (post.gamma.shape != posteriors[0].gamma.shape
                  or not np.array_equal(post.docvars["doc_id"].to_numpy(), posteriors[0].docvars["doc_id"].to_numpy())):
            raise ValueError(f"fit {i} has other units or topics than fit 0; several fits must share one corpus and K")
        posteriors.append(post)
    return posteriors


def _robust(stability: Stability | pd.DataFrame | None, k: int) -> pd.Series:
    """Each topic's robustness verdict (index 1..K), missing when no stability was given."""
    index = pd.RangeIndex(1, k + 1, name="topic")
    if stability is None:
        return pd.Series(pd.NA, index=index, dtype="boolean")
    topics = stability if isinstance(stability, pd.DataFrame) else stability.topics
    if not {"topic", "robust"} <= set(topics.columns):
        raise KeyError("stability must be a Stability or a table with topic and robust columns")
    return topics.set_index("topic")["robust"].astype("boolean").reindex(index)


# --------------------------------------------------------------------------------------------
# Sentences, built from the table alone
# --------------------------------------------------------------------------------------------


def check_effect_table(table: pd.DataFrame, *extra: str) -> None:
    """Raise a KeyError unless `table` has the columns of :func:`estimate_effect` (and `extra`)."""
    missing = [c for c in (*EFFECT_COLUMNS, *extra) if c not in table.columns]
    if missing:
        raise KeyError(f"the table lacks column(s) {missing}; pass a table from estimate_effect")


def describe_effects(
    table: pd.DataFrame,
    *,
    covariate: str | None = None,
    max_q: float = 0.05,
    n: int = 5,
) -> str:
    """Say in English which levels differ from their reference, as the table shows it.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from :func:`estimate_effect`.
    covariate : str, optional
        Defaults to the table's first covariate with ``difference`` rows.
    max_q : float, default 0.05
        Differences with a Benjamini–Hochberg ``q_value`` at most this are reported as clear.
    n : int, default 5
        Name at most this many differences, the largest first.

    Returns
    -------
    str
        A short paragraph (Markdown) generated from the table: how many differences are clear,
        the largest of them with their intervals, and which levels have too few documents to
        be read.

    Examples
    --------
    >>> table = pd.DataFrame({
    ...     "topic": [1, 2], "label": ["1 红色·资源", "2 乡村·振兴"], "covariate": "district",
    ...     "level": ["槐荫区", "槐荫区"], "quantity": "difference", "contrast": "vs mean of levels",
    ...     "estimate": [0.12, -0.01], "std_error": [0.03, 0.02], "ci_low": [0.06, -0.05],
    ...     "ci_high": [0.18, 0.03], "p_value": [0.001, 0.6], "q_value": [0.002, 0.6],
    ...     "n_documents": 6, "n_units": 30, "too_few_documents": False, "robust": pd.NA,
    ...     "regressed_on": "document"})
    >>> print(describe_effects(table))  # doctest: +NORMALIZE_WHITESPACE
    By district (each level vs mean of levels; regression on documents): 1 of 2 differences
    have q ≤ 0.05. Largest: 槐荫区 more on topic 1 红色·资源 (+12.0 points, 95 % interval +6.0 to
    +18.0).
    """
    check_effect_table(table)
    diffs = table[table["quantity"] == "difference"]
    if covariate is None:
        if diffs.empty:
            return "The table has no differences to describe."
        covariate = str(diffs["covariate"].iloc[0])
    diffs = diffs[diffs["covariate"] == covariate]
    if diffs.empty:
        return f"The table has no differences for {covariate!r}."
    contrast = str(diffs["contrast"].iloc[0])
    unit = str(diffs["regressed_on"].iloc[0])
    readable = diffs[~diffs["too_few_documents"].astype(bool)]
    clear = readable[readable["q_value"] <= max_q]
    if readable.empty:
        text = (f"By {covariate} (each level {contrast}; regression on {unit}s): no difference can be read, "
                "because every level has too few documents.")
    else:
        text = (f"By {covariate} (each level {contrast}; regression on {unit}s): {len(clear)} of {len(readable)} "
                f"differences have q ≤ {max_q:g}.")
    if len(clear):
        top = clear.reindex(clear["estimate"].abs().sort_values(ascending=False).index).head(n)
        items = [
            f"{r.level} {'more' if r.estimate > 0 else 'less'} on topic {r.label} "
            f"({100 * r.estimate:+.1f} points, 95 % interval {100 * r.ci_low:+.1f} to {100 * r.ci_high:+.1f})"
            for r in top.itertuples()
        ]
        text += " Largest: " + "; ".join(items) + "."
    robust = clear["robust"].astype("boolean")
    if robust.notna().any() and (~robust.fillna(True)).any():
        text += (f" {int((~robust.fillna(True)).sum())} of the clear differences concern topics that are not "
                 "robust across seeds.")
    few = sorted(diffs.loc[diffs["too_few_documents"].astype(bool), "level"].astype(str).unique())
    if few:
        text += f" Too few documents to read: {', '.join(few)}."
    if unit != "document":
        text += (f" The regression treats {unit}s of one document as independent, so these intervals are "
                 "too narrow.")
    return text


# DMR, the figures and the refits lived here before 0.2 (corpus_tools.topic_effects); the old names keep working.
from ..textplot.topics import plot_effects, plot_trend  # noqa: E402,F401
from .dmr import compare_effects, describe_comparison, dmr_effects  # noqa: E402,F401
from .stability import with_refits  # noqa: E402,F401
