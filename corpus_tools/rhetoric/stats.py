"""Frequencies, formulaicness and four-character density, per document or group, with bootstrap intervals.

Every function here takes the corpus first and, where it counts occurrences, the occurrence
tables found in it (one row per match, with ``doc_id``, ``unit_id`` and, for coverage,
``start``/``end``), and returns a tidy table with counts *and* rates. Documents are grouped by
:func:`corpus_tools.corpus.metadata.group_labels`, the package's one grouping rule. Intervals come from
:func:`rate_intervals`, set by one :class:`IntervalSettings`: a document (cluster) bootstrap-t
of the group's rate when the group has enough documents, and otherwise an interval of the
documents' own rate, labelled so, or none; the ``ci_method`` and ``ci_note`` columns say which
and why. ``benchmarks/bootstrap_coverage.py`` measures their coverage.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..compat import REMOVED_IN
from ..corpus.metadata import group_labels
from .text import iter_docs

__all__ = [
    "CI_DOCUMENT",
    "CI_DOCUMENT_BCA",
    "CI_OWN_RATE",
    "MIN_DOCS_FOR_INTERVAL",
    "IntervalSettings",
    "paragraph_table",
    "rate_intervals",
    "frequency",
    "inventory",
    "formulaicness",
    "four_char_density",
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
        minimum = self.min_docs_for_interval
        if isinstance(minimum, bool) or int(minimum) != minimum or minimum < 3:
            raise ValueError(
                "min_docs_for_interval is a number of documents, at least 3 (with 2 the expanded interval is "
                f"unbounded); got {minimum!r}"
            )
        if isinstance(self.n_boot, bool) or int(self.n_boot) != self.n_boot or self.n_boot < 0:
            raise ValueError(f"n_boot is a number of resamples (0 skips the intervals); got {self.n_boot!r}")
        if not 0 < self.ci < 1:
            raise ValueError(f"ci is a coverage in (0, 1), got {self.ci!r}")
        if isinstance(self.random_state, bool) or int(self.random_state) != self.random_state:
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


def _group_labels(corpus, by: str) -> pd.Series:
    """Label per document (index: doc_id as str) by the package's one grouping rule."""
    labels = group_labels(corpus.docvars, by)
    labels.index = labels.index.astype(str)
    return labels


def _corpus_first(function: str, corpus: Any, table: Any) -> tuple[Any, Any]:
    """Accept the old argument order ``function(table, corpus)`` for one release, with a warning."""
    if isinstance(corpus, pd.DataFrame) and not isinstance(table, pd.DataFrame):
        warnings.warn(
            f"{function}(table, corpus) is now {function}(corpus, table): the corpus comes first, as in every "
            f"analysis of the package; the old order stops working in {REMOVED_IN}",
            FutureWarning,
            stacklevel=3,
        )
        return table, corpus
    return corpus, table


def _levels(labels: pd.Series) -> list:
    if isinstance(labels.dtype, pd.CategoricalDtype):
        return [c for c in labels.cat.categories if c in set(labels)]
    return list(pd.unique(labels))


def paragraph_table(corpus, *, by: str = "group") -> pd.DataFrame:
    """Return one row per body paragraph with its group label and length.

    Returns
    -------
    pandas.DataFrame
        Index ``unit_id``; columns ``doc_id``, ``<by>`` (the group label; named ``label`` when
        ``by="doc_id"``) and ``n_chars`` (characters of the paragraph).
    """
    labels = _group_labels(corpus, by)
    rows = [(unit_id, doc.doc_id, len(paragraph))
            for doc in iter_docs(corpus) for unit_id, _, paragraph in doc.paragraphs()]
    table = pd.DataFrame(rows, columns=["unit_id", "doc_id", "n_chars"]).set_index("unit_id")
    table.insert(1, by if by != "doc_id" else "label", table["doc_id"].map(labels).to_numpy())
    return table


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


def _add_intervals(table: pd.DataFrame, intervals: pd.DataFrame) -> pd.DataFrame:
    """Append the interval columns; `intervals` has the same (group, term) rows in the same order."""
    return table.assign(**{column: intervals[column].to_numpy()
                           for column in ("ci_low", "ci_high", "n_docs", "ci_method", "ci_note")})


