"""Text reuse: passages two documents share, how much of each document they cover, and a matrix.

Campaign reports copy. Some strings every report repeats (学史明理、学史增信、学史崇德、学史力行:
a *formula*); some sentences a few reports share because one was written from another or from a
common draft (a *template*: the Jinan district reports describe their leading groups in the same
words). :func:`shared_passages` finds both, :func:`reuse_coverage` says how much of each body
they cover, :func:`reuse_matrix` and :func:`plot_reuse_matrix` show who shares with whom.

Method
------
1. **Normalise.** Each body (:attr:`Corpus.texts`) is reduced to its letters, digits and Han
   characters (punctuation, quotation marks, brackets, spaces and line breaks dropped; ASCII
   lower-cased), keeping the offset of every kept character in the original body. Matching is
   on the normalised text, so “学史明理”、“学史增信” and 学史明理，学史增信 match; every
   reported position and text is in the original body.
2. **Shingle.** Every run of ``shingle_chars`` consecutive normalised characters is hashed (a
   64-bit polynomial hash computed with numpy, ``shingle_chars`` vector operations per
   document; :mod:`corpus_tools.compare.shingles` does steps 1 to 4).
3. **Index.** An inverted index maps each shingle to the documents that hold it. Shingles held by
   more than ``max_pair_docs`` documents are campaign formulas; pairing every two of their
   documents would be quadratic, so they do not make pairs (see below). Two documents are a
   candidate pair when they share at least ``min_chars - shingle_chars + 1`` of the other shingles, the
   number a single shared passage of ``min_chars`` characters holds. On request
   (``candidates``) MinHash/LSH signatures over each document's pairable shingles propose the
   pairs instead and the same count decides; at most ``PairSearch.max_pairs`` pairs go on to
   step 4, and a cut is logged and recorded in the table's ``attrs``.
4. **Extend.** For each candidate pair, every shingle position of one document is matched to the
   equal shingles of the other; matches on the same diagonal at consecutive positions merge into
   one maximal shared passage (a run of ``k`` shingles is a common string of
   ``k + shingle_chars - 1`` characters). This is linear in the length of the two documents. Passages shorter than
   ``min_chars`` normalised characters are dropped, and each kept passage is checked character
   by character (so a hash collision cannot produce a false passage).
5. **Classify.** ``n_docs_sharing`` counts the documents whose normalised body contains the
   passage. A passage is a ``formula`` (a stock phrase of the campaign) when it occurs in one of
   the ``reference_texts`` (central documents, speeches, the campaign's quotations: the
   researcher's list), when expressions of the rhetoric registry
   (:func:`corpus_tools.rhetoric.match_registry`) cover at least ``formula_min_registry_share``
   of it, or when at least ``formula_min_docs`` documents and at least ``formula_min_share`` of
   all documents contain it; otherwise it is a ``template``: copied between a few reports. The
   column ``rule`` says which test decided, in that order.
6. **Bylines.** Two reports that share a reporter or an outlet (docvars ``reporters``,
   ``outlet``) are likelier to share passages because one hand wrote both; ``shared_byline``
   names what they share, so a reader does not take a writer's habit for a template.

Runs of shingles held by more than ``max_pair_docs`` documents are reported once per document,
with no partner (``doc_b`` missing), so formula coverage is still measured on large corpora.

Examples
--------
>>> from corpus_tools.corpus import corpus_from_texts
>>> corp = corpus_from_texts({
...     "甲": "甲区成立领导小组，区委主要负责同志任组长，相关区领导任副组长。甲区召开大会。",
...     "乙": "乙县召开会议。区委主要负责同志任组长、相关区领导任副组长，下设三个工作组。",
... })
>>> passages = shared_passages(corp, registry=None)
>>> passages[["doc_a", "doc_b", "n_chars", "text_a", "text_b", "kind"]].values.tolist()
[['甲', '乙', 20, '区委主要负责同志任组长，相关区领导任副组长', '区委主要负责同志任组长、相关区领导任副组长', 'template']]
"""

from __future__ import annotations

import math
import os
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from ..compat import renamed_parameters
from ..corpus.metadata import group_labels
from ..memory import release_freed_memory
from ..progress import progress as progress_bar
from . import shingles
from .shingles import normalise

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..rhetoric.registry import Registry

__all__ = [
    "PASSAGE_COLUMNS",
    "RULES",
    "COVERAGE_COLUMNS",
    "normalise",
    "shared_passages",
    "reuse_coverage",
    "reuse_matrix",
    "plot_reuse_matrix",
    "plot_reuse_coverage",
]

#: Columns of :func:`shared_passages`.
PASSAGE_COLUMNS = (
    "doc_a", "start_a", "end_a", "doc_b", "start_b", "end_b", "n_chars", "text_a", "text_b",
    "n_docs_sharing", "registry_share", "kind", "rule", "shared_byline",
)
#: Values of the ``rule`` column of :func:`shared_passages`, in the order they are tested.
RULES = ("reference", "registry", "many_documents", "few_documents")
#: Columns of :func:`reuse_coverage`.
COVERAGE_COLUMNS = (
    "doc_id", "group", "n_chars_body", "n_chars_shared", "share_shared", "n_chars_formula",
    "share_formula", "n_chars_template", "share_template", "n_partners",
)


_NO_HASHES = np.empty(0, dtype=np.uint64)


