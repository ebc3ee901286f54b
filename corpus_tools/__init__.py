"""dangshi-corpus: reading Chinese official campaign discourse with computers.

The pipeline, one object per stage::

    read_corpus ──▶ Corpus ──tokenize──▶ Tokens ──dtm──▶ DocTermMatrix ──▶ analyses
    stream_dtm / dask_dtm: the same read → clean → segment → count, streamed or on a cluster

Analyses live in subpackages: ``topics``, ``rhetoric``, ``compare``.

Importing the package does no work: nothing reads files, loads dictionaries
or configures logging until it is asked to.
"""

import logging

from .corpus import Corpus, CorpusReadError, corpus_from_texts, open_corpus, read_corpus
from .dtm import DocTermMatrix, dtm
from .lexicons import stopwords, user_dictionary_path
from .corpus import group_labels, infer_locality
from .io import iter_documents
from .streaming import dask_dtm, stream_dtm
from .tokens import Tokens, tokenize

__all__ = [
    "Corpus",
    "CorpusReadError",
    "DocTermMatrix",
    "Tokens",
    "corpus_from_texts",
    "dask_dtm",
    "dtm",
    "group_labels",
    "infer_locality",
    "iter_documents",
    "open_corpus",
    "read_corpus",
    "stopwords",
    "stream_dtm",
    "tokenize",
    "user_dictionary_path",
]

__version__ = "0.1.0"

# A library never configures logging; applications (the report CLI) do.
logging.getLogger(__name__).addHandler(logging.NullHandler())
