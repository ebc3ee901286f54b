"""Tests for corpus_tools.corpus.document: one document's processing and the docvar merge rule."""

from __future__ import annotations

import pandas as pd

from corpus_tools.corpus import merge_docvars, process_document
from corpus_tools.corpus.core import BLOCK_COLUMNS

TEXT = "槐荫区召开动员会\n\n全区党员干部参加会议，学习党史。\n\n会议要求学史力行。"


def test_process_document_separates_the_title_from_the_body_and_counts_it():
    doc = process_document("a", TEXT)
    assert [row.kind for row in doc.block_rows] == ["title", "body", "body"]
    assert doc.body == "全区党员干部参加会议，学习党史。\n会议要求学史力行。"
    assert doc.inferred["title"] == "槐荫区召开动员会"
    assert doc.inferred["n_paragraphs"] == 2
    assert doc.inferred["n_chars_body"] == len("全区党员干部参加会议，学习党史。") + len("会议要求学史力行。")
    assert doc.inferred["n_chars_raw"] == len(TEXT)
    assert doc.inferred["district"] == "槐荫区"
    assert list(doc.blocks.columns) == list(BLOCK_COLUMNS)
    assert doc.blocks["block_no"].tolist() == [1, 2, 3]


def test_process_document_logs_what_cleaning_changed_under_the_document_id():
    doc = process_document("x", "學(xué)史明理，學(xué)史增信。")
    rules = {entry["rule"]: entry for entry in doc.log}
    assert rules["pinyin_readings"]["count"] == 2 and rules["pinyin_readings"]["doc_id"] == "x"
    assert doc.inferred["script"] == "traditional"


def _frames(stated: dict[str, str]):
    doc = process_document("a", TEXT)
    index = pd.Index(["a"], name="doc_id")
    inferred = pd.DataFrame([doc.inferred], index=index)
    read_info = pd.DataFrame([{"file": "a.txt", "format": "txt"}], index=index)
    given = pd.DataFrame([stated], index=index, dtype=object)
    origin = pd.DataFrame([dict.fromkeys(stated, "manifest")], index=index, dtype=object)
    return inferred, read_info, given, origin


def test_merge_docvars_a_stated_value_wins_and_says_where_it_came_from():
    docvars = merge_docvars(*_frames({"title": "手写标题", "outlet": ""}))
    assert docvars.loc["a", "title"] == "手写标题"
    assert docvars.loc["a", "title_evidence"] == "manifest"
    assert docvars.loc["a", "file"] == "a.txt"
    # nothing stated for the locality: inference fills it, with its own evidence
    assert docvars.loc["a", "district"] == "槐荫区"
    assert docvars.loc["a", "locality_evidence"] not in {"", "manifest"}


def test_merge_docvars_a_stated_locality_is_taken_whole():
    docvars = merge_docvars(*_frames({"city": "济南市"}))
    assert docvars.loc["a", ["city", "district"]].tolist() == ["济南市", ""]  # not completed by inference
    assert docvars.loc["a", "locality_evidence"] == "manifest"
    assert docvars.loc["a", "locality_confidence"] == 1.0
