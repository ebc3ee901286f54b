"""Tests for corpus_tools.compare.spans: the sentence and the paragraph around a match."""

from __future__ import annotations

import pytest

from corpus_tools.compare.spans import paragraph_starts, paragraph_unit_id, sentence_bounds
from corpus_tools.corpus import corpus_from_texts

BODY = "甲区开展宣讲。培训党员300名！\n乙段没有句号\n丙段第一句？丙段第二句。"


@pytest.mark.parametrize("needle, sentence", [
    ("开展", "甲区开展宣讲。"),  # the first sentence starts at 0
    ("300名", "培训党员300名！"),  # ends with its own punctuation
    ("没有", "乙段没有句号\n"),  # a paragraph break ends a sentence too
    ("第二句", "丙段第二句。"),
])
def test_sentence_bounds(needle, sentence):
    start = BODY.index(needle)
    left, right = sentence_bounds(BODY, start, start + len(needle))
    assert BODY[left:right] == sentence


def test_a_sentence_without_an_end_runs_to_the_end_of_the_text():
    text = "开头。结尾没有标点"
    assert sentence_bounds(text, text.index("结尾"), text.index("结尾") + 2) == (3, len(text))


def test_paragraph_ids_match_the_corpus_paragraphs():
    starts = paragraph_starts(BODY)
    assert starts.tolist() == [0, BODY.index("乙"), BODY.index("丙")]
    ids = [paragraph_unit_id("d", starts, BODY.index(c)) for c in "甲培乙丙"]
    assert ids == ["d:p001", "d:p001", "d:p002", "d:p003"]


def test_paragraph_ids_are_those_of_corpus_paragraphs():
    corp = corpus_from_texts({"d": "甲区开展宣讲活动。\n乙县组织党员学习。\n丙市举办读书班。"})
    text = corp.texts["d"]
    starts = paragraph_starts(text)
    for unit, row in corp.paragraphs().iterrows():
        assert paragraph_unit_id("d", starts, text.index(row["text"])) == unit
