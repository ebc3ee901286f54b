"""The work done on one chunk of documents, in a worker: clean, cut into units, segment, count.

:func:`process_chunk` is what runs in a worker process (or on a Dask worker) for
:func:`~corpus_tools.streaming.stream.stream_dtm`. Each step is the in-memory path's own
function (``process_document`` for cleaning and docvars, the segmenter ``tokenize`` uses,
Tokens' encoding and dtm's ``count_codes`` through :func:`count_units`); what this module adds
is only the packing of one chunk's results into a compact :class:`ChunkResult`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..corpus.document import process_document
from ..dtm.matrix import count_codes
from ..io.records import RawDocument
from ..tokens import encode_tokens
from ..units import Unit, check_unit, iter_units, unit_columns

__all__ = ["ChunkResult", "count_units", "process_chunk"]


@dataclass
class ChunkResult:
    """What one chunk of documents sends back: counts and docvars, tokens only as codes.

    Attributes
    ----------
    doc_ids : list of str
    inferred : list of dict
        Per document, :attr:`ProcessedDocument.inferred <corpus_tools.corpus.ProcessedDocument>`.
    info : list of dict
        Per document, what reading found (``file``, ``encoding``, ``encoding_method``,
        ``sha256`` …).
    given, origin : list of dict
        Per document, the docvars its source states and where each came from.
    n_bytes : int
        Size of the documents as read (file bytes, or UTF-8 bytes of in-memory texts).
    units : dict of str to list
        Per unit: ``unit_id``, ``doc_id`` and, for finer units, ``para_no``, ``sent_no``,
        ``section``.
    vocab : list of str
        The chunk's terms, numbered in order of first appearance.
    unit_nnz : numpy.ndarray of int32
        Distinct terms per unit; the unit's entries of ``cols`` and ``vals`` follow in order.
    cols, vals : numpy.ndarray of int32
        Term (index into ``vocab``) and count of every non-zero cell, unit by unit.
    n_tokens : numpy.ndarray of int64
        Tokens per unit.
    token_codes : numpy.ndarray of int32, optional
        Every token as an index into ``vocab``, unit by unit (only when tokens are kept).
    pos_vocab : list of str, optional
    pos_codes : numpy.ndarray of int32, optional
        Part-of-speech tags, likewise (only with ``pos=True`` and kept tokens).
    segmenter : str
        ``repr`` of the segmenter used, for the provenance record.
    """

    doc_ids: list[str]
    inferred: list[dict[str, object]]
    info: list[dict[str, object]]
    given: list[dict[str, object]]
    origin: list[dict[str, object]]
    n_bytes: int
    units: dict[str, list[Any]]
    vocab: list[str]
    unit_nnz: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    n_tokens: np.ndarray
    token_codes: np.ndarray | None = None
    pos_vocab: list[str] | None = None
    pos_codes: np.ndarray | None = None
    segmenter: str = ""


def _segmenter(engine: str | None):
    from ..segment import get_segmenter

    return get_segmenter(hmm=False, engine=engine or "auto")


def count_units(
    words: list[list[str]],
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Count the tokens of each unit against a vocabulary local to these units.

    Parameters
    ----------
    words : list of list of str
        One token list per unit.

    Returns
    -------
    vocab : list of str
        The distinct tokens, numbered in order of first appearance.
    codes : numpy.ndarray of int32
        Every token as an index into ``vocab``, unit by unit.
    unit_nnz : numpy.ndarray of int32
        Distinct tokens per unit.
    cols, vals : numpy.ndarray of int32
        Token (index into ``vocab``) and count of each (unit, token) pair, unit by unit and
        by ``vocab`` index within a unit.
    lengths : numpy.ndarray of int64
        Tokens per unit.

    Examples
    --------
    >>> vocab, codes, unit_nnz, cols, vals, lengths = count_units([["党史", "群众", "党史"], ["群众"]])
    >>> vocab, unit_nnz.tolist(), cols.tolist(), vals.tolist(), lengths.tolist()
    (['党史', '群众'], [2, 1], [0, 1, 1], [2, 1, 1], [3, 1])
    """
    # The in-memory path's two steps, on this chunk: code the words (Tokens' encoding), then count
    # the codes (dtm's counting function). Only the vocabulary is local to the chunk.
    codes, lengths, vocabulary = encode_tokens(words)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    counts = count_codes(codes, offsets, len(vocabulary))
    return (
        list(vocabulary),
        codes,
        np.diff(counts.indptr).astype(np.int32),
        counts.indices.astype(np.int32),
        counts.data.astype(np.int32),
        lengths,
    )


