"""Tests for corpus_tools.corpus.core: the Corpus object, its units, subsets and quality summary.

The facts about the real seeds pinned here were checked by reading the raw files (``seeds/*.txt``).
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from corpus_tools.corpus import Corpus, corpus_from_texts, read_corpus

from .test_build import DOC_IDS, _paragraphs


# =========================================================================== units


def test_paragraph_ids(seeds):
    paragraphs = seeds.paragraphs()
    assert paragraphs.index.name == "unit_id"
    assert paragraphs.index.is_unique
    for doc_id in DOC_IDS:
        mine = paragraphs[paragraphs["doc_id"] == doc_id]
        n = len(mine)
        assert list(mine.index) == [f"{doc_id}:p{k:03d}" for k in range(1, n + 1)]
        assert mine["para_no"].tolist() == list(range(1, n + 1))
        assert mine["text"].tolist() == _paragraphs(seeds, doc_id)


def test_paragraph_ids_are_stable(seeds, seeds_dir):
    again = read_corpus(seeds_dir)
    pd.testing.assert_frame_equal(again.paragraphs(), seeds.paragraphs())


def test_sentences_reassemble_to_paragraphs(seeds):
    sentences = seeds.sentences()
    assert sentences.index.is_unique
    assert list(sentences.columns) == ["doc_id", "para_no", "sent_no", "section", "text"]
    for unit_id, para in seeds.paragraphs().iterrows():
        mine = sentences[sentences.index.str.startswith(f"{unit_id}:s")]
        assert "".join(mine["text"]) == para["text"]
        assert mine["sent_no"].tolist() == list(range(1, len(mine) + 1))
        assert set(mine["section"]) == {para["section"]}


def test_a_known_sentence_split(seeds):
    sentences = seeds.sentences()
    first = sentences[(sentences["doc_id"] == "jinan-huaiyin") & (sentences["para_no"] == 1)]["text"].tolist()
    assert first[0] == "“红色江山来之不易，红色基因代代相传。”"
    assert first[1].startswith("党史学习教育开展以来，槐荫区提高政治站位")
    assert list(sentences[sentences["doc_id"] == "jinan-huaiyin"].index[:2]) == [
        "jinan-huaiyin:p001:s01", "jinan-huaiyin:p001:s02"
    ]


def test_corpus_is_immutable(seeds):
    with pytest.raises(dataclasses.FrozenInstanceError):
        seeds.texts = seeds.raw_texts  # type: ignore[misc]


def test_repr_and_history(seeds):
    assert repr(seeds).startswith("Corpus(5 documents, ")
    assert seeds.history and "read_corpus" in seeds.history[0]


def test_subset_keeps_the_order_given(seeds):
    sub = seeds.subset(["chongqing-wulong", "jinan-huaiyin"])
    assert sub.doc_ids == ["chongqing-wulong", "jinan-huaiyin"]
    assert list(sub.texts.index) == ["chongqing-wulong", "jinan-huaiyin"]
    assert list(sub.raw_texts.index) == ["chongqing-wulong", "jinan-huaiyin"]
    assert set(sub.blocks["doc_id"]) == {"chongqing-wulong", "jinan-huaiyin"}
    assert set(sub.quality_log["doc_id"]) == {"chongqing-wulong", "jinan-huaiyin"}
    assert sub.texts["jinan-huaiyin"] == seeds.texts["jinan-huaiyin"]
    assert sub.history[:-1] == seeds.history and "subset" in sub.history[-1]
    assert len(seeds) == 5  # the original is unchanged


def test_subset_paragraph_ids_do_not_change(seeds):
    sub = seeds.subset(["luohe-zhaoling"])
    expected = seeds.paragraphs().query("doc_id == 'luohe-zhaoling'")
    pd.testing.assert_frame_equal(sub.paragraphs(), expected)


def test_subset_unknown_ids(seeds):
    with pytest.raises(KeyError, match="jinan-lixia"):
        seeds.subset(["jinan-huaiyin", "jinan-lixia"])


def test_units_document(seeds):
    table = seeds.units("document")
    assert table.index.name == "unit_id"
    assert list(table.index) == DOC_IDS
    assert table["doc_id"].tolist() == DOC_IDS
    assert table["text"].tolist() == seeds.texts.tolist()
    assert "para_no" not in table.columns and "sent_no" not in table.columns


def test_units_default_is_document(seeds):
    pd.testing.assert_frame_equal(seeds.units(), seeds.units("document"))


@pytest.mark.parametrize(
    ("unit", "columns", "first_id"),
    [
        ("paragraph", {"doc_id", "para_no", "section", "text"}, "jinan-huaiyin:p001"),
        ("sentence", {"doc_id", "para_no", "sent_no", "section", "text"}, "jinan-huaiyin:p001:s01"),
    ],
)
def test_units_finer(seeds, unit, columns, first_id):
    table = seeds.units(unit)
    assert table.index.name == "unit_id"
    assert table.index.is_unique
    assert set(table.columns) == columns
    assert table.index[0] == first_id
    assert table["doc_id"].unique().tolist() == DOC_IDS


@pytest.mark.parametrize("unit", ["documents", "para", "", "token"])
def test_units_bad_unit(seeds, unit):
    with pytest.raises(ValueError, match="'document', 'paragraph' or 'sentence'"):
        seeds.units(unit)


def test_quality_summary_has_every_document(seeds):
    summary = seeds.quality_summary()
    assert list(summary.index) == DOC_IDS
    assert summary.loc["luohe-zhaoling", "markdown_emphasis"] == 9
    assert summary.loc["jinan-huaiyin", "markdown_emphasis"] == 0
    assert summary.loc["jinan-city", "page_break_joins"] == 0
    assert (summary.dtypes == "int64").all()


def test_quality_summary_includes_documents_nothing_was_done_to():
    corpus = corpus_from_texts({"messy": "學(xué)史明理,學(xué)史增信。", "clean": "学史明理。"})
    summary = corpus.quality_summary()
    assert list(summary.index) == ["messy", "clean"]
    assert (summary.loc["clean"] == 0).all()
    assert summary.loc["messy", "pinyin_readings"] == 2


def test_quality_summary_of_an_untouched_corpus():
    corpus = corpus_from_texts({"a": "学史明理。", "b": "学史增信。"})
    assert corpus.quality_log.empty
    assert list(corpus.quality_summary().index) == ["a", "b"]


def test_problems_default_to_an_empty_table():
    corpus = corpus_from_texts({"a": "学史明理。"})
    assert corpus.problems.empty
    assert list(corpus.problems.columns) == ["source", "doc_id", "code", "action", "message"]
    # a Corpus built field by field (older code) still gets the table
    rebuilt = Corpus(corpus.docvars, corpus.raw_texts, corpus.texts, corpus.blocks, corpus.quality_log)
    assert rebuilt.problems.empty
    assert corpus.assign_docvars(group="x").problems is corpus.problems
