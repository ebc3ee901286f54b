"""Character shingles: the matching machinery of text reuse, independent of what a match means.

:func:`normalise` reduces a body to the characters that matching looks at, keeping their offsets;
:func:`shingle_hashes` hashes every run of ``shingle_chars`` of them; :func:`build_index` and
:func:`find_candidate_pairs` find the documents worth comparing (through the inverted index,
:func:`candidate_pairs`, or MinHash/LSH signatures, :func:`lsh_candidate_pairs`, as
:class:`PairSearch` says, never more than its cap); :func:`pair_matches` extends equal
shingles into maximal shared passages. What a passage is (a formula or a template), whom it is
shared with and how much of a body it covers is :mod:`corpus_tools.compare.reuse`'s job.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Literal

import numpy as np

__all__ = [
    "PairSearch",
    "ShingleIndex",
    "ShingledText",
    "build_index",
    "cap_pairs",
    "candidate_pairs",
    "consecutive_runs",
    "docs_containing",
    "find_candidate_pairs",
    "lsh_candidate_pairs",
    "normalise",
    "pairable_sets",
    "pair_matches",
    "partner_matches",
    "shared_shingle_counts",
    "shingle_hashes",
]

logger = logging.getLogger(__name__)

# Odd 64-bit multiplier (the golden-ratio constant) for the polynomial shingle hash; numpy's
# uint64 arithmetic wraps modulo 2**64 without warning, which is what a rolling hash needs.
_HASH_BASE = np.uint64(0x9E3779B97F4A7C15)
# Code points below this are classified with a lookup table; the rest (rare) one by one.
_TABLE_SIZE = 0x30000


@lru_cache(maxsize=1)
def _kept_table() -> np.ndarray:
    """Boolean table: is code point ``i`` a letter or digit (kept for matching)?"""
    return np.fromiter((chr(i).isalnum() for i in range(_TABLE_SIZE)), dtype=bool, count=_TABLE_SIZE)


def normalise(text: str) -> tuple[str, np.ndarray]:
    """Keep the letters, digits and Han characters of `text`; return them and their offsets.

    Parameters
    ----------
    text : str
        A document body.

    Returns
    -------
    normalised : str
        The kept characters, ASCII letters lower-cased.
    index : numpy.ndarray of int32
        ``index[i]`` is the offset in `text` of ``normalised[i]``; a normalised span ``[s, e)`` is
        ``[index[s], index[e - 1] + 1)`` in `text`.

    Examples
    --------
    >>> normalised, index = normalise("坚持“学史明理”、学史增信 H5")
    >>> normalised, index.tolist()
    ('坚持学史明理学史增信h5', [0, 1, 3, 4, 5, 6, 9, 10, 11, 12, 14, 15])
    """
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    table = _kept_table()
    small = codes < _TABLE_SIZE
    keep = np.zeros(len(codes), dtype=bool)
    keep[small] = table[codes[small]]
    for position in np.flatnonzero(~small):  # supplementary planes beyond the table: rare
        keep[position] = text[position].isalnum()
    # int32 offsets: text reuse keeps one per character of every body (2**31 characters would be a 4 GB body).
    index = np.flatnonzero(keep).astype(np.int32 if len(codes) < 2**31 else np.int64)
    kept = codes[index].copy()
    upper = (kept >= 65) & (kept <= 90)
    kept[upper] += 32
    return kept.tobytes().decode("utf-32-le"), index


def shingle_hashes(normalised: str, shingle_chars: int) -> np.ndarray:
    """Hash every `shingle_chars`-character shingle of `normalised` (64 bits), by start position.

    Parameters
    ----------
    normalised : str
        A text from :func:`normalise`.
    shingle_chars : int
        Shingle length in characters.

    Returns
    -------
    numpy.ndarray of uint64
        One hash per start position, ``len(normalised) - shingle_chars + 1`` of them (none for
        a shorter text). Equal shingles have equal hashes; a collision is possible, so a match
        is checked on the characters (:func:`pair_matches`).

    Examples
    --------
    >>> h = shingle_hashes("学史明理学史", 2)
    >>> len(h), bool(h[0] == h[4]), bool(h[0] == h[1])
    (5, True, False)
    """
    codes = np.frombuffer(normalised.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    count = len(codes) - shingle_chars + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    hashes = np.zeros(count, dtype=np.uint64)
    for offset in range(shingle_chars):
        hashes = hashes * _HASH_BASE + codes[offset:offset + count]
    return hashes


@dataclass
class ShingledText:
    """One document prepared for matching: its body, normalised text, offsets and shingle hashes.

    Attributes
    ----------
    doc_id : str
    text : str
        The body as the corpus holds it.
    norm : str
        ``normalise(text)[0]``.
    index : numpy.ndarray
        ``normalise(text)[1]``: the offset in `text` of every character of `norm`.
    hashes : numpy.ndarray
        :func:`shingle_hashes` of `norm`.
    """

    doc_id: str
    text: str
    norm: str
    index: np.ndarray
    hashes: np.ndarray

    def original(self, start, end):
        """Original-body span of the normalised span ``[start, end)``: two ints, or two arrays for arrays of spans."""
        first, last = self.index[start], self.index[np.asarray(end) - 1] + 1
        return (int(first), int(last)) if np.ndim(first) == 0 else (first, last)


@dataclass
class ShingleIndex:
    """Inverted index: distinct shingle hashes, their document frequency and documents.

    Built by :func:`build_index`; documents are numbered by their position in its input.
    """

    hashes: np.ndarray  # sorted distinct hashes
    starts: np.ndarray  # offset of each hash's postings in `docs`
    df: np.ndarray  # number of documents holding each hash (int32)
    docs: np.ndarray  # document numbers (int32), grouped by hash

    def frequency(self, hashes: np.ndarray) -> np.ndarray:
        """Document frequency of each of `hashes` (0 for an unknown hash)."""
        where = np.searchsorted(self.hashes, hashes)
        where = np.minimum(where, len(self.hashes) - 1)
        found = self.hashes[where] == hashes
        return np.where(found, self.df[where], 0)

    def postings(self, hash_value: np.uint64) -> np.ndarray:
        """Numbers of the documents holding `hash_value` (empty for an unknown hash)."""
        where = int(np.searchsorted(self.hashes, hash_value))
        if where >= len(self.hashes) or self.hashes[where] != hash_value:
            return np.empty(0, dtype=np.int64)
        return self.docs[self.starts[where]:self.starts[where] + self.df[where]]


def build_index(docs: list[ShingledText]) -> tuple[ShingleIndex, list[np.ndarray]]:
    """Build the inverted index of `docs` and, per document, the document frequency of each shingle.

    Returns
    -------
    index : ShingleIndex
    position_df : list of numpy.ndarray of int32
        Per document (in the order of `docs`), the number of documents holding the shingle at
        each start position.

    Notes
    -----
    The index sets the peak memory of text reuse, so it is built with as few arrays of one
    value per shingle as possible: every document's distinct hashes are copied into one array
    (8 bytes each) and sorted in place; the postings (4 bytes each) are filled document by
    document (a counting sort, as each document holds a hash once), and each document's
    frequencies (4 bytes per shingle) are looked up in the distinct hashes (about 28 bytes per
    distinct hash with their starts, frequencies and fill pointers). Argsorting the
    concatenated hashes and mapping back through each document's inverse held several more
    arrays of one value per shingle: on the 26,579 articles of ``benchmarks/report_scale.py``'s
    100 MB corpus building the index took 0.97 GB above what it was given, now 0.43 GB.
    """
    sizes = np.zeros(len(docs), dtype=np.int64)
    distinct = []
    for number, doc in enumerate(docs):
        values = np.unique(doc.hashes)
        sizes[number] = len(values)
        distinct.append(values)
    all_hashes = np.empty(int(sizes.sum()), dtype=np.uint64)
    for number, offset in enumerate(np.r_[0, np.cumsum(sizes)[:-1]].tolist()):
        all_hashes[offset:offset + sizes[number]] = distinct[number]
        distinct[number] = None  # freed as it is copied
    del distinct
    if len(all_hashes) == 0:
        empty = np.empty(0, dtype=np.int64)
        return ShingleIndex(np.empty(0, dtype=np.uint64), empty, empty, empty), [np.empty(0, dtype=np.int32) for _ in docs]
    all_hashes.sort()
    boundary = np.flatnonzero(np.r_[True, all_hashes[1:] != all_hashes[:-1]])
    hashes = all_hashes[boundary]
    del all_hashes
    df = np.diff(np.r_[boundary, sizes.sum()]).astype(np.int32)  # a hash is in fewer than 2**31 documents
    # Counting sort of the postings: each document takes the next free slot of each of its hashes.
    postings = np.empty(int(sizes.sum()), dtype=np.int32)
    next_slot = boundary.copy()
    position_df = []
    positions = _positions_in(hashes)
    for first, last in _batches_of_documents(docs):
        # Looked up for a batch of documents at once: per document, the search's few array
        # operations cost more in numpy's call overhead than in work.
        lengths = [len(doc.hashes) for doc in docs[first:last]]
        batch = np.concatenate([doc.hashes for doc in docs[first:last]]) if lengths else np.empty(0, np.uint64)
        for number, where in zip(range(first, last), np.split(positions(batch), np.cumsum(lengths)[:-1])):
            position_df.append(df[where])
            held = np.unique(where)
            postings[next_slot[held]] = number
            next_slot[held] += 1
    return ShingleIndex(hashes, boundary, df, postings), position_df


# Shingles looked up at a time when the index is built (8 MB of hashes).
_LOOKUP_BATCH = 1 << 20


def _batches_of_documents(docs: list[ShingledText]):
    """``(first, last)`` ranges of consecutive documents holding about :data:`_LOOKUP_BATCH` shingles each."""
    first, held = 0, 0
    for number, doc in enumerate(docs):
        held += len(doc.hashes)
        if held >= _LOOKUP_BATCH:
            yield first, number + 1
            first, held = number + 1, 0
    if first < len(docs):
        yield first, len(docs)


def _positions_in(sorted_hashes: np.ndarray):
    """A function giving ``np.searchsorted(sorted_hashes, values)`` for hashes, several times faster.

    The index looks up every shingle of every document once (33 million on 26,579 articles);
    a binary search over all the distinct hashes misses the processor cache at nearly every
    step. The hashes are uniform, so a table of where each value of their top bits starts
    leaves a search over a handful of entries, done for all values at once: a million lookups
    among 20 million hashes took 0.18 s instead of 1.2 s.
    """
    bits = int(np.clip(len(sorted_hashes).bit_length() - 3, 1, 24))  # about 4 hashes per bucket
    shift = np.uint64(64 - bits)
    first_values = np.arange(1 << bits, dtype=np.uint64) << shift  # the smallest hash of each bucket
    bucket_starts = np.r_[np.searchsorted(sorted_hashes, first_values), len(sorted_hashes)]
    last = len(sorted_hashes) - 1

    def positions(values: np.ndarray) -> np.ndarray:
        bucket = (values >> shift).astype(np.intp)
        low, high = bucket_starts[bucket], bucket_starts[bucket + 1]
        searching = low < high
        while searching.any():
            middle = (low + high) // 2
            right = searching & (sorted_hashes[np.minimum(middle, last)] < values)
            low = np.where(right, middle + 1, low)
            high = np.where(searching & ~right, middle, high)
            searching = low < high
        return low

    return positions


def _concatenated_ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``np.concatenate([np.arange(s, s + n) for s, n in zip(starts, lengths)])`` without a Python loop."""
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    shifts = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return np.arange(total, dtype=np.int64) + shifts