def process_chunk(
    documents: list[RawDocument],
    *,
    unit: Unit = "document",
    pos: bool = False,
    keep_tokens: bool = False,
    engine: str | None = None,
) -> ChunkResult:
    """Read, clean, segment and count one chunk of documents.

    Per document this does what the in-memory path does: ``process_document`` (cleaning,
    blocks, inferred docvars), the units of ``Corpus.units(unit)``, the default segmenter
    (``hmm=False``) as in ``tokenize``, and a count of every token, punctuation included, as in
    ``dtm``.

    Parameters
    ----------
    documents : list of corpus_tools.io.records.RawDocument
        As :func:`~corpus_tools.io.documents.iter_documents` yields them, or made from texts with
        :func:`~corpus_tools.streaming.sources.SourceDocument`.
    unit : {"document", "paragraph", "sentence"}, default "document"
    pos : bool, default False
        Segment with part-of-speech tags (``Segmenter.cut_pos``), as ``tokenize(pos=True)``.
    keep_tokens : bool, default False
        Also return every token as a code, for the tokens table.
    engine : str, optional
        Segmentation engine passed to ``get_segmenter`` when it takes one.

    Returns
    -------
    ChunkResult

    Examples
    --------
    >>> from corpus_tools.streaming.sources import SourceDocument
    >>> result = process_chunk([SourceDocument("a", text="学史明理，学史明理。")])
    >>> dict(zip([result.vocab[c] for c in result.cols], result.vals.tolist()))
    {'学史明理': 2, '，': 1, '。': 1}
    """
    check_unit(unit)
    segmenter = _segmenter(engine)
    # Per document, the fields of ChunkResult that the merge turns into docvars frames.
    per_document: dict[str, list[Any]] = {"doc_ids": [], "inferred": [], "info": [], "given": [], "origin": []}
    n_bytes = 0
    unit_ids: list[str] = []
    unit_docs: list[str] = []
    unit_extra: list[tuple[Any, ...]] = []
    words: list[list[str]] = []
    tags: list[list[str]] = []
    for document in documents:
        raw = document.raw_text
        n_bytes += len(raw.encode("utf-8"))  # a UTF-8 file's own size; other encodings are counted as UTF-8
        doc = process_document(document.doc_id, raw)
        for name, value in zip(
            per_document,
            (document.doc_id, doc.inferred, dict(document.read_info), dict(document.docvars),
             dict(document.docvar_origin)),
        ):
            per_document[name].append(value)
        # Numbered by the rule Corpus.units uses, from the same body paragraphs.
        paragraphs = [(row.section, row.text) for row in doc.block_rows if row.kind == "body"]
        for unit_id, extra, text in iter_units(document.doc_id, paragraphs, unit, document_text=doc.body):
            unit_ids.append(unit_id)
            unit_docs.append(document.doc_id)
            unit_extra.append(extra)
            if pos:
                pairs = segmenter.cut_pos(text)
                words.append([word for word, _ in pairs])
                tags.append([tag for _, tag in pairs])
            else:
                words.append(segmenter.cut(text))

    vocab, codes, unit_nnz, cols, vals, lengths = count_units(words)
    columns: dict[str, list[Any]] = {"unit_id": unit_ids, "doc_id": unit_docs}
    for position, name in enumerate(unit_columns(unit)):
        columns[name] = [extra[position] for extra in unit_extra]
    result = ChunkResult(
        **per_document, n_bytes=n_bytes, units=columns, vocab=vocab, unit_nnz=unit_nnz, cols=cols, vals=vals,
        n_tokens=lengths, segmenter=repr(segmenter),
    )
    if keep_tokens:
        result.token_codes = codes.astype(np.int32)
        if pos:
            tag_codes, _, tag_vocabulary = encode_tokens(tags)
            result.pos_codes = tag_codes
            result.pos_vocab = list(tag_vocabulary)
    return result

