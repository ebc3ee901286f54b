"""Word segmentation engines: jieba and rjieba behind one :class:`Segmenter` (see :mod:`corpus_tools.segment`).

jieba is the reference. It keeps a global tokenizer, configures logging when imported and
caches its prefix dictionary in the system temp folder; this module avoids all three: each
:class:`Segmenter` owns a private ``jieba.Tokenizer``, jieba is imported only when a segmenter
is built, its logger is quietened only while a dictionary loads, and the cache goes to a
project cache folder.

A faster engine, rjieba (Python binding of jieba-rs, the same algorithm in Rust), is used when
it reproduces jieba token for token and tag for tag: with the HMM off. It is loaded with the
*final state* of the private jieba tokenizer (every word and frequency, so the same main
dictionary, user dictionary and extra words, with jieba's own frequency suggestions), not with
its built-in dictionary; see :class:`Segmenter` for the details that make the two agree.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import threading
import warnings
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Literal

import pandas as pd

from .. import lexicons
from ..environment import CACHE_DIR_ENV, cache_dir_setting

__all__ = [
    "CACHE_DIR_ENV",
    "ENGINES",
    "EXTRA_WORD_FREQ",
    "EXTRA_WORD_TAG",
    "Segmenter",
    "default_cache_dir",
    "get_segmenter",
]

#: Frequency given to ``extra_words``: the user dictionary's top tier, so an extra word
#: survives as one token inside running text, not only when segmented on its own.
EXTRA_WORD_FREQ = 30_000
#: POS tag given to ``extra_words`` (jieba's "other proper noun").
EXTRA_WORD_TAG = "nz"
#: Segmentation engines a :class:`Segmenter` accepts.
ENGINES: tuple[str, ...] = ("auto", "jieba", "rjieba")
#: Version of what this module does to jieba's output (whitespace dropped, decimals joined,
#: digits tagged ``m``). Part of every token-cache key: bump it when the output changes.
POSTPROCESS_VERSION = 1

Engine = Literal["auto", "jieba", "rjieba"]

_APP_NAME = "dangshi-corpus"

logger = logging.getLogger(__name__)

# jieba.cut's dictionary blocks are runs of [\u4E00-\u9FD5a-zA-Z0-9+#&._%-]; jieba-rs also
# puts the rest of the CJK Unified Ideographs block and its extensions into blocks (probed over
# every code point for rjieba 0.2.2 / jieba-rs 0.11; tests/test_segment.py repeats the probe).
# jieba yields those characters one by one and starts a new block after them, so the text is
# split at them before rjieba sees it.
_RJIEBA_ONLY_HAN = (
    "\u3400-\u4DBF\u9FD6-\u9FFF\uF900-\uFAFF"
    "\U00020000-\U0002A6DF\U0002A700-\U0002EBEF\U0002F800-\U0002FA1F"
)
_CUT_SEPARATORS = re.compile(f"([{_RJIEBA_ONLY_HAN}])")
# jieba.posseg's blocks are runs of [\u4E00-\u9FD5a-zA-Z0-9+#&._]: no "%" and no "-".
_POS_SEPARATORS = re.compile(f"([{_RJIEBA_ONLY_HAN}%\\-])")
_POSSEG_BLOCK_CHARS = re.compile("[\u4E00-\u9FD5a-zA-Z0-9+#&._]+")
_WHITESPACE = re.compile(r"\s")
# A point between two ASCII digits: the only place _join_decimals can change anything.
# Whitespace between the three is dropped before they are joined, hence the \s*.
_DECIMAL_POINT = re.compile(r"[0-9]\s*\.\s*[0-9]")
_ASCII_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

# Checked against jieba whenever an rjieba segmenter is built: Latin, digits, decimals,
# percentages, symbols jieba keeps in blocks (+#&._%-), full-width forms, traditional script,
# characters jieba-rs would otherwise put in blocks, and whitespace.
_PROBE_TEXT = (
    "2021年全区GDP增长1.6%，满意率达95.2%；第3.节 1.2.3 C++与AT&T、c#和e-mail。"
    "ＡＢＣ１２３，“四史”学习教育；學習黨史、悟思想。㐀中国䶵鿕鿖鿿豈\U00020000人民"
    "\t共产党员 \r\n 10-20% 3.14159 a1b2 _x_ 《中国共产党简史》……——"
)

_PROBE_WORDS = 2000


def default_cache_dir() -> Path:
    """Return the project cache folder (jieba's prefix dictionary, the token cache).

    Returns
    -------
    pathlib.Path
        The folder named by the environment variable ``DANGSHI_CACHE_DIR`` when it is set,
        else ``platformdirs.user_cache_dir("dangshi-corpus")`` (e.g.
        ``~/.cache/dangshi-corpus`` on Linux), else ``~/.cache/dangshi-corpus`` when
        platformdirs is missing. Outside the project tree, so never in git.
    """
    configured = cache_dir_setting()
    if configured is not None:
        return configured
    try:
        import platformdirs
    except ImportError:
        return Path.home() / ".cache" / _APP_NAME
    return Path(platformdirs.user_cache_dir(_APP_NAME, appauthor=False))


#: Distinct character runs whose hidden-Markov tagging one POS tokenizer remembers
#: (:func:`_remember_hmm_tagging`): about 30 MB at the most.
HMM_TAGGING_CACHE_SIZE = 100_000


def _remember_hmm_tagging(pos_tokenizer) -> None:
    """Make `pos_tokenizer` tag each run of unknown characters with the HMM once, then remember it.

    jieba.posseg sends every run of single characters that its dictionary route leaves (在党的,
    2021年, an unknown name) through a pure-Python Viterbi over its joint segmentation and
    part-of-speech states: about two thirds of tagging time. The result depends on the run alone,
    and news text repeats the same runs (function words around names and numbers) thousands of
    times: on 6,000 paragraphs of ``benchmarks/report_scale.py``'s corpus 71 % of the runs had been
    seen before, and tagging went from 96,000 to 233,000 characters a second with identical pairs
    (``tests/segment/test_segmenter.py`` compares both on the seeds and constructed texts). The private method
    (``POSTokenizer.__cut_detail``, name-mangled) is replaced on this instance only.
    """
    import jieba.posseg

    tag_run = getattr(pos_tokenizer, "_POSTokenizer__cut_detail", None)
    if tag_run is None:  # another jieba than the pinned one: tag as it does, only slower
        return

    @lru_cache(maxsize=HMM_TAGGING_CACHE_SIZE)
    def tagged(run: str) -> tuple[tuple[str, str], ...]:
        return tuple((pair.word, pair.flag) for pair in tag_run(run))

    def remembered(run: str) -> Iterator:
        for word, flag in tagged(run):
            yield jieba.posseg.pair(word, flag)

    pos_tokenizer._POSTokenizer__cut_detail = remembered


def _rjieba_available() -> bool:
    try:
        import rjieba  # noqa: F401
    except ImportError:
        return False
    return True


def _resolve_engine(engine: str, hmm: bool) -> tuple[str, str]:
    """Return the engine to build for a request, and why."""
    if engine not in ENGINES:
        raise ValueError(f"unknown segmentation engine {engine!r}; choose one of {ENGINES}")
    if engine == "jieba":
        return "jieba", "requested"
    if hmm:
        if engine == "rjieba":
            raise ValueError(
                "engine='rjieba' cannot be used with hmm=True: jieba-rs's HMM does not reproduce "
                "jieba's (it joins e.g. '1-5' that jieba splits); use engine='jieba' or 'auto'"
            )
        return "jieba", "hmm=True: only jieba's own HMM reproduces jieba"
    if not _rjieba_available():
        if engine == "rjieba":
            raise ImportError("engine='rjieba' needs the rjieba package (pip install rjieba)")
        return "jieba", "rjieba is not installed"
    return "rjieba", "requested" if engine == "rjieba" else "hmm=False and rjieba is installed"


@lru_cache(maxsize=4)
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:
    # Keyed on size and mtime as well, so a replaced file is hashed again.
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=4)
def _base_dictionary(cache_dir: str, cache_file: str) -> tuple[dict[str, int], int]:
    """jieba's main dictionary as loaded from its cache once per process: word frequencies and their total.

    Every segmenter starts from a copy of it and adds its own words (a copy takes a few tens of
    milliseconds, loading 0.6 s); a report kernel builds two segmenters, with and without the
    HMM. The process keeps this one beside the segmenters' copies (the copies share its word
    strings, so each costs only its hash table). Never change the returned dict.
    """
    import jieba

    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir, tokenizer.cache_file = cache_dir, cache_file
    with _quiet_jieba():
        tokenizer.initialize()
    return tokenizer.FREQ, tokenizer.total


@lru_cache(maxsize=1)
def _base_word_tags() -> dict[str, str]:
    """jieba.posseg's tag table of the main dictionary, read once per process (0.45 s); never change it."""
    import jieba
    import jieba.posseg

    table = jieba.posseg.POSTokenizer.__new__(jieba.posseg.POSTokenizer)
    table.load_word_tag(jieba.Tokenizer().get_dict_file())
    return table.word_tag_tab


