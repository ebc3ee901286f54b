"""Tests for corpus_tools.io.records: the checks every text goes through."""

from __future__ import annotations

import pytest

from corpus_tools.io.decode import DecodingError
from corpus_tools.io.options import ReadOptions
from corpus_tools.io.records import (
    ReadProblem,
    auto_doc_id,
    check_doc_id,
    check_text,
    decoding_problem,
    docvar_name,
    han_share,
)


@pytest.mark.parametrize(
    ("text", "share"),
    [
        ("学史明理", 1.0),
        ("學(xué)史明理", 4 / 5),  # four Han characters and one Latin word
        ("H5 产品", 2 / 3),  # "H" is a word, "5" is not a letter
        ("Party history 党史", 2 / 4),
        ("学習は大切です", 4 / 7),  # 学習大切 are Han; はです are kana letters
        ("2021", 0.0),
        ("", 0.0),
    ],
)
def test_han_share(text, share):
    assert han_share(text) == pytest.approx(share)


@pytest.mark.parametrize(
    ("text", "options", "code"),
    [
        ("", {}, "empty"),
        (" \n\t ", {}, "whitespace_only"),
        ("Party history learning and education", {}, "not_chinese"),
        ("学史明理，学史增信。", {}, "too_short"),  # 8 Han characters, fewer than 50
        ("学史明理，学史增信。", {"min_han_chars": 8}, None),
        ("学史明理 in English words here", {"min_han_chars": 1, "min_han_share": 0.5}, None),  # 4 of 8 = 0.5
        ("学史明理 in English words here too", {"min_han_chars": 1, "min_han_share": 0.5}, "not_chinese"),  # 4 of 9
    ],
)
def test_check_text(text, options, code):
    found = check_text(text, where="甲区/a.txt", options=ReadOptions(**options))
    assert (found[0] if found else None) == code
    if found:
        assert found[1].startswith("甲区/a.txt: ")


def test_auto_doc_id_and_docvar_name():
    assert auto_doc_id("乙县/2021 通报.txt") == "乙县-2021-通报"
    assert auto_doc_id("tables/t.parquet", 12) == "tables-t-12"
    assert auto_doc_id("...txt") == "doc"
    assert docvar_name("district", "table") == "district"
    assert docvar_name("sha256", "front matter") == "front_matter_sha256"


def test_check_doc_id():
    assert check_doc_id("丙区-3") is None
    assert check_doc_id("  ") == "is blank"
    for bad in ("a/b", "a\\b", "..", "a\x07b"):
        assert "path separator" in check_doc_id(bad)


def test_a_decoding_error_becomes_a_problem_with_its_code():
    binary = DecodingError("x.txt: contains NUL bytes", code="binary")
    assert decoding_problem("x.txt", binary, "x") == ReadProblem("x.txt", "binary", "x.txt: contains NUL bytes", "x")
    wrong = DecodingError("y.txt: declared encoding fails", code="bad_encoding")
    assert decoding_problem("y.txt", wrong, "y").code == "undecodable"
