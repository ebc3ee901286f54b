"""An on-disk cache for expensive, deterministic analysis results (topic-model sweeps, refits).

Re-running a report on an unchanged corpus should not refit a dozen topic models. Results are
stored with :class:`joblib.Memory`, keyed by a hash of every argument (the corpus, the
vocabulary, the settings, the random seed) and of the cached function's own code, so a
change to any of them computes afresh. Only deterministic functions with an explicit
``random_state`` are cached, which is what makes a cached result the same table a new fit would
give.

Where
    ``DANGSHI_CACHE_DIR`` when set, else the project cache folder
    (:func:`corpus_tools.segment.default_cache_dir`); results go in its ``results/`` folder,
    beside the segmenter's files. Delete the folder to empty the cache.
Off
    pass ``cache=False`` to the function, or set ``DANGSHI_CACHE=off``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

__all__ = ["CACHE_DIR_ENV", "CACHE_ENV", "cache_root", "cached"]

CACHE_DIR_ENV = "DANGSHI_CACHE_DIR"
CACHE_ENV = "DANGSHI_CACHE"
#: Raised whenever a cached result's meaning changes without the cached function's code changing
#: (e.g. a helper it calls computes differently); part of every key.
RESULT_FORMAT = 1

F = TypeVar("F", bound=Callable[..., object])


def cache_root() -> Path:
    """Return the folder holding the package's caches.

    Returns
    -------
    pathlib.Path
        ``$DANGSHI_CACHE_DIR`` when set, else :func:`corpus_tools.segment.default_cache_dir`.
    """
    given = os.environ.get(CACHE_DIR_ENV, "").strip()
    if given:
        return Path(given).expanduser()
    from .segment import default_cache_dir

    return default_cache_dir()


def _cache_disabled() -> bool:
    return os.environ.get(CACHE_ENV, "").strip().lower() in {"0", "off", "false", "no"}


@lru_cache(maxsize=8)
def _memory(location: str):
    import joblib

    return joblib.Memory(location, verbose=0)


def cached(function: F, cache: bool | str | os.PathLike[str], *, ignore: tuple[str, ...] = ()) -> F:
    """Return ``function`` wrapped by the on-disk result cache, or unchanged when caching is off.

    Parameters
    ----------
    function : callable
        A deterministic function of its arguments (module level, so joblib can name it).
    cache : bool or path
        ``True`` for the default location (see the module docstring), a folder to use instead,
        or ``False`` to compute every time.
    ignore : tuple of str
        Arguments that do not change the result (``progress``) and so are left out of the key.

    Returns
    -------
    callable
        Same signature and result as ``function``.

    Raises
    ------
    TypeError
        When ``cache`` is neither a bool nor a path.
    """
    if cache is False or _cache_disabled():
        return function
    if cache is True:
        location = cache_root() / "results" / f"v{RESULT_FORMAT}"
    elif isinstance(cache, str | os.PathLike):
        location = Path(cache)
    else:
        raise TypeError(f"cache must be True, False or a folder path, got {cache!r}")
    return _memory(str(location)).cache(function, ignore=list(ignore))
