"""Segmenting a corpus into Tokens: many texts, once each, from the cache, on several cores.

:func:`tokenize` (``Corpus -> Tokens``) and :func:`segment_texts` are built for corpora of any
size: each distinct text is segmented once, results come from the on-disk token cache when they
are there (:mod:`corpus_tools.segment.cache`), large jobs are spread over worker processes, and each
segmented batch is coded at once (:mod:`corpus_tools.tokens.codes`), so a corpus's tokens never
exist as Python strings all together. None of this changes a single token: the same corpus gives
the same :class:`~corpus_tools.tokens.Tokens` with or without cache, in one process or several,
with either engine.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from ..segment import cache as tokencache
from ..parallel import batch_chars, batches_by_size, frozen_gc, mp_context, n_workers, worker_pool
from ..progress import progress as _progress
from ..segment import Engine, Segmenter, get_segmenter
from ..units import Unit, check_unit, unit_docvars
from .codes import encode_tokens, sort_vocabulary
from .core import Tokens

__all__ = ["PARALLEL_MIN_CHARS", "segment_texts", "tokenize"]


class _CorpusLike(Protocol):
    """What :func:`tokenize` needs from a corpus (satisfied by ``corpus_tools.corpus.Corpus``)."""

    docvars: pd.DataFrame

    def units(self, unit: str) -> pd.DataFrame: ...


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
        Where to look up and store results; see :func:`corpus_tools.segment.cache.open_cache`
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
    # The package's batch rule; its upper bound also bounds the memory of a batch's words,
    # which exist as Python strings until they are coded.
    batches = batches_by_size(todo, [len(text) for text in todo], batch_chars(n_chars, workers))
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
        try:
            with frozen_gc(context), worker_pool(workers, context, initializer=_init_worker,
                                                  initargs=(segmenter,)) as executor:
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
        The on-disk token cache (:mod:`corpus_tools.segment.cache`): True for the default
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
    return Tokens.from_codes(
        codes=flat,
        offsets=offsets,
        vocabulary=words,
        pos_codes=flat_tags,
        pos_vocabulary=tags,
        docvars=docvars,
        unit=unit,
        history=(*tuple(getattr(corpus, "history", ())), step),
        vocabulary_sorted=True,
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
