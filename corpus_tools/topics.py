"""Topic models: LDA on paragraphs (or other units), K chosen by coherence, stability across seeds.

A handful of articles are far too few documents for LDA, so the unit of a topic model is
usually the paragraph; docvars travel with every unit, so topics aggregate by district or any
other docvar afterwards. The stages, each an object or a tidy table::

    Corpus ──topic_corpus──▶ TopicCorpus ──sweep_k──▶ KSweep ──choose_k──▶ KChoice
                             (Tokens + trimmed          (coherence and held-out
                              DocTermMatrix + texts)     perplexity for every K)
           ──fit_lda──▶ TopicModel ──▶ terms, doc_topics, group_shares, representative
           ──stability──▶ Stability (refits with other seeds, topics aligned by Hungarian matching)

Every fit takes an explicit ``random_state``; with ``workers=1`` the same inputs give the same
tables. Models are trained by streaming rows of the sparse matrix
(:class:`gensim.matutils.Sparse2Corpus`); no dense document-term matrix is ever built, so the
same code fits 100,000 paragraphs (see ``benchmarks/topics_scaling.py``).

gensim, scipy's optimisers and pyLDAvis are imported only inside the functions that need them.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .dtm import DocTermMatrix, dtm
from .progress import progress as progress_bar
from .resultcache import cached
from .tokens import Tokens, tokenize

if TYPE_CHECKING:
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

    from .corpus import Corpus
    from .segment import Segmenter

__all__ = [
    "BROWSER_FILENAME",
    "KChoice",
    "KSweep",
    "Stability",
    "TopicCorpus",
    "TopicInputError",
    "TopicModel",
    "align_topics",
    "choose_k",
    "coherence",
    "fit_lda",
    "js_distances",
    "relevance",
    "sentence_windows",
    "stability",
    "sweep_k",
    "topic_corpus",
    "window_counts",
    "write_topic_browser",
]

logger = logging.getLogger(__name__)

TopicUnit = Literal["document", "paragraph", "sentence", "window"]
Alpha = Literal["symmetric", "asymmetric", "auto"] | float
Eta = Literal["symmetric", "auto"] | float | None
KRule = Literal["coherence", "c_v", "c_npmi", "perplexity"]

_UNITS: tuple[str, ...] = ("document", "paragraph", "sentence", "window")
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

#: File written by :func:`write_topic_browser` into the output folder.
BROWSER_FILENAME = "topic_browser.html"

#: λ used for the short topic labels (Sievert & Shirley 2014 found 0.6 best for interpretation).
LABEL_LAMBDA = 0.6
#: Terms in a topic label.
LABEL_TERMS = 3

#: Default `tol` of the fits: stop when a pass changes the per-word bound by less than 0.001 %.
DEFAULT_TOL = 1e-5
#: Default `sample_units` of the K sweep and the stability refits.
DEFAULT_SAMPLE_UNITS = 5000
#: Training units whose bound is computed after every pass (a fixed sample when there are more):
#: gensim's bound re-infers every unit's topic shares, as costly as a training pass on all units.
BOUND_UNITS = 1000

#: Coherence measures computed for every K (gensim ``CoherenceModel`` names).
COHERENCE_MEASURES: tuple[str, ...] = ("c_v", "c_npmi")


class TopicInputError(ValueError):
    """The chosen units, vocabulary or K leave too little to fit a topic model.

    The message says how much is left, which parameters caused it and what to change.
    """


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
            if within == "document":
                ids.append(f"{doc_id}:w{window_no:03d}")
            else:
                ids.append(f"{doc_id}:p{first_para:03d}:w{window_no:02d}")
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

    @property
    def unit_plural(self) -> str:
        """str: the unit's name in messages, e.g. ``"paragraphs"``."""
        return _UNIT_PLURAL.get(self.unit, f"{self.unit} units")

    def __repr__(self) -> str:
        return (
            f"TopicCorpus({self.n_units} {self.unit_plural} x {self.n_terms} terms, "
            f"{int(self.dtm.matrix.sum())} tokens)"
        )


def _subset(tc: TopicCorpus, rows: np.ndarray) -> TopicCorpus:
    """The topic corpus restricted to `rows` (sorted positions), vocabulary unchanged."""
    keep = np.zeros(tc.n_units, dtype=bool)
    keep[rows] = True
    return dataclasses.replace(
        tc,
        dtm=DocTermMatrix(matrix=tc.dtm.matrix[rows], terms=tc.dtm.terms, docvars=tc.dtm.docvars.iloc[rows],
                          history=tc.dtm.history),
        tokens=tc.tokens.subset(keep),
        texts=tc.texts.iloc[rows],
    )


def _step(tokens: Tokens, name: str, detail: str = "") -> dict[str, Any]:
    lengths = tokens.tokens.map(len)
    vocabulary = {word for words in tokens.tokens for word in words}
    return {
        "step": name,
        "n_units": int((lengths > 0).sum()),
        "n_terms": len(vocabulary),
        "n_tokens": int(lengths.sum()),
        "detail": detail,
    }


def _with_tokens(tokens: Tokens, lists: Iterable[list[str]], step: str, *, keep_pos: bool = False) -> Tokens:
    return Tokens(
        tokens=pd.Series(list(lists), index=tokens.tokens.index, dtype=object, name="tokens"),
        pos=tokens.pos if keep_pos else None,
        docvars=tokens.docvars,
        unit=tokens.unit,
        history=(*tokens.history, step),
    )


def _detect_phrases(tokens: Tokens, *, min_count: int, threshold: float, scoring: str) -> tuple[Tokens, int]:
    from gensim.models.phrases import Phrases

    learner = Phrases(
        list(tokens.tokens), min_count=min_count, threshold=threshold, scoring=scoring, delimiter="_"
    )
    frozen = learner.freeze()
    joined = [frozen[list(words)] for words in tokens.tokens]
    step = f"phrases(min_count={min_count}, threshold={threshold}, scoring={scoring!r}) -> {len(frozen.phrasegrams)} phrases"
    return _with_tokens(tokens, joined, step), len(frozen.phrasegrams)


