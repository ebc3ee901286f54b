"""dangshi-corpus: reading Chinese official campaign discourse with computers.

The pipeline, one object per stage::

    read_corpus ──▶ Corpus ──tokenize──▶ Tokens ──dtm──▶ DocTermMatrix ──▶ analyses

Importing the package does no work: nothing reads files, loads dictionaries
or configures logging until it is asked to.
"""

import logging

from .corpus import Corpus, CorpusReadError, corpus_from_texts, open_corpus, read_corpus
from .dtm import DocTermMatrix, dtm
from .lexicons import stopwords, user_dictionary_path
from .metadata import group_labels
from .tokens import Tokens, tokenize

__all__ = [
    "Corpus",
    "CorpusReadError",
    "DocTermMatrix",
    "Tokens",
    "corpus_from_texts",
    "dtm",
    "group_labels",
    "open_corpus",
    "read_corpus",
    "stopwords",
    "tokenize",
    "user_dictionary_path",
]

__version__ = "0.1.0"

# A library never configures logging; applications (the report CLI) do.
logging.getLogger(__name__).addHandler(logging.NullHandler())