def _reference_texts(source) -> list[str]:
    """The texts of `reference_texts` (see :func:`shared_passages`)."""
    if source is None:
        return []
    if isinstance(source, Mapping):
        return [str(t) for t in source.values()]
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir():
            files = sorted(path.rglob("*.txt"))
            if not files:
                raise ValueError(f"reference_texts: the folder {path} holds no .txt file; give texts or a .txt file")
            return [f.read_text(encoding="utf-8") for f in files]
        if path.is_file():
            return [path.read_text(encoding="utf-8")]
        raise FileNotFoundError(f"reference_texts: {path} is neither a file nor a folder")
    return [str(t) for t in source]


_NAME_SEPARATORS = re.compile(r"[;；,，、/\s]+")
# Roles a byline may leave in the reporters docvar; sharing one says nothing about the writer.
_BYLINE_ROLES = frozenset({"记者", "本报记者", "通讯员", "特约记者", "见习记者", "实习生", "融媒体记者", "编辑", "责任编辑",
                           "责编", "编审", "审核", "摄影", "摄", "文", "图", "文图", "供图", "来源", "作者", "本报讯"})


def _byline_parts(docvars: pd.DataFrame, doc_id: str) -> set[str]:
    if doc_id not in docvars.index:
        return set()
    row = docvars.loc[doc_id]
    parts = set()
    reporters = row.get("reporters")
    if isinstance(reporters, str):
        parts |= {f"reporter {name}" for name in _NAME_SEPARATORS.split(reporters) if name and name not in _BYLINE_ROLES}
    outlet = row.get("outlet")
    if isinstance(outlet, str) and outlet.strip():
        parts.add(f"outlet {outlet.strip()}")
    return parts


def _shared_bylines(corpus, docs_a: pd.Series, docs_b: pd.Series) -> list[str]:
    """Per pair of documents, the reporters and outlet both bylines name, joined by ``"; "``."""
    docvars = corpus.docvars
    if not {"reporters", "outlet"} & set(docvars.columns):
        return [""] * len(docs_a)
    cache: dict[str, set[str]] = {}

    def parts(doc_id: str) -> set[str]:
        if doc_id not in cache:
            cache[doc_id] = _byline_parts(docvars, doc_id)
        return cache[doc_id]

    return ["; ".join(sorted(parts(a) & parts(b))) if isinstance(b, str) else "" for a, b in zip(docs_a, docs_b)]


def _registry_masks(corpus, docs: list[shingles.ShingledText], registry) -> dict[str, np.ndarray]:
    """Per document, cumulative counts of normalised characters inside registry expressions."""
    from ..rhetoric import match_registry

    hits = match_registry(corpus, registry)
    by_doc = {doc_id: table for doc_id, table in hits.groupby("doc_id", sort=False)}
    masks = {}
    for doc in docs:
        inside = np.zeros(len(doc.norm) + 1, dtype=np.int64)
        table = by_doc.get(doc.doc_id)
        if table is not None:
            starts = np.searchsorted(doc.index, table["start"].to_numpy(), side="left")
            ends = np.searchsorted(doc.index, table["end"].to_numpy(), side="left")
            np.add.at(inside, starts, 1)
            np.add.at(inside, ends, -1)
        covered = np.cumsum(inside[:-1]) > 0
        masks[doc.doc_id] = np.r_[0, np.cumsum(covered)].astype(np.int32)  # a body is < 2**31 characters
    return masks


def _docs_sharing(spans: np.ndarray, docs: list[shingles.ShingledText], index: shingles.ShingleIndex,
                  shingle_chars: int) -> np.ndarray:
    """Per span of `spans` (rows ``(a, sa, ea, ...)``), the documents whose normalised body contains its passage.

    Counted once per distinct passage, through the index, so that the index can be freed
    before the table is built.
    """
    sharing: dict[str, int] = {}
    counts = np.empty(len(spans), dtype=np.int64)
    step = 100_000  # rows made into Python ints at a time (all 1.8 million at once took 200 MB)
    for offset in range(0, len(spans), step):
        for row, (a, first, last) in enumerate(spans[offset:offset + step, :3].tolist(), start=offset):
            passage = docs[a].norm[first:last]
            if passage not in sharing:
                sharing[passage] = shingles.docs_containing(passage, index, docs, shingle_chars)
            counts[row] = sharing[passage]
    return counts


