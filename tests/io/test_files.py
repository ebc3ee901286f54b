"""Tests for corpus_tools.io.files: one file, whatever its format."""

from __future__ import annotations

import pytest

from corpus_tools.corpus import read_corpus
from corpus_tools.io import ReadOptions, ReadProblem, read_file
from tests.io.articles import REPORT, REPORT_BODY


def test_read_file_with_a_format_override(tmp_path):
    (tmp_path / "a.dat").write_text(REPORT, encoding="utf-8")
    (item,) = read_file(tmp_path / "a.dat", format="txt")
    assert item.raw_text == REPORT and item.read_info["format"] == "txt"
    (item,) = read_file(tmp_path / "a.dat")
    assert isinstance(item, ReadProblem) and item.code == "unsupported_format"
    assert read_corpus(tmp_path, pattern="*.dat", format="txt").texts["a"] == REPORT_BODY


def test_read_file_takes_an_options_object(tmp_path):
    (tmp_path / "a.dat").write_text(REPORT, encoding="utf-8")
    (item,) = read_file(tmp_path / "a.dat", options=ReadOptions(format="txt"))
    assert item.raw_text == REPORT and item.read_info["format"] == "txt"
    (short,) = read_file(tmp_path / "a.dat", options={"format": "txt", "min_han_chars": 500})
    assert isinstance(short, ReadProblem) and short.code == "too_short"
    assert "min_han_chars=500" in short.message


def test_read_file_refuses_an_unknown_option_at_once(tmp_path):
    with pytest.raises(TypeError, match="unknown reading option 'fromat'"):
        read_file(tmp_path / "missing.txt", fromat="txt")  # raised before the file is looked for
