"""The corpus a topic model sees: its units, its vocabulary and its counts.

:func:`topic_corpus` turns a :class:`~corpus_tools.corpus.Corpus` (or ready
:class:`~corpus_tools.tokens.Tokens`) into a :class:`TopicCorpus`: units (paragraphs, sentences,
sentence windows or documents, see :func:`sentence_windows`), stopwords and short tokens removed,
parts of speech and phrases optionally, the vocabulary trimmed and short units dropped until
both settle, with a table of what every step left and errors that say what to change when too
little is left (:class:`TopicInputError`; :class:`TopicCorpusTooSmall` when too few units are left,
and :func:`too_small_sentence`, the sentence a report shows instead of a model).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from ..compat import renamed_parameters
from ..dtm import DocTermMatrix, dtm
from ..tokens import Tokens, tokenize
from ..units import UNITS as DOCUMENT_UNITS
from ..units import check_unit, unit_id

if TYPE_CHECKING:
    from ..corpus import Corpus
    from ..segment import Segmenter

__all__ = ["MIN_UNITS", "UNITS", "TopicCorpus", "TopicCorpusTooSmall", "TopicInputError", "TopicUnit",
           "sentence_windows", "too_small_sentence", "topic_corpus"]

TopicUnit = Literal["document", "paragraph", "sentence", "window"]

#: The units a topic model can take as its documents: the corpus's, and windows of sentences.
UNITS: tuple[str, ...] = (*DOCUMENT_UNITS, "window")
_UNIT_PLURAL = {
    "document": "documents",
    "paragraph": "paragraphs",
    "sentence": "sentences",
    "window": "sentence windows",
}
# What to suggest when a unit leaves too few rows: the next finer unit.
_FINER_UNIT = {
    "document": "unit='paragraph'",
    "paragraph": "unit='sentence' or unit='window'",
    "window": "a smaller window_size or unit='sentence'",
    "sentence": "a larger corpus",
}


#: The fewest units :func:`topic_corpus` returns unless told otherwise (its `min_units`).
MIN_UNITS = 10

#: How a :class:`TopicCorpusTooSmall` message begins; :func:`too_small_sentence` words the rest.
TOO_SMALL = "the corpus is too small for a topic model"


class TopicInputError(ValueError):
    """The chosen units, vocabulary or K leave too little to fit a topic model.

    The message says how much is left, which parameters caused it and what to change.
    """


class TopicCorpusTooSmall(TopicInputError):
    """The corpus has fewer units than the topic model needs.

    Raised before any model is fitted: by :func:`topic_corpus` when fewer than its `min_units`
    units are left (after segmentation or after trimming), and by
    :func:`~corpus_tools.topics.sweep_k` when the units left for training after the held-out
    split are not more than the largest K. A report catches it and shows
    :func:`too_small_sentence` instead of a model.

    Parameters
    ----------
    detail : str
        What is too small and what to do; the message is ``f"{TOO_SMALL}: {detail}"``.
    n_units : int
        The units there are (:attr:`stage` says when they were counted).
    min_units : int
        The fewest units the model needs.
    unit_plural : str
        The unit's name, e.g. ``"paragraphs"``.
    stage : {"segmented", "trimmed", "sweep"}
        Counted after segmentation, after the vocabulary was trimmed, or in the K sweep (the
        units of the topic corpus, whose training part is too small for the largest K).

    Examples
    --------
    >>> error = TopicCorpusTooSmall("it has 3 documents; a topic model needs at least 10",
    ...                             n_units=3, min_units=10, unit_plural="documents", stage="segmented")
    >>> str(error)
    'the corpus is too small for a topic model: it has 3 documents; a topic model needs at least 10'
    >>> isinstance(error, ValueError), error.n_units, error.min_units
    (True, 3, 10)
    """

    def __init__(self, detail: str, *, n_units: int, min_units: int, unit_plural: str, stage: str) -> None:
        super().__init__(f"{TOO_SMALL}: {detail}")
        self.detail = detail
        self.n_units = int(n_units)
        self.min_units = int(min_units)
        self.unit_plural = unit_plural
        self.stage = stage

    def __reduce__(self):  # keyword-only fields: pickle (a worker process's error) through a helper
        return (_rebuild_too_small, (self.detail, self.n_units, self.min_units, self.unit_plural, self.stage))


def _rebuild_too_small(detail: str, n_units: int, min_units: int, unit_plural: str, stage: str) -> TopicCorpusTooSmall:
    return TopicCorpusTooSmall(detail, n_units=n_units, min_units=min_units, unit_plural=unit_plural, stage=stage)


def too_small_sentence(error: TopicCorpusTooSmall) -> str:
    """The sentence a report shows in place of a topic model when the corpus is too small.

    Parameters
    ----------
    error : TopicCorpusTooSmall
        As raised by :func:`topic_corpus` or :func:`~corpus_tools.topics.sweep_k`.

    Returns
    -------
    str
        Markdown: how many units there are, how many the model needs and what to do, and that
        the report's other sections do not depend on the topic model.

    Examples
    --------
    >>> error = TopicCorpusTooSmall("it has 3 documents; a topic model needs at least 10: add documents",
    ...                             n_units=3, min_units=10, unit_plural="documents", stage="segmented")
    >>> print(too_small_sentence(error))
    The corpus is too small for a topic model: it has 3 documents; a topic model needs at least 10: add documents. No topic model is shown; the sections that do not use one are unaffected.
    """
    if not isinstance(error, TopicCorpusTooSmall):
        raise TypeError(f"too_small_sentence takes a TopicCorpusTooSmall, not {type(error).__name__}")
    detail = error.detail.rstrip(". ")
    return (f"{TOO_SMALL[0].upper()}{TOO_SMALL[1:]}: {detail}. No topic model is shown; the sections that do "
            "not use one are unaffected.")


# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------


def sentence_windows(
    corpus: Corpus, size: int, *, within: Literal["document", "paragraph"] = "document"
) -> pd.DataFrame:
    """Group consecutive sentences into windows of `size` sentences.

    Windows make units of similar length where paragraphs are missing or very uneven (scraped
    pages without paragraph breaks, one-sentence captions next to 500-character paragraphs).

    Parameters
    ----------
    corpus : Corpus
        Its body sentences (:meth:`Corpus.sentences`) are grouped, in order.
    size : int
        Sentences per window (a count, at least 1). The last window of a document (or
        paragraph) holds the 1 to `size` sentences that remain.
    within : {"document", "paragraph"}, default "document"
        Let windows run across paragraph breaks (``"document"``), or start afresh with every
        paragraph (``"paragraph"``, so a window never mixes two paragraphs).

    Returns
    -------
    pandas.DataFrame
        Index ``unit_id``, stable for the same corpus and arguments: ``"<doc_id>:w001"``
        (within documents) or ``"<doc_id>:p003:w01"`` (within paragraphs). Columns ``doc_id``,
        ``window_no`` (1-based within the document or paragraph), ``para_no`` and
        ``para_no_end`` (the paragraphs of the first and last sentence), ``n_sentences``,
        ``section`` (of the first sentence) and ``text`` (the sentences joined without
        separator, as they stood in the text).

    Examples
    --------
    >>> from corpus_tools.corpus import corpus_from_texts
    >>> corp = corpus_from_texts({"a": "标题\\n\\n学史明理。学史增信。学史崇德。\\n\\n学史力行。"})
    >>> sentence_windows(corp, 2)[["para_no", "para_no_end", "text"]].to_dict("index")
    {'a:w001': {'para_no': 1, 'para_no_end': 1, 'text': '学史明理。学史增信。'}, \
'a:w002': {'para_no': 1, 'para_no_end': 2, 'text': '学史崇德。学史力行。'}}
    >>> sentence_windows(corp, 2, within="paragraph").index.tolist()
    ['a:p001:w01', 'a:p001:w02', 'a:p002:w01']
    """
    if int(size) != size or size < 1:
        raise ValueError(f"size is a number of sentences, at least 1; got {size!r}")
    if within not in ("document", "paragraph"):
        raise ValueError(f"within must be 'document' or 'paragraph', not {within!r}")
    size = int(size)
    sentences = corpus.sentences()
    columns = ["doc_id", "window_no", "para_no", "para_no_end", "n_sentences", "section", "text"]
    keys = ["doc_id"] if within == "document" else ["doc_id", "para_no"]
    rows: list[tuple[Any, ...]] = []
    ids: list[str] = []
    for _, group in sentences.groupby(keys, sort=False):
        doc_id = group["doc_id"].iloc[0]
        for window_no, start in enumerate(range(0, len(group), size), start=1):
            part = group.iloc[start : start + size]
            first_para, last_para = int(part["para_no"].iloc[0]), int(part["para_no"].iloc[-1])
            ids.append(unit_id(doc_id, None if within == "document" else first_para, window_no=window_no))
            rows.append(
                (doc_id, window_no, first_para, last_para, len(part), part["section"].iloc[0], "".join(part["text"]))
            )
    table = pd.DataFrame(rows, columns=columns)
    table.index = pd.Index(ids, name="unit_id", dtype=object)
    return table


@dataclass(frozen=True)
class _UnitTable:
    """Adapter that lets :func:`tokenize` segment an arbitrary table of units."""

    table: pd.DataFrame
    docvars: pd.DataFrame
    history: tuple[str, ...]

    def units(self, unit: str) -> pd.DataFrame:
        return self.table


# --------------------------------------------------------------------------------------------
# The corpus a topic model sees
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, kw_only=True)
class TopicCorpus:
    """The units, vocabulary and counts a topic model is fitted on.

    Build with :func:`topic_corpus`.

    Attributes
    ----------
    dtm : DocTermMatrix
        One row per kept unit, one column per kept term. ``docvars`` carries the unit's
        columns (``doc_id``, ``para_no`` …), the document's docvars (``group``, ``district`` …),
        ``n_tokens`` (tokens after stopword removal, before trimming) and ``n_model_tokens``
        (tokens the model sees: the row sum).
    tokens : Tokens
        The same units, each token list restricted to the kept terms and in text order: the
        reference texts for sliding-window coherence (``c_v``, ``c_npmi``).
    texts : pandas.Series
        The text of each kept unit (index ``unit_id``), for excerpts.
    unit : str
        ``"document"``, ``"paragraph"``, ``"sentence"`` or ``"window"``.
    steps : pandas.DataFrame
        What each preparation step left: ``step, n_units, n_terms, n_tokens, detail``.
    """

    dtm: DocTermMatrix
    tokens: Tokens
    texts: pd.Series
    unit: str
    steps: pd.DataFrame = field(repr=False)

    @property
    def n_units(self) -> int:
        """int: the number of units (rows)."""
        return self.dtm.n_docs

    @property
    def n_terms(self) -> int:
        """int: the size of the vocabulary (columns)."""
        return self.dtm.n_terms

    @functools.cached_property
    def content_key(self) -> str:
        """str: a hash of what a fit or a coherence score reads from this corpus.

        The counts, the terms and the units' token codes, not the docvars: a corpus read afresh
        and the same corpus loaded from the corpus store hold equal docvars in different layouts
        (Arrow string chunks, what lies under a missing value), and their fits must be one
        result-cache entry (:func:`corpus_tools.resultcache.cached` with ``ignore=("tc",)``).
        """
        import joblib

        matrix, tokens = self.dtm.matrix, self.tokens
        return joblib.hash((self.unit, matrix.shape, matrix.indptr, matrix.indices, matrix.data, self.dtm.terms,
                            tokens.vocabulary, tokens.codes, tokens.offsets))

    @property
    def unit_plural(self) -> str:
        """str: the unit's name in messages, e.g. ``"paragraphs"``."""
        return _UNIT_PLURAL.get(self.unit, f"{self.unit} units")

    def __repr__(self) -> str:
        return (
            f"TopicCorpus({self.n_units} {self.unit_plural} x {self.n_terms} terms, "
            f"{int(self.dtm.matrix.sum())} tokens)"
        )

    def subset(self, rows: np.ndarray) -> TopicCorpus:
        """Return the topic corpus restricted to the units at `rows` (sorted positions), vocabulary unchanged.

        The K sweep and the stability refits fit on such a sample of units.
        """
        keep = np.zeros(self.n_units, dtype=bool)
        keep[np.asarray(rows, dtype=np.int64)] = True
        return dataclasses.replace(self, dtm=self.dtm.subset(keep), tokens=self.tokens.subset(keep),
                                   texts=self.texts[keep])


