"""Read one file: its document, or a table's documents, and a problem for what cannot be read.

:func:`read_file` reads a file's bytes, hashes them, decodes them
(:mod:`corpus_tools.io.decode`), hands them to the converter of their format
(:mod:`corpus_tools.io.formats`, :mod:`corpus_tools.io.html`, :mod:`corpus_tools.io.tables`)
and checks the text (:func:`corpus_tools.io.records.check_text`). Every format gives the same
document for the same article.

What reading does per format
----------------------------

============  =====================================================================
format        the text a document gets
============  =====================================================================
``txt``       the decoded file (encoding detected, see :mod:`corpus_tools.io.decode`)
``md``        Markdown with links, images, lists, quotes, code fences and tables
              turned into plain lines (headings and ``**bold**`` are left to
              :func:`corpus_tools.corpus.clean.remove_markdown_emphasis`); YAML front
              matter becomes docvars
``html``      the article body, extracted with trafilatura (navigation, footers,
              scripts and styles dropped; scripts are never run); the encoding a
              page declares (``<meta charset>``) is honoured; the page's own title
              and date are kept as the docvars ``file_title`` and ``file_date``
``docx``      the paragraphs in order, tables' cells included
``csv``       one document per row: the ``text_column``; other columns are docvars
``tsv``       as ``csv``, tab-separated
``jsonl``     one document per line (a JSON object): as ``csv``
``parquet``   one document per row: as ``csv``
============  =====================================================================

Block formats (HTML, Word) put a blank line between paragraphs, as a text file
would, so that :mod:`corpus_tools.corpus.structure` sees the same lines whatever the
format.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from pathlib import Path

from .decode import Decoded, DecodingError, decode_bytes
from .formats import docx_to_text, markdown_to_text
from .html import declared_html_charset, html_to_text
from .options import SUPPORTED_SUFFIXES, TABLE_FORMATS, ReadOptions, option_hint
from .records import (
    RawDocument,
    ReadProblem,
    auto_doc_id,
    check_text,
    decoding_problem,
    docvar_name,
    long_line_entry,
    make_problem,
)
from .tables import read_table

__all__ = ["read_file"]


def read_file(
    path: str | Path,
    *,
    root: str | Path | None = None,
    options: ReadOptions | Mapping[str, object] | None = None,
    **read_options: object,
) -> Iterator[RawDocument | ReadProblem]:
    """Read one file: yield its document(s), and a :class:`ReadProblem` for each that cannot be read.

    Parameters
    ----------
    path : str or Path
        The file.
    root : str or Path, optional
        The corpus folder; ``source`` and ``file`` are relative to it (by
        default the file's folder).
    options : ReadOptions or mapping, optional
        How to read (see :class:`~corpus_tools.io.ReadOptions`); ``format`` is by
        default the file's suffix's. ``pattern`` and ``on_error`` do not apply to one file.
    **read_options
        Any reading option (``encoding=``, ``text_column=`` …), replacing that of ``options``.

    Returns
    -------
    iterator of RawDocument or ReadProblem
        Never raises for a problem with the file's content: the caller
        decides whether a problem stops the reading. A bad option raises at once.
    """
    return _read_file(Path(path), root, ReadOptions.from_kwargs(options, **read_options))


def _read_file(path: Path, root: str | Path | None, options: ReadOptions) -> Iterator[RawDocument | ReadProblem]:
    """:func:`read_file` with its options checked (a generator: reading starts at the first item)."""
    root = Path(root) if root is not None else path.parent
    rel = path.relative_to(root).as_posix()
    fmt = options.format or SUPPORTED_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        yield make_problem(rel, "unsupported_format", path, f"format {path.suffix!r} is not supported", f"pass {option_hint('format')}", action="ignored")
        return
    try:
        data = path.read_bytes()
    except OSError as error:
        yield make_problem(
            rel, "unreadable", path, f"cannot be read ({error.strerror or error})", "check the file's permissions", auto_doc_id(rel)
        )
        return
    base = {"file": rel, "format": fmt, "row": None, "source": rel, "sha256": hashlib.sha256(data).hexdigest()}
    if fmt in TABLE_FORMATS:
        yield from read_table(path, rel, fmt, data, base, options)
    else:
        notes: list[ReadProblem] = []
        document = _read_single(path, rel, fmt, data, base, options, notes)
        if isinstance(document, RawDocument):
            yield from notes
        yield document


def _read_single(
    path: Path, rel: str, fmt: str, data: bytes, base: dict, options: ReadOptions, notes: list[ReadProblem]
) -> RawDocument | ReadProblem:
    """The file's document, or the problem that keeps it out; problems of a kept document go to ``notes``."""
    doc_id = auto_doc_id(rel)
    where = str(path)
    if not data:
        return ReadProblem(rel, "empty", f"{where}: the file is empty (0 bytes) (remove it from the corpus)", doc_id)
    log: list[dict[str, object]] = []
    docvars: dict[str, str] = {}
    origin: dict[str, str] = {}
    if fmt == "docx":
        try:
            text, hints, n_tables = docx_to_text(data)
        except ValueError as error:
            return ReadProblem(
                rel, "unreadable",
                f"{where}: {error} (re-save it from Word as .docx)", doc_id,
            )
        info = {"encoding": "utf-8", "encoding_method": "format"}
        if n_tables:
            log.append(_read_entry("docx_tables", n_tables, f"{n_tables} table(s) read cell by cell, one line per paragraph"))
        docvars.update(hints)
    else:
        hint = declared_html_charset(data) if fmt == "html" else None
        try:
            decoded = decode_bytes(data, name=where, encoding=options.encoding, hint=hint, mixed_encodings=options.mixed_encodings)
        except DecodingError as error:
            return decoding_problem(rel, error, doc_id)
        info = {"encoding": decoded.encoding, "encoding_method": decoded.method}
        log += _decode_log(decoded)
        text = decoded.text
        if fmt == "md":
            text, front, changes = markdown_to_text(text)
            markup = [c for c in changes if not c.startswith("front matter")]
            if markup:
                log.append(_read_entry("markdown_markup", len(markup), "; ".join(markup[:3])))
            if front:
                log.append(_read_entry("front_matter", len(front), f"front matter → docvars: {', '.join(front)}"))
                for key, value in front.items():
                    name = docvar_name(key, "front matter")
                    docvars[name] = value
                    origin[name] = "front matter"
        elif fmt == "html":
            if text.strip():
                text, hints, stats = html_to_text(text)
                docvars.update(hints)
                left_out = stats["n_han_page"] - stats["n_han_kept"]
                if stats["flattened"]:
                    how = "without its inline tags" if stats["flattened"] == 1 else "as flat paragraphs, one per block"
                    detail = (
                        f"the page is nested deeper than libxml2 reads (256 levels), which would have cut its text "
                        f"short; it was read {how}"
                    )
                    log.append(_read_entry("html_flattened", 1, detail))
                    notes.append(make_problem(
                        rel, "html_too_deep", where, detail,
                        "check the document's text; the page was not truncated, but its layout was dropped", doc_id,
                        action="kept",
                    ))
                if stats["method"] != "trafilatura":
                    detail = "trafilatura found no article; all the page's visible text was kept, a line per block"
                    log.append(_read_entry("html_extracted", 1, detail))
                elif left_out > 0 or stats["headline_restored"]:
                    detail = (
                        f"article extracted with trafilatura: {stats['n_han_kept']:,} of the page's "
                        f"{stats['n_han_page']:,} Han characters kept (navigation, footers, captions, tables left out)"
                        + ("; the <h1> headline put back as the first line" if stats["headline_restored"] else "")
                    )
                    log.append(_read_entry("html_extracted", max(left_out, 1), detail))
    for key in ("file_title", "file_date"):
        if key in docvars:
            origin[key] = "file"
    if not text.strip() and fmt in {"html", "docx"} and data.strip():
        return ReadProblem(rel, "empty", f"{where}: no text found in the {fmt} file (check that it holds the article)", doc_id)
    problem = check_text(text, where=where, options=options)
    if problem:
        return ReadProblem(rel, problem[0], problem[1], doc_id)
    long_line = long_line_entry(text, where)
    if long_line:
        log.append(long_line)
    return RawDocument(doc_id, rel, text, {**base, **info}, docvars, origin, tuple(log))


def _decode_log(decoded: Decoded) -> list[dict[str, object]]:
    log: list[dict[str, object]] = []
    if decoded.had_bom:
        log.append({"step": "read", "rule": "bom_removed", "count": 1, "detail": f"{decoded.encoding} byte-order mark"})
    if decoded.method == "by-line":
        log.append({"step": "read", "rule": "encoding_by_line", "count": 1, "detail": "; ".join(decoded.notes)})
    if decoded.method == "character-statistics":
        log.append({"step": "read", "rule": "encoding_by_characters", "count": 1, "detail": "; ".join(decoded.notes)})
    if decoded.suspect:
        log.append({"step": "read", "rule": "suspect_encoding", "count": 1, "detail": decoded.suspect})
    return log


def _read_entry(rule: str, count: int, detail: str) -> dict[str, object]:
    """A quality-log entry of the read step (``doc_id`` is added when the corpus is assembled)."""
    return {"step": "read", "rule": rule, "count": count, "detail": detail}