def _passage_rows(spans: np.ndarray, docs: list[shingles.ShingledText], n_docs_sharing: np.ndarray,
                  registry_counts: dict[str, np.ndarray] | None) -> pd.DataFrame:
    """The columns of :func:`shared_passages` up to ``registry_share``, one row per span of `spans`.

    `spans` holds normalised spans ``(a, sa, ea, b, sb, eb)`` (documents by position in `docs`,
    ``b = -1`` without a partner), in table order; `n_docs_sharing` is :func:`_docs_sharing` of
    them. Offsets are mapped back to the bodies one document at a time with array operations. A
    passage's text is one string however many rows show it: on 26,579 articles 1.8 million rows
    hold about 250,000 distinct passages.
    """
    n = len(spans)
    a_doc, sa, ea, b_doc, sb, eb = (spans[:, j] for j in range(6))
    doc_ids = np.array([doc.doc_id for doc in docs] + [None], dtype=object)  # position -1: no partner
    start_a, end_a = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    start_b, end_b = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    text_a, text_b = np.full(n, None, dtype=object), np.full(n, None, dtype=object)
    registry_share = np.zeros(n, dtype=np.float64)
    strings: dict[str, str] = {}

    def put_texts(column: np.ndarray, rows: np.ndarray, doc: shingles.ShingledText, starts: np.ndarray,
                  ends: np.ndarray) -> None:
        # One element at a time: numpy would turn a list of str into a fixed-width array and
        # back into new str objects, one per row.
        for row, start, end in zip(rows.tolist(), starts.tolist(), ends.tolist()):
            text = doc.text[start:end]
            column[row] = strings.setdefault(text, text)

    def slices(keys: np.ndarray) -> list[tuple[int, np.ndarray]]:
        """(document, rows) for each document in `keys`, rows in table order."""
        if len(keys) == 0:
            return []
        order = np.argsort(keys, kind="stable")
        bounds = np.flatnonzero(np.r_[True, keys[order][1:] != keys[order][:-1]])
        return [(int(keys[order[i]]), order[i:j]) for i, j in zip(bounds.tolist(), [*bounds[1:].tolist(), len(order)])]

    for a, rows in slices(a_doc):
        doc = docs[a]
        start_a[rows], end_a[rows] = doc.original(sa[rows], ea[rows])
        put_texts(text_a, rows, doc, start_a[rows], end_a[rows])
        if registry_counts is not None:
            counts = registry_counts[doc.doc_id]
            registry_share[rows] = (counts[ea[rows]] - counts[sa[rows]]) / (ea[rows] - sa[rows])
    paired = b_doc >= 0
    for b, rows in slices(np.where(paired, b_doc, -1)):
        if b < 0:
            continue
        doc = docs[b]
        start_b[rows], end_b[rows] = doc.original(sb[rows], eb[rows])
        put_texts(text_b, rows, doc, start_b[rows], end_b[rows])

    def objects(values: np.ndarray) -> pd.Series:
        return pd.Series(values, dtype=object)  # as the table always was (pandas would infer str)

    return pd.DataFrame({
        "doc_a": objects(doc_ids[a_doc]), "start_a": start_a, "end_a": end_a, "doc_b": objects(doc_ids[b_doc]),
        "start_b": pd.arrays.IntegerArray(start_b, ~paired), "end_b": pd.arrays.IntegerArray(end_b, ~paired),
        "n_chars": ea - sa, "text_a": objects(text_a), "text_b": objects(text_b), "n_docs_sharing": n_docs_sharing,
        "registry_share": registry_share,
    })


