"""Word segmentation: the only module that imports a segmenter.

jieba keeps a global tokenizer, configures logging when imported and caches its prefix
dictionary in the system temp folder. This module avoids all three: each :class:`Segmenter`
owns a private ``jieba.Tokenizer``, jieba is imported only when a segmenter is built, its logger
is quietened only while a dictionary loads, and the cache goes to a project cache folder.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Literal

import pandas as pd

from . import lexicons

__all__ = ["EXTRA_WORD_FREQ", "Segmenter", "default_cache_dir", "get_segmenter"]

#: Frequency given to ``extra_words``: the user dictionary's top tier, so an extra word
#: survives as one token inside running text, not only when segmented on its own.
EXTRA_WORD_FREQ = 30_000
#: POS tag given to ``extra_words`` (jieba's "other proper noun").
EXTRA_WORD_TAG = "nz"

_APP_NAME = "dangshi-corpus"


def default_cache_dir() -> Path:
    """Return the folder where jieba's prefix-dictionary cache is kept.

    Returns
    -------
    pathlib.Path
        ``platformdirs.user_cache_dir("dangshi-corpus")`` when platformdirs is installed,
        otherwise ``~/.cache/dangshi-corpus``.
    """
    try:
        import platformdirs
    except ImportError:
        return Path.home() / ".cache" / _APP_NAME
    return Path(platformdirs.user_cache_dir(_APP_NAME, appauthor=False))


class Segmenter:
    """Segment Chinese text into words with a private jieba tokenizer and the project dictionary.

    Building a segmenter loads jieba's prefix dictionary (about half a second from the cache,
    a few seconds the first time) and the user dictionary. Build one and reuse it, or call
    :func:`get_segmenter`, which keeps one per setting.

    Parameters
    ----------
    hmm : bool, default False
        Let jieba's hidden Markov model join runs of single characters that no dictionary knows
        into new words (mostly names). Off by default; see Notes.
    userdict : pathlib.Path, optional
        A user dictionary to load *instead of* the package one
        (``corpus_tools/data/userdict.txt``). Same format: ``word [freq] [pos]`` lines and
        ``#`` comments.
    extra_words : iterable of str, default ()
        Further words to keep whole, added after the user dictionary with frequency
        :data:`EXTRA_WORD_FREQ` and POS tag ``"nz"``.
    engine : {"jieba"}, default "jieba"
        The segmentation engine. Only jieba exists; the option is here so that a faster engine
        can be added later without changing call sites.
    cache_dir : pathlib.Path, optional
        Where jieba caches its prefix dictionary; defaults to :func:`default_cache_dir`. The
        folder is created if missing. Nothing is written to the system temp folder.

    Notes
    -----
    With ``hmm=False`` segmentation is a pure function of the dictionaries: it is
    deterministic, and a string is a word only if a dictionary says so. That is what a curated
    dictionary of campaign formulas needs. With the HMM on, jieba also glues unknown runs of
    characters into words: it finds names (刘晓燕), but what counts as a term then depends on a
    model trained on general news rather than on the dictionary. Names an analysis needs belong
    in the user dictionary.

    Two repairs are applied to jieba's output in both modes: whitespace tokens are dropped, and
    decimal numbers are kept whole (dictionary-only jieba splits ``1.6`` into ``1 . 6``).

    The package user dictionary carries ``#`` comment lines, which jieba's ``load_userdict``
    cannot parse, so entries are added one by one with ``Tokenizer.add_word``.

    Examples
    --------
    >>> from corpus_tools.segment import Segmenter
    >>> seg = Segmenter()
    >>> seg.cut("引导广大党员干部学史明理、学史增信")
    ['引导', '广大', '党员干部', '学史明理', '、', '学史增信']
    >>> seg.cut_pos("区委书记李国强讲话")
    [('区委书记', 'n'), ('李国强', 'nr'), ('讲话', 'n')]
    """

    def __init__(
        self,
        *,
        hmm: bool = False,
        userdict: Path | None = None,
        extra_words: Iterable[str] = (),
        engine: Literal["jieba"] = "jieba",
        cache_dir: Path | None = None,
    ) -> None:
        if engine != "jieba":
            raise ValueError(f"unknown segmentation engine {engine!r}; only 'jieba' is available")
        self._hmm = bool(hmm)
        self._engine = engine
        self._userdict = Path(userdict) if userdict is not None else None
        self._extra_words = tuple(extra_words)
        self._cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self._pos_tokenizer = None
        self._tokenizer = self._build_tokenizer()

    # Settings are read-only: get_segmenter hands one instance to every caller, so changing
    # one caller's segmenter would silently change everyone's.
    @property
    def hmm(self) -> bool:
        """bool: whether jieba's HMM joins unknown character runs."""
        return self._hmm

    @property
    def engine(self) -> str:
        """str: the segmentation engine."""
        return self._engine

    @property
    def userdict(self) -> Path | None:
        """pathlib.Path or None: the user dictionary loaded, or None for the package one."""
        return self._userdict

    @property
    def extra_words(self) -> tuple[str, ...]:
        """tuple of str: the extra words added after the user dictionary."""
        return self._extra_words

    @property
    def cache_dir(self) -> Path:
        """pathlib.Path: where jieba's prefix-dictionary cache lives."""
        return self._cache_dir

    @property
    def tokenizer(self):
        """jieba.Tokenizer: the private tokenizer (never ``jieba.dt``)."""
        return self._tokenizer

    def __repr__(self) -> str:
        userdict = "package" if self._userdict is None else os.fspath(self._userdict)
        return (
            f"Segmenter(engine={self._engine!r}, hmm={self._hmm}, userdict={userdict!r}, "
            f"extra_words={len(self._extra_words)})"
        )

    def _build_tokenizer(self):
        import jieba

        self._cache_dir.mkdir(parents=True, exist_ok=True)
        tokenizer = jieba.Tokenizer()
        tokenizer.tmp_dir = os.fspath(self._cache_dir)
        # jieba trusts the default-dictionary cache without checking its age, so the file name
        # carries the jieba version: an upgrade rebuilds the cache instead of loading a stale one.
        tokenizer.cache_file = f"jieba-{jieba.__version__}.cache"
        with _quiet_jieba():
            tokenizer.initialize()
        path = self._userdict if self._userdict is not None else lexicons.user_dictionary_path()
        entries = lexicons.read_user_dictionary(path)
        if (entries["freq"] == 0).any():
            zero = entries.loc[entries["freq"] == 0, "word"].tolist()
            raise ValueError(
                f"{path}: frequency 0 for {zero}; jieba would record these in a module-global "
                "force-split list shared by every tokenizer. Use frequency 1 to demote a word."
            )
        for word, freq, tag in entries[["word", "freq", "pos"]].itertuples(index=False, name=None):
            # A missing frequency lets jieba choose the smallest one that keeps the word whole.
            tokenizer.add_word(
                word,
                freq=None if pd.isna(freq) else int(freq),
                tag=None if pd.isna(tag) else str(tag),
            )
        for word in self._extra_words:
            tokenizer.add_word(word, freq=EXTRA_WORD_FREQ, tag=EXTRA_WORD_TAG)
        return tokenizer

    def _get_pos_tokenizer(self):
        if self._pos_tokenizer is None:
            import jieba.posseg

            # POSTokenizer re-reads jieba's dictionary file for its tag table.
            with _quiet_jieba():
                self._pos_tokenizer = jieba.posseg.POSTokenizer(self._tokenizer)
        return self._pos_tokenizer

    def cut(self, text: str) -> list[str]:
        """Split ``text`` into words.

        Parameters
        ----------
        text : str

        Returns
        -------
        list of str
            Words in text order. Punctuation marks are kept as tokens; whitespace is dropped.

        Examples
        --------
        >>> from corpus_tools.segment import get_segmenter
        >>> get_segmenter().cut("全区上下学党史、悟思想")
        ['全区', '上下', '学党史', '、', '悟思想']
        """
        words = self._tokenizer.cut(text, HMM=self._hmm)
        tagged = [(word, "") for word in words if not word.isspace()]
        return [word for word, _ in _join_decimals(tagged)]

    def cut_pos(self, text: str) -> list[tuple[str, str]]:
        """Split ``text`` into words with part-of-speech tags.

        Parameters
        ----------
        text : str

        Returns
        -------
        list of (str, str)
            ``(word, tag)`` pairs in text order; whitespace is dropped. Tags are jieba's
            ICTCLAS-style set: ``n`` noun, ``v`` verb, ``nr`` person, ``ns`` place, ``nt``
            organisation, ``nz`` other proper noun, ``l`` set phrase, ``m`` numeral, ``eng``
            Latin letters, ``x`` punctuation or unknown.

        Notes
        -----
        Tags come from ``jieba.posseg.POSTokenizer`` wrapped around the private tokenizer
        (built on first use), so words come from the same dictionary and ``hmm`` setting as
        :meth:`cut`; on the seed articles the two give identical words. Dictionary-only
        jieba tags digit runs ``eng``; they are re-tagged ``m``.
        """
        pairs = self._get_pos_tokenizer().cut(text, HMM=self._hmm)
        tagged = [
            (pair.word, "m" if _is_ascii_digits(pair.word) else pair.flag)
            for pair in pairs
            if not pair.word.isspace()
        ]
        return _join_decimals(tagged)