def _interval_columns(units: pd.DataFrame, num: np.ndarray, den: np.ndarray, *, label_col: str, levels: list,
                      scale: float, intervals: IntervalSettings) -> pd.DataFrame:
    """Intervals of the per-group rates of `num` / `den` over the paragraph table `units`."""
    return rate_intervals(num, den, documents=units["doc_id"].to_numpy(), groups=units[label_col].to_numpy(),
                          levels=levels, scale=scale, intervals=intervals)


def frequency(
    corpus,
    matches: pd.DataFrame | None = None,
    *,
    term: str = "category",
    by: str = "group",
    registry=None,
    intervals: IntervalSettings | None = None,
    **interval_options: Any,
) -> pd.DataFrame:
    """Count occurrences per group and term, with rates per 10,000 characters and intervals.

    Parameters
    ----------
    corpus : Corpus
        The corpus the matches come from (for paragraph lengths and group labels).
    matches : pandas.DataFrame, optional
        One row per occurrence, with ``unit_id`` (a paragraph id of `corpus`) and the column
        named by `term`; e.g. :func:`match_registry` or :func:`numbered_formulas`. By default
        the registry's matches, ``match_registry(corpus, registry)``.
    term : str, default "category"
        Column of `matches` to count by (``category``, ``canonical``, ``formula`` …). A
        categorical column keeps all its categories, so absent terms get a 0 row.
    by : str, default "group"
        Docvar that groups documents, by :func:`corpus_tools.corpus.metadata.group_labels`
        (``doc_id`` for one row per document).
    registry : Registry or str, optional
        Registry matched when `matches` is not given; by default the package registry.
    intervals : IntervalSettings, optional
        How the intervals are computed; default ``IntervalSettings()`` (1,000 document
        resamples, 95 %, seed 0, groups of fewer than 10 documents get their documents' own
        rate, labelled so).
    **interval_options
        Any field of :class:`IntervalSettings` (``n_boot``, ``ci``, ``random_state``,
        ``resample``, ``min_docs_for_interval``, ``small_groups``) as a keyword, overriding
        that field of `intervals`; e.g. ``n_boot=0`` skips the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per (group, term), every combination present: ``<by>, <term>, count,
        n_chars`` (body characters of the group), ``per_10k_chars``, ``ci_low, ci_high``
        (interval of ``per_10k_chars``), ``n_docs`` (documents in the group), ``ci_method``
        (what the interval is about: :data:`CI_DOCUMENT` for the group's rate,
        :data:`CI_OWN_RATE` for the documents' own rate, ``""`` for none) and ``ci_note``
        (why an interval is missing or only about the documents' own rate). Groups in
        docvar order (category order if categorical); terms in category order, else by
        total count.

    Notes
    -----
    A group's rate is read as the rate of the texts the group produces, of which its
    documents are a sample; see :func:`rate_intervals` for the intervals, their measured
    coverage and why a term the group never uses gets no interval rather than [0, 0].

    The corpus comes first, as in every analysis of the package; the old order
    ``frequency(matches, corpus)`` still works for one release, with a :class:`FutureWarning`.

    Examples
    --------
    >>> from corpus_tools.corpus import corpus_from_texts
    >>> from corpus_tools.rhetoric import match_registry
    >>> corp = corpus_from_texts({"a": "学史明理。\\n\\n急难愁盼。", "b": "走深走实。"})
    >>> freq = frequency(corp, match_registry(corp), by="doc_id", term="canonical", n_boot=0)
    >>> freq[["doc_id", "canonical", "count", "per_10k_chars"]].values.tolist()[:2]
    [['a', '学史明理、学史增信、学史崇德、学史力行', 1, 1000.0], ['a', '急难愁盼', 1, 1000.0]]
    """
    corpus, matches = _corpus_first("frequency", corpus, matches)
    settings = IntervalSettings.from_kwargs(intervals, **interval_options)
    if matches is None:
        from .registry import match_registry

        matches = match_registry(corpus, registry)
    units = paragraph_table(corpus, by=by)
    label_col = by if by != "doc_id" else "label"
    unknown = set(matches["unit_id"]) - set(units.index) if len(matches) else set()
    if unknown:
        raise KeyError(f"{len(unknown)} unit_id(s) are not paragraphs of the corpus, e.g. {sorted(unknown)[:3]}")
    values = matches[term]
    if isinstance(values.dtype, pd.CategoricalDtype):
        terms = list(values.cat.categories)
    else:
        terms = list(values.value_counts(sort=True).index) if len(values) else []
    term_codes = pd.Categorical(values, categories=terms).codes
    unit_codes = units.index.get_indexer(matches["unit_id"])
    num = np.zeros((len(units), len(terms)))
    np.add.at(num, (unit_codes, term_codes), 1)
    levels = _levels(_group_labels(corpus, by))
    bounds = _interval_columns(units, num, units["n_chars"].to_numpy(), label_col=label_col, levels=levels,
                               scale=1e4, intervals=settings)
    group_codes = pd.Categorical(units[label_col], categories=levels).codes
    counts = np.zeros((len(levels), len(terms)))
    np.add.at(counts, group_codes, num)
    chars = np.bincount(group_codes, weights=units["n_chars"].to_numpy(), minlength=len(levels))
    table = pd.DataFrame({
        by: np.repeat(levels, len(terms)),
        term: np.tile(terms, len(levels)),
        "count": counts.ravel().astype("int64"),
        "n_chars": np.repeat(chars, len(terms)).astype("int64"),
    })
    with np.errstate(invalid="ignore", divide="ignore"):
        table["per_10k_chars"] = 1e4 * table["count"] / table["n_chars"]
    table = _add_intervals(table, bounds)
    if isinstance(values.dtype, pd.CategoricalDtype):
        table[term] = pd.Categorical(table[term], categories=terms)
    return table