@renamed_parameters(n="shingle_chars")
def shared_passages(
    corpus,
    *,
    shingle_chars: int = 10,
    min_chars: int = 15,
    max_pair_docs: int = 50,
    formula_min_docs: int = 3,
    formula_min_share: float = 0.05,
    formula_min_registry_share: float = 0.5,
    registry: "Registry | str | None" = "dangshi-2021",
    reference_texts: "Mapping[str, str] | Sequence[str] | str | os.PathLike[str] | None" = None,
    by: str | None = None,
    candidates: "Literal['index', 'lsh', 'auto'] | shingles.PairSearch" = "index",
    progress: bool = True,
) -> pd.DataFrame:
    """Find the passages that two documents share, tolerant of punctuation and spacing.

    Parameters
    ----------
    corpus : Corpus
        Matching runs on the cleaned bodies, :attr:`Corpus.texts`.
    shingle_chars : int, default 10
        Shingle length in normalised characters (letters, digits, Han). Ten Han characters are
        about five words: long enough that unrelated reports rarely share one by chance, short
        enough that any passage of ``min_chars`` is seen. Must not exceed `min_chars`.
    min_chars : int, default 15
        Shortest passage reported, in normalised characters (punctuation and spaces not
        counted). 15 keeps sentences and long formulas (学史明理、学史增信、学史崇德、学史力行
        is 16) and drops set phrases such as 我为群众办实事 (7) or 学党史、悟思想、办实事、开新局
        (12); lower it to see those.
    max_pair_docs : int, default 50
        Shingles held by more than this many documents do not make document pairs (a count).
        Their runs are reported once per document with ``doc_b`` missing. Must be at least
        `formula_min_docs`.
    formula_min_docs : int, default 3
        A passage contained in at least this many documents (a count) and in at least
        `formula_min_share` of them is a ``formula``.
    formula_min_share : float, default 0.05
        See `formula_min_docs`: the share of the corpus's documents. The larger of the two
        thresholds applies: on the five seeds 3 documents, on 1,000 documents 50, so a template
        that a handful of reports copy stays a template in a large corpus.
    formula_min_registry_share : float, default 0.5
        A passage whose normalised characters are at least this share inside expressions of
        `registry` is a ``formula`` whatever its document count.
    registry : Registry, str or None, default "dangshi-2021"
        The rhetoric registry (see :func:`corpus_tools.rhetoric.load_registry`); None skips the
        registry test (``registry_share`` is then 0).
    reference_texts : mapping, sequence of str, path or None, default None
        Central texts whose wording every report may quote (the central meeting's speech, the
        campaign's notice, a list of quotations): a passage found in one (after the same
        normalisation) is a ``formula`` with ``rule == "reference"``. A mapping of name to text,
        a sequence of texts, a UTF-8 text file, or a folder whose ``*.txt`` files are read
        (searched recursively).
    by : str, optional
        A docvar (e.g. ``group`` or ``district``); when given, columns ``group_a`` and
        ``group_b`` with its labels are added.
    candidates : {"index", "lsh", "auto"} or PairSearch, default "index"
        How the document pairs to compare are found (step 3 of the method): ``index`` counts
        the pairable shingles every two documents share through the inverted index; ``lsh``
        proposes pairs whose pairable shingle sets are similar (MinHash signatures with a
        fixed seed, datasketch's ``MinHashLSH``) and keeps those the index rule keeps; ``auto``
        uses ``lsh`` from 20,000 documents on. Either way every reported passage is exact
        (step 4 is the same); LSH may miss pairs (on generated corpora of 1,000 to 20,000
        documents it found 83 to 91 % of them, in about the same time and memory, hence the
        default; see :class:`~corpus_tools.compare.shingles.PairSearch`). A
        :class:`~corpus_tools.compare.shingles.PairSearch` sets the route, the LSH settings,
        the document count for ``auto`` and the cap on compared pairs (1,000,000 by default;
        beyond it the pairs sharing the most shingles are compared and the cut is logged).
    progress : bool, default True
        Report progress over candidate pairs (see :mod:`corpus_tools.progress`).

    Returns
    -------
    pandas.DataFrame
        One row per (doc_a, doc_b, passage), sorted by ``doc_a, start_a, doc_b, start_b``:
        ``doc_a`` (the document earlier in corpus order), ``start_a, end_a`` (offsets into
        ``corpus.texts[doc_a]``), ``doc_b, start_b, end_b`` (likewise for ``doc_b``; missing —
        ``None`` and ``<NA>`` — for runs of shingles too frequent to pair), ``n_chars``
        (normalised characters of the passage), ``text_a, text_b`` (the passage as each
        document writes it, punctuation included), ``n_docs_sharing`` (documents whose body
        contains the passage, ``doc_a`` and ``doc_b`` included), ``registry_share`` (share of
        its normalised characters inside registry expressions), ``kind`` (``formula`` or
        ``template``), ``rule`` (which test classified it: ``reference``, ``registry``,
        ``many_documents`` or ``few_documents``, see :data:`RULES`), ``shared_byline`` (what
        ``doc_a`` and ``doc_b`` share of their bylines, e.g. ``"reporter 王五; outlet 某某日报"``,
        or ``""``), plus ``group_a, group_b`` when `by` is given. A passage that one
        document repeats appears once per occurrence. ``attrs["candidates"]`` records how
        pairs were found (the record of
        :func:`~corpus_tools.compare.shingles.find_candidate_pairs`: the route, the pairs found
        and compared, whether the cap cut any).

    Raises
    ------
    ValueError
        When ``shingle_chars < 2``, ``shingle_chars > min_chars``,
        ``max_pair_docs < formula_min_docs`` or
        ``formula_min_docs < 2``.
    KeyError
        When `by` is not a docvar.

    Notes
    -----
    Cost: one pass per document to hash, one sort of all distinct shingles, then work
    proportional to the length of each candidate pair. Because the most frequent shingles make
    no pairs, the number of candidate pairs grows with the amount of real reuse, not with the
    square of the corpus size: 20,000 generated documents of about 1,100 characters with planted
    templates take about 20 s with a 1.0 GB peak, by either route (``benchmarks/reuse_scale.py``);
    the 26,579 articles of ``benchmarks/report_scale.py``'s 100 MB corpus about 95 s (most of it
    extending 1.8 million passages) with a peak about 1.1 GB above the corpus: the offsets,
    hashes and index of matching, all freed before the table (about 0.3 GB) is built.

    Matching is exact on the normalised text: a passage ends at the first differing letter,
    digit or Han character (制订 vs 制定 splits a sentence in two).
    """
    if shingle_chars < 2:
        raise ValueError(f"shingle_chars must be at least 2, got {shingle_chars}")
    if shingle_chars > min_chars:
        raise ValueError(
            f"shingle_chars ({shingle_chars}) must not exceed min_chars ({min_chars}): shorter passages would be missed"
        )
    if formula_min_docs < 2:
        raise ValueError(f"formula_min_docs must be at least 2, got {formula_min_docs}")
    if max_pair_docs < formula_min_docs:
        raise ValueError(f"max_pair_docs ({max_pair_docs}) must be at least formula_min_docs ({formula_min_docs})")
    if isinstance(candidates, str):
        if candidates not in ("auto", "index", "lsh"):
            raise ValueError(f"candidates must be 'auto', 'index', 'lsh' or a PairSearch, not {candidates!r}")
        candidates = shingles.PairSearch(method=candidates)
    elif not isinstance(candidates, shingles.PairSearch):
        raise TypeError(f"candidates must be 'auto', 'index', 'lsh' or a PairSearch, not {type(candidates).__name__}")
    labels = group_labels(corpus.docvars, by) if by is not None else None

    docs = []
    for doc_id, text in corpus.texts.items():
        text = "" if text is None else str(text)
        norm, index = normalise(text)
        hashes = shingles.shingle_hashes(norm, shingle_chars)
        docs.append(shingles.ShingledText(str(doc_id), text, norm, index, hashes))
    index, position_df = shingles.build_index(docs)
    rare = [df <= max_pair_docs for df in position_df]

    pairs, search_record = shingles.find_candidate_pairs(
        docs, index, position_df, max_pair_docs=max_pair_docs, min_shared=min_chars - shingle_chars + 1,
        search=candidates,
    )
    del position_df  # `rare` says what is needed of it
    # Each document is compared with all its candidate partners at once (the table is sorted below).
    partners_of: dict[int, list[int]] = defaultdict(list)
    for a, b in pairs.tolist():
        partners_of[a].append(b)
    # Normalised spans as rows of int64 (a, sa, ea, b, sb, eb), b = -1 for no partner: on 26,579
    # articles there are 1.8 million, which as Python tuples and per-row lists made the peak of
    # notebook 03 (about 1 GB of objects for a table of a few arrays).
    found: list[np.ndarray] = []
    for a, partners in progress_bar(list(partners_of.items()), desc="shared passages", unit="doc", enabled=progress):
        matches = shingles.partner_matches(docs[a], [docs[b] for b in partners], shingle_chars=shingle_chars,
                                           min_chars=min_chars, rare_a=rare[a])
        if matches:
            k, sa, ea, sb, eb = np.asarray(matches, dtype=np.int64).T
            found.append(np.column_stack([np.full(len(k), a), sa, ea, np.asarray(partners, dtype=np.int64)[k], sb, eb]))
    for a, doc in enumerate(docs):
        firsts, lasts = shingles.consecutive_runs(np.flatnonzero(~rare[a]))
        ends = lasts + shingle_chars
        long_enough = ends - firsts >= min_chars
        if long_enough.any():
            firsts, ends = firsts[long_enough], ends[long_enough]
            none = np.full(len(firsts), -1)
            found.append(np.column_stack([np.full(len(firsts), a), firsts, ends, none, none, none]).astype(np.int64))
    # The shingle hashes have done their work (a passage's document count is looked up with its
    # own hashes): freed before the table is built, which is when the peak memory came.
    del rare
    for doc in docs:
        doc.hashes = _NO_HASHES
    spans = np.concatenate(found) if found else np.empty((0, 6), dtype=np.int64)
    del found
    # By doc_a, start_a, doc_b, start_b; a stable sort, so ties keep the order they were found in.
    spans = spans[np.lexsort((spans[:, 4], spans[:, 3], spans[:, 1], spans[:, 0]))]
    n_docs_sharing = _docs_sharing(spans, docs, index, shingle_chars)
    del index  # the largest structure left (20 bytes per distinct shingle, 4 per posting)
    # The index, the hashes and the matching's many small per-document arrays are freed, but
    # glibc would keep their pages, in holes, while the table is built: about 0.4 GB at 100 MB.
    release_freed_memory()
    registry_counts = _registry_masks(corpus, docs, registry) if registry is not None else None
    table = _passage_rows(spans, docs, n_docs_sharing, registry_counts)
    del spans
    min_docs = max(formula_min_docs, math.ceil(formula_min_share * len(docs)))
    references = [normalise(text)[0] for text in _reference_texts(reference_texts)]
    in_reference = np.zeros(len(table), dtype=bool)
    if references:
        in_reference = np.array([bool(p) and any(p in ref for ref in references)
                                 for p in (normalise(str(t))[0] for t in table["text_a"])], dtype=bool)
    rule = np.select(
        [in_reference, table["registry_share"].to_numpy() >= formula_min_registry_share,
         table["n_docs_sharing"].to_numpy() >= min_docs],
        list(RULES[:3]), default=RULES[3],
    )
    table["kind"] = pd.Categorical(np.where(rule == RULES[3], "template", "formula"), categories=["formula", "template"])
    table["rule"] = pd.Categorical(rule, categories=list(RULES))
    table["shared_byline"] = _shared_bylines(corpus, table["doc_a"], table["doc_b"])
    if labels is not None:
        table["group_a"] = table["doc_a"].map(labels)
        table["group_b"] = table["doc_b"].map(labels)
    table.attrs["candidates"] = search_record
    return table


