"""Tokens: segmented text units with their document variables.

The second stage of the pipeline (``Corpus -> Tokens -> DocTermMatrix``). A :class:`Tokens`
object holds one list of words per unit (document, paragraph or sentence), optional
part-of-speech tags, the unit's docvars and a history of what was done to it. Every method
returns a new :class:`Tokens`; nothing is changed in place.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np
import pandas as pd

from .segment import Segmenter, get_segmenter

__all__ = ["Tokens", "tokenize"]

Unit = Literal["document", "paragraph", "sentence"]
_UNITS: tuple[str, ...] = ("document", "paragraph", "sentence")

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


@dataclass(frozen=True, eq=False, kw_only=True)
class Tokens:
    """Segmented text units with document variables, tags and a processing history.

    Build with :func:`tokenize`; the constructor is for code that already holds aligned
    pieces.

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
        ``"remove(words=248, min_nchar=2, pos=None, keep_numbers=False)"``.

    Notes
    -----
    The dataclass is frozen, but the Series and DataFrame inside it are not; methods never
    modify them, and callers should not either.
    """

    tokens: pd.Series
    pos: pd.Series | None = None
    docvars: pd.DataFrame
    unit: str
    history: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.tokens.index.equals(self.docvars.index):
            raise ValueError("tokens and docvars must share the same unit_id index, in the same order")
        if not self.tokens.index.is_unique:
            raise ValueError("unit_id index must be unique")
        if "doc_id" not in self.docvars.columns:
            raise ValueError("docvars needs a doc_id column")
        if self.pos is not None:
            if not self.pos.index.equals(self.tokens.index):
                raise ValueError("pos must share the tokens' index")
            lengths_differ = self.pos.map(len).to_numpy() != self.tokens.map(len).to_numpy()
            if lengths_differ.any():
                raise ValueError("pos must hold one tag per token in every unit")

    # -- size ---------------------------------------------------------------------------------

    def __len__(self) -> int:
        """Return the number of units."""
        return len(self.tokens)

    @property
    def n_tokens(self) -> int:
        """int: the total number of tokens over all units."""
        return int(self.tokens.map(len).sum())

    def __repr__(self) -> str:
        tagged = ", tagged" if self.pos is not None else ""
        n_docs = self.docvars["doc_id"].nunique()
        return (
            f"Tokens({len(self)} {self.unit} units from {n_docs} documents, "
            f"{self.n_tokens} tokens{tagged})"
        )

    # -- transformations ----------------------------------------------------------------------

    def _filter(self, keep: Callable[[str, str | None], bool], step: str) -> Tokens:
        new_tokens: list[list[str]] = []
        new_pos: list[list[str]] | None = [] if self.pos is not None else None
        tag_lists = self.pos if self.pos is not None else [None] * len(self.tokens)
        for words, tags in zip(self.tokens, tag_lists):
            if tags is None:
                new_tokens.append([w for w in words if keep(w, None)])
            else:
                kept = [(w, t) for w, t in zip(words, tags) if keep(w, t)]
                new_tokens.append([w for w, _ in kept])
                new_pos.append([t for _, t in kept])
        index = self.tokens.index
        return Tokens(
            tokens=pd.Series(new_tokens, index=index, dtype=object, name="tokens"),
            pos=None if new_pos is None else pd.Series(new_pos, index=index, dtype=object, name="pos"),
            docvars=self.docvars,
            unit=self.unit,
            history=(*self.history, step),
        )

    def remove(
        self,
        words: Iterable[str] = (),
        *,
        min_nchar: int = 1,
        pos: Collection[str] | None = None,
        keep_numbers: bool = False,
    ) -> Tokens:
        """Drop stopwords, short tokens, punctuation and numbers.

        Parameters
        ----------
        words : iterable of str, default ()
            Words to drop, matched exactly, e.g. ``lexicons.stopwords("zh-official")``.
        min_nchar : int, default 1
            Drop tokens with fewer characters than this; ``min_nchar=2`` drops single
            characters.
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
        >>> toks.remove({"深入", "开展"}, min_nchar=2).tokens.iloc[0]
        ['学党史']
        """
        if isinstance(words, str):
            # A bare string would otherwise be read as a set of characters.
            words = (words,)
        wordset = frozenset(words)
        if int(min_nchar) != min_nchar or min_nchar < 1:
            raise ValueError(f"min_nchar must be a positive integer, got {min_nchar!r}")
        if pos is not None:
            if self.pos is None:
                raise ValueError("these tokens carry no POS tags; tokenize with pos=True")
            if isinstance(pos, str):
                pos = (pos,)
            posset = frozenset(pos)
        else:
            posset = frozenset()

        def keep(word: str, tag: str | None) -> bool:
            if word in wordset or len(word) < min_nchar or _is_punctuation(word):
                return False
            if not keep_numbers and _is_number(word):
                return False
            return tag not in posset

        pos_repr = None if pos is None else tuple(sorted(posset))
        step = (
            f"remove(words={len(wordset)}, min_nchar={min_nchar}, pos={pos_repr!r}, "
            f"keep_numbers={keep_numbers})"
        )
        return self._filter(keep, step)

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
        if self.pos is None:
            raise ValueError("these tokens carry no POS tags; tokenize with pos=True")
        if match not in ("exact", "prefix"):
            raise ValueError(f"match must be 'exact' or 'prefix', got {match!r}")
        tagset = (tags,) if isinstance(tags, str) else tuple(dict.fromkeys(tags))
        if match == "exact":
            allowed = frozenset(tagset)

            def keep(word: str, tag: str | None) -> bool:
                return tag in allowed

        else:

            def keep(word: str, tag: str | None) -> bool:
                return tag is not None and tag.startswith(tagset)

        return self._filter(keep, f"keep_pos(tags={tuple(sorted(tagset))!r}, match={match!r})")

    def subset(
        self,
        where: pd.Series | Sequence[bool] | np.ndarray | Callable[[pd.DataFrame], pd.Series] | None = None,
        *,
        doc_ids: Iterable[str] | None = None,
    ) -> Tokens:
        """Keep the units that satisfy a condition, in their original order.

        Parameters
        ----------
        where : boolean Series, boolean sequence, or callable, optional
            A boolean Series indexed by ``unit_id`` (e.g. ``toks.docvars["section"] != ""``),
            a boolean sequence in unit order, or a function taking ``docvars`` and returning
            such a Series.
        doc_ids : iterable of str, optional
            Keep only units of these documents.

        Returns
        -------
        Tokens
            The selected units; when both arguments are given, units must satisfy both.
        """
        keep = np.ones(len(self), dtype=bool)
        described: list[str] = []
        if where is not None:
            mask = where(self.docvars) if callable(where) else where
            if isinstance(mask, pd.Series):
                if not pd.api.types.is_bool_dtype(mask.dtype):
                    raise ValueError("where must be boolean")
                if not mask.index.equals(self.docvars.index):
                    if set(mask.index) != set(self.docvars.index):
                        raise ValueError("a boolean Series for where must be indexed by unit_id")
                    mask = mask.reindex(self.docvars.index)
                # A missing value in a nullable boolean mask means "not selected".
                mask = mask.to_numpy(dtype=bool, na_value=False)
            mask = np.asarray(mask)
            if mask.dtype != bool or mask.shape != (len(self),):
                raise ValueError(f"where must give one boolean per unit ({len(self)})")
            keep &= mask
            described.append("where=<mask>")
        if doc_ids is not None:
            wanted = [doc_ids] if isinstance(doc_ids, str) else list(doc_ids)
            unknown = sorted(set(wanted) - set(self.docvars["doc_id"]))
            if unknown:
                raise KeyError(f"unknown doc_ids: {unknown}")
            keep &= self.docvars["doc_id"].isin(wanted).to_numpy()
            described.append(f"doc_ids={sorted(set(wanted))!r}")
        step = f"subset({', '.join(described)}) -> {int(keep.sum())} of {len(self)} units"
        return Tokens(
            tokens=self.tokens[keep],
            pos=None if self.pos is None else self.pos[keep],
            docvars=self.docvars[keep],
            unit=self.unit,
            history=(*self.history, step),
        )

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
        lengths = self.tokens.map(len).to_numpy(dtype=np.int64)
        total = int(lengths.sum())
        starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        frame = pd.DataFrame(
            {
                "unit_id": np.repeat(self.tokens.index.to_numpy(dtype=object), lengths),
                "doc_id": np.repeat(self.docvars["doc_id"].to_numpy(dtype=object), lengths),
                "position": np.arange(total, dtype=np.int64) - starts + 1,
                "token": [word for words in self.tokens for word in words],
            }
        )
        if self.pos is not None:
            frame["pos"] = [tag for tags in self.pos for tag in tags]
        return frame


def _unit_docvars(units: pd.DataFrame, doc_docvars: pd.DataFrame) -> pd.DataFrame:
    unit_columns = [column for column in units.columns if column != "text"]
    # The unit's own columns win over same-named document columns: they are more specific.
    doc_columns = [column for column in doc_docvars.columns if column not in unit_columns]
    docvars = units[unit_columns].join(doc_docvars[doc_columns], on="doc_id")
    docvars.index.name = "unit_id"
    return docvars


def tokenize(
    corpus: _CorpusLike,
    *,
    unit: Unit = "document",
    pos: bool = False,
    hmm: bool = False,
    segmenter: Segmenter | None = None,
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
        A segmenter to use instead of the shared ``get_segmenter(hmm=hmm)``, e.g. one with
        ``extra_words``. Its ``hmm`` setting must equal ``hmm``.

    Returns
    -------
    Tokens
        ``docvars`` holds ``doc_id``, the unit's columns (``para_no``, ``sent_no``,
        ``section`` for paragraphs and sentences) and the corpus docvars joined on ``doc_id``.

    Examples
    --------
    >>> import corpus_tools as ct  # doctest: +SKIP
    >>> toks = ct.tokenize(ct.read_corpus("seeds"), unit="paragraph")  # doctest: +SKIP
    >>> toks.remove(ct.stopwords("zh-official"), min_nchar=2)  # doctest: +SKIP
    """
    if unit not in _UNITS:
        raise ValueError(f"unit must be one of {_UNITS}, got {unit!r}")
    if segmenter is None:
        segmenter = get_segmenter(hmm=hmm)
    elif segmenter.hmm != hmm:
        raise ValueError(
            f"segmenter has hmm={segmenter.hmm} but tokenize was called with hmm={hmm}; "
            "pass the same value to both"
        )
    units = corpus.units(unit)
    if "doc_id" not in units.columns or "text" not in units.columns:
        raise ValueError("corpus.units() must return doc_id and text columns")
    texts = units["text"].fillna("").astype(str)
    index = pd.Index(units.index, name="unit_id")
    tags: pd.Series | None = None
    if pos:
        tagged = [segmenter.cut_pos(text) for text in texts]
        words = [[word for word, _ in pairs] for pairs in tagged]
        tags = pd.Series([[tag for _, tag in pairs] for pairs in tagged], index=index, dtype=object, name="pos")
    else:
        words = [segmenter.cut(text) for text in texts]
    docvars = _unit_docvars(units, corpus.docvars)
    docvars.index = index
    step = f"tokenize(unit={unit!r}, pos={pos}, hmm={hmm}, segmenter={segmenter!r})"
    return Tokens(
        tokens=pd.Series(words, index=index, dtype=object, name="tokens"),
        pos=tags,
        docvars=docvars,
        unit=unit,
        history=(*tuple(getattr(corpus, "history", ())), step),
    )
