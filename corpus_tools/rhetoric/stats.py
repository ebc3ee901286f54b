"""Frequencies, formulaicness and four-character density, per document or group, with bootstrap intervals.

Every function here takes the corpus first and, where it counts occurrences, the occurrence
tables found in it (one row per match, with ``doc_id``, ``unit_id`` and, for coverage,
``start``/``end``), and returns a tidy table with counts *and* rates. Documents are grouped by
:func:`corpus_tools.corpus.metadata.group_labels`, the package's one grouping rule. Intervals
come from :func:`~corpus_tools.rhetoric.intervals.rate_intervals`, set by one
:class:`~corpus_tools.rhetoric.intervals.IntervalSettings`: a document (cluster) bootstrap-t
of the group's rate when the group has enough documents, and otherwise an interval of the
documents' own rate, labelled so, or none; the ``ci_method`` and ``ci_note`` columns say which
and why. ``benchmarks/bootstrap_coverage.py`` measures their coverage.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..compat import REMOVED_IN
from ..corpus.metadata import group_labels
# The intervals moved to .intervals; these names stay importable from here, as before.
from .intervals import (  # noqa: F401
    CI_DOCUMENT,
    CI_DOCUMENT_BCA,
    CI_OWN_RATE,
    MIN_DOCS_FOR_INTERVAL,
    IntervalSettings,
    rate_intervals,
)
from .text import iter_docs

__all__ = [
    "paragraph_table",
    "frequency",
    "inventory",
    "formulaicness",
    "four_char_density",
]


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


def _label_column(by: str) -> str:
    """The column of :func:`paragraph_table` holding the group label (``label`` when `by` is ``doc_id``)."""
    return by if by != "doc_id" else "label"


def _group_sums(units: pd.DataFrame, values: np.ndarray, *, label_col: str, levels: list
                ) -> tuple[np.ndarray, np.ndarray]:
    """Per-group sums of the paragraph rows of `values`, and the groups' characters, in `levels` order."""
    codes = pd.Categorical(units[label_col], categories=levels).codes
    totals = np.zeros((len(levels), values.shape[1]))
    np.add.at(totals, codes, values)
    chars = np.bincount(codes, weights=units["n_chars"].to_numpy(), minlength=len(levels))
    return totals, chars


def _levels(labels: pd.Series) -> list:
    if isinstance(labels.dtype, pd.CategoricalDtype):
        present = set(pd.unique(labels))  # once, not per category: that was quadratic in the groups
        return [c for c in labels.cat.categories if c in present]
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
    table.insert(1, _label_column(by), table["doc_id"].map(labels).to_numpy())
    return table


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
        Any field of :class:`~corpus_tools.rhetoric.intervals.IntervalSettings` (``n_boot``,
        ``ci``, ``random_state``, ``resample``, ``min_docs_for_interval``, ``small_groups``)
        as a keyword, overriding that field of `intervals`; e.g. ``n_boot=0`` skips the
        intervals.

    Returns
    -------
    pandas.DataFrame
        One row per (group, term), every combination present: ``<by>, <term>, count,
        n_chars`` (body characters of the group), ``per_10k_chars``, ``ci_low, ci_high``
        (interval of ``per_10k_chars``), ``n_docs`` (documents in the group), ``ci_method``
        (what the interval is about: :data:`~corpus_tools.rhetoric.intervals.CI_DOCUMENT`
        for the group's rate, :data:`~corpus_tools.rhetoric.intervals.CI_OWN_RATE` for the
        documents' own rate, ``""`` for none) and ``ci_note`` (why an interval is missing or
        only about the documents' own rate). Groups in docvar order (category order if
        categorical); terms in category order, else by total count.

    Notes
    -----
    A group's rate is read as the rate of the texts the group produces, of which its
    documents are a sample; see :func:`~corpus_tools.rhetoric.intervals.rate_intervals` for
    the intervals, their measured coverage and why a term the group never uses gets no interval rather than [0, 0].

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
    label_col = _label_column(by)
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
    counts, chars = _group_sums(units, num, label_col=label_col, levels=levels)
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
    label_col = _label_column(by)
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
    n_jobs: int | None = None,
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
    n_jobs : int or None, default None
        Processes for the default spans' per-document detectors (:func:`match_registry`,
        :func:`parallel_runs`, :func:`quantifier_openings`); the table is the same whatever `n_jobs`.
    **interval_options
        Fields of :class:`~corpus_tools.rhetoric.intervals.IntervalSettings` as keywords, as
        in :func:`frequency`.

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
            "registry": match_registry(corpus, registry, n_jobs=n_jobs),
            "numbered": numbered_formulas(corpus),  # not per document: a name found quoted anywhere counts everywhere
            "parallel": parallel_runs(corpus, n_jobs=n_jobs),
            "quantifier": quantifier_openings(corpus, n_jobs=n_jobs),
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
    label_col = _label_column(by)
    levels = _levels(_group_labels(corpus, by))
    bounds = _interval_columns(units, covered, units["n_chars"].to_numpy(), label_col=label_col,
                               levels=levels, scale=1.0, intervals=settings)
    totals, chars = _group_sums(units, covered, label_col=label_col, levels=levels)
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
        Fields of :class:`~corpus_tools.rhetoric.intervals.IntervalSettings` as keywords, as
        in :func:`frequency`.

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
    label_col = _label_column(by)
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