# --------------------------------------------------------------------------------------------
# Coverage and matrix
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Sides:
    """Both sides of every passage, as integer arrays: one entry per (document, passage) side.

    ``doc`` and ``partner`` are int32 codes into ``ids`` (the documents the passages name, as
    strings); ``partner`` is -1 for a passage without one (``doc_b`` missing); ``start`` and
    ``end`` are int32 character offsets. Codes, not the table's object columns: on 1.8 million
    passages, a frame of both sides with its sorted and grouped copies took :func:`reuse_matrix`
    760 MB above its input (300 MB now).
    """

    ids: pd.Index
    doc: np.ndarray
    partner: np.ndarray
    start: np.ndarray
    end: np.ndarray
    template: np.ndarray  # bool: the passage is a template (else a formula)

    @classmethod
    def of(cls, passages: pd.DataFrame) -> _Sides:
        paired = passages["doc_b"].notna().to_numpy()
        # Each column factorized on its own (a categorical column by its codes), then the two
        # sets of names merged: no object array of both columns is built.
        codes_a, names_a = pd.factorize(passages["doc_a"])
        codes_b, names_b = pd.factorize(passages["doc_b"])
        ids = pd.Index(names_a).append(pd.Index(names_b)).unique()
        codes_a = ids.get_indexer(names_a)[codes_a].astype(np.int32)
        codes_b = ids.get_indexer(names_b)[codes_b[paired]].astype(np.int32)
        n_a = len(passages)
        partner = np.full(n_a + len(codes_b), -1, dtype=np.int32)
        partner[np.flatnonzero(paired)] = codes_b
        partner[n_a:] = codes_a[paired]
        template = (passages["kind"] == "template").to_numpy(dtype=bool, na_value=False)
        return cls(
            ids=ids.astype(str),
            doc=np.concatenate([codes_a, codes_b]),
            partner=partner,
            start=np.concatenate([passages["start_a"].to_numpy(np.int32), passages.loc[paired, "start_b"].to_numpy(np.int32)]),
            end=np.concatenate([passages["end_a"].to_numpy(np.int32), passages.loc[paired, "end_b"].to_numpy(np.int32)]),
            template=np.concatenate([template, template[paired]]),
        )


