"""Character shingles: the matching machinery of text reuse, independent of what a match means.

:func:`normalise` reduces a body to the characters that matching looks at, keeping their offsets;
:func:`shingle_hashes` hashes every run of ``shingle_chars`` of them; :func:`build_index` and
:func:`candidate_pairs` find the documents worth comparing; :func:`pair_matches` extends equal
shingles into maximal shared passages. What a passage is (a formula or a template), whom it is
shared with and how much of a body it covers is :mod:`corpus_tools.compare.reuse`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = [
    "ShingleIndex",
    "ShingledText",
    "build_index",
    "candidate_pairs",
    "consecutive_runs",
    "docs_containing",
    "normalise",
    "pair_matches",
    "shingle_hashes",
]

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
    index : numpy.ndarray of int64
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
    index = np.flatnonzero(keep).astype(np.int64)
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
    _order: np.ndarray | None = None

    @property
    def order(self) -> np.ndarray:
        """Positions sorting :attr:`hashes` (computed once, on first use)."""
        if self._order is None:
            self._order = np.argsort(self.hashes, kind="stable")
        return self._order

    def original(self, start: int, end: int) -> tuple[int, int]:
        """Original-body span of the normalised span ``[start, end)``."""
        return int(self.index[start]), int(self.index[end - 1]) + 1


@dataclass
class ShingleIndex:
    """Inverted index: distinct shingle hashes, their document frequency and documents.

    Built by :func:`build_index`; documents are numbered by their position in its input.
    """

    hashes: np.ndarray  # sorted distinct hashes
    starts: np.ndarray  # offset of each hash's postings in `docs`
    df: np.ndarray  # number of documents holding each hash
    docs: np.ndarray  # document numbers, grouped by hash

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
    position_df : list of numpy.ndarray
        Per document (in the order of `docs`), the number of documents holding the shingle at
        each start position.
    """
    distinct, inverse = [], []
    for doc in docs:
        values, where = np.unique(doc.hashes, return_inverse=True)
        distinct.append(values)
        inverse.append(where)
    sizes = np.array([len(d) for d in distinct], dtype=np.int64)
    all_hashes = np.concatenate(distinct) if distinct else np.empty(0, dtype=np.uint64)
    all_docs = np.repeat(np.arange(len(docs), dtype=np.int64), sizes)
    order = np.argsort(all_hashes, kind="stable")
    sorted_hashes, sorted_docs = all_hashes[order], all_docs[order]
    if len(sorted_hashes) == 0:
        empty = np.empty(0, dtype=np.int64)
        return ShingleIndex(np.empty(0, dtype=np.uint64), empty, empty, empty), [empty for _ in docs]
    boundary = np.flatnonzero(np.r_[True, sorted_hashes[1:] != sorted_hashes[:-1]])
    df = np.diff(np.r_[boundary, len(sorted_hashes)])
    # Back from the sorted postings to each document's own shingle positions.
    element_df = np.empty(len(sorted_hashes), dtype=np.int64)
    element_df[order] = np.repeat(df, df)
    offsets = np.r_[0, np.cumsum(sizes)[:-1]]
    position_df = [element_df[offset + where] for offset, where in zip(offsets.tolist(), inverse)]
    return ShingleIndex(sorted_hashes[boundary], boundary, df, sorted_docs), position_df


def candidate_pairs(index: ShingleIndex, n_docs: int, *, max_pair_docs: int, min_shared: int) -> np.ndarray:
    """Return the document pairs (a < b, one per row) sharing at least `min_shared` pairable shingles.

    A shingle is pairable when 2 to `max_pair_docs` documents hold it; more, and it is a
    campaign formula whose every pair of documents would make the work quadratic.
    """
    keys = []
    for k in np.unique(index.df):
        if k < 2 or k > max_pair_docs:
            continue
        starts = index.starts[index.df == k]
        members = index.docs[starts[:, None] + np.arange(k)]
        upper_a, upper_b = np.triu_indices(int(k), 1)
        first, second = members[:, upper_a].ravel(), members[:, upper_b].ravel()
        keys.append(np.minimum(first, second) * n_docs + np.maximum(first, second))
    if not keys:
        return np.empty((0, 2), dtype=np.int64)
    pairs, counts = np.unique(np.concatenate(keys), return_counts=True)
    pairs = pairs[counts >= min_shared]
    return np.column_stack([pairs // n_docs, pairs % n_docs])


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
    if len(a.hashes) == 0 or len(b.hashes) == 0:
        return []
    sorted_b = b.hashes[b.order]
    left = np.searchsorted(sorted_b, a.hashes, side="left")
    right = np.searchsorted(sorted_b, a.hashes, side="right")
    counts = right - left
    total = int(counts.sum())
    if total == 0:
        return []
    pos_a = np.repeat(np.arange(len(a.hashes), dtype=np.int64), counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    pos_b = b.order[np.repeat(left, counts) + offsets]
    diagonal = pos_a - pos_b
    order = np.lexsort((pos_a, diagonal))
    pos_a, pos_b, diagonal = pos_a[order], pos_b[order], diagonal[order]
    new_run = np.r_[True, (diagonal[1:] != diagonal[:-1]) | (pos_a[1:] != pos_a[:-1] + 1)]
    run_id = np.cumsum(new_run) - 1
    first = np.flatnonzero(new_run)
    last = np.r_[first[1:] - 1, len(pos_a) - 1]
    lengths = pos_a[last] - pos_a[first] + shingle_chars
    has_rare = np.bincount(run_id, weights=rare_a[pos_a].astype(float), minlength=len(first)) > 0
    keep = (lengths >= min_chars) & has_rare
    found = []
    for f, l in zip(first[keep].tolist(), last[keep].tolist()):
        sa, ea = int(pos_a[f]), int(pos_a[l]) + shingle_chars
        sb, eb = int(pos_b[f]), int(pos_b[l]) + shingle_chars
        if a.norm[sa:ea] == b.norm[sb:eb]:  # guards against a hash collision
            found.append((sa, ea, sb, eb))
    return found


def docs_containing(passage: str, index: ShingleIndex, docs: list[ShingledText], shingle_chars: int) -> int:
    """Count the documents whose normalised body contains the normalised `passage`."""
    hashes = shingle_hashes(passage, shingle_chars)
    frequencies = index.frequency(hashes)
    rarest = hashes[int(np.argmin(frequencies))]
    return sum(1 for d in index.postings(rarest).tolist() if passage in docs[d].norm)
