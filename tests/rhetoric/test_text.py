"""Tests for corpus_tools.rhetoric.text: a document's layout gives the corpus's own paragraph ids,
and the shared text helpers."""

from __future__ import annotations

import re

from corpus_tools.rhetoric.text import clauses, iter_docs, literal_key, squeeze, trie_regex
from corpus_tools.units import parse_unit_id

from .helpers import corpus


def test_paragraph_ids_are_the_corpus_paragraph_ids():
    corp = corpus("第一段学史明理。\n\n第二段学史增信。\n\n第三段学史崇德。", "只有一段。")
    expected = list(corp.paragraphs().index)  # the corpus's own ids, independent of rhetoric
    found = [unit_id for doc in iter_docs(corp) for unit_id, _, _ in doc.paragraphs()]
    assert found == expected
    doc = next(iter_docs(corp))
    second = doc.text.index("第二段")
    assert doc.unit_ids([0, second, len(doc.text) - 1]) == [expected[0], expected[1], expected[2]]
    assert [parse_unit_id(u).para_no for u in found[:3]] == [1, 2, 3]


def test_text_helpers():
    squeezed, index = squeeze("做好“七个一” 活动")
    assert squeezed == "做好七个一活动" and "做好“七个一” 活动"[index[2]] == "七"
    assert [t for _, _, t in clauses("加强领导、精心谋划，推动工作。")] == ["加强领导", "精心谋划", "推动工作"]
    assert literal_key("学党史、悟思想") == "学党史悟思想"
    pattern = re.compile(trie_regex(["学史", "学史明理"]))
    assert pattern.match("学史明理").group() == "学史明理"
