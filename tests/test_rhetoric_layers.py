"""Registry expressions in titles, subtitles and headings, counted as layers of their own."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from corpus_tools import interpret, rhetoric
from corpus_tools.corpus import corpus_from_texts

# A title with a slogan, a heading with another, and a body with one more.
TEXT = ("甲区：学史明理 学史力行\n\n"
        "全区党员干部深入开展我为群众办实事实践活动，解决了一批实际问题，得到居民认可。\n\n"
        "一、走深走实\n\n"
        "区委组织开展专题学习研讨，党员干部结合工作实际交流心得体会，推动各项任务落实。")


@pytest.fixture()
def corp():
    corp = corpus_from_texts({"a": TEXT, "b": "乙县开展宣讲活动\n\n乙县组织宣讲员进村入户，讲述党的历史，群众反响热烈，活动持续开展。"})
    corp.docvars["group"] = ["甲区", "乙县"]
    return corp


def test_layers_hold_the_blocks_of_their_kinds(corp):
    kinds = corp.blocks.set_index(["doc_id", "kind"])["text"]
    assert rhetoric.layer_texts(corp, "title")["a"] == kinds[("a", "title")]
    assert "走深走实" in rhetoric.layer_texts(corp, "heading")["a"]
    assert rhetoric.layer_texts(corp, "heading")["b"] == ""
    assert "学史明理" not in corp.texts["a"]  # the title's slogans are not in the body


def test_matches_and_rates_per_layer(corp):
    matches = rhetoric.match_layers(corp)
    found = matches.groupby("layer", observed=False)["canonical"].agg(list).to_dict()
    assert "我为群众办实事" in found["body"]
    assert "走深走实" in found["heading"]
    assert any("学史" in c or "学史明理" in c for c in found["title"])
    totals = rhetoric.layer_rates(corp, matches, by=None).set_index("layer")
    titles = rhetoric.layer_texts(corp, "title")
    n_title_chars = int(titles.str.replace("\n", "").str.len().sum())
    assert totals.loc["title", "n_chars"] == n_title_chars
    expected = (matches["layer"] == "title").sum() / n_title_chars * 10_000
    assert math.isclose(totals.loc["title", "per_10k_chars"], expected)
    by_group = rhetoric.layer_rates(corp, matches, by="group")
    heading_b = by_group[(by_group["group"] == "乙县") & (by_group["layer"] == "heading")].iloc[0]
    assert heading_b["n_chars"] == 0 and heading_b["n_docs"] == 0 and math.isnan(heading_b["per_10k_chars"])
    text = interpret.layers_reading(totals.reset_index())
    assert "title" in text and f"({(matches['layer'] == 'title').sum()} in {n_title_chars} characters)" in text


def test_unknown_layer_is_an_error(corp):
    with pytest.raises(ValueError, match="layer must be one of"):
        rhetoric.layer_texts(corp, "caption")
    with pytest.raises(KeyError, match="no docvar"):
        rhetoric.layer_rates(corp, rhetoric.match_layers(corp), by="county")


def test_empty_layers_are_said_in_words():
    table = pd.DataFrame({"layer": ["body", "title"], "count": [0, 0], "n_chars": [100, 0], "per_10k_chars": [0.0, float("nan")]})
    assert interpret.layers_reading(table).startswith("No registry expression in any layer was found")