def inventory(corpus, occurrences: pd.DataFrame, *, term: str, by: str = "group") -> pd.DataFrame:
    """List what occurs in each group, how often, and where first.

    Parameters
    ----------
    corpus : Corpus
        The corpus the occurrences come from (for lengths and group labels).
    occurrences : pandas.DataFrame
        One row per occurrence with ``doc_id``, ``unit_id`` and the column `term`.
    term : str
        Column that names what occurred (``formula``, ``term``, ``frame`` …).
    by : str, default "group"
        Docvar that groups documents (``doc_id`` for documents).

    Returns
    -------
    pandas.DataFrame
        One row per (group, term) that occurs: ``<by>, <term>, count, n_docs,
        per_10k_chars, first_unit`` (the paragraph of the first occurrence), groups in docvar
        order, most frequent first within a group.

    Notes
    -----
    The corpus comes first; the old order ``inventory(occurrences, corpus, ...)`` still works
    for one release, with a :class:`FutureWarning`.

    Examples
    --------
    >>> from corpus_tools.corpus import corpus_from_texts
    >>> from corpus_tools.rhetoric import numbered_formulas
    >>> corp = corpus_from_texts({"a": "做好“七个一”，推进“七进”。做好“七个一”。"})
    >>> inventory(corp, numbered_formulas(corp), term="formula", by="doc_id")[["formula", "count"]].values.tolist()
    [['七个一', 2], ['七进', 1]]
    """
    corpus, occurrences = _corpus_first("inventory", corpus, occurrences)
    units = paragraph_table(corpus, by=by)
    label_col = by if by != "doc_id" else "label"
    labels = _group_labels(corpus, by)
    levels = _levels(labels)
    chars = units.groupby(label_col, sort=False)["n_chars"].sum()
    columns = [by, term, "count", "n_docs", "per_10k_chars", "first_unit"]
    if occurrences.empty:
        return pd.DataFrame(columns=columns)
    table = occurrences.assign(**{"_label": occurrences["doc_id"].astype(str).map(labels).to_numpy()})
    grouped = (
        table.groupby(["_label", term], sort=False, observed=True)
        .agg(count=("unit_id", "size"), n_docs=("doc_id", "nunique"), first_unit=("unit_id", "first"))
        .reset_index()
        .rename(columns={"_label": by})
    )
    grouped["per_10k_chars"] = 1e4 * grouped["count"] / grouped[by].map(chars).to_numpy()
    grouped["_order"] = grouped[by].map({level: k for k, level in enumerate(levels)})
    grouped = grouped.sort_values(["_order", "count"], ascending=[True, False], kind="mergesort")
    return grouped[columns].reset_index(drop=True)