def topic_corpus(
    source: Corpus | Tokens,
    *,
    unit: TopicUnit = "paragraph",
    window_size: int = 3,
    window_within: Literal["document", "paragraph"] = "document",
    stopwords: Iterable[str] | str | None = "zh-official",
    extra_stopwords: Iterable[str] = (),
    min_nchar: int = 2,
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
    min_units: int = 10,
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
    min_nchar : int, default 2
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
    min_units, min_terms : int, default 10
        Refuse (with :class:`TopicInputError`) to return fewer units or terms than this.
    segmenter : Segmenter, optional
        Passed to :func:`corpus_tools.tokens.tokenize`.

    Returns
    -------
    TopicCorpus
        Its ``steps`` table says how many units, terms and tokens each step left.

    Raises
    ------
    TopicInputError
        If fewer than `min_units` units or `min_terms` terms remain; the message names the
        parameters to change.

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
    from . import lexicons

    if isinstance(source, Tokens):
        tokens = source
        texts = tokens.tokens.map(" ".join)
        unit_name = tokens.unit
    else:
        if unit not in _UNITS:
            raise ValueError(f"unit must be one of {_UNITS}, got {unit!r}")
        unit_name = unit
        pos = keep_pos is not None
        if unit == "window":
            windows = sentence_windows(source, window_size, within=window_within)
            adapter = _UnitTable(windows, source.docvars, tuple(getattr(source, "history", ())))
            tokens = tokenize(adapter, unit="sentence", pos=pos, segmenter=segmenter, hmm=getattr(segmenter, "hmm", False))
            step = f"tokenize(unit='window', window_size={window_size}, window_within={window_within!r}, pos={pos})"
            # The public constructor (not dataclasses.replace): Tokens holds integer codes inside.
            tokens = Tokens(tokens=tokens.tokens, pos=tokens.pos, docvars=tokens.docvars, unit="window",
                            history=(*tokens.history[:-1], step))
            texts = windows["text"]
        else:
            tokens = tokenize(source, unit=unit, pos=pos, segmenter=segmenter, hmm=getattr(segmenter, "hmm", False))
            texts = source.units(unit)["text"]
        texts = pd.Series(texts.to_numpy(dtype=object), index=tokens.tokens.index, name="text", dtype=object)

    plural = _UNIT_PLURAL.get(unit_name, f"{unit_name} units")
    steps = [_step(tokens, f"segmented into {plural}")]
    if len(tokens) == 0:
        raise TopicInputError(f"the corpus has no {plural}: check corpus_dir and that the texts have a body")

    words: set[str] = set()
    if isinstance(stopwords, str):
        words |= lexicons.stopwords(stopwords)  # type: ignore[arg-type]
    elif stopwords is not None:
        words |= set(stopwords)
    extra = [extra_stopwords] if isinstance(extra_stopwords, str) else list(extra_stopwords)
    words |= set(extra)
    tokens = tokens.remove(words, min_nchar=min_nchar)
    steps.append(
        _step(tokens, "stopwords, punctuation, numbers, short tokens removed",
              f"{len(words)} stopwords, min_nchar={min_nchar}")
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
        tokens = Tokens(tokens=tokens.tokens, docvars=tokens.docvars, unit=tokens.unit, history=tokens.history)

    counts = dtm(tokens)
    rows = np.arange(counts.n_docs)
    trimmed = counts
    for _ in range(100):  # a fixed point is reached in a few rounds; the bound is a safeguard
        trimmed = DocTermMatrix(
            matrix=counts.matrix[rows], terms=counts.terms, docvars=counts.docvars.iloc[rows], history=counts.history
        ).trim(
            min_termfreq=min_termfreq,
            min_docfreq=min_docfreq,
            max_docfreq_prop=max_docfreq_prop,
            max_terms=max_terms,
        )
        lengths = np.asarray(trimmed.matrix.sum(axis=1)).ravel()
        short = lengths < max(min_unit_tokens, 1)
        if not short.any():
            break
        rows = rows[~short]
    trim_detail = (
        f"min_termfreq={min_termfreq}, min_docfreq={min_docfreq}, max_docfreq_prop={max_docfreq_prop}, "
        f"max_terms={max_terms}, min_unit_tokens={min_unit_tokens}"
    )
    if len(rows) < min_units:
        raise TopicInputError(
            f"only {len(rows)} {plural} remain after trimming ({trim_detail}); a topic model needs at "
            f"least {min_units}: lower min_docfreq, min_termfreq or min_unit_tokens, or use "
            f"{_FINER_UNIT.get(unit_name, 'more units')}"
        )
    if trimmed.n_terms < min_terms:
        raise TopicInputError(
            f"only {trimmed.n_terms} terms remain after trimming ({trim_detail}); a topic model needs "
            f"at least {min_terms}: lower min_docfreq or min_termfreq, raise max_docfreq_prop or "
            "max_terms, or keep more parts of speech (keep_pos)"
        )

    vocabulary = set(trimmed.terms)
    mask = np.zeros(counts.n_docs, dtype=bool)
    mask[rows] = True
    kept = tokens.subset(mask)
    kept = _with_tokens(
        kept, ([w for w in words_ if w in vocabulary] for words_ in kept.tokens), f"keep_terms({len(vocabulary)})"
    )
    docvars = trimmed.docvars.copy()
    docvars["n_model_tokens"] = np.asarray(trimmed.matrix.sum(axis=1), dtype=np.int64).ravel()
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
        tokens=kept,
        texts=texts[mask],
        unit=unit_name,
        steps=pd.DataFrame(steps, columns=["step", "n_units", "n_terms", "n_tokens", "detail"]),
    )


# --------------------------------------------------------------------------------------------
# gensim bridges
# --------------------------------------------------------------------------------------------


def _dictionary(matrix: sp.csr_matrix, terms: Sequence[str]) -> Dictionary:
    """A gensim Dictionary whose id ``j`` is column ``j``, built without listing the corpus."""
    from gensim.corpora import Dictionary

    dictionary = Dictionary()
    dictionary.token2id = {term: j for j, term in enumerate(terms)}
    dictionary.id2token = dict(enumerate(terms))
    dictionary.dfs = dict(enumerate(np.bincount(matrix.indices, minlength=len(terms)).tolist()))
    dictionary.cfs = dict(enumerate(np.asarray(matrix.sum(axis=0), dtype=np.int64).ravel().tolist()))
    dictionary.num_docs = matrix.shape[0]
    dictionary.num_pos = int(matrix.sum())
    dictionary.num_nnz = int(matrix.nnz)
    return dictionary


def _bow(matrix: sp.csr_matrix):
    """Stream the rows of a CSR matrix as gensim bags of words (no copy of the counts)."""
    from gensim.matutils import Sparse2Corpus

    return Sparse2Corpus(matrix, documents_columns=False)


@contextmanager
def _seeded(lda: LdaModel, seed: int) -> Iterator[None]:
    """Run inference with its own generator so that results depend on `seed` only.

    gensim starts every inference from gamma values drawn from the model's ``random_state``;
    borrowing that generator would make topic shares depend on how often the model had been
    asked before, and would change the training path when used inside a callback.
    """
    saved = lda.random_state
    lda.random_state = np.random.RandomState(seed)
    try:
        yield
    finally:
        lda.random_state = saved


def _infer_theta(lda: LdaModel, matrix: sp.csr_matrix, *, seed: int, chunksize: int) -> np.ndarray:
    theta = np.empty((matrix.shape[0], lda.num_topics), dtype=np.float64)
    with _seeded(lda, seed):
        for start in range(0, matrix.shape[0], chunksize):
            chunk = list(_bow(matrix[start : start + chunksize]))
            gamma, _ = lda.inference(chunk)
            theta[start : start + len(chunk)] = gamma / gamma.sum(axis=1, keepdims=True)
    return theta


def _per_word_bound(lda: LdaModel, matrix: sp.csr_matrix, *, seed: int) -> float:
    n_words = float(matrix.sum())
    with _seeded(lda, seed):
        return float(lda.bound(_bow(matrix))) / n_words


class _FitLog(logging.Handler):
    """Collect gensim's per-pass training messages into rows of a convergence table.

    Reads the records' format strings and arguments rather than the rendered text, so a
    change of number formatting in gensim cannot break the parsing.
    """

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.passes: dict[int, dict[str, Any]] = {}
        self.current = 0
        self.paused = False
        self.warnings: list[str] = []

    def _row(self) -> dict[str, Any]:
        return self.passes.setdefault(
            self.current, {"n_updates": 0, "topic_diff": np.nan, "rho": np.nan, "units_converged": 0, "units_inferred": 0}
        )

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            self.warnings.append(record.getMessage())
            return
        if self.paused:
            return
        message, args = record.msg, record.args or ()
        if not isinstance(message, str):
            return
        if message.startswith("PROGRESS: pass") and args:
            self.current = int(args[0]) + 1
            self._row()
        elif message.startswith("topic diff=") and len(args) == 2:
            row = self._row()
            row["n_updates"] += 1
            row["topic_diff"], row["rho"] = float(args[0]), float(args[1])
        elif message.endswith("documents converged within %i iterations") and len(args) == 3:
            row = self._row()
            row["units_converged"] += int(args[0])
            row["units_inferred"] += int(args[1])


@contextmanager
def _capture_fit_log() -> Iterator[_FitLog]:
    """Attach a :class:`_FitLog` to gensim's LDA loggers for the duration of one fit.

    The loggers are lowered to DEBUG (for the per-chunk convergence counts) and stop
    propagating meanwhile, so an application's log is not flooded with gensim's debug lines;
    warnings are re-issued through this module's logger.
    """
    handler = _FitLog()
    names = ("gensim.models.ldamodel", "gensim.models.ldamulticore")
    loggers = [logging.getLogger(name) for name in names]
    saved = [(lg.level, lg.propagate) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
        lg.propagate = False
    try:
        yield handler
    finally:
        for lg, (level, propagate) in zip(loggers, saved):
            lg.removeHandler(handler)
            lg.setLevel(level)
            lg.propagate = propagate
        for message in handler.warnings:
            logger.warning("gensim: %s", message)


class _Converged(Exception):
    """Raised by the bound callback to end training after the pass whose bound met `tol`."""


def _relative_change(previous: float, current: float) -> float:
    """|current - previous| / |previous|: the per-pass relative change of the per-word bound."""
    return abs(current - previous) / abs(previous) if previous != 0 else np.inf


def _bound_metric(matrix: sp.csr_matrix, *, seed: int, log: _FitLog, tol: float | None):
    """A gensim callback metric: the training corpus's per-word bound at the end of each pass.

    With `tol`, it also ends training: gensim calls it after the pass's last M-step, so
    raising :class:`_Converged` there leaves the model exactly as a fit with that many passes
    would be. (Calling ``LdaModel.update`` once per pass instead is not the same fit: every
    call adds the corpus to the model's document count again and restarts the learning-rate
    schedule, as for new documents in online LDA.)
    """
    from gensim.models.callbacks import Metric

    class PerWordBound(Metric):
        logger = None
        viz_env = None
        title = None

        def __init__(self) -> None:
            self.values: list[float] = []
            self.model = None

        def __str__(self) -> str:
            return "per_word_bound"

        def get_value(self, **kwargs: Any) -> float:
            self.model = kwargs["model"]
            log.paused = True  # the bound's own inference is not a training E-step
            try:
                value = _per_word_bound(self.model, matrix, seed=seed)
            finally:
                log.paused = False
            self.values.append(value)
            if tol is not None and len(self.values) >= 2 and _relative_change(self.values[-2], value) < tol:
                raise _Converged
            return value

    return PerWordBound()


_CONVERGENCE_COLUMNS = [
    "pass",
    "n_updates",
    "topic_diff",
    "rho",
    "units_converged",
    "units_inferred",
    "converged_share",
    "per_word_bound",
    "bound_rel_change",
    "perplexity",
]


def _train(
    matrix: sp.csr_matrix,
    terms: Sequence[str],
    *,
    k: int,
    random_state: int,
    alpha: Alpha,
    eta: Eta,
    passes: int,
    tol: float | None,
    iterations: int,
    chunksize: int,
    gamma_threshold: float,
    workers: int,
    track_bound: bool,
) -> tuple[LdaModel, pd.DataFrame]:
    """Fit one LDA model on the rows of `matrix`; return it with its per-pass convergence table.

    With ``workers=1`` and a `tol`, training stops after the first pass whose per-word bound
    changed by less than `tol` (relative) since the pass before, at the latest after `passes`.
    """
    from gensim.models import LdaModel, LdaMulticore

    dictionary = _dictionary(matrix, terms)
    bow = _bow(matrix)
    common = dict(
        num_topics=k,
        id2word=dictionary,
        chunksize=chunksize,
        passes=passes,
        iterations=iterations,
        gamma_threshold=gamma_threshold,
        eta=eta,
        eval_every=None,  # gensim's own estimate draws from the training generator; see _seeded
        random_state=random_state,
        dtype=np.float64,
    )
    stop_early = tol is not None and workers == 1
    with _capture_fit_log() as log:
        if workers > 1:
            lda = LdaMulticore(bow, workers=workers, alpha=alpha, **common)
        else:
            rows = _sample_rows(matrix.shape[0], BOUND_UNITS, random_state)
            bound_matrix = matrix if len(rows) == matrix.shape[0] else matrix[rows]
            metric = _bound_metric(bound_matrix, seed=random_state, log=log, tol=tol if stop_early else None)
            try:
                lda = LdaModel(bow, alpha=alpha, callbacks=[metric] if track_bound or stop_early else None, **common)
            except _Converged:
                lda = metric.model
    # The bound callback runs once per completed pass, so its values count the passes run.
    n_passes = len(metric.values) if stop_early else passes
    # One row per pass even if gensim's log wording ever changes (the row is then empty, not lost).
    empty = {"n_updates": 0, "topic_diff": np.nan, "rho": np.nan, "units_converged": np.nan, "units_inferred": np.nan}
    table = pd.DataFrame([{"pass": p, **log.passes.get(p, empty)} for p in range(1, n_passes + 1)])
    bounds = metric.values if workers == 1 and (track_bound or stop_early) else []
    table["per_word_bound"] = pd.Series(bounds, dtype=float).reindex(range(len(table))).to_numpy()
    previous = table["per_word_bound"].shift(1)
    table["bound_rel_change"] = (table["per_word_bound"] - previous).abs() / previous.abs()
    # gensim's bound is in nats (natural logs), so perplexity is e ** -bound; gensim's own log
    # line ("perplexity estimate") uses 2 ** -bound, which understates it 10-16x on this corpus.
    table["perplexity"] = np.exp(-table["per_word_bound"])
    table["converged_share"] = table["units_converged"] / table["units_inferred"].where(table["units_inferred"] > 0)
    if workers > 1:  # E-steps ran in worker processes whose log records never reach this one
        table[["units_converged", "units_inferred"]] = np.nan
    # The callback (a local class holding the training matrix) has done its work; without it
    # the model pickles, so it can be saved and cached.
    lda.callbacks = None
    return lda, table[_CONVERGENCE_COLUMNS].reset_index(drop=True)


def _check_fit_args(k: int, n_units: int, n_terms: int, *, plural: str, alpha: Alpha, workers: int,
                    passes: int, iterations: int, tol: float | None = None) -> None:
    if int(k) != k or k < 2:
        raise TopicInputError(f"K must be an integer of at least 2, got {k!r}")
    if k >= n_units:
        raise TopicInputError(
            f"K={k} topics need more than {k} {plural}, but only {n_units} are available: lower K "
            "or the other settings that drop units (min_docfreq, min_unit_tokens, heldout_prop)"
        )
    if k >= n_terms:
        raise TopicInputError(
            f"K={k} topics need more than {k} terms, but the vocabulary has {n_terms}: lower K or "
            "trim less (min_docfreq, min_termfreq)"
        )
    if isinstance(alpha, str) and alpha == "auto" and workers > 1:
        raise ValueError(
            "alpha='auto' needs workers=1: gensim's LdaMulticore cannot learn alpha; "
            "pass a fixed alpha ('symmetric', 'asymmetric' or a number) or workers=1"
        )
    for name, value in (("passes", passes), ("iterations", iterations), ("workers", workers)):
        if int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if tol is not None and not (isinstance(tol, int | float) and 0 <= tol < 1):
        raise ValueError(f"tol is a relative change in [0, 1) or None (always run `passes`), got {tol!r}")


def _log_fit(what: str, table: pd.DataFrame) -> None:
    last = table.iloc[-1] if len(table) else None
    if last is None:
        return
    converged = (
        f"{int(last['units_converged'])}/{int(last['units_inferred'])} units converged in the last pass"
        if not pd.isna(last["units_converged"]) else "E-step convergence not recorded (LdaMulticore)"
    )
    logger.info("%s: %d passes, last topic diff %.2e, %s", what, len(table), last["topic_diff"], converged)


# --------------------------------------------------------------------------------------------
# Relevance, distances, alignment
# --------------------------------------------------------------------------------------------


def relevance(phi: np.ndarray, term_prob: np.ndarray, lambda_: float) -> np.ndarray:
    """Return the relevance of every term to every topic (Sievert & Shirley 2014).

    ``relevance = λ · log φ[t, w] + (1 − λ) · log(φ[t, w] / p[w])``

    Parameters
    ----------
    phi : array of shape (K, V)
        Topic-term probabilities, each row summing to 1.
    term_prob : array of shape (V,)
        Each term's marginal probability p(w) (:attr:`TopicModel.term_prob`: the model's,
        as in LDAvis; a term's share of the corpus's tokens is the other common choice).
    lambda_ : float
        Weight in [0, 1]: 1 ranks terms by their probability in the topic, 0 by their lift
        (how much more probable in the topic than in the corpus), which favours rare terms.

    Returns
    -------
    numpy.ndarray of shape (K, V)
        Natural-log scale; ``-inf`` where ``phi`` is 0.

    Notes
    -----
    Sievert, C. & Shirley, K. (2014). LDAvis: A method for visualizing and interpreting
    topics. *Proceedings of the Workshop on Interactive Language Learning, Visualization, and
    Interfaces*, 63–70. In their user study λ ≈ 0.6 helped readers most.

    Examples
    --------
    >>> phi = np.array([[0.5, 0.3, 0.2]])
    >>> p = np.array([0.25, 0.25, 0.5])
    >>> np.round(relevance(phi, p, 0.5), 4)   # 0.5·log 0.5 + 0.5·log 2 = 0 for the first term
    array([[ 0.    , -0.5108, -1.2629]])
    >>> np.round(relevance(phi, p, 1.0), 4)   # λ = 1: log φ
    array([[-0.6931, -1.204 , -1.6094]])
    """
    if not 0.0 <= lambda_ <= 1.0:
        raise ValueError(f"lambda_ is a weight in [0, 1], got {lambda_!r}")
    phi = np.asarray(phi, dtype=np.float64)
    term_prob = np.asarray(term_prob, dtype=np.float64)
    if phi.ndim != 2 or term_prob.shape != (phi.shape[1],):
        raise ValueError(f"phi must be (K, V) and term_prob (V,); got {phi.shape} and {term_prob.shape}")
    if (term_prob <= 0).any():
        raise ValueError("every term needs a positive corpus probability (a term that never occurs has none)")
    with np.errstate(divide="ignore"):
        log_phi = np.log(phi)
    return lambda_ * log_phi + (1.0 - lambda_) * (log_phi - np.log(term_prob))


def js_distances(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Return the Jensen–Shannon distance between every row of `p` and every row of `q`.

    Parameters
    ----------
    p : array of shape (K1, V)
    q : array of shape (K2, V)
        Non-negative rows (normalised to sum 1 here), e.g. topic-term distributions.

    Returns
    -------
    numpy.ndarray of shape (K1, K2)
        ``scipy.spatial.distance.jensenshannon`` with base 2: 0 for identical distributions,
        1 for distributions with disjoint support.

    Examples
    --------
    >>> np.round(js_distances(np.array([[1.0, 0.0], [0.5, 0.5]]), np.array([[1.0, 0.0]])), 4)
    array([[0.    ],
           [0.5579]])
    """
    from scipy.spatial.distance import jensenshannon

    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    if p.ndim != 2 or q.ndim != 2 or p.shape[1] != q.shape[1]:
        raise ValueError(f"p and q must be 2-d with the same number of columns; got {p.shape} and {q.shape}")
    out = np.empty((p.shape[0], q.shape[0]), dtype=np.float64)
    for i, row in enumerate(p):  # row by row: K1 x K2 x V at once would not fit for big V
        out[i] = jensenshannon(row[np.newaxis, :], q, axis=1, base=2)
    return out


def align_topics(reference: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Match the topics of two fits one to one, minimising the total Jensen–Shannon distance.

    Parameters
    ----------
    reference, other : arrays of shape (K, V)
        Topic-term distributions of two fits over the same vocabulary.

    Returns
    -------
    match : numpy.ndarray of int, shape (K,)
        ``other[match[i]]`` is the topic matched to ``reference[i]``.
    distance : numpy.ndarray of float, shape (K,)
        Their Jensen–Shannon distance (:func:`js_distances`).

    Notes
    -----
    The assignment is the Hungarian algorithm (``scipy.optimize.linear_sum_assignment``) on
    the K × K distance matrix; unlike matching each topic to its nearest neighbour, it never
    matches two reference topics to the same topic.

    Examples
    --------
    >>> ref = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]])
    >>> match, distance = align_topics(ref, ref[[2, 0, 1]])
    >>> match.tolist(), distance.round(6).tolist()
    ([1, 2, 0], [0.0, 0.0, 0.0])
    """
    from scipy.optimize import linear_sum_assignment

    reference = np.asarray(reference, dtype=np.float64)
    other = np.asarray(other, dtype=np.float64)
    if reference.shape != other.shape:
        raise ValueError(f"both fits need the same K and vocabulary; got {reference.shape} and {other.shape}")
    distances = js_distances(reference, other)
    rows, columns = linear_sum_assignment(distances)
    match = np.empty(len(reference), dtype=np.int64)
    match[rows] = columns
    return match, distances[np.arange(len(reference)), match]


def _top_indices(phi: np.ndarray, n: int) -> np.ndarray:
    """Column indices of the `n` largest entries of each row, largest first, ties by column."""
    order = np.lexsort((np.broadcast_to(np.arange(phi.shape[1]), phi.shape), -phi), axis=1)
    return order[:, :n]


def window_counts(
    texts: Sequence[Sequence[str]], words: Sequence[str], *, window_size: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """Count in how many sliding windows each word, and each pair of words, occurs.

    Parameters
    ----------
    texts : sequence of sequences of str
        Token lists (e.g. the units of :attr:`TopicCorpus.tokens`). Windows never cross from
        one text into the next.
    words : sequence of str
        The words to count (e.g. the union of the topics' top terms); other tokens still take
        up their place in the windows.
    window_size : int
        Tokens per window (a count, at least 1). A text of ``L >= window_size`` tokens has
        ``L - window_size + 1`` windows (one per start position); a shorter text, even an
        empty one, is one window.

    Returns
    -------
    occurrences : numpy.ndarray of int, shape (R,)
        Windows that contain ``words[i]`` at least once.
    co_occurrences : numpy.ndarray of int, shape (R, R)
        Windows that contain both ``words[i]`` and ``words[j]`` (the diagonal equals
        `occurrences`).
    n_windows : int
        All windows of all texts.

    Notes
    -----
    These are the boolean sliding-window counts of Röder, Both & Hinneburg (2015), the
    probabilities of ``c_v`` and ``c_npmi``. gensim 4.4's ``WordOccurrenceAccumulator``
    computes them incrementally and clears a word when one copy leaves the window, even if
    another copy is still inside, so it undercounts every word that repeats within a window
    (for ``a b a c d`` and windows of 3 it counts a in 1 window and (a, c) in none; the true
    counts are 3 and 2). Here each occurrence at position p marks the windows that contain it,
    ``max(0, p - window_size + 1) .. min(p, L - window_size)``; the union per word is a
    sparse window × word matrix B, so the occurrences are its column sums and the
    co-occurrences ``BᵀB``. Time and memory grow with the number of (window, word) incidences,
    not with the vocabulary.

    Examples
    --------
    >>> occurrences, co, n = window_counts([["a", "b", "a", "c", "d"]], ["a", "c"], window_size=3)
    >>> occurrences.tolist(), int(co[0, 1]), n
    ([3, 2], 2, 3)
    """
    if int(window_size) != window_size or window_size < 1:
        raise ValueError(f"window_size is a number of tokens, at least 1; got {window_size!r}")
    window_size = int(window_size)
    index = {word: i for i, word in enumerate(words)}
    if len(index) != len(words):
        raise ValueError("words has repeated entries")
    n_words = len(index)
    lengths = np.fromiter((len(text) for text in texts), dtype=np.int64, count=len(texts))
    windows_per_text = np.maximum(1, lengths - window_size + 1)
    first_window = np.concatenate([[0], np.cumsum(windows_per_text)[:-1]]).astype(np.int64)
    n_windows = int(windows_per_text.sum())
    flat = [index.get(token, -1) for text in texts for token in text]
    word = np.asarray(flat, dtype=np.int64)
    text_of = np.repeat(np.arange(len(texts)), lengths)
    position = np.arange(len(word)) - np.repeat(np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    keep = word >= 0
    word, text_of, position = word[keep], text_of[keep], position[keep]
    low = first_window[text_of] + np.maximum(0, position - window_size + 1)
    high = first_window[text_of] + np.minimum(position, windows_per_text[text_of] - 1)
    # Per word, in window order: each occurrence adds the windows not already covered by the
    # previous one (its windows start no earlier and end no earlier).
    order = np.lexsort((low, word))
    word, low, high = word[order], low[order], high[order]
    previous_high = np.concatenate([[-1], high[:-1]])
    previous_high[np.concatenate([[True], word[1:] != word[:-1]])] = -1
    start = np.maximum(low, previous_high + 1)
    size = np.maximum(0, high - start + 1)
    ends = np.cumsum(size)
    rows = np.repeat(start, size) + (np.arange(ends[-1] if len(ends) else 0) - np.repeat(ends - size, size))
    columns = np.repeat(word, size)
    incidence = sp.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, columns)), shape=(n_windows, n_words))
    occurrences = np.bincount(columns, minlength=n_words).astype(np.int64)
    co_occurrences = np.asarray((incidence.T @ incidence).toarray(), dtype=np.int64)
    return occurrences, co_occurrences, n_windows


class _WindowCounts:
    """Exact window counts behind the accumulator interface of gensim's confirmation measures.

    gensim's measures read ``accumulator[word_id]``, ``accumulator[word_id, word_id]`` and
    ``accumulator.num_docs`` (the number of windows); nothing else.
    """

    def __init__(self, ids: Sequence[int], occurrences: np.ndarray, co_occurrences: np.ndarray, n_windows: int):
        self.position = {int(word_id): i for i, word_id in enumerate(ids)}
        self.occurrences = occurrences
        self.co_occurrences = co_occurrences
        self.num_docs = n_windows

    def __getitem__(self, key):
        if isinstance(key, str) or not hasattr(key, "__iter__"):
            return self.occurrences[self.position[int(key)]]
        first, second = key
        return self.co_occurrences[self.position[int(first)], self.position[int(second)]]


def coherence(
    top_terms: Sequence[Sequence[str]], tc: TopicCorpus, *, measures: Sequence[str] = COHERENCE_MEASURES
) -> dict[str, np.ndarray]:
    """Return the coherence of each topic's term list on the topic corpus's token lists.

    Parameters
    ----------
    top_terms : sequence of sequences of str
        One list of terms per topic (usually its most probable terms), all in ``tc``'s
        vocabulary.
    tc : TopicCorpus
        Its :attr:`~TopicCorpus.tokens` are the reference texts; windows stay inside a unit.
    measures : sequence of str, default ("c_v", "c_npmi")
        ``"c_v"`` (boolean sliding windows of 110 tokens, NPMI context vectors of each term
        against the whole list, cosine similarity, mean), ``"c_npmi"`` (windows of 10 tokens,
        mean NPMI of the term pairs) or ``"c_uci"`` (windows of 10, mean PMI).

    Returns
    -------
    dict of str to numpy.ndarray
        Per measure, one value per topic in the order of `top_terms`.

    Notes
    -----
    The definitions are Röder, Both & Hinneburg (2015), as gensim's ``CoherenceModel``
    implements them (its segmentation, confirmation and aggregation functions and window
    sizes are used here, ε = 10⁻¹² included), but the window counts are exact
    (:func:`window_counts`): gensim's own accumulator undercounts words that repeat inside a
    window, which on this corpus moved a topic's c_npmi by up to 0.09. On texts in which no
    word repeats within a window the two agree to rounding.
    """
    from gensim.models.coherencemodel import COHERENCE_MEASURES as PIPELINES
    from gensim.models.coherencemodel import SLIDING_WINDOW_SIZES

    term_id = {term: j for j, term in enumerate(tc.dtm.terms)}
    unknown = sorted({term for terms in top_terms for term in terms if term not in term_id})
    if unknown:
        raise ValueError(f"top terms not in the topic corpus's vocabulary: {unknown[:5]}")
    topics = [np.asarray([term_id[term] for term in terms], dtype=np.int64) for terms in top_terms]
    ids = sorted({int(j) for topic in topics for j in topic})
    words = [tc.dtm.terms[j] for j in ids]
    texts = list(tc.tokens.tokens)
    scores = {}
    for measure in measures:
        if measure not in ("c_v", "c_npmi", "c_uci"):
            raise ValueError(f"coherence measure must be 'c_v', 'c_npmi' or 'c_uci', not {measure!r}")
        pipeline = PIPELINES[measure]
        counts = _WindowCounts(ids, *window_counts(texts, words, window_size=SLIDING_WINDOW_SIZES[measure]))
        segmented = pipeline.seg(topics)
        if measure == "c_v":
            values = pipeline.conf(segmented, counts, topics=topics, measure="nlr", gamma=1)
        else:
            values = pipeline.conf(segmented, counts, normalize=measure == "c_npmi")
        scores[measure] = np.asarray(values, dtype=np.float64)
    return scores


def _coherence(
    top_terms: list[list[str]], tc: TopicCorpus, *, measures: Sequence[str], processes: int = 1, dictionary=None
) -> dict[str, np.ndarray]:
    """:func:`coherence` under its former private signature (`processes`, `dictionary` unused)."""
    return coherence(top_terms, tc, measures=measures)


# --------------------------------------------------------------------------------------------
# The fitted model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, kw_only=True)
class TopicModel:
    """A fitted LDA model with its corpus, its settings and its topics in a readable order.

    Build with :func:`fit_lda`. Topics are numbered 1..K by prevalence (the share of the
    corpus's tokens they account for), largest first; gensim's own numbering is arbitrary.

    Attributes
    ----------
    lda : gensim.models.LdaModel
        The gensim model (its topic ids are gensim's: see `order`).
    corpus : TopicCorpus
    k, random_state : int
    settings : dict
        ``alpha, eta, passes, tol, iterations, chunksize, gamma_threshold, workers`` as passed.
    order : tuple of int
        ``order[i]`` is the gensim topic id of topic ``i + 1``.
    phi : numpy.ndarray of shape (K, V)
        Topic-term probabilities, rows in topic order.
    theta : numpy.ndarray of shape (n_units, K)
        Topic shares of every unit (rows sum to 1), inferred with ``random_state``.
    convergence : pandas.DataFrame
        One row per pass run, see :func:`fit_lda`; its length is the number of passes.
    """

    lda: LdaModel
    corpus: TopicCorpus
    k: int
    random_state: int
    settings: dict[str, Any]
    order: tuple[int, ...]
    phi: np.ndarray = field(repr=False)
    theta: np.ndarray = field(repr=False)
    convergence: pd.DataFrame = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"TopicModel(K={self.k}, random_state={self.random_state}, {self.corpus.n_units} "
            f"{self.corpus.unit_plural} x {self.corpus.n_terms} terms)"
        )

    # -- basic quantities -----------------------------------------------------------------------

    @property
    def term_prob(self) -> np.ndarray:
        """numpy.ndarray: the model's marginal probability of each term (the p of :func:`relevance`).

        ``p(w) = Σ_k prevalence_k · φ[k, w]``: the share of all tokens the model expects to be
        ``w``. This is the p(w) of LDAvis and pyLDAvis (which compute it from the model
        whatever term frequencies they are given), so the relevance in :meth:`terms`, the
        labels and the topic browser rank terms identically. It differs from the term's
        share of the corpus's tokens mainly for rare terms, whose φ the prior smooths; with
        it, no topic's expected count of a term (``topic_count``) exceeds the term's total.
        """
        marginal = self.prevalence @ self.phi
        return marginal / marginal.sum()

    @property
    def unit_tokens(self) -> np.ndarray:
        """numpy.ndarray: tokens per unit that the model saw."""
        return np.asarray(self.corpus.dtm.matrix.sum(axis=1), dtype=np.float64).ravel()

    @property
    def prevalence(self) -> np.ndarray:
        """numpy.ndarray: each topic's share of all tokens (topic shares weighted by unit length)."""
        weights = self.unit_tokens
        return (self.theta * weights[:, np.newaxis]).sum(axis=0) / weights.sum()

    @property
    def alpha(self) -> np.ndarray:
        """numpy.ndarray: the document-topic prior per topic (learned when ``alpha="auto"``)."""
        return np.asarray(self.lda.alpha, dtype=np.float64)[list(self.order)]

    @property
    def labels(self) -> pd.Series:
        """pandas.Series: ``"1 红色·资源·革命"``-style labels, index ``topic`` (1..K).

        The top :data:`LABEL_TERMS` terms by relevance at λ = :data:`LABEL_LAMBDA`.
        """
        top = _top_indices(relevance(self.phi, self.term_prob, LABEL_LAMBDA), LABEL_TERMS)
        terms = np.asarray(self.corpus.dtm.terms, dtype=object)
        labels = [f"{i + 1} " + "·".join(terms[row]) for i, row in enumerate(top)]
        return pd.Series(labels, index=pd.RangeIndex(1, self.k + 1, name="topic"), name="label")

    def top_terms(self, n: int = 10) -> list[list[str]]:
        """Return the `n` most probable terms of each topic (λ = 1), in topic order."""
        terms = np.asarray(self.corpus.dtm.terms, dtype=object)
        return [terms[row].tolist() for row in _top_indices(self.phi, n)]

    # -- tables ---------------------------------------------------------------------------------

    def terms(self, n: int = 10, *, lambda_: float = LABEL_LAMBDA) -> pd.DataFrame:
        """Return the top terms of every topic, ranked by relevance.

        Parameters
        ----------
        n : int, default 10
            Terms per topic.
        lambda_ : float, default 0.6
            λ of :func:`relevance`: 1 ranks by probability in the topic, lower values favour
            terms specific to the topic.

        Returns
        -------
        pandas.DataFrame
            One row per (topic, term): ``topic`` (1..K), ``label``, ``rank`` (1..n),
            ``term``, ``weight`` (φ, the term's probability in the topic), ``lift``
            (φ divided by the term's marginal probability :attr:`term_prob`, the same p(w)
            as the topic browser), ``relevance`` (natural-log scale),
            ``lambda``, ``corpus_count`` (the term's count in all units) and
            ``topic_count`` (the expected number of the term's tokens assigned to the topic:
            φ × the topic's expected token total).
        """
        if int(n) != n or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}")
        n = min(int(n), self.corpus.n_terms)
        p = self.term_prob
        scores = relevance(self.phi, p, lambda_)
        top = _top_indices(scores, n)
        terms = np.asarray(self.corpus.dtm.terms, dtype=object)
        counts = np.asarray(self.corpus.dtm.matrix.sum(axis=0), dtype=np.int64).ravel()
        topic_tokens = (self.theta * self.unit_tokens[:, np.newaxis]).sum(axis=0)
        labels = self.labels
        pieces = []
        for i, columns in enumerate(top):
            weight = self.phi[i, columns]
            pieces.append(
                pd.DataFrame(
                    {
                        "topic": i + 1,
                        "label": labels.iloc[i],
                        "rank": np.arange(1, len(columns) + 1),
                        "term": terms[columns],
                        "weight": weight,
                        "lift": weight / p[columns],
                        "relevance": scores[i, columns],
                        "lambda": float(lambda_),
                        "corpus_count": counts[columns],
                        "topic_count": weight * topic_tokens[i],
                    }
                )
            )
        return pd.concat(pieces, ignore_index=True)

    def topic_table(self, *, n_terms: int = 10, lambda_: float = LABEL_LAMBDA) -> pd.DataFrame:
        """Return one row per topic: size, prior, coherence and top terms.

        Returns
        -------
        pandas.DataFrame
            ``topic, label, prevalence`` (share of all tokens), ``n_units_dominant`` (units
            whose largest share is this topic), ``alpha`` (the prior), ``c_v`` and ``c_npmi``
            (coherence of the topic's `n_terms` most probable terms on the corpus's token
            lists) and ``top_terms`` (the `n_terms` most relevant terms at `lambda_`,
            space-separated).
        """
        coherence = _coherence(
            self.top_terms(n_terms), self.corpus, measures=COHERENCE_MEASURES,
            processes=max(1, int(self.settings.get("workers", 1))),
        )
        terms = self.terms(n_terms, lambda_=lambda_)
        joined = terms.groupby("topic", sort=True)["term"].agg(" ".join)
        dominant = np.bincount(self.theta.argmax(axis=1), minlength=self.k)
        return pd.DataFrame(
            {
                "topic": np.arange(1, self.k + 1),
                "label": self.labels.to_numpy(),
                "prevalence": self.prevalence,
                "n_units_dominant": dominant,
                "alpha": self.alpha,
                **{measure: values for measure, values in coherence.items()},
                "top_terms": joined.reindex(range(1, self.k + 1)).to_numpy(),
            }
        )

    def _docvar_columns(self, docvars: Sequence[str]) -> list[str]:
        available = self.corpus.dtm.docvars.columns
        missing = [name for name in docvars if name not in available]
        if missing:
            raise KeyError(f"no docvar(s) {missing}; available: {list(available)}")
        own = [c for c in ("doc_id", "para_no", "sent_no", "window_no") if c in available]
        return own + [name for name in docvars if name not in own]

    def doc_topics(self, *, docvars: Sequence[str] = ("group",)) -> pd.DataFrame:
        """Return every unit's topic shares with its docvars, one row per (unit, topic).

        Parameters
        ----------
        docvars : sequence of str, default ("group",)
            Docvars to carry besides ``doc_id`` and the unit's position columns; ``"group"``
            is skipped when the corpus has no such docvar (it is set by
            ``open_corpus(group_by=...)``), any other missing name is a KeyError.

        Returns
        -------
        pandas.DataFrame
            ``unit_id, doc_id`` (and ``para_no``/``sent_no``/``window_no`` as the unit has
            them), the requested docvars, ``n_model_tokens``, ``topic``, ``label``, ``share``
            (θ: the unit's share of the topic, summing to 1 over topics) and ``dominant``
            (True for the unit's largest share). Units in corpus order, topics 1..K.
        """
        columns = self._docvar_columns([d for d in docvars if d != "group" or "group" in self.corpus.dtm.docvars])
        info = self.corpus.dtm.docvars[columns].copy()
        info["n_model_tokens"] = self.unit_tokens.astype(np.int64)
        n_units = len(info)
        table = info.loc[info.index.repeat(self.k)].reset_index()
        table["topic"] = np.tile(np.arange(1, self.k + 1), n_units)
        table["label"] = np.tile(self.labels.to_numpy(), n_units)
        table["share"] = self.theta.ravel()
        table["dominant"] = (self.theta == self.theta.max(axis=1, keepdims=True)).ravel()
        return table

    def group_shares(self, by: str = "group") -> pd.DataFrame:
        """Return the topic shares of every group of units (e.g. each district).

        Parameters
        ----------
        by : str, default "group"
            A unit docvar: ``group`` (set by ``open_corpus(group_by=...)``), ``district``,
            ``doc_id`` …

        Returns
        -------
        pandas.DataFrame
            One row per (group, topic): ``group`` (named `by` when not ``"group"``), ``topic``,
            ``label``, ``n_units``, ``n_tokens`` (tokens the model saw in the group),
            ``share`` (the group's tokens assigned to the topic, as a share of its tokens:
            the rows of a group sum to 1), ``mean_unit_share`` (the unweighted mean of its
            units' shares) and ``ratio_to_corpus`` (``share`` divided by the topic's
            prevalence in the whole corpus; above 1 means over-represented).
            Groups in sorted order, topics 1..K.
        """
        # The matrix's own grouping keys, so that blank docvars form the same "unknown" group
        # (with the same warning) as in DocTermMatrix.group.
        keys = self.corpus.dtm._group_keys(by, stacklevel=2)
        codes, uniques = pd.factorize(keys, sort=True)
        weights = self.unit_tokens
        n_groups = len(uniques)
        indicator = sp.csr_matrix(
            (np.ones(len(codes)), (codes, np.arange(len(codes)))), shape=(n_groups, len(codes))
        )
        tokens_per_group = indicator @ weights
        weighted = indicator @ (self.theta * weights[:, np.newaxis])
        n_units = np.bincount(codes, minlength=n_groups)
        mean_share = (indicator @ self.theta) / n_units[:, np.newaxis]
        share = weighted / tokens_per_group[:, np.newaxis]
        table = pd.DataFrame(
            {
                by: np.repeat(np.asarray(uniques, dtype=object), self.k),
                "topic": np.tile(np.arange(1, self.k + 1), n_groups),
                "label": np.tile(self.labels.to_numpy(), n_groups),
                "n_units": np.repeat(n_units, self.k),
                "n_tokens": np.repeat(tokens_per_group.astype(np.int64), self.k),
                "share": share.ravel(),
                "mean_unit_share": mean_share.ravel(),
                "ratio_to_corpus": (share / self.prevalence[np.newaxis, :]).ravel(),
            }
        )
        return table

    def representative(
        self,
        n: int = 3,
        *,
        min_tokens: int = 5,
        excerpt_chars: int | None = 120,
        docvars: Sequence[str] = ("group",),
    ) -> pd.DataFrame:
        """Return the units with the largest share of each topic, with an excerpt.

        Parameters
        ----------
        n : int, default 3
            Units per topic.
        min_tokens : int, default 5
            Consider only units with at least this many model tokens: a unit of three tokens
            can be 95 % one topic without being typical of anything.
        excerpt_chars : int or None, default 120
            Cut the text to this many characters (adding "…"); None keeps the whole text.
        docvars : sequence of str, default ("group",)

        Returns
        -------
        pandas.DataFrame
            ``topic, label, rank, unit_id, doc_id`` (and position columns), the docvars,
            ``share`` (the unit's share of the topic), ``n_model_tokens`` and ``excerpt``.
            Ties in share are broken by unit order.
        """
        if int(n) != n or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}")
        columns = self._docvar_columns([d for d in docvars if d != "group" or "group" in self.corpus.dtm.docvars])
        info = self.corpus.dtm.docvars[columns]
        eligible = np.flatnonzero(self.unit_tokens >= min_tokens)
        if len(eligible) == 0:
            eligible = np.arange(self.corpus.n_units)
        texts = self.corpus.texts.to_numpy(dtype=object)
        labels = self.labels
        pieces = []
        for i in range(self.k):
            shares = self.theta[eligible, i]
            order = eligible[np.lexsort((eligible, -shares))][:n]
            piece = info.iloc[order].reset_index()
            piece.insert(0, "rank", np.arange(1, len(order) + 1))
            piece.insert(0, "label", labels.iloc[i])
            piece.insert(0, "topic", i + 1)
            piece["share"] = self.theta[order, i]
            piece["n_model_tokens"] = self.unit_tokens[order].astype(np.int64)
            piece["excerpt"] = [_excerpt(str(t), excerpt_chars) for t in texts[order]]
            pieces.append(piece)
        return pd.concat(pieces, ignore_index=True)


