"""One document's processing, shared by every route that builds a corpus.

:func:`process_document` cleans one raw text, classifies its blocks and infers its docvars;
:func:`merge_docvars` combines inferred docvars with what the sources state. The in-memory
reader (:mod:`corpus_tools.corpus.build`), its worker processes, the streaming and the Dask
paths all call these two, so that every route gives the same result for the same text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd

from ..io import READ_INFO_COLUMNS
from .clean import clean_text, count_han, script_from_counts
from .core import BlockRow, blocks_frame
from .metadata import LOCALITY_COLUMNS, MANIFEST_COLUMNS, infer_docvars
from .structure import classify_blocks, join_page_breaks, split_lines

__all__ = ["ProcessedDocument", "merge_docvars", "process_document"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProcessedDocument:
    """One document after cleaning, block classification and docvar inference.

    The unit of work that :func:`read_corpus`, the streaming path and the parallel and Dask
    paths all share, so that every route gives the same result for the same text.

    Attributes
    ----------
    doc_id : str
    block_rows : tuple of BlockRow
        The document's rows of :attr:`Corpus.blocks`, as named tuples (one frame per document
        would cost more than cleaning it); :attr:`blocks` gives them as a DataFrame.
    log : list of dict
        Quality-log entries (keys of :data:`QUALITY_LOG_COLUMNS`).
    body : str
        Body paragraphs joined by newlines: the document's entry in :attr:`Corpus.texts`.
    inferred : dict
        Docvars inferred from the text (title, dates, locality ... with ``*_evidence``), plus
        ``script``, ``n_chars_raw``, ``n_chars_body`` and ``n_paragraphs``.
    """

    doc_id: str
    block_rows: tuple[BlockRow, ...]
    log: list[dict[str, object]]
    body: str
    inferred: dict[str, object]

    @property
    def blocks(self) -> pd.DataFrame:
        """The document's rows of :attr:`Corpus.blocks` (columns :data:`BLOCK_COLUMNS`)."""
        return blocks_frame(self.block_rows)


def process_document(doc_id: str, raw: str) -> ProcessedDocument:
    """Clean one raw text, split it into classified blocks and infer its docvars.

    Parameters
    ----------
    doc_id : str
        Identifier recorded in the blocks and the quality log.
    raw : str
        The decoded text as read, never modified.

    Returns
    -------
    ProcessedDocument

    Examples
    --------
    >>> doc = process_document("a", "學(xué)史明理,學(xué)史增信。")
    >>> doc.body, doc.inferred["script"]
    ('学史明理，学史增信。', 'traditional')
    """
    cleaned, log = clean_text(raw)
    lines, joins = join_page_breaks(split_lines(cleaned))
    if joins:
        log.append(
            {"step": "structure", "rule": "page_break_joins", "count": len(joins), "detail": "; ".join(joins[:3])}
        )
    rows = []
    section = ""
    for block_no, (kind, line) in enumerate(classify_blocks(lines), start=1):
        if kind == "heading":
            section = line.text
        rows.append(BlockRow(doc_id, block_no, kind, section if kind in {"body", "caption", "heading"} else "", line.line_no, len(line.text), line.text))
    # Per-document bookkeeping from the row list, not by querying the frame: on corpora of
    # tens of thousands of short articles, pandas filtering per document dominated reading.
    separated: dict[str, list[str]] = {}
    body: list[str] = []
    for row in rows:
        kind, text = row.kind, row.text
        if kind == "body":
            body.append(text)
        else:
            separated.setdefault(kind, []).append(text)
    for kind, texts in separated.items():  # in order of first appearance
        examples = [text[:20] for text in texts[:2]]
        log.append({"step": "structure", "rule": f"separated_{kind}", "count": len(texts), "detail": "; ".join(examples)})
    for entry in log:
        entry["doc_id"] = doc_id
    # cleaning already converted the text: reuse its count rather than run OpenCC again
    converted = sum(int(e["count"]) for e in log if e["rule"] == "traditional_to_simplified")
    inferred: dict[str, object] = dict(infer_docvars([(row.kind, row.text) for row in rows]))
    inferred.update(
        script=script_from_counts(converted, count_han(raw)),
        n_chars_raw=len(raw),
        n_chars_body=sum(len(text) for text in body),
        n_paragraphs=len(body),
    )
    if not body:
        logger.warning("%s: no body paragraph was found", doc_id)
    return ProcessedDocument(doc_id=doc_id, block_rows=tuple(rows), log=log, body="\n".join(body), inferred=inferred)


