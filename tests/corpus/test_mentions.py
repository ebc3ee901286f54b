"""Tests for corpus_tools.corpus.mentions: segments, place-name mentions, their context and self-references."""

from __future__ import annotations

import pytest

from corpus_tools.corpus import mentions
from corpus_tools.corpus.gazetteer import gazetteer
from corpus_tools.corpus.mentions import find_mentions, text_segments, weigh_context


def test_segments_give_zones_drop_chrome_and_keep_a_repeated_headline_once():
    blocks = [("chrome", "首页 > 要闻"), ("title", "槐荫区召开动员会"), ("byline", "记者 张三"),
              ("body", "原标题：槐荫区召开动员会"), ("body", "第一段。"), ("caption", "会场。"), ("body", "第二段。")]
    assert text_segments(blocks, None, "济南日报") == [
        ("title", "槐荫区召开动员会"), ("byline", "记者 张三"), ("lead", "第一段。"), ("caption", "会场。"),
        ("body", "第二段。"), ("outlet", "济南日报"),
    ]
    assert text_segments("甲。\n\n乙。", "标题", None) == [("title", "标题"), ("lead", "甲。"), ("body", "乙。")]
    with pytest.raises(TypeError, match="infer_locality needs a text"):
        text_segments(42, None, None)


def test_mentions_are_leftmost_longest():
    found = find_mentions([("body", "天桥街道和济南市槐荫区")])
    assert [(m.surface, m.start, m.end) for m in found] == [("天桥街道", 0, 4), ("济南市槐荫区", 5, 11)]


@pytest.mark.parametrize(
    ("text", "surface", "weight", "reasons"),
    [
        # full name (1.0) × body (1.0) × institutional (2.0)
        ("中共槐荫区委召开会议。", "槐荫区", 2.0, ("institution",)),
        # short form (0.6) × body × study trip (0.1) × red-site name (0.4)
        ("全区党员赴延安参观学习。", "延安", 0.6 * 0.1 * 0.4, ("study trip", "red-site name")),
        # full name × body × an outlet's name (0.3)
        ("漯河日报报道。", "漯河", 0.6 * 0.3, ("outlet name",)),
    ],
)
def test_context_weighs_each_mention(text, surface, weight, reasons):
    found = [m for m in find_mentions([("body", text)]) if m.surface == surface]
    assert len(found) == 1
    weigh_context(found[0], text, gazetteer())
    assert found[0].weight == pytest.approx(weight)
    assert found[0].reasons == reasons


class _CountingSpans(list):
    """A list of place spans that counts how many spans were visited."""

    visits = 0

    def __iter__(self):
        for item in super().__iter__():
            type(self).visits += 1
            yield item

    def __getitem__(self, index):
        type(self).visits += 1
        return super().__getitem__(index)


def test_self_references_visit_each_place_span_a_bounded_number_of_times():
    # issue 17: a single-line document with n place names and n self-references used to look
    # at every place span for every self-reference (n² visits; 4 MB took 21 s). Counting visits
    # catches that without timing anything: the work per span must not grow with n.
    for n in (200, 2000):
        unit = "槐荫区召开会议，我区全区党员参加，区委书记讲话。"
        text = unit * n
        spans = _CountingSpans()
        for k in range(n):
            spans.append((k * len(unit), k * len(unit) + 3, "槐荫区"))
        _CountingSpans.visits = 0
        counts = mentions.self_references([("body", text)], {0: spans})
        assert counts["区"] == pytest.approx(n * (2.0 + 1.0 + 1.0))  # 我区 2, 全区 1, 区委书记 1
        assert _CountingSpans.visits <= 10 * n, (n, _CountingSpans.visits)