def _excerpt(text: str, n_chars: int | None) -> str:
    if n_chars is None or len(text) <= n_chars:
        return text
    return text[:n_chars] + "…"


def _order_topics(theta_raw: np.ndarray, weights: np.ndarray) -> np.ndarray:
    prevalence = (theta_raw * weights[:, np.newaxis]).sum(axis=0)
    return np.lexsort((np.arange(theta_raw.shape[1]), -prevalence))


def fit_lda(
    tc: TopicCorpus,
    *,
    k: int,
    random_state: int,
    alpha: Alpha = "symmetric",
    eta: Eta = "symmetric",
    passes: int = 50,
    tol: float | None = DEFAULT_TOL,
    iterations: int = 400,
    chunksize: int = 2000,
    gamma_threshold: float = 0.001,
    workers: int = 1,
    track_bound: bool = True,
    cache: bool | str | os.PathLike[str] = True,
) -> TopicModel:
    """Fit an LDA model with K topics to every unit of a topic corpus.

    Parameters
    ----------
    tc : TopicCorpus
    k : int
        Number of topics (at least 2, fewer than the units and the terms).
    random_state : int
        Seed of gensim's generator (topic initialisation and every E-step) and of the
        inference of the reported topic shares.
    alpha : {"symmetric", "asymmetric", "auto"} or float, default "symmetric"
        Document-topic prior. ``"symmetric"`` is 1/K for every topic; ``"auto"`` learns an
        asymmetric prior from the data (``workers=1`` only).
    eta : {"symmetric", "auto"}, float or None, default "symmetric"
        Topic-term prior (``"symmetric"`` and None: 1/K for every term). gensim 4.4 accepts
        ``"auto"`` and records a learned value in ``lda.eta``, but its training state keeps
        the initial prior, so the topics come out exactly as with ``"symmetric"`` (checked on
        the seeds); pass a number for a sparser or smoother prior.
    passes : int, default 50
        The most passes over the corpus. Check the ``topic_diff`` and ``bound_rel_change``
        columns of :attr:`TopicModel.convergence`.
    tol : float or None, default 1e-5
        Stop after the first pass whose per-word bound of the training units changed by less
        than this share of its value since the pass before (``bound_rel_change``), at the
        latest after `passes`. None always runs `passes`. Training is deterministic, so the
        model after stopping at pass p is exactly the model ``passes=p, tol=None`` fits.
        Needs the bound every pass (one extra E-step per pass); with ``workers > 1`` it is
        ignored and `passes` are run. The default keeps the report's choice of K and its
        robust topics on the seeds as they were with 80 fixed passes (1e-4 stopped sooner and
        changed them); ``benchmarks/topics_scaling.py --corpus-mb 5`` times it.
    iterations : int, default 400
        Maximum E-step iterations per unit and pass; check ``converged_share``.
    chunksize : int, default 2000
        Units per E-step chunk (and per M-step update). A corpus of at most `chunksize`
        units is one chunk: each pass is then one full variational EM step.
    gamma_threshold : float, default 0.001
        A unit's E-step stops when its topic weights change less than this.
    workers : int, default 1
        1 fits in this process with ``LdaModel`` (reproducible). More uses gensim's
        ``LdaMulticore`` with this many worker processes for the E-step: faster on large
        corpora, but chunks finish in varying order, so results vary slightly between runs,
        ``alpha="auto"`` is unavailable and the E-step and bound columns of the convergence
        table stay empty.
    track_bound : bool, default True
        Compute the training corpus's per-word bound after every pass (one extra E-step per
        pass; ``workers=1`` only).
    cache : bool or path, default True
        Keep the fitted model on disk (:mod:`corpus_tools.resultcache`), keyed by the corpus,
        K, the seed and every setting, and load it instead of refitting next time; ``False``
        always fits. Fits with ``workers > 1`` are never cached (they are not reproducible).

    Returns
    -------
    TopicModel
        ``convergence`` has one row per pass run: ``pass`` (1-based), ``n_updates`` (M-steps in
        the pass), ``topic_diff`` (mean absolute change of the log topic-term weights in the
        pass's last update: it falls towards 0 as the topics settle), ``rho`` (the update's
        learning rate), ``units_converged`` and ``units_inferred`` (units whose E-step met
        `gamma_threshold` within `iterations`, and all units processed), ``converged_share``,
        ``per_word_bound`` (gensim's variational lower bound (ELBO) of the log likelihood of
        the training units, with their topic shares re-inferred, including the topic-term prior
        term once, divided by the training tokens: nats per token, higher is better; on a
        corpus of more than 1,000 units (``BOUND_UNITS``), of a fixed sample of 1,000 of them
        drawn with `random_state`, since each bound costs a pass over its units; NaN when
        neither `track_bound` nor `tol` asks for it), ``bound_rel_change`` (its relative change
        since the pass before, what `tol` is compared with) and
        ``perplexity`` (``exp(-per_word_bound)``, an upper bound of the per-token perplexity;
        lower is better; gensim's own log line prints ``2 ** -bound``, which is wrong for a
        bound in nats).

    Raises
    ------
    TopicInputError
        If K is below 2 or not below the number of units or terms.
    ValueError
        If ``alpha="auto"`` is combined with ``workers > 1``.

    Notes
    -----
    Convergence figures are read from gensim's own log records while it trains (its
    ``topic diff=`` and ``documents converged`` lines), not by re-running anything. The bound
    is computed with a separate generator, so tracking it does not change the fit.

    With ``workers > 1`` the table shows the M-steps that actually happened: gensim 4.4's
    ``LdaMulticore`` skips a pass's update when the pass's last result is merged before the
    pass ends (seen on small corpora on a busy machine), which shows as ``n_updates`` 0. On
    the 2-core machines of this project one process is also faster
    (``benchmarks/topics_scaling.py``); more workers pay off with more cores.
    """
    _check_fit_args(k, tc.n_units, tc.n_terms, plural=tc.unit_plural, alpha=alpha, workers=workers,
                    passes=passes, iterations=iterations, tol=tol)
    # Several workers finish chunks in varying order: such a fit is not a function of its
    # arguments, so it is never cached.
    fit = cached(_fit_lda, cache if workers == 1 else False)
    return fit(tc, k=int(k), random_state=random_state, alpha=alpha, eta=eta, passes=passes, tol=tol,
               iterations=iterations, chunksize=chunksize, gamma_threshold=gamma_threshold, workers=workers,
               track_bound=track_bound)


