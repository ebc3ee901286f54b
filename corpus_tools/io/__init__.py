"""Reading articles: files of every supported format, tables, manifests, decoding, and the options.

The first stage of the pipeline, ``folder or table of articles (+ manifest) ──read──▶`` raw
documents, which :func:`corpus_tools.read_corpus` cleans into a Corpus. ``corpus_tools.readers``
and ``corpus_tools.decode`` were modules; they are this package now (the old names keep
working for one release).

- :mod:`~corpus_tools.io.options`: :class:`ReadOptions`, every reading option with its
  default and its validation, and :func:`option_hint`;
- :mod:`~corpus_tools.io.records`: what reading yields (:class:`RawDocument`,
  :class:`ReadProblem`, :class:`CorpusReadError`) and the checks every text passes;
- :mod:`~corpus_tools.io.decode`: bytes to text, the encoding detected and recorded;
- :mod:`~corpus_tools.io.formats` (Markdown, Word) and :mod:`~corpus_tools.io.html` (HTML):
  a file's article as plain lines;
- :mod:`~corpus_tools.io.tables`: CSV, TSV, JSON Lines and Parquet tables, and how their
  columns become the text, the doc_id and docvars;
- :mod:`~corpus_tools.io.files`: one file, whatever its format (:func:`read_file`);
- :mod:`~corpus_tools.io.manifest`: the folder's files and its manifest;
- :mod:`~corpus_tools.io.documents`: :func:`iter_documents`, the one reading loop.
"""

from .decode import CANDIDATE_ENCODINGS, Decoded, DecodingError, common_han_share, decode_bytes, normalize_codec
from .documents import iter_documents
from .files import read_file
from .formats import MAX_DOCX_UNZIPPED_BYTES, docx_to_text, markdown_to_text
from .html import declared_html_charset, html_to_text
from .manifest import list_corpus_files
from .options import (
    CLI_OPTIONS,
    CLI_SPELLING,
    READ_INFO_COLUMNS,
    RESERVED_DOCVARS,
    SUPPORTED_SUFFIXES,
    TABLE_FORMATS,
    Format,
    ReadOptions,
    option_hint,
)
from .records import LONG_LINE_CHARS, PROBLEM_CODES, CorpusReadError, RawDocument, ReadProblem, han_share
from .tables import COLUMN_ALIASES, ID_ALIASES, TEXT_ALIASES, URL_ALIASES

__all__ = [
    "CANDIDATE_ENCODINGS",
    "CLI_OPTIONS",
    "CLI_SPELLING",
    "COLUMN_ALIASES",
    "CorpusReadError",
    "Decoded",
    "DecodingError",
    "Format",
    "ID_ALIASES",
    "LONG_LINE_CHARS",
    "MAX_DOCX_UNZIPPED_BYTES",
    "PROBLEM_CODES",
    "READ_INFO_COLUMNS",
    "RESERVED_DOCVARS",
    "RawDocument",
    "ReadOptions",
    "ReadProblem",
    "SUPPORTED_SUFFIXES",
    "TABLE_FORMATS",
    "TEXT_ALIASES",
    "URL_ALIASES",
    "common_han_share",
    "declared_html_charset",
    "decode_bytes",
    "docx_to_text",
    "han_share",
    "html_to_text",
    "iter_documents",
    "list_corpus_files",
    "markdown_to_text",
    "normalize_codec",
    "option_hint",
    "read_file",
]