def _dictionary_sha256(tokenizer) -> str:
    import jieba

    if tokenizer.dictionary is None:
        path = os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME)
    else:
        path = tokenizer.dictionary
    stat = os.stat(path)
    return _file_sha256(os.fspath(path), stat.st_size, stat.st_mtime_ns)


class Segmenter:
    """Segment Chinese text into words with the project dictionary, jieba or a faster twin.

    Building a segmenter loads jieba's prefix dictionary (about half a second from the cache,
    a few seconds the first time) and the user dictionary, and for the rjieba engine copies
    that dictionary into rjieba (a quarter of a second more). Build one and reuse it, or call
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
    seed_layer : bool, default False
        Also load the seed layer of the package user dictionary (programme names seen only in
        the five seed articles, :func:`corpus_tools.lexicons.user_dictionary_path`), after
        ``userdict``. Off by default, so that results on other corpora are not flattered by
        words harvested from the seeds; the seed reports and tests turn it on.
    extra_words : iterable of str, default ()
        Further words to keep whole, added after the user dictionary with frequency
        :data:`EXTRA_WORD_FREQ` and POS tag ``"nz"``.
    engine : {"auto", "jieba", "rjieba"}, default "auto"
        ``"jieba"`` segments with jieba itself (the reference). ``"rjieba"`` segments with
        rjieba, about 15 times faster and token-for-token identical; it cannot reproduce
        ``hmm=True`` and refuses it with a ValueError. ``"auto"`` takes rjieba when
        ``hmm=False`` and rjieba is installed, jieba otherwise (:attr:`engine_reason` says
        why).
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

    Two repairs are applied to the output of either engine: whitespace tokens are dropped, and
    decimal numbers are kept whole (dictionary-only jieba splits ``1.6`` into ``1 . 6``).

    The package user dictionary carries ``#`` comment lines, which jieba's ``load_userdict``
    cannot parse, so entries are added one by one with ``Tokenizer.add_word``.

    How rjieba is made to agree with jieba (each point checked in ``tests/test_segment.py``):

    - It starts empty (``rjieba.Jieba.empty()``) and receives every word with a non-zero
      frequency of the built jieba tokenizer, so it has jieba's ``dict.txt``, the user
      dictionary, the extra words and the frequencies jieba chose for entries without one
      (``suggest_freq``, which rjieba computes differently).
    - jieba's ``total`` (the denominator of every word probability) counts every frequency
      ever added, including ones later overwritten (``dict.txt`` lists 'B超' twice; a user
      entry may re-weight a jieba word); rjieba's counts only current ones. The difference is
      added to rjieba as one word of private-use characters, which can never occur in a
      dictionary block, so both divide by the same total.
    - jieba-rs puts a few more CJK ranges into dictionary blocks than jieba does; the text is
      split at those characters first. For tags, jieba.posseg also splits blocks at ``%`` and
      ``-``, so ``cut_pos`` splits there too, and takes each word's tag from posseg's own
      table: ``eng`` for joined runs of ASCII letters and digits, ``x`` outside blocks. A
      text holding an ASCII word of the dictionary (e.g. a user entry ``5G``), where posseg's
      tag depends on how the route reached it, is tagged by posseg itself.
    - Every new rjieba segmenter cuts a probe text (mixed scripts, numbers, symbols and up to
      2,000 of the user and extra words) with both engines, and tags it with both on the first
      call of :meth:`cut_pos`; on any difference ``"auto"`` falls back to jieba with a warning
      and ``"rjieba"`` raises. This costs a few milliseconds.

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
        seed_layer: bool = False,
        extra_words: Iterable[str] = (),
        engine: Engine = "auto",
        cache_dir: Path | None = None,
    ) -> None:
        self._hmm = bool(hmm)
        self._seed_layer = bool(seed_layer)
        self._requested_engine = engine
        resolved, reason = _resolve_engine(engine, self._hmm)
        self._userdict = Path(userdict) if userdict is not None else None
        if isinstance(extra_words, str):
            # A bare string would otherwise be read as a list of characters.
            extra_words = (extra_words,)
        self._extra_words = tuple(extra_words)
        self._cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self._pos_tokenizer = None
        self._user_layer: dict[str, str | None] = {}
        self._tokenizer = self._build_tokenizer()
        self._rjieba = None
        self._rjieba_tags: dict[str, str] | None = None
        self._rjieba_ascii_words: frozenset[str] = frozenset()
        self._user_automaton = None
        self._dictionary_sha256: str | None = None
        if resolved == "rjieba":
            self._rjieba = self._build_rjieba()
            mismatch = self._probe_mismatch(pos=False)
            if mismatch is not None:
                self._fall_back(f"rjieba differs from jieba on the probe text ({mismatch})")
                resolved, reason = "jieba", self._engine_reason
        self._engine = resolved
        self._engine_reason = reason
        logger.debug("segmentation engine %s (%s)", resolved, reason)

    # Settings are read-only: get_segmenter hands one instance to every caller, so changing
    # one caller's segmenter would silently change everyone's.
    @property
    def hmm(self) -> bool:
        """bool: whether jieba's HMM joins unknown character runs."""
        return self._hmm

    @property
    def engine(self) -> str:
        """str: the engine that segments, ``"jieba"`` or ``"rjieba"`` (never ``"auto"``)."""
        return self._engine

    @property
    def engine_reason(self) -> str:
        """str: why :attr:`engine` was chosen, e.g. ``"hmm=True: only jieba's own HMM ..."``."""
        return self._engine_reason

    @property
    def userdict(self) -> Path | None:
        """pathlib.Path or None: the user dictionary loaded, or None for the package one."""
        return self._userdict

    @property
    def seed_layer(self) -> bool:
        """bool: whether the seed layer of the package user dictionary is loaded."""
        return self._seed_layer

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
        """jieba.Tokenizer: the private reference tokenizer (never ``jieba.dt``)."""
        return self._tokenizer

    def __repr__(self) -> str:
        userdict = "package" if self._userdict is None else os.fspath(self._userdict)
        return (
            f"Segmenter(engine={self._engine!r}, hmm={self._hmm}, userdict={userdict!r}, "
            + ("seed_layer=True, " if self._seed_layer else "")
            + f"extra_words={len(self._extra_words)})"
        )

    def __reduce__(self):
        # Worker processes started with "spawn" receive a segmenter by pickling: rebuild it
        # from its settings rather than shipping jieba's and rjieba's dictionaries.
        settings = {
            "hmm": self._hmm,
            "userdict": self._userdict,
            "seed_layer": self._seed_layer,
            "extra_words": self._extra_words,
            # A segmenter that fell back to jieba stays on jieba in the worker.
            "engine": "jieba" if self._engine == "jieba" else self._requested_engine,
            "cache_dir": self._cache_dir,
        }
        return (_rebuild_segmenter, (settings,))

    # -- building ---------------------------------------------------------------------------

    def _build_tokenizer(self):
        import jieba

        self._cache_dir.mkdir(parents=True, exist_ok=True)
        tokenizer = jieba.Tokenizer()
        tokenizer.tmp_dir = os.fspath(self._cache_dir)
        # jieba trusts the default-dictionary cache without checking its age, so the file name
        # carries the jieba version: an upgrade rebuilds the cache instead of loading a stale one.
        tokenizer.cache_file = f"jieba-{jieba.__version__}.cache"
        # What Tokenizer.initialize() would load from the cache, copied from this process's first load.
        freq, total = _base_dictionary(tokenizer.tmp_dir, tokenizer.cache_file)
        tokenizer.FREQ, tokenizer.total, tokenizer.initialized = dict(freq), total, True
        path = self._userdict if self._userdict is not None else lexicons.user_dictionary_path()
        entries = lexicons.read_user_dictionary(path)
        if self._seed_layer:
            seeds = lexicons.read_user_dictionary(lexicons.user_dictionary_path("seeds"))
            entries = pd.concat([entries, seeds], ignore_index=True)
        if (entries["freq"] == 0).any():
            zero = entries.loc[entries["freq"] == 0, "word"].tolist()
            raise ValueError(
                f"{path}: frequency 0 for {zero}; jieba would record these in a module-global "
                "force-split list shared by every tokenizer. Use frequency 1 to demote a word."
            )
        for word, freq, tag in entries[["word", "freq", "pos"]].itertuples(index=False, name=None):
            tag = None if pd.isna(tag) else str(tag)
            # A missing frequency lets jieba choose the smallest one that keeps the word whole.
            tokenizer.add_word(word, freq=None if pd.isna(freq) else int(freq), tag=tag)
            self._user_layer[word] = tag
        for word in self._extra_words:
            tokenizer.add_word(word, freq=EXTRA_WORD_FREQ, tag=EXTRA_WORD_TAG)
            self._user_layer[word] = EXTRA_WORD_TAG
        return tokenizer

    def _build_rjieba(self):
        import rjieba

        freq = self._tokenizer.FREQ
        engine = rjieba.Jieba.empty()
        loaded = 0
        for word, count in freq.items():
            # Zero-frequency entries are jieba's prefixes of longer words, not words: its DAG
            # skips them, and rjieba's trie finds prefixes by itself.
            if count:
                engine.add_word(word, count, None)
                loaded += count
        ballast = self._tokenizer.total - loaded
        if ballast < 0:  # cannot happen with jieba's add-only total; refuse rather than guess
            raise RuntimeError(f"jieba total {self._tokenizer.total} is below its word sum {loaded}")
        if ballast:
            engine.add_word("\ue000\ue001", ballast, None)
        return engine

    def _get_pos_tokenizer(self):
        if self._pos_tokenizer is None:
            import jieba.posseg

            # POSTokenizer(tokenizer) re-reads jieba's dictionary file for its tag table; this is
            # the same object with a copy of the table read once per process.
            pos_tokenizer = jieba.posseg.POSTokenizer.__new__(jieba.posseg.POSTokenizer)
            pos_tokenizer.tokenizer = self._tokenizer
            pos_tokenizer.word_tag_tab = dict(_base_word_tags())
            # posseg merges the user tags into its table on first use; do it now, so the
            # table is final before anything (rjieba's tag table, cache keys) reads it.
            pos_tokenizer.makesure_userdict_loaded()
            _remember_hmm_tagging(pos_tokenizer)
            self._pos_tokenizer = pos_tokenizer
        return self._pos_tokenizer

    def _get_rjieba_tags(self) -> dict[str, str]:
        if self._rjieba_tags is None:
            table = self._get_pos_tokenizer().word_tag_tab
            freq = self._tokenizer.FREQ
            # posseg looks a word up only inside its blocks, so an entry with any other
            # character is never used (outside blocks every character is tagged "x").
            tags = {word: tag for word, tag in table.items() if _POSSEG_BLOCK_CHARS.fullmatch(word)}
            for ch in _ASCII_ALNUM:
                tags[ch] = "eng"  # a single letter or digit is always part of a joined run
            ascii_words = frozenset(
                word for word, count in freq.items() if count and len(word) > 1 and word.isascii() and word.isalnum()
            )
            for word in ascii_words:
                tags.pop(word, None)
            self._rjieba_ascii_words = ascii_words
            self._rjieba_tags = tags
            mismatch = self._probe_mismatch(pos=True)
            if mismatch is not None:
                self._fall_back(f"rjieba's tags differ from jieba.posseg on the probe text ({mismatch})")
        return self._rjieba_tags

    def _probe_texts(self) -> list[str]:
        words = list(self._user_layer)
        if len(words) > _PROBE_WORDS:
            step = len(words) / _PROBE_WORDS
            words = [words[int(i * step)] for i in range(_PROBE_WORDS)]
        # Words on their own, then run together so that they compete inside one block.
        return [_PROBE_TEXT, "，".join(words), "".join(words)]

    def _probe_mismatch(self, *, pos: bool) -> str | None:
        for text in self._probe_texts():
            if pos:
                fast, reference = self._cut_pos_rjieba(text), self._cut_pos_jieba(text)
            else:
                fast, reference = self._cut_rjieba(text), self._cut_jieba(text)
            if fast != reference:
                diff = next(((a, b) for a, b in zip(fast, reference) if a != b), (fast[-1:], reference[-1:]))
                return f"rjieba {diff[0]!r} vs jieba {diff[1]!r}"
        return None

    def _fall_back(self, why: str) -> None:
        if self._requested_engine == "rjieba":
            raise RuntimeError(f"engine='rjieba' does not reproduce jieba here: {why}")
        warnings.warn(f"{why}; segmenting with jieba instead", RuntimeWarning, stacklevel=3)
        self._rjieba = None
        self._engine = "jieba"
        self._engine_reason = f"fell back to jieba: {why}"

    # -- segmenting -------------------------------------------------------------------------

    def cut(self, text: str) -> list[str]:
        """Split ``text`` into words.

        Parameters
        ----------
        text : str

        Returns
        -------
        list of str
            Words in text order. Punctuation marks are kept as tokens; whitespace is dropped.
            The same list whichever engine segments.

        Examples
        --------
        >>> from corpus_tools.segment import get_segmenter
        >>> get_segmenter().cut("全区上下学党史、悟思想")
        ['全区', '上下', '学党史', '、', '悟思想']
        """
        if self._rjieba is not None:
            return self._cut_rjieba(text)
        return self._cut_jieba(text)

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
        The reference is ``jieba.posseg.POSTokenizer`` wrapped around the private tokenizer
        (built on first use), so words come from the same dictionary and ``hmm`` setting as
        :meth:`cut`. posseg starts a new block at ``%`` and ``-`` where :meth:`cut` does not,
        so around those characters the words can differ from :meth:`cut`'s; on the seed
        articles they are identical. Dictionary-only jieba tags digit runs ``eng``; they are
        re-tagged ``m``. The rjieba engine gives the same pairs (see the class Notes).
        """
        if self._rjieba is not None:
            self._get_rjieba_tags()  # may fall back to jieba
        if self._rjieba is not None:
            return self._cut_pos_rjieba(text)
        return self._cut_pos_jieba(text)

    def _cut_jieba(self, text: str) -> list[str]:
        words = self._tokenizer.cut(text, HMM=self._hmm)
        return _clean_words([word for word in words if not word.isspace()])

    def _cut_pos_jieba(self, text: str) -> list[tuple[str, str]]:
        pairs = self._get_pos_tokenizer().cut(text, HMM=self._hmm)
        tagged = [
            (pair.word, "m" if _is_ascii_digits(pair.word) else pair.flag)
            for pair in pairs
            if not pair.word.isspace()
        ]
        return _join_decimals(tagged)

    def _rjieba_words(self, text: str, separators: re.Pattern) -> list[str]:
        cut = self._rjieba.cut
        if separators.search(text) is None:
            return cut(text, False)
        words: list[str] = []
        # split() with one capturing group alternates text between separators (even
        # positions) and a single separator character (odd positions), which jieba yields
        # on its own.
        for i, piece in enumerate(separators.split(text)):
            if i % 2:
                words.append(piece)
            elif piece:
                words.extend(cut(piece, False))
        return words

    def _cut_rjieba(self, text: str) -> list[str]:
        words = self._rjieba_words(text, _CUT_SEPARATORS)
        if _WHITESPACE.search(text) is not None:
            words = [word for word in words if not word.isspace()]
        if _DECIMAL_POINT.search(text) is not None:
            words = _clean_words(words)
        return words

    def _cut_pos_rjieba(self, text: str) -> list[tuple[str, str]]:
        words = self._rjieba_words(text, _POS_SEPARATORS)
        if self._rjieba_ascii_words and not self._rjieba_ascii_words.isdisjoint(words):
            return self._cut_pos_jieba(text)
        if _WHITESPACE.search(text) is not None:
            words = [word for word in words if not word.isspace()]
        get = self._rjieba_tags.get
        tagged = []
        for word in words:
            tag = get(word)
            if tag is None:
                # Not a dictionary word: a joined run of ASCII letters and digits, or a single
                # character that no entry tags.
                tag = "eng" if word.isascii() and word.isalnum() else "x"
            if word.isascii() and word.isdigit():
                tag = "m"  # as _cut_pos_jieba does
            tagged.append((word, tag))
        if _DECIMAL_POINT.search(text) is not None:
            tagged = _join_decimals(tagged)
        return tagged

    # -- what a cache key needs -------------------------------------------------------------

    def cache_namespace(self, *, pos: bool) -> str:
        """Return a digest of everything but the text that decides :meth:`cut`/:meth:`cut_pos`.

        Parameters
        ----------
        pos : bool
            Whether the tagged output (:meth:`cut_pos`) is meant.

        Returns
        -------
        str
            Hex SHA-256 of: jieba's version, the SHA-256 of its main dictionary file, the
            tokenizer's ``total`` frequency, ``hmm``, ``pos`` and
            :data:`POSTPROCESS_VERSION`. Not the engine: the engines give identical output
            whenever rjieba is used. Not the user dictionary either: its words enter each
            key only where they occur (:meth:`user_entries_in`), and ``total`` changes with
            any change of frequency.
        """
        import jieba

        if self._dictionary_sha256 is None:
            self._dictionary_sha256 = _dictionary_sha256(self._tokenizer)
        parts = {
            "jieba": jieba.__version__,
            "dictionary_sha256": self._dictionary_sha256,
            "total": int(self._tokenizer.total),
            "hmm": self._hmm,
            "pos": bool(pos),
            "postprocess": POSTPROCESS_VERSION,
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("ascii")).hexdigest()

    def user_entries_in(self, text: str, *, pos: bool) -> list[tuple]:
        """Return the user-dictionary and extra words that occur in ``text``, as jieba holds them.

        Parameters
        ----------
        text : str
        pos : bool
            Include each word's effective tag (what posseg would give it).

        Returns
        -------
        list of tuple
            Sorted ``(word, freq)`` or, with ``pos``, ``(word, freq, tag)`` for every user or
            extra word that is a substring of ``text``, with the frequency and tag the
            tokenizer ended up with (jieba's suggestion where the file gives none). Words that
            do not occur in a text cannot change how it is segmented, except through the
            total frequency, which :meth:`cache_namespace` covers.
        """
        if not self._user_layer:
            return []
        automaton = self._get_user_automaton()
        found = set(automaton.find_matches_as_strings(text, overlapping=True)) if text else set()
        freq = self._tokenizer.FREQ
        if pos:
            table = self._get_pos_tokenizer().word_tag_tab
            return sorted((word, int(freq.get(word, 0)), table.get(word, "")) for word in found)
        return sorted((word, int(freq.get(word, 0))) for word in found)

    def _get_user_automaton(self):
        if self._user_automaton is None:
            import ahocorasick_rs

            # every occurrence, overlapping ones included: any of them can change the cut
            self._user_automaton = ahocorasick_rs.AhoCorasick(list(self._user_layer))
        return self._user_automaton


def _rebuild_segmenter(settings: dict) -> Segmenter:
    return Segmenter(**settings)


def _is_ascii_digits(word: str) -> bool:
    return word.isascii() and word.isdigit()


def _clean_words(words: list[str]) -> list[str]:
    # _join_decimals on bare words, with the tag slot left empty.
    return [word for word, _ in _join_decimals([(word, "") for word in words])]


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


def get_segmenter(*, hmm: bool = False, engine: Engine = "auto", seed_layer: bool = False) -> Segmenter:
    """Return the shared segmenter for a setting, building it on first call.

    Parameters
    ----------
    hmm : bool, default False
        See :class:`Segmenter`.
    engine : {"auto", "jieba", "rjieba"}, default "auto"
        See :class:`Segmenter`. ``"auto"`` and the engine it resolves to share one segmenter.
    seed_layer : bool, default False
        See :class:`Segmenter`.

    Returns
    -------
    Segmenter
        The same object on every call with the same setting, so the dictionary is loaded once
        per process.

    Examples
    --------
    >>> get_segmenter() is get_segmenter(hmm=False)
    True
    >>> get_segmenter(hmm=True).engine
    'jieba'
    """
    hmm = bool(hmm)
    resolved, _ = _resolve_engine(engine, hmm)
    # "auto" keeps its own slot when it means rjieba: built as "auto", a segmenter whose probe
    # fails falls back to jieba with a warning, where an explicit "rjieba" raises. When both
    # mean jieba they share one.
    key = (hmm, "jieba" if resolved == "jieba" else engine, bool(seed_layer))
    with _SHARED_LOCK:
        segmenter = _SHARED.get(key)
        if segmenter is None:
            segmenter = _SHARED[key] = Segmenter(hmm=hmm, engine=engine, seed_layer=bool(seed_layer))
    return segmenter


# One segmenter per (hmm, engine, seed_layer), built on first use; see get_segmenter.
_SHARED: dict[tuple[bool, str, bool], Segmenter] = {}
_SHARED_LOCK = threading.Lock()
