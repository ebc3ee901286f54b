"""DocTermMatrix: sparse term counts per unit, with docvars, trimming, grouping and bridges.

The third stage of the pipeline (``Corpus -> Tokens -> DocTermMatrix``). Counts are held in a
scipy CSR matrix and never densified; the vocabulary is sorted, so the same tokens always give
the same matrix, column for column.

:meth:`DocTermMatrix.save` and :meth:`DocTermMatrix.load` write and read the folder layout of
:mod:`corpus_tools.dtm.store`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..compat import renamed_parameters
from ..corpus.metadata import UNKNOWN_GROUP, group_labels
from ..units import Where, select_units
from .store import read_dtm, write_dtm

if TYPE_CHECKING:  # gensim is heavy to import; only to_gensim needs it at run time
    from gensim.corpora import Dictionary

    from ..tokens import Tokens

__all__ = ["UNKNOWN_GROUP", "DocTermMatrix", "count_codes", "dtm"]

@dataclass(frozen=True, eq=False, kw_only=True)
class DocTermMatrix:
    """Term counts per row (unit or group) with the rows' docvars.

    Build with :func:`dtm`; the constructor is for code that already holds aligned pieces.

    Parameters
    ----------
    matrix : scipy.sparse.csr_matrix
        Integer counts, one row per entry of ``docvars`` and one column per term. Any scipy
        sparse input is converted to CSR with sorted indices and no stored zeros; dense input
        is refused.
    terms : tuple of str
        Column labels; column ``j`` counts ``terms[j]``.
    docvars : pandas.DataFrame
        One row per matrix row (index: ``unit_id``, or the grouping variable after
        :meth:`group`). :func:`dtm` adds ``n_tokens``, the row's token count when the matrix
        was built, which :meth:`top_terms` uses as the denominator of rates.
    history : tuple of str
        What was done, oldest first (inherited from the tokens).

    Notes
    -----
    The dataclass is frozen; the arrays and frames inside it are not, and must not be modified.
    """

    matrix: sp.csr_matrix
    terms: tuple[str, ...]
    docvars: pd.DataFrame
    history: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not sp.issparse(self.matrix):
            raise TypeError("matrix must be a scipy sparse matrix; a DocTermMatrix is never dense")
        matrix = sp.csr_matrix(self.matrix)  # no copy when already a csr_matrix
        if not np.issubdtype(matrix.dtype, np.integer):
            raise TypeError(f"matrix must hold integer counts, not {matrix.dtype}")
        if not matrix.has_canonical_format or (matrix.data == 0).any():
            # Normalise a copy: the caller's matrix is not ours to change.
            matrix = matrix.copy()
            matrix.sum_duplicates()
            matrix.eliminate_zeros()
            matrix.sort_indices()
        terms = tuple(str(term) for term in self.terms)
        if matrix.shape != (len(self.docvars), len(terms)):
            raise ValueError(
                f"matrix shape {matrix.shape} does not match {len(self.docvars)} docvars rows "
                f"and {len(terms)} terms"
            )
        if len(set(terms)) != len(terms):
            raise ValueError("terms must be unique")
        if not self.docvars.index.is_unique:
            raise ValueError("docvars index (row ids) must be unique")
        # Frozen dataclass: normalised values are stored through object.__setattr__.
        object.__setattr__(self, "matrix", matrix)
        object.__setattr__(self, "terms", terms)
        object.__setattr__(self, "history", tuple(self.history))

    # -- size ---------------------------------------------------------------------------------

    @property
    def n_docs(self) -> int:
        """int: the number of rows (units or groups)."""
        return self.matrix.shape[0]

    @property
    def n_terms(self) -> int:
        """int: the number of columns (terms)."""
        return self.matrix.shape[1]

    @property
    def shape(self) -> tuple[int, int]:
        """tuple of int: ``(n_docs, n_terms)``."""
        return (self.n_docs, self.n_terms)

    def __repr__(self) -> str:
        total = int(self.matrix.sum())
        cells = self.n_docs * self.n_terms
        sparsity = 1 - self.matrix.nnz / cells if cells else 0.0
        return (
            f"DocTermMatrix({self.n_docs} rows x {self.n_terms} terms, {total} counts, "
            f"{sparsity:.1%} sparse)"
        )

    @property
    def _row_label(self) -> str:
        return self.docvars.index.name or "unit_id"

    def _term_count(self) -> np.ndarray:
        return np.asarray(self.matrix.sum(axis=0), dtype=np.int64).ravel()

    def _doc_freq(self) -> np.ndarray:
        # Stored zeros are eliminated on construction, so every stored entry is a presence.
        return np.bincount(self.matrix.indices, minlength=self.n_terms).astype(np.int64)

    def _row_tokens(self) -> np.ndarray:
        if "n_tokens" in self.docvars.columns:
            return self.docvars["n_tokens"].to_numpy(dtype=np.int64)
        return np.asarray(self.matrix.sum(axis=1), dtype=np.int64).ravel()

    def _with(self, *, matrix, terms, docvars, step: str) -> DocTermMatrix:
        return DocTermMatrix(matrix=matrix, terms=terms, docvars=docvars, history=(*self.history, step))

    # -- transformations ----------------------------------------------------------------------

    def trim(
        self,
        *,
        min_termfreq: int = 1,
        min_docfreq: int = 1,
        max_docfreq_prop: float = 1.0,
        max_terms: int | None = None,
    ) -> DocTermMatrix:
        """Drop rare, ubiquitous or surplus terms.

        The defaults drop nothing (except terms that occur nowhere), so that on a corpus of five
        documents no term disappears unless asked.

        Parameters
        ----------
        min_termfreq : int, default 1
            Keep a term if its total count is at least this (inclusive).
        min_docfreq : int, default 1
            Keep a term if it occurs in at least this many rows (inclusive).
        max_docfreq_prop : float, default 1.0
            Keep a term if the share of rows it occurs in is at most this (inclusive): with 5
            rows, ``0.8`` keeps a term found in 4 and drops one found in all 5.
        max_terms : int, optional
            After the other rules, keep only this many terms with the highest total count; ties
            are broken by term in code-point order, so the cut is deterministic.

        Returns
        -------
        DocTermMatrix
            All rows kept (a row may become empty); surviving terms keep their order.

        Examples
        --------
        >>> import pandas as pd, scipy.sparse as sp
        >>> from corpus_tools.dtm import DocTermMatrix
        >>> m = DocTermMatrix(matrix=sp.csr_matrix([[2, 1, 0], [1, 0, 1]]), terms=("党史", "红色", "群众"),
        ...                   docvars=pd.DataFrame(index=pd.Index(["a", "b"], name="unit_id")))
        >>> m.trim(min_docfreq=2).terms
        ('党史',)
        """
        for name, value in (("min_termfreq", min_termfreq), ("min_docfreq", min_docfreq)):
            if int(value) != value or value < 0:
                raise ValueError(f"{name} must be a non-negative integer count, got {value!r}")
        if not 0.0 <= max_docfreq_prop <= 1.0:
            raise ValueError(f"max_docfreq_prop is a share of rows in [0, 1], got {max_docfreq_prop!r}")
        if max_terms is not None and (int(max_terms) != max_terms or max_terms < 0):
            raise ValueError(f"max_terms must be a non-negative integer, got {max_terms!r}")

        termfreq = self._term_count()
        docfreq = self._doc_freq()
        keep = (termfreq >= max(min_termfreq, 1)) & (docfreq >= min_docfreq)
        if self.n_docs:
            keep &= docfreq / self.n_docs <= max_docfreq_prop
        columns = np.flatnonzero(keep)
        if max_terms is not None and len(columns) > max_terms:
            terms = np.asarray(self.terms, dtype=object)
            # lexsort: last key is primary -> count descending, then term ascending.
            order = np.lexsort((terms[columns], -termfreq[columns]))
            columns = np.sort(columns[order[:max_terms]])
        step = (
            f"trim(min_termfreq={min_termfreq}, min_docfreq={min_docfreq}, "
            f"max_docfreq_prop={max_docfreq_prop}, max_terms={max_terms}) "
            f"-> {len(columns)} of {self.n_terms} terms"
        )
        return self._with(
            matrix=self.matrix[:, columns],
            terms=tuple(self.terms[j] for j in columns),
            docvars=self.docvars,
            step=step,
        )

    def subset(self, where: Where | None = None, *, doc_ids: Iterable[str] | None = None) -> DocTermMatrix:
        """Keep the rows that satisfy a condition, in their original order (quanteda's ``dfm_subset``).

        Parameters
        ----------
        where : boolean Series, boolean sequence, sequence of row ids, or callable, optional
            A boolean Series indexed like ``docvars`` (e.g. ``m.docvars["district"] == "槐荫区"``),
            a boolean sequence in row order, the row ids (index values) to keep, or a function
            taking ``docvars`` and returning one of these (see
            :func:`corpus_tools.units.select_units`).
        doc_ids : iterable of str, optional
            Keep only rows whose ``doc_id`` docvar is one of these.

        Returns
        -------
        DocTermMatrix
            The selected rows with their docvars; every term is kept, also one that no longer
            occurs (``trim()`` drops those), so that matrices cut from one another share columns.

        Examples
        --------
        >>> import pandas as pd, scipy.sparse as sp
        >>> m = DocTermMatrix(matrix=sp.csr_matrix([[2, 1, 0], [1, 0, 1], [0, 0, 4]]),
        ...                   terms=("党史", "红色", "群众"),
        ...                   docvars=pd.DataFrame({"district": ["甲区", "乙县", "甲区"]},
        ...                                        index=pd.Index(["a", "b", "c"], name="unit_id")))
        >>> m.subset(lambda d: d["district"] == "甲区").matrix.toarray().tolist()
        [[2, 1, 0], [0, 0, 4]]
        """
        keep, described = select_units(self.docvars, where, doc_ids=doc_ids, what="row")
        rows = np.flatnonzero(keep)
        return self._with(
            matrix=self.matrix[rows],
            terms=self.terms,
            docvars=self.docvars.iloc[rows],
            step=f"subset({described}) -> {len(rows)} of {self.n_docs} rows",
        )

    def select(
        self, terms: Iterable[str], *, selection: Literal["keep", "remove"] = "keep"
    ) -> DocTermMatrix:
        """Keep (or remove) the columns of the given terms (quanteda's ``dfm_select``).

        Parameters
        ----------
        terms : iterable of str
            Terms matched exactly; a single string is one term. Terms the matrix does not have
            are ignored.
        selection : {"keep", "remove"}, default "keep"
            Keep only these terms, or keep every other term.

        Returns
        -------
        DocTermMatrix
            All rows; the surviving columns in their original (code-point) order. ``n_tokens``
            is unchanged, so rates stay per token of the unit as built.

        Examples
        --------
        >>> import pandas as pd, scipy.sparse as sp
        >>> m = DocTermMatrix(matrix=sp.csr_matrix([[2, 1, 0], [1, 0, 1]]), terms=("党史", "红色", "群众"),
        ...                   docvars=pd.DataFrame(index=pd.Index(["a", "b"], name="unit_id")))
        >>> m.select(["群众", "党史", "未见"]).terms
        ('党史', '群众')
        >>> m.select("党史", selection="remove").matrix.toarray().tolist()
        [[1, 0], [0, 1]]
        """
        if selection not in ("keep", "remove"):
            raise ValueError(f"selection must be 'keep' or 'remove', got {selection!r}")
        wanted = frozenset((terms,) if isinstance(terms, str) else terms)
        present = np.fromiter((term in wanted for term in self.terms), dtype=bool, count=self.n_terms)
        columns = np.flatnonzero(present if selection == "keep" else ~present)
        return self._with(
            matrix=self.matrix[:, columns],
            terms=tuple(self.terms[j] for j in columns),
            docvars=self.docvars,
            step=f"select(terms={len(wanted)}, selection={selection!r}) -> {len(columns)} of {self.n_terms} terms",
        )

    def group_labels(self, by: str) -> pd.Series:
        """Label each row by the docvar ``by``, with the package's one grouping rule.

        Parameters
        ----------
        by : str
            A docvars column (e.g. ``"district"``) or the index name (each row its own group).

        Returns
        -------
        pandas.Series
            One label per row, indexed like ``docvars``: the labels of
            :func:`corpus_tools.corpus.metadata.group_labels` (strings; a categorical stays categorical;
            a document without a district but with a city is that city's ``（全市）`` or
            ``（未定）``), except that a value of only blanks counts as missing. Rows with nothing
            to go by are :data:`UNKNOWN_GROUP`.

        Warns
        -----
        UserWarning
            When some rows are labelled :data:`UNKNOWN_GROUP`; the message says how many.

        Raises
        ------
        KeyError
            When ``by`` is neither a docvar nor the index name.
        """
        return self._group_labels(by, stacklevel=2)

    def _group_labels(self, by: str, *, stacklevel: int) -> pd.Series:
        docvars = self.docvars
        if by in docvars.columns:
            values = docvars[by]
            # The Corpus writes "" for metadata it could not find; a cell of only spaces is no
            # more a group than an empty one.
            blank = values.map(lambda value: isinstance(value, str) and not value.strip()).astype(bool)
            if blank.any():
                docvars = docvars.assign(**{by: values.where(~blank.to_numpy())})
        labels = group_labels(docvars, by)
        missing = labels == UNKNOWN_GROUP
        if by in docvars.columns:
            missing &= docvars[by].isna().to_numpy()  # a group really called "unknown" is not missing
        if missing.any():
            warnings.warn(
                f"{int(missing.sum())} rows have no {by!r}; they are grouped as {UNKNOWN_GROUP!r}",
                UserWarning,
                stacklevel=stacklevel + 1,
            )
        return labels

    def group(self, by: str) -> DocTermMatrix:
        """Sum rows that share a value of a docvar.

        Parameters
        ----------
        by : str
            A docvars column (e.g. ``"district"``, ``"doc_id"``) or the index name (each row
            its own group).

        Returns
        -------
        DocTermMatrix
            One row per group, labelled by :meth:`group_labels` (the package's one grouping rule)
            in sorted order of the labels (category order for a categorical). ``docvars`` is
            indexed by the labels (index name ``by``) and
            holds ``n_units`` (rows summed), ``n_tokens`` (summed, when present) and every other
            docvar that is constant within every group.

        Warns
        -----
        UserWarning
            When some rows lack a value for ``by`` (missing or a blank string) and have no
            fallback; they form the group ``"unknown"``.
        """
        return self._group(by, stacklevel=2)

    def _group(self, by: str, *, stacklevel: int) -> DocTermMatrix:
        # stacklevel counts frames up to the user's call, so the missing-group warning points
        # at the user's line whether it came through group() or top_terms().
        keys = self._group_labels(by, stacklevel=stacklevel + 1)
        codes, uniques = pd.factorize(keys, sort=True)
        n_groups = len(uniques)
        indicator = sp.csr_matrix(
            (np.ones(self.n_docs, dtype=np.int64), (codes, np.arange(self.n_docs))),
            shape=(n_groups, self.n_docs),
        )
        matrix = indicator @ self.matrix

        docvars = pd.DataFrame(index=pd.Index(uniques, name=by))
        docvars["n_units"] = np.bincount(codes, minlength=n_groups).astype(np.int64)
        if "n_tokens" in self.docvars.columns:
            docvars["n_tokens"] = np.bincount(
                codes, weights=self.docvars["n_tokens"].to_numpy(dtype=np.float64), minlength=n_groups
            ).astype(np.int64)
        _, first_rows = np.unique(codes, return_index=True)
        for column in self.docvars.columns:
            if column in (by, "n_units", "n_tokens"):
                continue
            values = self.docvars[column]
            try:
                per_group = values.groupby(codes, sort=True).nunique(dropna=False)
            except TypeError:  # unhashable values (lists) cannot be checked for constancy
                continue
            if (per_group == 1).all():
                docvars[column] = values.iloc[first_rows].to_numpy()
        return self._with(matrix=matrix, terms=self.terms, docvars=docvars, step=f"group(by={by!r})")

    # -- tables -------------------------------------------------------------------------------

    def term_frequencies(self) -> pd.DataFrame:
        """Return each term's total count and document frequency.

        Returns
        -------
        pandas.DataFrame
            One row per term: ``term``; ``count`` (total over rows); ``docfreq`` (rows it
            occurs in); ``prop`` (``count`` as a share of all counts in the matrix). Sorted by
            ``count`` descending, then ``term``.
        """
        count = self._term_count()
        total = count.sum()
        table = pd.DataFrame(
            {
                "term": pd.Series(self.terms, dtype=object),
                "count": count,
                "docfreq": self._doc_freq(),
                "prop": count / total if total else np.zeros(self.n_terms),
            }
        )
        table = table.sort_values(["count", "term"], ascending=[False, True], kind="stable")
        return table.reset_index(drop=True)

    def top_terms(self, n: int = 20, *, by: str | None = None) -> pd.DataFrame:
        """Return the most frequent terms, overall or per group.

        Parameters
        ----------
        n : int, default 20
            Terms per group.
        by : str, optional
            A docvar to group by first (see :meth:`group`); ``None`` ranks over all rows, as
            the single group ``"all"``. Pass the index name to rank within each row.

        Returns
        -------
        pandas.DataFrame
            Columns ``group, rank, term, count, per_10k_tokens``: at most ``n`` rows per group,
            terms that occur in it only. ``rank`` runs 1..n by ``count`` descending, ties broken
            by term in code-point order. ``per_10k_tokens`` is ``count`` per 10,000 tokens of the
            group, counting the tokens present when the matrix was built (``n_tokens``), so
            rates do not rise when :meth:`trim` removes other terms.
        """
        if int(n) != n or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}")
        if by is None:
            matrix = sp.csr_matrix(self.matrix.sum(axis=0, dtype=np.int64))
            groups = ["all"]
            n_tokens = np.array([self._row_tokens().sum()])
        else:
            grouped = self._group(by, stacklevel=2)
            matrix = grouped.matrix
            groups = list(grouped.docvars.index)
            n_tokens = grouped._row_tokens()

        terms = np.asarray(self.terms, dtype=object)
        term_order = np.argsort(np.argsort(terms, kind="stable"), kind="stable")  # code-point rank
        pieces = []
        for row, group in enumerate(groups):
            start, end = matrix.indptr[row], matrix.indptr[row + 1]
            columns, counts = matrix.indices[start:end], matrix.data[start:end]
            order = np.lexsort((term_order[columns], -counts))[:n]
            k = len(order)
            denominator = n_tokens[row]
            pieces.append(
                pd.DataFrame(
                    {
                        "group": [group] * k,
                        "rank": np.arange(1, k + 1, dtype=np.int64),
                        "term": terms[columns[order]],
                        "count": counts[order].astype(np.int64),
                        "per_10k_tokens": counts[order] / denominator * 10_000 if denominator else np.nan,
                    }
                )
            )
        columns_out = ["group", "rank", "term", "count", "per_10k_tokens"]
        if not pieces:
            return pd.DataFrame(columns=columns_out)
        return pd.concat(pieces, ignore_index=True)[columns_out]

    # -- on disk ------------------------------------------------------------------------------

    @renamed_parameters(path="out_dir")
    def save(
        self,
        out_dir: str | os.PathLike[str],
        *,
        overwrite: bool = False,
        provenance: Mapping[str, Any] | None = None,
    ) -> Path:
        """Write the matrix, terms and docvars to a folder (layout in :mod:`corpus_tools.dtm.store`).

        Parameters
        ----------
        out_dir : str or Path
            The folder to create. Its parent is created when missing. (Called ``path`` before
            0.2; the old keyword still works, with a FutureWarning.)
        overwrite : bool, default False
            Replace an existing non-empty folder. Only a folder that holds a saved matrix
            (a ``dtm.json``) is ever replaced, so a mistyped path cannot delete unrelated files.
        provenance : mapping, optional
            JSON-serialisable notes stored under ``provenance`` in ``dtm.json`` (source,
            options, ...).

        Returns
        -------
        pathlib.Path
            ``out_dir``.

        Raises
        ------
        FileExistsError
            When ``out_dir`` is a file, or a non-empty folder and ``overwrite`` is False, or a
            non-empty folder without ``dtm.json``; the message names the path.
        TypeError
            When a docvars column cannot be stored in Parquet (e.g. mixed numbers and strings).

        Notes
        -----
        Everything is written to a hidden sibling folder that is renamed into place at the end,
        so an interrupted save leaves any earlier folder at ``out_dir`` untouched.

        Examples
        --------
        >>> import tempfile, pandas as pd, scipy.sparse as sp
        >>> m = DocTermMatrix(matrix=sp.csr_matrix([[2, 1], [0, 3]]), terms=("党史", "群众"),
        ...                   docvars=pd.DataFrame({"district": ["甲区", "乙县"]},
        ...                                        index=pd.Index(["a", "b"], name="unit_id")))
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     back = DocTermMatrix.load(m.save(f"{tmp}/counts"))
        >>> back.terms, back.matrix.toarray().tolist(), back.docvars["district"].tolist()
        (('党史', '群众'), [[2, 1], [0, 3]], ['甲区', '乙县'])
        """
        return write_dtm(
            out_dir,
            matrix=self.matrix,
            terms=self.terms,
            docvars=self.docvars,
            history=self.history,
            overwrite=overwrite,
            provenance=provenance,
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> DocTermMatrix:
        """Read a saved matrix back.

        Parameters
        ----------
        path : str or Path
            A folder written by :meth:`save` or :func:`corpus_tools.streaming.stream_dtm`; it is
            read, and its errors raised (a missing folder or file, a manifest of another format
            or a newer version), by :func:`corpus_tools.dtm.store.read_dtm`.

        Returns
        -------
        DocTermMatrix
            Equal to the one saved: same counts, terms in the same order, docvars with the same
            index, columns and dtypes, same history.
        """
        return cls(**read_dtm(path))

    # -- bridges ------------------------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """Return the non-zero counts as a tidy long table.

        Returns
        -------
        pandas.DataFrame
            Columns ``unit_id`` (named after the docvars index, e.g. ``district`` after
            :meth:`group`), ``term``, ``count``; one row per non-zero cell, in row order then
            term order.
        """
        coo = self.matrix.tocoo()
        order = np.lexsort((coo.col, coo.row))
        rows, cols = coo.row[order], coo.col[order]
        return pd.DataFrame(
            {
                self._row_label: self.docvars.index.to_numpy()[rows],
                "term": np.asarray(self.terms, dtype=object)[cols],
                "count": coo.data[order].astype(np.int64),
            }
        )

    def to_pandas_sparse(self) -> pd.DataFrame:
        """Return the matrix as a pandas DataFrame with sparse columns.

        Returns
        -------
        pandas.DataFrame
            Index: the docvars index; columns: ``terms``; values ``Sparse[int64, 0]``.
        """
        return pd.DataFrame.sparse.from_spmatrix(
            self.matrix.astype(np.int64),
            index=self.docvars.index,
            columns=pd.Index(self.terms, name="term"),
        )

    def to_gensim(self) -> tuple[Dictionary, list[list[tuple[int, int]]]]:
        """Return a gensim Dictionary and bag-of-words corpus with the same term ids.

        Returns
        -------
        dictionary : gensim.corpora.Dictionary
            ``dictionary.token2id[terms[j]] == j`` for every column ``j``; ``dfs``, ``cfs``,
            ``num_docs``, ``num_pos`` and ``num_nnz`` are filled from the matrix.
        corpus : list of list of (int, int)
            One bag of words per row: ``(column j, count)`` for the row's non-zero cells, in
            increasing ``j``.

        Notes
        -----
        The Dictionary is assembled field by field from the matrix rather than by
        ``Dictionary(texts)``, which numbers terms in order of first appearance; here id ``j``
        is column ``j``, so model output maps straight back to ``terms``. Gensim's
        ``filter_extremes`` renumbers ids; trim with :meth:`trim` instead to keep them aligned.
        """
        from gensim.corpora import Dictionary

        dictionary = Dictionary()
        dictionary.token2id = {term: j for j, term in enumerate(self.terms)}
        dictionary.dfs = {j: int(df) for j, df in enumerate(self._doc_freq())}
        dictionary.cfs = {j: int(cf) for j, cf in enumerate(self._term_count())}
        dictionary.num_docs = self.n_docs
        dictionary.num_pos = int(self.matrix.sum())
        dictionary.num_nnz = int(self.matrix.nnz)
        indptr, indices, data = self.matrix.indptr, self.matrix.indices, self.matrix.data
        corpus = [
            list(zip(indices[indptr[i] : indptr[i + 1]].tolist(), data[indptr[i] : indptr[i + 1]].tolist()))
            for i in range(self.n_docs)
        ]
        return dictionary, corpus


def count_codes(codes: np.ndarray, offsets: np.ndarray, n_terms: int) -> sp.csr_matrix:
    """Count integer-coded tokens per unit: the one counting step of every document-term matrix.

    :func:`dtm` counts a whole :class:`~corpus_tools.tokens.Tokens` with it; the streaming path
    (:func:`corpus_tools.streaming.count_units`) counts each chunk with it and only accumulates.

    Parameters
    ----------
    codes : numpy.ndarray of int
        Every token as a term index in ``[0, n_terms)``, unit after unit.
    offsets : numpy.ndarray of int
        One more value than there are units, from 0 to ``len(codes)``: unit ``i`` is
        ``codes[offsets[i]:offsets[i + 1]]``.
    n_terms : int
        The number of columns.

    Returns
    -------
    scipy.sparse.csr_matrix of int64
        Row ``i``, column ``j``: how often term ``j`` occurs in unit ``i``. Canonical: column
        indices sorted within each row, each (row, column) stored once, no stored zeros.

    Notes
    -----
    The codes are the CSR column indices of a matrix with a 1 per token; summing the duplicates
    within each row (in C) gives the counts. No Python object is made per token.

    Examples
    --------
    >>> import numpy as np
    >>> count_codes(np.array([1, 0, 1, 2]), np.array([0, 3, 4]), 3).toarray().tolist()
    [[1, 2, 0], [0, 0, 1]]
    """
    codes = np.asarray(codes)
    offsets = np.asarray(offsets, dtype=np.int64)
    n_units = len(offsets) - 1
    if n_units < 0 or (len(offsets) and (offsets[0] != 0 or offsets[-1] != len(codes))):
        raise ValueError(f"offsets must run from 0 to len(codes) ({len(codes)}), one more value than units")
    if len(codes) and (codes.min() < 0 or codes.max() >= n_terms):
        raise ValueError(f"codes must lie in [0, n_terms) = [0, {n_terms})")
    # The matrix takes its index arrays without copying and sum_duplicates sorts them in place:
    # copies, so that the caller's codes (a Tokens' own) are never reordered.
    matrix = sp.csr_matrix(
        (np.ones(len(codes), dtype=np.int64), codes.copy(), offsets.copy()), shape=(max(n_units, 0), int(n_terms))
    )
    matrix.sum_duplicates()  # sorts each row's columns and adds up repeats
    return matrix


def dtm(tokens: Tokens) -> DocTermMatrix:
    """Count terms per unit into a sparse document-term matrix.

    Parameters
    ----------
    tokens : Tokens
        Usually after ``Tokens.remove``.

    Returns
    -------
    DocTermMatrix
        One row per unit (same ``unit_id`` index and docvars, plus ``n_tokens``), one column
        per distinct token, terms sorted in code-point order.

    Notes
    -----
    The tokens' integer codes are counted by :func:`count_codes`; their vocabulary is already
    in code-point order and holds only words that occur, so it is the matrix's columns as it is.
    No dense array and no Python string per token are ever built.

    Examples
    --------
    >>> import pandas as pd
    >>> from corpus_tools.tokens import Tokens
    >>> from corpus_tools.dtm import dtm
    >>> idx = pd.Index(["a", "b"], name="unit_id")
    >>> toks = Tokens(tokens=pd.Series([["党史", "红色", "党史"], ["群众", "党史"]], index=idx),
    ...               docvars=pd.DataFrame({"doc_id": ["a", "b"]}, index=idx), unit="document")
    >>> m = dtm(toks)
    >>> m.terms, m.matrix.toarray().tolist()
    (('党史', '红色', '群众'), [[2, 1, 0], [1, 0, 1]])
    """
    counts = count_codes(tokens.codes, tokens.offsets, len(tokens.vocabulary))
    docvars = tokens.docvars.copy()
    docvars["n_tokens"] = np.diff(tokens.offsets)
    return DocTermMatrix(
        matrix=counts,
        terms=tuple(tokens.vocabulary),
        docvars=docvars,
        history=(*tokens.history, "dtm()"),
    )
