"""Intervals of a rate from clustered units: the bootstrap the rhetoric tables report.

:func:`rate_intervals` estimates each group's rate ``scale * sum(counts) / sum(lengths)`` with an
interval: a document (cluster) bootstrap-t of the group's rate when the group has enough
documents, and otherwise an interval of the documents' own rate, labelled so, or none.
:class:`IntervalSettings` holds how (resamples, coverage, seed, what is resampled, small
groups): one frozen object that :func:`corpus_tools.rhetoric.frequency`,
:func:`~corpus_tools.rhetoric.formulaicness` and :func:`~corpus_tools.rhetoric.four_char_density`
pass through instead of repeating six keywords. It works on arrays of per-unit counts and knows
nothing of corpora; ``benchmarks/bootstrap_coverage.py`` measures its coverage.
"""

from __future__ import annotations

import dataclasses
import numbers
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = [
    "CI_DOCUMENT",
    "CI_DOCUMENT_BCA",
    "CI_OWN_RATE",
    "MIN_DOCS_FOR_INTERVAL",
    "IntervalSettings",
    "rate_intervals",
]

Resample = Literal["paragraph", "document"]
SmallGroups = Literal["own_rate", "nan"]
# Bootstrap resamples are drawn in batches of at most this many cells (resamples × units ×
# terms), so memory stays bounded on a corpus of thousands of articles.
_BLOCK_CELLS = 2_000_000

# Fewer resampled units than this make the bootstrap-t erratic (a resample of 4 paragraphs
# can have a standard error near 0 and an upper bound of 1e40): BCa at the expanded level then.
_MIN_UNITS_STUDENTIZED = 10

#: Fewest documents a group needs for a document bootstrap of its rate. Below 10 documents the
#: bootstrap's coverage falls well short of nominal (benchmarks/bootstrap_coverage.py).
MIN_DOCS_FOR_INTERVAL = 10
#: ``ci_method`` of an interval for the group's rate: documents resampled, studentized.
CI_DOCUMENT = "document bootstrap-t: the group's rate"
#: ``ci_method`` when the bootstrap-t has no finite bound (too many resamples without spread).
CI_DOCUMENT_BCA = "document bootstrap (BCa, expanded level): the group's rate"
#: ``ci_method`` of an interval for the given documents' own rate: their paragraphs resampled.
CI_OWN_RATE = "paragraph bootstrap: these documents' own rate"


