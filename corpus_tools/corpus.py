"""The Corpus: texts as read, texts as cleaned, their structure and their docvars.

:func:`read_corpus` reads a folder of ``.txt`` files, decodes each (see
:mod:`corpus_tools.decode`), cleans it (:mod:`corpus_tools.clean`),
separates the article body from titles, bylines, captions and chrome
(:mod:`corpus_tools.structure`), and joins the manifest or infers docvars
(:mod:`corpus_tools.metadata`). The result is an immutable :class:`Corpus`
that remembers everything it did in its quality log.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from .clean import clean_text, count_han, script_from_counts
from .decode import DecodingError, decode_bytes
from .metadata import MANIFEST_COLUMNS, group_labels, infer_docvars, read_manifest, slugify
from .structure import classify_blocks, join_page_breaks, split_lines, split_sentences

__all__ = [
    "Corpus",
    "CorpusReadError",
    "ProcessedDocument",
    "corpus_from_texts",
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


class CorpusReadError(ValueError):
    """A corpus could not be read; the message names the file and the problem."""


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
        where unknown) plus what reading measured: ``encoding``,
        ``encoding_method``, ``n_chars_raw`` (decoded characters),
        ``n_chars_body`` (characters in :attr:`texts`), ``n_paragraphs``,
        ``sha256`` (of the file's bytes), and ``*_evidence`` columns for
        inferred values.
    raw_texts : pandas.Series
        The decoded texts, untouched (index ``doc_id``).
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
    """

    docvars: pd.DataFrame
    raw_texts: pd.Series
    texts: pd.Series
    blocks: pd.DataFrame
    quality_log: pd.DataFrame
    history: tuple[str, ...] = field(default=())

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
        return dataclasses.replace(
            self,
            docvars=self.docvars.loc[doc_ids],
            raw_texts=self.raw_texts.loc[doc_ids],
            texts=self.texts.loc[doc_ids],
            blocks=self.blocks[self.blocks["doc_id"].isin(keep)].reset_index(drop=True),
            quality_log=self.quality_log[self.quality_log["doc_id"].isin(keep)].reset_index(drop=True),
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
            did nothing).
        """
        if self.quality_log.empty:
            return pd.DataFrame(index=self.docvars.index)
        table = self.quality_log.pivot_table(
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
    blocks : pandas.DataFrame
        The document's rows of :attr:`Corpus.blocks`.
    log : list of dict
        Quality-log entries (keys of :data:`QUALITY_LOG_COLUMNS`).
    body : str
        Body paragraphs joined by newlines: the document's entry in :attr:`Corpus.texts`.
    inferred : dict
        Docvars inferred from the text (title, dates, locality ... with ``*_evidence``), plus
        ``script``, ``n_chars_raw``, ``n_chars_body`` and ``n_paragraphs``.
    """

    doc_id: str
    blocks: pd.DataFrame
    log: list[dict[str, object]]
    body: str
    inferred: dict[str, object]


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
        rows.append((doc_id, block_no, kind, section if kind in {"body", "caption", "heading"} else "", line.line_no, len(line.text), line.text))
    blocks = pd.DataFrame(rows, columns=list(BLOCK_COLUMNS))
    for kind, count in blocks.loc[blocks["kind"] != "body", "kind"].value_counts(sort=False).items():
        examples = blocks.loc[blocks["kind"] == kind, "text"].head(2).str.slice(0, 20).tolist()
        log.append({"step": "structure", "rule": f"separated_{kind}", "count": int(count), "detail": "; ".join(examples)})
    for entry in log:
        entry["doc_id"] = doc_id
    body = blocks.loc[blocks["kind"] == "body", "text"]
    # cleaning already converted the text: reuse its count rather than run OpenCC again
    converted = sum(int(e["count"]) for e in log if e["rule"] == "traditional_to_simplified")
    inferred: dict[str, object] = dict(infer_docvars(blocks))
    inferred.update(
        script=script_from_counts(converted, count_han(raw)),
        n_chars_raw=len(raw),
        n_chars_body=int(body.str.len().sum()),
        n_paragraphs=len(body),
    )
    if body.empty:
        logger.warning("%s: no body paragraph was found", doc_id)
    return ProcessedDocument(doc_id=doc_id, blocks=blocks, log=log, body="\n".join(body), inferred=inferred)