def _step(tokens: Tokens, name: str, detail: str = "") -> dict[str, Any]:
    # Tokens keep only the words that occur in their vocabulary, so its size is the step's terms.
    return {
        "step": name,
        "n_units": int((tokens.lengths > 0).sum()),
        "n_terms": len(tokens.vocabulary),
        "n_tokens": int(tokens.n_tokens),
        "detail": detail,
    }


def _detect_phrases(tokens: Tokens, *, min_count: int, threshold: float, scoring: str) -> tuple[Tokens, int]:
    from gensim.models.phrases import Phrases

    learner = Phrases(
        list(tokens.tokens), min_count=min_count, threshold=threshold, scoring=scoring, delimiter="_"
    )
    frozen = learner.freeze()
    joined = [frozen[list(words)] for words in tokens.tokens]
    step = f"phrases(min_count={min_count}, threshold={threshold}, scoring={scoring!r}) -> {len(frozen.phrasegrams)} phrases"
    # Joined pairs are new words: the units are coded afresh (without tags, which no pair has).
    phrased = Tokens(tokens=pd.Series(joined, index=tokens.docvars.index, dtype=object, name="tokens"),
                     docvars=tokens.docvars, unit=tokens.unit, history=(*tokens.history, step))
    return phrased, len(frozen.phrasegrams)


