"""Similarity between documents and between groups, and the clustering that orders them.

Two views of how alike texts are:

* **Vocabulary** (:func:`document_similarity`, :func:`group_similarity`): cosine similarity of
  TF-IDF vectors (or of raw counts or term shares).
* **Topics** (:func:`topic_similarity`): Jensen–Shannon distance between topic profiles of a
  fitted topic model (:func:`corpus_tools.topics.fit_lda`).

Every function returns a square :class:`pandas.DataFrame` (rows and columns the same labels,
symmetric) whose ``attrs`` record what it holds (``kind``: ``"similarity"`` or ``"distance"``,
``measure``), of at most :data:`MAX_SQUARE_DOCS` documents; :func:`document_neighbours` gives
every document's nearest neighbours as a long table, computed block by block, so that a large
corpus is never held as an n × n matrix. :func:`similarity_table` turns one into a tidy long table for saving,
:func:`cluster_order` clusters it (average linkage with optimal leaf ordering) so heatmaps put
similar groups side by side (:func:`corpus_tools.textplot.compare.plot_similarity`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..dtm import DocTermMatrix
from ..corpus.metadata import group_labels
from .keyness import group_counts

if TYPE_CHECKING:
    from ..topics import TopicModel

__all__ = [
    "Clustering",
    "check_square",
    "cluster_order",
    "MAX_SQUARE_DOCS",
    "NEIGHBOUR_BLOCK_CELLS",
    "NEIGHBOUR_BLOCK_ROWS",
    "NEIGHBOUR_PARALLEL_MIN_ROWS",
    "OPTIMAL_ORDER_MAX_LABELS",
    "document_neighbours",
    "document_similarity",
    "group_similarity",
    "resolve_kind",
    "similarity_table",
    "topic_profiles",
    "topic_similarity",
]

Weighting = Literal["tfidf", "count", "share"]
Metric = Literal["cosine"]
Kind = Literal["auto", "similarity", "distance"]
LinkageMethod = Literal["average", "complete", "single", "weighted"]

#: Labels up to which :func:`cluster_order` puts the leaves in optimal order by default. scipy's
#: optimal ordering grows faster than the square of the labels (20 s at 1,500 on the 2-core
#: machine, minutes at 3,000), while the plain tree order costs under a second; past a few
#: hundred rows a heatmap is read by its blocks, which both orders show.
OPTIMAL_ORDER_MAX_LABELS = 500

#: Documents up to which :func:`document_similarity` compares every document with every other
#: (300 documents: a 0.7 MB matrix, 45,000 pairs, a heatmap still readable when thinned); a
#: larger corpus is shown by the documents with the closest neighbours.
MAX_SQUARE_DOCS = 300
#: Similarities the exact fallback of :func:`document_neighbours` holds at once (rows of a block x
#: all documents): 2 million float64 values, 16 MB, whatever the size of the corpus.
NEIGHBOUR_BLOCK_CELLS = 2_000_000
#: Rows :func:`document_neighbours` multiplies with all rows per call of sparse_dot_topn: memory
#: is this many rows' few best values, so the block only paces the progress report.
NEIGHBOUR_BLOCK_ROWS = 2_000
#: Rows from which ``document_neighbours(n_jobs=None)`` uses every core. Measured on the 2-core
#: machine (``benchmarks/neighbours_speed.py``): sparse_dot_topn's threaded product took 4.5 s for
#: 10,000 TF-IDF rows with 2 threads and 13.8 s with its one-thread routine.
NEIGHBOUR_PARALLEL_MIN_ROWS = 2_000


def _weighted(matrix: sp.csr_matrix, weighting: str) -> sp.csr_matrix:
    """Row vectors to compare, weighted as asked (sparse throughout)."""
    if weighting == "tfidf":
        from sklearn.feature_extraction.text import TfidfTransformer

        transformer = TfidfTransformer(norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=False)
        return sp.csr_matrix(transformer.fit_transform(matrix))
    if weighting == "count":
        return sp.csr_matrix(matrix, dtype=np.float64)
    if weighting == "share":
        totals = np.asarray(matrix.sum(axis=1), dtype=np.float64).ravel()
        totals[totals == 0] = 1.0  # an empty row stays all zeros
        return sp.csr_matrix(sp.diags(1.0 / totals) @ matrix.astype(np.float64))
    raise ValueError(f"weighting must be 'tfidf', 'count' or 'share', not {weighting!r}")


def _unit_rows(dtm: DocTermMatrix, weighting: str, metric: str) -> sp.csr_matrix:
    """The rows to compare, weighted as asked and scaled to unit length: their dot products are cosines."""
    from sklearn.preprocessing import normalize

    if metric != "cosine":
        raise ValueError(f"metric must be 'cosine', not {metric!r}")
    return sp.csr_matrix(normalize(_weighted(dtm.matrix, weighting), norm="l2"))


def _square(vectors: sp.csr_matrix, labels, *, name: str, measure: str) -> pd.DataFrame:
    """The cosine similarities of unit-length rows with one another, as a labelled square matrix."""
    values = (vectors @ vectors.T).toarray()
    # A row with itself is 1 up to rounding (and 0 for an empty row); clip rounding so that
    # 1 - s is never negative, symmetrise so that clustering accepts it.
    values = np.clip((values + values.T) / 2.0, 0.0 if vectors.min() >= 0 else -1.0, 1.0)
    empty = np.asarray(vectors.getnnz(axis=1)).ravel() == 0
    np.fill_diagonal(values, np.where(empty, np.nan, 1.0))
    index = pd.Index(list(labels), name=name)
    frame = pd.DataFrame(values, index=index, columns=index.copy())
    frame.attrs.update(kind="similarity", measure=measure)
    return frame


def document_similarity(
    dtm: DocTermMatrix,
    *,
    weighting: Weighting = "tfidf",
    metric: Metric = "cosine",
    max_docs: int = MAX_SQUARE_DOCS,
    neighbours: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Compare every row of a document-term matrix with every other (at most `max_docs` of them).

    Parameters
    ----------
    dtm : DocTermMatrix
        One row per document (or paragraph …); usually after stopword removal.
    weighting : {"tfidf", "count", "share"}, default "tfidf"
        How rows are weighted before comparing: ``"tfidf"`` (see Notes), raw ``"count"`` or
        ``"share"`` (counts divided by the row total; cosine is then the same as for counts).
    metric : {"cosine"}, default "cosine"
        Cosine similarity.
    max_docs : int, default 300 (:data:`MAX_SQUARE_DOCS`)
        The most rows compared in a square: a matrix of more rows is shown by the `max_docs`
        rows whose nearest neighbour is most similar (ties: the earlier row), in matrix order.
        :func:`document_neighbours` lists every row's nearest neighbours in any corpus.
    neighbours : pandas.DataFrame, optional
        :func:`document_neighbours` of the same `dtm`, `weighting` and `metric`, when already
        made: its first neighbours choose the rows, instead of comparing every row with every
        other a second time (the longest step on a large corpus). A table of another matrix or
        weighting is a ValueError.

    Returns
    -------
    pandas.DataFrame
        Square and symmetric, rows and columns the row ids (index name as in
        ``dtm.docvars``); values in [0, 1], 1 on the diagonal (NaN for an empty row).
        ``attrs``: ``kind="similarity"``, ``measure`` (e.g. ``"cosine, tfidf"``), ``n_docs``
        (rows of `dtm`) and ``n_docs_shown`` (rows of the square).

    Notes
    -----
    TF-IDF is :class:`sklearn.feature_extraction.text.TfidfTransformer` with its defaults:
    raw counts times the smoothed inverse document frequency ``ln((1 + n) / (1 + df)) + 1``
    (n rows, df rows holding the term; the +1 keeps a term found in every row at weight 1
    rather than 0), each row then scaled to unit length (L2). Document frequencies are
    counted over all the rows of `dtm`, also when fewer are shown, so the same document can
    score differently in another corpus. The square is dense: at most `max_docs` squared
    values (300 rows: 0.7 MB), whatever the size of the corpus.

    Examples
    --------
    >>> import pandas as pd, scipy.sparse as sp
    >>> from corpus_tools.dtm import DocTermMatrix
    >>> m = DocTermMatrix(matrix=sp.csr_matrix([[2, 1, 0], [2, 1, 0], [0, 0, 3]]),
    ...                   terms=("党史", "红色", "乡村"),
    ...                   docvars=pd.DataFrame(index=pd.Index(["a", "b", "c"], name="doc_id")))
    >>> document_similarity(m).round(3).values.tolist()
    [[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    >>> document_similarity(m, max_docs=2).index.tolist()  # a and b are each other's closest
    ['a', 'b']
    """
    if isinstance(max_docs, bool) or not isinstance(max_docs, int | np.integer) or max_docs < 1:
        raise ValueError(f"max_docs must be a positive integer, got {max_docs!r}")
    vectors = _unit_rows(dtm, weighting, metric)
    rows = np.arange(dtm.matrix.shape[0])
    if len(rows) > max_docs:
        if neighbours is None:
            best = document_neighbours(dtm, n=1, weighting=weighting, metric=metric)
        else:
            best = _first_neighbours(neighbours, n_rows=len(rows), measure=f"cosine, {weighting}")
        ranked = best.sort_values(["similarity", "row"], ascending=[False, True], kind="mergesort")
        rows = np.sort(ranked["row"].to_numpy()[:max_docs])
    name = dtm.docvars.index.name or "unit_id"
    frame = _square(vectors[rows], dtm.docvars.index[rows], name=name, measure=f"cosine, {weighting}")
    frame.attrs.update(n_docs=int(dtm.matrix.shape[0]), n_docs_shown=len(rows))
    return frame


