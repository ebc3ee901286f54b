"""Tests for corpus_tools.tokens.core: the Tokens object (remove, keep, keep_pos, subset, codes)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from corpus_tools.lexicons import stopwords
from corpus_tools.tokens import Tokens, tokenize

from .helpers import CODED_LISTS, CODED_TAGS, assert_consistent, decode, toy_tokens


# -- remove -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "kwargs", "expected"),
    [
        # punctuation-only tokens always go, numbers go unless kept
        ((), {}, ["深入", "开展", "学党史", "党", "年"]),
        ((), {"keep_numbers": True}, ["深入", "开展", "学党史", "党", "2021", "年", "1.6"]),
        ((), {"min_chars": 2}, ["深入", "开展", "学党史"]),
        ((), {"min_chars": 3}, ["学党史"]),
        ({"深入", "开展"}, {}, ["学党史", "党", "年"]),
        ({"深入", "开展"}, {"min_chars": 2, "keep_numbers": True}, ["学党史", "2021", "1.6"]),
        ("深入", {}, ["开展", "学党史", "党", "年"]),  # a bare string is one word, not characters
    ],
)
def test_remove_rules(words, kwargs, expected):
    toks = toy_tokens([["深入", "开展", "“", "学党史", "”", "党", "，", "2021", "年", "1.6", "%", "……"]])
    assert toks.remove(words, **kwargs).tokens.iloc[0] == expected


@pytest.mark.parametrize(
    ("token", "is_dropped"),
    [("，", True), ("“”", True), ("%", True), ("■", True), ("——", True), ("95.2%", True), ("１２", True),
     ("H5", False), ("七个一", False), ("一", False), ("12345热线", False)],
)  # fmt: skip
def test_remove_punctuation_and_number_detection(token, is_dropped):
    assert (toy_tokens([[token]]).remove().tokens.iloc[0] == []) is is_dropped


def test_remove_with_stopword_list_and_history(doc_tokens):
    cleaned = doc_tokens.remove(stopwords("zh-official"), min_chars=2)
    assert cleaned.tokens["zhaoling-2021"] == ["召陵区", "学史明理", "学史增信", "七个一"]
    assert cleaned.history[-1] == (
        f"remove(words={len(stopwords())}, min_chars=2, pos=None, keep_numbers=False)"
    )
    assert len(cleaned.history) == len(doc_tokens.history) + 1


def test_remove_keeps_pos_aligned():
    toks = toy_tokens([["党史", "，", "的", "教育"]], tags=[["n", "x", "uj", "vn"]])
    out = toks.remove({"的"})
    assert out.tokens.iloc[0] == ["党史", "教育"]
    assert out.pos.iloc[0] == ["n", "vn"]
    assert toks.remove(pos={"vn"}).tokens.iloc[0] == ["党史", "的"]


def test_remove_pos_needs_tags():
    with pytest.raises(ValueError, match="pos=True"):
        toy_tokens([["党史"]]).remove(pos={"n"})


def test_remove_refuses_bad_min_chars():
    with pytest.raises(ValueError, match="min_chars"):
        toy_tokens([["党史"]]).remove(min_chars=0)


def test_remove_still_takes_min_nchar_with_a_warning():
    toks = toy_tokens([["深入", "党", "学党史"]])
    with pytest.warns(FutureWarning, match="'min_nchar' is renamed 'min_chars'"):
        old = toks.remove(min_nchar=2)
    assert old.tokens.iloc[0] == ["深入", "学党史"]
    assert old.history == toks.remove(min_chars=2).history


def test_methods_do_not_change_the_original():
    toks = toy_tokens([["深入", "党史", "，"]], tags=[["v", "n", "x"]])
    toks.remove({"深入"})
    toks.keep_pos(["n"])
    toks.subset(doc_ids=["d0"])
    assert toks.tokens.iloc[0] == ["深入", "党史", "，"]
    assert toks.pos.iloc[0] == ["v", "n", "x"]


# -- keep_pos, subset -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tags", "match", "expected"),
    [
        (["n"], "exact", ["党史"]),
        (["n"], "prefix", ["党史", "李国强", "槐荫区"]),
        (["nr", "v"], "exact", ["李国强", "讲话"]),
        ("ns", "exact", ["槐荫区"]),
    ],
)
def test_keep_pos(tags, match, expected):
    toks = toy_tokens([["党史", "李国强", "槐荫区", "讲话", "，"]], tags=[["n", "nr", "ns", "v", "x"]])
    assert toks.keep_pos(tags, match=match).tokens.iloc[0] == expected


def test_keep_pos_needs_tags():
    with pytest.raises(ValueError, match="pos=True"):
        toy_tokens([["党史"]]).keep_pos(["n"])


def test_subset_by_mask_callable_and_doc_ids(corpus):
    toks = tokenize(corpus, unit="paragraph")
    by_mask = toks.subset(toks.docvars["city"] == "济南市")
    assert set(by_mask.docvars["doc_id"]) == {"huaiyin-2021", "shizhong-2021"}
    by_callable = toks.subset(lambda dv: dv["para_no"] == 1)
    assert len(by_callable) == 3
    both = toks.subset(lambda dv: dv["para_no"] == 1, doc_ids=["zhaoling-2021"])
    assert list(both.tokens.index) == ["zhaoling-2021:p001"]
    assert both.history[-1].startswith("subset(where=<mask>, doc_ids=['zhaoling-2021'])")
    positional = toks.subset(np.arange(len(toks)) < 2)
    assert list(positional.tokens.index) == list(toks.tokens.index[:2])


def test_subset_refuses_unknown_doc_ids_and_bad_masks(doc_tokens):
    with pytest.raises(KeyError, match="nowhere"):
        doc_tokens.subset(doc_ids=["nowhere"])
    with pytest.raises(ValueError):
        doc_tokens.subset([True])


# -- export and invariants --------------------------------------------------------------------


def test_to_frame_is_tidy():
    toks = toy_tokens([["党史", "教育"], [], ["红色"]], tags=[["n", "vn"], [], ["n"]])
    frame = toks.to_frame()
    assert list(frame.columns) == ["unit_id", "doc_id", "position", "token", "pos"]
    assert frame.to_dict("list") == {
        "unit_id": ["u0", "u0", "u2"],
        "doc_id": ["d0", "d0", "d2"],
        "position": [1, 2, 1],
        "token": ["党史", "教育", "红色"],
        "pos": ["n", "vn", "n"],
    }
    assert "pos" not in toy_tokens([["党史"]]).to_frame().columns


def test_len_and_n_tokens():
    toks = toy_tokens([["党史", "教育"], [], ["红色"]])
    assert len(toks) == 3
    assert toks.n_tokens == 3


def test_tokens_is_frozen(doc_tokens):
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc_tokens.unit = "paragraph"


def test_constructor_checks_alignment():
    index = pd.Index(["a", "b"], name="unit_id")
    with pytest.raises(ValueError, match="index"):
        Tokens(
            tokens=pd.Series([["党史"], ["红色"]], index=index),
            docvars=pd.DataFrame({"doc_id": ["b", "a"]}, index=index[::-1]),
            unit="document",
        )
    with pytest.raises(ValueError, match="one tag per token"):
        Tokens(
            tokens=pd.Series([["党史"], ["红色"]], index=index),
            pos=pd.Series([["n"], []], index=index),
            docvars=pd.DataFrame({"doc_id": ["a", "b"]}, index=index),
            unit="document",
        )


# -- integer codes ----------------------------------------------------------------------------

# Hand-made units: repeats within and across units, an empty unit, punctuation and a number.
def test_codes_round_trip_to_the_same_strings():
    toks = toy_tokens(CODED_LISTS, CODED_TAGS)
    assert_consistent(toks)
    assert list(toks.vocabulary) == sorted({w for words in CODED_LISTS for w in words})
    assert decode(toks) == CODED_LISTS
    assert toks.tokens.tolist() == CODED_LISTS
    assert toks.pos.tolist() == CODED_TAGS
    assert toks.lengths.tolist() == [5, 0, 4, 2]
    # 学党史 is one code wherever it occurs.
    code = list(toks.vocabulary).index("学党史")
    assert [i for i, c in enumerate(toks.codes.tolist()) if c == code] == [0, 3, 10]


def test_remove_keeps_codes_and_vocabulary_consistent():
    toks = toy_tokens(CODED_LISTS, CODED_TAGS)
    removed = toks.remove({"办实事"}, min_chars=2)
    assert_consistent(removed)
    expected = [["学党史", "悟思想", "学党史"], [], ["开新局"], ["悟思想", "学党史"]]
    assert decode(removed) == expected
    assert list(removed.vocabulary) == ["学党史", "开新局", "悟思想"]
    assert removed.pos.tolist() == [["v", "v", "v"], [], ["v"], ["v", "v"]]
    assert list(removed.pos_vocabulary) == ["v"]
    kept = toks.remove(keep_numbers=True).keep_pos(["m"])
    assert_consistent(kept)
    assert decode(kept) == [[], [], ["2021", "年"], []]
    # The original is untouched.
    assert decode(toks) == CODED_LISTS


def test_subset_keeps_codes_and_vocabulary_consistent():
    toks = toy_tokens(CODED_LISTS, CODED_TAGS)
    part = toks.subset([False, True, True, False])
    assert_consistent(part)
    assert decode(part) == [[], ["办实事", "开新局", "2021", "年"]]
    assert list(part.docvars.index) == ["u1", "u2"]
    assert part.pos.tolist() == [[], ["v", "v", "m", "m"]]
    empty = toks.subset([False] * 4)
    assert len(empty) == 0 and empty.n_tokens == 0 and empty.tokens.tolist() == []


def test_keep_keeps_only_the_given_words_with_their_tags():
    toks = toy_tokens([["学党史", "、", "悟思想", "学党史"], ["办实事"], ["开新局"]],
                       tags=[["v", "x", "v", "v"], ["v"], ["v"]])
    kept = toks.keep({"学党史", "办实事", "不在"})
    assert_consistent(kept)
    assert kept.tokens.tolist() == [["学党史", "学党史"], ["办实事"], []]
    assert kept.pos.tolist() == [["v", "v"], ["v"], []]
    assert list(kept.vocabulary) == ["办实事", "学党史"]  # code-point order: 办 U+529E < 学 U+5B66
    assert list(kept.docvars.index) == ["u0", "u1", "u2"]
    assert kept.history[-1] == "keep(words=3)"
    assert toks.keep("开新局").tokens.tolist() == [[], [], ["开新局"]]  # one word, not its characters


def test_subset_by_unit_ids():
    toks = toy_tokens([["党史"], ["红色"], ["群众"]])
    part = toks.subset(["u2", "u0"])
    assert list(part.docvars.index) == ["u0", "u2"]
    assert part.tokens.tolist() == [["党史"], ["群众"]]
    with pytest.raises(KeyError, match="u9"):
        toks.subset(["u9"])


def test_from_codes_renumbers_any_vocabulary_and_checks_its_input():
    index = pd.Index(["a", "b"], name="unit_id")
    docvars = pd.DataFrame({"doc_id": ["a", "b"]}, index=index)
    # Vocabulary out of order, with a word no token uses.
    toks = Tokens.from_codes(codes=np.array([2, 0, 2, 1]), offsets=np.array([0, 3, 4]),
                             vocabulary=["群众", "红色", "党史", "未用"], docvars=docvars, unit="document")
    assert_consistent(toks)
    assert toks.tokens.tolist() == [["党史", "群众", "党史"], ["红色"]]
    assert list(toks.vocabulary) == ["党史", "红色", "群众"]
    with pytest.raises(ValueError, match="offsets"):
        Tokens.from_codes(codes=np.array([0, 1]), offsets=np.array([0, 1, 3]), vocabulary=["党史", "群众"],
                          docvars=docvars, unit="document")
    with pytest.raises(ValueError, match="vocabulary"):
        Tokens.from_codes(codes=np.array([0, 5]), offsets=np.array([0, 1, 2]), vocabulary=["党史", "群众"],
                          docvars=docvars, unit="document")
    with pytest.raises(ValueError, match="repeat"):
        Tokens.from_codes(codes=np.array([0, 1]), offsets=np.array([0, 1, 2]), vocabulary=["党史", "党史"],
                          docvars=docvars, unit="document")


def test_constructor_refuses_missing_tokens():
    with pytest.raises(ValueError, match="strings"):
        toy_tokens([["党史", None]])


def test_tokens_pickle_and_keep_their_codes():
    import pickle

    toks = toy_tokens(CODED_LISTS, CODED_TAGS)
    back = pickle.loads(pickle.dumps(toks))
    assert back.tokens.tolist() == CODED_LISTS and back.pos.tolist() == CODED_TAGS
    assert np.array_equal(back.codes, toks.codes)


def test_from_codes_with_a_sorted_vocabulary_only_drops_unused_words_and_checks_the_order():
    index = pd.Index(["a", "b"], name="unit_id")
    docvars = pd.DataFrame({"doc_id": ["a", "b"]}, index=index)
    # 党 U+515A < 未 U+672A < 群 U+7FA4; 未用 is used by no token.
    toks = Tokens.from_codes(codes=np.array([0, 2, 0]), offsets=np.array([0, 2, 3]), vocabulary=["党史", "未用", "群众"],
                             docvars=docvars, unit="document", vocabulary_sorted=True)
    assert_consistent(toks)
    assert toks.codes.tolist() == [0, 1, 0] and list(toks.vocabulary) == ["党史", "群众"]
    assert toks.tokens.tolist() == [["党史", "群众"], ["党史"]]
    with pytest.raises(ValueError, match="code-point order"):
        Tokens.from_codes(codes=np.array([0, 1]), offsets=np.array([0, 1, 2]), vocabulary=["群众", "党史"],
                          docvars=docvars, unit="document", vocabulary_sorted=True)
    with pytest.raises(ValueError, match="code-point order"):  # a repeated word is not strictly increasing
        Tokens.from_codes(codes=np.array([0, 1]), offsets=np.array([0, 1, 2]), vocabulary=["党史", "党史"],
                          docvars=docvars, unit="document", vocabulary_sorted=True)
