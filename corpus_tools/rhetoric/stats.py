"""Frequencies, formulaicness and four-character density, per document or group, with bootstrap intervals.

Every function here takes occurrence tables (one row per match, with ``doc_id``, ``unit_id``
and, for coverage, ``start``/``end``) and the corpus they came from, and returns a tidy table
with counts *and* rates. Intervals come from a percentile bootstrap over paragraphs: a
group's paragraphs are resampled with replacement and the rate recomputed ``n_boot`` times.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from ._text import iter_docs

__all__ = ["paragraph_table", "frequency", "inventory", "formulaicness", "four_char_density"]

Resample = Literal["paragraph", "document"]
# Bootstrap weights are drawn in blocks of at most this many cells (resamples × units), so
# memory stays bounded on a corpus of thousands of articles.
_BLOCK_CELLS = 2_000_000


def _group_labels(corpus, by: str) -> pd.Series:
    """Label per document (index doc_id) for the grouping docvar `by`."""
    if by == "doc_id":
        return pd.Series(corpus.docvars.index.astype(str), index=corpus.docvars.index.astype(str))
    if by not in corpus.docvars.columns:
        hint = " (open the corpus with open_corpus(..., group_by=...) to get a 'group' docvar)" if by == "group" else ""
        raise KeyError(f"docvar {by!r} not found{hint}; docvars are {list(corpus.docvars.columns)}")
    labels = corpus.docvars[by]
    labels.index = labels.index.astype(str)
    return labels


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


def _bootstrap(num: np.ndarray, den: np.ndarray, codes: np.ndarray, n_groups: int, *,
               n_boot: int, rng: np.random.Generator, ci: float, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of ``scale * sum(num) / sum(den)`` per group, resampling rows."""
    k = num.shape[1]
    low = np.full((n_groups, k), np.nan)
    high = np.full((n_groups, k), np.nan)
    if n_boot <= 0:
        return low, high
    q = [100 * (1 - ci) / 2, 100 * (1 + ci) / 2]
    for g in range(n_groups):
        rows = np.flatnonzero(codes == g)
        n = len(rows)
        if n == 0:
            continue
        g_num, g_den = num[rows], den[rows].astype(float)
        draws = []
        block = max(1, min(n_boot, _BLOCK_CELLS // n))
        done = 0
        while done < n_boot:
            size = min(block, n_boot - done)
            weights = rng.multinomial(n, np.full(n, 1.0 / n), size=size).astype(float)
            totals = weights @ g_den
            with np.errstate(invalid="ignore", divide="ignore"):
                draws.append(scale * (weights @ g_num) / totals[:, None])
            done += size
        stacked = np.vstack(draws)
        if np.isnan(stacked).all():
            continue
        low[g], high[g] = np.nanpercentile(stacked, q, axis=0)
    return low, high


def _resample_units(units: pd.DataFrame, num: np.ndarray, resample: Resample):
    if resample == "paragraph":
        return units, num
    if resample != "document":
        raise ValueError(f"resample must be 'paragraph' or 'document', not {resample!r}")
    codes, docs = pd.factorize(units["doc_id"], sort=False)
    summed = np.zeros((len(docs), num.shape[1]))
    np.add.at(summed, codes, num)
    first = units.groupby("doc_id", sort=False).head(1).set_index("doc_id").loc[docs]
    first["n_chars"] = units.groupby("doc_id", sort=False)["n_chars"].sum().loc[docs].to_numpy()
    return first, summed


def frequency(
    matches: pd.DataFrame,
    corpus,
    *,
    term: str = "category",
    by: str = "group",
    n_boot: int = 1000,
    random_state: int = 0,
    ci: float = 0.95,
    resample: Resample = "paragraph",
) -> pd.DataFrame:
    """Count occurrences per group and term, with rates per 10,000 characters and intervals.

    Parameters
    ----------
    matches : pandas.DataFrame
        One row per occurrence, with ``unit_id`` (a paragraph id of `corpus`) and the column
        named by `term`; e.g. :func:`match_registry` or :func:`numbered_formulas`.
    corpus : Corpus
        The corpus the matches come from (for paragraph lengths and group labels).
    term : str, default "category"
        Column of `matches` to count by (``category``, ``canonical``, ``formula`` …). A
        categorical column keeps all its categories, so absent terms get a 0 row.
    by : str, default "group"
        Docvar that groups documents (``doc_id`` for one row per document).
    n_boot : int, default 1000
        Bootstrap resamples (a count); 0 skips the intervals (``ci_low``/``ci_high`` NaN).
    random_state : int, default 0
        Seed of the bootstrap; the same seed gives the same intervals.
    ci : float, default 0.95
        Coverage of the percentile interval (a share).
    resample : {"paragraph", "document"}, default "paragraph"
        Unit resampled with replacement within each group.

    Returns
    -------
    pandas.DataFrame
        One row per (group, term), every combination present: ``<by>, <term>, count,
        n_chars`` (body characters of the group), ``per_10k_chars``, ``ci_low, ci_high``
        (interval of ``per_10k_chars``). Groups in docvar order (category order if
        categorical); terms in category order, else by total count.

    Notes
    -----
    The interval treats a group's paragraphs as a sample from the texts that group could have
    produced. Paragraphs of one article are not independent, so with few documents per group
    the interval understates the uncertainty; ``resample="document"`` is the honest choice
    once groups hold many documents.

    Examples
    --------
    >>> from corpus_tools.corpus import corpus_from_texts
    >>> from corpus_tools.rhetoric import match_registry
    >>> corp = corpus_from_texts({"a": "学史明理。\\n\\n急难愁盼。", "b": "走深走实。"})
    >>> freq = frequency(match_registry(corp), corp, by="doc_id", term="canonical", n_boot=0)
    >>> freq[["doc_id", "canonical", "count", "per_10k_chars"]].values.tolist()[:2]
    [['a', '学史明理、学史增信、学史崇德、学史力行', 1, 1000.0], ['a', '急难愁盼', 1, 1000.0]]
    """
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
    sampled, sampled_num = _resample_units(units, num, resample)
    levels = _levels(_group_labels(corpus, by))
    codes = pd.Categorical(sampled[label_col], categories=levels).codes
    low, high = _bootstrap(sampled_num, sampled["n_chars"].to_numpy(), codes, len(levels), n_boot=n_boot,
                           rng=np.random.default_rng(random_state), ci=ci, scale=1e4)
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
    table["ci_low"], table["ci_high"] = low.ravel(), high.ravel()
    if isinstance(values.dtype, pd.CategoricalDtype):
        table[term] = pd.Categorical(table[term], categories=terms)
    return table


def inventory(occurrences: pd.DataFrame, corpus, *, term: str, by: str = "group") -> pd.DataFrame:
    """List what occurs in each group, how often, and where first.

    Parameters
    ----------
    occurrences : pandas.DataFrame
        One row per occurrence with ``doc_id``, ``unit_id`` and the column `term`.
    corpus : Corpus
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

    Examples
    --------
    >>> from corpus_tools.corpus import corpus_from_texts
    >>> from corpus_tools.rhetoric import numbered_formulas
    >>> corp = corpus_from_texts({"a": "做好“七个一”，推进“七进”。做好“七个一”。"})
    >>> inventory(numbered_formulas(corp), corp, term="formula", by="doc_id")[["formula", "count"]].values.tolist()
    [['七个一', 2], ['七进', 1]]
    """
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
    n_boot: int = 1000,
    random_state: int = 0,
    ci: float = 0.95,
    resample: Resample = "paragraph",
    registry=None,
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
    by, n_boot, random_state, ci, resample
        As in :func:`frequency`.
    registry : Registry or str, optional
        Registry for the default ``registry`` spans.

    Returns
    -------
    pandas.DataFrame
        One row per (group, component): ``<by>, component`` (``all`` first, then the keys of
        `spans`), ``n_chars, covered_chars, formulaicness`` (``covered_chars / n_chars``),
        ``ci_low, ci_high``.

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
    sampled, sampled_num = _resample_units(units, covered, resample)
    codes = pd.Categorical(sampled[label_col], categories=levels).codes
    low, high = _bootstrap(sampled_num, sampled["n_chars"].to_numpy(), codes, len(levels), n_boot=n_boot,
                           rng=np.random.default_rng(random_state), ci=ci, scale=1.0)
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
    table["ci_low"], table["ci_high"] = low.ravel(), high.ravel()
    return table


def _per_paragraph(mask: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Covered characters per paragraph, from a document-long mask and paragraph starts."""
    cumulative = np.concatenate([[0], np.cumsum(mask)])
    ends = np.append(starts[1:], len(mask))
    return cumulative[ends] - cumulative[starts]


def four_char_density(
    corpus,
    *,
    by: str = "group",
    n_boot: int = 1000,
    random_state: int = 0,
    ci: float = 0.95,
    resample: Resample = "paragraph",
) -> pd.DataFrame:
    """Measure how much of each group's prose comes in four-character items.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``<by>, n_chars, n_items, n_four_char, four_char_share``
        (``n_four_char / n_items``), ``ci_low, ci_high`` (interval of the share) and
        ``four_char_per_10k_chars``.

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

    counts = clause_item_counts(corpus)
    units = paragraph_table(corpus, by=by)
    label_col = by if by != "doc_id" else "label"
    units = units.join(counts[["n_items", "n_four_char"]])
    levels = _levels(_group_labels(corpus, by))
    num = units[["n_four_char"]].to_numpy(dtype=float)
    base = units.assign(n_chars=units["n_items"])  # the share's denominator is the item count
    sampled, sampled_num = _resample_units(base, num, resample)
    codes = pd.Categorical(sampled[label_col], categories=levels).codes
    low, high = _bootstrap(sampled_num, sampled["n_chars"].to_numpy(), codes, len(levels), n_boot=n_boot,
                           rng=np.random.default_rng(random_state), ci=ci, scale=1.0)
    grouped = units.groupby(label_col, sort=False)[["n_chars", "n_items", "n_four_char"]].sum().reindex(levels)
    table = grouped.reset_index().rename(columns={label_col: by})
    table["four_char_share"] = table["n_four_char"] / table["n_items"]
    table["ci_low"], table["ci_high"] = low[:, 0], high[:, 0]
    table["four_char_per_10k_chars"] = 1e4 * table["n_four_char"] / table["n_chars"]
    return table