def _ordered(lda: LdaModel, matrix: sp.csr_matrix, *, seed: int, chunksize: int
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The units' raw topic shares, the topic order by prevalence and phi in that order."""
    theta_raw = _infer_theta(lda, matrix, seed=seed, chunksize=chunksize)
    weights = np.asarray(matrix.sum(axis=1), dtype=np.float64).ravel()
    order = _order_topics(theta_raw, weights)
    phi = np.asarray(lda.get_topics(), dtype=np.float64)[order]
    phi /= phi.sum(axis=1, keepdims=True)
    return theta_raw, order, phi


def _fit_lda(
    tc: TopicCorpus, *, k: int, random_state: int, alpha: Alpha, eta: Eta, passes: int, tol: float | None,
    iterations: int, chunksize: int, gamma_threshold: float, workers: int, track_bound: bool,
) -> TopicModel:
    # The result cache keys on this function's code: models cached before the convergence
    # table's perplexity became exp(-bound) (it was 2 ** -bound) are not reused.
    lda, convergence = _train(
        tc.dtm.matrix, tc.dtm.terms, k=int(k), random_state=random_state, alpha=alpha, eta=eta,
        passes=passes, tol=tol, iterations=iterations, chunksize=chunksize, gamma_threshold=gamma_threshold,
        workers=workers, track_bound=track_bound,
    )
    _log_fit(f"LDA K={k} random_state={random_state}", convergence)
    theta_raw, order, phi = _ordered(lda, tc.dtm.matrix, seed=random_state, chunksize=chunksize)
    return TopicModel(
        lda=lda,
        corpus=tc,
        k=int(k),
        random_state=random_state,
        settings=dict(alpha=alpha, eta=eta, passes=passes, tol=tol, iterations=iterations, chunksize=chunksize,
                      gamma_threshold=gamma_threshold, workers=workers),
        order=tuple(int(i) for i in order),
        phi=phi,
        theta=theta_raw[:, order],
        convergence=convergence,
    )


# --------------------------------------------------------------------------------------------
# Choosing K
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class KSweep:
    """Scores of every K tried by :func:`sweep_k`.

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per K: ``k``, ``n_corpus_units`` (all units of the topic corpus),
        ``n_sampled_units`` (the units the sweep used: all of them, or a sample of
        `sample_units`), ``n_train_units`` and ``n_heldout_units`` (the sample's split),
        ``n_passes`` (passes run before the bound converged or `passes` was reached),
        ``c_v``, ``c_npmi``
        (mean coherence of the K topics' top terms), ``c_v_min`` (the least coherent
        topic's c_v), ``heldout_per_word_bound`` (the variational lower bound of the held-out
        units' log likelihood, nats per held-out token, see Notes) and ``heldout_perplexity``
        (``exp(-heldout_per_word_bound)``; NaN when none are held out), ``last_topic_diff`` and ``converged_share`` (from
        the last training pass).
    convergence : pandas.DataFrame
        The per-pass table of every fit (see :func:`fit_lda`) with a leading ``k`` column.
    heldout : tuple of str
        The held-out ``unit_id`` values.
    settings : dict
        The arguments of the sweep.
    sample : tuple of str
        The ``unit_id`` values of the units the sweep used (training and held-out); every
        unit when the corpus has no more than `sample_units`.
    """

    scores: pd.DataFrame
    convergence: pd.DataFrame
    heldout: tuple[str, ...]
    settings: dict[str, Any]
    sample: tuple[str, ...] = ()


def _sample_rows(n_units: int, sample_units: int | None, random_state: int) -> np.ndarray:
    """Sorted rows of a simple random sample of `sample_units` units, or all rows if no more.

    Drawn with ``numpy.random.default_rng(random_state)``: the same seed gives the same sample.
    """
    if sample_units is None or n_units <= sample_units:
        return np.arange(n_units)
    generator = np.random.default_rng(random_state)
    return np.sort(generator.permutation(n_units)[:sample_units])


def _check_sample_units(sample_units: int | None) -> None:
    if sample_units is not None and (int(sample_units) != sample_units or sample_units < 2):
        raise ValueError(f"sample_units must be None (all units) or an integer of at least 2, got {sample_units!r}")


def _heldout_rows(n_units: int, heldout_prop: float, random_state: int) -> np.ndarray:
    n_heldout = int(round(heldout_prop * n_units))
    if heldout_prop > 0 and n_heldout == 0:
        n_heldout = 1
    generator = np.random.default_rng(random_state)
    return np.sort(generator.permutation(n_units)[:n_heldout])


def _score_k(
    tc: TopicCorpus, train: np.ndarray, heldout: np.ndarray, *, k: int, random_state: int, topn: int, **fit_settings: Any
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Fit one K of a sweep on the training rows; score coherence and held-out perplexity."""
    # Coherence from exact window counts (window_counts), not gensim's accumulator; a change
    # here re-keys the result cache, so sweeps cached with the old counts are not reused.
    lda, table = _train(tc.dtm.matrix[train], tc.dtm.terms, k=k, random_state=random_state, track_bound=False,
                        **fit_settings)
    # The reference texts of coherence are the units the sweep sampled (all units up to
    # `sample_units`), so its cost too is bounded on a large corpus.
    sampled = np.union1d(train, heldout)
    reference = tc if len(sampled) == tc.n_units else _subset(tc, sampled)
    phi = np.asarray(lda.get_topics(), dtype=np.float64)
    terms = np.asarray(tc.dtm.terms, dtype=object)
    top_terms = [terms[row].tolist() for row in _top_indices(phi, topn)]
    dictionary = _dictionary(tc.dtm.matrix, tc.dtm.terms)
    coherence = _coherence(top_terms, reference, measures=COHERENCE_MEASURES, processes=fit_settings["workers"],
                           dictionary=dictionary)
    bound = _per_word_bound(lda, tc.dtm.matrix[heldout], seed=random_state) if len(heldout) else np.nan
    last = table.iloc[-1]
    row = {
        "k": k,
        "n_corpus_units": tc.n_units,
        "n_sampled_units": len(sampled),
        "n_train_units": len(train),
        "n_heldout_units": len(heldout),
        "n_passes": len(table),
        "c_v": coherence["c_v"].mean(),
        "c_npmi": coherence["c_npmi"].mean(),
        "c_v_min": coherence["c_v"].min(),
        "heldout_per_word_bound": bound,
        "heldout_perplexity": np.exp(-bound),  # the bound is in nats
        "last_topic_diff": last["topic_diff"],
        "converged_share": last["converged_share"],
    }
    return row, table


def sweep_k(
    tc: TopicCorpus,
    *,
    ks: Sequence[int],
    random_state: int,
    heldout_prop: float = 0.2,
    sample_units: int | None = DEFAULT_SAMPLE_UNITS,
    topn: int = 10,
    alpha: Alpha = "symmetric",
    eta: Eta = "symmetric",
    passes: int = 50,
    tol: float | None = DEFAULT_TOL,
    iterations: int = 400,
    chunksize: int = 2000,
    gamma_threshold: float = 0.001,
    workers: int = 1,
    progress: bool = True,
    cache: bool | str | os.PathLike[str] = True,
) -> KSweep:
    """Fit a model for every K in `ks` and score it by coherence and held-out perplexity.

    Parameters
    ----------
    tc : TopicCorpus
    ks : sequence of int
        The numbers of topics to try, e.g. ``range(3, 9)``.
    random_state : int
        Seeds the sample, the held-out split and every fit.
    heldout_prop : float, default 0.2
        Share of the sampled units held out (drawn with `random_state`) for perplexity; the
        models are fitted on the rest. 0 fits on every sampled unit and leaves the perplexity
        columns empty.
    sample_units : int or None, default 5000
        The sweep uses a simple random sample of this many units (drawn with
        `random_state`, the same every run) when the corpus has more; a corpus of at most
        this many units is used whole, and None always uses every unit. The sample is also
        the reference corpus of coherence. Choosing K needs the models' relative quality,
        which a few thousand units show; :func:`fit_lda` then fits the chosen K on every
        unit. ``scores`` records ``n_corpus_units`` and ``n_sampled_units``.
    topn : int, default 10
        Top terms per topic scored for coherence.
    alpha, eta, passes, tol, iterations, chunksize, gamma_threshold, workers
        As in :func:`fit_lda`.
    progress : bool, default True
        Show progress (:func:`corpus_tools.progress.progress`: a bar in JupyterLab, log lines
        in headless runs).
        Each K is also logged at INFO level on the ``corpus_tools.topics`` logger.
    cache : bool or path, default True
        Keep each K's scores on disk (:mod:`corpus_tools.resultcache`), keyed by the corpus,
        the held-out split, K and every setting, so re-running a report does not refit
        unchanged models. The result is the same either way; ``False`` always refits.

    Returns
    -------
    KSweep

    Raises
    ------
    TopicInputError
        If a K is too large for the units or terms left for training, or the held-out
        share leaves too few units on either side.

    Notes
    -----
    Coherence is measured with :func:`coherence` (gensim's ``CoherenceModel`` pipeline on exact
    sliding-window counts) on the token lists of the sampled units (the reference corpus): ``c_v``
    (Röder, Both & Hinneburg 2015; boolean sliding windows of 110 tokens, NPMI of the top
    terms against their whole set, cosine-aggregated) and
    ``c_npmi`` (mean normalised pointwise mutual information of term pairs in windows of 10
    tokens; Bouma 2009, Aletras & Stevenson 2013). Both use the topics' `topn` most
    probable terms. Held-out perplexity is ``exp(-bound)``, where the bound is gensim's
    ``LdaModel.bound`` on the held-out units divided by their token count: a variational lower
    bound (ELBO) of their log likelihood in nats per token, whose topic shares are inferred
    from the held-out units themselves (not document completion) and which includes the
    topic-term prior term once (as gensim's ``log_perplexity`` with the held-out units as
    the whole corpus). The perplexity is therefore an upper bound of the true one;
    on a small corpus it often keeps falling or rises with K, so it is reported, not used
    by the default rule (:func:`choose_k`).
    """
    ks = [int(k) for k in ks]
    if not ks:
        raise ValueError("ks is empty: give at least one number of topics")
    if len(set(ks)) != len(ks):
        raise ValueError(f"ks has repeated values: {ks}")
    if not 0.0 <= heldout_prop < 1.0:
        raise ValueError(f"heldout_prop is a share in [0, 1), got {heldout_prop!r}")
    if int(topn) != topn or topn < 2:
        raise ValueError(f"topn must be an integer of at least 2, got {topn!r}")
    if topn > tc.n_terms:
        raise TopicInputError(f"topn={topn} is larger than the vocabulary ({tc.n_terms} terms): lower topn")

    _check_sample_units(sample_units)
    sample = _sample_rows(tc.n_units, sample_units, random_state)
    heldout = sample[_heldout_rows(len(sample), heldout_prop, random_state)]
    train = np.setdiff1d(sample, heldout)
    if heldout_prop > 0 and len(heldout) < 2:
        raise TopicInputError(
            f"heldout_prop={heldout_prop} holds out only {len(heldout)} of {len(sample)} {tc.unit_plural}: "
            "raise heldout_prop, use a finer unit, or set heldout_prop=0 to skip held-out perplexity"
        )
    for k in ks:
        try:
            _check_fit_args(k, len(train), tc.n_terms, plural=tc.unit_plural, alpha=alpha, workers=workers,
                            passes=passes, iterations=iterations, tol=tol)
        except TopicInputError as error:
            raise TopicInputError(
                f"{error} (after holding out {len(heldout)} of {len(sample)} {tc.unit_plural} with "
                f"heldout_prop={heldout_prop}; the largest K tried is {max(ks)})"
            ) from None

    fit_settings = dict(alpha=alpha, eta=eta, passes=passes, tol=tol, iterations=iterations, chunksize=chunksize,
                        gamma_threshold=gamma_threshold, workers=workers)
    score_k = cached(_score_k, cache)
    rows, convergence = [], []
    for k in progress_bar(ks, desc="K sweep", unit="K", enabled=progress):
        row, table = score_k(tc, train, heldout, k=k, random_state=random_state, topn=topn, **fit_settings)
        rows.append(row)
        convergence.append(table.assign(k=k))
        logger.info(
            "K=%d: c_v=%.3f c_npmi=%.3f held-out perplexity=%.1f", k, row["c_v"], row["c_npmi"],
            row["heldout_perplexity"],
        )
        _log_fit(f"sweep K={k}", table)
    conv = pd.concat(convergence, ignore_index=True)
    conv = conv[["k", *[c for c in conv.columns if c != "k"]]]
    settings = dict(ks=ks, random_state=random_state, heldout_prop=heldout_prop, sample_units=sample_units,
                    topn=topn, alpha=alpha, eta=eta, passes=passes, tol=tol, iterations=iterations,
                    chunksize=chunksize, gamma_threshold=gamma_threshold, workers=workers)
    return KSweep(
        scores=pd.DataFrame(rows),
        convergence=conv,
        heldout=tuple(tc.dtm.docvars.index[heldout]),
        settings=settings,
        sample=tuple(tc.dtm.docvars.index[sample]),
    )


@dataclass(frozen=True, eq=False)
class KChoice:
    """The K chosen from a sweep, the rule and the reason.

    Attributes
    ----------
    k : int
    rule : str
    reason : str
        One sentence for the report, e.g. ``"K=5: the highest mean of standardised c_v and
        c_npmi (0.91) of K = 3..8."``
    table : pandas.DataFrame
        The sweep's scores plus ``c_v_z`` and ``c_npmi_z`` (standardised over the Ks tried),
        ``score`` (what the rule maximises) and ``chosen``.
    """

    k: int
    rule: str
    reason: str
    table: pd.DataFrame


_RULE_TEXT = {
    "coherence": "the highest mean of standardised c_v and c_npmi",
    "c_v": "the highest mean c_v coherence",
    "c_npmi": "the highest mean c_npmi coherence",
    "perplexity": "the lowest held-out perplexity",
}


def _zscore(values: pd.Series) -> pd.Series:
    spread = values.std(ddof=0)
    if not np.isfinite(spread) or spread == 0:
        return pd.Series(0.0, index=values.index)
    return (values - values.mean()) / spread


def choose_k(sweep: KSweep, *, k: int | None = None, rule: KRule = "coherence") -> KChoice:
    """Choose the number of topics from a sweep by a stated rule, or take the one given.

    Parameters
    ----------
    sweep : KSweep
    k : int, optional
        None applies `rule`; an integer overrides it (it need not be among the Ks swept).
    rule : {"coherence", "c_v", "c_npmi", "perplexity"}, default "coherence"
        ``"coherence"``: the K with the highest mean of the z-scores of ``c_v`` and
        ``c_npmi`` across the Ks tried (the two measures have different scales; standardising
        weighs them equally). ``"c_v"``/``"c_npmi"``: the highest of that measure.
        ``"perplexity"``: the lowest held-out perplexity. Ties go to the smaller K.

    Returns
    -------
    KChoice

    Examples
    --------
    >>> scores = pd.DataFrame({"k": [3, 4, 5], "c_v": [0.40, 0.46, 0.44], "c_npmi": [-0.05, 0.02, 0.00],
    ...                        "heldout_perplexity": [300.0, 280.0, 290.0]})
    >>> choice = choose_k(KSweep(scores, pd.DataFrame(), (), {}))
    >>> choice.k, choice.table["chosen"].tolist()
    (4, [False, True, False])
    >>> choose_k(KSweep(scores, pd.DataFrame(), (), {}), k=5).reason
    'K=5 was set by the parameter k; the rule (the highest mean of standardised c_v and c_npmi) would choose K=4.'
    """
    if rule not in _RULE_TEXT:
        raise ValueError(f"rule must be one of {sorted(_RULE_TEXT)}, got {rule!r}")
    table = sweep.scores.copy()
    table["c_v_z"] = _zscore(table["c_v"])
    table["c_npmi_z"] = _zscore(table["c_npmi"])
    if rule == "coherence":
        table["score"] = (table["c_v_z"] + table["c_npmi_z"]) / 2
    elif rule == "perplexity":
        if table["heldout_perplexity"].isna().all():
            raise ValueError("rule='perplexity' needs held-out units: sweep with heldout_prop > 0")
        table["score"] = -table["heldout_perplexity"]
    else:
        table["score"] = table[rule]
    ranked = table.sort_values(["score", "k"], ascending=[False, True], kind="mergesort")
    by_rule = int(ranked["k"].iloc[0])
    ks = table["k"].tolist()
    span = f"K = {min(ks)}..{max(ks)}" if ks == list(range(min(ks), max(ks) + 1)) else f"K in {ks}"
    if k is None:
        chosen = by_rule
        best = ranked["score"].iloc[0]
        shown = table.loc[table["k"] == chosen, "heldout_perplexity"].iloc[0] if rule == "perplexity" else best
        reason = f"K={chosen}: {_RULE_TEXT[rule]} ({shown:.3g}) of {span}."
    else:
        if int(k) != k or k < 2:
            raise ValueError(f"k must be None or an integer of at least 2, got {k!r}")
        chosen = int(k)
        reason = f"K={chosen} was set by the parameter k; the rule ({_RULE_TEXT[rule]}) would choose K={by_rule}."
    table["chosen"] = table["k"] == chosen
    return KChoice(k=chosen, rule=rule, reason=reason, table=table)


# --------------------------------------------------------------------------------------------
# Stability
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Stability:
    """How well the topics of a reference fit recur when the model is refitted with other seeds.

    Attributes
    ----------
    topics : pandas.DataFrame
        One row per reference topic: ``topic, label, prevalence, n_runs``, ``n_refit_units``
        (units each refit was fitted on: all, or a sample of `sample_units`),
        ``mean_js_distance`` and ``max_js_distance`` (Jensen–Shannon distance, base 2, to the
        matched topic of each refit: 0 identical, 1 disjoint), ``mean_top_jaccard`` and
        ``min_top_jaccard`` (overlap of the `topn` most probable terms: 1 identical, 0 none
        shared) and ``robust`` (mean JS distance at most `max_js` and mean Jaccard at least
        `min_jaccard`).
    runs : pandas.DataFrame
        One row per (refit, reference topic): ``random_state, n_refit_units, topic, label, matched_topic``
        (the refit's own topic number, by its prevalence), ``js_distance``, ``top_jaccard``,
        ``matched_top_terms``.
    convergence : pandas.DataFrame
        Per-pass tables of the refits (see :func:`fit_lda`) with a leading ``random_state``.
    """

    topics: pd.DataFrame
    runs: pd.DataFrame
    convergence: pd.DataFrame


def _refit_phi(tc: TopicCorpus, rows: np.ndarray, *, k: int, random_state: int, **settings: Any
               ) -> tuple[np.ndarray, pd.DataFrame]:
    """Refit a model on `rows` for :func:`stability`; return its phi (topics by prevalence) and convergence."""
    matrix = tc.dtm.matrix if len(rows) == tc.n_units else tc.dtm.matrix[rows]
    lda, convergence = _train(matrix, tc.dtm.terms, k=k, random_state=random_state, track_bound=False, **settings)
    _, _, phi = _ordered(lda, matrix, seed=random_state, chunksize=settings["chunksize"])
    return phi, convergence


def stability(
    reference: TopicModel,
    *,
    seeds: int | Sequence[int] = 5,
    sample_units: int | None = DEFAULT_SAMPLE_UNITS,
    topn: int = 10,
    max_js: float = 0.4,
    min_jaccard: float = 0.5,
    progress: bool = True,
    cache: bool | str | os.PathLike[str] = True,
) -> Stability:
    """Refit the reference model with other seeds and measure how each topic recurs.

    Parameters
    ----------
    reference : TopicModel
        The model whose topics are judged; refits use its corpus, K and settings.
    seeds : int or sequence of int, default 5
        The refits' ``random_state`` values, or how many to make:
        ``reference.random_state + 1, + 2, …``.
    sample_units : int or None, default 5000
        Every refit uses the same simple random sample of this many units (drawn with the
        reference's ``random_state``, the same every run) when the corpus has more; a
        corpus of at most this many units is refitted whole, and None always refits every
        unit. A refit on a sample differs from the reference by the sample as well as the
        seed, so a topic that stays robust passes a stricter test. ``topics`` and ``runs``
        record ``n_refit_units``.
    topn : int, default 10
        Top terms compared by the Jaccard index.
    max_js, min_jaccard : float, default 0.4 and 0.5
        Thresholds of the ``robust`` column.
    progress : bool, default True
        Show a progress bar over the refits.
    cache : bool or path, default True
        Keep each refit's topics on disk (:mod:`corpus_tools.resultcache`), keyed by the corpus,
        K, the seed and the settings; ``False`` always refits. The result is the same either way.

    Returns
    -------
    Stability

    Notes
    -----
    Each refit's topics are matched one to one to the reference topics by the Hungarian
    algorithm on their Jensen–Shannon distances (:func:`align_topics`), so a topic cannot
    claim a partner already taken by a closer one. A robust topic comes back with nearly
    the same distribution and the same top terms whatever the seed; a topic that matches
    poorly in some refits is partly an accident of initialisation and should not be
    interpreted on its own.
    """
    if isinstance(seeds, int | np.integer):
        if seeds < 1:
            raise ValueError(f"seeds must be at least 1 refit, got {seeds}")
        seeds = [reference.random_state + i for i in range(1, int(seeds) + 1)]
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds is empty")
    if reference.random_state in seeds:
        raise ValueError(f"seeds must differ from the reference random_state ({reference.random_state})")
    _check_sample_units(sample_units)
    rows = _sample_rows(reference.corpus.n_units, sample_units, reference.random_state)
    topn = min(int(topn), reference.corpus.n_terms)
    ref_top = [set(terms) for terms in reference.top_terms(topn)]
    labels = reference.labels
    run_rows, convergence = [], []
    refit_phi = cached(_refit_phi, cache)
    terms = np.asarray(reference.corpus.dtm.terms, dtype=object)
    for seed in progress_bar(seeds, desc="stability refits", unit="refit", enabled=progress):
        phi, refit_convergence = refit_phi(reference.corpus, rows, k=reference.k, random_state=seed,
                                           **{"tol": None, **reference.settings})
        match, distance = align_topics(reference.phi, phi)
        refit_top = [terms[row].tolist() for row in _top_indices(phi, topn)]
        for i in range(reference.k):
            other = refit_top[match[i]]
            run_rows.append(
                {
                    "random_state": seed,
                    "n_refit_units": len(rows),
                    "topic": i + 1,
                    "label": labels.iloc[i],
                    "matched_topic": int(match[i]) + 1,
                    "js_distance": float(distance[i]),
                    "top_jaccard": len(ref_top[i] & set(other)) / len(ref_top[i] | set(other)),
                    "matched_top_terms": " ".join(other),
                }
            )
        convergence.append(refit_convergence.assign(random_state=seed))
    runs = pd.DataFrame(run_rows)
    summary = runs.groupby("topic", sort=True).agg(
        n_runs=("random_state", "size"),
        n_refit_units=("n_refit_units", "first"),
        mean_js_distance=("js_distance", "mean"),
        max_js_distance=("js_distance", "max"),
        mean_top_jaccard=("top_jaccard", "mean"),
        min_top_jaccard=("top_jaccard", "min"),
    )
    summary.insert(0, "prevalence", reference.prevalence)
    summary.insert(0, "label", labels.to_numpy())
    summary["robust"] = (summary["mean_js_distance"] <= max_js) & (summary["mean_top_jaccard"] >= min_jaccard)
    conv = pd.concat(convergence, ignore_index=True)
    conv = conv[["random_state", *[c for c in conv.columns if c != "random_state"]]]
    return Stability(topics=summary.reset_index(), runs=runs, convergence=conv)


# --------------------------------------------------------------------------------------------
# The topic browser
# --------------------------------------------------------------------------------------------


def _ldavis_parts(model: TopicModel, *, n_terms: int) -> tuple[str, str, str, str] | None:
    """pyLDAvis's JSON and its bundled d3, LDAvis JS and CSS, or None if unavailable."""
    try:
        import pyLDAvis
        from pyLDAvis import urls
    except ImportError:
        logger.warning("pyLDAvis is not installed; the topic browser has no intertopic map")
        return None
    if model.k < 3:
        # The map's two principal coordinates need at least three topics.
        return None
    prepared = pyLDAvis.prepare(
        topic_term_dists=model.phi,
        doc_topic_dists=model.theta,
        doc_lengths=model.unit_tokens,
        vocab=list(model.corpus.dtm.terms),
        # pyLDAvis recomputes the term frequencies from phi, theta and the unit lengths whatever
        # it is given (its "red bar" fix); passing the same values keeps one p(w) in sight:
        # TopicModel.term_prob, which the tables' relevance uses too.
        term_frequency=model.term_prob * model.unit_tokens.sum(),
        R=n_terms,
        sort_topics=False,
        start_index=1,
        n_jobs=1,
    )
    parts = []
    for path in (urls.D3_LOCAL, urls.LDAVIS_LOCAL, urls.LDAVIS_CSS_LOCAL):
        parts.append(Path(path).read_text(encoding="utf-8"))
    return (prepared.to_json(), *parts)


def _script_safe(text: str) -> str:
    # "</" would end the <script> element early; "<\/" means the same inside JS strings.
    return text.replace("</", "<\\/")


_BROWSER_CSS = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       margin: 1.5em auto; max-width: 1250px; padding: 0 1em; color: #222; line-height: 1.5; }
h1 { font-size: 1.5em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
section.topic { margin: 1.5em 0 2.5em; }
table.terms { border-collapse: collapse; font-size: 0.92em; }
table.terms th, table.terms td { padding: 2px 10px; border-bottom: 1px solid #eee; text-align: left; }
ol.units li { margin-bottom: 0.8em; }
.meta { color: #666; font-size: 0.88em; }
nav a { margin-right: 0.8em; }
"""


def write_topic_browser(
    model: TopicModel,
    output_dir: str | Path,
    *,
    lambdas: Sequence[float] = (1.0, 0.6, 0.2),
    n_terms: int = 15,
    n_units: int = 5,
    min_tokens: int = 5,
    by: str = "group",
    interactive: bool = True,
) -> Path:
    """Write a self-contained HTML page to browse the topics, beside the report.

    Parameters
    ----------
    model : TopicModel
    output_dir : str or Path
        The run folder; a relative path resolves against the project root. The page is
        ``<output_dir>/topic_browser.html`` (:data:`BROWSER_FILENAME`).
    lambdas : sequence of float, default (1.0, 0.6, 0.2)
        λ values for which each topic's top terms are listed side by side (see
        :func:`relevance`).
    n_terms : int, default 15
        Terms per topic in the lists (and in the interactive view's bar chart).
    n_units : int, default 5
        Representative units per topic, shown in full.
    min_tokens : int, default 5
        As in :meth:`TopicModel.representative`.
    by : str, default "group"
        Docvar shown with each unit.
    interactive : bool, default True
        Put pyLDAvis's intertopic distance map and relevance slider at the top (Sievert &
        Shirley 2014). Its d3 and LDAvis scripts are copied into the page from the installed
        pyLDAvis, so the page works offline; without pyLDAvis, or with fewer than three
        topics, the page has the static lists only.

    Returns
    -------
    pathlib.Path
        The written file.

    Notes
    -----
    Every corpus string is escaped with :func:`html.escape`; the page loads nothing from the
    network.
    """
    from .paths import resolve_path

    folder = resolve_path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / BROWSER_FILENAME
    esc = html.escape
    labels = model.labels
    prevalence = model.prevalence
    term_tables = {lam: model.terms(n_terms, lambda_=lam) for lam in lambdas}
    docvars = [by] if by in model.corpus.dtm.docvars.columns else []
    units = model.representative(n_units, min_tokens=min_tokens, excerpt_chars=None, docvars=docvars)

    parts = None
    if interactive:
        try:
            parts = _ldavis_parts(model, n_terms=n_terms)
        except Exception as error:  # an unmaintained package: its failure must not lose the page
            logger.warning("pyLDAvis failed (%s: %s); the topic browser has no intertopic map",
                           type(error).__name__, error)

    tc = model.corpus
    settings = ", ".join(f"{key}={value!r}" for key, value in model.settings.items())
    head = [
        "<!DOCTYPE html>",
        '<html lang="zh-Hans"><head><meta charset="utf-8">',
        f"<title>{esc(f'Topic browser: K={model.k}')}</title>",
        f"<style>{_BROWSER_CSS}</style>",
    ]
    body = [
        "<body>",
        f"<h1>Topic browser · 主题浏览 (K={model.k})</h1>",
        f'<p class="meta">{esc(f"{tc.n_units} {tc.unit_plural}, {tc.n_terms} terms, random_state={model.random_state}, {settings}")}</p>',
    ]
    if parts is not None:
        vis_json, d3_js, ldavis_js, ldavis_css = parts
        head += [f"<style>{ldavis_css}</style>", f"<script>{_script_safe(d3_js)}</script>",
                 f"<script>{_script_safe(ldavis_js)}</script>"]
        body += [
            "<h2>Intertopic distance map</h2>",
            "<p>Circles are topics (area: prevalence; distance: Jensen–Shannon distance, scaled "
            "by principal coordinates). Select a topic to see its most relevant terms; the slider "
            "sets λ (1: probability in the topic, 0: lift).</p>",
            '<div id="ldavis_topics" style="background-color:white;"></div>',
            f'<script>new LDAvis("#ldavis_topics", {_script_safe(vis_json)});</script>',
        ]
    body.append("<h2>Topics</h2><nav>" + "".join(
        f'<a href="#topic-{i}">{esc(labels.iloc[i - 1])}</a>' for i in range(1, model.k + 1)) + "</nav>")
    for i in range(1, model.k + 1):
        body.append(f'<section class="topic" id="topic-{i}">')
        body.append(f"<h3>{esc(labels.iloc[i - 1])} <span class=\"meta\">prevalence {prevalence[i - 1]:.1%}</span></h3>")
        header = "".join(f"<th>λ = {lam:g}</th>" for lam in lambdas)
        rows = []
        for rank in range(1, n_terms + 1):
            cells = []
            for lam in lambdas:
                table = term_tables[lam]
                hit = table[(table["topic"] == i) & (table["rank"] == rank)]
                cells.append(f"<td>{esc(str(hit['term'].iloc[0]))}</td>" if len(hit) else "<td></td>")
            rows.append(f"<tr><td>{rank}</td>{''.join(cells)}</tr>")
        body.append(f'<table class="terms"><tr><th>rank</th>{header}</tr>{"".join(rows)}</table>')
        body.append(f"<h4>Representative {esc(tc.unit_plural)}</h4><ol class=\"units\">")
        for _, unit in units[units["topic"] == i].iterrows():
            where = f"{unit['unit_id']}" + (f" · {unit[by]}" if by in unit else "")
            body.append(
                f'<li><span class="meta">{esc(where)} · share {unit["share"]:.0%} · '
                f'{int(unit["n_model_tokens"])} tokens</span><br>{esc(str(unit["excerpt"]))}</li>'
            )
        body.append("</ol></section>")
    body.append("</body></html>")
    path.write_text("\n".join(head + ["</head>"] + body) + "\n", encoding="utf-8")
    logger.debug("wrote topic browser %s", path)
    return path



# Topic prevalence by docvars with intervals (issue 19) lives in its own module; notebooks reach it as topics.*.
from .topic_effects import (  # noqa: E402,F401
    TopicPosterior, compare_effects, describe_comparison, describe_effects, dmr_effects, estimate_effect,
    plot_effects, plot_trend, with_refits,
)
