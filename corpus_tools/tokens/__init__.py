"""The tokens stage: segmented units as integer codes, with their docvars.

- :mod:`.core`: the :class:`Tokens` object and its methods (``remove``, ``keep``, ``keep_pos``,
  ``subset``, ``to_frame``);
- :mod:`.codes`: words as integer codes over one sorted vocabulary;
- :mod:`.segmenting`: :func:`tokenize` (``Corpus -> Tokens``) and :func:`segment_texts`, the
  segmentation of many texts through the token cache and worker processes.

``from corpus_tools.tokens import Tokens, tokenize, ...`` works as when this was one module.
"""

from ..units import Unit
from .codes import compact_codes, encode_tokens, sort_vocabulary
from .core import Tokens
from .segmenting import PARALLEL_MIN_CHARS, segment_texts, tokenize

__all__ = [
    "PARALLEL_MIN_CHARS",
    "Tokens",
    "Unit",
    "compact_codes",
    "encode_tokens",
    "segment_texts",
    "sort_vocabulary",
    "tokenize",
]
