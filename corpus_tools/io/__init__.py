"""Reading articles: files of every supported format, tables, manifests, decoding, and the options.

The first stage of the pipeline (``folder or table ──read──▶ Corpus``) up to the raw
documents; :func:`corpus_tools.read_corpus` cleans them into a Corpus.
"""

from .options import (
    CLI_OPTIONS,
    READ_INFO_COLUMNS,
    RESERVED_DOCVARS,
    SUPPORTED_SUFFIXES,
    TABLE_FORMATS,
    Format,
    ReadOptions,
    option_hint,
)

__all__ = [
    "CLI_OPTIONS",
    "Format",
    "READ_INFO_COLUMNS",
    "RESERVED_DOCVARS",
    "ReadOptions",
    "SUPPORTED_SUFFIXES",
    "TABLE_FORMATS",
    "option_hint",
]
