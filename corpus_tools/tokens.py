"""Tokens: segmented text units with their document variables.

The second stage of the pipeline (``Corpus -> Tokens -> DocTermMatrix``). A :class:`Tokens`
object holds the words of each unit (document, paragraph or sentence), optional
part-of-speech tags, the unit's docvars and a history of what was done to it. Every method
returns a new :class:`Tokens`; nothing is changed in place.

Words are held as integer codes over one sorted vocabulary (:func:`encode_tokens`,
:func:`sort_vocabulary`), as quanteda holds its tokens: four bytes a token instead of a Python
string, and :func:`corpus_tools.dtm.dtm` counts the codes directly. ``Tokens.tokens`` gives the
lists of strings on demand.

:func:`tokenize` (through :func:`segment_texts`) is built for corpora of any size: each distinct
text is segmented once, results come from the on-disk token cache when they are there
(:mod:`corpus_tools.tokencache`), and large jobs are spread over worker processes. None of
this changes a single token: the same corpus gives the same :class:`Tokens` with or without
cache, in one process or several, with either engine.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import os
import re
import unicodedata
import warnings
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import chain
from typing import Literal, Protocol

import numpy as np
import pandas as pd

from . import tokencache
from .compat import renamed_parameters
from .parallel import batches_by_size, mp_context, n_workers, worker_pool
from .progress import progress as _progress
from .segment import Engine, Segmenter, get_segmenter
from .units import Unit, Where, check_unit, select_units, unit_docvars

__all__ = ["PARALLEL_MIN_CHARS", "Tokens", "encode_tokens", "segment_texts", "sort_vocabulary", "tokenize"]

# Arabic numerals with optional thousands separators or decimals and an optional percent sign;
# \d also covers full-width digits. Chinese numerals (一, 两, 百) are words, not numbers here.
_NUMBER = re.compile(r"[+\-]?\d+(?:[.,．，]\d+)*[%％]?")


class _CorpusLike(Protocol):
    """What :func:`tokenize` needs from a corpus (satisfied by ``corpus_tools.corpus.Corpus``)."""

    docvars: pd.DataFrame

    def units(self, unit: str) -> pd.DataFrame: ...


def _is_punctuation(token: str) -> bool:
    # Unicode categories P* (punctuation), S* (symbols: % + ■ ～) and Z* (separators).
    return all(unicodedata.category(ch)[0] in "PSZ" or ch.isspace() for ch in token)


def _is_number(token: str) -> bool:
    return _NUMBER.fullmatch(token) is not None


def encode_tokens(
    token_lists: Iterable[Iterable[str]], vocabulary: dict[str, int] | None = None
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Turn token lists into integer codes over a vocabulary that grows as new words appear.

    Parameters
    ----------
    token_lists : iterable of iterables of str
        One token list per unit.
    vocabulary : dict of str to int, optional
        Word -> code, extended in place with the words not yet in it (numbered from
        ``len(vocabulary)`` on, in order of first appearance); a new one when None. Pass the same
        dict for successive batches to code them all over one vocabulary.

    Returns
    -------
    codes : numpy.ndarray of int32
        Every token's code, unit after unit.
    lengths : numpy.ndarray of int64
        Tokens per unit.
    vocabulary : dict of str to int
        The vocabulary (the one passed in, extended).

    Examples
    --------
    >>> codes, lengths, vocabulary = encode_tokens([["党史", "群众", "党史"], ["群众"]])
    >>> codes.tolist(), lengths.tolist(), vocabulary
    ([0, 1, 0, 1], [3, 1], {'党史': 0, '群众': 1})
    """
    if vocabulary is None:
        vocabulary = {}
    lists = token_lists if isinstance(token_lists, list) else list(token_lists)
    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int32), lengths, vocabulary
    flat = np.fromiter(chain.from_iterable(lists), dtype=object, count=total)
    # factorize hashes in C; the dict is consulted once per distinct word of the batch only.
    local, uniques = pd.factorize(flat)
    if (local < 0).any():
        raise ValueError("tokens must be strings; a unit holds a missing value (None or NaN)")
    # setdefault reads len() before inserting, so a new word gets the next code.
    to_global = np.fromiter(
        (vocabulary.setdefault(word, len(vocabulary)) for word in uniques), dtype=np.int32, count=len(uniques)
    )
    return to_global[local], lengths, vocabulary


