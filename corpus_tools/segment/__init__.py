"""Word segmentation: the only package that imports a segmenter (jieba, rjieba).

Modules
-------
segmenter
    :class:`Segmenter` and :func:`get_segmenter`: jieba and the faster rjieba engine behind one
    object, the user dictionary, the project cache folder (:func:`default_cache_dir`).
cache
    :class:`TokenCache`: segmentation results on disk, keyed by the text and everything about
    the segmenter that changes its output, so a re-run does not re-segment.

``from corpus_tools.segment import Segmenter, get_segmenter, EXTRA_WORD_FREQ`` works as it did
when this was one module; the token cache is also importable as ``corpus_tools.tokencache``
for one release.
"""

from .cache import FORMAT_VERSION, TokenCache, default_token_cache_dir, open_cache, unit_keys
from .segmenter import (
    CACHE_DIR_ENV,
    ENGINES,
    EXTRA_WORD_FREQ,
    EXTRA_WORD_TAG,
    POSTPROCESS_VERSION,
    Engine,
    Segmenter,
    default_cache_dir,
    get_segmenter,
)

__all__ = [
    "CACHE_DIR_ENV",
    "ENGINES",
    "EXTRA_WORD_FREQ",
    "EXTRA_WORD_TAG",
    "FORMAT_VERSION",
    "POSTPROCESS_VERSION",
    "Engine",
    "Segmenter",
    "TokenCache",
    "default_cache_dir",
    "default_token_cache_dir",
    "get_segmenter",
    "open_cache",
    "unit_keys",
]