def shared_shingle_counts(
    index: ShingleIndex, n_docs: int, *, max_pair_docs: int, min_shared: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return the document pairs sharing at least `min_shared` pairable shingles, and how many.

    A shingle is pairable when 2 to `max_pair_docs` documents hold it; more, and it is a
    campaign formula whose every pair of documents would make the work quadratic.

    Returns
    -------
    pairs : numpy.ndarray of int64, shape (n_pairs, 2)
        Document numbers ``a < b``, one pair per row, sorted by ``a`` then ``b``.
    shared : numpy.ndarray of int64, shape (n_pairs,)
        Number of distinct pairable shingles both documents hold.

    Notes
    -----
    Counted one document at a time: the postings of document ``a``'s pairable shingles,
    gathered, give every later document with the number of shingles it shares with ``a``. Only
    one document's partners are held at once, so memory does not grow with the number of
    document pairs sharing a single shingle by chance (tens of millions on a large corpus).
    Each pairable shingle's postings are gathered once per document holding it: about twice
    the elements of pairing every two holders, in a few array operations per document.
    """
    pairable = np.flatnonzero((index.df >= 2) & (index.df <= max_pair_docs))
    empty = np.empty((0, 2), dtype=np.int64), np.empty(0, dtype=np.int64)
    if len(pairable) == 0:
        return empty
    starts, lengths = index.starts[pairable].astype(np.int64), index.df[pairable].astype(np.int64)
    # Each document's pairable shingles (numbers into `pairable`), documents in order.
    holders = index.docs[_concatenated_ranges(starts, lengths)]
    order = np.argsort(holders, kind="stable")
    owner = np.repeat(np.arange(len(pairable), dtype=np.int32), lengths)[order]
    del order
    bounds = np.r_[0, np.cumsum(np.bincount(holders, minlength=n_docs))]
    del holders
    firsts, seconds, counts = [], [], []
    for a in range(n_docs):
        mine = owner[bounds[a]:bounds[a + 1]]
        if len(mine) < min_shared:
            continue
        partners = index.docs[_concatenated_ranges(starts[mine], lengths[mine])]
        partners = partners[partners > a]
        if len(partners) < min_shared:
            continue
        values, shared = np.unique(partners, return_counts=True)
        kept = shared >= min_shared
        if kept.any():
            seconds.append(values[kept].astype(np.int64))
            counts.append(shared[kept].astype(np.int64))
            firsts.append(np.full(int(kept.sum()), a, dtype=np.int64))
    if not firsts:
        return empty
    return np.column_stack([np.concatenate(firsts), np.concatenate(seconds)]), np.concatenate(counts)


def candidate_pairs(index: ShingleIndex, n_docs: int, *, max_pair_docs: int, min_shared: int) -> np.ndarray:
    """Return the document pairs (a < b, one per row) sharing at least `min_shared` pairable shingles.

    A shingle is pairable when 2 to `max_pair_docs` documents hold it; more, and it is a
    campaign formula whose every pair of documents would make the work quadratic. The pairs of
    :func:`shared_shingle_counts`, without their counts.
    """
    return shared_shingle_counts(index, n_docs, max_pair_docs=max_pair_docs, min_shared=min_shared)[0]


def pairable_sets(docs: list[ShingledText], position_df: list[np.ndarray], *, max_pair_docs: int) -> list[np.ndarray]:
    """Per document, its distinct pairable shingle hashes (held by 2 to `max_pair_docs` documents).

    These are the shingles the inverted index pairs documents on: a document's unique shingles
    can match nothing and a formula's make no pairs, so both are left out (sorted hashes).
    """
    return [np.unique(doc.hashes[(df >= 2) & (df <= max_pair_docs)]) for doc, df in zip(docs, position_df)]


def lsh_candidate_pairs(
    sets: list[np.ndarray],
    *,
    min_shared: int,
    min_jaccard: float,
    num_perm: int,
    random_state: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Propose document pairs with MinHash signatures and LSH, then keep those sharing `min_shared` shingles.

    Parameters
    ----------
    sets : list of numpy.ndarray of uint64
        Per document, its distinct pairable shingle hashes (:func:`pairable_sets`).
    min_shared : int
        A proposed pair is kept when the two sets have at least this many hashes in common
        (counted exactly), the rule of the index route.
    min_jaccard : float
        The Jaccard similarity of two sets that LSH is tuned to find (datasketch's
        ``MinHashLSH(threshold=...)``): pairs well above it are found almost surely, pairs
        well below almost never.
    num_perm : int
        Permutations in each MinHash signature.
    random_state : int
        Seed of the permutations (datasketch's ``MinHash(seed=...)``): same seed, same pairs.

    Returns
    -------
    pairs : numpy.ndarray of int64, shape (n_pairs, 2)
        Document numbers ``a < b``, sorted by ``a`` then ``b``.
    shared : numpy.ndarray of int64
        Number of hashes the two sets share (exact).

    Notes
    -----
    Each set is hashed once into a signature of `num_perm` values (the ``affine64`` scheme over
    the 64-bit shingle hashes, so no string is hashed again); the signatures are cut into bands
    and two documents whose band values agree in at least one band are proposed. The work is
    linear in the number of documents plus the number of proposed pairs, whatever the number
    of documents sharing a shingle; the price is recall: two documents that share one short
    passage among many other shared shingles have a low Jaccard similarity and may be missed.

    Examples
    --------
    >>> import numpy as np
    >>> sets = [np.arange(0, 40, dtype=np.uint64), np.arange(2, 42, dtype=np.uint64), np.arange(100, 140, dtype=np.uint64)]
    >>> pairs, shared = lsh_candidate_pairs(sets, min_shared=5, min_jaccard=0.5, num_perm=64, random_state=1)
    >>> pairs.tolist(), shared.tolist()
    ([[0, 1]], [38])
    """
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=min_jaccard, num_perm=num_perm)
    first = MinHash(num_perm=num_perm, seed=random_state, scheme="affine64", hashfunc=int)
    signatures: dict[int, object] = {}
    for number, values in enumerate(sets):
        if len(values) < min_shared:  # cannot share min_shared shingles with anyone
            continue
        signature = MinHash(num_perm=num_perm, seed=random_state, scheme="affine64", hashfunc=int,
                            permutations=first.permutations)
        signature.update_batch(values.tolist())
        lsh.insert(number, signature, check_duplication=False)
        signatures[number] = signature
    proposed = set()
    for number, signature in signatures.items():
        proposed.update((number, other) for other in lsh.query(signature) if other > number)
    pairs = np.array(sorted(proposed), dtype=np.int64).reshape(-1, 2)
    shared = np.array([len(np.intersect1d(sets[a], sets[b], assume_unique=True)) for a, b in pairs.tolist()],
                      dtype=np.int64)
    kept = shared >= min_shared
    return pairs[kept], shared[kept]