def _assemble(
    doc_ids: Sequence[str],
    raw_texts: Sequence[str],
    read_info: pd.DataFrame,
    manifest: pd.DataFrame | None,
    history: tuple[str, ...],
) -> Corpus:
    processed = [process_document(doc_id, raw) for doc_id, raw in zip(doc_ids, raw_texts)]
    inferred_table = pd.DataFrame([p.inferred for p in processed], index=pd.Index(doc_ids, name="doc_id"))
    docvars = _merge_docvars(inferred_table, read_info, manifest)
    blocks = (
        pd.concat([p.blocks for p in processed], ignore_index=True)
        if processed
        else pd.DataFrame(columns=list(BLOCK_COLUMNS))
    )
    texts = pd.Series(
        [p.body for p in processed],
        index=pd.Index(doc_ids, name="doc_id"),
        name="text",
        dtype=object,
    )
    quality_log = pd.DataFrame([e for p in processed for e in p.log], columns=list(QUALITY_LOG_COLUMNS))
    quality_log["count"] = quality_log["count"].astype(int)
    return Corpus(
        docvars=docvars,
        raw_texts=pd.Series(list(raw_texts), index=pd.Index(doc_ids, name="doc_id"), name="raw_text", dtype=object),
        texts=texts,
        blocks=blocks,
        quality_log=quality_log,
        history=history,
    )


def _merge_docvars(inferred: pd.DataFrame, read_info: pd.DataFrame, manifest: pd.DataFrame | None) -> pd.DataFrame:
    """Manifest values win; inferred values fill what the manifest leaves blank."""
    docvars = pd.DataFrame(index=inferred.index)
    for column in MANIFEST_COLUMNS[1:]:
        values = pd.Series("", index=inferred.index, dtype=object)
        if column in inferred:
            values = inferred[column].fillna("").astype(object)
        if column in read_info:
            values = read_info[column].reindex(inferred.index).fillna("").astype(object)
        if manifest is not None and column in manifest:
            given = manifest[column].reindex(inferred.index).fillna("")
            values = given.where(given != "", values)
        docvars[column] = values
    if manifest is not None:
        for column in manifest.columns:
            if column not in docvars:
                docvars[column] = manifest[column].reindex(inferred.index).fillna("")
    for column in read_info.columns:
        if column not in docvars:
            docvars[column] = read_info[column].reindex(inferred.index)
    for column in ("n_chars_raw", "n_chars_body", "n_paragraphs"):
        docvars[column] = inferred[column].astype(int)
    evidence = [c for c in inferred.columns if c.endswith("_evidence")]
    for column in evidence:
        docvars[column] = inferred[column].fillna("")
    # Where the manifest states a value, inferred evidence would mislead: say so.
    if manifest is not None:
        for column in evidence:
            key = column.removesuffix("_evidence")
            if key in manifest:
                stated = manifest[key].reindex(inferred.index).fillna("") != ""
                docvars.loc[stated, column] = "manifest"
    return docvars