def document_neighbours(
    dtm: DocTermMatrix,
    *,
    n: int = 10,
    weighting: Weighting = "tfidf",
    metric: Metric = "cosine",
    block_rows: int | None = None,
    n_jobs: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """List every row's `n` most similar other rows: a long table whose size grows with the corpus, not its square.

    Parameters
    ----------
    dtm : DocTermMatrix
        One row per document (or paragraph …).
    n : int, default 10
        Neighbours per row (all the others when there are fewer).
    weighting, metric
        As in :func:`document_similarity` (the same values).
    block_rows : int, optional
        Rows compared with all rows per step (the progress report counts steps); default
        :data:`NEIGHBOUR_BLOCK_ROWS`. The result does not depend on it.
    n_jobs : int or None, default None
        Threads of the sparse product: ``None`` every core from
        :data:`NEIGHBOUR_PARALLEL_MIN_ROWS` rows on, one below; ``-1`` every core; ``k`` that
        many (see :func:`corpus_tools.parallel.n_workers`). The table is the same whatever `n_jobs`.
    progress : bool, default True
        Report progress over the blocks of rows when there is more than one.

    Returns
    -------
    pandas.DataFrame
        One row per (row, neighbour): the row's id (column named as ``dtm.docvars``'s index,
        e.g. ``doc_id``), ``neighbour`` (the other row's id), ``rank`` (1 the most similar),
        ``similarity`` (cosine) and ``row`` (the row's position in `dtm`). Rows in matrix
        order, each one's neighbours most similar first; equal similarities are ordered by
        the neighbour's position in `dtm`. ``attrs`` as in :func:`document_similarity`.

    Notes
    -----
    The rows are weighted and scaled to unit length once (sparse). Every row's dot products
    with all rows are exact; what is kept of them is each row's best few, found while
    multiplying by sparse_dot_topn (ING's compiled top-n sparse product), so memory grows with
    the rows, never with their square. Time still grows with the square of the rows: about
    47 s for 26,579 articles on 2 cores (118 s by dense blocks; ``benchmarks/neighbours_speed.py``).

    The product keeps the `n` + 2 largest values of a row (its own among them) and breaks
    ties its own way; where a tie straddles the `n`-th place of a row whose kept values are
    all tied or larger, that row is recomputed in full, so the documented order (equal
    similarities by the neighbour's position) holds whatever the product chose. A row with
    fewer than `n` others sharing a term gets the first rows (by position) at similarity 0,
    as an exhaustive ranking would. Weightings that can be negative fall back to comparing
    blocks of rows with all rows densely (:data:`NEIGHBOUR_BLOCK_CELLS` values at a time).
    A row is never its own neighbour; an empty row has similarity 0 with every row.

    Examples
    --------
    >>> import pandas as pd, scipy.sparse as sp
    >>> from corpus_tools.dtm import DocTermMatrix
    >>> m = DocTermMatrix(matrix=sp.csr_matrix([[2, 1, 0], [2, 1, 1], [0, 0, 3]]),
    ...                   terms=("党史", "红色", "乡村"),
    ...                   docvars=pd.DataFrame(index=pd.Index(["a", "b", "c"], name="doc_id")))
    >>> document_neighbours(m, n=1, weighting="count")[["doc_id", "neighbour", "similarity"]].round(3).values.tolist()
    [['a', 'b', 0.913], ['b', 'a', 0.913], ['c', 'b', 0.408]]
    """
    from ..parallel import n_workers

    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n (neighbours per row) must be a positive integer, got {n!r}")
    if block_rows is not None and (isinstance(block_rows, bool) or not isinstance(block_rows, int | np.integer)
                                   or block_rows < 1):
        raise ValueError(f"block_rows must be None or a positive integer, got {block_rows!r}")
    n_rows = dtm.matrix.shape[0]
    threads = n_workers(n_jobs, n_rows, NEIGHBOUR_PARALLEL_MIN_ROWS)  # a bad n_jobs fails before any work
    vectors = _unit_rows(dtm, weighting, metric)
    k = min(int(n), n_rows - 1)
    name = dtm.docvars.index.name or "unit_id"
    labels = np.asarray(dtm.docvars.index, dtype=object)
    if k < 1:  # a single row has no other to be near
        rows, neighbours, similarity = np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float64)
    elif vectors.nnz and vectors.data.min() < 0:
        rows, neighbours, similarity = _exhaustive_top(vectors, np.arange(n_rows), k, low=-1.0)
    else:
        rows, neighbours, similarity = _sparse_top(vectors, k, block=int(block_rows or NEIGHBOUR_BLOCK_ROWS),
                                                   threads=threads, progress=progress)
    table = pd.DataFrame({
        name: labels[rows],
        "neighbour": labels[neighbours],
        "rank": _ranks(rows),
        "similarity": similarity,
        "row": rows,
    })
    table.attrs.update(kind="similarity", measure=f"cosine, {weighting}", n_docs=int(n_rows))
    return table


