"""The document record and the problem record: what reading yields, and the checks every text passes.

Reading yields, per article, a :class:`RawDocument` (its ``doc_id``, where it came from, the
text as read, how it was read, the metadata the source states and what reading changed), and,
per input that could not become a document, a :class:`ReadProblem`.

Problems
--------
An input that cannot become a document is a :class:`ReadProblem` with a
``code`` from :data:`PROBLEM_CODES` and a message of the form
``"<path>: <problem> (<what to do>)"`` (:func:`make_problem` builds it). ``on_error="raise"``
(the default) raises :class:`CorpusReadError` at the first one (problems found while
listing the folder and matching the manifest are raised together);
``on_error="skip"`` yields the problem instead and goes on. Nothing is
dropped silently: every skipped, kept-with-a-problem or ignored item is
yielded as a :class:`ReadProblem`, and what reading changed in a text it kept
(a byte-order mark, markup, an encoding repaired line by line) is in its
:attr:`RawDocument.log`.

The checks every text goes through, whatever its format (:func:`check_text`: empty, only
whitespace, not Chinese, too short; :func:`long_line_entry`), the doc_id rules
(:func:`check_doc_id`, :func:`auto_doc_id`) and how a stated value becomes a docvar
(:func:`as_docvar`, :func:`docvar_name`) are here, so that files and table rows are judged alike.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

from .options import RESERVED_DOCVARS, ReadOptions, option_hint

__all__ = [
    "CorpusReadError",
    "LONG_LINE_CHARS",
    "PROBLEM_CODES",
    "RawDocument",
    "ReadProblem",
    "as_docvar",
    "auto_doc_id",
    "check_doc_id",
    "check_text",
    "count_han",
    "decoding_problem",
    "docvar_name",
    "han_share",
    "long_line_entry",
    "make_problem",
]

logger = logging.getLogger(__name__)

#: Every problem reading can report, most serious first, with what it means.
PROBLEM_CODES: dict[str, str] = {
    "outside_corpus": "a manifest path or a symbolic link points outside the corpus folder",
    "unreadable": "the file cannot be opened, or is not a valid file of its format",
    "binary": "binary content (NUL bytes, control characters), not text",
    "undecodable": "bytes that no supported encoding decodes",
    "mixed_encodings": "lines in different encodings (UTF-8 and GB18030 or Big5)",
    "html_too_deep": "an HTML page nested deeper than the parser reads: kept, read flattened (check its text)",
    "malformed_table": "a table that cannot be parsed, or a row that does not fit it",
    "missing_column": "a table without the text column (or the id or docvar columns asked for)",
    "duplicate_doc_id": "a doc_id that another document already has",
    "bad_doc_id": "a doc_id that is blank or could be taken for a path",
    "duplicate_manifest_row": "two manifest rows for the same file",
    "manifest_row_without_file": "a manifest row whose file is missing",
    "file_without_manifest_row": "a file the manifest does not list",
    "empty": "an empty file or text",
    "whitespace_only": "a text holding only whitespace",
    "not_chinese": "a text that is not Chinese",
    "too_short": "a text too short to analyse",
    "unsupported_format": "a file in a format read_corpus does not read",
}

#: A line longer than this (in characters) means the source lost its line
#: breaks: the whole text becomes one paragraph. It is read, and flagged.
LONG_LINE_CHARS = 10_000

# Runs, not single characters: counting the lengths of runs is ~3x faster than one match per
# character, and every text read is counted.
_HAN_RUN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")
_LATIN_WORD_RE = re.compile("[A-Za-z\u00c0-\u024f]+")
_LETTER_RUN_RE = re.compile(r"[^\W\d_]+")  # any letters, Han included
_CONTROL_IN_ID_RE = re.compile("[\x00-\x1f\x7f]")



class CorpusReadError(ValueError):
    """A corpus could not be read; the message names the file and the problem.

    Attributes
    ----------
    problems : tuple of ReadProblem
        The problems behind the error (one, or all those found while listing
        the folder and matching the manifest).
    """

    def __init__(self, message: str, problems: Sequence["ReadProblem"] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


@dataclass(frozen=True)
class ReadProblem:
    """An input that could not become a document (or became one despite a problem).

    Attributes
    ----------
    source : str
        What the problem is about: a path relative to the corpus folder, a
        table row (``"articles.csv#3"``) or a manifest row
        (``"metadata.csv#3"``).
    code : str
        One of :data:`PROBLEM_CODES`.
    message : str
        ``"<path>: <problem> (<what to do>)"``.
    doc_id : str
        The doc_id the item had or would have had ("" when none can be given).
    action : {"skipped", "kept", "ignored"}
        ``skipped``: not in the corpus; ``kept``: in the corpus despite the
        problem (a file the manifest does not list, read with inferred
        docvars); ``ignored``: not an article (an unsupported file type).
    """

    source: str
    code: str
    message: str
    doc_id: str = ""
    action: Literal["skipped", "kept", "ignored"] = "skipped"

    def error(self) -> CorpusReadError:
        """Return the :class:`CorpusReadError` that reports this problem, and how to read the rest."""
        return CorpusReadError(f"{self.message}\nTo leave it out and read the rest: {option_hint('on_error', 'skip')}", [self])


@dataclass(frozen=True)
class RawDocument:
    """One article as read, before cleaning.

    Attributes
    ----------
    doc_id : str
        The document's id: from the manifest, the table's ``id_column``, or
        the file's path (``slugify``), with ``-<row>`` for a table row.
    source : str
        The path relative to the corpus folder, ``"<table>#<row>"`` for a
        table row.
    raw_text : str
        The text as read: the decoded file, or the text extracted from its
        format (HTML body, Word paragraphs, a table cell). Cleaning starts here.
    read_info : dict
        ``file`` (path relative to the corpus folder), ``format``, ``row``
        (1-based record number in a table, the line number for JSON Lines;
        None for other formats), ``source``, ``encoding``,
        ``encoding_method`` and ``sha256`` (of the file's bytes).
    docvars : dict of str
        Metadata the source states (table columns, front matter, the page's
        own title and date, the manifest row); ``""`` means not stated.
    docvar_origin : dict of str
        For each key of ``docvars``, where it came from: ``manifest``,
        ``table``, ``front matter`` or ``file``.
    log : tuple of dict
        What reading changed or flagged (quality-log entries with ``step``
        ``"read"``: ``bom_removed``, ``markdown_markup``, ``html_extracted``,
        ``docx_tables``, ``front_matter``, ``encoding_by_line``,
        ``encoding_by_characters``, ``suspect_encoding``, ``html_flattened``,
        ``long_line``), without ``doc_id``.
    """

    doc_id: str
    source: str
    raw_text: str
    read_info: Mapping[str, object]
    docvars: Mapping[str, str] = field(default_factory=dict)
    docvar_origin: Mapping[str, str] = field(default_factory=dict)
    log: tuple[Mapping[str, object], ...] = ()



def han_share(text: str) -> float:
    """Share of Han characters among the text's words and characters (0 when it has none).

    The denominator counts Han characters, letters of other scripts (kana,
    Hangul, Cyrillic …) one by one, and Latin-script words as one each, so
    that inline pinyin (``學(xué)``) or an English name does not make a
    Chinese text look foreign, while Japanese (kana) and Korean (Hangul) text
    falls well below one half.

    Examples
    --------
    >>> han_share("學(xué)史明理"), han_share("Party history education"), han_share("")
    (0.8, 0.0, 0.0)
    """
    han, total = _han_counts(text)
    return han / total if total else 0.0


def count_han(text: str) -> int:
    """Count the Han characters of a text (CJK unified ideographs, extensions A to F, compatibility).

    Examples
    --------
    >>> count_han("學(xué)史明理 2021")
    4
    """
    return sum(map(len, _HAN_RUN_RE.findall(text)))


def _han_counts(text: str) -> tuple[int, int]:
    """Han characters, and the denominator of :func:`han_share`."""
    han = count_han(text)
    latin_words = _LATIN_WORD_RE.findall(text)
    other_letters = sum(map(len, _LETTER_RUN_RE.findall(text))) - han - sum(map(len, latin_words))
    return han, han + len(latin_words) + max(other_letters, 0)


def check_text(text: str, *, where: str, options: ReadOptions) -> tuple[str, str] | None:
    """Say why a text cannot be analysed, or return None: the one check of every text read.

    Parameters
    ----------
    text : str
        The text as read (a file's, or a table cell's).
    where : str
        The file (and row) the text is from, which the message starts with.
    options : ReadOptions
        ``min_han_share`` and ``min_han_chars`` are the thresholds.

    Returns
    -------
    tuple of (str, str) or None
        ``(code, message)`` with code ``empty``, ``whitespace_only``, ``not_chinese`` or
        ``too_short``, the message saying what to do (and which option to change); None
        for a text that can be analysed.

    Examples
    --------
    >>> check_text("学史明理，学史增信。", where="a.txt", options=ReadOptions())[0]
    'too_short'
    >>> check_text("学史明理，学史增信。", where="a.txt", options=ReadOptions(min_han_chars=8)) is None
    True
    """
    if not text:
        return "empty", f"{where}: the text is empty (remove it, or check that the right column or file was read)"
    if not text.strip():
        return "whitespace_only", f"{where}: the text holds only whitespace (remove it from the corpus)"
    n_han, total = _han_counts(text)
    share = n_han / total if total else 0.0
    if share < options.min_han_share:
        return "not_chinese", (
            f"{where}: the text is not Chinese ({share:.0%} Han characters, fewer than "
            f"min_han_share={options.min_han_share:.0%}; remove it, or lower the threshold: "
            f"{option_hint('min_han_share', round(max(share - 0.05, 0.0), 2))})"
        )
    if n_han < options.min_han_chars:
        return "too_short", (
            f"{where}: the text is too short to analyse ({n_han} Han characters, fewer than "
            f"min_han_chars={options.min_han_chars}; remove it, or lower the threshold: "
            f"{option_hint('min_han_chars', n_han)})"
        )
    return None


def long_line_entry(text: str, where: str) -> dict[str, object] | None:
    """The quality-log entry (rule ``long_line``) of a text whose source lost its line breaks, or None.

    A line longer than :data:`LONG_LINE_CHARS` cannot be split into paragraphs; the text is
    read, as one paragraph, and the first such line is named (and logged as a warning).
    """
    if len(text) <= LONG_LINE_CHARS:
        return None
    long_lines = [(n, len(line)) for n, line in enumerate(text.split("\n"), start=1) if len(line) > LONG_LINE_CHARS]
    if not long_lines:
        return None
    line_no, length = long_lines[0]
    detail = (
        f"{where}: line {line_no} has {length:,} characters without a line break, so its paragraphs "
        "cannot be told apart (it is read as one paragraph)"
    )
    logger.warning("%s", detail)
    return {"step": "read", "rule": "long_line", "count": len(long_lines), "detail": detail}


def check_doc_id(doc_id: str) -> str | None:
    """Say why ``doc_id`` is unusable, or return None. Ids end up in file and unit names: no paths.

    Examples
    --------
    >>> check_doc_id("huaiyin-2021") is None, check_doc_id("../etc")
    (True, 'contains a path separator or a control character, so it could be taken for a path')
    """
    if not doc_id.strip():
        return "is blank"
    if "/" in doc_id or "\\" in doc_id or doc_id in {".", ".."} or _CONTROL_IN_ID_RE.search(doc_id):
        return "contains a path separator or a control character, so it could be taken for a path"
    return None


def make_problem(
    source: str,
    code: str,
    where: str | Path,
    problem: str,
    todo: str,
    doc_id: str = "",
    *,
    action: Literal["skipped", "kept", "ignored"] = "skipped",
) -> ReadProblem:
    """Build a :class:`ReadProblem` whose message has the one form ``<where>: <problem> (<what to do>)``.

    Examples
    --------
    >>> make_problem("a.txt", "empty", "corpus/a.txt", "the file is empty", "remove it").message
    'corpus/a.txt: the file is empty (remove it)'
    """
    return ReadProblem(source, code, f"{where}: {problem} ({todo})", doc_id, action)


def as_docvar(value: object) -> str:
    """A table cell or front-matter value as a docvar string (never a number or a date object)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and value != value:  # NaN: a blank cell
        return ""
    return str(value)


def docvar_name(name: str, origin: str) -> str:
    """The docvar a source's field becomes: its own name, or prefixed when reading sets that name.

    Examples
    --------
    >>> docvar_name("title", "table"), docvar_name("source", "front matter")
    ('title', 'front_matter_source')
    """
    return f"{origin.replace(' ', '_')}_{name}" if name in RESERVED_DOCVARS else name


def auto_doc_id(rel: str, row: int | None = None) -> str:
    """A readable, path-free doc_id from a file's relative path (and table row).

    As :func:`corpus_tools.corpus.metadata.slugify`, but any suffix goes (``.parquet`` too).

    Examples
    --------
    >>> auto_doc_id("2021/淮阴 区.txt"), auto_doc_id("articles.parquet", 3)
    ('2021-淮阴-区', 'articles-3')
    """
    path = PurePosixPath(rel)
    stem = str(path.with_suffix("")) if path.suffix else rel
    slug = re.sub(r"[^\w\u4e00-\u9fff-]+", "-", stem).strip("-") or "doc"
    return slug if row is None else f"{slug}-{row}"


def decoding_problem(source: str, error: Exception, doc_id: str) -> ReadProblem:
    """The :class:`ReadProblem` of a file whose bytes could not be decoded.

    ``error`` is a :class:`corpus_tools.io.decode.DecodingError`; its ``code`` is kept when it
    is a problem code (``binary``, ``mixed_encodings``), anything else is ``undecodable``.
    """
    code = {"binary": "binary", "mixed_encodings": "mixed_encodings"}.get(getattr(error, "code", ""), "undecodable")
    return ReadProblem(source, code, str(error), doc_id)
