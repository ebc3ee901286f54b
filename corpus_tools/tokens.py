"""Tokens: segmented text units with their document variables.

The second stage of the pipeline (``Corpus -> Tokens -> DocTermMatrix``). A :class:`Tokens`
object holds one list of words per unit (document, paragraph or sentence), optional
part-of-speech tags, the unit's docvars and a history of what was done to it. Every method
returns a new :class:`Tokens`; nothing is changed in place.

:func:`tokenize` (through :func:`segment_texts`) is built for corpora of any size: each distinct
text is segmented once, results come from the on-disk token cache when they are there
(:mod:`corpus_tools.tokencache`), and large jobs are spread over worker processes. None of
this changes a single token: the same corpus gives the same :class:`Tokens` with or without
cache, in one process or several, with either engine.
"""

from __future__ import annotations

import gc
import logging
import os
import re
import unicodedata
import warnings
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np
import pandas as pd

from . import tokencache
from .parallel import batches_by_size, mp_context, n_workers, worker_pool
from .progress import progress as _progress
from .segment import Engine, Segmenter, get_segmenter

__all__ = ["PARALLEL_MIN_CHARS", "Tokens", "segment_texts", "tokenize"]

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
    if segmenter is None:
        segmenter = get_segmenter()
    texts = list(texts)
    store = tokencache.open_cache(cache)
    unique = list(dict.fromkeys(texts))
    results: dict[str, tuple[list[str], list[str] | None]] = {}
    keys: dict[str, bytes] = {}
    if store is not None and unique:
        keys = dict(zip(unique, tokencache.unit_keys(unique, segmenter, pos=pos)))
        found = store.get_many(keys.values())
        for text, key in keys.items():
            value = found.get(key)
            if value is None:
                continue
            try:
                results[text] = tokencache.decode(value, pos=pos)
            except ValueError:
                logger.warning("token cache: unreadable entry for a text of %d characters; recomputing", len(text))
    todo = [text for text in unique if text not in results]
    n_chars = sum(len(text) for text in todo)
    context = mp_context()
    threshold = PARALLEL_MIN_CHARS.get(segmenter.engine, PARALLEL_MIN_CHARS["jieba"])[context.get_start_method()]
    workers = n_workers(n_jobs, n_chars, threshold)
    # Batches of at least _MIN_BATCH_CHARS, except that a small job asked for on several
    # workers is still split so that each gets a share.
    batch_chars = max(
        1, min(_MIN_BATCH_CHARS, -(-n_chars // workers)), -(-n_chars // (workers * _BATCHES_PER_WORKER))
    )
    batches = batches_by_size(todo, [len(text) for text in todo], batch_chars)
    workers = min(workers, len(batches))
    show = progress and len(batches) > 1
    computed: list = []
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
                    computed.extend(batch_result)
        except BrokenProcessPool as error:
            # A worker died: killed for memory, or (with "spawn") a script that starts work at
            # import time without an `if __name__ == "__main__":` guard. Do it here instead.
            warnings.warn(f"segmentation workers failed ({error}); segmenting in this process",
                          RuntimeWarning, stacklevel=2)
            computed, workers = [], 1
        finally:
            if freeze:
                gc.unfreeze()
    if workers <= 1:
        for batch in _progress(batches, desc="segmenting", total=len(batches), unit="batch", enabled=show):
            computed.extend(_cut_one(segmenter, text, pos) for text in batch)
    new_entries = []
    for text, result in zip(todo, computed):
        if isinstance(result, str):
            encoded, result = result, tokencache.decode(result, pos=pos)
        elif store is not None:
            encoded = tokencache.encode(*result)
        else:
            encoded = None
        results[text] = result
        if store is not None and encoded is not None:
            new_entries.append((keys[text], encoded))
    if store is not None and new_entries:
        store.put_many(new_entries)
    words = _own_lists([results[text][0] for text in texts])
    tags = _own_lists([results[text][1] for text in texts]) if pos else None
    return words, tags


def _own_lists(lists: list[list[str]]) -> list[list[str]]:
    # A text that occurs twice gets its own copy of the list, so that editing one unit's
    # tokens can never change another's.
    seen: set[int] = set()
    for i, items in enumerate(lists):
        if id(items) in seen:
            lists[i] = list(items)
        seen.add(id(items))
    return lists


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
    >>> toks.remove(ct.stopwords("zh-official"), min_nchar=2)  # doctest: +SKIP
    """
    if unit not in _UNITS:
        raise ValueError(f"unit must be one of {_UNITS}, got {unit!r}")
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
    words, tag_lists = segment_texts(
        texts, segmenter=segmenter, pos=pos, n_jobs=n_jobs, cache=cache, progress=progress
    )
    tags = None
    if pos:
        tags = pd.Series(tag_lists, index=index, dtype=object, name="pos")
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
