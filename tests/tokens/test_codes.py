"""Tests for corpus_tools.tokens.codes: words as integer codes over one vocabulary."""

from __future__ import annotations

import numpy as np
import pytest

from corpus_tools.tokens.codes import compact_codes, encode_tokens, sort_vocabulary, split_codes


def test_encode_tokens_grows_one_vocabulary_over_batches():
    codes, lengths, vocabulary = encode_tokens([["学党史", "悟思想"], [], ["学党史"]])
    assert codes.tolist() == [0, 1, 0] and lengths.tolist() == [2, 0, 1]
    assert codes.dtype == np.int32 and lengths.dtype == np.int64
    # A second batch over the same dict: known words keep their code, a new one gets the next.
    more, more_lengths, same = encode_tokens([["办实事", "学党史"]], vocabulary)
    assert same is vocabulary
    assert more.tolist() == [2, 0] and more_lengths.tolist() == [2]
    assert vocabulary == {"学党史": 0, "悟思想": 1, "办实事": 2}
    empty, empty_lengths, _ = encode_tokens([[], []])
    assert empty.tolist() == [] and empty_lengths.tolist() == [0, 0]


def test_encode_tokens_refuses_missing_values():
    with pytest.raises(ValueError, match="missing value"):
        encode_tokens([["党史", None]])


def test_sort_vocabulary_orders_by_code_point_and_maps_old_codes():
    # 学 U+5B66, 党 U+515A, 办 U+529E -> 党史, 办实事, 学党史.
    words, new_code = sort_vocabulary(["学党史", "党史", "办实事"])
    assert words.tolist() == ["党史", "办实事", "学党史"]
    assert new_code.tolist() == [2, 0, 1]
    codes = np.array([0, 2, 1, 0])  # 学党史 办实事 党史 学党史
    assert words[new_code[codes]].tolist() == ["学党史", "办实事", "党史", "学党史"]
    with pytest.raises(TypeError, match="strings"):
        sort_vocabulary(["党史", 3])


def test_compact_codes_drops_unused_words_and_renumbers():
    codes, words = compact_codes(np.array([3, 0, 3]), ["群众", "未用", "党史", "红色"][::-1])
    # Vocabulary given: 红色(0) 党史(1) 未用(2) 群众(3); codes use 红色 and 群众 only.
    assert words.tolist() == ["红色", "群众"]  # 红 U+7EA2 < 群 U+7FA4
    assert codes.tolist() == [1, 0, 1] and codes.dtype == np.int32
    # Already sorted: only dropping, order kept as given.
    codes, words = compact_codes(np.array([2, 2]), np.array(["党史", "红色", "群众"], dtype=object), is_sorted=True)
    assert codes.tolist() == [0, 0] and words.tolist() == ["群众"]


def test_split_codes_cuts_one_list_per_unit():
    values = np.array([5, 6, 7, 8])
    assert split_codes(values, np.array([0, 1, 1, 4])) == [[5], [], [6, 7, 8]]
    assert split_codes(values[:0], np.array([0])) == []
