"""Tests for corpus_tools.rhetoric.registry: the registry of campaign expressions, matching it in
constructed texts and on the seeds (hand-checked counts), and the text layers.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
import yaml

from corpus_tools import rhetoric
from corpus_tools.corpus import corpus_from_texts
from corpus_tools.reports import interpret
from corpus_tools.rhetoric import Registry, RegistryError

from .helpers import NOTHING, corpus, paragraph_starts, per_doc

# ------------------------------------------------------------------------------- registry


def test_registry_is_versioned_and_documented():
    reg = rhetoric.load_registry()
    assert reg.name == "dangshi-2021" and reg.version and len(reg.source) > 100
    assert list(reg.categories["category"]) == ["slogan", "work_style", "metaphor", "people", "activity"]
    assert list(reg.entries.columns) == ["entry_id", "canonical", "category", "parts", "variants", "min_parts",
                                         "max_gap", "note"]
    assert reg.entries["note"].str.len().min() > 5, "every entry needs a note on its source or meaning"
    assert reg.entries["entry_id"].is_unique
    assert rhetoric.load_registry() is reg  # cached


@pytest.mark.parametrize(
    "canonical",
    ["学史明理、学史增信、学史崇德、学史力行", "学党史、悟思想、办实事、开新局", "我为群众办实事", "急难愁盼",
     "走深走实", "入脑入心", "感党恩、听党话、跟党走", "红色基因", "守正创新", "不忘初心、牢记使命",
     "两个一百年", "以人民为中心", "获得感、幸福感、安全感", "规定动作、自选动作"],
)
def test_registry_holds_the_standard_expressions_of_2021(canonical):
    entry = rhetoric.load_registry().entry(canonical)
    assert entry["canonical"] == canonical
    if "、" in canonical:
        assert entry["parts"] == tuple(canonical.split("、"))


def test_the_four_aims_are_a_four_part_enumeration():
    entry = rhetoric.load_registry().entry("xueshi-siju")
    assert entry["parts"] == ("学史明理", "学史增信", "学史崇德", "学史力行")
    assert entry["category"] == "slogan"


def _mapping(*entries, categories=({"id": "slogan"},)):
    return {"name": "toy", "version": "1", "source": "test", "categories": list(categories), "entries": list(entries)}


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"name": "x", "version": "1", "categories": []}, "entries"),
        (_mapping({"id": "a", "canonical": "甲乙", "category": "nope"}), "unknown category"),
        (_mapping({"id": "a", "canonical": "甲乙", "category": "slogan"},
                  {"id": "a", "canonical": "丙丁", "category": "slogan"}), "used twice"),
        (_mapping({"id": "a", "canonical": "甲乙", "category": "slogan"},
                  {"id": "b", "canonical": "丙丁", "category": "slogan", "variants": ["甲、乙"]}), "already listed"),
        (_mapping({"id": "a", "canonical": "甲乙", "category": "slogan", "parts": ["甲乙"]}), "at least two parts"),
        (_mapping({"id": "a", "canonical": "甲、乙", "category": "slogan", "parts": ["甲", "乙"], "min_parts": 3}),
         "min_parts"),
        (_mapping({"id": "a", "category": "slogan"}), "needs id, canonical and category"),
    ],
)
def test_malformed_registries_are_refused_with_a_reason(mapping, message):
    with pytest.raises(RegistryError, match=message):
        Registry.from_mapping(mapping)


def test_a_registry_can_be_loaded_from_a_yaml_file(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(_mapping({"id": "a", "canonical": "七个一", "category": "slogan"}),
                                   allow_unicode=True), encoding="utf-8")
    reg = rhetoric.load_registry(path)
    hits = rhetoric.match_registry(corpus("做好七个一。"), reg)
    assert hits["entry_id"].tolist() == ["a"]
    with pytest.raises(FileNotFoundError):
        rhetoric.load_registry("no-such-registry")


# --------------------------------------------------------------------------- registry matching

FOUR = "xueshi-siju"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # punctuation and spacing variants of the full enumeration
        ("坚持学史明理、学史增信、学史崇德、学史力行。", [(FOUR, "full", 4)]),
        ("坚持学史明理，学史增信，学史崇德，学史力行。", [(FOUR, "full", 4)]),
        ("坚持“学史明理”“学史增信”“学史崇德”“学史力行”。", [(FOUR, "full", 4)]),
        ("坚持学史明理 学史增信 学史崇德 学史力行。", [(FOUR, "full", 4)]),
        ("坚持学史明理学史增信学史崇德学史力行。", [(FOUR, "full", 4)]),
        ("坚持学史明理；学史增信；学史崇德；学史力行。", [(FOUR, "full", 4)]),
        ("坚持学史增信、学史明理、学史力行、学史崇德。", [(FOUR, "full", 4)]),  # any order
        # partial enumerations
        ("坚持学史明理、学史增信。", [(FOUR, "partial", 2)]),
        ("学史力行，实干为民。", [(FOUR, "partial", 1), ("shigan-weimin", "full", 1)]),
        ("学史明理。学史增信。", [(FOUR, "partial", 1), (FOUR, "partial", 1)]),  # not across 。
        ("学史明理、学史明理", [(FOUR, "partial", 1), (FOUR, "partial", 1)]),  # a part repeats
        ("学史明理、学史增信、学史崇德、学史力行、学史明理", [(FOUR, "full", 4), (FOUR, "partial", 1)]),
        ("学党史、悟思想，", [("xuedangshi-siju", "partial", 2)]),
        ("为群众办实事。", []),  # one part of 学党史… is an everyday phrase: min_parts 2
        ("学党史。悟思想。", []),
        ("获得感幸福感显著增强", [("huodegan", "partial", 2)]),
        # parts with a predicate between them (max_gap)
        ("坚持规定动作做到位、自选动作有特色", [("guiding-zixuan", "full", 2)]),
        ("坚持“规定动作”不走样、“自选动作”有特色", [("guiding-zixuan", "full", 2)]),
        ("规定动作做到位。自选动作有特色", []),
        # variants, across punctuation
        ("往深里走、往实里走", [("zoushen-zoushi", "variant", 1)]),
        ("往深里走，往实里走", [("zoushen-zoushi", "variant", 1)]),
        ("推动走深走实", [("zoushen-zoushi", "full", 1)]),
        # overlapping and adjacent literals: longest wins, no overlaps
        ("永远跟党走我为群众办实事", [("yongyuan-gendangzou", "full", 1), ("wowei-qunzhong", "full", 1)]),
        ("弘扬伟大建党精神", [("jiandang-jingshen", "full", 1)]),
        ("弘扬建党精神", [("jiandang-jingshen", "variant", 1)]),
        ("感党恩、听党话、永远跟党走", [("gandangen", "partial", 2), ("yongyuan-gendangzou", "full", 1)]),
        (NOTHING, []),
    ],
)
def test_match_registry_on_constructed_texts(text, expected):
    hits = rhetoric.match_registry(corpus(text))
    assert list(zip(hits["entry_id"], hits["match_type"], hits["n_parts_matched"])) == expected


def test_matches_report_spans_into_the_cleaned_text_and_the_paragraph():
    corp = corpus("第一段没有口号。\n\n第二段坚持“学史明理”、学史增信，推动走深走实。")
    hits = rhetoric.match_registry(corp)
    text = corp.texts["t0"]
    assert hits["unit_id"].tolist() == ["t0:p002", "t0:p002"]
    assert [text[s:e] for s, e in zip(hits["start"], hits["end"])] == hits["text"].tolist()
    assert hits["text"].tolist() == ["学史明理”、学史增信", "走深走实"]
    assert list(hits.columns) == list(rhetoric.MATCH_COLUMNS)
    assert list(hits["category"].cat.categories) == ["slogan", "work_style", "metaphor", "people", "activity"]


def test_no_match_gives_an_empty_table_with_the_columns():
    hits = rhetoric.match_registry(corpus(NOTHING))
    assert hits.empty and list(hits.columns) == list(rhetoric.MATCH_COLUMNS)


def test_every_seed_match_points_at_its_text_and_paragraph(seeds, seed_matches):
    starts = paragraph_starts(seeds)
    paragraphs = seeds.paragraphs()["text"]
    for row in seed_matches.itertuples(index=False):
        assert seeds.texts[row.doc_id][row.start:row.end] == row.text
        offset = row.start - starts[row.unit_id]
        assert paragraphs[row.unit_id][offset:offset + len(row.text)] == row.text


# Hand-checked on the seeds (search the cleaned texts: read_corpus("seeds").texts).
SEED_COUNTS = [
    # 学史明理、学史增信、学史崇德、学史力行 written out in full: once in every report but Luohe's
    ((FOUR, "full"), {"jinan-huaiyin": 1, "jinan-shizhong": 1, "jinan-city": 1, "chongqing-wulong": 1}),
    # 学史力行 alone: Shizhong and Jinan city "学史力行，实干为民", Luohe "注重实践成效，学史力行"
    ((FOUR, "partial"), {"jinan-shizhong": 1, "jinan-city": 1, "luohe-zhaoling": 1}),
    # 学党史、悟思想、办实事、开新局: city p002, Luohe p002, Wulong p001, p002, p007
    (("xuedangshi-siju", "full"), {"jinan-city": 1, "luohe-zhaoling": 1, "chongqing-wulong": 3}),
    # Huaiyin p013 "转化办实事、开新局的强大动力"
    (("xuedangshi-siju", "partial"), {"jinan-huaiyin": 1}),
    (("wowei-qunzhong", "full"), {"jinan-huaiyin": 3, "jinan-shizhong": 3, "jinan-city": 5, "luohe-zhaoling": 3,
                                  "chongqing-wulong": 5}),
    (("jinan-choupan", "full"), {"jinan-huaiyin": 1, "jinan-shizhong": 1, "jinan-city": 1, "luohe-zhaoling": 2,
                                 "chongqing-wulong": 2}),
    (("zoushen-zoushi", "full"), {"jinan-huaiyin": 1, "jinan-shizhong": 2, "jinan-city": 1, "luohe-zhaoling": 1,
                                  "chongqing-wulong": 2}),
    (("zoushen-zoushi", "variant"), {"chongqing-wulong": 1}),  # 往深里走、往实里走
    (("huodegan", "full"), {"jinan-huaiyin": 1, "chongqing-wulong": 1}),
    (("huodegan", "partial"), {"chongqing-wulong": 1}),  # 获得感幸福感显著增强
    (("gandangen", "full"), {"jinan-city": 1}),
    (("guiding-zixuan", "full"), {"luohe-zhaoling": 1, "chongqing-wulong": 1}),
    (("hongse-jiyin", "full"), {"jinan-huaiyin": 4, "jinan-shizhong": 2, "jinan-city": 2, "chongqing-wulong": 2}),
    (("buwang-chuxin", "full"), {"chongqing-wulong": 1}),
    (("runao-ruxin", "full"), {"jinan-shizhong": 1}),
]


@pytest.mark.parametrize(("key", "expected"), SEED_COUNTS, ids=[f"{k[0]}-{k[1]}" for k, _ in SEED_COUNTS])
def test_hand_checked_registry_counts_on_the_seeds(seed_matches, key, expected):
    entry_id, match_type = key
    assert per_doc(seed_matches, entry_id=entry_id, match_type=match_type) == expected


# ---------------------------------------------------------------------- layers (title, heading)
# Registry expressions in titles, subtitles and headings, counted as layers of their own.

# A title with a slogan, a heading with another, and a body with one more.
LAYERED_TEXT = ("甲区：学史明理 学史力行\n\n"
        "全区党员干部深入开展我为群众办实事实践活动，解决了一批实际问题，得到居民认可。\n\n"
        "一、走深走实\n\n"
        "区委组织开展专题学习研讨，党员干部结合工作实际交流心得体会，推动各项任务落实。")


@pytest.fixture()
def corp():
    corp = corpus_from_texts({"a": LAYERED_TEXT, "b": "乙县开展宣讲活动\n\n乙县组织宣讲员进村入户，讲述党的历史，群众反响热烈，活动持续开展。"})
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