def sort_vocabulary(words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Sort a vocabulary in code-point order and say where each word went.

    Parameters
    ----------
    words : sequence of str
        Distinct words; position ``i`` is code ``i``.

    Returns
    -------
    sorted_words : numpy.ndarray of object
        The words in code-point order (the column order of every document-term matrix).
    new_code : numpy.ndarray of int32
        ``new_code[i]`` is the position of ``words[i]`` in ``sorted_words``, so that
        ``new_code[codes]`` recodes tokens to the sorted vocabulary.

    Examples
    --------
    >>> sorted_words, new_code = sort_vocabulary(["群众", "党史", "学习"])
    >>> sorted_words.tolist(), new_code.tolist()
    (['党史', '学习', '群众'], [2, 0, 1])
    """
    array = np.empty(len(words), dtype=object)
    array[:] = list(words)
    for word in array:
        if not isinstance(word, str):
            raise TypeError(f"tokens must be strings, found {type(word).__name__} {word!r}")
    # Python's str ordering is code-point order; stable so the result never depends on chance.
    order = np.argsort(array, kind="stable")
    new_code = np.empty(len(array), dtype=np.int32)
    new_code[order] = np.arange(len(array), dtype=np.int32)
    return array[order], new_code


def _sorted_codes(
    codes: np.ndarray, vocabulary: Sequence[str], *, is_sorted: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    # Drop words no token uses and number the rest in code-point order: the invariant of Tokens.
    vocabulary = np.asarray(vocabulary, dtype=object) if not isinstance(vocabulary, np.ndarray) else vocabulary
    used = np.bincount(codes, minlength=len(vocabulary)) > 0 if len(codes) else np.zeros(len(vocabulary), dtype=bool)
    if not used.all():
        renumber = np.cumsum(used, dtype=np.int64).astype(np.int32) - 1
        codes, vocabulary = renumber[codes], vocabulary[used]
    if is_sorted:  # a subset of a sorted vocabulary is still sorted
        return codes.astype(np.int32, copy=False), vocabulary
    sorted_words, new_code = sort_vocabulary(vocabulary)
    return new_code[codes].astype(np.int32, copy=False), sorted_words


def _split(values: np.ndarray, offsets: np.ndarray) -> list[list]:
    return [values[offsets[i] : offsets[i + 1]].tolist() for i in range(len(offsets) - 1)]


class Tokens:
    """Segmented text units with document variables, tags and a processing history.

    Build with :func:`tokenize`; the constructor is for code that already holds token lists,
    :meth:`from_codes` for code that holds integer codes.

    Every unit is held as integer codes over one vocabulary shared by all units (quanteda's
    design): a Python string per token would cost about 60 bytes, a code costs 4. The token
    lists are built on demand by :attr:`tokens`.

    Parameters
    ----------
    tokens : pandas.Series
        One ``list[str]`` per unit, indexed by ``unit_id``.
    pos : pandas.Series, optional
        One ``list[str]`` of part-of-speech tags per unit, aligned word by word with
        ``tokens``; None when the tokens were not tagged.
    docvars : pandas.DataFrame
        One row per unit, same index as ``tokens``: ``doc_id``, the unit's own columns
        (``para_no``, ``sent_no``, ``section`` for paragraphs and sentences) and the
        document's docvars joined on ``doc_id``.
    unit : {"document", "paragraph", "sentence"}
        What one row is.
    history : tuple of str
        What was done, oldest first, e.g. ``"tokenize(unit='paragraph', ...)"``,
        ``"remove(words=248, min_chars=2, pos=None, keep_numbers=False)"``.

    Attributes
    ----------
    vocabulary : numpy.ndarray of object
        The distinct words (types), in code-point order; every one occurs at least once.
    codes : numpy.ndarray of int32
        Every token as an index into ``vocabulary``, unit after unit.
    offsets : numpy.ndarray of int64
        Unit ``i``'s tokens are ``codes[offsets[i]:offsets[i + 1]]``; ``len(self) + 1`` values.
    pos_vocabulary, pos_codes : numpy.ndarray or None
        The same for the part-of-speech tags (``pos_codes`` aligned with ``codes``); None when
        untagged.

    Notes
    -----
    Frozen: attributes cannot be reassigned. The arrays and frames inside are shared between
    the objects that methods return; they must not be modified.
    """

    vocabulary: np.ndarray
    codes: np.ndarray
    offsets: np.ndarray
    pos_vocabulary: np.ndarray | None
    pos_codes: np.ndarray | None
    docvars: pd.DataFrame
    unit: str
    history: tuple[str, ...]

    def __init__(
        self,
        *,
        tokens: pd.Series,
        pos: pd.Series | None = None,
        docvars: pd.DataFrame,
        unit: str,
        history: Iterable[str] = (),
    ) -> None:
        if not isinstance(tokens, pd.Series):
            raise TypeError(f"tokens must be a pandas Series of token lists, not {type(tokens).__name__}")
        if not tokens.index.equals(docvars.index):
            raise ValueError("tokens and docvars must share the same unit_id index, in the same order")
        codes, lengths, vocabulary = encode_tokens(list(tokens))
        codes, words = _sorted_codes(codes, list(vocabulary))
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        pos_codes = pos_words = None
        if pos is not None:
            if not pos.index.equals(tokens.index):
                raise ValueError("pos must share the tokens' index")
            pos_codes, pos_lengths, pos_vocabulary = encode_tokens(list(pos))
            if not np.array_equal(pos_lengths, lengths):
                raise ValueError("pos must hold one tag per token in every unit")
            pos_codes, pos_words = _sorted_codes(pos_codes, list(pos_vocabulary))
        self._set(
            codes=codes, offsets=offsets, vocabulary=words, pos_codes=pos_codes, pos_vocabulary=pos_words,
            docvars=docvars, unit=unit, history=history,
        )

    @classmethod
    def from_codes(
        cls,
        *,
        codes: np.ndarray,
        offsets: np.ndarray,
        vocabulary: Sequence[str],
        docvars: pd.DataFrame,
        unit: str,
        history: Iterable[str] = (),
        pos_codes: np.ndarray | None = None,
        pos_vocabulary: Sequence[str] | None = None,
    ) -> Tokens:
        """Build from integer codes without going through Python strings per token.

        Parameters
        ----------
        codes : array of int
            Every token as an index into ``vocabulary``, unit after unit.
        offsets : array of int
            ``len(docvars) + 1`` non-decreasing positions in ``codes``, from 0 to ``len(codes)``;
            unit ``i`` is ``codes[offsets[i]:offsets[i + 1]]``.
        vocabulary : sequence of str
            Distinct words in any order; words no code points at are dropped and the rest
            renumbered in code-point order.
        docvars, unit, history
            As for the constructor; ``docvars``'s index is the ``unit_id``.
        pos_codes, pos_vocabulary : optional
            The tags, coded the same way (``pos_codes`` aligned with ``codes``).

        Returns
        -------
        Tokens
        """
        codes = np.asarray(codes)
        offsets = np.asarray(offsets, dtype=np.int64)
        if codes.ndim != 1 or not np.issubdtype(codes.dtype, np.integer):
            raise ValueError("codes must be a 1-D integer array")
        if offsets.shape != (len(docvars) + 1,) or offsets[0] != 0 or offsets[-1] != len(codes) or (
            np.diff(offsets) < 0
        ).any():
            raise ValueError(
                f"offsets must run from 0 to len(codes) ({len(codes)}) in {len(docvars) + 1} non-decreasing steps"
            )
        if len(codes) and (codes.min() < 0 or codes.max() >= len(vocabulary)):
            raise ValueError(f"codes must index vocabulary (0 to {len(vocabulary) - 1})")
        if len(set(vocabulary)) != len(vocabulary):
            raise ValueError("vocabulary must not repeat a word")
        codes, words = _sorted_codes(codes.astype(np.int32, copy=False), vocabulary)
        pos_words = None
        if pos_codes is not None:
            if pos_vocabulary is None:
                raise ValueError("pos_codes needs pos_vocabulary")
            pos_codes = np.asarray(pos_codes)
            if pos_codes.shape != codes.shape:
                raise ValueError("pos must hold one tag per token in every unit")
            pos_codes, pos_words = _sorted_codes(pos_codes.astype(np.int32, copy=False), pos_vocabulary)
        self = object.__new__(cls)
        self._set(
            codes=codes, offsets=offsets, vocabulary=words, pos_codes=pos_codes, pos_vocabulary=pos_words,
            docvars=docvars, unit=unit, history=history,
        )
        return self

    @classmethod
    def _from_sorted(cls, **values) -> Tokens:
        # For this module's own code, which already holds int32 codes over a sorted vocabulary of
        # words that all occur: from_codes without its checks and renumbering.
        self = object.__new__(cls)
        self._set(**values)
        return self

    def _set(self, *, codes, offsets, vocabulary, pos_codes, pos_vocabulary, docvars, unit, history) -> None:
        if not docvars.index.is_unique:
            raise ValueError("unit_id index must be unique")
        if "doc_id" not in docvars.columns:
            raise ValueError("docvars needs a doc_id column")
        values = {
            "codes": codes, "offsets": offsets, "vocabulary": vocabulary, "pos_codes": pos_codes,
            "pos_vocabulary": pos_vocabulary, "docvars": docvars, "unit": unit, "history": tuple(history),
        }
        self.__dict__.update(values)

    def _derived(self, *, keep: np.ndarray | None = None, units: np.ndarray | None = None, step: str) -> Tokens:
        # A new Tokens with some tokens (boolean per token) and/or units (boolean per unit) kept.
        lengths = np.diff(self.offsets)
        codes, pos_codes, docvars = self.codes, self.pos_codes, self.docvars
        token_mask = None
        if units is not None:
            token_mask = np.repeat(units, lengths)
            lengths, docvars = lengths[units], docvars[units]
        if keep is not None:
            token_mask = keep if token_mask is None else token_mask & keep
            # Tokens kept per unit: count the kept positions inside each unit's range.
            kept_before = np.concatenate([[0], np.cumsum(keep, dtype=np.int64)])
            per_unit = kept_before[self.offsets[1:]] - kept_before[self.offsets[:-1]]
            lengths = per_unit if units is None else per_unit[units]
        if token_mask is not None:
            codes = codes[token_mask]
            pos_codes = None if pos_codes is None else pos_codes[token_mask]
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        codes, words = _sorted_codes(codes, self.vocabulary, is_sorted=True)
        pos_words = None
        if pos_codes is not None:
            pos_codes, pos_words = _sorted_codes(pos_codes, self.pos_vocabulary, is_sorted=True)
        return Tokens._from_sorted(
            codes=codes, offsets=offsets, vocabulary=words, pos_codes=pos_codes, pos_vocabulary=pos_words,
            docvars=docvars, unit=self.unit, history=(*self.history, step),
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}: Tokens is frozen")

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}: Tokens is frozen")

    # -- the strings, on demand -----------------------------------------------------------------

    @property
    def tokens(self) -> pd.Series:
        """pandas.Series: one ``list[str]`` per unit, indexed by ``unit_id`` (built on each call)."""
        words = _split(self.vocabulary[self.codes], self.offsets)
        return pd.Series(words, index=self.docvars.index, dtype=object, name="tokens")

    @property
    def pos(self) -> pd.Series | None:
        """pandas.Series or None: one ``list[str]`` of tags per unit, aligned with :attr:`tokens`."""
        if self.pos_codes is None:
            return None
        tags = _split(self.pos_vocabulary[self.pos_codes], self.offsets)
        return pd.Series(tags, index=self.docvars.index, dtype=object, name="pos")

    # -- size ---------------------------------------------------------------------------------

    def __len__(self) -> int:
        """Return the number of units."""
        return len(self.offsets) - 1

    @property
    def n_tokens(self) -> int:
        """int: the total number of tokens over all units."""
        return len(self.codes)

    @property
    def lengths(self) -> np.ndarray:
        """numpy.ndarray of int64: the number of tokens of each unit."""
        return np.diff(self.offsets)

    def __repr__(self) -> str:
        tagged = ", tagged" if self.pos_codes is not None else ""
        n_docs = self.docvars["doc_id"].nunique()
        return (
            f"Tokens({len(self)} {self.unit} units from {n_docs} documents, "
            f"{self.n_tokens} tokens{tagged})"
        )

    # -- transformations ----------------------------------------------------------------------

    def _filter(self, keep_word: Callable[[str], bool] | None, keep_tag: Callable[[str], bool] | None,
                step: str) -> Tokens:
        # Each rule is a property of a word or of a tag, so it is decided once per distinct word
        # (tag) and applied to every token through its code.
        keep = np.ones(len(self.codes), dtype=bool)
        if keep_word is not None:
            word_ok = np.fromiter(map(keep_word, self.vocabulary), dtype=bool, count=len(self.vocabulary))
            keep &= word_ok[self.codes]
        if keep_tag is not None:
            tag_ok = np.fromiter(map(keep_tag, self.pos_vocabulary), dtype=bool, count=len(self.pos_vocabulary))
            keep &= tag_ok[self.pos_codes]
        return self._derived(keep=keep, step=step)

    @renamed_parameters(min_nchar="min_chars")
    def remove(
        self,
        words: Iterable[str] = (),
        *,
        min_chars: int = 1,
        pos: Collection[str] | None = None,
        keep_numbers: bool = False,
    ) -> Tokens:
        """Drop stopwords, short tokens, punctuation and numbers.

        Parameters
        ----------
        words : iterable of str, default ()
            Words to drop, matched exactly, e.g. ``lexicons.stopwords("zh-official")``.
        min_chars : int, default 1
            Drop tokens with fewer characters than this; ``min_chars=2`` drops single
            characters. (Called ``min_nchar`` before 0.2; the old name still works, with a
            FutureWarning.)
        pos : collection of str, optional
            Part-of-speech tags to drop (exact match), e.g. ``{"x", "m"}``. Needs tagged tokens.
        keep_numbers : bool, default False
            Keep tokens that are Arabic numbers (``2021``, ``1.6``, ``95.2%``).

        Returns
        -------
        Tokens
            Same units and docvars; tokens that match any rule are gone.

        Notes
        -----
        Tokens made only of punctuation and symbols (Unicode categories P and S: ``，`` ``“``
        ``%`` ``■``) are always dropped: they are never terms. Positions in
        :meth:`to_frame` are recounted afterwards, so words left either side of a removed
        token become neighbours.

        Examples
        --------
        >>> from corpus_tools.tokens import Tokens
        >>> import pandas as pd
        >>> idx = pd.Index(["a"], name="unit_id")
        >>> toks = Tokens(tokens=pd.Series([["深入", "开展", "学党史", "，", "2021", "年"]], index=idx),
        ...               docvars=pd.DataFrame({"doc_id": ["a"]}, index=idx), unit="document")
        >>> toks.remove({"深入", "开展"}, min_chars=2).tokens.iloc[0]
        ['学党史']
        """
        if isinstance(words, str):
            # A bare string would otherwise be read as a set of characters.
            words = (words,)
        wordset = frozenset(words)
        if int(min_chars) != min_chars or min_chars < 1:
            raise ValueError(f"min_chars must be a positive integer, got {min_chars!r}")
        if pos is not None:
            if self.pos_codes is None:
                raise ValueError("these tokens carry no POS tags; tokenize with pos=True")
            if isinstance(pos, str):
                pos = (pos,)
            posset = frozenset(pos)
        else:
            posset = frozenset()

        def keep_word(word: str) -> bool:
            if word in wordset or len(word) < min_chars or _is_punctuation(word):
                return False
            return keep_numbers or not _is_number(word)

        pos_repr = None if pos is None else tuple(sorted(posset))
        step = (
            f"remove(words={len(wordset)}, min_chars={min_chars}, pos={pos_repr!r}, "
            f"keep_numbers={keep_numbers})"
        )
        return self._filter(keep_word, (lambda tag: tag not in posset) if posset else None, step)

    def keep_pos(
        self, tags: Iterable[str], *, match: Literal["exact", "prefix"] = "exact"
    ) -> Tokens:
        """Keep only tokens with the given part-of-speech tags.

        Parameters
        ----------
        tags : iterable of str
            jieba tags, e.g. ``["n", "nr", "ns", "nz", "l"]``.
        match : {"exact", "prefix"}, default "exact"
            ``"prefix"`` keeps a token whose tag starts with any of ``tags``: ``["n"]`` keeps
            ``n``, ``nr``, ``ns``, ``nt`` and ``nz`` (but not ``vn``, a verbal noun).

        Returns
        -------
        Tokens
        """
        if self.pos_codes is None:
            raise ValueError("these tokens carry no POS tags; tokenize with pos=True")
        if match not in ("exact", "prefix"):
            raise ValueError(f"match must be 'exact' or 'prefix', got {match!r}")
        tagset = (tags,) if isinstance(tags, str) else tuple(dict.fromkeys(tags))
        if match == "exact":
            allowed = frozenset(tagset)

            def keep_tag(tag: str) -> bool:
                return tag in allowed

        else:

            def keep_tag(tag: str) -> bool:
                return tag.startswith(tagset)

        return self._filter(None, keep_tag, f"keep_pos(tags={tuple(sorted(tagset))!r}, match={match!r})")

    def subset(
        self,
        where: Where | None = None,
        *,
        doc_ids: Iterable[str] | None = None,
    ) -> Tokens:
        """Keep the units that satisfy a condition, in their original order (quanteda's ``tokens_subset``).

        Parameters
        ----------
        where : boolean Series, boolean sequence, sequence of unit ids, or callable, optional
            A boolean Series indexed by ``unit_id`` (e.g. ``toks.docvars["section"] != ""``),
            a boolean sequence in unit order, the ``unit_id`` values to keep, or a function
            taking ``docvars`` and returning one of these (see
            :func:`corpus_tools.units.select_units`).
        doc_ids : iterable of str, optional
            Keep only units of these documents.

        Returns
        -------
        Tokens
            The selected units; when both arguments are given, units must satisfy both.
        """
        keep, described = select_units(self.docvars, where, doc_ids=doc_ids, what="unit")
        step = f"subset({described}) -> {int(keep.sum())} of {len(self)} units"
        return self._derived(units=keep, step=step)

    def keep(self, words: Iterable[str]) -> Tokens:
        """Keep only the tokens that are one of ``words`` (quanteda's ``tokens_keep``).

        Parameters
        ----------
        words : iterable of str
            The words to keep, matched exactly (a single string is one word).

        Returns
        -------
        Tokens
            Same units and docvars; every other token is gone and the vocabulary holds only
            the words kept that occur.

        See Also
        --------
        remove : drop tokens by word, length, tag or kind.
        subset : keep units rather than tokens.

        Examples
        --------
        >>> import pandas as pd
        >>> idx = pd.Index(["a", "b"], name="unit_id")
        >>> toks = Tokens(tokens=pd.Series([["学党史", "、", "悟思想", "学党史"], ["办实事"]], index=idx),
        ...               docvars=pd.DataFrame({"doc_id": ["a", "b"]}, index=idx), unit="document")
        >>> toks.keep({"学党史", "办实事"}).tokens.tolist()
        [['学党史', '学党史'], ['办实事']]
        """
        wordset = frozenset((words,) if isinstance(words, str) else words)
        return self._filter(wordset.__contains__, None, f"keep(words={len(wordset)})")

    # -- export -------------------------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """Return the tokens as a tidy long table, one row per token.

        Returns
        -------
        pandas.DataFrame
            Columns ``unit_id, doc_id, position, token`` and, when tagged, ``pos``.
            ``position`` is the token's 1-based place in its unit's current token list.
            Rows follow unit order, then position.
        """
        lengths = self.lengths
        total = len(self.codes)
        starts = np.repeat(self.offsets[:-1], lengths)
        frame = pd.DataFrame(
            {
                "unit_id": np.repeat(self.docvars.index.to_numpy(dtype=object), lengths),
                "doc_id": np.repeat(self.docvars["doc_id"].to_numpy(dtype=object), lengths),
                "position": np.arange(total, dtype=np.int64) - starts + 1,
                "token": self.vocabulary[self.codes],
            }
        )
        if self.pos_codes is not None:
            frame["pos"] = self.pos_vocabulary[self.pos_codes]
        return frame


# -- segmenting many texts ------------------------------------------------------------------------

#: Characters still to segment (after the cache) from which ``n_jobs=None`` uses every core, per
#: engine and worker start method (see :func:`segment_texts`); None: never. Measured with
#: ``benchmarks/segment_speed.py`` (and its ``--crossover``) on 2 cores. jieba (the engine for
#: ``hmm=True``, or where rjieba is missing): forked workers break even near 100,000 characters
#: (1.2x faster there, 1.9x from a million on); spawned ones first import the package and rebuild
#: the segmenter, about two seconds, so they wait for 1.5 million. rjieba segments about as fast
#: as texts and tokens travel between processes: two processes were slower than one up to a few
#: MB and at 20 MB (6.8 million characters) no faster without tags and 1.3x with them, so it
#: stays in one process unless ``n_jobs`` asks otherwise.
PARALLEL_MIN_CHARS: dict[str, dict[str, int | None]] = {
    "jieba": {"fork": 200_000, "spawn": 1_500_000},
    "rjieba": {"fork": None, "spawn": None},
}

#: Work items handed to a worker hold about this many characters at least (fewer, larger batches
#: cost less to ship; there are at least 8 per worker so that the cores stay balanced).
_MIN_BATCH_CHARS = 20_000
_BATCHES_PER_WORKER = 8
#: ... and at most this many: a batch's words exist as Python strings until they are coded, so
#: this bounds that memory (about 40 MB) whatever the corpus size.
_MAX_BATCH_CHARS = 500_000

logger = logging.getLogger(__name__)

# The segmenter of a worker process, set once by _init_worker.
_worker_segmenter: Segmenter | None = None


def _init_worker(segmenter: Segmenter) -> None:
    global _worker_segmenter
    _worker_segmenter = segmenter


def _cut_one(segmenter: Segmenter, text: str, pos: bool) -> tuple[list[str], list[str] | None]:
    if pos:
        pairs = segmenter.cut_pos(text)
        return [word for word, _ in pairs], [tag for _, tag in pairs]
    return segmenter.cut(text), None


def _segment_batch(args: tuple[list[str], bool]) -> list:
    # Runs in a worker: one string per unit (tokencache.encode) is much cheaper to send back
    # than a list of tokens; the rare unit that cannot be encoded goes back as lists.
    texts, pos = args
    out: list = []
    for text in texts:
        words, tags = _cut_one(_worker_segmenter, text, pos)
        encoded = tokencache.encode(words, tags)
        out.append(encoded if encoded is not None else (words, tags))
    return out


def segment_texts(
    texts: Sequence[str],
    *,
    segmenter: Segmenter | None = None,
    pos: bool = False,
    n_jobs: int | None = None,
    cache: bool | str | os.PathLike | tokencache.TokenCache | None = True,
    progress: bool = True,
) -> tuple[list[list[str]], list[list[str]] | None]:
    """Segment many texts, from the token cache where possible and on several cores if large.

    Parameters
    ----------
    texts : sequence of str
    segmenter : Segmenter, optional
        Defaults to ``get_segmenter()``.
    pos : bool, default False
        Also return part-of-speech tags.
    n_jobs : int, optional
        Worker processes. None: every available core when the characters still to segment
        reach :data:`PARALLEL_MIN_CHARS` for the segmenter's engine, else this process alone
        (always, with rjieba). -1: every core. A positive number: that many (1 means in this
        process).
    cache : bool, path-like or TokenCache, default True
        Where to look up and store results; see :func:`corpus_tools.tokencache.open_cache`
        (``False`` or ``DANGSHI_CACHE=off`` for none).
    progress : bool, default True
        Report progress over batches of texts (see :mod:`corpus_tools.progress`) when there
        is more than one.

    Returns
    -------
    (list of list of str, list of list of str or None)
        The words of each text in order and, with ``pos``, their tags (else None). Identical
        whatever ``n_jobs`` and ``cache`` are.

    Notes
    -----
    Each distinct text is segmented once, however often it occurs. Worker processes are
    forked when this process runs no other thread (they inherit the built segmenter), else
    spawned (each rebuilds it from its settings, about a second).

    Examples
    --------
    >>> words, tags = segment_texts(["学党史、悟思想", "学党史、悟思想"], cache=False)
    >>> words
    [['学党史', '、', '悟思想'], ['学党史', '、', '悟思想']]
    """
    coded = _segment_codes(texts, segmenter=segmenter, pos=pos, n_jobs=n_jobs, cache=cache, progress=progress)
    words = np.asarray(list(coded.vocabulary), dtype=object)
    # Each text gets lists of its own (tolist builds new ones), so editing one never changes another.
    word_lists = [words[coded.codes[i]].tolist() for i in coded.which]
    tag_lists = None
    if pos:
        tags = np.asarray(list(coded.pos_vocabulary), dtype=object)
        tag_lists = [tags[coded.pos_codes[i]].tolist() for i in coded.which]
    return word_lists, tag_lists


@dataclass
class _Coded:
    """Segmented texts as integer codes: ``codes[which[k]]`` are the words of text ``k``."""

    which: list[int]
    codes: list[np.ndarray]
    vocabulary: dict[str, int]
    pos_codes: list[np.ndarray] | None
    pos_vocabulary: dict[str, int] | None


#: Cached texts are decoded and coded in groups of this many (bounds the strings alive at once).
_DECODE_GROUP = 2_000


def _segment_codes(
    texts: Sequence[str],
    *,
    segmenter: Segmenter | None,
    pos: bool,
    n_jobs: int | None,
    cache: bool | str | os.PathLike | tokencache.TokenCache | None,
    progress: bool,
) -> _Coded:
    # segment_texts, but each distinct text's words are coded over one growing vocabulary as
    # soon as a batch is segmented: a corpus's tokens never exist as Python strings all at once.
    if segmenter is None:
        segmenter = get_segmenter()
    texts = list(texts)
    store = tokencache.open_cache(cache)
    unique = list(dict.fromkeys(texts))
    position = {text: i for i, text in enumerate(unique)}
    codes: list[np.ndarray | None] = [None] * len(unique)
    tag_codes: list[np.ndarray | None] | None = [None] * len(unique) if pos else None
    vocabulary: dict[str, int] = {}
    tag_vocabulary: dict[str, int] | None = {} if pos else None

    def store_codes(batch: list[str], results: list[tuple[list[str], list[str] | None]]) -> None:
        flat, lengths, _ = encode_tokens([words for words, _ in results], vocabulary)
        bounds = np.cumsum(lengths)[:-1]
        for text, part in zip(batch, np.split(flat, bounds) if len(batch) else []):
            codes[position[text]] = part
        if pos:
            flat, _, _ = encode_tokens([tags for _, tags in results], tag_vocabulary)
            for text, part in zip(batch, np.split(flat, bounds) if len(batch) else []):
                tag_codes[position[text]] = part

    keys: dict[str, bytes] = {}
    if store is not None and unique:
        keys = dict(zip(unique, tokencache.unit_keys(unique, segmenter, pos=pos)))
        found = store.get_many(keys.values())
        group: list[str] = []
        decoded: list[tuple[list[str], list[str] | None]] = []
        for text, key in keys.items():
            value = found.pop(key, None)
            if value is None:
                continue
            try:
                decoded.append(tokencache.decode(value, pos=pos))
            except ValueError:
                logger.warning("token cache: unreadable entry for a text of %d characters; recomputing", len(text))
                continue
            group.append(text)
            if len(group) >= _DECODE_GROUP:
                store_codes(group, decoded)
                group, decoded = [], []
        store_codes(group, decoded)
        del found
    todo = [text for text in unique if codes[position[text]] is None]
    n_chars = sum(len(text) for text in todo)
    context = mp_context()
    threshold = PARALLEL_MIN_CHARS.get(segmenter.engine, PARALLEL_MIN_CHARS["jieba"])[context.get_start_method()]
    workers = n_workers(n_jobs, n_chars, threshold)
    # Batches of at least _MIN_BATCH_CHARS, except that a small job asked for on several
    # workers is still split so that each gets a share.
    batch_chars = max(
        1, min(_MIN_BATCH_CHARS, -(-n_chars // workers)), -(-n_chars // (workers * _BATCHES_PER_WORKER))
    )
    batch_chars = min(batch_chars, _MAX_BATCH_CHARS)
    batches = batches_by_size(todo, [len(text) for text in todo], batch_chars)
    workers = min(workers, len(batches))
    show = progress and len(batches) > 1

    def finish_batch(batch: list[str], computed: list) -> None:
        results, new_entries = [], []
        for text, result in zip(batch, computed):
            if isinstance(result, str):
                encoded, result = result, tokencache.decode(result, pos=pos)
            elif store is not None:
                encoded = tokencache.encode(*result)
            else:
                encoded = None
            results.append(result)
            if store is not None and encoded is not None:
                new_entries.append((keys[text], encoded))
        store_codes(batch, results)
        if new_entries:
            store.put_many(new_entries)

    done_batches = 0
    if workers > 1:
        logger.info("segmenting %d characters in %d processes", n_chars, workers)
        # Forked workers share this process's memory until either side writes to it, and a
        # garbage collection writes to every object it visits: freezing the objects that exist
        # now keeps both sides' collections off them (a large session otherwise pays seconds in
        # copied pages). Left alone if the caller manages gc.freeze itself.
        freeze = context.get_start_method() == "fork" and gc.get_freeze_count() == 0
        if freeze:
            gc.freeze()
        try:
            with worker_pool(workers, context, initializer=_init_worker, initargs=(segmenter,)) as executor:
                done = executor.map(_segment_batch, [(batch, pos) for batch in batches])
                for batch_result in _progress(done, desc="segmenting", total=len(batches), unit="batch",
                                              enabled=show):
                    finish_batch(batches[done_batches], batch_result)
                    done_batches += 1
        except BrokenProcessPool as error:
            # A worker died: killed for memory, or (with "spawn") a script that starts work at
            # import time without an `if __name__ == "__main__":` guard. Do it here instead.
            warnings.warn(f"segmentation workers failed ({error}); segmenting in this process",
                          RuntimeWarning, stacklevel=3)
            workers = 1
        finally:
            if freeze:
                gc.unfreeze()
    if workers <= 1:
        rest = batches[done_batches:]
        for batch in _progress(rest, desc="segmenting", total=len(rest), unit="batch", enabled=show):
            finish_batch(batch, [_cut_one(segmenter, text, pos) for text in batch])
    return _Coded(
        which=[position[text] for text in texts],
        codes=codes,
        vocabulary=vocabulary,
        pos_codes=tag_codes,
        pos_vocabulary=tag_vocabulary,
    )


def tokenize(
    corpus: _CorpusLike,
    *,
    unit: Unit = "document",
    pos: bool = False,
    hmm: bool = False,
    segmenter: Segmenter | None = None,
    engine: Engine = "auto",
    n_jobs: int | None = None,
    cache: bool | str | os.PathLike | tokencache.TokenCache | None = True,
    progress: bool = True,
) -> Tokens:
    """Segment a corpus into words, one token list per unit.

    Parameters
    ----------
    corpus : Corpus
        Anything with ``units(unit)`` (a DataFrame indexed by ``unit_id`` with ``doc_id`` and
        ``text``) and ``docvars`` (indexed by ``doc_id``), such as
        ``corpus_tools.corpus.Corpus``.
    unit : {"document", "paragraph", "sentence"}, default "document"
        The unit of a row.
    pos : bool, default False
        Also record part-of-speech tags (slower; see ``Segmenter.cut_pos``).
    hmm : bool, default False
        Use jieba's HMM for unknown words; see ``Segmenter`` for why it is off.
    segmenter : Segmenter, optional
        A segmenter to use instead of the shared ``get_segmenter(hmm=hmm, engine=engine)``,
        e.g. one with ``extra_words``. Its ``hmm`` setting must equal ``hmm``.
    engine : {"auto", "jieba", "rjieba"}, default "auto"
        The segmentation engine (see ``Segmenter``); the tokens are the same with each.
    n_jobs : int, optional
        Worker processes for segmentation: None decides by size (see :func:`segment_texts`),
        -1 uses every core, 1 stays in this process.
    cache : bool, path-like or TokenCache, default True
        The on-disk token cache (:mod:`corpus_tools.tokencache`): True for the default
        folder, a folder, or False for none.
    progress : bool, default True
        Report progress on large corpora.

    Returns
    -------
    Tokens
        ``docvars`` holds ``doc_id``, the unit's columns (``para_no``, ``sent_no``,
        ``section`` for paragraphs and sentences) and the corpus docvars joined on ``doc_id``.

    Notes
    -----
    ``engine``, ``n_jobs``, ``cache`` and ``progress`` change how fast the tokens come, never
    what they are, so the history records only ``unit``, ``pos``, ``hmm`` and the segmenter.
    ``corpus.units(unit)`` is called once.

    Examples
    --------
    >>> import corpus_tools as ct  # doctest: +SKIP
    >>> toks = ct.tokenize(ct.read_corpus("seeds"), unit="paragraph")  # doctest: +SKIP
    >>> toks.remove(ct.stopwords("zh-official"), min_chars=2)  # doctest: +SKIP
    """
    check_unit(unit)
    if segmenter is None:
        segmenter = get_segmenter(hmm=hmm, engine=engine)
    else:
        if segmenter.hmm != hmm:
            raise ValueError(
                f"segmenter has hmm={segmenter.hmm} but tokenize was called with hmm={hmm}; "
                "pass the same value to both"
            )
        if engine != "auto" and engine != segmenter.engine:
            raise ValueError(
                f"segmenter uses engine {segmenter.engine!r} but tokenize was called with engine={engine!r}"
            )
    units = corpus.units(unit)
    if "doc_id" not in units.columns or "text" not in units.columns:
        raise ValueError("corpus.units() must return doc_id and text columns")
    texts = units["text"].fillna("").astype(str).tolist()
    index = pd.Index(units.index, name="unit_id")
    coded = _segment_codes(texts, segmenter=segmenter, pos=pos, n_jobs=n_jobs, cache=cache, progress=progress)
    del texts
    # Every word of the vocabulary occurs in some text: sorting it is all Tokens' invariant needs.
    words, new_code = sort_vocabulary(list(coded.vocabulary))
    flat, offsets = _assemble(coded.codes, coded.which, new_code)  # empties coded.codes
    flat_tags = tags = None
    if pos:
        tags, new_tag = sort_vocabulary(list(coded.pos_vocabulary))
        flat_tags, _ = _assemble(coded.pos_codes, coded.which, new_tag)
    del coded
    docvars = unit_docvars(units, corpus.docvars)
    docvars.index = index
    step = f"tokenize(unit={unit!r}, pos={pos}, hmm={hmm}, segmenter={segmenter!r})"
    return Tokens._from_sorted(
        codes=flat,
        offsets=offsets,
        vocabulary=words,
        pos_codes=flat_tags,
        pos_vocabulary=tags,
        docvars=docvars,
        unit=unit,
        history=(*tuple(getattr(corpus, "history", ())), step),
    )


def _assemble(parts: list[np.ndarray], which: list[int], new_code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # The codes of text after text (parts[which[k]]), recoded through new_code, written straight
    # into one array: no intermediate copy of the corpus's codes.
    lengths = np.fromiter((len(parts[i]) for i in which), dtype=np.int64, count=len(which))
    offsets = np.zeros(len(which) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    out = np.empty(int(offsets[-1]), dtype=np.int32)
    last_use = {i: k for k, i in enumerate(which)}
    for k, i in enumerate(which):
        np.take(new_code, parts[i], out=out[offsets[k] : offsets[k + 1]])
        if last_use[i] == k:
            # Let each text's codes go once copied, so the corpus's codes are not held twice.
            parts[i] = None
    return out, offsets
