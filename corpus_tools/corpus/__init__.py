"""The corpus stage: reading, cleaning, structure, docvars and locality of documents.

``corpus_tools.corpus`` was one module; it is now this package, and every name imported from
it before is still here:

- :mod:`~corpus_tools.corpus.core`: the :class:`Corpus` object and its tables' columns;
- :mod:`~corpus_tools.corpus.document`: one document's cleaning, blocks and docvars
  (:func:`process_document`, :func:`merge_docvars`), shared by every route;
- :mod:`~corpus_tools.corpus.build`: :func:`read_corpus`, :func:`open_corpus`,
  :func:`corpus_from_texts`;
- :mod:`~corpus_tools.corpus.clean`: text normalisers and the cleaning pipeline with its log;
- :mod:`~corpus_tools.corpus.structure`: lines, blocks (title, byline, body …) and sentences;
- :mod:`~corpus_tools.corpus.metadata`: docvars from the manifest and the text, and
  :func:`~corpus_tools.corpus.metadata.group_labels`, the one grouping rule;
- :mod:`~corpus_tools.corpus.gazetteer`: the administrative divisions (package data);
- :mod:`~corpus_tools.corpus.mentions`: place-name mentions in a text and the weight of their
  context;
- :mod:`~corpus_tools.corpus.locality`: a document's province, city, district and town.
"""

from ..io import CorpusReadError
from .build import CLEAN_PARALLEL_MIN_CHARS, corpus_from_texts, open_corpus, read_corpus
from .core import BLOCK_COLUMNS, PROBLEM_COLUMNS, QUALITY_LOG_COLUMNS, BlockRow, Corpus
from .document import ProcessedDocument, merge_docvars, process_document
from .locality import infer_locality
from .metadata import group_labels

__all__ = [
    "BLOCK_COLUMNS",
    "BlockRow",
    "CLEAN_PARALLEL_MIN_CHARS",
    "Corpus",
    "CorpusReadError",
    "PROBLEM_COLUMNS",
    "ProcessedDocument",
    "QUALITY_LOG_COLUMNS",
    "corpus_from_texts",
    "group_labels",
    "infer_locality",
    "merge_docvars",
    "open_corpus",
    "process_document",
    "read_corpus",
]
