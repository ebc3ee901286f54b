"""Building a Corpus: reading a folder or table, cleaning on worker processes, assembling.

:func:`read_corpus` reads with :func:`corpus_tools.io.iter_documents`, hands the documents
to :func:`~corpus_tools.corpus.document.process_document` (on worker processes for a large
corpus, while the rest is still being read) and assembles the :class:`~corpus_tools.corpus.Corpus`.
:func:`open_corpus` is the notebooks' entry point: it reads a corpus once and keeps it in the
corpus store (:mod:`corpus_tools.corpus.store`); :func:`corpus_from_texts` builds a corpus from
strings in memory.
"""

from __future__ import annotations

import gc
import logging
import os
import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from ..compat import renamed_parameters
from ..io import CorpusReadError, RawDocument, ReadOptions, ReadProblem, iter_documents
from ..cluster import DaskExecutor, dask_executor
from ..parallel import mp_context, n_workers, worker_pool
from ..progress import progress as _progress
from .core import PROBLEM_COLUMNS, QUALITY_LOG_COLUMNS, Corpus, blocks_frame, empty_problems
from .document import ProcessedDocument, merge_docvars, process_document
from .metadata import group_labels

__all__ = ["CLEAN_PARALLEL_MIN_CHARS", "corpus_from_texts", "open_corpus", "read_corpus"]

logger = logging.getLogger(__name__)


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
        return empty_problems()
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
    batches are cleaned here at the end. When a Dask scheduler is named
    (:func:`corpus_tools.cluster.dask_scheduler`) and ``n_jobs`` is not 1, every batch goes to
    the cluster as soon as it is cut, whatever the size; the results are joined in the same
    order.
    """

    def __init__(self, n_jobs: int | None, *, show_progress: bool) -> None:
        self._context = mp_context()
        self._threshold = CLEAN_PARALLEL_MIN_CHARS[self._context.get_start_method()]
        self._n_jobs = n_jobs
        n_workers(n_jobs, 0, self._threshold)  # a bad n_jobs fails before anything is read
        # Connected before anything is read, so that an unreachable scheduler fails at once.
        self._cluster: DaskExecutor | None = dask_executor() if n_jobs != 1 else None
        self._show_progress = show_progress
        self._batches: list[_Batch] = []
        self._pending: list[tuple[str, str]] = []
        self._pending_chars = 0
        self._total_chars = 0
        self._pool: ProcessPoolExecutor | DaskExecutor | None = None
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
        if self._cluster is not None:
            if self._pool is None:
                logger.info("cleaning on the Dask cluster at %s while reading", self._cluster.client.scheduler.address)
                self._pool = self._cluster
            for batch in self._batches:
                if batch.future is None and batch.done is None:
                    batch.future = self._pool.submit(_process_batch, batch.documents)
            return
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
        """Stop the workers, or cancel the cluster's tasks (after an error while reading, too)."""
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
    blocks = blocks_frame([row for p in processed for row in p.block_rows])
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