def _first_neighbours(neighbours: pd.DataFrame, *, n_rows: int, measure: str) -> pd.DataFrame:
    """Each row's nearest neighbour from a :func:`document_neighbours` table, checked to be of `n_rows` rows and `measure`."""
    made = (neighbours.attrs.get("n_docs"), neighbours.attrs.get("measure"))
    if made != (n_rows, measure) or not {"row", "rank", "similarity"} <= set(neighbours.columns):
        raise ValueError(
            f"neighbours must be document_neighbours() of the same matrix and weighting ({n_rows} rows, {measure}); "
            f"got a table of {made[0]} rows, {made[1]}: pass neighbours=None to compute them here"
        )
    return neighbours[neighbours["rank"] == 1]


def _sparse_top(vectors: sp.csr_matrix, k: int, *, block: int, threads: int,
                progress: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's `k` best other rows, for non-negative unit rows: (rows, neighbours, similarity), sorted."""
    from sparse_dot_topn import sp_matmul_topn

    from ..progress import progress as _progress

    n_rows = vectors.shape[0]
    transposed = sp.csr_matrix(vectors.T)
    kept = min(k + 2, n_rows)  # k others, the row itself, and one more to see a tie at the k-th place
    pieces: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    redo: list[np.ndarray] = []
    starts = range(0, n_rows, block)
    for start in _progress(starts, desc="nearest documents", unit="block", enabled=progress and len(starts) > 1):
        stop = min(start + block, n_rows)
        best = sp_matmul_topn(vectors[start:stop], transposed, top_n=kept, sort=True, n_threads=threads)
        per_row = np.diff(best.indptr)
        rows = np.repeat(np.arange(start, stop), per_row)
        columns = best.indices[:best.indptr[-1]].astype(np.int64)  # an all-zero product holds one spare slot
        values = np.clip(best.data[:best.indptr[-1]], 0.0, 1.0)
        other = columns != rows
        rows, columns, values = rows[other], columns[other], values[other]
        order = np.lexsort((columns, -values, rows))
        rows, columns, values = rows[order], columns[order], values[order]
        rank, local = _ranks(rows), rows - start
        # A row that filled all its places and whose k-th and (k+1)-th values are equal may have
        # more rows at that value than the product kept: its order among ties is not ours.
        at_k, after_k = np.full(stop - start, np.nan), np.full(stop - start, np.nan)
        at_k[local[rank == k]] = values[rank == k]
        after_k[local[rank == k + 1]] = values[rank == k + 1]
        tied = (per_row == kept) & (at_k == after_k)
        keep = (rank <= k) & ~tied[local]
        rows, columns, values = rows[keep], columns[keep], values[keep]
        pieces.append((rows, columns, values))
        redo.append(start + np.flatnonzero(tied))
        # Fewer than k others share a term: the rest are at similarity 0, first rows first.
        bounds = np.searchsorted(rows, np.arange(start, stop + 1))
        found = np.diff(bounds)
        for offset in np.flatnonzero((found < k) & ~tied):
            row = start + int(offset)
            taken = set(columns[bounds[offset]:bounds[offset + 1]].tolist()) | {row}
            fill = [c for c in range(min(n_rows, k + len(taken) + 1)) if c not in taken][:k - int(found[offset])]
            pieces.append((np.full(len(fill), row, np.int64), np.asarray(fill, np.int64), np.zeros(len(fill))))
    tied_rows = np.concatenate(redo)
    if len(tied_rows):
        pieces.append(_exhaustive_top(vectors, tied_rows, k, low=0.0, transposed=transposed))
    rows, columns, values = (np.concatenate(part) for part in zip(*pieces))
    order = np.lexsort((columns, -values, rows))
    return rows[order], columns[order], values[order]


def _exhaustive_top(vectors: sp.csr_matrix, which: np.ndarray, k: int, *, low: float,
                    transposed: sp.csr_matrix | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The `k` best other rows of the rows `which`, from their similarities with all rows (dense blocks)."""
    n_rows = vectors.shape[0]
    if transposed is None:
        transposed = sp.csr_matrix(vectors.T)
    block = max(1, NEIGHBOUR_BLOCK_CELLS // n_rows)
    pieces = []
    for start in range(0, len(which), block):
        chosen = which[start:start + block]
        values = np.clip((vectors[chosen] @ transposed).toarray(), low, 1.0)
        values[np.arange(len(chosen)), chosen] = -np.inf  # never a row's own neighbour
        rows, columns, best = _top_per_row(values, k, offset=0)
        pieces.append((chosen[rows], columns, best))
    return tuple(np.concatenate(part) for part in zip(*pieces))  # type: ignore[return-value]


def _top_per_row(values: np.ndarray, k: int, *, offset: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's `k` largest values, largest first, ties by column: (rows + offset, columns, values)."""
    kth = -np.partition(-values, k - 1, axis=1)[:, k - 1]
    # Every value at least the k-th largest is a candidate (more than k where values tie);
    # sorting the candidates by value and then column makes the choice among ties the first columns.
    rows, columns = np.nonzero(values >= kth[:, np.newaxis])
    chosen = values[rows, columns]
    order = np.lexsort((columns, -chosen, rows))
    rows, columns, chosen = rows[order], columns[order], chosen[order]
    keep = _ranks(rows) <= k
    return rows[keep] + offset, columns[keep], chosen[keep]


def _ranks(rows: np.ndarray) -> np.ndarray:
    """1, 2, … within each run of equal values of sorted `rows`."""
    if len(rows) == 0:
        return np.empty(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    lengths = np.diff(np.r_[starts, len(rows)])
    return np.arange(len(rows)) - np.repeat(starts, lengths) + 1


def group_similarity(
    dtm: DocTermMatrix,
    *,
    by: str = "group",
    weighting: Weighting = "tfidf",
    metric: Metric = "cosine",
) -> pd.DataFrame:
    """Compare groups (districts, outlets …) by their pooled vocabulary.

    Parameters
    ----------
    dtm : DocTermMatrix
        Counts per unit with the docvar `by`.
    by : str, default "group"
        Grouping docvar; labels as in :func:`corpus_tools.compare.keyness.group_counts`.
    weighting, metric
        As in :func:`document_similarity`.

    Returns
    -------
    pandas.DataFrame
        Square and symmetric, index and columns the group labels (named ``group``, sorted);
        cosine similarities in [0, 1] with 1 on the diagonal. ``attrs`` as in
        :func:`document_similarity`.

    Notes
    -----
    Each group's counts are summed into one vector first, and TF-IDF is computed over the
    groups (a term's document frequency is the number of groups using it), so a term every
    group uses weighs least. A group is thus compared as one long text: a group with many
    documents is not penalised for their variety, as an average of document-level
    similarities would be.
    """
    # The groups' pooled rows are documents to document_similarity: one computation, not two;
    # every group is shown, however many there are.
    pooled = group_counts(dtm, by=by)
    similarity = document_similarity(pooled, weighting=weighting, metric=metric,
                                     max_docs=max(pooled.matrix.shape[0], 1))
    similarity.attrs["measure"] += f", pooled by {by}"
    return similarity


def topic_profiles(source: TopicModel | pd.DataFrame, *, by: str = "group") -> pd.DataFrame:
    """Return each group's topic profile: the share of its tokens assigned to each topic.

    Parameters
    ----------
    source : TopicModel or pandas.DataFrame
        A fitted model (:func:`corpus_tools.topics.fit_lda`), or a long table with the
        columns `by`, ``topic`` and ``share`` such as ``TopicModel.group_shares(by)``
        (one row per group and topic) or ``TopicModel.doc_topics()`` (one row per unit and
        topic; units are then averaged, weighted by ``n_model_tokens`` when present).
    by : str, default "group"
        Grouping docvar of the model's units (``group``, ``district``, ``doc_id`` …) or the
        group column of the table.

    Returns
    -------
    pandas.DataFrame
        Wide: index the group labels (named ``group``, sorted), one column per topic
        (``1..K``); rows sum to 1.

    Notes
    -----
    With a model, a group's profile is ``Σ θ_u · n_u / Σ n_u`` over its units u (θ the unit's
    topic shares, n its tokens seen by the model): the same quantity as
    ``TopicModel.group_shares`` but with the group labels of
    :func:`corpus_tools.corpus.metadata.group_labels`, so a city-level report grouped by district
    is its city (``济南市（全市）``), as everywhere in ``corpus_tools.compare``.
    """
    if isinstance(source, pd.DataFrame):
        missing = [c for c in (by, "topic", "share") if c not in source.columns]
        if missing:
            raise KeyError(f"the topic table lacks column(s) {missing}; it has {list(source.columns)}")
        has_weights = "n_model_tokens" in source.columns
        weights = source["n_model_tokens"] if has_weights else pd.Series(1.0, index=source.index)
        frame = source.assign(_w=weights.astype(float), _ws=source["share"].astype(float) * weights.astype(float))
        summed = frame.groupby([by, "topic"], sort=True)[["_w", "_ws"]].sum()
        wide = (summed["_ws"] / summed["_w"]).unstack("topic").fillna(0.0)
    else:
        docvars = source.corpus.dtm.docvars
        if by not in docvars.columns:
            raise KeyError(f"by={by!r} is not a docvar of the model's units; docvars are {list(docvars.columns)}")
        labels = group_labels(docvars, by).to_numpy()
        codes, uniques = pd.factorize(labels, sort=True)
        weights = source.unit_tokens
        indicator = sp.csr_matrix((weights, (codes, np.arange(len(codes)))), shape=(len(uniques), len(codes)))
        totals = np.asarray(indicator.sum(axis=1)).ravel()
        with np.errstate(invalid="ignore", divide="ignore"):
            shares = (indicator @ source.theta) / totals[:, np.newaxis]
        wide = pd.DataFrame(shares, index=list(uniques), columns=np.arange(1, source.k + 1))
    wide = wide.div(wide.sum(axis=1), axis=0)
    wide.index.name = "group"
    wide.columns.name = "topic"
    return wide


def topic_similarity(source: TopicModel | pd.DataFrame, *, by: str = "group") -> pd.DataFrame:
    """Measure how far apart groups are in the topics they write about.

    Parameters
    ----------
    source : TopicModel or pandas.DataFrame
        As in :func:`topic_profiles`; a wide table already returned by it (index groups,
        columns topics) is accepted too.
    by : str, default "group"
        As in :func:`topic_profiles`; ``by="doc_id"`` compares documents.

    Returns
    -------
    pandas.DataFrame
        Square and symmetric, index and columns the group labels (named ``group``):
        Jensen–Shannon *distances* in base 2, in [0, 1]: 0 on the diagonal and for identical
        profiles, 1 for profiles with no topic in common. ``attrs``: ``kind="distance"``,
        ``measure="Jensen-Shannon distance (base 2), topic profiles"``.

    Notes
    -----
    The distance is :func:`corpus_tools.topics.js_distances`
    (``scipy.spatial.distance.jensenshannon`` with ``base=2``): the square root of the
    Jensen–Shannon divergence, which, unlike the divergence, is a metric. ``1 - distance`` is
    a similarity if one is wanted for a heatmap on the same scale as cosine.
    """
    from ..topics import js_distances

    if isinstance(source, pd.DataFrame) and not {"topic", "share"} <= set(source.columns):
        wide = source  # already wide
    else:
        wide = topic_profiles(source, by=by)
    values = js_distances(wide.to_numpy(dtype=np.float64), wide.to_numpy(dtype=np.float64))
    values = np.clip((values + values.T) / 2.0, 0.0, 1.0)
    np.fill_diagonal(values, 0.0)
    index = pd.Index(list(wide.index), name="group")
    frame = pd.DataFrame(values, index=index, columns=index.copy())
    frame.attrs.update(kind="distance", measure="Jensen-Shannon distance (base 2), topic profiles")
    return frame


def check_square(matrix: pd.DataFrame) -> None:
    """Raise unless `matrix` is square with the same labels on its rows and columns.

    Parameters
    ----------
    matrix : pandas.DataFrame
        A similarity or distance matrix, e.g. from :func:`group_similarity`.

    Raises
    ------
    ValueError
        When the shape or the labels differ between rows and columns.
    """
    if matrix.shape[0] != matrix.shape[1] or not matrix.index.equals(matrix.columns):
        raise ValueError("the matrix must be square with the same labels on rows and columns")


def resolve_kind(matrix: pd.DataFrame, kind: str) -> str:
    """Say whether a square matrix holds similarities or distances.

    Parameters
    ----------
    matrix : pandas.DataFrame
        A square matrix from this module (or any square matrix).
    kind : {"auto", "similarity", "distance"}
        An explicit kind is returned as given; ``"auto"`` reads ``matrix.attrs["kind"]``,
        else the diagonal (all 1: similarity, all 0: distance).

    Returns
    -------
    str
        ``"similarity"`` or ``"distance"``.

    Raises
    ------
    ValueError
        When `kind` is not one of the three, or ``"auto"`` cannot tell.

    Examples
    --------
    >>> import pandas as pd
    >>> resolve_kind(pd.DataFrame([[0.0, 0.4], [0.4, 0.0]]), "auto")
    'distance'
    """
    if kind in ("similarity", "distance"):
        return kind
    if kind != "auto":
        raise ValueError(f"kind must be 'auto', 'similarity' or 'distance', not {kind!r}")
    if matrix.attrs.get("kind") in ("similarity", "distance"):
        return matrix.attrs["kind"]
    diagonal = np.diag(matrix.to_numpy(dtype=np.float64))
    if np.allclose(diagonal, 1.0):
        return "similarity"
    if np.allclose(diagonal, 0.0):
        return "distance"
    raise ValueError("cannot tell whether the matrix holds similarities or distances; pass kind=")


# The plots imported these under their private names; kept for one release.
_check_square = check_square
_resolve_kind = resolve_kind


def similarity_table(
    matrix: pd.DataFrame, *, kind: Kind = "auto", pairs: Literal["upper", "all"] = "upper"
) -> pd.DataFrame:
    """Turn a square similarity or distance matrix into a tidy table of pairs.

    Parameters
    ----------
    matrix : pandas.DataFrame
        A square matrix from this module.
    kind : {"auto", "similarity", "distance"}, default "auto"
        Name of the value column; ``"auto"`` reads ``matrix.attrs["kind"]`` (or the diagonal).
    pairs : {"upper", "all"}, default "upper"
        ``"upper"``: each unordered pair once (a before b in the matrix order), no diagonal;
        ``"all"``: every ordered pair including (a, a).

    Returns
    -------
    pandas.DataFrame
        Columns ``a, b, similarity`` (or ``distance``), sorted most similar (closest) first,
        then by a and b. ``attrs`` copied from `matrix`.

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.Index(["甲", "乙", "丙"], name="group")
    >>> m = pd.DataFrame([[1, .8, .1], [.8, 1, .3], [.1, .3, 1]], index=idx, columns=idx)
    >>> similarity_table(m).values.tolist()
    [['甲', '乙', 0.8], ['乙', '丙', 0.3], ['甲', '丙', 0.1]]
    """
    check_square(matrix)
    if pairs not in ("upper", "all"):
        raise ValueError(f"pairs must be 'upper' or 'all', not {pairs!r}")
    kind = resolve_kind(matrix, kind)
    n = len(matrix)
    rows, cols = np.triu_indices(n, k=1) if pairs == "upper" else np.indices((n, n)).reshape(2, -1)
    labels = np.asarray(matrix.index, dtype=object)
    table = pd.DataFrame({"a": labels[rows], "b": labels[cols], kind: matrix.to_numpy(dtype=np.float64)[rows, cols]})
    table = table.sort_values(kind, ascending=(kind == "distance"), kind="mergesort").reset_index(drop=True)
    table.attrs = dict(matrix.attrs)
    return table


@dataclass(frozen=True)
class Clustering:
    """A hierarchical clustering of the labels of a square matrix.

    Attributes
    ----------
    labels : list
        The labels in matrix order.
    order : list
        The labels in dendrogram leaf order (similar ones adjacent): the order for heatmaps.
    linkage : numpy.ndarray
        The scipy linkage matrix (``scipy.cluster.hierarchy.linkage`` format) on distances.
    method : str
        The linkage method.
    """

    labels: list
    order: list
    linkage: np.ndarray
    method: str

    def clusters(self, n_clusters: int) -> pd.Series:
        """Cut the tree into `n_clusters` flat clusters.

        Returns
        -------
        pandas.Series
            Cluster number (1..n_clusters, numbered in leaf order) per label, index the labels
            in matrix order, named ``cluster``.
        """
        from scipy.cluster.hierarchy import fcluster

        if int(n_clusters) != n_clusters or not 1 <= n_clusters <= max(len(self.labels), 1):
            raise ValueError(f"n_clusters must be between 1 and {len(self.labels)}, got {n_clusters!r}")
        if len(self.labels) < 2:
            return pd.Series([1] * len(self.labels), index=self.labels, name="cluster")
        raw = fcluster(self.linkage, t=n_clusters, criterion="maxclust")
        by_label = dict(zip(self.labels, raw))
        renumber: dict[int, int] = {}
        for label in self.order:  # number clusters as they appear along the dendrogram
            renumber.setdefault(int(by_label[label]), len(renumber) + 1)
        return pd.Series([renumber[int(by_label[label])] for label in self.labels], index=self.labels, name="cluster")


def cluster_order(matrix: pd.DataFrame, *, method: LinkageMethod = "average", kind: Kind = "auto",
                  optimal_ordering: bool | None = None) -> Clustering:
    """Cluster the labels of a similarity or distance matrix hierarchically.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Square and symmetric, e.g. from :func:`group_similarity` or :func:`topic_similarity`.
    method : {"average", "complete", "single", "weighted"}, default "average"
        Linkage (``scipy.cluster.hierarchy.linkage``). Average linkage (UPGMA) suits
        similarities that are not Euclidean distances; ``ward`` and ``centroid`` assume
        Euclidean geometry and are not offered.
    kind : {"auto", "similarity", "distance"}, default "auto"
        What the matrix holds; ``"auto"`` reads ``matrix.attrs["kind"]``, else the diagonal
        (all 1: similarity, all 0: distance).
    optimal_ordering : bool, optional
        Put the leaves in optimal order (see Notes); None does so for up to
        :data:`OPTIMAL_ORDER_MAX_LABELS` labels and keeps the tree's own order beyond.

    Returns
    -------
    Clustering
        ``order`` puts similar labels side by side; ``linkage`` draws the dendrogram.

    Notes
    -----
    A similarity s becomes the distance ``1 - s`` (cosine similarities of non-negative
    vectors lie in [0, 1]). The leaves are put in *optimal* order (``optimal_ordering=True``,
    Bar-Joseph et al. 2001): among the orders the tree allows, the one with the most similar
    neighbours, so the heatmap shows blocks (by default up to :data:`OPTIMAL_ORDER_MAX_LABELS`
    labels). Missing values (empty documents) are treated as
    maximally distant.

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.Index(["甲", "乙", "丙", "丁"], name="group")
    >>> m = pd.DataFrame([[1, .1, .9, .1], [.1, 1, .1, .8], [.9, .1, 1, .2], [.1, .8, .2, 1]],
    ...                  index=idx, columns=idx)
    >>> c = cluster_order(m)
    >>> c.clusters(2).tolist()
    [1, 2, 1, 2]
    """
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    check_square(matrix)
    if method not in ("average", "complete", "single", "weighted"):
        raise ValueError(f"method must be 'average', 'complete', 'single' or 'weighted', not {method!r}")
    kind = resolve_kind(matrix, kind)
    values = matrix.to_numpy(dtype=np.float64)
    distances = 1.0 - values if kind == "similarity" else values.copy()
    top = 1.0 if kind == "similarity" else np.nanmax(distances) if np.isfinite(distances).any() else 1.0
    distances = np.where(np.isnan(distances), top, distances)
    distances = np.clip((distances + distances.T) / 2.0, 0.0, None)
    np.fill_diagonal(distances, 0.0)
    labels = list(matrix.index)
    if len(labels) < 2:
        return Clustering(labels=labels, order=labels, linkage=np.empty((0, 4)), method=method)
    if optimal_ordering is None:
        optimal_ordering = len(labels) <= OPTIMAL_ORDER_MAX_LABELS
    tree = linkage(squareform(distances, checks=False), method=method, optimal_ordering=bool(optimal_ordering))
    order = [labels[i] for i in leaves_list(tree)]
    return Clustering(labels=labels, order=order, linkage=tree, method=method)
