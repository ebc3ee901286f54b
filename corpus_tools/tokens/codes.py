"""Words as integer codes over one vocabulary: how Tokens hold their words.

quanteda's design: a token costs four bytes (an ``int32`` code) instead of a Python string of
about sixty. :func:`encode_tokens` codes token lists over a vocabulary that grows batch by
batch, :func:`sort_vocabulary` puts a vocabulary in code-point order (the column order of every
document-term matrix) and :func:`compact_codes` keeps a vocabulary to the words that occur.
The streaming path codes its chunks with the same functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain

import numpy as np
import pandas as pd

__all__ = ["compact_codes", "encode_tokens", "sort_vocabulary", "split_codes"]


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


def compact_codes(
    codes: np.ndarray, vocabulary: Sequence[str], *, is_sorted: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Drop the words no token uses and number the rest in code-point order: Tokens' invariant.

    Parameters
    ----------
    codes : numpy.ndarray of int
        Tokens as indices into ``vocabulary``.
    vocabulary : sequence of str
        Distinct words.
    is_sorted : bool, default False
        ``vocabulary`` is already in code-point order (a subset of a sorted one still is), so
        only unused words need dropping.

    Returns
    -------
    codes : numpy.ndarray of int32
        The same tokens over the returned vocabulary.
    vocabulary : numpy.ndarray of object
        The words that occur, in code-point order.

    Examples
    --------
    >>> codes, words = compact_codes(np.array([2, 0, 2]), ["群众", "未用", "党史"])
    >>> codes.tolist(), words.tolist()
    ([0, 1, 0], ['党史', '群众'])
    """
    vocabulary = np.asarray(vocabulary, dtype=object) if not isinstance(vocabulary, np.ndarray) else vocabulary
    used = np.bincount(codes, minlength=len(vocabulary)) > 0 if len(codes) else np.zeros(len(vocabulary), dtype=bool)
    if not used.all():
        renumber = np.cumsum(used, dtype=np.int64).astype(np.int32) - 1
        codes, vocabulary = renumber[codes], vocabulary[used]
    if is_sorted:  # a subset of a sorted vocabulary is still sorted
        return codes.astype(np.int32, copy=False), vocabulary
    sorted_words, new_code = sort_vocabulary(vocabulary)
    return new_code[codes].astype(np.int32, copy=False), sorted_words


def split_codes(values: np.ndarray, offsets: np.ndarray) -> list[list]:
    """Cut a flat array into one list per unit (unit ``i`` is ``values[offsets[i]:offsets[i + 1]]``).

    Examples
    --------
    >>> split_codes(np.array(["党史", "群众", "红色"], dtype=object), np.array([0, 2, 2, 3]))
    [['党史', '群众'], [], ['红色']]
    """
    return [values[offsets[i] : offsets[i + 1]].tolist() for i in range(len(offsets) - 1)]