@renamed_parameters(min_nchar="min_chars")
def topic_corpus(
    source: Corpus | Tokens,
    *,
    unit: TopicUnit = "paragraph",
    window_size: int = 3,
    window_within: Literal["document", "paragraph"] = "document",
    stopwords: Iterable[str] | str | None = "zh-official",
    extra_stopwords: Iterable[str] = (),
    min_chars: int = 2,
    keep_pos: Sequence[str] | None = None,
    pos_match: Literal["exact", "prefix"] = "exact",
    phrases: bool = False,
    phrase_min_count: int = 5,
    phrase_threshold: float = 10.0,
    phrase_scoring: Literal["default", "npmi"] = "default",
    min_termfreq: int = 1,
    min_docfreq: int = 1,
    max_docfreq_prop: float = 1.0,
    max_terms: int | None = None,
    min_unit_tokens: int = 1,
    min_units: int = MIN_UNITS,
    min_terms: int = 10,
    segmenter: Segmenter | None = None,
) -> TopicCorpus:
    """Segment, filter and trim a corpus into the units and vocabulary of a topic model.

    Parameters
    ----------
    source : Corpus or Tokens
        A :class:`~corpus_tools.corpus.Corpus` (segmented here at `unit`), or
        :class:`~corpus_tools.tokens.Tokens` already segmented (then `unit`, `window_size`,
        `window_within` and `segmenter` are ignored, and a unit's text for excerpts is its
        tokens joined by spaces).
    unit : {"paragraph", "document", "sentence", "window"}, default "paragraph"
        What one LDA document is. ``"window"`` groups `window_size` consecutive sentences
        (:func:`sentence_windows`).
    window_size : int, default 3
        Sentences per window (``unit="window"`` only).
    window_within : {"document", "paragraph"}, default "document"
        Whether windows may cross paragraph breaks (``unit="window"`` only).
    stopwords : str, iterable of str or None, default "zh-official"
        A stopword list of the package (:func:`corpus_tools.lexicons.stopwords`) by name, the
        words themselves, or None for none.
    extra_stopwords : iterable of str, default ()
        Further words to drop, e.g. words that name the genre rather than a topic.
    min_chars : int, default 2
        Drop tokens shorter than this many characters (single characters are mostly
        function words in this register).
    keep_pos : sequence of str, optional
        Keep only tokens with these jieba part-of-speech tags, e.g. ``["n", "nr", "ns", "nz",
        "v", "vn", "l"]`` (nouns, names, place names, verbs, idioms). None keeps every tag and
        skips tagging.
    pos_match : {"exact", "prefix"}, default "exact"
        How `keep_pos` matches tags (see :meth:`Tokens.keep_pos`).
    phrases : bool, default False
        Join word pairs that co-occur far more than chance into one term (``"红色_基因"``)
        with gensim's ``Phrases``; applied after stopword and POS filtering.
    phrase_min_count : int, default 5
        A pair must occur at least this many times (a count).
    phrase_threshold : float, default 10.0
        Minimum score for a pair to be joined (``"default"`` scoring: Mikolov et al. 2013;
        ``"npmi"``: a value in (-1, 1]).
    phrase_scoring : {"default", "npmi"}, default "default"
    min_termfreq : int, default 1
        Keep a term that occurs at least this many times in all kept units (a count).
    min_docfreq : int, default 1
        Keep a term that occurs in at least this many kept units (a count).
    max_docfreq_prop : float, default 1.0
        Keep a term that occurs in at most this share of kept units (a share in [0, 1]).
        The default keeps every term; unlike gensim's ``filter_extremes(no_above=0.5)`` nothing
        common is dropped unless asked.
    max_terms : int, optional
        Then keep only this many most frequent terms (ties broken by code point).
    min_unit_tokens : int, default 1
        Drop units with fewer kept tokens than this (a count): a three-token paragraph says
        little about its topics and gets extreme topic shares.
    min_units : int, default 10
        Refuse (with :class:`TopicCorpusTooSmall`) to return fewer units than this (a count):
        before any model is fitted, the error says how many units the corpus has and what to do.
        :meth:`TopicSettings.corpus_args <corpus_tools.topics.TopicSettings.corpus_args>` sets
        it to what the report's K sweep needs.
    min_terms : int, default 10
        Refuse (with :class:`TopicInputError`) to return fewer terms than this (a count).
    segmenter : Segmenter, optional
        Passed to :func:`corpus_tools.tokens.tokenize`.

    Returns
    -------
    TopicCorpus
        Its ``steps`` table says how many units, terms and tokens each step left.

    Raises
    ------
    TopicCorpusTooSmall
        If fewer than `min_units` units remain (a :class:`TopicInputError`); the message says
        how many the corpus has before and after trimming and what to change.
    TopicInputError
        If fewer than `min_terms` terms remain; the message names the parameters to change.

    Notes
    -----
    Term trimming and the removal of short units affect each other (dropping a unit lowers
    document frequencies; dropping a term shortens units), so the two are applied in turn
    until neither changes anything: every kept term then satisfies `min_termfreq`,
    `min_docfreq` and `max_docfreq_prop` in the kept units, and every kept unit has at least
    `min_unit_tokens` tokens. Shares refer to the kept units.

    Examples
    --------
    >>> import pandas as pd
    >>> from corpus_tools.tokens import Tokens
    >>> idx = pd.Index([f"u{i}" for i in range(4)], name="unit_id")
    >>> toks = Tokens(tokens=pd.Series([["粮食", "种植"], ["粮食", "农业"], ["学校", "学生"], ["学校", "教育"]],
    ...                                index=idx),
    ...               docvars=pd.DataFrame({"doc_id": ["a", "a", "b", "b"]}, index=idx), unit="paragraph")
    >>> tc = topic_corpus(toks, min_docfreq=2, min_units=2, min_terms=2)
    >>> tc.dtm.terms, tc.n_units
    (('学校', '粮食'), 4)
    """
    from .. import lexicons

    if isinstance(source, Tokens):
        tokens = source
        texts = tokens.tokens.map(" ".join)
        unit_name = tokens.unit
    else:
        unit_name = check_unit(unit, allowed=UNITS)
        pos = keep_pos is not None
        if unit == "window":
            windows = sentence_windows(source, window_size, within=window_within)
            adapter = _UnitTable(windows, source.docvars, tuple(getattr(source, "history", ())))
            tokens = tokenize(adapter, unit="sentence", pos=pos, segmenter=segmenter, hmm=getattr(segmenter, "hmm", False))
            step = f"tokenize(unit='window', window_size={window_size}, window_within={window_within!r}, pos={pos})"
            tokens = Tokens.from_codes(codes=tokens.codes, offsets=tokens.offsets, vocabulary=tokens.vocabulary,
                                       pos_codes=tokens.pos_codes, pos_vocabulary=tokens.pos_vocabulary,
                                       docvars=tokens.docvars, unit="window", history=(*tokens.history[:-1], step),
                                       vocabulary_sorted=True)
            texts = windows["text"]
        else:
            tokens = tokenize(source, unit=unit, pos=pos, segmenter=segmenter, hmm=getattr(segmenter, "hmm", False))
            texts = source.units(unit)["text"]
        texts = pd.Series(texts.to_numpy(dtype=object), index=tokens.docvars.index, name="text", dtype=object)

    plural = _UNIT_PLURAL.get(unit_name, f"{unit_name} units")
    steps = [_step(tokens, f"segmented into {plural}")]
    if len(tokens) == 0:
        raise TopicCorpusTooSmall(f"it has no {plural}: check corpus_dir and that the texts have a body",
                                  n_units=0, min_units=min_units, unit_plural=plural, stage="segmented")
    n_segmented = steps[0]["n_units"]

    words: set[str] = set()
    if isinstance(stopwords, str):
        words |= lexicons.stopwords(stopwords)  # type: ignore[arg-type]
    elif stopwords is not None:
        words |= set(stopwords)
    extra = [extra_stopwords] if isinstance(extra_stopwords, str) else list(extra_stopwords)
    words |= set(extra)
    tokens = tokens.remove(words, min_chars=min_chars)
    steps.append(
        _step(tokens, "stopwords, punctuation, numbers, short tokens removed",
              f"{len(words)} stopwords, min_chars={min_chars}")
    )
    if keep_pos is not None:
        tokens = tokens.keep_pos(keep_pos, match=pos_match)
        steps.append(_step(tokens, "part-of-speech filter", f"keep_pos={list(keep_pos)}, match={pos_match!r}"))
    if phrases:
        tokens, n_phrases = _detect_phrases(
            tokens, min_count=phrase_min_count, threshold=phrase_threshold, scoring=phrase_scoring
        )
        steps.append(
            _step(tokens, "phrases joined",
                  f"{n_phrases} phrases (min_count={phrase_min_count}, threshold={phrase_threshold})")
        )
    elif tokens.pos is not None:
        # The tags have done their work (keep_pos); the model's token lists carry words only.
        tokens = Tokens.from_codes(codes=tokens.codes, offsets=tokens.offsets, vocabulary=tokens.vocabulary,
                                   docvars=tokens.docvars, unit=tokens.unit, history=tokens.history,
                                   vocabulary_sorted=True)

    counts = dtm(tokens)
    keep = np.ones(counts.n_docs, dtype=bool)
    for _ in range(100):  # a fixed point is reached in a few rounds; the bound is a safeguard
        trimmed = counts.subset(keep).trim(
            min_termfreq=min_termfreq,
            min_docfreq=min_docfreq,
            max_docfreq_prop=max_docfreq_prop,
            max_terms=max_terms,
        )
        short = np.asarray(trimmed.matrix.sum(axis=1)).ravel() < max(min_unit_tokens, 1)
        if not short.any():
            break
        keep[np.flatnonzero(keep)[short]] = False
    trim_detail = (
        f"min_termfreq={min_termfreq}, min_docfreq={min_docfreq}, max_docfreq_prop={max_docfreq_prop}, "
        f"max_terms={max_terms}, min_unit_tokens={min_unit_tokens}"
    )
    n_kept = int(keep.sum())
    if n_kept < min_units:
        # Checked after trimming, so that one message says both what the corpus has and what the
        # thresholds left; nothing has been fitted yet.
        advice = []
        if n_segmented < min_units:
            advice.append(f"add documents (the corpus has {n_segmented} non-empty {plural} before trimming)")
        if n_kept < n_segmented:
            advice.append("lower min_docfreq, min_termfreq or min_unit_tokens")
        advice.append(f"use {_FINER_UNIT.get(unit_name, 'more units')}")
        raise TopicCorpusTooSmall(
            f"only {n_kept} {plural} remain after trimming ({trim_detail}); a topic model needs at "
            f"least {min_units}: {', '.join(advice[:-1])}{', or ' if len(advice) > 1 else ''}{advice[-1]}",
            n_units=n_kept, min_units=min_units, unit_plural=plural,
            stage="segmented" if n_segmented < min_units else "trimmed",
        )
    if trimmed.n_terms < min_terms:
        raise TopicInputError(
            f"only {trimmed.n_terms} terms remain after trimming ({trim_detail}); a topic model needs "
            f"at least {min_terms}: lower min_docfreq or min_termfreq, raise max_docfreq_prop or "
            "max_terms, or keep more parts of speech (keep_pos)"
        )

    docvars = trimmed.docvars.assign(
        n_model_tokens=np.asarray(trimmed.matrix.sum(axis=1), dtype=np.int64).ravel())
    final = DocTermMatrix(matrix=trimmed.matrix, terms=trimmed.terms, docvars=docvars, history=trimmed.history)
    steps.append(
        {
            "step": "vocabulary trimmed, short units dropped",
            "n_units": final.n_docs,
            "n_terms": final.n_terms,
            "n_tokens": int(final.matrix.sum()),
            "detail": trim_detail,
        }
    )
    return TopicCorpus(
        dtm=final,
        tokens=tokens.subset(keep).keep(final.terms),
        texts=texts[keep],
        unit=unit_name,
        steps=pd.DataFrame(steps, columns=["step", "n_units", "n_terms", "n_tokens", "detail"]),
    )
