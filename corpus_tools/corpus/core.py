"""The Corpus object: texts as read, texts as cleaned, their blocks, docvars and quality log.

This module owns the :class:`Corpus` and the columns of its tables. Building one is
:mod:`corpus_tools.corpus.build` (reading, the cleaning fan-out) and, per document,
:mod:`corpus_tools.corpus.document`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd

from ..units import Unit, iter_units, unit_id
from .structure import split_sentences

__all__ = [
    "BLOCK_COLUMNS",
    "BlockRow",
    "Corpus",
    "PROBLEM_COLUMNS",
    "QUALITY_LOG_COLUMNS",
    "blocks_frame",
    "empty_problems",
]

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


def empty_problems() -> pd.DataFrame:
    """Return an empty :attr:`Corpus.problems` table."""
    return pd.DataFrame(columns=list(PROBLEM_COLUMNS), dtype=object)


def blocks_frame(rows: Sequence[BlockRow]) -> pd.DataFrame:
    """Return block rows as a frame with the columns and dtypes of :attr:`Corpus.blocks`."""
    frame = pd.DataFrame(list(rows), columns=list(BLOCK_COLUMNS))
    # an empty frame would otherwise make every column object
    return frame.astype({"block_no": "int64", "line_no": "int64", "n_chars": "int64"})


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
        (see :mod:`corpus_tools.io`).
    texts : pandas.Series
        The cleaned article bodies that analyses use: body paragraphs only,
        separated by ``"\\n"`` (index ``doc_id``).
    blocks : pandas.DataFrame
        Every block of every document in order, columns ``doc_id, block_no,
        kind, section, line_no, n_chars, text``. ``kind`` is one of
        :data:`corpus_tools.corpus.structure.BLOCK_KINDS`; ``section`` is the
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
        :class:`corpus_tools.io.ReadProblem`). Each is also in the
        quality log (step ``read``, rule ``skipped_<code>``, ``<code>`` or
        ``ignored_<code>``), so nothing leaves the corpus unrecorded.
    """

    docvars: pd.DataFrame
    raw_texts: pd.Series
    texts: pd.Series
    blocks: pd.DataFrame
    quality_log: pd.DataFrame
    history: tuple[str, ...] = field(default=())
    problems: pd.DataFrame = field(default_factory=empty_problems)

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
        >>> from corpus_tools.corpus import corpus_from_texts
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
            [unit_id(d, n) for d, n in zip(table["doc_id"], table["para_no"])], name="unit_id"
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
        body = self.blocks[self.blocks["kind"] == "body"]
        for doc_id, paragraphs in body.groupby("doc_id", sort=False):
            pairs = zip(paragraphs["section"], paragraphs["text"])
            for uid, (para_no, sent_no, section), sentence in iter_units(
                doc_id, pairs, "sentence", split_sentences=split_sentences
            ):
                rows.append((uid, doc_id, para_no, sent_no, section, sentence))
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
        >>> from corpus_tools.corpus import corpus_from_texts
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