def read_corpus(
    path: str | Path,
    *,
    metadata: str | Path | None | Literal[False] = None,
    options: ReadOptions | Mapping[str, Any] | None = None,
    n_jobs: int | None = None,
    progress: bool = True,
    **read_options: Any,
) -> Corpus:
    """Read a folder of articles (or one file, such as a table of articles) into a :class:`Corpus`.

    Parameters
    ----------
    path : str or Path
        A folder, searched recursively (hidden files and folders left out),
        or one file. Supported: ``.txt``, ``.md``, ``.html``/``.htm``,
        ``.docx``, and tables with one article per row: ``.csv``, ``.tsv``,
        ``.jsonl``, ``.parquet`` (see :mod:`corpus_tools.io`).
    metadata : str, Path, None or False
        A manifest CSV with a ``file`` column (``"<table>#<row>"`` names a
        table row), optionally ``doc_id`` and any docvars; its values override
        what a table states and what is inferred. ``None`` uses
        ``<path>/metadata.csv`` when it exists (never read as a table of
        articles); ``False`` ignores any manifest and infers docvars from the
        texts.
    options : ReadOptions or mapping, optional
        How to read: the format, the encoding, a table's columns, the thresholds
        of a usable text, what to do on a problem (``on_error``). See
        :class:`corpus_tools.io.ReadOptions` for each option and its default.
    n_jobs : int, optional
        Processes that clean the texts. ``None`` (default): every core for corpora of
        :data:`CLEAN_PARALLEL_MIN_CHARS` characters or more, one process below (starting
        workers would cost more than they save); ``-1``: every core; ``1``: this process only.
        When a Dask scheduler is named (``DANGSHI_DASK_SCHEDULER`` or
        :func:`corpus_tools.cluster.use_dask`), every value but ``1`` cleans on the cluster.
        The result is the same whatever ``n_jobs`` is.
    progress : bool, default True
        Report progress while cleaning a corpus of more than one batch (see
        :mod:`corpus_tools.progress`).
    **read_options
        Any reading option as a keyword (``text_column="content"``,
        ``on_error="skip"``, ``columns={"发布单位": "outlet"}`` …), replacing that of
        ``options``.

    Returns
    -------
    Corpus
        Documents in manifest order (files without a manifest row follow, by
        path; a table's rows in table order), or by path without a manifest.

    Raises
    ------
    TypeError, ValueError
        For an unknown reading option (the message suggests the closest one) or a value it
        cannot take, before any file is read.
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
    settings = ReadOptions.from_kwargs(options, **read_options)
    target = Path(path)
    raws: list[RawDocument] = []
    problems: list[ReadProblem] = []
    documents = iter_documents(target, metadata=metadata, options=settings)
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
            what = f"files matching {settings.pattern!r}" if settings.pattern else "files of a supported format (" + ", ".join(
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
            f"read_corpus({target.name!r}, metadata={source}, on_error={settings.on_error!r}: "
            f"{len(raws)} documents, {len(skipped)} skipped)",
        )
        return _assemble(raws, problems, history, cleaner.results())
    finally:
        cleaner.close()


@renamed_parameters(group_by="by")
def open_corpus(
    corpus_dir: str | Path,
    *,
    metadata: str | Path | None | Literal[False] = None,
    by: str | None = None,
    options: ReadOptions | Mapping[str, Any] | None = None,
    n_jobs: int | None = None,
    progress: bool = True,
    cache: bool | str | os.PathLike[str] = True,
    **read_options: Any,
) -> Corpus:
    """Open a corpus for a report: read and cleaned once, then loaded from the corpus store.

    Notebooks call this so that ``corpus_dir="seeds"`` means the project's
    ``seeds/`` whether the notebook runs in JupyterLab from ``notebooks/`` or
    under papermill from anywhere else, and so that every notebook of a report, and every
    rerun, opens the corpus read once instead of reading and cleaning it again.

    Parameters
    ----------
    corpus_dir : str or Path
        Folder of articles (or one file); a relative path is relative to the
        project root.
    metadata : str, Path or False, optional
        Manifest CSV (relative paths likewise); by default
        ``<corpus_dir>/metadata.csv`` when present; ``False`` for none.
    by : str, optional
        A docvar to group documents by; its labels (see
        :func:`corpus_tools.corpus.metadata.group_labels`) become the docvar ``group``.
        (Was ``group_by``, which still works for one release.)
    options : ReadOptions or mapping, optional
        How to read (see :func:`read_corpus`).
    n_jobs : int, optional
        Processes that clean the texts when the corpus is read (see :func:`read_corpus`).
    progress : bool, default True
        Report progress while cleaning.
    cache : bool or path, default True
        Keep the read corpus in the corpus store (:mod:`corpus_tools.corpus.store`) and load it
        from there while the files, the manifest, the reading options and the package are
        unchanged. ``False`` reads the corpus every time (as ``DANGSHI_CACHE=off`` does); a
        path stores it in that folder instead of the project cache folder.
    **read_options
        Any reading option as a keyword (``on_error``, ``text_column`` …), replacing that of
        ``options``.

    Returns
    -------
    Corpus
        The same corpus :func:`read_corpus` returns, whether read or loaded, with a ``group``
        docvar when ``by`` is given.

    Raises
    ------
    TypeError, ValueError
        For an unknown reading option or a bad value, before anything is read or loaded.
    CorpusReadError
        As :func:`read_corpus`.
    """
    from ..paths import resolve_path
    from .store import stored_corpus

    if metadata is not None and metadata is not False:
        metadata = resolve_path(metadata)
    path = resolve_path(corpus_dir)
    settings = ReadOptions.from_kwargs(options, **read_options)
    n_workers(n_jobs, 0, None)  # a bad n_jobs is named even when the corpus is loaded, not read

    def build() -> Corpus:
        return read_corpus(path, metadata=metadata, options=settings, n_jobs=n_jobs, progress=progress)

    corpus = stored_corpus(path, build, metadata=metadata, options=settings, cache=cache)
    if by is not None:
        corpus = corpus.assign_docvars(group=group_labels(corpus.docvars, by))
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
