"""The document-term matrix stage: counts in memory (:mod:`.matrix`) and on disk (:mod:`.store`).

``from corpus_tools.dtm import DocTermMatrix, dtm, count_codes`` and the on-disk helpers keep
working as they did when this was one module: the public names of both modules are here.
"""

from . import matrix, store
from .matrix import *  # noqa: F403  (the names in matrix.__all__)
from .store import *  # noqa: F403  (the names in store.__all__)

__all__ = [*matrix.__all__, *store.__all__]