def _real(value: Any) -> bool:
    """A number, not a bool (True would pass for 1 resample)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _whole(value: Any, *, minimum: int | None) -> bool:
    """An integral number (3 or 3.0), at least `minimum`."""
    return _real(value) and float(value).is_integer() and (minimum is None or value >= minimum)


@dataclass(frozen=True)
class IntervalSettings:
    """How the intervals of a rate are computed: one object for every function that gives them.

    :func:`rate_intervals`, :func:`frequency`, :func:`formulaicness` and
    :func:`four_char_density` take it as ``intervals=``; each field can also be passed to them
    as a keyword of the same name, which overrides the field.

    Parameters
    ----------
    n_boot : int, default 1000
        Bootstrap resamples (a count); 0 skips the intervals (``ci_low``/``ci_high`` NaN).
    ci : float, default 0.95
        Nominal coverage of the interval (a share, in (0, 1)).
    random_state : int, default 0
        Seed of the bootstrap; the same inputs and seed give the same intervals.
    resample : {"document", "paragraph"}, default "document"
        ``"document"``: the interval of the group's rate, resampling its documents, for
        groups with at least `min_docs_for_interval` documents (smaller groups as
        `small_groups` says). ``"paragraph"``: every group gets an interval of its documents'
        own rate, resampling paragraphs.
    min_docs_for_interval : int, default 10
        Fewest documents a group needs for a document bootstrap of its rate (a count, at
        least 3); see the Notes of :func:`rate_intervals`.
    small_groups : {"own_rate", "nan"}, default "own_rate"
        For a group below `min_docs_for_interval` documents: ``"own_rate"`` gives the
        interval of its documents' own rate (paragraphs resampled, labelled so in
        ``ci_method``); ``"nan"`` gives no interval.

    Raises
    ------
    ValueError
        When a field is out of range; the message names the field.

    Examples
    --------
    >>> IntervalSettings(n_boot=200).replace(random_state=7)
    IntervalSettings(n_boot=200, ci=0.95, random_state=7, resample='document', min_docs_for_interval=10, small_groups='own_rate')
    >>> IntervalSettings(ci=95)
    Traceback (most recent call last):
    ...
    ValueError: ci is a coverage in (0, 1), got 95
    """

    n_boot: int = 1000
    ci: float = 0.95
    random_state: int = 0
    resample: Resample = "document"
    min_docs_for_interval: int = MIN_DOCS_FOR_INTERVAL
    small_groups: SmallGroups = "own_rate"

    def __post_init__(self) -> None:
        if self.resample not in ("document", "paragraph"):
            raise ValueError(f"resample must be 'document' or 'paragraph', not {self.resample!r}")
        if self.small_groups not in ("own_rate", "nan"):
            raise ValueError(f"small_groups must be 'own_rate' or 'nan', not {self.small_groups!r}")
        if not _whole(self.min_docs_for_interval, minimum=3):
            raise ValueError(
                "min_docs_for_interval is a number of documents, at least 3 (with 2 the expanded interval is "
                f"unbounded); got {self.min_docs_for_interval!r}"
            )
        if not _whole(self.n_boot, minimum=0):
            raise ValueError(f"n_boot is a number of resamples (0 skips the intervals); got {self.n_boot!r}")
        if not (_real(self.ci) and 0 < self.ci < 1):
            raise ValueError(f"ci is a coverage in (0, 1), got {self.ci!r}")
        if not _whole(self.random_state, minimum=None):
            raise ValueError(f"random_state is an integer seed, got {self.random_state!r}")

    @classmethod
    def from_kwargs(cls, base: IntervalSettings | None = None, /, **kwargs: Any) -> IntervalSettings:
        """`base` (default: the defaults) with the fields named in `kwargs` replaced.

        Raises
        ------
        TypeError
            When a keyword is not a field; the message lists the fields.

        Examples
        --------
        >>> IntervalSettings.from_kwargs(IntervalSettings(n_boot=0), ci=0.9).ci
        0.9
        """
        if base is not None and not isinstance(base, IntervalSettings):
            raise TypeError(f"intervals must be an IntervalSettings, not {type(base).__name__}")
        fields = [field.name for field in dataclasses.fields(cls)]
        unknown = [name for name in kwargs if name not in fields]
        if unknown:
            raise TypeError(f"unknown interval option(s) {unknown}; the options are {fields}")
        base = cls() if base is None else base
        return dataclasses.replace(base, **kwargs) if kwargs else base

    def replace(self, **kwargs: Any) -> IntervalSettings:
        """A copy with the named fields replaced (validated again)."""
        return IntervalSettings.from_kwargs(self, **kwargs)


def _expanded_level(n: int, ci: float) -> float:
    """Confidence level whose normal quantile is ``sqrt(n/(n-1))`` times Student's t quantile.

    Hesterberg's (2015) "expanded" bootstrap interval: the bootstrap distribution of a mean
    is too narrow by ``sqrt((n-1)/n)`` and ignores that the spread itself is estimated, which
    costs several points of coverage with 10 documents; widening the level corrects both.
    """
    from scipy.stats import norm, t

    z = np.sqrt(n / (n - 1)) * t.ppf((1 + ci) / 2, n - 1)
    return float(2 * norm.cdf(z) - 1)


def _ratio_and_se(num: np.ndarray, den: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ratio of sums along the last axis and its linearisation (delta-method) standard error."""
    n = num.shape[-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = num.sum(axis=-1) / den.sum(axis=-1)
        residuals = (num - ratio[..., np.newaxis] * den) / den.mean(axis=-1, keepdims=True)
        se = np.sqrt((residuals**2).sum(axis=-1) / (n * (n - 1)))
    return ratio, se


def _ratio_intervals(num: np.ndarray, den: np.ndarray, *, n_boot: int, ci: float, rng: np.random.Generator,
                     scale: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Interval of ``scale * sum(num) / sum(den)`` for every column of `num`, resampling rows.

    Returns the bounds and, per column, whether the bootstrap-t interval was used (else BCa).
    """
    from scipy.stats import bootstrap

    n, k = num.shape
    # One sample per term, the denominators repeated beside them, resampled together (paired).
    data = (np.ascontiguousarray(num.T, dtype=float), np.broadcast_to(den.astype(float), (k, n)))
    batch = max(1, _BLOCK_CELLS // max(1, n * k))
    estimate, se = _ratio_and_se(*data)

    def studentized(numerator, denominator, axis=-1):
        ratio, spread = _ratio_and_se(numerator, denominator)
        centre = estimate.reshape((-1,) + (1,) * (ratio.ndim - 1))
        with np.errstate(invalid="ignore", divide="ignore"):
            # a resample whose units all have the same rate has no spread: its t is ±infinite
            return np.where(spread > 0, (ratio - centre) / spread, np.copysign(np.inf, ratio - centre))

    def ratio_of_sums(numerator, denominator, axis=-1):
        with np.errstate(invalid="ignore", divide="ignore"):
            return numerator.sum(axis=axis) / denominator.sum(axis=axis)

    alpha = (1 - ci) / 2
    with warnings.catch_warnings():
        # degenerate resamples give NaN or infinite bounds, reported in ci_note, not as warnings
        warnings.simplefilter("ignore")
        if n >= _MIN_UNITS_STUDENTIZED:
            t_draws = bootstrap(data, studentized, n_resamples=n_boot, batch=batch, vectorized=True, paired=True,
                                axis=-1, method="percentile", rng=rng).bootstrap_distribution
            t_draws = np.where(np.isnan(t_draws), -np.inf, t_draws)  # an undefined ratio counts as extreme
            t_low, t_high = np.quantile(t_draws, [alpha, 1 - alpha], axis=-1)
            low = np.maximum(0.0, estimate - t_high * se)
            high = estimate - t_low * se
            studentized_ok = np.isfinite(low) & np.isfinite(high) & (se > 0)
        else:
            low, high = np.full(k, np.nan), np.full(k, np.nan)
            studentized_ok = np.zeros(k, dtype=bool)
        if not studentized_ok.all():
            rest = np.flatnonzero(~studentized_ok)
            bca = bootstrap((data[0][rest], data[1][rest]), ratio_of_sums, n_resamples=n_boot, batch=batch,
                            vectorized=True, paired=True, axis=-1, confidence_level=_expanded_level(n, ci),
                            method="BCa", rng=rng).confidence_interval
            low[rest], high[rest] = np.atleast_1d(bca.low), np.atleast_1d(bca.high)
    return scale * low, scale * high, studentized_ok


def rate_intervals(
    counts: np.ndarray,
    lengths: np.ndarray,
    *,
    documents: Sequence,
    groups: Sequence | None = None,
    levels: Sequence | None = None,
    scale: float = 1.0,
    intervals: IntervalSettings | None = None,
    **interval_options: Any,
) -> pd.DataFrame:
    """Estimate each group's rate ``scale * sum(counts) / sum(lengths)`` with an interval.

    Parameters
    ----------
    counts : array of shape (n_units,) or (n_units, n_terms)
        Occurrences per unit (paragraph) and term.
    lengths : array of shape (n_units,)
        The rate's denominator per unit (characters, items …).
    documents : sequence of length n_units
        The document of every unit: documents are the sampled clusters.
    groups : sequence of length n_units, optional
        The group of every unit; None puts every unit in one group.
    levels : sequence, optional
        The groups to report, in order (a group without units gets NaN); by default the
        groups in order of appearance.
    scale : float, default 1.0
        E.g. ``1e4`` for a rate per 10,000 characters.
    intervals : IntervalSettings, optional
        How the intervals are computed (resamples, coverage, seed, what is resampled, small
        groups); default ``IntervalSettings()``.
    **interval_options
        Any field of :class:`IntervalSettings` (``n_boot``, ``ci``, ``random_state``,
        ``resample``, ``min_docs_for_interval``, ``small_groups``) as a keyword; it overrides
        the field of `intervals`.

    Returns
    -------
    pandas.DataFrame
        One row per (group, term column): ``group``, ``term`` (the column number of
        `counts`), ``n_docs``, ``n_units``, ``count``, ``length``, ``rate``, ``ci_low``,
        ``ci_high``, ``ci_method`` (:data:`CI_DOCUMENT` or :data:`CI_DOCUMENT_BCA` for the
        group's rate, :data:`CI_OWN_RATE` for the documents' own rate, ``""`` when there is no
        interval) and ``ci_note`` (why there is no interval, or why it is only the documents'
        own rate; ``""`` for an interval of the group's rate).

    Notes
    -----
    **What the interval is about.** A group's rate is read as the rate of the texts the group
    (a district, an outlet) produces, of which its documents are a sample. Documents differ in
    their rates far more than chance alone makes them, so the group's documents, not its
    paragraphs, are the independent units: the interval resamples documents with replacement
    (``scipy.stats.bootstrap``, ``paired`` over the numerators and denominators). Resampling
    paragraphs instead measures only how precisely the given documents' own rate is known;
    in simulations with documents whose rates differ such intervals covered the group's
    rate 60–78 % of the time.

    **Which bootstrap.** A ratio of sums from few clusters is skewed, and percentile or BCa
    intervals of it are too narrow (about 89 % for a nominal 95 % with 10 documents). The
    interval is therefore the *bootstrap-t* (studentized) interval (Efron & Tibshirani 1993,
    ch. 12): each resample's ratio minus the estimate, divided by the resample's
    linearisation (delta-method) standard error ``sqrt(Σ (yᵢ - R xᵢ)² / (n (n-1) x̄²))``;
    the interval is ``R - t₀.₉₇₅ · se, R - t₀.₀₂₅ · se`` (its lower end at least 0). When
    more than 2.5 % of the resamples have no spread (mostly resamples of documents without
    an occurrence), a bound is infinite, and the BCa interval at Hesterberg's (2015)
    expanded level (the normal quantile replaced by ``sqrt(n/(n-1))`` times Student's t
    quantile with ``n - 1`` degrees of freedom) is given instead (:data:`CI_DOCUMENT_BCA`), as
    it is for fewer than 10 resampled units, where the bootstrap-t is erratic.
    ``benchmarks/bootstrap_coverage.py`` prints the coverage per number of documents; with
    fewer than 10 documents no bootstrap of documents reaches its nominal coverage, hence
    `min_docs_for_interval`. The interval of the documents' own rate uses the same
    procedure with paragraphs as the resampled units.

    **No zero-width intervals.** A term the group never uses gets no interval (NaN, with
    the reason in ``ci_note``): resampling zeros gives [0, 0], which would look like
    certainty. The same holds when the resampled units cannot vary (one document or one
    paragraph) or the bootstrap distribution is degenerate.

    Examples
    --------
    >>> counts = np.array([3, 1, 0, 2])
    >>> table = rate_intervals(counts, np.array([100, 100, 100, 100]), documents=["a", "a", "b", "b"],
    ...                        scale=1e4, n_boot=200)
    >>> table[["n_docs", "rate", "ci_method"]].values.tolist()
    [[2, 150.0, "paragraph bootstrap: these documents' own rate"]]
    """
    counts = np.asarray(counts, dtype=float)
    if counts.ndim == 1:
        counts = counts[:, np.newaxis]
    lengths = np.asarray(lengths, dtype=float)
    n_units, n_terms = counts.shape
    if lengths.shape != (n_units,) or len(documents) != n_units or (groups is not None and len(groups) != n_units):
        raise ValueError(
            f"counts ({n_units} units), lengths ({len(lengths)}), documents ({len(documents)}) and groups "
            "must describe the same units"
        )
    settings = IntervalSettings.from_kwargs(intervals, **interval_options)
    n_boot, ci, resample = settings.n_boot, settings.ci, settings.resample
    min_docs_for_interval, small_groups = settings.min_docs_for_interval, settings.small_groups
    group_values = pd.Series(["all"] * n_units if groups is None else list(groups), dtype=object)
    if levels is None:
        levels = list(pd.unique(group_values))
    group_codes = pd.Categorical(group_values, categories=list(levels)).codes
    doc_codes = pd.factorize(pd.Series(list(documents), dtype=object), sort=False)[0]
    rng = np.random.default_rng(settings.random_state)

    n_groups = len(levels)
    low = np.full((n_groups, n_terms), np.nan)
    high = np.full((n_groups, n_terms), np.nan)
    method = np.full((n_groups, n_terms), "", dtype=object)
    note = np.full((n_groups, n_terms), "", dtype=object)
    totals = np.zeros((n_groups, n_terms))
    length_totals = np.zeros(n_groups)
    n_docs = np.zeros(n_groups, dtype=np.int64)
    n_in_group = np.zeros(n_groups, dtype=np.int64)
    for g in range(n_groups):
        rows = np.flatnonzero(group_codes == g)
        n_in_group[g] = len(rows)
        if len(rows) == 0:
            note[g] = "no units in the group"
            continue
        g_counts, g_lengths = counts[rows], lengths[rows]
        totals[g] = g_counts.sum(axis=0)
        length_totals[g] = g_lengths.sum()
        docs, codes = np.unique(doc_codes[rows], return_inverse=True)
        n_docs[g] = len(docs)
        if n_boot == 0:
            note[g] = "n_boot=0: intervals skipped"
            continue
        if resample == "document" and len(docs) >= min_docs_for_interval:
            units_num = np.zeros((len(docs), n_terms))
            np.add.at(units_num, codes, g_counts)
            units_den = np.bincount(codes, weights=g_lengths, minlength=len(docs))
            label, unit_name = "document", "documents"
        elif resample == "document" and small_groups == "nan":
            note[g] = (f"{len(docs)} document(s), fewer than min_docs_for_interval={min_docs_for_interval}: "
                       "too few to bound the group's rate")
            continue
        else:
            units_num, units_den = g_counts, g_lengths
            label, unit_name = "own_rate", "paragraphs"
        reason = ""
        if resample == "document" and label == "own_rate":
            reason = (f"{len(docs)} document(s), fewer than min_docs_for_interval={min_docs_for_interval}: "
                      "interval of these documents' own rate, not of the group's")
        elif label == "own_rate":
            reason = "resample='paragraph': interval of these documents' own rate, not of the group's"
        zero = totals[g] == 0
        note[g, zero] = "no occurrence in the group: a bootstrap cannot bound a rate from zero counts"
        if len(units_den) < 2:
            note[g, ~zero] = f"one unit among the {unit_name}: nothing to resample"
            continue
        todo = np.flatnonzero(~zero)
        if len(todo) == 0:
            continue
        lo, hi, studentized = _ratio_intervals(units_num[:, todo], units_den, n_boot=int(n_boot), ci=ci, rng=rng,
                                               scale=scale)
        valid = np.isfinite(lo) & np.isfinite(hi) & (hi > lo)
        ok, bad = todo[valid], todo[~valid]
        low[g, ok], high[g, ok] = lo[valid], hi[valid]
        if label == "document":
            method[g, ok] = np.where(studentized[valid], CI_DOCUMENT, CI_DOCUMENT_BCA)
        else:
            method[g, ok] = CI_OWN_RATE
        note[g, ok] = reason
        note[g, bad] = (f"no finite interval: the resampled {unit_name} are too few or do not vary "
                        "(degenerate bootstrap)")
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = scale * totals / length_totals[:, np.newaxis]
    return pd.DataFrame({
        "group": np.repeat(np.asarray(levels, dtype=object), n_terms),
        "term": np.tile(np.arange(n_terms), n_groups),
        "n_docs": np.repeat(n_docs, n_terms),
        "n_units": np.repeat(n_in_group, n_terms),
        "count": totals.ravel(),
        "length": np.repeat(length_totals, n_terms),
        "rate": rate.ravel(),
        "ci_low": low.ravel(),
        "ci_high": high.ravel(),
        "ci_method": method.ravel(),
        "ci_note": note.ravel(),
    })
