"""Read articles from files of any supported format, and say exactly what could not be read.

A corpus arrives as a folder of files: plain text, Markdown, HTML pages, Word
documents, or tables (CSV, TSV, JSON Lines, Parquet) holding one article per
row. :func:`iter_documents` walks such a folder (or reads one file) and yields
one :class:`RawDocument` per article: its ``doc_id``, where it came from, the
text as read, how it was read (format, encoding, the file's SHA-256), the
metadata the source itself carries (a table's other columns, Markdown front
matter) and what reading changed. :func:`corpus_tools.corpus.read_corpus`
builds a :class:`~corpus_tools.corpus.Corpus` from it; every format gives the
same Corpus for the same article.

What reading does per format
----------------------------

============  =====================================================================
format        the text a document gets
============  =====================================================================
``txt``       the decoded file (encoding detected, see :mod:`corpus_tools.decode`)
``md``        Markdown with links, images, lists, quotes, code fences and tables
              turned into plain lines (headings and ``**bold**`` are left to
              :func:`corpus_tools.clean.remove_markdown_emphasis`); YAML front
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
would, so that :mod:`corpus_tools.structure` sees the same lines whatever the
format.

Problems
--------
An input that cannot become a document is a :class:`ReadProblem` with a
``code`` from :data:`PROBLEM_CODES` and a message of the form
``"<path>: <problem> (<what to do>)"``. ``on_error="raise"`` (the default)
raises :class:`CorpusReadError` at the first one (problems found while
listing the folder and matching the manifest are raised together);
``on_error="skip"`` yields the problem instead and goes on. Nothing is
dropped silently: every skipped, kept-with-a-problem or ignored item is
yielded as a :class:`ReadProblem`, and what reading changed in a text it kept
(a byte-order mark, markup, an encoding repaired line by line) is in its
:attr:`RawDocument.log`.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import logging
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

from .decode import DecodingError, decode_bytes
from .io.options import CLI_OPTIONS as _CLI_OPTIONS  # noqa: F401  (kept for one release)
from .io.options import READ_INFO_COLUMNS, SUPPORTED_SUFFIXES, TABLE_FORMATS, Format, OnError, ReadOptions, option_hint
from .io.options import RESERVED_DOCVARS as _RESERVED_DOCVARS
from .metadata import MANIFEST_COLUMNS

__all__ = [
    "COLUMN_ALIASES",
    "CorpusReadError",
    "Format",
    "PROBLEM_CODES",
    "RawDocument",
    "ID_ALIASES",
    "MAX_DOCX_UNZIPPED_BYTES",
    "ReadProblem",
    "SUPPORTED_SUFFIXES",
    "TABLE_FORMATS",
    "TEXT_ALIASES",
    "URL_ALIASES",
    "docx_to_text",
    "html_to_text",
    "iter_documents",
    "markdown_to_text",
    "option_hint",
    "read_file",
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


# ---------------------------------------------------------------------------
# Checks every text goes through
# ---------------------------------------------------------------------------


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


def _count_han(text: str) -> int:
    return sum(map(len, _HAN_RUN_RE.findall(text)))


def _han_counts(text: str) -> tuple[int, int]:
    """Han characters, and the denominator of :func:`han_share`."""
    han = _count_han(text)
    latin_words = _LATIN_WORD_RE.findall(text)
    other_letters = sum(map(len, _LETTER_RUN_RE.findall(text))) - han - sum(map(len, latin_words))
    return han, han + len(latin_words) + max(other_letters, 0)


def _check_text(text: str, *, where: str, options: ReadOptions) -> tuple[str, str] | None:
    """Return ``(code, message)`` for a text that cannot be analysed, or None."""
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


def _long_line_entry(text: str, where: str) -> dict[str, object] | None:
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


def _check_doc_id(doc_id: str) -> str | None:
    """Why ``doc_id`` is unusable, or None. Ids end up in file and unit names: no paths."""
    if not doc_id.strip():
        return "is blank"
    if "/" in doc_id or "\\" in doc_id or doc_id in {".", ".."} or _CONTROL_IN_ID_RE.search(doc_id):
        return "contains a path separator or a control character, so it could be taken for a path"
    return None


def _problem(
    source: str,
    code: str,
    where: str | Path,
    problem: str,
    todo: str,
    doc_id: str = "",
    *,
    action: Literal["skipped", "kept", "ignored"] = "skipped",
) -> ReadProblem:
    """A :class:`ReadProblem` whose message has the one form ``<where>: <problem> (<what to do>)``."""
    return ReadProblem(source, code, f"{where}: {problem} ({todo})", doc_id, action)


def _read_entry(rule: str, count: int, detail: str) -> dict[str, object]:
    """A quality-log entry of the read step (``doc_id`` is added when the corpus is assembled)."""
    return {"step": "read", "rule": rule, "count": count, "detail": detail}


def _as_docvar(value: object) -> str:
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


def _docvar_name(name: str, origin: str) -> str:
    return f"{origin.replace(' ', '_')}_{name}" if name in _RESERVED_DOCVARS else name


# ---------------------------------------------------------------------------
# Format conversions (pure functions on decoded text or bytes)
# ---------------------------------------------------------------------------

_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_LINE_BREAK_RE = re.compile(r"(\r\n|\r|\n)")
_FRONT_MATTER_ALIASES = {"date": "date_published", "author": "reporters", "authors": "reporters"}
_FENCE_RE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")
_MD_BLOCK_RULES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("rule", re.compile(r"^[ \t]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$"), ""),
    ("setext underline", re.compile(r"^[ \t]{0,3}={2,}[ \t]*$"), ""),
    ("link definition", re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S+.*$"), ""),
    ("table separator", re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)+\|?[ \t]*$"), ""),
    ("quote", re.compile(r"^[ \t]{0,3}(?:>[ \t]?)+"), ""),
    ("list item", re.compile(r"^[ \t]*[-*+][ \t]+"), ""),
    ("closing hashes", re.compile(r"^(#{1,6}[ \t]+.*?)[ \t]+#+[ \t]*$"), r"\1"),
)
_MD_INLINE_RULES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("html comment", re.compile(r"<!--.*?-->"), ""),
    ("image", re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)"), ""),
    ("link", re.compile(r"\[([^\]\n]+)\]\([^)\n]*\)"), r"\1"),
    ("link", re.compile(r"\[([^\]\n]+)\]\[[^\]\n]*\]"), r"\1"),
    ("autolink", re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>"), r"\1"),
    ("html tag", re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>\n]*)?/?>"), ""),
    ("inline code", re.compile(r"`([^`\n]+)`"), r"\1"),
    ("strikethrough", re.compile(r"~~(?=\S)([^~\n]+?)(?<=\S)~~"), r"\1"),
    # Single-star emphasis; ``**bold**`` and ``__bold__`` are clean.py's (markdown_emphasis).
    ("emphasis", re.compile(r"(?<![*\\A-Za-z0-9])\*(?=[^*\s])([^*\n]+?)(?<=[^*\s])\*(?![*A-Za-z0-9])"), r"\1"),
)
_PIPE_ROW_RE = re.compile(r"^[ \t]*\|(.*)\|[ \t]*$")


def _load_front_matter(text: str) -> object:
    """Parse a YAML front-matter block as plain data; ValueError when it is not YAML or uses aliases.

    ``yaml.safe_load`` builds data, never objects, but it shares what an alias (``*name``)
    points to, so nine levels of nine aliases each are a few hundred bytes that stand for 9⁹
    strings: harmless until the value is written out as a docvar (json), which would then
    take gigabytes. Front matter of an article has no use for aliases, so they are refused.
    """
    import yaml  # deferred: only Markdown with front matter needs it

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent, index):
            if self.check_event(yaml.events.AliasEvent):
                raise yaml.composer.ComposerError(
                    None, None, "aliases are not allowed in front matter", self.peek_event().start_mark
                )
            return super().compose_node(parent, index)

    try:
        return yaml.load(text, Loader=NoAliasLoader)  # a SafeLoader: data, never code
    except yaml.YAMLError as error:
        raise ValueError(str(error)) from error


def markdown_to_text(markdown: str) -> tuple[str, dict[str, str], list[str]]:
    """Turn Markdown into plain lines, conservatively.

    Links keep their text, images go, list markers, quote marks, rules, code
    fences and table pipes go; the words stay. ATX headings (``# 标题``) and
    ``**bold**`` / ``__bold__`` are left for
    :func:`corpus_tools.clean.remove_markdown_emphasis`, which every text goes
    through. Ordered-list numbers (``1.``) stay: in Chinese reports they are
    part of the text.

    Parameters
    ----------
    markdown : str
        The decoded file.

    Returns
    -------
    text : str
        The text, line structure kept.
    front_matter : dict of str
        Key–value pairs of a leading YAML block (``---`` … ``---``), read
        as plain data (a safe YAML loader, aliases refused); ``date`` becomes ``date_published`` and
        ``author`` ``reporters``. Empty when there is none or it does not parse.
    changes : list of str
        One ``"kind: before → after"`` entry per markup item removed.

    Examples
    --------
    >>> text, meta, changes = markdown_to_text("---\\ntitle: 标题\\n---\\n# 标题\\n\\n- 见[新闻](http://x.cn)*一*")
    >>> text, meta, len(changes)
    ('# 标题\\n\\n见新闻一', {'title': '标题'}, 4)
    """
    changes: list[str] = []
    front: dict[str, str] = {}
    match = _FRONT_MATTER_RE.match(markdown)
    if match:
        try:
            loaded = _load_front_matter(match.group(1) or "")
        except ValueError:
            loaded = None
        if isinstance(loaded, dict):
            front = {_FRONT_MATTER_ALIASES.get(str(k), str(k)): _as_docvar(v) for k, v in loaded.items()}
            markdown = markdown[match.end() :]
            changes.append(f"front matter: {', '.join(map(str, loaded))}")

    escapes: list[str] = []
    # Line ends are kept as they are (CRLF, CR): normalising them is clean.py's job, and logged there.
    parts = _LINE_BREAK_RE.split(markdown)
    out_lines = []
    in_fence = ""
    for line, end in zip(parts[0::2], parts[1::2] + [""]):
        out_lines.append(_markdown_line(line, escapes, changes, in_fence) + end)
        fence = _FENCE_RE.match(line)
        if fence and (not in_fence or fence.group(1)[0] == in_fence[0]):
            in_fence = "" if in_fence else fence.group(1)
    text = "".join(out_lines)
    if escapes:
        text = re.sub("\ue000(\\d+)\ue001", lambda m: escapes[int(m.group(1))], text)
    return text, front, changes


def _markdown_line(line: str, escapes: list[str], changes: list[str], in_fence: str) -> str:
    """One Markdown line as plain text (a fence line becomes blank, a line inside a fence stays)."""

    def protect(m: re.Match[str]) -> str:
        escapes.append(m.group(1))
        return f"\ue000{len(escapes) - 1}\ue001"

    fence = _FENCE_RE.match(line)
    if fence and (not in_fence or fence.group(1)[0] == in_fence[0]):
        changes.append(f"code fence: {line.strip()[:20]!r} → ''")
        return ""
    if in_fence:
        return line
    line = _ESCAPE_RE.sub(protect, line)
    for kind, pattern, repl in _MD_BLOCK_RULES:
        new = pattern.sub(repl, line)
        if new != line:
            changes.append(f"{kind}: {line.strip()[:20]!r} → {new.strip()[:20]!r}")
            line = new
    row = _PIPE_ROW_RE.match(line)
    if row:
        new = " ".join(cell.strip() for cell in row.group(1).split("|"))
        changes.append(f"table row: {line.strip()[:20]!r} → {new[:20]!r}")
        line = new
    for kind, pattern, repl in _MD_INLINE_RULES:
        line = _sub_logged(pattern, repl, line, kind, changes)
    return line


def _sub_logged(pattern: re.Pattern[str], repl: str, line: str, kind: str, changes: list[str]) -> str:
    def replace(m: re.Match[str]) -> str:
        new = m.expand(repl)
        changes.append(f"{kind}: {m.group(0)[:30]!r} → {new[:20]!r}")
        return new

    return pattern.sub(replace, line)


_META_CHARSET_RE = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
_XML_ENCODING_RE = re.compile(rb"<\?xml[^>]+encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)", re.I)
_XML_DECLARATION_RE = re.compile(r"\A\s*<\?xml[^>]*\?>")


def declared_html_charset(data: bytes) -> str | None:
    """Return the encoding an HTML page declares in its first 4 KB, or None.

    Examples
    --------
    >>> declared_html_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    'gb2312'
    """
    head = data[:4096]
    match = _META_CHARSET_RE.search(head) or _XML_ENCODING_RE.search(head)
    return match.group(1).decode("ascii") if match else None


def html_to_text(html: str) -> tuple[str, dict[str, str], dict[str, object]]:
    """Extract an HTML page's article text with trafilatura.

    Parameters
    ----------
    html : str
        The decoded page.

    Returns
    -------
    text : str
        The article's blocks (title, dateline, byline, paragraphs, headings)
        one per line with a blank line between them; navigation, footers,
        comments, tables, scripts and styles left out.
    hints : dict of str
        ``file_title`` and ``file_date``: the page's own title and date as
        trafilatura reads them from its metadata (``<title>``, ``<meta>``),
        when it finds them. Stored as docvars beside the inferred ``title`` and
        ``date_published``, never in their place: a page title often carries
        the site's name.
    stats : dict
        ``method`` (``trafilatura``, or ``visible-text`` when trafilatura found
        no article and all the page's visible text was taken, a line per block),
        ``headline_restored`` (the page's first ``<h1>``, which trafilatura
        left out, was put back as the first line), ``n_han_page`` (Han
        characters in the page's visible text), ``n_han_kept`` and
        ``flattened`` (0: read as it is; 1: nested deeper than libxml2 reads,
        so read without its inline tags; 2: still too deep, so read as flat
        paragraphs, one per block element).

    Notes
    -----
    ``favor_recall=True`` keeps the ``<h1>`` title and section headings, which
    the default mode drops; ``include_tables=False`` because old government
    pages lay the whole article out in a ``<table>``, and trafilatura would
    flatten it into one line. Scripts are never executed: the page is parsed
    by lxml and nothing is fetched.
    """
    import trafilatura  # deferred: a heavy import that only HTML needs

    # lxml refuses a str that still carries an XML encoding declaration; the bytes are decoded already.
    html = _XML_DECLARATION_RE.sub("", html, count=1)
    page = html
    flattened = 0
    # libxml2 stops reading a page nested deeper than 256 elements (unclosed <font> tags do it),
    # and trafilatura and lxml keep what was read before, silently. Such a page is flattened:
    # first its inline tags go, then, if it is still too deep, every tag (blocks become <p>).
    while flattened < 2 and _html_too_deep(page):
        flattened += 1
        page = _flatten_html(html, keep_blocks=flattened == 1)
    extracted = trafilatura.extract(
        page,
        output_format="txt",
        favor_recall=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        include_formatting=False,
        deduplicate=False,
        with_metadata=False,
    )
    headline, visible = _page_text(page)
    method = "trafilatura"
    if not extracted or not extracted.strip():
        extracted, method = "\n".join(visible), "visible-text"
    lines = [line.strip() for line in extracted.split("\n")]
    lines = [line for line in lines if line]
    restored = bool(headline) and method == "trafilatura" and headline not in lines
    if restored:
        # trafilatura drops the <h1> when it takes it for the page title; it is the article's headline.
        lines.insert(0, headline)
    text = "\n\n".join(lines)
    hints: dict[str, str] = {}
    if text:
        metadata = trafilatura.extract_metadata(html, extensive=False)
        if metadata is not None:
            for key, value in (("file_title", metadata.title), ("file_date", metadata.date)):
                if value:
                    hints[key] = str(value)
    stats = {
        "method": method,
        "headline_restored": restored,
        "n_han_page": _count_han("".join(visible)),
        "n_han_kept": _count_han(text),
        "flattened": flattened,
    }
    return text, hints, stats


#: Inline elements: dropping them changes no line of the text, and unclosed ones (<font>) are
#: what nests a scraped page too deep.
_INLINE_TAGS = (
    "a abbr acronym b basefont bdi bdo big blink cite code del dfn em font i ins kbd mark nobr q rp rt "
    "ruby s samp small span strike strong sub sup time tt u var wbr"
).split()
_INVISIBLE_RE = re.compile(r"<!--.*?(?:-->|\Z)|<(script|style|noscript|template)\b.*?(?:</\1\s*>|\Z)", re.I | re.S)
# [^<>]*, not [^>]*: a stray "<" without its ">" must not make every later tag scan to the end.
_INLINE_TAG_RE = re.compile(r"</?(?:%s)\b[^<>]*>" % "|".join(_INLINE_TAGS), re.I)
_ANY_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)\b[^<>]*>")


def _html_too_deep(html: str) -> bool:
    """Whether libxml2's HTML parser (as trafilatura uses it) stops early on this page's nesting."""
    import lxml.etree
    import lxml.html

    parser = lxml.html.HTMLParser()  # default limits, as trafilatura's
    try:
        lxml.html.fromstring(html, parser=parser)
    except (ValueError, TypeError, lxml.etree.LxmlError):
        return False
    return any(
        entry.type_name == "ERR_RESOURCE_LIMIT" or "excessive depth" in entry.message.lower()
        for entry in parser.error_log
    )


def _flatten_html(html: str, *, keep_blocks: bool) -> str:
    """The page with its inline tags removed, or (``keep_blocks=False``) with every tag removed
    and each block element's text in a ``<p>`` of its own: no nesting left to be too deep.

    Scripts, styles and comments go first, so their text never becomes page text.
    """
    html = _INVISIBLE_RE.sub("", html)
    if keep_blocks:
        return _INLINE_TAG_RE.sub("", html)
    head = re.search(r"<head\b.*?</head\s*>", html, re.I | re.S)
    body = html[head.end():] if head else html
    segments: list[str] = []
    start = 0
    for match in _ANY_TAG_RE.finditer(body):
        if match.group(2).lower() in _BLOCK_TAGS or match.group(2).lower() in {"body", "html"}:
            segments.append(_ANY_TAG_RE.sub("", body[start:match.start()]))
            start = match.end()
    segments.append(_ANY_TAG_RE.sub("", body[start:]))
    paragraphs = "".join(f"<p>{segment.strip()}</p>\n" for segment in segments if segment.strip())
    return f"<html>{head.group(0) if head else ''}<body>\n{paragraphs}</body></html>"


_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table td th tr ul".split()
)


def _page_text(html: str) -> tuple[str, list[str]]:
    """The page's first ``<h1>`` and all its visible text, one line per block element.

    Scripts, styles and comments are not visible text; nothing is executed.
    """
    import lxml.html  # deferred, as trafilatura

    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, TypeError, lxml.etree.ParserError):
        return "", []
    for element in tree.xpath("//script | //style | //noscript | //template | //head | //comment()"):
        element.drop_tree()
    headline = ""
    for heading in tree.iter("h1"):
        headline = " ".join(heading.text_content().split())
        if headline:
            break
    for element in tree.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
    lines = [" ".join(line.split()) for line in tree.text_content().split("\n")]
    return headline, [line for line in lines if line]


#: The most a .docx may inflate to, all parts together (bytes). A long Word report with
#: images is a few MB unzipped; this leaves room for large embedded pictures while refusing a
#: zip bomb before it is inflated.
MAX_DOCX_UNZIPPED_BYTES = 256 * 1024 * 1024
_DTD_RE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)


def _check_docx_package(data: bytes) -> None:
    """Refuse a .docx whose parts would inflate too far or whose XML declares a DTD (ValueError)."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
            total = sum(info.file_size for info in infos)
            if total > MAX_DOCX_UNZIPPED_BYTES:
                biggest = max(infos, key=lambda info: info.file_size)
                raise ValueError(
                    f"its parts would inflate to {total / 2**20:,.0f} MB ({biggest.filename}: "
                    f"{biggest.file_size / 2**20:,.0f} MB), more than the {MAX_DOCX_UNZIPPED_BYTES / 2**20:,.0f} MB "
                    "a Word document may have; refused before inflating it"
                )
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    with package.open(info) as member:
                        head = member.read(4096)
                    if _DTD_RE.search(head):
                        raise ValueError(f"{info.filename} declares a DTD or entities, which Word never writes")
    except zipfile.BadZipFile as error:
        raise ValueError(f"not a valid Word .docx file ({error})") from error
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError) as error:
        raise ValueError(f"not a valid Word .docx file ({type(error).__name__}: {error})") from error


def docx_to_text(data: bytes) -> tuple[str, dict[str, str], int]:
    """Read a Word (.docx) document's paragraphs, tables included, in order.

    Returns
    -------
    text : str
        One line per paragraph (a table cell's paragraphs included, merged
        cells once), a blank line between paragraphs and one more for each
        empty paragraph, as a text file would have them.
    hints : dict of str
        ``file_title``: the document's title property, when set.
    n_tables : int
        Tables whose cells were read as lines.

    Raises
    ------
    ValueError
        When the bytes are not a Word document, or not one that is safe to parse: its parts
        would inflate past :data:`MAX_DOCX_UNZIPPED_BYTES`, or an XML part holds a DTD
        (Word never writes one; entity definitions are how "billion laughs" bombs work).

    Notes
    -----
    The sizes are checked in the zip's directory before anything is inflated (zipfile stops
    at the size the directory states, so a member cannot lie its way past the check). The XML
    is parsed by python-docx's own lxml parser, which resolves no entities, fetches nothing
    from the network and keeps libxml2's limits on depth and text size (``huge_tree`` off).
    """
    import zipfile
    import zlib

    import lxml.etree
    from docx import Document  # deferred: only .docx needs it
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    _check_docx_package(data)
    try:
        document = Document(io.BytesIO(data))
    except (
        zipfile.BadZipFile, zipfile.LargeZipFile, PackageNotFoundError, KeyError, ValueError,
        lxml.etree.LxmlError, NotImplementedError, RuntimeError, EOFError, zlib.error,
    ) as error:
        raise ValueError(f"not a valid Word .docx file ({type(error).__name__}: {error})") from error
    lines: list[str] = []
    n_tables = 0

    def walk(container) -> None:
        nonlocal n_tables
        for item in container.iter_inner_content():
            if isinstance(item, Table):
                n_tables += 1
                for row in item.rows:
                    seen: set[int] = set()
                    for cell in row.cells:
                        if id(cell._tc) in seen:  # a merged cell appears once per grid column
                            continue
                        seen.add(id(cell._tc))
                        walk(cell)
            else:
                lines.append(item.text)

    try:
        walk(document)
    except (lxml.etree.LxmlError, KeyError, ValueError) as error:  # parts are parsed lazily too
        raise ValueError(f"not a valid Word .docx file ({type(error).__name__}: {error})") from error
    parts: list[str] = []
    blank = 0
    for line in lines:
        if not line.strip():
            blank += 1
            continue
        if parts:
            parts.append("\n\n" + "\n" * blank)
        parts.append(line)
        blank = 0
    title = (document.core_properties.title or "").strip()
    return "".join(parts), ({"file_title": title} if title else {}), n_tables


# ---------------------------------------------------------------------------
# Reading one file
# ---------------------------------------------------------------------------


def _auto_doc_id(rel: str, row: int | None = None) -> str:
    """A readable, path-free doc_id from a file's relative path (and table row).

    As :func:`corpus_tools.metadata.slugify`, but any suffix goes (``.parquet`` too).
    """
    path = PurePosixPath(rel)
    stem = str(path.with_suffix("")) if path.suffix else rel
    slug = re.sub(r"[^\w\u4e00-\u9fff-]+", "-", stem).strip("-") or "doc"
    return slug if row is None else f"{slug}-{row}"


def _decode(data: bytes, where: str, options: ReadOptions, *, hint: str | None = None):
    return decode_bytes(
        data, name=where, encoding=options.encoding, hint=hint, mixed=options.mixed_encodings  # type: ignore[arg-type]
    )


def _decode_log(decoded) -> list[dict[str, object]]:
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
    options = ReadOptions.from_kwargs(options, **read_options)
    return _read_file(Path(path), root, options.format, options)


def _read_file(
    path: Path, root: str | Path | None, format: str | None, options: ReadOptions
) -> Iterator[RawDocument | ReadProblem]:
    """:func:`read_file` with the options checked, reading the file as ``format`` (by default by suffix)."""
    root = Path(root) if root is not None else path.parent
    rel = path.relative_to(root).as_posix()
    fmt = format or SUPPORTED_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        yield _problem(rel, "unsupported_format", path, f"format {path.suffix!r} is not supported", f"pass {option_hint('format')}", action="ignored")
        return
    try:
        data = path.read_bytes()
    except OSError as error:
        yield _problem(
            rel, "unreadable", path, f"cannot be read ({error.strerror or error})", "check the file's permissions", _auto_doc_id(rel)
        )
        return
    base = {"file": rel, "format": fmt, "row": None, "source": rel, "sha256": hashlib.sha256(data).hexdigest()}
    if fmt in TABLE_FORMATS:
        yield from _read_table(path, rel, fmt, data, base, options)
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
    doc_id = _auto_doc_id(rel)
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
        try:
            decoded = _decode(data, where, options, hint=declared_html_charset(data) if fmt == "html" else None)
        except DecodingError as error:
            code = {"binary": "binary", "mixed_encodings": "mixed_encodings"}.get(error.code, "undecodable")
            return ReadProblem(rel, code, str(error), doc_id)
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
                    name = _docvar_name(key, "front matter")
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
                    notes.append(_problem(
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
    problem = _check_text(text, where=where, options=options)
    if problem:
        return ReadProblem(rel, problem[0], problem[1], doc_id)
    long_line = _long_line_entry(text, where)
    if long_line:
        log.append(long_line)
    return RawDocument(doc_id, rel, text, {**base, **info}, docvars, origin, tuple(log))


#: Table columns read as a docvar when the table has no column of the docvar's own name
#: (compared without case; the first in table order wins). ``source`` is among them: that
#: name is taken by reading itself (where a document was read from), so a table's
#: ``source`` column becomes ``outlet``, or, when there is an outlet column too,
#: ``table_source``, and either way the log says so.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("headline", "标题", "题目", "新闻标题"),
    "date_published": ("date", "pubdate", "pub_date", "publish_date", "published", "publication_date",
                       "日期", "发布日期", "发布时间", "发表日期", "时间"),
    "outlet": ("source", "media", "publisher", "newspaper", "媒体", "来源", "媒体名称", "报纸", "刊物", "出处"),
    "reporters": ("author", "authors", "reporter", "byline", "作者", "记者"),
    "province": ("省", "省份"),
    "city": ("市", "城市", "地市", "地级市"),
    "district": ("county", "区县", "县区", "县市区", "区", "县"),
    "town": ("township", "乡镇", "镇", "街道", "乡镇街道"),
}
#: Columns taken for the text when ``text_column`` is not given and there is no ``text`` column.
TEXT_ALIASES = ("content", "body", "article", "正文", "内容", "全文", "文章")
#: Columns taken for doc_ids when ``id_column`` is not given, in this order, if their values
#: are unique and usable as ids; a URL column's values are turned into ids (slugs).
ID_ALIASES = ("doc_id", "id", "编号", "文章编号")
URL_ALIASES = ("url", "link", "链接", "网址", "原文链接")


@dataclass(frozen=True)
class _ColumnPlan:
    """How a table's columns become a document: its text, its doc_id and its docvars."""

    text_column: str
    id_column: str | None
    id_from_url: bool
    docvars: tuple[tuple[str, str], ...]  # (table column, docvar name), in table order
    notes: tuple[str, ...]


def _find_column(names: Sequence[str], wanted: Sequence[str], taken: set[str]) -> str | None:
    lowered = {}
    for name in names:
        if name not in taken:
            lowered.setdefault(name.strip().lower(), name)
    for candidate in wanted:
        if candidate.lower() in lowered:
            return lowered[candidate.lower()]
    return None


def _url_doc_id(url: str) -> str:
    """A doc_id from a URL: its host and path as a slug (``www.gov.cn/a/1.htm`` → ``www-gov-cn-a-1``)."""
    rest = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", url.strip()).split("#", 1)[0]
    rest = re.sub(r"\.(?:s?html?|php|aspx?|jsp)(?=$|\?)", "", rest)
    return re.sub(r"[^\w\u4e00-\u9fff]+", "-", rest).strip("-")


def _plan_columns(
    names: Sequence[str], values: Callable[[str], list[object]], where: str, rel: str, options: ReadOptions
) -> _ColumnPlan | ReadProblem:
    """Decide the text, id and docvar columns of a table (see :data:`COLUMN_ALIASES`)."""
    names = [str(n) for n in names]
    notes: list[str] = []
    text_column = options.text_column
    if text_column is None:
        text_column = "text" if "text" in names else _find_column(names, TEXT_ALIASES, set())
        if text_column is None:
            return ReadProblem(rel, "missing_column", (
                f"{where}: no text column: none is called 'text' or {', '.join(map(repr, TEXT_ALIASES))}; the table has "
                f"{names} (name the right one: {option_hint('text_column', names[0] if names else None)})"
            ), _auto_doc_id(rel))
        if text_column != "text":
            notes.append(f"text from column {text_column!r}")
    wanted = [(text_column, "text_column")]
    wanted += [(options.id_column, "id_column")] if options.id_column else []
    wanted += [(c, "docvar_columns") for c in options.docvar_columns or ()]
    wanted += [(c, "columns") for c, _ in options.columns]
    for column, parameter in wanted:
        if column not in names:
            role = {"text_column": "text", "id_column": "id"}.get(parameter, "docvar")
            return ReadProblem(rel, "missing_column", (
                f"{where}: no {role} column {column!r}; the table has {names} "
                + (f"(name the right one: {option_hint(parameter)})" if parameter != "docvar_columns"
                   else "(name the right ones: read_corpus(docvar_columns=[…]))")
            ), _auto_doc_id(rel))
    id_column, id_from_url = options.id_column, False
    if id_column is None and options.map_columns:
        for candidates, from_url in ((ID_ALIASES, False), (URL_ALIASES, True)):
            column = _find_column(names, candidates, {text_column})
            if column is None:
                continue
            ids = [(_url_doc_id if from_url else str.strip)(_as_docvar(v)) for v in values(column)]
            bad = [i for i in ids if _check_doc_id(i)]
            repeated = len(ids) - len(set(ids))
            if bad or repeated:
                why = f"{len(bad)} blank or unusable" if bad else f"{repeated} repeated"
                notes.append(f"column {column!r} not used for doc_ids ({why} values)")
                continue
            id_column, id_from_url = column, from_url
            notes.append(f"doc_id from column {column!r}" + (" (the URL as a slug)" if from_url else ""))
            break
    used = {text_column} | ({id_column} if id_column and not id_from_url else set())
    selected = [c for c in names if c not in used] if options.docvar_columns is None else list(options.docvar_columns)
    explicit = dict(options.columns)
    targets = {explicit.get(c, c) for c in selected}
    rename: dict[str, str] = {}
    if options.map_columns:
        for docvar, aliases in COLUMN_ALIASES.items():
            if docvar in targets:
                continue
            column = _find_column(selected, (docvar, *aliases), set(explicit) | set(rename))
            if column is not None and column != docvar:
                rename[column] = docvar
                targets.add(docvar)
    rename.update(explicit)
    docvars = []
    for column in selected:
        name = rename.get(column, column)
        if column in rename:
            notes.append(f"{column!r} → {name}")
        elif name in _RESERVED_DOCVARS:
            notes.append(f"{column!r} → table_{name} ({name} is set by reading; "
                         f"{option_hint('columns', {column: 'DOCVAR'})} to name it)")
        docvars.append((column, name))
    return _ColumnPlan(text_column, id_column, id_from_url, tuple(docvars), tuple(notes))


class _Header(tuple):
    """A table's column names, yielded by a record reader before its rows."""


def _read_table(
    path: Path, rel: str, fmt: str, data: bytes, base: dict, options: ReadOptions
) -> Iterator[RawDocument | ReadProblem]:
    where = str(path)
    if not data.strip():
        yield ReadProblem(rel, "empty", f"{where}: the table is empty (remove it from the corpus)", _auto_doc_id(rel))
        return
    info = {"encoding": "utf-8", "encoding_method": "format"}
    column_values: Callable[[str], list[object]]  # every value of a column, to judge it as doc_ids
    if fmt == "parquet":
        records: Iterator = _parquet_records(path, where, rel)
        column_values = functools.partial(_parquet_column, path)  # one column read, not the table
    else:
        try:
            decoded = _decode(data, where, options)
        except DecodingError as error:
            code = {"binary": "binary", "mixed_encodings": "mixed_encodings"}.get(error.code, "undecodable")
            yield ReadProblem(rel, code, str(error), _auto_doc_id(rel))
            return
        info = {"encoding": decoded.encoding, "encoding_method": decoded.method}
        if fmt == "jsonl":
            items = list(_jsonl_records(decoded.text, where, rel))
        else:
            items = list(_csv_records(decoded.text, "\t" if fmt == "tsv" else ",", where, rel))
        rows = [item for item in items if isinstance(item, tuple) and not isinstance(item, _Header)]
        if fmt == "jsonl" and rows:
            # JSON records need not share their fields: the columns are all the fields met.
            items.insert(0, _Header(dict.fromkeys(k for _, record in rows for k in record)))
        records = iter(items)

        def column_values(column: str) -> list[object]:
            return [record.get(column) for _, record in rows]

    plan: _ColumnPlan | None = None
    n_items = 0
    for item in records:
        if isinstance(item, _Header):
            found = _plan_columns(list(item), column_values, where, rel, options)
            if isinstance(found, ReadProblem):
                yield found
                return
            plan = found
            if plan.notes:
                logger.info("%s: %s", where, "; ".join(plan.notes))
            continue
        n_items += 1
        if isinstance(item, ReadProblem):
            yield item
            continue
        row, record = item
        yield _table_document(record, row, rel, where, {**base, **info}, options, plan)
    if n_items == 0:
        yield ReadProblem(rel, "empty", f"{where}: the table has no rows (remove it from the corpus)", _auto_doc_id(rel))


def _csv_records(text: str, sep: str, where: str, rel: str) -> Iterator[_Header | tuple[int, dict] | ReadProblem]:
    """The rows of a CSV/TSV table as ``(row, record)``, and a problem for each row that does not fit.

    Read with the standard library's :mod:`csv` rather than pandas: pandas takes a first data
    row with one field more than the header as a sign that the table has an index column and
    shifts every column by one, silently (the text then lands in the wrong column), and it can
    only reject the whole table for one bad row. Here a row with more (non-empty) fields than
    the header is a ``malformed_table`` problem of that row, named with its line; a row with
    fewer fields gets ``""`` for the missing ones, as pandas gives.
    """
    kind = "tab" if sep == "\t" else "comma"
    # A cell may hold a whole article; the csv module's default limit is 128 KiB per field.
    if csv.field_size_limit() < len(text) + 1:
        csv.field_size_limit(min(len(text) + 1, 2**31 - 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', doublequote=True, strict=True)
    header: list[str] | None = None
    row = 0
    try:
        for fields in reader:
            if not any(field.strip() for field in fields):
                continue  # a blank line, as pandas skips it
            if header is None:
                header = _unique_names([field.strip() for field in fields])
                yield _Header(header)
                continue
            row += 1
            if len(fields) > len(header) and any(field.strip() for field in fields[len(header):]):
                yield _problem(
                    f"{rel}#{row}", "malformed_table", f"{where}, row {row} (line {reader.line_num})",
                    f"the row has {len(fields)} fields but the header has {len(header)}: a {kind} inside a field "
                    "that is not quoted, probably, so its values would land in the wrong columns",
                    "put the field in double quotes, or remove the stray separator; with "
                    f"{option_hint('on_error', 'skip')} the other rows are read",
                    _auto_doc_id(rel, row),
                )
                continue
            fields = fields[: len(header)] + [""] * (len(header) - len(fields))
            yield row, dict(zip(header, fields))
    except csv.Error as error:
        yield _problem(
            rel if row == 0 else f"{rel}#{row + 1}", "malformed_table", where,
            f"malformed table at line {reader.line_num} ({error})", "check its quoting (a \" must be doubled inside a "
            "quoted field)", _auto_doc_id(rel),
        )
        return
    if header is None:
        yield _problem(rel, "empty", where, "the table has no header and no rows", "remove it from the corpus", _auto_doc_id(rel))


def _unique_names(names: list[str]) -> list[str]:
    """Column names with repeats numbered (``title``, ``title.1``), as pandas names them."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            out.append(f"{name}.{seen[name]}")
        else:
            seen[name] = 0
            out.append(name)
    return out


def _jsonl_records(text: str, where: str, rel: str) -> Iterator[tuple[int, dict] | ReadProblem]:
    for line_no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        source = f"{rel}#{line_no}"
        try:
            record = json.loads(line)  # json, never eval: a record is data
        except json.JSONDecodeError as error:
            yield _problem(
                source, "malformed_table", where, f"line {line_no} is not valid JSON ({error.msg} at column {error.colno})",
                f"fix the line, or pass {option_hint('on_error', 'skip')}", _auto_doc_id(rel, line_no),
            )
            continue
        if not isinstance(record, dict):
            yield _problem(
                source, "malformed_table", where, f"line {line_no} is a JSON {type(record).__name__}, not an object",
                "each line must be one {…} record", _auto_doc_id(rel, line_no),
            )
            continue
        yield line_no, record


def _parquet_column(path: Path, column: str) -> list[object]:
    import pyarrow.parquet as pq

    return pq.read_table(path, columns=[column]).column(0).to_pylist()


def _parquet_records(path: Path, where: str, rel: str) -> Iterator[_Header | tuple[int, dict] | ReadProblem]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError, ValueError) as error:
        yield _problem(rel, "malformed_table", where, f"not a valid Parquet file ({error})", "re-export the table", _auto_doc_id(rel))
        return
    yield _Header(parquet.schema_arrow.names)
    row = 0
    try:
        # Row groups in batches: a large table is never held in memory at once.
        for batch in parquet.iter_batches(batch_size=512):
            for record in batch.to_pylist():
                row += 1
                yield row, record
    except (pa.ArrowException, OSError) as error:
        yield _problem(
            rel, "malformed_table", where, f"the Parquet file is damaged after row {row} ({error})", "re-export the table",
            _auto_doc_id(rel),
        )


def _table_document(
    record: dict, row: int, rel: str, where: str, info: dict, options: ReadOptions, plan: _ColumnPlan
) -> RawDocument | ReadProblem:
    source = f"{rel}#{row}"
    here = f"{where}, row {row}"
    doc_id = _auto_doc_id(rel, row)
    if plan.id_column:
        if plan.id_column not in record:
            return _problem(source, "missing_column", here, f"the record has no {plan.id_column!r} field", "every record needs one", doc_id)
        value = _as_docvar(record.get(plan.id_column))
        doc_id = _url_doc_id(value) if plan.id_from_url else value.strip()
        why = _check_doc_id(doc_id)
        if why:
            return _problem(
                source, "bad_doc_id", here, f"id {doc_id!r} in column {plan.id_column!r} {why}", "give every row a unique id", doc_id
            )
    if plan.text_column not in record:
        return _problem(source, "missing_column", here, f"the record has no {plan.text_column!r} field", "every record needs one", doc_id)
    value = record.get(plan.text_column)
    if value is not None and not isinstance(value, str):
        return _problem(
            source, "malformed_table", here, f"the text is a {type(value).__name__}, not a string",
            f"check the text column: {option_hint('text_column', plan.text_column)}", doc_id,
        )
    text = value or ""
    problem = _check_text(text, where=here, options=options)
    if problem:
        return ReadProblem(source, problem[0], problem[1], doc_id)
    docvars: dict[str, str] = {}
    origin: dict[str, str] = {}
    for column, name in plan.docvars:
        name = _docvar_name(name, "table")
        docvars[name] = _as_docvar(record.get(column))
        origin[name] = "table" if name == column else f"table column {column!r}"
    log = []
    long_line = _long_line_entry(text, here)
    if long_line:
        log.append(long_line)
    return RawDocument(doc_id, source, text, {**info, "row": row, "source": source}, docvars, origin, tuple(log))


# ---------------------------------------------------------------------------
# A folder: listing, the manifest, and the documents in order
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _ManifestRow:
    row: int
    doc_id: str
    source: str
    values: dict[str, str]


def _is_outside(root: Path, target: Path) -> bool:
    try:
        target.resolve().relative_to(root.resolve())
    except ValueError:
        return True
    return False


def _list_files(
    root: Path, pattern: str | None, fmt: str | None, exclude: set[Path]
) -> tuple[list[tuple[str, Path, str]], list[ReadProblem]]:
    """The files to read as ``(rel, path, format)``, sorted by path, and the problems found listing them."""
    files: list[tuple[str, Path, str]] = []
    problems: list[ReadProblem] = []
    resolved_exclude = {p.resolve() for p in exclude}
    for folder, dirs, names in os.walk(root):
        # Hidden folders (.git, .ipynb_checkpoints) hold no articles; symlinked folders are not followed.
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            if path.resolve() in resolved_exclude:
                continue
            if pattern is not None and not PurePosixPath(rel).match(pattern):
                continue
            suffix_format = SUPPORTED_SUFFIXES.get(path.suffix.lower())
            if pattern is None and fmt is not None and suffix_format != fmt:
                continue
            if path.is_symlink() and _is_outside(root, path):
                problems.append(_problem(
                    rel, "outside_corpus", path, f"is a symbolic link to {os.readlink(path)}, outside the corpus folder {root}",
                    "copy the file into the folder instead", _auto_doc_id(rel),
                ))
                continue
            if not path.is_file():
                continue
            file_format = fmt or suffix_format
            if file_format is None:
                problems.append(_problem(
                    rel, "unsupported_format", path, f"not read: {path.suffix or 'no suffix'} is not a supported format",
                    f"convert it to .txt or .docx, or pass {option_hint('format')}", action="ignored",
                ))
                continue
            files.append((rel, path, file_format))
    files.sort(key=lambda item: item[0])
    return files, problems


def _load_manifest(path: Path, root: Path) -> tuple[list[_ManifestRow], list[ReadProblem], dict[str, int]]:
    """Read a manifest CSV: its rows, the problems of single rows (structure errors raise), and
    the files whose row was refused for its doc_id (file → row number)."""
    refused: dict[str, int] = {}
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CorpusReadError(f"{path}: the manifest cannot be read ({error.strerror or error})") from error
    try:
        text = decode_bytes(data, name=path).text
    except DecodingError as error:
        raise CorpusReadError(f"{path}: the manifest is not a readable CSV ({' '.join(str(error).split())})") from error
    name = path.name
    rows: list[_ManifestRow] = []
    problems: list[ReadProblem] = []
    header: list[str] = []
    records: list[tuple[int, dict]] = []
    # The csv module, row by row, as for article tables: a row with a stray comma is that row's
    # problem (pandas would shift every column of the manifest by one).
    for item in _csv_records(text, ",", str(path), name):
        if isinstance(item, _Header):
            header = list(item)
        elif isinstance(item, ReadProblem):
            if item.source == name:  # the file as a whole (quoting): nothing to match files with
                raise CorpusReadError(f"{path}: the manifest is not a readable CSV ({item.message})")
            problems.append(item)
        else:
            records.append(item)
    if not header:
        raise CorpusReadError(f"{path}: the manifest is empty (give a header with a 'file' column, or pass metadata=False)")
    if "file" not in header:
        raise CorpusReadError(f"{path}: the manifest needs a 'file' column; it has {header}")
    seen_ids: dict[str, int] = {}
    seen_files: dict[str, int] = {}
    value_columns = [c for c in header if c not in {"doc_id", "file"}]
    rows_by_id: dict[str, str] = {}
    for row, record in records:
        here = f"{path}, row {row}"
        source = f"{name}#{row}"
        raw_file = str(record["file"]).strip()
        file = raw_file.replace("\\", "/").removeprefix("./")
        doc_id = str(record.get("doc_id", "")).strip()
        if not file:
            problems.append(_problem(
                source, "manifest_row_without_file", here, "the row names no file", "fill in its 'file' or remove the row", doc_id
            ))
            continue
        rel_file = file.split("#", 1)[0]
        if (
            PurePosixPath(rel_file).is_absolute()
            or re.match(r"^[A-Za-z]:", rel_file)
            or ".." in PurePosixPath(rel_file).parts
            or _is_outside(root, root / rel_file)
        ):
            problems.append(_problem(
                source, "outside_corpus", here, f"file {raw_file!r} points outside the corpus folder {root}",
                "manifest paths must be relative to it", doc_id,
            ))
            continue
        if not doc_id:
            row_part = file.partition("#")[2]
            doc_id = _auto_doc_id(rel_file, int(row_part) if row_part.isdigit() else None)
        # A refused row leaves its file without one: say so here, where the cause is, so that
        # the file is not reported again as one "the manifest does not list".
        unlisted = f"until then {rel_file!r} is read as a file without a row, its docvars inferred"
        why = _check_doc_id(doc_id)
        if why:
            problems.append(ReadProblem(
                source, "bad_doc_id", f"{here}: doc_id {doc_id!r} {why} (give a plain id; {unlisted})", doc_id
            ))
            refused[file] = row
            continue
        if file in seen_files:
            problems.append(_problem(
                source, "duplicate_manifest_row", here, f"file {file!r} already has row {seen_files[file]}",
                "keep one row per file", doc_id,
            ))
            continue
        if doc_id in seen_ids:
            problems.append(_problem(
                source, "duplicate_doc_id", here,
                f"doc_id {doc_id!r} of file {file!r} already belongs to row {seen_ids[doc_id]} ({rows_by_id[doc_id]})",
                f"doc_ids must be unique; {unlisted}", doc_id,
            ))
            refused[file] = row
            continue
        rows_by_id[doc_id] = file
        seen_files[file] = row
        seen_ids[doc_id] = row
        rows.append(_ManifestRow(row, doc_id, file, {c: str(record[c]) for c in value_columns}))
    return rows, problems, refused


def _raise_all(problems: Sequence[ReadProblem], where: Path) -> None:
    if len(problems) == 1:
        raise problems[0].error()
    lines = "\n".join(f"  {p.message}" for p in problems)
    raise CorpusReadError(
        f"{where}: {len(problems)} problems (to read the rest and list them, pass {option_hint('on_error', 'skip')}):"
        f"\n{lines}", problems
    )


def iter_documents(
    path: str | Path,
    *,
    metadata: str | Path | None | Literal[False] = None,
    options: ReadOptions | Mapping[str, object] | None = None,
    **read_options: object,
) -> Iterator[RawDocument | ReadProblem]:
    """Yield the documents of a folder (or one file) one at a time, in corpus order.

    Parameters
    ----------
    path : str or Path
        A folder (searched recursively; hidden files and folders are left
        out) or a single file.
    metadata : str, Path, None or False
        A manifest CSV: a ``file`` column (a path relative to the folder, or
        ``"<table>#<row>"`` for a table row), optionally ``doc_id``, and any
        docvars. Its values override what a table or the text states.
        ``None`` uses ``<path>/metadata.csv`` when it exists; ``False`` uses
        none. The manifest itself is never read as a table of articles.
    options : ReadOptions or mapping, optional
        How to read: the format, the encoding, the table's columns, the
        thresholds, what to do on a problem (see
        :class:`~corpus_tools.io.ReadOptions` for each option and its default).
    **read_options
        Any reading option as a keyword (``text_column="content"``,
        ``on_error="skip"`` …), replacing that of ``options``. What was mapped
        by ``map_columns`` is logged (logger ``corpus_tools.readers``, level
        INFO) and is the docvar's origin (``table column 'date'``), which the
        corpus shows in its ``*_evidence`` columns (``locality_evidence`` …).

    Returns
    -------
    iterator of RawDocument or ReadProblem
        Documents in order: files the manifest lists in its order (a table at
        its first row's place, its rows in table order), then the others by
        path. A :class:`ReadProblem` for every item skipped (with
        ``on_error="skip"``), kept despite a problem (a file without a
        manifest row, with ``on_error="skip"``) or ignored (an unsupported
        file).

    Raises
    ------
    TypeError, ValueError
        At once, for an unknown reading option or a bad value (the message names it).
    CorpusReadError
        While iterating: with ``on_error="raise"``, at the first problem
        (problems found while listing the folder and matching the manifest
        together); in any case when ``path`` does not exist or the manifest
        itself cannot be read.

    Notes
    -----
    A file the manifest does not list is a problem (the manifest is meant to
    describe the corpus): raised by default; with ``on_error="skip"`` the file
    is *kept* with docvars inferred from its text, because its text is fine.
    Table rows need no manifest row: a table describes its own rows.
    """
    return _iter_documents(Path(path), metadata, ReadOptions.from_kwargs(options, **read_options))


def _iter_documents(
    target: Path, metadata: str | Path | None | Literal[False], options: ReadOptions
) -> Iterator[RawDocument | ReadProblem]:
    """:func:`iter_documents` with its options checked."""
    pattern, format, on_error = options.pattern, options.format, options.on_error
    if target.is_dir():
        root = target
    elif target.is_file():
        root = target.parent
    else:
        raise CorpusReadError(f"{target}: not a folder or a file (read_corpus needs a folder of articles or one file)")
    manifest_path: Path | None = None
    if metadata is None:
        if target.is_dir() and (root / "metadata.csv").is_file():
            manifest_path = root / "metadata.csv"
    elif metadata is not False:
        manifest_path = Path(metadata)
        if not manifest_path.is_file():
            raise CorpusReadError(
                f"{manifest_path}: the manifest does not exist (pass read_corpus(metadata=False) to infer docvars)"
            )
    if target.is_dir():
        # The default manifest is never an article table, even with metadata=False.
        exclude = {root / "metadata.csv"} | ({manifest_path} if manifest_path else set())
        files, listing = _list_files(root, pattern, format, exclude)
    else:
        fmt = format or SUPPORTED_SUFFIXES.get(target.suffix.lower())
        files, listing = ([(target.name, target, fmt)], []) if fmt else ([], [
            _problem(
                target.name, "unsupported_format", target, f"{target.suffix or 'no suffix'} is not a supported format",
                f"pass {option_hint('format')}", action="ignored",
            )
        ])
    ignored = [p for p in listing if p.action == "ignored"]
    errors = [p for p in listing if p.action != "ignored"]
    if ignored:
        kinds = sorted({PurePosixPath(p.source).suffix or "(no suffix)" for p in ignored})
        logger.warning(
            "%s: %d file(s) not read, unsupported format (%s): %s",
            root, len(ignored), ", ".join(kinds), [p.source for p in ignored][:10],
        )

    by_rel = {rel: (p, fmt) for rel, p, fmt in files}
    manifest_rows: list[_ManifestRow] = []
    refused_rows: dict[str, int] = {}
    if manifest_path is not None:
        manifest_rows, manifest_problems, refused_rows = _load_manifest(manifest_path, root)
        errors += manifest_problems
    by_source: dict[str, _ManifestRow] = {}
    table_rows_expected: dict[str, list[_ManifestRow]] = {}
    for entry in manifest_rows:
        rel, _, row = entry.source.partition("#")
        here = f"{manifest_path}, row {entry.row}"
        row_source = f"{manifest_path.name}#{entry.row}"
        where = f"not in {root}" + (f" (or does not match pattern={pattern!r})" if pattern else "")
        if rel not in by_rel:
            errors.append(_problem(
                row_source, "manifest_row_without_file", here, f"file {entry.source!r} is {where}",
                "fix the file name, or remove the row", entry.doc_id,
            ))
            continue
        is_table = by_rel[rel][1] in TABLE_FORMATS
        if is_table and not row:
            errors.append(_problem(
                row_source, "manifest_row_without_file", here, f"{rel!r} is a table; name one of its rows as '{rel}#<row>'",
                "or put the docvars in the table's columns", entry.doc_id,
            ))
            continue
        if row and not is_table:
            errors.append(_problem(
                row_source, "manifest_row_without_file", here, f"{entry.source!r} names a row, but {rel!r} is not a table",
                "name the file alone", entry.doc_id,
            ))
            continue
        by_source[entry.source] = entry
        if row:
            table_rows_expected.setdefault(rel, []).append(entry)

    # Order: the manifest's order (a table at its first row's place), then the rest by path.
    order: list[str] = []
    for entry in manifest_rows:
        rel = entry.source.partition("#")[0]
        if entry.source in by_source and rel not in order:
            order.append(rel)
    order += [rel for rel, _, _ in files if rel not in order]

    kept: list[ReadProblem] = []
    known_ids: dict[str, str] = {}
    skip_files: set[str] = set()
    for rel in order:
        fmt = by_rel[rel][1]
        if fmt in TABLE_FORMATS:
            continue
        entry = by_source.get(rel)
        doc_id = entry.doc_id if entry else _auto_doc_id(rel)
        if manifest_path is not None and entry is None and rel not in refused_rows:
            kept.append(_problem(
                rel, "file_without_manifest_row", by_rel[rel][0], f"has no row in the manifest {manifest_path}",
                f"add a row; with {option_hint('on_error', 'skip')} it is read with docvars inferred from its text", doc_id,
                action="kept",
            ))
        if doc_id in known_ids:
            errors.append(_problem(
                rel, "duplicate_doc_id", by_rel[rel][0], f"doc_id {doc_id!r} is already given to {known_ids[doc_id]}",
                "rename one of the files, or give unique doc_ids in a manifest", doc_id,
            ))
            skip_files.add(rel)
            continue
        known_ids[doc_id] = rel

    if on_error == "raise" and (errors or kept):
        _raise_all(errors + kept, root)
    yield from ignored
    yield from errors
    yield from kept

    def fail(problem: ReadProblem) -> ReadProblem:
        if on_error == "raise":
            raise problem.error()
        return problem

    seen: dict[str, str] = {}
    met: set[str] = set()  # every source a document or a problem came from
    for rel in order:
        if rel in skip_files:
            continue
        file, fmt = by_rel[rel]
        documents = _read_file(file, root, fmt, options)
        for item in documents:
            met.add(item.source)
            entry = by_source.get(item.source)
            if isinstance(item, ReadProblem):
                if entry is not None and item.doc_id != entry.doc_id:
                    item = ReadProblem(item.source, item.code, item.message, entry.doc_id, item.action)
                yield fail(item) if item.action == "skipped" else item
                continue
            if entry is not None:
                item = _apply_manifest(item, entry)
            if item.doc_id in seen or (item.doc_id in known_ids and known_ids[item.doc_id] != item.source):
                first = seen.get(item.doc_id) or known_ids[item.doc_id]
                file_part, _, row_part = item.source.partition("#")
                where = f"{root / file_part}" + (f", row {row_part}" if row_part else "")
                yield fail(_problem(
                    item.source, "duplicate_doc_id", where, f"doc_id {item.doc_id!r} is already given to {first}",
                    f"doc_ids must be unique: {option_hint('id_column')}, or give doc_ids in a manifest", item.doc_id,
                ))
                continue
            seen[item.doc_id] = item.source
            yield item
    # Manifest rows naming table rows the tables do not have.
    for rel, entries in table_rows_expected.items():
        if rel in met:  # the whole table was reported already (malformed, no text column …)
            continue
        for entry in entries:
            if entry.source not in met:
                yield fail(_problem(
                    f"{manifest_path.name}#{entry.row}", "manifest_row_without_file", f"{manifest_path}, row {entry.row}",
                    f"{entry.source!r} is not a row read from the table", "fix the row number, or remove the manifest row",
                    entry.doc_id,
                ))


def _apply_manifest(document: RawDocument, entry: _ManifestRow) -> RawDocument:
    """The manifest's doc_id and stated values override what the source states."""
    docvars = dict(document.docvars)
    origin = dict(document.docvar_origin)
    for column, value in entry.values.items():
        name = _docvar_name(column, "manifest") if column not in MANIFEST_COLUMNS else column
        if value != "" or name not in docvars:
            docvars[name] = value
            if value != "":
                origin[name] = "manifest"
    return RawDocument(entry.doc_id, document.source, document.raw_text, document.read_info, docvars, origin, document.log)