def _is_ascii_digits(word: str) -> bool:
    return word.isascii() and word.isdigit()


def _join_decimals(tagged: list[tuple[str, str]]) -> list[tuple[str, str]]:
    # Rejoin "1" "." "6" into "1.6" (tag m). Only a point with plain digit runs on both sides
    # is joined, so a sentence-final "3." and the second point of "1.2.3" stay apart.
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(tagged):
        word, tag = tagged[i]
        if (
            out
            and word == "."
            and i + 1 < len(tagged)
            and _is_ascii_digits(out[-1][0])
            and _is_ascii_digits(tagged[i + 1][0])
        ):
            out[-1] = (f"{out[-1][0]}.{tagged[i + 1][0]}", "m")
            i += 2
            continue
        out.append((word, tag))
        i += 1
    return out


@contextlib.contextmanager
def _quiet_jieba() -> Iterator[None]:
    # jieba logs "Building prefix dict ..." at DEBUG through its own stderr handler; silence it
    # only while a dictionary loads, and put the caller's level back afterwards.
    jieba_logger = logging.getLogger("jieba")
    level = jieba_logger.level
    jieba_logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        jieba_logger.setLevel(level)


def get_segmenter(*, hmm: bool = False) -> Segmenter:
    """Return the shared segmenter for a setting, building it on first call.

    Parameters
    ----------
    hmm : bool, default False
        See :class:`Segmenter`.

    Returns
    -------
    Segmenter
        The same object on every call with the same ``hmm``, so the dictionary is loaded once
        per process.
    """
    return _shared_segmenter(bool(hmm))


@lru_cache(maxsize=None)
def _shared_segmenter(hmm: bool) -> Segmenter:
    # Keyed on a positional bool: lru_cache on get_segmenter itself would treat get_segmenter()
    # and get_segmenter(hmm=False) as different calls and build two segmenters.
    return Segmenter(hmm=hmm)