def read_corpus(
    path: str | Path,
    *,
    metadata: str | Path | None | Literal[False] = None,
    encoding: str | None = None,
    pattern: str = "*.txt",
) -> Corpus:
    """Read a folder of text files into a :class:`Corpus`.

    Parameters
    ----------
    path : str or Path
        A folder of text files (searched recursively with ``pattern``).
    metadata : str, Path, None or False
        A manifest CSV (see :func:`corpus_tools.metadata.read_manifest`).
        ``None`` uses ``<path>/metadata.csv`` when it exists; ``False``
        ignores any manifest and infers docvars from the texts.
    encoding : str, optional
        Decode every file with this codec instead of detecting it.
    pattern : str
        Glob pattern for the files to read.

    Returns
    -------
    Corpus
        Documents in manifest order (files without a manifest row follow, by
        file name), or by file name when there is no manifest.

    Raises
    ------
    CorpusReadError
        When the folder does not exist or holds no matching file, a file
        cannot be decoded or is empty, or the manifest names a file that does
        not exist. The message names the file and the problem.

    Examples
    --------
    >>> corp = read_corpus("seeds")  # doctest: +SKIP
    >>> corp.docvars.loc["chongqing-wulong", "district"]  # doctest: +SKIP
    '武隆区'
    """
    folder = Path(path)
    if not folder.is_dir():
        raise CorpusReadError(f"{folder}: not a folder (read_corpus needs a folder of text files)")
    files = sorted(p for p in folder.rglob(pattern) if p.is_file())
    if not files:
        raise CorpusReadError(f"{folder}: no files matching {pattern!r}")

    manifest = None
    manifest_path = folder / "metadata.csv" if metadata is None else (None if metadata is False else Path(metadata))
    if manifest_path is not None and (metadata is not None or manifest_path.exists()):
        try:
            manifest = read_manifest(manifest_path)
        except (OSError, ValueError) as error:
            raise CorpusReadError(str(error)) from error

    by_relpath = {p.relative_to(folder).as_posix(): p for p in files}
    ordered: list[tuple[str, Path]] = []
    if manifest is not None:
        missing = [f for f in manifest["file"] if f not in by_relpath]
        if missing:
            raise CorpusReadError(
                f"{manifest_path}: rows name files that are not in {folder}: {missing}"
            )
        ordered = [(doc_id, by_relpath[f]) for doc_id, f in manifest["file"].items()]
        listed = set(manifest["file"])
        unlisted = [rel for rel in by_relpath if rel not in listed]
        if unlisted:
            logger.warning("%s: files without a manifest row (docvars inferred): %s", manifest_path, unlisted)
        ordered += [(slugify(rel), by_relpath[rel]) for rel in unlisted]
    else:
        ordered = [(slugify(rel), p) for rel, p in by_relpath.items()]

    doc_ids = [doc_id for doc_id, _ in ordered]
    repeated = sorted({d for d in doc_ids if doc_ids.count(d) > 1})
    if repeated:
        raise CorpusReadError(f"{folder}: file names give duplicate doc_ids {repeated}; add a manifest with unique doc_id values")

    raw_texts, info_rows = [], []
    for doc_id, file in ordered:
        data = file.read_bytes()
        try:
            decoded = decode_bytes(data, name=file, encoding=encoding)
        except DecodingError as error:
            raise CorpusReadError(str(error)) from error
        if not decoded.text.strip():
            raise CorpusReadError(f"{file}: the file is empty or holds only whitespace")
        raw_texts.append(decoded.text)
        info_rows.append(
            {
                "doc_id": doc_id,
                "file": file.relative_to(folder).as_posix(),
                "encoding": decoded.encoding,
                "encoding_method": decoded.method,
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )
    read_info = pd.DataFrame(info_rows).set_index("doc_id")
    history = (f"read_corpus({folder.name!r}, metadata={'manifest' if manifest is not None else 'inferred'})",)
    return _assemble(doc_ids, raw_texts, read_info, manifest, history)


def open_corpus(
    corpus_dir: str | Path,
    *,
    metadata: str | Path | None = None,
    group_by: str | None = None,
) -> Corpus:
    """Read a corpus for a report: paths resolved against the project root, a ``group`` docvar added.

    Notebooks call this so that ``corpus_dir="seeds"`` means the project's
    ``seeds/`` whether the notebook runs in JupyterLab from ``notebooks/`` or
    under papermill from anywhere else.

    Parameters
    ----------
    corpus_dir : str or Path
        Folder of texts; a relative path is relative to the project root.
    metadata : str or Path, optional
        Manifest CSV (relative paths likewise); by default
        ``<corpus_dir>/metadata.csv`` when present.
    group_by : str, optional
        A docvar to group documents by; its labels (see
        :func:`corpus_tools.metadata.group_labels`) become the docvar ``group``.

    Returns
    -------
    Corpus
    """
    from .paths import resolve_path

    corpus = read_corpus(
        resolve_path(corpus_dir), metadata=resolve_path(metadata) if metadata is not None else None
    )
    if group_by is not None:
        corpus = corpus.assign_docvars(group=group_labels(corpus.docvars, group_by))
    return corpus


def corpus_from_texts(texts: dict[str, str] | pd.Series, *, docvars: pd.DataFrame | None = None) -> Corpus:
    """Build a :class:`Corpus` from strings already in memory.

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
    doc_ids = [str(d) for d in series.index]
    read_info = pd.DataFrame(
        {"file": "", "encoding": "", "encoding_method": "in-memory"}, index=pd.Index(doc_ids, name="doc_id")
    )
    manifest = None
    if docvars is not None:
        manifest = docvars.copy()
        manifest.index = manifest.index.astype(str)
        manifest = manifest.astype(object).where(manifest.notna(), "").astype(str)
    return _assemble(doc_ids, list(series), read_info, manifest, ("corpus_from_texts",))
