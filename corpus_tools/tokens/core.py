"""Tokens: segmented text units with their document variables.

The second stage of the pipeline (``Corpus -> Tokens -> DocTermMatrix``). A :class:`Tokens`
object holds the words of each unit (document, paragraph or sentence), optional
part-of-speech tags, the unit's docvars and a history of what was done to it. Every method
returns a new :class:`Tokens`; nothing is changed in place.

Words are held as integer codes over one sorted vocabulary (:mod:`corpus_tools.tokens.codes`),
as quanteda holds its tokens, and :func:`corpus_tools.dtm.dtm` counts the codes directly.
``Tokens.tokens`` gives the lists of strings on demand. :func:`~corpus_tools.tokens.tokenize`
(in :mod:`corpus_tools.tokens.segmenting`) builds them from a corpus.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from ..compat import renamed_parameters
from ..units import Where, select_units
from .codes import compact_codes, encode_tokens, split_codes

__all__ = ["Tokens"]

# Arabic numerals with optional thousands separators or decimals and an optional percent sign;
# \d also covers full-width digits. Chinese numerals (一, 两, 百) are words, not numbers here.
_NUMBER = re.compile(r"[+\-]?\d+(?:[.,．，]\d+)*[%％]?")


def _is_punctuation(token: str) -> bool:
    # Unicode categories P* (punctuation), S* (symbols: % + ■ ～) and Z* (separators).
    return all(unicodedata.category(ch)[0] in "PSZ" or ch.isspace() for ch in token)


def _is_number(token: str) -> bool:
    return _NUMBER.fullmatch(token) is not None


def _check_sorted(words: Sequence[str], name: str) -> None:
    # Strictly increasing: sorted in code-point order and no word twice.
    if any(not isinstance(a, str) or not a < b for a, b in zip(words, words[1:])):
        raise ValueError(f"{name} is not in code-point order without repeats; pass vocabulary_sorted=False")


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
        codes, words = compact_codes(codes, list(vocabulary))
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        pos_codes = pos_words = None
        if pos is not None:
            if not pos.index.equals(tokens.index):
                raise ValueError("pos must share the tokens' index")
            pos_codes, pos_lengths, pos_vocabulary = encode_tokens(list(pos))
            if not np.array_equal(pos_lengths, lengths):
                raise ValueError("pos must hold one tag per token in every unit")
            pos_codes, pos_words = compact_codes(pos_codes, list(pos_vocabulary))
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
        vocabulary_sorted: bool = False,
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
        vocabulary_sorted : bool, default False
            ``vocabulary`` and ``pos_vocabulary`` are already in code-point order (checked), so
            only words no token uses are dropped: what :func:`~corpus_tools.tokens.tokenize`
            passes, saving a sort of the vocabulary.

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
        if vocabulary_sorted:
            _check_sorted(vocabulary, "vocabulary")
        elif len(set(vocabulary)) != len(vocabulary):
            raise ValueError("vocabulary must not repeat a word")
        codes, words = compact_codes(codes.astype(np.int32, copy=False), vocabulary, is_sorted=vocabulary_sorted)
        pos_words = None
        if pos_codes is not None:
            if pos_vocabulary is None:
                raise ValueError("pos_codes needs pos_vocabulary")
            pos_codes = np.asarray(pos_codes)
            if pos_codes.shape != codes.shape:
                raise ValueError("pos must hold one tag per token in every unit")
            if vocabulary_sorted:
                _check_sorted(pos_vocabulary, "pos_vocabulary")
            pos_codes, pos_words = compact_codes(
                pos_codes.astype(np.int32, copy=False), pos_vocabulary, is_sorted=vocabulary_sorted
            )
        self = object.__new__(cls)
        self._set(
            codes=codes, offsets=offsets, vocabulary=words, pos_codes=pos_codes, pos_vocabulary=pos_words,
            docvars=docvars, unit=unit, history=history,
        )
        return self

    @classmethod
    def _from_sorted(cls, **values) -> Tokens:
        # For this class's own methods, which already hold int32 codes over a sorted vocabulary
        # of words that all occur: from_codes without its checks and renumbering.
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
        codes, words = compact_codes(codes, self.vocabulary, is_sorted=True)
        pos_words = None
        if pos_codes is not None:
            pos_codes, pos_words = compact_codes(pos_codes, self.pos_vocabulary, is_sorted=True)
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
        words = split_codes(self.vocabulary[self.codes], self.offsets)
        return pd.Series(words, index=self.docvars.index, dtype=object, name="tokens")

    @property
    def pos(self) -> pd.Series | None:
        """pandas.Series or None: one ``list[str]`` of tags per unit, aligned with :attr:`tokens`."""
        if self.pos_codes is None:
            return None
        tags = split_codes(self.pos_vocabulary[self.pos_codes], self.offsets)
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
