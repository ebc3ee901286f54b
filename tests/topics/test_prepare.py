"""Tests for corpus_tools.topics.prepare: units, vocabulary steps and small-corpus messages."""

from __future__ import annotations

import numpy as np
import pytest

from corpus_tools import topics
from corpus_tools.corpus import corpus_from_texts
from corpus_tools.topics import TopicInputError

from .helpers import AGRICULTURE, EDUCATION, tokens_of


# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------

WINDOW_TEXT = "标题\n\n学史明理。学史增信。学史崇德。\n\n学史力行。办实事。"


def test_sentence_windows_within_document_cross_paragraphs():
    corp = corpus_from_texts({"a": WINDOW_TEXT})
    windows = topics.sentence_windows(corp, 2)
    assert windows.index.tolist() == ["a:w001", "a:w002", "a:w003"]
    assert windows["text"].tolist() == ["学史明理。学史增信。", "学史崇德。学史力行。", "办实事。"]
    assert windows[["para_no", "para_no_end", "n_sentences"]].values.tolist() == [[1, 1, 2], [1, 2, 2], [2, 2, 1]]


def test_sentence_windows_within_paragraph_and_size_checks():
    corp = corpus_from_texts({"a": WINDOW_TEXT})
    windows = topics.sentence_windows(corp, 2, within="paragraph")
    assert windows.index.tolist() == ["a:p001:w01", "a:p001:w02", "a:p002:w01"]
    assert topics.sentence_windows(corp, 1).shape[0] == 5
    with pytest.raises(ValueError, match="at least 1"):
        topics.sentence_windows(corp, 0)
    with pytest.raises(ValueError, match="within"):
        topics.sentence_windows(corp, 2, within="sentence")


def _two_vocabulary_texts() -> dict[str, str]:
    agriculture = "农民在农田种植水稻，粮食收成很好。"
    education = "学生在学校课堂学习，老师编写教材。"
    return {
        "farm": "农业报道\n\n" + "\n\n".join([agriculture * 2] * 8),
        "school": "教育报道\n\n" + "\n\n".join([education * 2] * 8),
    }


@pytest.mark.parametrize(("unit", "expected_units"), [("paragraph", 16), ("window", 16), ("sentence", 32)])
def test_topic_corpus_from_a_corpus_carries_docvars(unit, expected_units):
    corp = corpus_from_texts(_two_vocabulary_texts()).assign_docvars(group=["甲县", "乙县"])
    tc = topics.topic_corpus(corp, unit=unit, window_size=2, min_docfreq=2, min_units=4, min_terms=4)
    assert tc.unit == unit
    assert tc.n_units == expected_units
    assert set(tc.dtm.docvars["group"]) == {"甲县", "乙县"}
    assert tc.texts.index.equals(tc.dtm.docvars.index)
    assert tc.tokens.tokens.index.equals(tc.dtm.docvars.index)
    assert {"粮食", "学校"} <= set(tc.dtm.terms)
    # the steps table tells how many units and terms are left
    assert tc.steps[["n_units", "n_terms"]].iloc[-1].tolist() == [tc.n_units, tc.n_terms]


def test_topic_corpus_pos_filter_keeps_only_those_tags():
    corp = corpus_from_texts(_two_vocabulary_texts())
    tc = topics.topic_corpus(corp, keep_pos=["n"], min_units=4, min_terms=4)
    assert "种植" not in tc.dtm.terms  # a verb
    assert "粮食" in tc.dtm.terms
    assert "part-of-speech filter" in tc.steps["step"].tolist()


def test_trimming_and_short_units_reach_a_fixed_point():
    toks = tokens_of([AGRICULTURE, EDUCATION], length=4, n_units=20)
    tc = topics.topic_corpus(toks, stopwords=None, min_chars=1, min_docfreq=6, min_unit_tokens=3)
    matrix = tc.dtm.matrix
    assert (np.bincount(matrix.indices, minlength=tc.n_terms) >= 6).all()
    assert (np.asarray(matrix.sum(axis=1)).ravel() >= 3).all()
    assert (tc.tokens.tokens.map(len).to_numpy() == np.asarray(matrix.sum(axis=1)).ravel()).all()


def test_phrases_join_a_pair_that_always_co_occurs():
    toks = tokens_of([AGRICULTURE, EDUCATION], extra=("红色", "基因"))
    tc = topics.topic_corpus(toks, stopwords=None, min_chars=1, phrases=True, phrase_min_count=5,
                             phrase_threshold=1.0)
    assert "红色_基因" in tc.dtm.terms
    assert "phrases joined" in tc.steps["step"].tolist()


def test_max_docfreq_prop_is_explicit_and_off_by_default():
    toks = tokens_of([AGRICULTURE, EDUCATION], extra=("党史",))
    assert "党史" in topics.topic_corpus(toks, stopwords=None, min_chars=1).dtm.terms
    trimmed = topics.topic_corpus(toks, stopwords=None, min_chars=1, max_docfreq_prop=0.9)
    assert "党史" not in trimmed.dtm.terms


# --------------------------------------------------------------------------------------------
# Small-corpus messages
# --------------------------------------------------------------------------------------------


def test_too_few_units_after_trimming_says_what_to_change():
    toks = tokens_of([AGRICULTURE, EDUCATION], n_units=3)
    with pytest.raises(TopicInputError, match=r"only \d+ paragraphs remain after trimming .*min_docfreq=5.*"
                                              r"lower min_docfreq.*unit='sentence'"):
        topics.topic_corpus(toks, stopwords=None, min_chars=1, min_docfreq=5)


def test_too_few_terms_says_what_to_change():
    toks = tokens_of([AGRICULTURE, EDUCATION])
    with pytest.raises(TopicInputError, match=r"only 16 terms remain .* at least 50: lower min_docfreq"):
        topics.topic_corpus(toks, stopwords=None, min_chars=1, min_terms=50)


def test_topic_input_error_is_a_value_error():
    assert issubclass(TopicInputError, ValueError)