def formulaicness(
    corpus,
    spans: Mapping[str, pd.DataFrame] | None = None,
    *,
    by: str = "group",
    registry=None,
    intervals: IntervalSettings | None = None,
    **interval_options: Any,
) -> pd.DataFrame:
    """Measure the share of each group's text that formulaic language covers.

    Parameters
    ----------
    corpus : Corpus
    spans : mapping of str to DataFrame, optional
        Named occurrence tables with ``doc_id, start, end`` (offsets into ``corpus.texts``).
        By default: ``registry`` (:func:`match_registry`), ``numbered``
        (:func:`numbered_formulas`), ``parallel`` (:func:`parallel_runs`, runs inside
        paragraphs) and ``quantifier`` (:func:`quantifier_openings`). A table with a
        ``scope`` column contributes only its ``scope == "clauses"`` rows.
    by : str, default "group"
        As in :func:`frequency`.
    registry : Registry or str, optional
        Registry for the default ``registry`` spans.
    intervals : IntervalSettings, optional
        As in :func:`frequency`.
    **interval_options
        Fields of :class:`IntervalSettings` as keywords, as in :func:`frequency`.

    Returns
    -------
    pandas.DataFrame
        One row per (group, component): ``<by>, component`` (``all`` first, then the keys of
        `spans`), ``n_chars, covered_chars, formulaicness`` (``covered_chars / n_chars``),
        ``ci_low, ci_high, n_docs, ci_method, ci_note`` (as in :func:`frequency`).

    Notes
    -----
    The *formulaicness index* of a text is the number of its body characters that lie inside
    at least one formulaic span — a registry expression, a numbered formula, a parallel run or
    a reduplicated quantifier — divided by its body characters (paragraph breaks not counted).
    A character covered by two kinds of formula counts once in ``all``; each component's row
    gives its own coverage, so the components add up to more than ``all`` when they overlap.
    Quoted terms are not counted: quotation marks flag names, not set phrasing.

    Examples
    --------
    >>> from corpus_tools.corpus import corpus_from_texts
    >>> corp = corpus_from_texts({"a": "学史明理，学史增信，学史崇德。今天下雨。"})
    >>> table = formulaicness(corp, by="doc_id", n_boot=0)
    >>> row = table[table["component"] == "all"].iloc[0]
    >>> int(row["covered_chars"]), int(row["n_chars"]), float(row["formulaicness"])
    (14, 20, 0.7)
    """
    settings = IntervalSettings.from_kwargs(intervals, **interval_options)
    if spans is None:
        from .formulas import numbered_formulas
        from .patterns import parallel_runs, quantifier_openings
        from .registry import match_registry

        spans = {
            "registry": match_registry(corpus, registry),
            "numbered": numbered_formulas(corpus),
            "parallel": parallel_runs(corpus),
            "quantifier": quantifier_openings(corpus),
        }
    names = list(spans)
    by_doc: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
    for name, table in spans.items():
        if "scope" in table.columns:
            table = table[table["scope"] == "clauses"]
        for doc_id, rows in table.groupby("doc_id", sort=False):
            by_doc.setdefault(str(doc_id), {})[name] = (rows["start"].to_numpy(), rows["end"].to_numpy())
    units = paragraph_table(corpus, by=by)
    covered = np.zeros((len(units), len(names) + 1))
    row = 0
    for doc in iter_docs(corpus):
        starts = doc.para_starts
        n_paras = len(starts)
        doc_spans = by_doc.get(doc.doc_id, {})
        union = np.zeros(len(doc.text), dtype=bool)
        for k, name in enumerate(names, start=1):
            mask = np.zeros(len(doc.text), dtype=bool)
            for s, e in zip(*doc_spans.get(name, ((), ()))):
                mask[s:e] = True
            mask[[p - 1 for p in starts[1:]]] = False  # paragraph breaks are not text
            union |= mask
            covered[row:row + n_paras, k] = _per_paragraph(mask, starts)
        covered[row:row + n_paras, 0] = _per_paragraph(union, starts)
        row += n_paras
    label_col = by if by != "doc_id" else "label"
    levels = _levels(_group_labels(corpus, by))
    bounds = _interval_columns(units, covered, units["n_chars"].to_numpy(), label_col=label_col,
                               levels=levels, scale=1.0, intervals=settings)
    group_codes = pd.Categorical(units[label_col], categories=levels).codes
    totals = np.zeros((len(levels), len(names) + 1))
    np.add.at(totals, group_codes, covered)
    chars = np.bincount(group_codes, weights=units["n_chars"].to_numpy(), minlength=len(levels))
    components = ["all", *names]
    table = pd.DataFrame({
        by: np.repeat(levels, len(components)),
        "component": pd.Categorical(np.tile(components, len(levels)), categories=components),
        "n_chars": np.repeat(chars, len(components)).astype("int64"),
        "covered_chars": totals.ravel().astype("int64"),
    })
    with np.errstate(invalid="ignore", divide="ignore"):
        table["formulaicness"] = table["covered_chars"] / table["n_chars"]
    return _add_intervals(table, bounds)


