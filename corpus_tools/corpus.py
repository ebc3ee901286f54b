"""The Corpus: texts as read, texts as cleaned, their structure and their docvars.

:func:`read_corpus` reads a folder of articles in any supported format (see
:mod:`corpus_tools.readers`: text, Markdown, HTML, Word, and tables with one
article per row), decodes each (:mod:`corpus_tools.decode`), cleans it
(:mod:`corpus_tools.clean`), separates the article body from titles, bylines,
captions and chrome (:mod:`corpus_tools.structure`), and joins the manifest or
infers docvars (:mod:`corpus_tools.metadata`). The result is an immutable
:class:`Corpus` that remembers everything it did in its quality log, and every
input it could not read in :attr:`Corpus.problems`.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import warnings
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

import pandas as pd

from .clean import clean_text, count_han, script_from_counts
from .metadata import LOCALITY_COLUMNS, MANIFEST_COLUMNS, group_labels, infer_docvars
from .parallel import mp_context, n_workers, worker_pool
from .progress import progress as _progress
from .readers import READ_INFO_COLUMNS, CorpusReadError, Format, RawDocument, ReadProblem, iter_documents
from .structure import classify_blocks, join_page_breaks, split_lines, split_sentences

__all__ = [
    "BlockRow",
    "Corpus",
    "CorpusReadError",
    "ProcessedDocument",
    "corpus_from_texts",
    "merge_docvars",
    "open_corpus",
    "process_document",
    "read_corpus",
]

logger = logging.getLogger(__name__)

Unit = Literal["document", "paragraph", "sentence"]

#: Columns of :attr:`Corpus.quality_log`.
QUALITY_LOG_COLUMNS = ("doc_id", "step", "rule", "count", "detail")
#: Columns of :attr:`Corpus.blocks`.
BLOCK_COLUMNS = ("doc_id", "block_no", "kind", "section", "line_no", "n_chars", "text")
#: Columns of :attr:`Corpus.problems`.
PROBLEM_COLUMNS = ("source", "doc_id", "code", "action", "message")


class BlockRow(NamedTuple):
    """One row of :attr:`Corpus.blocks`, as :func:`process_document` produces it."""

    doc_id: str
    block_no: int
    kind: str
    section: str
    line_no: int
    n_chars: int
    text: str


def _empty_problems() -> pd.DataFrame:
    return pd.DataFrame(columns=list(PROBLEM_COLUMNS), dtype=object)


@dataclass(frozen=True)
class Corpus:
    """A collection of documents with their metadata, cleaned text and structure.

    Build one with :func:`read_corpus` (a folder of files) or
    :func:`corpus_from_texts` (strings already in memory). A Corpus never
    changes: methods return new objects.

    Attributes
    ----------
    docvars : pandas.DataFrame
        One row per document, index ``doc_id``. Manifest columns (``file,
        title, subtitle, outlet, reporters, date_published, date_page,
        province, city, district, admin_level, script, notes``; empty string
        where unknown) plus what reading measured: ``source`` (the path
        relative to the corpus folder, ``"<table>#<row>"`` for a table row),
        ``row`` (the row in a table, else missing), ``format``, ``encoding``,
        ``encoding_method``, ``sha256`` (of the file's bytes),
        ``n_chars_raw`` (characters read), ``n_chars_body`` (characters in
        :attr:`texts`), ``n_paragraphs``, and ``*_evidence`` columns saying
        where each title, date … came from: the line of text it was inferred
        from, or ``manifest``, ``table``, ``front matter`` when a source
        stated it. A table's other columns are docvars too; HTML and Word
        files add ``file_title`` / ``file_date`` (the file's own metadata).
    raw_texts : pandas.Series
        The texts as read, untouched (index ``doc_id``): the decoded file, or
        for HTML, Word, Markdown and tables the text the reader took from it
        (see :mod:`corpus_tools.readers`).
    texts : pandas.Series
        The cleaned article bodies that analyses use: body paragraphs only,
        separated by ``"\\n"`` (index ``doc_id``).
    blocks : pandas.DataFrame
        Every block of every document in order, columns ``doc_id, block_no,
        kind, section, line_no, n_chars, text``. ``kind`` is one of
        :data:`corpus_tools.structure.BLOCK_KINDS`; ``section`` is the
        heading a block sits under; ``line_no`` is its line in the cleaned
        text. The non-body parts (titles, bylines, captions, chrome …) live
        here, inspectable, never deleted.
    quality_log : pandas.DataFrame
        One row per (document, rule) that changed or flagged something:
        ``doc_id, step, rule, count, detail``. ``count`` is the number of
        changes; ``detail`` shows a few examples.
    history : tuple of str
        What was done to build this object, in order.
    problems : pandas.DataFrame
        One row per input that reading skipped, kept despite a problem, or
        ignored: ``source, doc_id, code, action, message`` (see
        :class:`corpus_tools.readers.ReadProblem`). Each is also in the
        quality log (step ``read``, rule ``skipped_<code>``, ``<code>`` or
        ``ignored_<code>``), so nothing leaves the corpus unrecorded.
    """

    docvars: pd.DataFrame
    raw_texts: pd.Series
    texts: pd.Series
    blocks: pd.DataFrame
    quality_log: pd.DataFrame
    history: tuple[str, ...] = field(default=())
    problems: pd.DataFrame = field(default_factory=_empty_problems)

    def __len__(self) -> int:
        return len(self.docvars)

    def __repr__(self) -> str:
        chars = int(self.texts.str.len().sum()) if len(self) else 0
        return f"Corpus({len(self)} documents, {chars:,} body characters)"

    @property
    def doc_ids(self) -> list[str]:
        """Document ids in corpus order."""
        return list(self.docvars.index)

    # ------------------------------------------------------------------ units

    def paragraphs(self) -> pd.DataFrame:
        """Return one row per body paragraph, with stable ids.

        Returns
        -------
        pandas.DataFrame
            Index ``unit_id`` (``"<doc_id>:p003"``), columns ``doc_id``,
            ``para_no`` (1-based position among the document's body
            paragraphs), ``section`` (the heading it sits under, or ``""``)
            and ``text``.

        Examples
        --------
        >>> corp = corpus_from_texts({"a": "标题\\n\\n学史明理，学史增信。\\n\\n学史崇德。"})
        >>> corp.paragraphs()[["para_no", "text"]].to_dict("records")
        [{'para_no': 1, 'text': '学史明理，学史增信。'}, {'para_no': 2, 'text': '学史崇德。'}]
        """
        body = self.blocks[self.blocks["kind"] == "body"]
        table = pd.DataFrame(
            {
                "doc_id": body["doc_id"].to_numpy(),
                "para_no": body.groupby("doc_id", sort=False).cumcount().to_numpy() + 1,
                "section": body["section"].to_numpy(),
                "text": body["text"].to_numpy(),
            }
        )
        table.index = pd.Index(
            [f"{d}:p{n:03d}" for d, n in zip(table["doc_id"], table["para_no"])], name="unit_id"
        )
        return table

    def sentences(self) -> pd.DataFrame:
        """Return one row per sentence of the body, with stable ids.

        Returns
        -------
        pandas.DataFrame
            Index ``unit_id`` (``"<doc_id>:p003:s02"``), columns ``doc_id``,
            ``para_no``, ``sent_no`` (1-based within its paragraph),
            ``section`` and ``text``.
        """
        rows = []
        for unit_id, para in self.paragraphs().iterrows():
            for sent_no, sentence in enumerate(split_sentences(para["text"]), start=1):
                rows.append((f"{unit_id}:s{sent_no:02d}", para["doc_id"], para["para_no"], sent_no, para["section"], sentence))
        table = pd.DataFrame(rows, columns=["unit_id", "doc_id", "para_no", "sent_no", "section", "text"])
        return table.set_index("unit_id")

    def units(self, unit: Unit = "document") -> pd.DataFrame:
        """Return the texts at one level of granularity.

        Parameters
        ----------
        unit : {"document", "paragraph", "sentence"}

        Returns
        -------
        pandas.DataFrame
            Index ``unit_id``; columns ``doc_id`` and ``text``, plus
            ``para_no``, ``sent_no`` and ``section`` for finer units.
        """
        if unit == "document":
            table = pd.DataFrame({"doc_id": self.texts.index, "text": self.texts.to_numpy()})
            table.index = pd.Index(self.texts.index, name="unit_id")
            return table
        if unit == "paragraph":
            return self.paragraphs()
        if unit == "sentence":
            return self.sentences()
        raise ValueError(f"unit must be 'document', 'paragraph' or 'sentence', not {unit!r}")

    # ------------------------------------------------------------ subsetting

    def subset(self, doc_ids: Iterable[str]) -> "Corpus":
        """Return a Corpus with only ``doc_ids``, in the order given.

        Raises
        ------
        KeyError
            Naming the ids that are not in the corpus.
        """
        doc_ids = list(doc_ids)
        missing = [d for d in doc_ids if d not in self.docvars.index]
        if missing:
            raise KeyError(f"not in the corpus: {missing}")
        keep = set(doc_ids)
        log = self.quality_log
        # What reading skipped was never a document: a subset still remembers it.
        never_read = ~log["doc_id"].isin(set(self.docvars.index))
        return dataclasses.replace(
            self,
            docvars=self.docvars.loc[doc_ids],
            raw_texts=self.raw_texts.loc[doc_ids],
            texts=self.texts.loc[doc_ids],
            blocks=self.blocks[self.blocks["doc_id"].isin(keep)].reset_index(drop=True),
            quality_log=log[log["doc_id"].isin(keep) | never_read].reset_index(drop=True),
            history=self.history + (f"subset({len(doc_ids)} documents)",),
        )

    def assign_docvars(self, **columns: pd.Series | Sequence[object] | object) -> "Corpus":
        """Return a Corpus with docvar columns added or replaced (like ``DataFrame.assign``).

        Parameters
        ----------
        **columns
            Column name to values: a Series indexed by ``doc_id`` (aligned),
            a sequence in corpus order, or one scalar for every document.

        Examples
        --------
        >>> corp = corpus_from_texts({"a": "学史明理。", "b": "学史增信。"})
        >>> corp.assign_docvars(group=["甲区", "乙县"]).docvars["group"].tolist()
        ['甲区', '乙县']
        """
        docvars = self.docvars.copy()
        for name, values in columns.items():
            if isinstance(values, pd.Series):
                missing = set(docvars.index) - set(values.index)
                if missing:
                    raise KeyError(f"assign_docvars({name}=…): no value for documents {sorted(missing)}")
                docvars[name] = values.reindex(docvars.index).to_numpy()
            else:
                docvars[name] = values
        return dataclasses.replace(
            self, docvars=docvars, history=self.history + (f"assign_docvars({', '.join(columns)})",)
        )

    def quality_summary(self) -> pd.DataFrame:
        """Return the quality log as a document × rule table of counts.

        Returns
        -------
        pandas.DataFrame
            Index ``doc_id`` (every document, including those nothing was
            done to), one column per rule, values are counts (0 where the rule
            did nothing). Inputs reading skipped are not documents: see
            :attr:`problems`.
        """
        log = self.quality_log[self.quality_log["doc_id"].isin(set(self.docvars.index))]
        if log.empty:
            return pd.DataFrame(index=self.docvars.index)
        table = log.pivot_table(
            index="doc_id", columns="rule", values="count", aggfunc="sum", fill_value=0, sort=False
        )
        return table.reindex(self.docvars.index, fill_value=0).astype(int)


# ---------------------------------------------------------------------------
# Building a corpus
# ---------------------------------------------------------------------------


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
        return _blocks_frame(self.block_rows)


def _blocks_frame(rows: Sequence[BlockRow]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=list(BLOCK_COLUMNS))
    # an empty frame would otherwise make every column object
    return frame.astype({"block_no": "int64", "line_no": "int64", "n_chars": "int64"})


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


def _problem_rule(problem: ReadProblem) -> str:
    prefix = {"skipped": "skipped_", "ignored": "ignored_"}.get(problem.action, "")
    return f"{prefix}{problem.code}"


def _problem_log_id(problem: ReadProblem, in_corpus: set[str]) -> str:
    """The quality-log doc_id of a problem: its document's id, or its source for an item not read.

    A skipped item's would-be doc_id is used unless a document in the corpus has it (a
    duplicate), so that no skipped item is ever counted against a document that was read.
    """
    if problem.action == "kept" or (problem.doc_id and problem.doc_id not in in_corpus):
        return problem.doc_id or problem.source
    return problem.source


def _problems_table(problems: Sequence[ReadProblem]) -> pd.DataFrame:
    if not problems:
        return _empty_problems()
    return pd.DataFrame(
        [(p.source, p.doc_id, p.code, p.action, p.message) for p in problems], columns=list(PROBLEM_COLUMNS), dtype=object
    )


#: Characters of raw text from which ``read_corpus(n_jobs=None)`` cleans on every core, per
#: worker start method (see :func:`corpus_tools.parallel.mp_context`). Workers clean while the
#: rest of the corpus is still being read. Measured with ``benchmarks/pipeline_speed.py
#: --clean-crossover`` on 2 cores: forked workers break even near 0.7 million characters (2 MB)
#: and are 1.3x faster at 1.3 million, 1.45x from 5 million on; spawned ones (in Jupyter) first
#: import the package and load the gazetteer, about 1.5 s, and break even near 5 million.
CLEAN_PARALLEL_MIN_CHARS: dict[str, int | None] = {"fork": 1_000_000, "spawn": 6_000_000}

#: Documents go to cleaning workers in batches of at least this many characters (about 0.1 s
#: of work: large enough that shipping them costs little, small enough to keep both cores busy).
_CLEAN_BATCH_CHARS = 200_000


def _process_batch(batch: list[tuple[str, str]]) -> list[ProcessedDocument]:
    return [process_document(doc_id, raw) for doc_id, raw in batch]


@dataclass
class _Batch:
    documents: list[tuple[str, str]]  # (doc_id, raw text)
    future: Any = None  # set when a worker cleans it
    done: list[ProcessedDocument] | None = None  # set when cleaned here


class _Cleaner:
    """Run :func:`process_document` on documents as they are read, and return them in order.

    Documents are batched as they arrive. Once the text read so far reaches the threshold
    for ``n_jobs`` (at once for an explicit ``n_jobs`` > 1), batches go to worker processes,
    which clean them while this process goes on reading; below it, no worker starts and the
    batches are cleaned here at the end.
    """

    def __init__(self, n_jobs: int | None, *, show_progress: bool) -> None:
        self._context = mp_context()
        self._threshold = CLEAN_PARALLEL_MIN_CHARS[self._context.get_start_method()]
        self._n_jobs = n_jobs
        n_workers(n_jobs, 0, self._threshold)  # a bad n_jobs fails before anything is read
        self._show_progress = show_progress
        self._batches: list[_Batch] = []
        self._pending: list[tuple[str, str]] = []
        self._pending_chars = 0
        self._total_chars = 0
        self._pool: ProcessPoolExecutor | None = None
        self._warmed = False
        self._frozen = False

    def add(self, doc_id: str, raw_text: str) -> None:
        self._pending.append((doc_id, raw_text))
        self._pending_chars += len(raw_text)
        self._total_chars += len(raw_text)
        if self._pending_chars >= _CLEAN_BATCH_CHARS:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._batches.append(_Batch(self._pending))
            self._pending, self._pending_chars = [], 0
        workers = n_workers(self._n_jobs, self._total_chars, self._threshold)
        if workers <= 1:
            return
        waiting = [batch for batch in self._batches if batch.future is None and batch.done is None]
        if not self._warmed and waiting and self._context.get_start_method() == "fork":
            # Clean one batch here first: that loads the gazetteer, its automaton and the
            # converters once, before forking, so that the workers share them.
            first = waiting.pop(0)
            first.done = _process_batch(first.documents)
            self._warmed = True
        if not waiting:
            return
        if self._pool is None:
            logger.info("cleaning on %d processes while reading", workers)
            if self._context.get_start_method() == "fork" and gc.get_freeze_count() == 0:
                # Forked workers share this process's memory until either side writes to it,
                # and a garbage collection writes to every object it visits: freezing what
                # exists now (the gazetteer above all) keeps the workers' collections off it.
                gc.freeze()
                self._frozen = True
            self._pool = worker_pool(workers, self._context)
        for batch in waiting:
            batch.future = self._pool.submit(_process_batch, batch.documents)

    def results(self) -> list[ProcessedDocument]:
        """Clean what is left and return every document's result, in the order added."""
        try:
            self._flush()
            show = self._show_progress and len(self._batches) > 1
            processed: list[ProcessedDocument] = []
            broken = False
            for batch in _progress(self._batches, desc="cleaning", unit="batch", enabled=show):
                if batch.done is None and batch.future is not None and not broken:
                    try:
                        batch.done = batch.future.result()
                    except BrokenProcessPool as error:
                        # A worker died: killed for memory, or (with "spawn") a script that
                        # starts work at import time without an `if __name__ == "__main__":`
                        # guard. Clean the rest here instead.
                        warnings.warn(f"cleaning workers failed ({error}); cleaning in this process",
                                      RuntimeWarning, stacklevel=3)
                        broken = True
                if batch.done is None:
                    batch.done = _process_batch(batch.documents)
                processed.extend(batch.done)
            return processed
        finally:
            self.close()

    def close(self) -> None:
        """Stop the workers (after an error while reading, too)."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        if self._frozen:
            gc.unfreeze()
            self._frozen = False


def _assemble(
    raws: Sequence[RawDocument],
    problems: Sequence[ReadProblem],
    history: tuple[str, ...],
    processed: Sequence[ProcessedDocument] | None = None,
) -> Corpus:
    doc_ids = [raw.doc_id for raw in raws]
    index = pd.Index(doc_ids, name="doc_id")
    if processed is None:
        processed = [process_document(raw.doc_id, raw.raw_text) for raw in raws]
    inferred_table = pd.DataFrame([p.inferred for p in processed], index=index)
    read_info = pd.DataFrame([dict(raw.read_info) for raw in raws], index=index)
    given = pd.DataFrame([dict(raw.docvars) for raw in raws], index=index, dtype=object)
    origin = pd.DataFrame([dict(raw.docvar_origin) for raw in raws], index=index, dtype=object)
    docvars = merge_docvars(inferred_table, read_info, given, origin)
    blocks = _blocks_frame([row for p in processed for row in p.block_rows])
    texts = pd.Series([p.body for p in processed], index=index, name="text", dtype=object)
    in_corpus = set(doc_ids)
    entries: list[dict[str, object]] = [
        {"doc_id": _problem_log_id(p, in_corpus), "step": "read", "rule": _problem_rule(p), "count": 1, "detail": p.message}
        for p in problems
    ]
    for raw, doc in zip(raws, processed):
        entries += [{**entry, "doc_id": raw.doc_id} for entry in raw.log]
        entries += doc.log
    quality_log = pd.DataFrame(entries, columns=list(QUALITY_LOG_COLUMNS))
    quality_log["count"] = quality_log["count"].astype(int)
    return Corpus(
        docvars=docvars,
        raw_texts=pd.Series([raw.raw_text for raw in raws], index=index, name="raw_text", dtype=object),
        texts=texts,
        blocks=blocks,
        quality_log=quality_log,
        history=history,
        problems=_problems_table(problems),
    )


def merge_docvars(inferred: pd.DataFrame, read_info: pd.DataFrame, given: pd.DataFrame, origin: pd.DataFrame) -> pd.DataFrame:
    """Combine the docvars of documents: stated values win, inferred values fill the blanks.

    The rule :func:`read_corpus` applies; the streaming and Dask paths apply it chunk by chunk.

    Parameters
    ----------
    inferred : pandas.DataFrame
        Per document (index ``doc_id``), :attr:`ProcessedDocument.inferred`.
    read_info : pandas.DataFrame
        Per document, what reading found (:data:`~corpus_tools.readers.READ_INFO_COLUMNS`:
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


def read_corpus(
    path: str | Path,
    *,
    metadata: str | Path | None | Literal[False] = None,
    encoding: str | None = None,
    pattern: str | None = None,
    format: Format | None = None,
    text_column: str | None = None,
    id_column: str | None = None,
    docvar_columns: Sequence[str] | None = None,
    columns: Mapping[str, str] | None = None,
    map_columns: bool = True,
    on_error: Literal["raise", "skip"] = "raise",
    min_han_chars: int = 50,
    min_han_share: float = 0.5,
    mixed_encodings: Literal["raise", "by_line"] = "raise",
    n_jobs: int | None = None,
    progress: bool = True,
) -> Corpus:
    """Read a folder of articles (or one file, such as a table of articles) into a :class:`Corpus`.

    Parameters
    ----------
    path : str or Path
        A folder, searched recursively (hidden files and folders left out),
        or one file. Supported: ``.txt``, ``.md``, ``.html``/``.htm``,
        ``.docx``, and tables with one article per row: ``.csv``, ``.tsv``,
        ``.jsonl``, ``.parquet`` (see :mod:`corpus_tools.readers`).
    metadata : str, Path, None or False
        A manifest CSV with a ``file`` column (``"<table>#<row>"`` names a
        table row), optionally ``doc_id`` and any docvars; its values override
        what a table states and what is inferred. ``None`` uses
        ``<path>/metadata.csv`` when it exists (never read as a table of
        articles); ``False`` ignores any manifest and infers docvars from the
        texts.
    encoding : str, optional
        Decode every text file with this codec instead of detecting it.
    pattern : str, optional
        Glob pattern for the files to read, e.g. ``"*.txt"``. By default
        every supported file; files of other types are listed in
        :attr:`Corpus.problems` as ignored.
    format : str, optional
        Read every file as this format (``txt``, ``md``, ``html``, ``docx``,
        ``csv``, ``tsv``, ``jsonl``, ``parquet``) instead of by suffix.
    text_column : str, optional
        The column holding each table row's article; by default ``text``, or
        else a common name for it (``content``, ``body``, ``正文`` …, see
        :data:`corpus_tools.readers.TEXT_ALIASES`).
    id_column : str, optional
        The column holding each table row's doc_id; by default a ``doc_id``,
        ``id`` or ``url`` column whose values are unique (see
        :func:`corpus_tools.readers.iter_documents`), else ``<table>-<row>``.
    docvar_columns : sequence of str, optional
        Table columns to keep as docvars; by default all but the text (and id).
    columns : mapping of str to str, optional
        Table column → docvar, e.g. ``{"发布单位": "outlet"}``.
    map_columns : bool, default True
        Read common column names as the docvars they mean (``date`` →
        ``date_published``, ``source``/``媒体`` → ``outlet``, ``标题`` →
        ``title``, ``省``/``市``/``区县`` → ``province``/``city``/``district`` …;
        :data:`corpus_tools.readers.COLUMN_ALIASES`). What was mapped is logged,
        and an ``*_evidence`` column (``locality_evidence`` …) names the table
        column a stated value came from.
    on_error : {"raise", "skip"}
        ``raise`` (default): raise :class:`CorpusReadError` naming the file
        and the problem. ``skip``: leave the item out, log a warning, and
        record it in :attr:`Corpus.problems` and the quality log.
    min_han_chars : int
        Texts with fewer Han characters are too short to analyse (default 50,
        about two sentences).
    min_han_share : float
        Texts with a lower share of Han characters are not Chinese (default 0.5).
    mixed_encodings : {"raise", "by_line"}
        What to do with a file whose lines mix UTF-8 and GB18030/Big5: treat
        it as a problem, or decode each line in its own encoding and log it.
    n_jobs : int, optional
        Processes that clean the texts. ``None`` (default): every core for corpora of
        :data:`CLEAN_PARALLEL_MIN_CHARS` characters or more, one process below (starting
        workers would cost more than they save); ``-1``: every core; ``1``: this process only.
        The result is the same whatever ``n_jobs`` is.
    progress : bool, default True
        Report progress while cleaning a corpus of more than one batch (see
        :mod:`corpus_tools.progress`).

    Returns
    -------
    Corpus
        Documents in manifest order (files without a manifest row follow, by
        path; a table's rows in table order), or by path without a manifest.

    Raises
    ------
    CorpusReadError
        Naming the file and the problem: the path does not exist or holds no
        readable article; with ``on_error="raise"``, any bad input (empty,
        whitespace only, binary, undecodable, mixed encodings, a malformed
        table or one without the text column, a text not Chinese or too
        short, a duplicate doc_id, a manifest row without a file or a file
        without a manifest row, a manifest path or link outside the folder).

    Notes
    -----
    What is read is never lost: a skipped input is in :attr:`Corpus.problems`
    and in the quality log (step ``read``); what reading changed in a text it
    kept (a byte-order mark, markup, HTML page furniture, an encoding repaired
    line by line, a line too long to hold paragraphs) is in the quality log
    too. A file the manifest does not list is read with inferred docvars when
    ``on_error="skip"`` (its text is fine), and recorded as kept.

    Examples
    --------
    >>> corp = read_corpus("seeds")  # doctest: +SKIP
    >>> corp.docvars.loc["chongqing-wulong", "district"]  # doctest: +SKIP
    '武隆区'
    >>> corp = read_corpus("articles.csv", text_column="body", id_column="id")  # doctest: +SKIP
    """
    target = Path(path)
    raws: list[RawDocument] = []
    problems: list[ReadProblem] = []
    documents = iter_documents(
        target, metadata=metadata, encoding=encoding, pattern=pattern, format=format, text_column=text_column,
        id_column=id_column, docvar_columns=docvar_columns, columns=columns, map_columns=map_columns,
        on_error=on_error, min_han_chars=min_han_chars,
        min_han_share=min_han_share, mixed_encodings=mixed_encodings,
    )
    cleaner = _Cleaner(n_jobs, show_progress=progress)
    # workers clean while the rest is read; on any error below they are stopped
    try:
        for item in documents:
            if isinstance(item, RawDocument):
                raws.append(item)
                cleaner.add(item.doc_id, item.raw_text)
            else:
                problems.append(item)
        if not raws:
            serious = [p for p in problems if p.action != "ignored"]
            if serious:
                listing = "\n".join(f"  {p.message}" for p in serious[:20])
                raise CorpusReadError(f"{target}: no document could be read; {len(serious)} problem(s):\n{listing}", serious)
            what = f"files matching {pattern!r}" if pattern else "files of a supported format (" + ", ".join(
                sorted({".txt", ".md", ".html", ".docx", ".csv", ".tsv", ".jsonl", ".parquet"})) + ")"
            raise CorpusReadError(f"{target}: no {what}", problems)
        skipped = [p for p in problems if p.action == "skipped"]
        if skipped:
            logger.warning(
                "%s: %d input(s) skipped: %s", target, len(skipped), "; ".join(p.message for p in skipped[:5])
                + (" …" if len(skipped) > 5 else "")
            )
        with_manifest = metadata is not False and (
            metadata is not None or (target.is_dir() and (target / "metadata.csv").is_file())
        )
        source = "manifest" if with_manifest else "inferred"
        history = (
            f"read_corpus({target.name!r}, metadata={source}, on_error={on_error!r}: "
            f"{len(raws)} documents, {len(skipped)} skipped)",
        )
        return _assemble(raws, problems, history, cleaner.results())
    finally:
        cleaner.close()


def open_corpus(
    corpus_dir: str | Path,
    *,
    metadata: str | Path | None | Literal[False] = None,
    group_by: str | None = None,
    **read_options: Any,
) -> Corpus:
    """Read a corpus for a report: paths resolved against the project root, a ``group`` docvar added.

    Notebooks call this so that ``corpus_dir="seeds"`` means the project's
    ``seeds/`` whether the notebook runs in JupyterLab from ``notebooks/`` or
    under papermill from anywhere else.

    Parameters
    ----------
    corpus_dir : str or Path
        Folder of articles (or one file); a relative path is relative to the
        project root.
    metadata : str, Path or False, optional
        Manifest CSV (relative paths likewise); by default
        ``<corpus_dir>/metadata.csv`` when present; ``False`` for none.
    group_by : str, optional
        A docvar to group documents by; its labels (see
        :func:`corpus_tools.metadata.group_labels`) become the docvar ``group``.
    **read_options
        Any other option of :func:`read_corpus` (``on_error``, ``text_column`` …).

    Returns
    -------
    Corpus
    """
    from .paths import resolve_path

    if metadata is not None and metadata is not False:
        metadata = resolve_path(metadata)
    corpus = read_corpus(resolve_path(corpus_dir), metadata=metadata, **read_options)
    if group_by is not None:
        corpus = corpus.assign_docvars(group=group_labels(corpus.docvars, group_by))
    return corpus


def corpus_from_texts(texts: dict[str, str] | pd.Series, *, docvars: pd.DataFrame | None = None) -> Corpus:
    """Build a :class:`Corpus` from strings already in memory.

    No input checks apply (a text may be short, or not Chinese): the caller
    chose these texts.

    Parameters
    ----------
    texts : dict or pandas.Series
        Raw texts keyed by ``doc_id``.
    docvars : pandas.DataFrame, optional
        Metadata indexed by ``doc_id``; acts like a manifest.

    Examples
    --------
    >>> corp = corpus_from_texts({"a": "學(xué)史明理,學(xué)史增信。"})
    >>> corp.texts["a"], corp.docvars.loc["a", "script"]
    ('学史明理，学史增信。', 'traditional')
    """
    series = pd.Series(texts, dtype=object)
    given: dict[str, dict[str, str]] = {}
    if docvars is not None:
        table = docvars.copy()
        table.index = table.index.astype(str)
        table = table.astype(object).where(table.notna(), "").astype(str)
        given = {str(doc_id): row for doc_id, row in table.to_dict("index").items()}
    raws = []
    for doc_id, text in series.items():
        stated = given.get(str(doc_id), {})
        raws.append(
            RawDocument(
                doc_id=str(doc_id),
                source="",
                raw_text=text,
                read_info={"file": "", "format": "in-memory", "row": None, "source": "", "encoding": "",
                           "encoding_method": "in-memory", "sha256": ""},
                docvars=stated,
                docvar_origin=dict.fromkeys(stated, "manifest"),
            )
        )
    return _assemble(raws, [], ("corpus_from_texts",))