def merge_docvars(inferred: pd.DataFrame, read_info: pd.DataFrame, given: pd.DataFrame, origin: pd.DataFrame) -> pd.DataFrame:
    """Combine the docvars of documents: stated values win, inferred values fill the blanks.

    The rule :func:`read_corpus` applies; the streaming and Dask paths apply it chunk by chunk.

    Parameters
    ----------
    inferred : pandas.DataFrame
        Per document (index ``doc_id``), :attr:`ProcessedDocument.inferred`.
    read_info : pandas.DataFrame
        Per document, what reading found (:data:`~corpus_tools.io.READ_INFO_COLUMNS`:
        file, encoding, sha256 …).
    given : pandas.DataFrame
        Per document, what the sources state (manifest, table columns, front matter); ``""``
        or missing where they state nothing.
    origin : pandas.DataFrame
        Where each stated value came from; it becomes the ``*_evidence`` of a value stated
        rather than inferred.

    Returns
    -------
    pandas.DataFrame
        :attr:`Corpus.docvars`: the manifest columns (the locality columns taken from the
        sources only as a whole, never mixed with inferred ones), what reading found, counts,
        and the ``*_evidence`` of each value.
    """
    order = [c for c in READ_INFO_COLUMNS if c in read_info] + [c for c in read_info if c not in READ_INFO_COLUMNS]
    read_info = read_info[order]
    docvars = pd.DataFrame(index=inferred.index)

    def stated(column: str) -> pd.Series:
        values = given[column].fillna("").astype(str) if column in given else pd.Series("", index=inferred.index)
        return values != ""

    for column in MANIFEST_COLUMNS[1:]:
        values = pd.Series("", index=inferred.index, dtype=object)
        if column in inferred:
            values = inferred[column].fillna("").astype(object)
        if column in read_info:
            values = read_info[column].fillna("").astype(object)
        if column in given:
            values = given[column].fillna("").astype(object).where(stated(column), values)
        docvars[column] = values
    for column in given.columns:
        if column not in docvars:
            docvars[column] = given[column].fillna("").astype(object)
    for column in read_info.columns:
        if column not in docvars:
            values = read_info[column]
            docvars[column] = values.astype("Int64") if column == "row" else values
    for column in ("n_chars_raw", "n_chars_body", "n_paragraphs"):
        docvars[column] = inferred[column].astype(int)
    # Everything else inference found (evidence, confidence …) is kept as it came.
    for column in inferred.columns:
        if column not in docvars:
            values = inferred[column]
            docvars[column] = values.fillna("") if values.dtype == object else values
    # Locality is one statement: a source that gives any of province/city/district/town/level
    # speaks for all of them, so a district it leaves blank (a city-level report) stays blank
    # rather than being filled in by inference from the text.
    stated_locality = given.reindex(columns=list(LOCALITY_COLUMNS)).astype(object).fillna("").astype(str)
    has_value = stated_locality != ""
    locality_stated = has_value.any(axis=1)
    if locality_stated.any():
        for column in LOCALITY_COLUMNS:
            if column in docvars:
                docvars.loc[locality_stated, column] = stated_locality.loc[locality_stated, column]
        if "locality_evidence" in docvars:
            # where the first stated locality column came from (manifest, table …)
            sources = origin.reindex(columns=list(LOCALITY_COLUMNS)).astype(object).fillna("manifest").where(has_value)
            first = sources.bfill(axis=1).iloc[:, 0].fillna("manifest")
            docvars.loc[locality_stated, "locality_evidence"] = first[locality_stated]
        if "locality_confidence" in docvars:
            docvars.loc[locality_stated, "locality_confidence"] = 1.0
    # A field that a source states for some documents but inference found in none still says
    # where its stated values came from (else a fully stated title would read as inferred).
    for key in ("title", "subtitle", "outlet", "reporters", "date_published", "date_page"):
        if key in given and f"{key}_evidence" not in docvars and stated(key).any():
            docvars[f"{key}_evidence"] = ""
    for column in [c for c in docvars.columns if c.endswith("_evidence")]:
        key = column.removesuffix("_evidence")
        if key in given:
            mask = stated(key)
            labels = origin[key].fillna("manifest") if key in origin else pd.Series("manifest", index=inferred.index)
            docvars.loc[mask, column] = labels[mask]
            confidence = f"{key}_confidence"
            if confidence in docvars and pd.api.types.is_numeric_dtype(docvars[confidence]):
                docvars.loc[mask, confidence] = 1.0  # a stated value is certain
    return docvars
