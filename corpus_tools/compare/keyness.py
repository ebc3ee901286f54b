"""Distinctive vocabulary: each group against the rest of the corpus.

Two families of statistics, computed together for every (group, term):

* **Frequency tests on the 2 × 2 table** of a term's count in the group and in the rest against
  the other tokens of each: the log-likelihood ratio G² and Pearson's χ², signed so that a
  positive value means the group uses the term more than the rest, with Hardie's (2014) *log
  ratio* as the effect size.
* **The log-odds ratio with an informative Dirichlet prior** (Monroe, Colaresi & Quinn 2008,
  "Fightin' words"), reported as a z-score: a rare term needs more evidence than a frequent one
  to come out distinctive, so a name that occurs twice in one district does not top its list.

Every group is compared with *the rest*: the pooled counts of all other groups. With 50 groups
that is the comparison a reader asks for ("what does this district say that the others do
not?"); the pairwise comparison of two groups is ``keyness`` on a matrix holding only those two.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..compat import renamed_parameters
from ..dtm import DocTermMatrix

__all__ = ["DISTINCTIVE_Q", "KEYNESS_COLUMNS", "group_counts", "keyness", "keyness_summary", "ranking_column", "top_keyness"]

Measure = Literal["log_odds_prior", "g2", "chi2"]
Correction = Literal["none", "yates", "williams"]
_MEASURE_COLUMN = {"log_odds_prior": "log_odds_z", "g2": "g2", "chi2": "chi2"}

#: Columns of the table :func:`keyness` returns, in order.
KEYNESS_COLUMNS: tuple[str, ...] = (
    "group",
    "term",
    "rank",
    "count_group",
    "count_rest",
    "n_tokens_group",
    "n_tokens_rest",
    "per_10k_tokens_group",
    "per_10k_tokens_rest",
    "g2",
    "chi2",
    "log_ratio",
    "prior",
    "log_odds",
    "log_odds_z",
    "p_value",
    "q_value",
)

#: Benjamini–Hochberg q-value below which the reports may call a term "distinctive"
#: (a false discovery rate of 5 % within each group's list).
DISTINCTIVE_Q = 0.05

#: Pseudo-count a reference corpus gives a term it never uses, so that no prior is zero.
REFERENCE_PSEUDOCOUNT = 0.5


def group_counts(dtm: DocTermMatrix, *, by: str = "group") -> DocTermMatrix:
    """Sum a document-term matrix into one row per group, with the report's group labels.

    Parameters
    ----------
    dtm : DocTermMatrix
        Rows are units (documents, paragraphs …) carrying the docvar `by`.
    by : str, default "group"
        The grouping docvar, or the index name (each row its own group). Labels come from
        :func:`corpus_tools.corpus.metadata.group_labels`, so a city-level report grouped by
        ``district`` becomes ``济南市（全市）`` rather than ``unknown``, exactly as
        ``open_corpus(by="district")`` labels it.

    Returns
    -------
    DocTermMatrix
        ``dtm.group(by)`` (:meth:`DocTermMatrix.group`) with its index named ``group``
        whatever `by` is, so that every comparison table calls its groups ``group``: one
        row per group in sorted label order; docvars ``n_units``, ``n_tokens`` and those
        constant within every group.

    Raises
    ------
    KeyError
        If `by` is neither a docvar of `dtm` nor its index name.
    """
    grouped = dtm.group(by)
    docvars = grouped.docvars.drop(columns="group", errors="ignore").rename_axis("group")
    return dataclasses.replace(grouped, docvars=docvars)


def _prior_weights(
    prior, pooled: np.ndarray, terms: tuple[str, ...], alpha0: float | None
) -> tuple[np.ndarray, float]:
    """Return the prior pseudo-counts α_w (aligned with `terms`) and their sum α0."""
    n_total = float(pooled.sum())
    if isinstance(prior, bool):
        raise TypeError("prior must be 'pooled', a DocTermMatrix, a Series of counts or a number")
    if isinstance(prior, (int, float)) and not isinstance(prior, str):
        if alpha0 is not None:
            raise ValueError("alpha0 scales an informative prior; with a constant prior (a number) leave it None")
        if not prior > 0:
            raise ValueError(f"a constant prior must be a positive pseudo-count, got {prior!r}")
        alpha = np.full(len(terms), float(prior))
        return alpha, float(alpha.sum())
    if alpha0 is None:
        alpha0 = n_total
    if not alpha0 > 0:
        raise ValueError(f"alpha0 must be a positive number of pseudo-tokens, got {alpha0!r}")
    if isinstance(prior, str):
        if prior != "pooled":
            raise ValueError(f"prior must be 'pooled', a DocTermMatrix, a Series or a number, not {prior!r}")
        shares = pooled / n_total
    else:
        if isinstance(prior, DocTermMatrix):
            reference = pd.Series(
                np.asarray(prior.matrix.sum(axis=0), dtype=np.float64).ravel(), index=list(prior.terms)
            )
        elif isinstance(prior, pd.Series):
            reference = prior.astype(np.float64)
            if not reference.index.is_unique:
                raise ValueError("the prior Series must have one value per term (its index is not unique)")
            if (reference < 0).any() or reference.isna().any():
                raise ValueError("the prior Series must hold non-negative counts without missing values")
        else:
            raise TypeError(
                f"prior must be 'pooled', a DocTermMatrix, a Series of counts or a number, not {type(prior).__name__}"
            )
        counts = reference.reindex(list(terms)).fillna(0.0).to_numpy() + REFERENCE_PSEUDOCOUNT
        shares = counts / counts.sum()
    return alpha0 * shares, float(alpha0)


@renamed_parameters(min_count="min_termfreq")
def keyness(
    dtm: DocTermMatrix,
    *,
    by: str = "group",
    target: str | None = None,
    measure: Measure = "log_odds_prior",
    prior: Literal["pooled"] | DocTermMatrix | pd.Series | float = "pooled",
    alpha0: float | None = None,
    min_termfreq: int = 1,
    correction: Correction = "none",
    n: int | None = None,
) -> pd.DataFrame:
    """Score how much each group over- or under-uses every term compared with the rest.

    Parameters
    ----------
    dtm : DocTermMatrix
        Counts per unit with the docvar `by` (usually after stopword removal; the statistics
        only see the terms the matrix holds).
    by : str, default "group"
        Grouping docvar (``group`` from ``open_corpus(by=...)``, ``district``,
        ``province``, ``outlet`` …); labels as in :func:`group_counts`.
    target : str, optional
        Score only this group against the rest; by default every group is scored in turn.
    measure : {"log_odds_prior", "g2", "chi2"}, default "log_odds_prior"
        The statistic that orders the table and gives ``rank`` and ``p_value``; all of them are
        always computed.
    prior : "pooled", DocTermMatrix, Series or float, default "pooled"
        Source of the Dirichlet prior of the log-odds. ``"pooled"``: the term shares of the
        whole matrix (all groups together). A DocTermMatrix or a Series of counts indexed by
        term: the shares of a reference corpus, each count plus
        :data:`REFERENCE_PSEUDOCOUNT` (so a term the reference never uses still has a prior).
        A number: the same pseudo-count for every term, Monroe et al.'s *uninformative*
        prior (e.g. 0.01).
    alpha0 : float, optional
        Total pseudo-count of an informative prior (its weight against the data). By default
        the number of tokens in the matrix, so that with ``prior="pooled"`` a term's prior is
        exactly its pooled count, as in the reference implementations. Must be None with a
        constant prior.
    min_termfreq : int, default 1
        Score only terms whose total count over all groups is at least this (a count). The
        terms left out still count in the token totals (``n_tokens_group``,
        ``n_tokens_rest``) and in the default prior and `alpha0`: dropping rare terms from the
        table does not change the other terms' statistics.
    correction : {"none", "yates", "williams"}, default "none"
        Small-sample correction of ``g2`` and ``chi2`` (and so of their p-values), as defined
        in quanteda.textstats' ``textstat_keyness`` (see Notes). The default applies none, so
        ``g2`` and ``chi2`` equal scipy's uncorrected statistics; quanteda's own default
        (``correction="default"``) applies its Yates rule to both ``chi2`` and ``lr`` (G²):
        pass ``"yates"`` to reproduce it. The log-odds are never corrected.
    n : int, optional
        Keep each group's `n` most over-used and `n` most under-used terms (a count per side,
        by `measure`); None keeps every term. Every statistic, ``rank``, ``p_value`` and
        ``q_value`` is computed over all terms first, so the kept rows are exactly those of
        the full table. With thousands of groups the full table has groups x terms rows
        (tens of millions at 100 MB of text); ``attrs["n"]`` records the choice.

    Returns
    -------
    pandas.DataFrame
        One row per (group, term), groups in sorted order, terms by the chosen statistic,
        highest first (see :data:`KEYNESS_COLUMNS`):

        ``group``; ``term``; ``rank`` (1 = most over-used by the group under `measure`);
        ``count_group``, ``count_rest`` (the term's count in the group and in all other
        groups); ``n_tokens_group``, ``n_tokens_rest`` (all counts of the group and of the
        rest in the matrix); ``per_10k_tokens_group``, ``per_10k_tokens_rest`` (the term per
        10,000 of those tokens); ``g2`` (log-likelihood G², signed); ``chi2`` (Pearson χ²
        without continuity correction, signed); ``log_ratio`` (Hardie's log ratio, binary
        log of the ratio of relative frequencies, a zero count counted as 0.5); ``prior``
        (the term's prior pseudo-count α_w); ``log_odds`` (δ̂, the difference of the
        posterior log-odds of group and rest, in nats); ``log_odds_z`` (δ̂ divided by its
        approximate standard deviation); ``p_value`` (two-sided, of the chosen `measure`:
        from χ² with 1 degree of freedom for ``g2`` and ``chi2``, from the standard normal
        for ``log_odds_prior``; one test per term, not adjusted for the many terms tested);
        ``q_value`` (Benjamini–Hochberg adjusted p-value within the group's list of terms:
        calling every term with ``q_value < 0.05`` distinctive keeps the expected share of
        false discoveries among them at 5 %). Report a term as distinctive or significant
        only by its ``q_value`` (:data:`DISTINCTIVE_Q`), never by ``p_value`` or a z-score
        alone.

    Raises
    ------
    KeyError
        If `by` is not a docvar, or `target` is not one of its groups.
    ValueError
        If fewer than two groups have tokens, or an option is out of range.

    Notes
    -----
    **Sign convention.** Every statistic is positive when the group uses the term more than
    the rest (its relative frequency is higher) and negative when it uses it less. G² and χ²
    are non-negative by construction; they carry the sign of ``count_group / n_tokens_group -
    count_rest / n_tokens_rest``, as in quanteda's ``textstat_keyness``.

    **G² and χ².** For a term with count *a* in the group and *b* in the rest, and token
    totals *n₁* and *n₂*, the 2 × 2 table is ``[[a, b], [n₁ - a, n₂ - b]]`` and the expected
    counts are the products of its margins over ``N = n₁ + n₂``. ``G² = 2 Σ O ln(O/E)`` over
    all four cells (the full likelihood-ratio statistic, equal to
    ``scipy.stats.chi2_contingency(..., correction=False, lambda_="log-likelihood")``;
    Rayson & Garside's two-cell shortcut, used in Wmatrix, sums only the first row and gives
    slightly different values) and ``χ² = Σ (O - E)² / E``. Their p-values assume large
    expected counts and are only a ranking aid for rare terms.

    **Corrections** (quanteda.textstats 0.97, ``src/keyness.cpp``), with the 2 × 2 cells
    ``a, b, c = n₁ - a, d = n₂ - b``:

    * ``"yates"``: only when ``|ad - bc| ≥ N/2`` *and* some expected count is below 5 (else
      nothing changes), ``χ² = N (|ad - bc| - N/2)² / ((a+b)(c+d)(a+c)(b+d))`` and G² is
      computed on the cells moved 0.5 towards independence (``a∓½, b±½, c±½, d∓½``, the
      margins unchanged).
    * ``"williams"`` (Williams 1976): the statistic divided by
      ``q = 1 + (N/(a+b) + N/(c+d) - 1)(N/(a+c) + N/(b+d) - 1) / (6N)``; ``q = 1`` when a
      cell is 0. For G² this is quanteda's definition; quanteda's χ² code multiplies by
      ``q`` instead (inflating the statistic it means to correct), so for ``chi2`` this
      function divides and differs from quanteda's ``correction="williams"``.

    quanteda adds 10⁻⁹ inside each logarithm of G²; here an empty cell contributes 0 (the
    limit), so the two agree to about 10⁻⁸.

    **Multiple comparisons.** A group's list tests every term at once, so among thousands of
    terms some hundred have ``p_value < 0.05`` by chance alone. ``q_value`` is the
    Benjamini–Hochberg (1995) adjustment (``scipy.stats.false_discovery_control``) of the
    group's p-values, computed separately for every group.

    **Log ratio** (Hardie 2014): ``log2((a / n₁) / (b / n₂))``, each zero count replaced by
    0.5; +1 means twice as frequent in the group. It is an effect size: it does not grow with
    corpus size as G² does.

    **Log-odds with an informative Dirichlet prior** (Monroe, Colaresi & Quinn 2008, eqs. 16,
    18 and 22): with prior pseudo-counts ``α_w = α0 · π_w`` (π the prior's term shares),

    ``δ̂_w = ln[(a + α_w) / (n₁ + α0 - a - α_w)] - ln[(b + α_w) / (n₂ + α0 - b - α_w)]``,
    ``σ²(δ̂_w) ≈ 1/(a + α_w) + 1/(b + α_w)``, ``z_w = δ̂_w / σ(δ̂_w)``.

    The same prior serves both sides, and the variance keeps only the paper's two leading
    terms (the ``1/(n - y - α)`` terms are negligible for any one word). The default
    ``α0 = N`` (the matrix's token count) makes ``α_w`` the pooled count of the term: the
    reading of most reference implementations (jmhessel/FightingWords given a count vector,
    whose ``a0`` is the sum of the prior; kornosk/log-odds-ratio, whose background corpus
    defaults to the two corpora combined; scattertext's default ``scale_type="none"``, which
    it calls the Jurafsky et al. 2014 approach). The scale changes the ranking, not only the
    size of z: with ``α0 = N`` a term only one group uses (its name, its own programme)
    comes first; with a small `alpha0` (say 10, the paper's "sum of priors" read literally as a
    small constant) such a term has a tiny prior on the rest's side, hence a huge variance,
    and the list fills with common words the group uses more than others. With the default
    prior a term that only the group uses, c times, gets ``α_w = c`` and so
    ``z ≈ √(2c/3) · [ln 2 + ln((n₂ + N)/(n₁ + N))]``: about ``0.57 √c`` when the group is
    half the corpus, rising to about ``1.13 √c`` for a group that is a small share of it.
    Such z-scores are modest for rare terms; read them with their ``q_value``.

    Examples
    --------
    >>> import pandas as pd, scipy.sparse as sp
    >>> from corpus_tools.dtm import DocTermMatrix
    >>> m = DocTermMatrix(matrix=sp.csr_matrix([[6, 1, 3], [1, 6, 3]]), terms=("红色", "乡村", "党史"),
    ...                   docvars=pd.DataFrame({"group": ["甲区", "乙县"]},
    ...                                        index=pd.Index(["a", "b"], name="unit_id")))
    >>> table = keyness(m, target="甲区")
    >>> table[["term", "count_group", "count_rest"]].values.tolist()
    [['红色', 6, 1], ['党史', 3, 3], ['乡村', 1, 6]]
    >>> bool(table["log_odds_z"].iloc[0] > 0 > table["log_odds_z"].iloc[2])
    True
    """
    if measure not in _MEASURE_COLUMN:
        raise ValueError(f"measure must be one of {list(_MEASURE_COLUMN)}, not {measure!r}")
    if int(min_termfreq) != min_termfreq or min_termfreq < 1:
        raise ValueError(f"min_termfreq must be a positive integer count, got {min_termfreq!r}")
    if correction not in ("none", "yates", "williams"):
        raise ValueError(f"correction must be 'none', 'yates' or 'williams', not {correction!r}")
    if n is not None and (isinstance(n, bool) or int(n) != n or n < 1):
        raise ValueError(f"n must be None (every term) or a positive count of terms per side, got {n!r}")
    grouped = group_counts(dtm, by=by)
    counts = grouped.matrix.astype(np.float64)
    pooled = np.asarray(counts.sum(axis=0)).ravel()
    # Totals and the prior come from every term, before min_termfreq drops any: the group's token
    # count is what the group wrote, not what survives a display threshold.
    n_group_tokens = np.asarray(counts.sum(axis=1)).ravel()
    n_total = float(pooled.sum())
    alpha, a0 = _prior_weights(prior, pooled, tuple(grouped.terms), alpha0)
    keep = np.flatnonzero(pooled >= min_termfreq)
    counts = sp.csr_matrix(counts[:, keep])
    pooled = pooled[keep]
    alpha = alpha[keep]
    terms = tuple(grouped.terms[j] for j in keep)
    groups = list(grouped.docvars.index)
    if (n_group_tokens > 0).sum() < 2:
        raise ValueError(
            f"keyness needs at least two groups with tokens; {by!r} gives {len(groups)} group(s) "
            f"with tokens in {int((n_group_tokens > 0).sum())}"
        )
    if target is not None:
        if target not in groups:
            raise KeyError(f"target={target!r} is not a group of {by!r}; groups are {groups}")
        rows = [groups.index(target)]
    else:
        rows = list(range(len(groups)))

    column = _MEASURE_COLUMN[measure]
    term_array = np.asarray(terms, dtype=object)
    pieces = []
    for row in rows:
        a = counts[row].toarray().ravel()
        b = pooled - a
        n1 = float(n_group_tokens[row])
        n2 = n_total - n1
        stats = _contingency_stats(a, b, n1, n2, correction=correction)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_odds = np.log((a + alpha) / (n1 + a0 - a - alpha)) - np.log((b + alpha) / (n2 + a0 - b - alpha))
            z = log_odds / np.sqrt(1.0 / (a + alpha) + 1.0 / (b + alpha))
        piece = pd.DataFrame(
            {
                "group": groups[row],
                "term": term_array,
                "count_group": a.astype(np.int64),
                "count_rest": b.astype(np.int64),
                "n_tokens_group": int(n1),
                "n_tokens_rest": int(n2),
                "per_10k_tokens_group": 1e4 * a / n1 if n1 else np.nan,
                "per_10k_tokens_rest": 1e4 * b / n2 if n2 else np.nan,
                "g2": stats["g2"],
                "chi2": stats["chi2"],
                "log_ratio": stats["log_ratio"],
                "prior": alpha,
                "log_odds": log_odds,
                "log_odds_z": z,
            }
        )
        piece["p_value"] = _p_values(piece[column].to_numpy(), measure)
        piece["q_value"] = _q_values(piece["p_value"].to_numpy())
        order = np.lexsort((term_array, -piece[column].to_numpy()))
        piece = piece.iloc[order]
        piece.insert(2, "rank", np.arange(1, len(piece) + 1, dtype=np.int64))
        if n is not None and len(piece) > 2 * n:  # the n strongest at each end, in rank order
            piece = pd.concat([piece.iloc[:n], piece.iloc[-n:]])
        pieces.append(piece)
    table = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame(columns=list(KEYNESS_COLUMNS))
    table.attrs.update(measure=measure, by=by, alpha0=a0, prior=_describe_prior(prior), correction=correction,
                       min_termfreq=int(min_termfreq), n=None if n is None else int(n))
    return table[list(KEYNESS_COLUMNS)]


def _describe_prior(prior) -> str:
    if isinstance(prior, str):
        return prior
    if isinstance(prior, DocTermMatrix):
        return f"reference DocTermMatrix ({prior.n_docs} rows)"
    if isinstance(prior, pd.Series):
        return f"reference counts ({len(prior)} terms)"
    return f"constant {prior}"


def _contingency_stats(
    a: np.ndarray, b: np.ndarray, n1: float, n2: float, *, correction: Correction = "none"
) -> dict[str, np.ndarray]:
    """Signed G², signed χ² and log ratio of the 2 × 2 tables of many terms at once."""
    n = n1 + n2
    c, d = n1 - a, n2 - b
    total_w = a + b
    expected = np.stack([n1 * total_w / n, n2 * total_w / n, n1 * (n - total_w) / n, n2 * (n - total_w) / n])
    cross = a * d - b * c
    if correction == "yates":
        # quanteda's rule: correct only a table with a small expected count, and never past 0.
        delta = np.where((np.abs(cross) >= n / 2) & (expected < 5).any(axis=0), 0.5, 0.0)
        shift = np.sign(cross) * delta
        observed = np.stack([a - shift, b + shift, c + shift, d - shift])
    else:
        delta = np.zeros_like(a)
        observed = np.stack([a, b, c, d])
    with np.errstate(divide="ignore", invalid="ignore"):
        # 0 · ln 0 = 0 (the limit), so empty cells add nothing to G².
        terms = np.where(observed > 0, observed * np.log(observed / expected), 0.0)
        g2 = 2.0 * terms.sum(axis=0)
        margins = total_w * (n - total_w) * n1 * n2
        chi2 = np.where(margins > 0, n * (np.abs(cross) - n * delta) ** 2 / margins, 0.0)
        if correction == "williams":
            q = 1.0 + (n / total_w + n / (n - total_w) - 1.0) * (n / n1 + n / n2 - 1.0) / (6.0 * n)
            q = np.where(a * b * c * d == 0, 1.0, q)
            g2, chi2 = g2 / q, chi2 / q
        diff = a / n1 - b / n2 if n1 and n2 else np.zeros_like(a)
        log_ratio = np.log2((np.where(a > 0, a, 0.5) / n1) / (np.where(b > 0, b, 0.5) / n2))
    sign = np.sign(diff)
    # Floating error can leave a G² of -1e-13 for a term used at exactly the same rate.
    return {"g2": sign * np.abs(g2), "chi2": sign * np.abs(chi2), "log_ratio": log_ratio}


def _p_values(statistic: np.ndarray, measure: str) -> np.ndarray:
    from scipy.stats import chi2, norm

    statistic = np.abs(np.asarray(statistic, dtype=np.float64))
    if measure == "log_odds_prior":
        return 2.0 * norm.sf(statistic)
    return chi2.sf(statistic, df=1)


def _q_values(p_values: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values of one group's terms (NaN stays NaN)."""
    from scipy.stats import false_discovery_control

    q = np.full(len(p_values), np.nan)
    finite = np.isfinite(p_values)
    if finite.any():
        q[finite] = false_discovery_control(p_values[finite], method="bh")
    return q


@renamed_parameters(min_count_group="min_termfreq_group")
def top_keyness(
    table: pd.DataFrame,
    n: int = 10,
    *,
    value: str | None = None,
    direction: Literal["over", "under"] = "over",
    min_termfreq_group: int = 1,
    max_q: float | None = None,
) -> pd.DataFrame:
    """Keep each group's `n` most over-used (or under-used) terms.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`keyness`.
    n : int, default 10
        Terms per group (a count).
    value : str, optional
        Column to rank by: ``log_odds_z`` (default: the measure the table was built with),
        ``g2``, ``chi2``, ``log_ratio`` …
    direction : {"over", "under"}, default "over"
        ``"over"``: the highest values (terms the group uses more than the rest), keeping
        only positive ones; ``"under"``: the lowest, keeping only negative ones.
    min_termfreq_group : int, default 1
        With ``direction="over"``, keep only terms the group itself uses at least this often
        (a count): a log ratio can be high for a term seen once.
    max_q : float, optional
        Keep only terms whose ``q_value`` is below this, e.g. :data:`DISTINCTIVE_Q` (0.05) to
        list only the terms the report may call distinctive. None keeps every term.

    Returns
    -------
    pandas.DataFrame
        The rows of `table` for at most `n` terms per group, groups in table order, ``rank``
        renumbered 1..n within the group by `value`.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"group": ["甲"] * 3, "term": ["红色", "乡村", "党史"],
    ...                   "count_group": [6, 1, 3], "log_odds_z": [2.1, -2.0, 0.0]})
    >>> top_keyness(t, 2, value="log_odds_z")["term"].tolist()
    ['红色']
    """
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if direction not in ("over", "under"):
        raise ValueError(f"direction must be 'over' or 'under', not {direction!r}")
    value = ranking_column(table, value)
    missing = [c for c in ("group", "term", value) if c not in table.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not in the keyness table; it has {list(table.columns)}")
    values = table[value]
    keep = values > 0 if direction == "over" else values < 0
    if direction == "over" and "count_group" in table.columns:
        keep &= table["count_group"] >= min_termfreq_group
    if max_q is not None:
        if "q_value" not in table.columns:
            raise KeyError("max_q needs the q_value column of a keyness table")
        keep &= table["q_value"] < max_q
    rows = table[keep]
    ascending = direction == "under"
    order = {g: k for k, g in enumerate(pd.unique(table["group"]))}
    rows = rows.assign(_group_order=rows["group"].map(order))
    rows = rows.sort_values(["_group_order", value, "term"], ascending=[True, ascending, True], kind="mergesort")
    rows = rows.groupby("_group_order", sort=False).head(n).drop(columns="_group_order")
    rows = rows.assign(rank=rows.groupby("group", sort=False).cumcount() + 1)
    out = rows.reset_index(drop=True)
    out.attrs = dict(table.attrs)
    return out


def ranking_column(table: pd.DataFrame, value: str | None = None) -> str:
    """The column that ranks a :func:`keyness` table: `value`, else its measure's statistic.

    Tables and figures rank by the same column through this one function.
    """
    if value is not None:
        return value
    return _MEASURE_COLUMN.get(table.attrs.get("measure", "log_odds_prior"), "log_odds_z")


def keyness_summary(
    table: pd.DataFrame,
    n: int = 3,
    *,
    value: str | None = None,
    sep: str = "、",
    max_q: float | None = None,
) -> pd.DataFrame:
    """Summarise each group's most distinctive terms on one line: readable for 50 groups.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from :func:`keyness`, whole or filtered (its groups are the summary's rows).
    n : int, default 3
        Terms listed per group (a count).
    value : str, optional
        Ranking column, as in :func:`top_keyness`.
    sep : str, default "、"
        Separator between the listed terms.
    max_q : float, optional
        List only terms with ``q_value`` below this (e.g. :data:`DISTINCTIVE_Q`), so that the
        line holds only terms a report may call distinctive; a group without any gets ``""``.

    Returns
    -------
    pandas.DataFrame
        One row per group of `table` (in its order): ``group``, ``n_tokens_group``,
        ``top_terms`` (the `n` most over-used terms joined by `sep`, highest first),
        ``top_value`` (the first term's value of `value`).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"group": ["甲"] * 3, "term": ["红色", "乡村", "党史"], "n_tokens_group": 10,
    ...                   "count_group": [6, 1, 3], "log_odds_z": [2.1, -2.0, 0.5]})
    >>> keyness_summary(t, 2, value="log_odds_z")[["group", "top_terms", "top_value"]].values.tolist()
    [['甲', '红色、党史', 2.1]]
    """
    value = ranking_column(table, value)
    top = top_keyness(table, n, value=value, max_q=max_q)
    groups = list(pd.unique(table["group"]))
    listed = top.groupby("group", sort=False)["term"].agg(lambda terms: sep.join(map(str, terms)))
    first = top.groupby("group", sort=False)[value].first()
    out = pd.DataFrame({"group": groups})
    if "n_tokens_group" in table.columns:
        out["n_tokens_group"] = out["group"].map(table.groupby("group", sort=False)["n_tokens_group"].first())
    out["top_terms"] = [listed.get(group, "") for group in out["group"]]
    out["top_value"] = out["group"].map(first)
    return out

