"""Where a stream's documents come from: a folder read as ``read_corpus`` reads it, or texts.

:func:`read_source` turns what :func:`~corpus_tools.streaming.stream.stream_dtm` was given (a
folder or file, a mapping ``doc_id -> text``, an iterable of pairs) into
:class:`~corpus_tools.io.records.RawDocument` records in corpus order, lazily: the same record
:func:`~corpus_tools.io.documents.iter_documents` yields for ``read_corpus``, so a document has one
definition on every path. :func:`chunked` cuts them into the chunks sent to workers and refuses
a repeated ``doc_id``. Nothing here cleans or counts.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Literal

from ..io.options import ReadOptions
from ..io.documents import iter_documents
from ..io.records import RawDocument

__all__ = ["IN_MEMORY_READ_INFO", "Source", "SourceDocument", "chunked", "read_source"]

#: What ``corpus_from_texts`` records for a text given in memory.
IN_MEMORY_READ_INFO: Mapping[str, object] = {
    "file": "", "format": "in-memory", "row": None, "source": "", "encoding": "",
    "encoding_method": "in-memory", "sha256": "",
}


def SourceDocument(  # noqa: N802 - it was a class; callers construct documents with it by that name
    doc_id: str,
    text: str,
    read_info: Mapping[str, object] | None = None,
    docvars: Mapping[str, str] | None = None,
    origin: Mapping[str, str] | None = None,
) -> RawDocument:
    """Make the record of one document whose text is already read (in memory, by default).

    Parameters
    ----------
    doc_id : str
    text : str
        The raw text as read (decoded, not cleaned).
    read_info : dict, optional
        The docvars reading adds (``file``, ``encoding`` …); by default those of a text given
        in memory (:data:`IN_MEMORY_READ_INFO`).
    docvars : dict, optional
        Docvars the source states (manifest, table columns …): ``given`` in the corpus merge.
    origin : dict, optional
        Where each stated docvar came from (``manifest``, ``table`` …).

    Returns
    -------
    corpus_tools.io.records.RawDocument
        The record ``iter_documents`` yields for a file, so streamed and read documents are
        one type.

    Examples
    --------
    >>> SourceDocument("a", text="学史明理。").read_info["format"]
    'in-memory'
    """
    info = dict(read_info) if read_info is not None else dict(IN_MEMORY_READ_INFO)
    return RawDocument(
        doc_id=doc_id,
        source=str(info.get("source") or ""),
        raw_text=text,
        read_info=info,
        docvars=dict(docvars or {}),
        docvar_origin=dict(origin or {}),
    )


@dataclass
class Source:
    """The documents of a source, and what reading it found.

    Attributes
    ----------
    documents : iterable of RawDocument
        Consumed once, lazily, in corpus order.
    total : int or None
        How many documents, when known before reading (a mapping of texts), for progress.
    label : str
        How the source is named in the matrix's history and provenance.
    problems : list of corpus_tools.io.records.ReadProblem
        Filled while ``documents`` is consumed: inputs reading skipped, kept or ignored.
    """

    documents: Iterable[RawDocument]
    total: int | None
    label: str
    problems: list[Any] = field(default_factory=list)


def read_source(
    source: Any,
    *,
    metadata: str | os.PathLike[str] | None | Literal[False],
    pattern: str | None,
    encoding: str | None,
    read_options: Mapping[str, Any],
) -> Source:
    """Turn what the caller passed into documents in corpus order: the one place that reads.

    A folder (or file) goes through :func:`corpus_tools.io.documents.iter_documents` exactly as
    ``read_corpus`` reads it, with ``pattern``, ``encoding`` and ``read_options`` made one
    :class:`~corpus_tools.io.options.ReadOptions` at once, so a misspelt or impossible option
    fails before anything is read.

    Raises
    ------
    ValueError
        When reading options (``metadata``, ``pattern``, ``encoding`` …) come with texts, or an
        option has a value it cannot take.
    TypeError
        When a reading option is unknown (the message lists them).
    """
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        options = ReadOptions.from_kwargs(read_options, pattern=pattern, encoding=encoding)
        result = Source([], None, str(path))

        def documents() -> Iterator[RawDocument]:
            for item in iter_documents(path, metadata=metadata, options=options):
                if isinstance(item, RawDocument):
                    yield item
                else:
                    result.problems.append(item)

        result.documents = documents()
        return result
    if metadata not in (None, False) or read_options or pattern is not None or encoding is not None:
        raise ValueError("metadata, pattern, encoding and reading options apply to a folder; not to texts")
    if isinstance(source, Mapping):
        return Source(_text_documents(source), len(source), f"<{len(source)} texts>")
    return Source(_text_documents(source), None, f"<{type(source).__name__} of texts>")


def _text_documents(texts: Mapping[str, str] | Iterable[tuple[str, str]]) -> Iterator[RawDocument]:
    items = texts.items() if isinstance(texts, Mapping) else texts
    for item in items:
        if isinstance(item, RawDocument):
            yield item
            continue
        doc_id, text = item
        if not isinstance(text, str):
            raise TypeError(f"document {doc_id!r}: text must be a str, not {type(text).__name__}")
        yield SourceDocument(str(doc_id), text=text)


def chunked(documents: Iterable[RawDocument], size: int) -> Iterator[list[RawDocument]]:
    """Cut ``documents`` into lists of ``size`` (the last may be shorter), lazily.

    Raises
    ------
    ValueError
        When a ``doc_id`` repeats one seen before, in any chunk.
    """
    iterator = iter(documents)
    seen: set[str] = set()
    while chunk := list(islice(iterator, size)):
        for document in chunk:
            if document.doc_id in seen:
                raise ValueError(f"duplicate doc_id {document.doc_id!r}; every document needs its own id")
            seen.add(document.doc_id)
        yield chunk