def cap_pairs(pairs: np.ndarray, shared: np.ndarray, max_pairs: int) -> np.ndarray:
    """Keep the `max_pairs` pairs sharing the most shingles (ties: earlier pairs first), in pair order.

    Examples
    --------
    >>> import numpy as np
    >>> cap_pairs(np.array([[0, 1], [0, 2], [1, 2]]), np.array([5, 9, 5]), 2).tolist()
    [[0, 1], [0, 2]]
    """
    if len(pairs) <= max_pairs:
        return pairs
    order = np.lexsort((pairs[:, 1], pairs[:, 0], -shared))[:max_pairs]
    return pairs[np.sort(order)]


@dataclass(frozen=True)
class PairSearch:
    """How :func:`find_candidate_pairs` finds the document pairs worth comparing.

    Attributes
    ----------
    method : {"index", "lsh", "auto"}, default "index"
        ``index``: every pair sharing at least the shingles of one shortest passage, counted
        through the inverted index (exact, but a shingle held by ``k`` documents makes
        ``k (k - 1) / 2`` pairs). ``lsh``: pairs proposed by MinHash signatures over each
        document's pairable shingles (:func:`lsh_candidate_pairs`), then checked with the
        index route's rule: linear in the number of documents, may miss pairs whose shingle
        sets are not similar overall. ``auto``: ``lsh`` from `lsh_min_docs` documents on,
        ``index`` below. ``index`` is the default because, measured on generated corpora of
        1,000 to 20,000 documents (``benchmarks/reuse_scale.py``), LSH took about the same
        time and memory (both routes build the index, which sets the peak) and found 83 to 91 %
        of the index route's pairs; choose ``lsh`` when ``max_pair_docs`` is raised so far
        that counting shared shingles pair by pair becomes the cost.
    lsh_min_docs : int, default 20000
        Number of documents from which ``auto`` uses LSH (a count).
    max_pairs : int, default 1000000
        Most candidate pairs compared (a count). Beyond it, the pairs sharing the most
        pairable shingles are kept; the cut is logged as a warning and recorded in the
        result's ``attrs["candidates"]``.
    min_jaccard : float, default 0.1
        LSH only: the Jaccard similarity of two documents' pairable shingle sets that the
        bands are tuned to find (between 0 and 1, exclusive). Lower finds more pairs: on the
        benchmark's 20,000 documents 0.1 found 91 % of the index route's pairs, 0.2 82 %, in
        about the same time.
    num_perm : int, default 128
        LSH only: permutations per MinHash signature (at least 16).
    random_state : int, default 1
        LSH only: seed of the MinHash permutations; the same seed gives the same pairs.

    Examples
    --------
    >>> PairSearch(method="auto").resolve(500), PairSearch(method="auto").resolve(20_000)
    ('index', 'lsh')
    >>> PairSearch(max_pairs=0)
    Traceback (most recent call last):
    ...
    ValueError: PairSearch.max_pairs must be at least 1, got 0
    """

    method: Literal["index", "lsh", "auto"] = "index"
    lsh_min_docs: int = 20_000
    max_pairs: int = 1_000_000
    min_jaccard: float = 0.1
    num_perm: int = 128
    random_state: int = 1

    def __post_init__(self) -> None:
        if self.method not in ("auto", "index", "lsh"):
            raise ValueError(f"PairSearch.method must be 'auto', 'index' or 'lsh', got {self.method!r}")
        for name, low in (("lsh_min_docs", 2), ("max_pairs", 1), ("num_perm", 16)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise ValueError(f"PairSearch.{name} must be at least {low}, got {value!r}")
        if not 0.0 < self.min_jaccard < 1.0:
            raise ValueError(f"PairSearch.min_jaccard must be between 0 and 1 (exclusive), got {self.min_jaccard!r}")
        if isinstance(self.random_state, bool) or not isinstance(self.random_state, (int, np.integer)) \
                or not 0 <= self.random_state < 2**32:
            raise ValueError(f"PairSearch.random_state must be an integer from 0 to 2**32 - 1, got {self.random_state!r}")

    def resolve(self, n_docs: int) -> Literal["index", "lsh"]:
        """The route used for a corpus of `n_docs` documents."""
        if self.method == "auto":
            return "lsh" if n_docs >= self.lsh_min_docs else "index"
        return self.method


def find_candidate_pairs(
    docs: list[ShingledText],
    index: ShingleIndex,
    position_df: list[np.ndarray],
    *,
    max_pair_docs: int,
    min_shared: int,
    search: PairSearch,
) -> tuple[np.ndarray, dict]:
    """Return the candidate pairs of `docs` by the route `search` chooses, capped, and a record of the search.

    Parameters
    ----------
    docs, index, position_df
        The documents and what :func:`build_index` returned for them.
    max_pair_docs : int
        Shingles held by more documents make no pairs.
    min_shared : int
        Pairs must share at least this many pairable shingles.
    search : PairSearch
        The route, its cap and the LSH settings.

    Returns
    -------
    pairs : numpy.ndarray of int64, shape (n_pairs, 2)
        Document numbers ``a < b``, sorted.
    record : dict
        ``method`` (the route used: ``index`` or ``lsh``), ``requested`` (`search`'s method),
        ``n_docs``, ``n_pairs_found`` (candidate pairs before the cap), ``n_pairs_compared``
        (after it), ``max_pairs``, ``capped`` (whether pairs were dropped), and for LSH
        ``min_jaccard``, ``num_perm``, ``random_state``. Plain values, so it can sit in a
        DataFrame's ``attrs`` and be written with it.
    """
    method = search.resolve(len(docs))
    if method == "lsh":
        sets = pairable_sets(docs, position_df, max_pair_docs=max_pair_docs)
        pairs, shared = lsh_candidate_pairs(sets, min_shared=min_shared, min_jaccard=search.min_jaccard,
                                            num_perm=search.num_perm, random_state=search.random_state)
    else:
        pairs, shared = shared_shingle_counts(index, len(docs), max_pair_docs=max_pair_docs, min_shared=min_shared)
    kept = cap_pairs(pairs, shared, search.max_pairs)
    record = {
        "method": method,
        "requested": search.method,
        "n_docs": len(docs),
        "n_pairs_found": int(len(pairs)),
        "n_pairs_compared": int(len(kept)),
        "max_pairs": int(search.max_pairs),
        "capped": bool(len(kept) < len(pairs)),
    }
    if method == "lsh":
        record.update({key: value for key, value in asdict(search).items()
                       if key in ("min_jaccard", "num_perm", "random_state")})
    if record["capped"]:
        logger.warning(
            "text reuse: %d candidate pairs (%s route) exceed max_pairs=%d; compared the %d sharing the most "
            "shingles and dropped %d (raise PairSearch.max_pairs to compare them all)",
            len(pairs), method, search.max_pairs, len(kept), len(pairs) - len(kept),
        )
    return kept, record


def consecutive_runs(positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the first and last value of each run of consecutive integers in sorted `positions`.

    Examples
    --------
    >>> import numpy as np
    >>> firsts, lasts = consecutive_runs(np.array([2, 3, 4, 9, 11, 12]))
    >>> firsts.tolist(), lasts.tolist()
    ([2, 9, 11], [4, 9, 12])
    """
    if len(positions) == 0:
        return positions, positions
    breaks = np.flatnonzero(np.diff(positions) != 1)
    firsts = positions[np.r_[0, breaks + 1]]
    lasts = positions[np.r_[breaks, len(positions) - 1]]
    return firsts, lasts


def pair_matches(
    a: ShingledText, b: ShingledText, *, shingle_chars: int, min_chars: int, rare_a: np.ndarray
) -> list[tuple[int, int, int, int]]:
    """Return the maximal common passages of `a` and `b` as normalised spans ``(sa, ea, sb, eb)``.

    Matches of equal shingles on the same diagonal at consecutive positions merge into one
    passage; passages shorter than `min_chars` are dropped and each kept one is compared
    character by character (a hash collision cannot make a passage).

    Passages made only of shingles that are too frequent to pair (``rare_a`` False at every
    position) are left out: they are reported once per document instead.
    """
    found = partner_matches(a, [b], shingle_chars=shingle_chars, min_chars=min_chars, rare_a=rare_a)
    return [(sa, ea, sb, eb) for _, sa, ea, sb, eb in found]


# Low bits of a shingle hash in partner_matches' bitmap (2**20 booleans: 1 MB, about a thousand
# times a document's shingles, so few others pass).
_FILTER_BITS = 20
_FILTER_MASK = np.uint64((1 << _FILTER_BITS) - 1)


def partner_matches(
    a: ShingledText, partners: Sequence[ShingledText], *, shingle_chars: int, min_chars: int, rare_a: np.ndarray
) -> list[tuple[int, int, int, int, int]]:
    """:func:`pair_matches` of `a` with each of `partners` at once: ``(partner number, sa, ea, sb, eb)``.

    The same passages as comparing `a` with each partner alone (tested against an independent
    pairwise implementation), found with one search of the partners' shingles among `a`'s: a
    document's candidate partners (dozens on a large corpus) then cost a few array operations
    instead of a few per partner. Passages come grouped by partner, each partner's ordered by
    diagonal and position.
    """
    sizes = np.array([len(partner.hashes) for partner in partners], dtype=np.int64)
    if len(a.hashes) == 0 or sizes.sum() == 0:
        return []
    hashes = np.concatenate([partner.hashes for partner in partners])
    # Most of the partners' shingles are not a's. A bitmap of a's hashes' low bits keeps those that
    # may be (a's and about 0.1 % more), so that only they are sorted: sorting all of them took
    # three quarters of the time.
    seen = np.zeros(1 << _FILTER_BITS, dtype=bool)
    seen[(a.hashes & _FILTER_MASK).astype(np.intp)] = True
    kept = np.flatnonzero(seen[(hashes & _FILTER_MASK).astype(np.intp)])
    if len(kept) == 0:
        return []
    ends = np.cumsum(sizes)
    owner = np.searchsorted(ends, kept, side="right")
    position = kept - (ends - sizes)[owner]
    hashes = hashes[kept]
    order = np.argsort(hashes)  # any sort: the matches are ordered fully below
    sorted_hashes = hashes[order]
    left = np.searchsorted(sorted_hashes, a.hashes, side="left")
    right = np.searchsorted(sorted_hashes, a.hashes, side="right")
    counts = right - left
    total = int(counts.sum())
    if total == 0:
        return []
    pos_a = np.repeat(np.arange(len(a.hashes), dtype=np.int64), counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    matched = order[np.repeat(left, counts) + offsets]
    who, pos_b = owner[matched], position[matched]
    diagonal = pos_a - pos_b
    ordering = np.lexsort((pos_a, diagonal, who))
    who, pos_a, pos_b, diagonal = who[ordering], pos_a[ordering], pos_b[ordering], diagonal[ordering]
    new_run = np.r_[True, (who[1:] != who[:-1]) | (diagonal[1:] != diagonal[:-1]) | (pos_a[1:] != pos_a[:-1] + 1)]
    run_id = np.cumsum(new_run) - 1
    first = np.flatnonzero(new_run)
    last = np.r_[first[1:] - 1, len(pos_a) - 1]
    lengths = pos_a[last] - pos_a[first] + shingle_chars
    has_rare = np.bincount(run_id, weights=rare_a[pos_a].astype(float), minlength=len(first)) > 0
    keep = (lengths >= min_chars) & has_rare
    found = []
    for f, l in zip(first[keep].tolist(), last[keep].tolist()):
        k = int(who[f])
        sa, ea = int(pos_a[f]), int(pos_a[l]) + shingle_chars
        sb, eb = int(pos_b[f]), int(pos_b[l]) + shingle_chars
        if a.norm[sa:ea] == partners[k].norm[sb:eb]:  # guards against a hash collision
            found.append((k, sa, ea, sb, eb))
    return found


def docs_containing(passage: str, index: ShingleIndex, docs: list[ShingledText], shingle_chars: int) -> int:
    """Count the documents whose normalised body contains the normalised `passage`."""
    hashes = shingle_hashes(passage, shingle_chars)
    frequencies = index.frequency(hashes)
    rarest = hashes[int(np.argmin(frequencies))]
    return sum(1 for d in index.postings(rarest).tolist() if passage in docs[d].norm)
