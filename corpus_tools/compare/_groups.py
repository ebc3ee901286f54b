"""The group label of every document, shared by the comparison modules."""

from __future__ import annotations

import pandas as pd

from ..metadata import group_labels


def document_groups(corpus, by: str) -> pd.Series:
    """Return each document's label for the docvar `by`, indexed by ``doc_id`` (as str).

    ``by="doc_id"`` labels each document by itself. Locality docvars fall back to the next
    level up, as in :func:`corpus_tools.group_labels` (a city-level summary has no district:
    it is labelled ``济南市（全市）``).

    Raises
    ------
    KeyError
        When `by` is not a docvar; the message lists the docvars (and, for ``group``, how to
        get one).
    """
    index = corpus.docvars.index.astype(str)
    if by == "doc_id" and "doc_id" not in corpus.docvars.columns:
        return pd.Series(index, index=index, name="doc_id")
    if by not in corpus.docvars.columns:
        hint = " (open the corpus with open_corpus(..., group_by=...) to get a 'group' docvar)" if by == "group" else ""
        raise KeyError(f"by={by!r} is not a docvar{hint}; docvars are {list(corpus.docvars.columns)}")
    return pd.Series(group_labels(corpus.docvars, by).to_numpy(), index=index, name=by)