def _union_lengths(keys: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Length of the union of the intervals ``[start, end)`` of each key.

    Returns the distinct keys (ascending) and each one's union length. Intervals are sorted by
    key and start; one running maximum of the ends then tells how far earlier intervals of the
    key reached, because each key's ends are lifted above every earlier key's before it is
    taken (and lowered again after), so no key sees another's.
    """
    if len(keys) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    order = np.lexsort((starts, keys))
    keys, starts, ends = keys[order], starts[order], ends[order]
    del order
    first = np.empty(len(keys), dtype=bool)
    first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    lift = np.cumsum(first, dtype=np.int64)
    lift -= 1
    lift *= int(max(ends.max(), starts.max(), 0)) + 1
    reach = ends + lift
    np.maximum.accumulate(reach, out=reach)
    reach -= lift
    del lift
    # How far the key's earlier intervals reached (-1 before its first), and what each adds.
    previous = np.roll(reach, 1)
    del reach
    previous[first] = -1
    np.maximum(previous, starts, out=previous)
    length = ends - previous
    del previous
    np.clip(length, 0, None, out=length)
    heads = np.flatnonzero(first)
    return keys[heads], np.add.reduceat(length, heads)


def reuse_coverage(corpus, passages: pd.DataFrame, *, by: str = "group") -> pd.DataFrame:
    """Give each document's share of body text that it shares with other documents.

    Parameters
    ----------
    corpus : Corpus
        The corpus `passages` was computed on.
    passages : pandas.DataFrame
        The table of :func:`shared_passages` (filter its rows first to count only some).
    by : str, default "group"
        The docvar that labels documents (``doc_id`` labels each by itself).

    Returns
    -------
    pandas.DataFrame
        One row per document of the corpus, in corpus order: ``doc_id, group`` (the label from
        `by`), ``n_chars_body`` (characters of ``corpus.texts[doc_id]``), ``n_chars_shared``
        (characters inside at least one shared passage: the union of their spans, punctuation
        inside a passage included, so overlapping passages are not counted twice),
        ``share_shared`` (``n_chars_shared / n_chars_body``), ``n_chars_formula`` and
        ``share_formula`` (characters inside formula passages only), ``n_chars_template`` and
        ``share_template`` (characters inside template passages), ``n_partners`` (other
        documents sharing at least one passage with it).

    Notes
    -----
    A character inside both a template and a formula passage counts as template (a copied
    sentence that quotes a formula is still a copied sentence), so
    ``share_formula + share_template == share_shared``.

    Examples
    --------
    >>> from corpus_tools.corpus import corpus_from_texts
    >>> corp = corpus_from_texts({"a": "区委主要负责同志任组长，相关区领导任副组长。", "b": "另文。区委主要负责同志任组长，相关区领导任副组长。"})
    >>> reuse_coverage(corp, shared_passages(corp, registry=None), by="doc_id")[["doc_id", "share_template"]].values.tolist()
    [['a', 0.9545454545454546], ['b', 0.84]]
    """
    labels = group_labels(corpus.docvars, by)
    doc_ids = corpus.docvars.index.astype(str)
    lengths = corpus.texts.reindex(corpus.docvars.index).fillna("").str.len().to_numpy()
    sides = _Sides.of(passages)
    result = pd.DataFrame({"doc_id": doc_ids, "group": labels.reindex(doc_ids).to_numpy(), "n_chars_body": lengths})
    # Each corpus document's code among the passages' documents (-1: it shares nothing).
    position = sides.ids.get_indexer(doc_ids)
    found = position >= 0

    def per_document(keys: np.ndarray, values: np.ndarray) -> np.ndarray:
        totals = np.zeros(len(sides.ids) + 1, dtype=np.int64)  # the last: documents sharing nothing
        totals[keys] = values
        return totals[np.where(found, position, len(sides.ids))]

    result["n_chars_shared"] = per_document(*_union_lengths(sides.doc, sides.start, sides.end))
    template = sides.template
    result["n_chars_template"] = per_document(*_union_lengths(sides.doc[template], sides.start[template],
                                                              sides.end[template]))
    result["n_chars_formula"] = result["n_chars_shared"] - result["n_chars_template"]
    with np.errstate(invalid="ignore", divide="ignore"):
        body = result["n_chars_body"].where(result["n_chars_body"] > 0)
        for part in ("shared", "formula", "template"):
            result[f"share_{part}"] = result[f"n_chars_{part}"] / body
    with_partner = sides.partner >= 0
    pairs = np.unique(sides.doc[with_partner].astype(np.int64) * len(sides.ids) + sides.partner[with_partner])
    result["n_partners"] = per_document(*np.unique(pairs // len(sides.ids), return_counts=True))
    return result[list(COVERAGE_COLUMNS)]


def reuse_matrix(
    corpus,
    passages: pd.DataFrame,
    *,
    by: str = "doc_id",
    value: Literal["share", "n_chars"] = "share",
    kind: Literal["all", "template", "formula"] = "all",
) -> pd.DataFrame:
    """Tabulate how much of each document (or group) is shared with each other one.

    Parameters
    ----------
    corpus : Corpus
        The corpus `passages` was computed on.
    passages : pandas.DataFrame
        The table of :func:`shared_passages`. Rows without a partner (``doc_b`` missing) are
        left out: they say a passage is common, not with whom.
    by : str, default "doc_id"
        ``doc_id`` for a document × document matrix, or a docvar (``group``, ``district`` …)
        for groups.
    value : {"share", "n_chars"}, default "share"
        ``n_chars``: characters of the row's body inside passages shared with the column (a
        union, punctuation inside passages included). ``share``: that count divided by the
        row's body characters (for a group, summed over its documents).
    kind : {"all", "template", "formula"}, default "all"
        Which passages to count.

    Returns
    -------
    pandas.DataFrame
        Square: index and columns are the labels (documents or groups, in corpus order), named
        `by`; cell (r, c) is the reuse of row r with column c. Not symmetric: the same passage
        is a larger share of a shorter body. The diagonal counts passages shared between
        different documents of the same group; it is NaN for documents and one-document groups.

    Examples
    --------
    >>> from corpus_tools.corpus import corpus_from_texts
    >>> corp = corpus_from_texts({"a": "区委主要负责同志任组长，相关区领导任副组长。", "b": "另文。区委主要负责同志任组长，相关区领导任副组长。", "c": "无关的话。"})
    >>> reuse_matrix(corp, shared_passages(corp, registry=None), value="n_chars").to_dict()
    {'a': {'a': nan, 'b': 21.0, 'c': 0.0}, 'b': {'a': 21.0, 'b': nan, 'c': 0.0}, 'c': {'a': 0.0, 'b': 0.0, 'c': nan}}
    """
    if value not in ("share", "n_chars"):
        raise ValueError(f"value must be 'share' or 'n_chars', not {value!r}")
    if kind not in ("all", "template", "formula"):
        raise ValueError(f"kind must be 'all', 'template' or 'formula', not {kind!r}")
    labels = group_labels(corpus.docvars, by)
    levels = _levels(labels)
    sides = _Sides.of(passages)
    # Each passage document's label, as a code among the levels (-1: no label, left out).
    level_of = pd.Index(levels).get_indexer(labels.reindex(sides.ids).to_numpy())
    selected = sides.partner >= 0
    if kind != "all":
        selected &= sides.template == (kind == "template")
    selected = np.flatnonzero(selected)
    row, column = level_of[sides.doc[selected]], level_of[sides.partner[selected]]
    selected = selected[(row >= 0) & (column >= 0)]
    n_levels = len(levels)
    # The union is per document and column label: a passage shared with two documents of one
    # group counts once for that group.
    keys, covered = _union_lengths(sides.doc[selected].astype(np.int64) * n_levels + level_of[sides.partner[selected]],
                                   sides.start[selected], sides.end[selected])
    counts = np.zeros((n_levels, n_levels))
    np.add.at(counts, (level_of[keys // n_levels], keys % n_levels), covered)
    matrix = pd.DataFrame(counts, index=levels, columns=levels)
    if value == "share":
        lengths = corpus.texts.reindex(corpus.docvars.index).fillna("").str.len()
        lengths.index = lengths.index.astype(str)
        body = lengths.groupby(labels.reindex(lengths.index)).sum().reindex(levels).astype(float)
        matrix = matrix.div(body.where(body > 0), axis=0)
    # A document shares nothing with itself, nor a one-document group with itself: not 0, NaN.
    sizes = labels.value_counts().reindex(levels).to_numpy()
    values = matrix.to_numpy(dtype=float, copy=True)
    values[np.diag_indices_from(values)] = np.where(sizes > 1, np.diag(values), np.nan)
    matrix = pd.DataFrame(values, index=matrix.index, columns=matrix.columns)
    matrix.index.name = matrix.columns.name = by
    return matrix


def _levels(labels: pd.Series) -> list:
    """The groups in the analyst's order: a categorical docvar's categories, else corpus order."""
    if isinstance(labels.dtype, pd.CategoricalDtype):
        present = set(labels)
        return [c for c in labels.cat.categories if c in present]
    return list(pd.unique(labels))


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------


def _cluster_order(matrix: pd.DataFrame) -> list[int]:
    """Row order that puts labels sharing much with each other next to each other."""
    values = matrix.to_numpy(dtype=float)
    if len(values) < 3:
        return list(range(len(values)))
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    similarity = np.nan_to_num(np.fmax(values, values.T), nan=0.0)
    top = similarity.max()
    distance = 1.0 - (similarity / top if top > 0 else similarity)
    np.fill_diagonal(distance, 0.0)
    return leaves_list(linkage(squareform(distance, checks=False), method="average")).tolist()


def plot_reuse_matrix(
    matrix: pd.DataFrame,
    *,
    order: Literal["cluster", "given"] = "cluster",
    title: str | None = None,
    max_labels: int = 60,
    cmap: str = "Reds",
) -> "Figure":
    """Draw a reuse matrix as a heatmap, rows and columns clustered so that sharers sit together.

    Parameters
    ----------
    matrix : pandas.DataFrame
        A square table from :func:`reuse_matrix`.
    order : {"cluster", "given"}, default "cluster"
        ``cluster``: order labels by average-linkage clustering on the symmetrised matrix
        (``max`` of a cell and its mirror), so blocks of mutual copying show as squares.
        ``given``: keep the table's order.
    title : str, optional
        Figure title.
    max_labels : int, default 60
        At most this many tick labels per axis (a count); with more labels every k-th is shown.
    cmap : str, default "Reds"
        A matplotlib colour map; missing cells (the diagonal) are light grey.

    Returns
    -------
    matplotlib.figure.Figure
        One axes with one image (past :data:`~corpus_tools.textplot.core.MAX_HEATMAP_CELLS`
        labels, the means of k × k blocks of cells, as the colour bar says) and a colour bar.

    Notes
    -----
    The figure grows with the number of labels (about 0.2 in per label, capped at 18 in), so 50
    groups stay legible; cells are annotated with their value up to 15 labels.

    Examples
    --------
    >>> import pandas as pd
    >>> matrix = pd.DataFrame([[None, 0.2], [0.1, None]], index=["槐荫区", "市中区"], columns=["槐荫区", "市中区"])
    >>> fig = plot_reuse_matrix(matrix)
    >>> fig.axes[0].images[0].get_array().shape
    (2, 2)
    """
    import matplotlib

    from ..textplot.core import block_means, label_fontsize, new_figure, use_cjk_font

    use_cjk_font()
    if matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square, got shape {matrix.shape}")
    if max_labels < 1:
        raise ValueError(f"max_labels must be at least 1, got {max_labels}")
    positions = _cluster_order(matrix) if order == "cluster" else list(range(len(matrix)))
    shown = matrix.iloc[positions, positions]
    n_labels = len(shown)
    side = min(18.0, max(4.5, 2.0 + 0.2 * n_labels))
    fig, axes = new_figure(figsize=(side + 1.2, side))
    ax = axes[0, 0]
    colormap = matplotlib.colormaps.get_cmap(cmap).with_extremes(bad="#eeeeee")
    values = shown.to_numpy(dtype=float)
    high = values[np.isfinite(values)].max(initial=0.0)
    is_share = high <= 1.0
    drawn, k = block_means(values)  # past a few hundred labels, k x k block means (see block_means)
    image = ax.imshow(np.ma.masked_invalid(drawn), cmap=colormap, aspect="equal", interpolation="nearest", vmin=0,
                      extent=(-0.5, drawn.shape[1] * k - 0.5, drawn.shape[0] * k - 0.5, -0.5))
    ax.set_xlim(-0.5, n_labels - 0.5)
    ax.set_ylim(n_labels - 0.5, -0.5)
    label = "share of the row's body shared with the column" if is_share else "characters of the row's body shared with the column"
    fig.colorbar(image, ax=ax, shrink=0.6).set_label(label if k == 1 else f"{label} (mean of {k} × {k} cells)")
    step = max(1, math.ceil(n_labels / max_labels))
    ticks = np.arange(0, n_labels, step)
    fontsize = label_fontsize(len(ticks))  # the package's legibility rule: never below 7 pt
    ax.set_xticks(ticks, [str(shown.columns[i]) for i in ticks], rotation=90, fontsize=fontsize)
    ax.set_yticks(ticks, [str(shown.index[i]) for i in ticks], fontsize=fontsize)
    ax.set_xlabel(f"{shown.columns.name or 'label'} (partner)")
    ax.set_ylabel(f"{shown.index.name or 'label'} (whose body is covered)")
    if n_labels <= 15:
        fmt = ("{:.1%}" if high < 0.1 else "{:.0%}") if is_share else "{:.0f}"
        for (row, col), cell in np.ndenumerate(values):
            if np.isfinite(cell) and cell > 0:
                ax.text(col, row, fmt.format(cell), ha="center", va="center", fontsize=7,
                        color="white" if high and cell / high > 0.6 else "black")
    if title:
        ax.set_title(title)
    return fig


def plot_reuse_coverage(
    coverage: pd.DataFrame,
    *,
    y: str = "doc_id",
    title: str | None = None,
    max_bars: int = 50,
) -> "Figure":
    """Draw each document's (or group's) shared share of body text, split into template and formula.

    Parameters
    ----------
    coverage : pandas.DataFrame
        The table of :func:`reuse_coverage`.
    y : str, default "doc_id"
        ``doc_id`` for one bar per document, ``group`` for one bar per group (characters summed
        over its documents before dividing).
    title : str, optional
        Figure title.
    max_bars : int, default 50
        Draw at most this many bars (the largest shares); the title says how many were left out.

    Returns
    -------
    matplotlib.figure.Figure
        Stacked horizontal bars (see :func:`corpus_tools.textplot.grouped_barh`).

    Examples
    --------
    >>> import pandas as pd
    >>> coverage = pd.DataFrame({"doc_id": ["a", "b"], "group": ["甲区", "乙县"], "n_chars_body": [100, 200],
    ...                          "n_chars_template": [30, 0], "n_chars_formula": [10, 20]})
    >>> len(plot_reuse_coverage(coverage).axes[0].patches)
    4
    """
    from ..textplot import grouped_barh

    sums = coverage.groupby(y, sort=False)[["n_chars_body", "n_chars_template", "n_chars_formula"]].sum()
    body = sums["n_chars_body"].where(sums["n_chars_body"] > 0)
    long = pd.concat([
        pd.DataFrame({y: sums.index, "kind": "template (copied between a few)", "share": (sums["n_chars_template"] / body).to_numpy()}),
        pd.DataFrame({y: sums.index, "kind": "formula (campaign-wide)", "share": (sums["n_chars_formula"] / body).to_numpy()}),
    ], ignore_index=True)
    long["share"] = long["share"].fillna(0.0)
    return grouped_barh(long, y=y, x="share", hue="kind", stacked=True, title=title,
                        xlabel="share of body text shared with other documents", max_bars=max_bars)