def _per_paragraph(mask: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Covered characters per paragraph, from a document-long mask and paragraph starts."""
    cumulative = np.concatenate([[0], np.cumsum(mask)])
    ends = np.append(starts[1:], len(mask))
    return cumulative[ends] - cumulative[starts]


def four_char_density(
    corpus,
    *,
    by: str = "group",
    intervals: IntervalSettings | None = None,
    **interval_options: Any,
) -> pd.DataFrame:
    """Measure how much of each group's prose comes in four-character items.

    Parameters
    ----------
    corpus : Corpus
    by : str, default "group"
        As in :func:`frequency`.
    intervals : IntervalSettings, optional
        As in :func:`frequency`.
    **interval_options
        Fields of :class:`IntervalSettings` as keywords, as in :func:`frequency`.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``<by>, n_chars, n_items, n_four_char, four_char_share``
        (``n_four_char / n_items``), ``ci_low, ci_high`` (interval of the share),
        ``four_char_per_10k_chars``, and ``n_docs, ci_method, ci_note`` (as in
        :func:`frequency`).

    Notes
    -----
    An *item* is a stretch between two punctuation marks, quotation marks or spaces; a
    *four-character item* is one of exactly four Chinese characters (see
    :func:`four_char_items`). ``four_char_share`` is the share of items that are four
    characters long: a segmenter-free measure of the four-character set phrases (四字格) that
    official prose strings together (加强领导、精心谋划、丰富载体). Ordinary narrative prose has
    longer items and a lower share.

    Examples
    --------
    >>> from corpus_tools.corpus import corpus_from_texts
    >>> corp = corpus_from_texts({"a": "加强领导、精心谋划，推动工作。"})
    >>> row = four_char_density(corp, by="doc_id", n_boot=0).iloc[0]
    >>> int(row["n_items"]), int(row["n_four_char"]), float(row["four_char_share"])
    (3, 3, 1.0)
    """
    from .patterns import clause_item_counts

    settings = IntervalSettings.from_kwargs(intervals, **interval_options)
    counts = clause_item_counts(corpus)
    units = paragraph_table(corpus, by=by)
    label_col = by if by != "doc_id" else "label"
    units = units.join(counts[["n_items", "n_four_char"]])
    levels = _levels(_group_labels(corpus, by))
    num = units[["n_four_char"]].to_numpy(dtype=float)
    # the share's denominator is the item count
    bounds = _interval_columns(units, num, units["n_items"].to_numpy(dtype=float), label_col=label_col,
                               levels=levels, scale=1.0, intervals=settings)
    grouped = units.groupby(label_col, sort=False)[["n_chars", "n_items", "n_four_char"]].sum().reindex(levels)
    table = grouped.reset_index().rename(columns={label_col: by})
    table["four_char_share"] = table["n_four_char"] / table["n_items"]
    table["ci_low"], table["ci_high"] = bounds["ci_low"].to_numpy(), bounds["ci_high"].to_numpy()
    table["four_char_per_10k_chars"] = 1e4 * table["n_four_char"] / table["n_chars"]
    for column in ("n_docs", "ci_method", "ci_note"):
        table[column] = bounds[column].to_numpy()
    return table
