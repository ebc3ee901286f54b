"""Tests for corpus_tools.rhetoric: the registry, the detectors, the statistics and KWIC.

Two kinds of test: constructed texts with known answers (punctuation variants, partial
enumerations, overlaps, texts where nothing should be found), and counts checked by hand on
the five seed reports (see the comments next to each pinned number for where to look).
"""

from __future__ import annotations

from collections import Counter

import matplotlib
import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.figure import Figure

from corpus_tools import rhetoric, textplot
from corpus_tools.corpus import corpus_from_texts
from corpus_tools.metadata import group_labels
from corpus_tools.rhetoric import Registry, RegistryError

NOTHING = "今天天气很好，我们去公园散步，回来以后吃了晚饭。"


def corpus(*texts: str):
    """A corpus of made-up texts, ids t0, t1, …; blank lines separate paragraphs.

    A paragraph without a sentence end gets a 。, so that reading keeps it as body text (a
    short unpunctuated line is a title to :func:`corpus_tools.structure.classify_blocks`).
    """
    def body(text: str) -> str:
        return "\n\n".join(p if p.endswith(("。", "！", "？")) else p + "。" for p in text.split("\n\n"))

    return corpus_from_texts({f"t{k}": body(t) for k, t in enumerate(texts)})


@pytest.fixture(scope="module")
def seeds_grouped(seeds):
    return seeds.assign_docvars(group=group_labels(seeds.docvars, "district"))


@pytest.fixture(scope="module")
def seed_matches(seeds):
    return rhetoric.match_registry(seeds)


@pytest.fixture(scope="module")
def seed_formulas(seeds):
    return rhetoric.numbered_formulas(seeds)


@pytest.fixture(scope="module")
def seed_runs(seeds):
    return rhetoric.parallel_runs(seeds)


@pytest.fixture(autouse=True)
def _restore_rcparams():
    with matplotlib.rc_context():
        yield


def _per_doc(table: pd.DataFrame, **where) -> dict[str, int]:
    mask = np.ones(len(table), dtype=bool)
    for column, value in where.items():
        mask &= (table[column] == value).to_numpy()
    return table[mask].groupby("doc_id").size().to_dict()


def _paragraph_starts(corp) -> dict[str, int]:
    """Offset of each paragraph in corpus.texts, from Corpus.paragraphs() (independent of rhetoric)."""
    starts = {}
    for doc_id, paras in corp.paragraphs().groupby("doc_id", sort=False):
        offset = 0
        for unit_id, text in paras["text"].items():
            starts[unit_id] = offset
            offset += len(text) + 1
    return starts


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
    starts = _paragraph_starts(seeds)
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
    assert _per_doc(seed_matches, entry_id=entry_id, match_type=match_type) == expected


# ---------------------------------------------------------------------------- numbered formulas


@pytest.mark.parametrize(
    ("item", "kind"),
    [("七个一", "count_of"), ("三个七", "count_of"), ("七个一批", "count_of"), ("两个一百年", "count_of"),
     ("七个结合", "n_ge"), ("五大主战场", "n_da"), ("十大重点行动", "n_da"), ("四学四比", "paired"),
     ("四不两直", "paired"), ("百人千场", "paired"), ("一三七", "code"), ("十四五", "code"), ("125510", "code"),
     ("双报到", "doubled"), ("双招双引", "doubled"), ("双50", "doubled"), ("七进", "numbered"),
     ("三问于民", "numbered"), ("扪心三问", "numbered"), ("五兴", "numbered"),
     # not formulas: dates, times, ordinals, quantities, words with 一, numbers, idioms, names
     ("七一", None), ("四五", None), ("四点半课堂", None), ("第一议题", None), ("万名党员进党校", None),
     ("统一战线", None), ("一线", None), ("三十五", None), ("二〇二一", None), ("三三两两", None),
     ("红色十姐妹", None), ("零距离", None), ("一个脚印", None), ("我为群众办实事", None)],
)
def test_formula_shapes(item, kind):
    assert rhetoric.formula_shape(item) == kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # expansion in a parenthesis right after the formula
        ("做好“七个一”（读一本书、看一部电影、听一堂党课、写一篇心得、访一户群众、办一件实事、开一次会）。",
         [("七个一", "count_of", 7)]),
        # expansion before it, lead-in 通过 cut off
        ("通过一次主题党日、一次现场教育、一次基层宣讲、一次讲党课、一次走访慰问、一次志愿服务、一次文化活动等“七个一”实践。",
         [("七个一", "count_of", 7)]),
        # a list of quoted names, each a formula of its own
        ("以“三个七”（“七个一”“七进”“七个结合”）为抓手。",
         [("三个七", "count_of", 3), ("七个一", "count_of", None), ("七进", "numbered", None),
          ("七个结合", "n_ge", None)]),
        ("开展学四史比思想、学四史比信念、学四史比奉献、学四史比作为的“四学四比”活动。", [("四学四比", "paired", 4)]),
        ("推行“一三七”工作模式。“一”是一条主线，“三”是三个机制，“七”是七个结合。", [("一三七", "code", 3)]),
        ("紧紧围绕我区‘125510’目标思路。", [("125510", "code", None)]),
        ("深入“双报到”社区，开展“双招双引”，推进“双50”事项。",
         [("双报到", "doubled", None), ("双招双引", "doubled", None), ("双50", "doubled", None)]),
        ("结合“双承诺、双报到、双结对”活动。",
         [("双承诺", "doubled", None), ("双报到", "doubled", None), ("双结对", "doubled", None)]),
        # unquoted: specific shapes on their own, generic ones only with an expansion
        ("推进双招双引工作，落实十四五规划。", [("双招双引", "doubled", None), ("十四五", "code", None)]),
        ("做好七个一（读书、看电影、听党课、写心得、访群众、办实事、开会议）。", [("七个一", "count_of", 7)]),
        ("通过“回望来时路”“岁月显峥嵘”“奋斗正当时”三大篇章，开展活动。", [("三大篇章", "n_da", 3)]),
        ("做好七个结合，推进四学四比。", []),
        # the list before a formula must have as many items as the numeral says
        ("开展学习、研讨等“七个一”活动。", [("七个一", "count_of", None)]),
        # nothing to find: dates, hotlines, ordinals, times, idioms, plain counts
        ("学习“七一”重要讲话，参观“四五”烈士纪念碑，落实“第一议题”制度，开办“四点半课堂”，"
         "用好“12345”便民服务热线，走进千家万户，一步一个脚印，从四个方面作出部署，群众三三两两地走来。", []),
        (NOTHING, []),
    ],
)
def test_numbered_formulas_on_constructed_texts(text, expected):
    found = rhetoric.numbered_formulas(corpus(text))
    got = [(f, k, None if pd.isna(n) else int(n)) for f, k, n in zip(found["formula"], found["kind"], found["n_items"])]
    assert got == expected
    assert list(found.columns) == list(rhetoric.FORMULA_COLUMNS)


# Issue 14: what real pages taught. Places, events, object counts, ordinary words and idioms are
# not formulas; 1+N and ladder shapes are; a formula inside an item of another formula's expansion
# is part of that item; numbers inside longer numbers are not repeats.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("学习“三明实践”，弘扬“五峰山精神”，重温“九打吉安”和“五里坡之战”的故事。", []),
        ("张贴“两幅标语”，颁发“三份证书”，拧成“一股绳”，实现“六连冠”。", []),
        ("构建“1+6+N”工作体系，推行1+10+N模式，落实“1+1+1”帮扶，建立1+8体系，小学生计算1+1等于几。",
         [("1+6+N", "plus", None), ("1+10+N", "plus", None), ("1+1+1", "plus", None), ("1+8", "plus", None)]),
        ("实施十百千工程，推进“百千万”行动，千百万群众受益。", [("十百千", "graded", None), ("百千万", "graded", None)]),
        ("推行三查三改三提升工作法。", [("三查三改三提升", "multi", None)]),
        ("他在二中学三年级五班读书，一团第二营在三岔口集结。", []),  # numbers in a row are not parts
        ("坚持“一心一意”、“一盘棋”，当好“百姓管家”，唱响“一片丹心向阳开”的歌。", []),
        ("推行“一网通办”。", [("一网通办", "numbered", None)]),  # 一网 is a word, 一网通办 a name
        ("开展学七个一比思想、学七个一比信念、学七个一比作为的“三学三比”活动，做好“七个一”。",
         [("三学三比", "paired", 3), ("七个一", "count_of", None)]),
        ("围绕“一个中心、两个确立、四个伟大成就”开展宣讲。",
         [("一个中心", "n_ge", None), ("两个确立", "n_ge", None), ("四个伟大成就", "n_ge", None)]),
        ("组织“老党员讲历史、青年讲体会、书记讲党课”三讲活动，参观“红色记忆”“时代楷模”两个展厅。", [("三讲", "numbered", 3)]),
        ("修缮村里五六七组的水渠，“318”国道改造完工。", []),
        ("推行“365”工作法，服务群众1365人次，365场次。", [("365", "code", None)]),
    ],
)
def test_numbered_formulas_on_real_page_traps(text, expected):
    found = rhetoric.numbered_formulas(corpus(text))
    got = [(f, k, None if pd.isna(n) else int(n)) for f, k, n in zip(found["formula"], found["kind"], found["n_items"])]
    assert got == expected


def test_formula_expansions_are_the_items_themselves():
    text = ("通过一次主题党日、一次现场教育、一次基层宣讲、一次讲党课、一次走访慰问、一次志愿服务、一次文化活动等“七个一”实践。"
            "做到“七进”（进企业、进村（社区）、进学校、进机关、进家庭、进农村、进公共场所）。")
    found = rhetoric.numbered_formulas(corpus(text)).set_index("formula")
    assert found.loc["七个一", "expansion"].split(" | ")[0] == "一次主题党日"
    assert found.loc["七个一", "expansion_source"] == "preceding list"
    assert found.loc["七进", "expansion"].split(" | ")[1] == "进村（社区）"
    corp_text = corpus_from_texts({"a": text}).texts["a"]
    row = found.loc["七进"]
    assert corp_text[row["start"]:row["end"]] == "七进"
    assert corp_text[row["expansion_start"]:row["expansion_end"]].startswith("进企业")


def test_split_items():
    text = "将甲与民生实事、乡村振兴、“双承诺、双报到”活动、纠“四风”转作风"
    assert [text[a:b] for a, b in rhetoric.split_items(text)] == [
        "将甲与民生实事", "乡村振兴", "“双承诺、双报到”活动", "纠“四风”转作风"]
    text = "学到了什么、悟到了什么？办了多少实事？"
    assert [text[a:b] for a, b in rhetoric.split_items(text)] == ["学到了什么、悟到了什么", "办了多少实事"]


# Hand-checked: every numbered formula a careful reader finds in the seeds, with its count.
SEED_FORMULAS = {
    # Huaiyin: “四不两直” p014, “双报到” p014, “五兴”“五大主战场”“十大重点行动” p015, ‘125510’ p016,
    # “十大重点行动” again p022. None is spelled out in the text.
    "jinan-huaiyin": {"四不两直": 1, "双报到": 1, "五兴": 1, "五大主战场": 1, "十大重点行动": 2, "125510": 1},
    # Shizhong: “七个一批” p007, “七个一” p010, “双50” ×2 and “一链办理” ×3 p011, “十四五” p015,
    # “一带一城” p016, “双招双引” p017, 五大篇章 (unquoted, after five quoted names) p018
    "jinan-shizhong": {"七个一批": 1, "七个一": 1, "双50": 2, "一链办理": 3, "十四五": 1, "一带一城": 1,
                       "双招双引": 1, "五大篇章": 1},
    # Jinan city: “两个一百年” p001, “双报到” p005, “百人千场” p009 (not “七一”, “第一议题”, “四五”)
    "jinan-city": {"两个一百年": 1, "双报到": 1, "百人千场": 1},
    # Luohe: “三个七”（“七个一”“七进”“七个结合”） p002, “七个一”（…） p003, “扪心三问”（…）and
    # “三问于民” p006, “七进”（…） p008 and “七进” p009 (three with the one in p002), “四单” p014, “七个结合” p015, p016 (with its
    # list), p017, p022, p023, “双承诺、双报到、双结对” p016 and p023, “四风” p016, “一三七” p017,
    # “三问于民” p017, p019, p020, p021, “一三五” p021
    "luohe-zhaoling": {"三个七": 1, "七个一": 2, "七进": 3, "七个结合": 6, "扪心三问": 1, "三问于民": 5, "四单": 1,
                       "双承诺": 2, "双报到": 2, "双结对": 2, "四风": 1, "一三七": 1, "一三五": 1},
    # Wulong: “六进” p016 (after its list), “四学四比” p028 (after its list), “三治管理” p031;
    # “12345” is a hotline number
    "chongqing-wulong": {"六进": 1, "四学四比": 1, "三治管理": 1},
}


def test_hand_checked_formulas_on_the_seeds(seed_formulas):
    got = {doc: dict(Counter(rows["formula"])) for doc, rows in seed_formulas.groupby("doc_id", sort=False)}
    assert got == SEED_FORMULAS


SEED_EXPANSIONS = [
    ("jinan-shizhong", "七个一批", "preceding list", ["红色诵读", "红色电影", "红色演出", "红色非遗", "红色研学", "红色故事", "红色展览"]),
    ("jinan-shizhong", "七个一", "preceding list", ["一次主题党日", "一次现场教育", "一次基层宣讲", "一次讲党课", "一次走访慰问",
                                                    "一次党员志愿服务", "一次群众性红色文化活动"]),
    ("jinan-shizhong", "五大篇章", "preceding list", ["回望来时路", "岁月显峥嵘", "奋斗正当时", "初心筑未来", "展望谱新篇"]),
    ("luohe-zhaoling", "三个七", "parenthesis", ["七个一", "七进", "七个结合"]),
    ("luohe-zhaoling", "七个一", "parenthesis", ["每月举办一场党史讲座", "观看一场红色电影", "组织一次学习研讨", "开展一次学习实践",
                                                 "讲好一堂微型党课", "记好一本学习笔记", "组织一次知识竞赛"]),
    ("luohe-zhaoling", "七进", "parenthesis", ["进企业", "进学校", "进机关", "进社区", "进农村", "进家庭", "进公共场所"]),
    ("luohe-zhaoling", "七个结合", "parenthesis", ["将党史学习教育与民生实事", "乡村振兴", "营商环境", "“双承诺、双报到、双结对”活动",
                                                   "纠“四风”转作风", "全国文明城市建设", "志愿服务紧密结合起来"]),
    ("luohe-zhaoling", "扪心三问", "parenthesis", ["在党史学习教育中学到了什么、悟到了什么、做到了什么",
                                                   "办了多少实事、解决了多少难题、还有哪些不足", "如何把党史学习教育成果转化到工作成效"]),
    ("luohe-zhaoling", "一三七", "explained", ["“一”是以“访民情民意、办实事好事、展现担当作为”为一条主线",
                                               "“三”是以“三问于民”大走访大调研活动为基础", "“七”是以“七个结合”为抓手"]),
    ("chongqing-wulong", "六进", "preceding list", ["进机关", "进学校", "进医院", "进社区", "进农村", "进企业"]),
    ("chongqing-wulong", "四学四比", "preceding list", ["学四史比思想", "学四史比信念", "学四史比奉献", "学四史比作为"]),
]


@pytest.mark.parametrize(("doc_id", "formula", "source", "items"), SEED_EXPANSIONS,
                         ids=[f"{d}-{f}" for d, f, _, _ in SEED_EXPANSIONS])
def test_hand_checked_expansions_on_the_seeds(seed_formulas, doc_id, formula, source, items):
    rows = seed_formulas[(seed_formulas["doc_id"] == doc_id) & (seed_formulas["formula"] == formula)
                         & (seed_formulas["expansion"] != "")]
    assert len(rows) == 1
    row = rows.iloc[0]
    assert row["expansion_source"] == source
    assert row["expansion"].split(" | ") == items
    assert row["n_items"] == len(items)


def test_only_the_hand_checked_formulas_have_expansions(seed_formulas):
    expanded = seed_formulas[seed_formulas["expansion"] != ""]
    assert sorted(zip(expanded["doc_id"], expanded["formula"])) == sorted((d, f) for d, f, _, _ in SEED_EXPANSIONS)


# --------------------------------------------------------------------------------- parallelism


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("坚持学史明理、学史增信、学史崇德、学史力行。", [("学史…", "学史明理 | 学史增信 | 学史崇德 | 学史力行")]),
        ("做到进企业、进学校、进机关。", [("进…", "进企业 | 进学校 | 进机关")]),
        ("开展“登万家门、访万家情、解万家难、暖万家心”行动。", [("…万家…", "登万家门 | 访万家情 | 解万家难 | 暖万家心")]),
        ("以党史淬炼坚定信仰，以党史照亮前行之路，以党史激发奋进之力，全区上下奋力前行。",
         [("以党史…", "以党史淬炼坚定信仰 | 以党史照亮前行之路 | 以党史激发奋进之力")]),
        ("到现场一线去，到田间地头去，到百姓家中去。", [("到…去", "到现场一线去 | 到田间地头去 | 到百姓家中去")]),
        ("每月有部署、每周有总结、每日有调度。", [("每…有…", "每月有部署 | 每周有总结 | 每日有调度")]),
        # the first item cut from a lead-in, the last from a clause that carries on
        ("转化升华为感党恩、听党话、跟党走的坚定信念。", [("…党…", "感党恩 | 听党话 | 跟党走")]),
        ("取得了以成果暖人心、聚民心、强信心、筑同心的效果。", [("…心", "暖人心 | 聚民心 | 强信心 | 筑同心")]),
        ("围绕就业等群众最关心、最直接、最现实的利益问题。", [("最…", "最关心 | 最直接 | 最现实")]),
        # runs do not overlap: 学党史 does not fit 学史…
        ("学史明理、学史增信、学史崇德、学史力行、学党史。", [("学史…", "学史明理 | 学史增信 | 学史崇德 | 学史力行")]),
        # nothing to find
        ("学出责任、学出方向。", []),  # two items are not a run
        ("区委开会。区委部署。区委落实。", []),  # runs stay within a sentence
        ("一张照片的故事，两位老人的回忆，这次会议的决定。", []),  # only a particle in common
        ("共受理工单71317件，办结71122件，满意单69884件。", []),  # counts with a measure word
        (NOTHING, []),
    ],
)
def test_parallel_runs_on_constructed_texts(text, expected):
    runs = rhetoric.parallel_runs(corpus(text))
    assert list(zip(runs["frame"], runs["items"])) == expected
    assert list(runs.columns) == list(rhetoric.PARALLEL_COLUMNS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the first item starts after its verb, not inside the place name it begins with
        ("积极融入长江中游城市群战略、乡村振兴战略、强市富民战略等重大机遇。",
         [("…战略", "长江中游城市群战略 | 乡村振兴战略 | 强市富民战略")]),
        # the last item ends before the 的 that makes it a modifier
        ("帮助群众更直观地认识党史、读懂党史、讲好百年党史。", [("…党史", "认识党史 | 读懂党史 | 讲好百年党史")]),
        ("推动经济迈上更高水平、更高效益、更快发展的新台阶。", [("更…", "更高水平 | 更高效益 | 更快发展")]),
        # ... but a 的 inside every item stays (and a localiser after the last noun goes)
        ("大家驻足于一张张发黄的老报纸、一件件朴素的旧军装、一封封情真意切的家书前，久久不愿离去。",
         [("一…", "一张张发黄的老报纸 | 一件件朴素的旧军装 | 一封封情真意切的家书")]),
        ("深入开展进社区、进中小学校、进企业等活动。", [("进…", "进社区 | 进中小学校 | 进企业")]),
    ],
)
def test_parallel_items_end_at_phrase_boundaries(text, expected):
    runs = rhetoric.parallel_runs(corpus(text))
    assert list(zip(runs["frame"], runs["items"])) == expected


def test_parallel_runs_report_slots_and_spans():
    corp = corpus("前言。\n\n开展“登万家门、访万家情、解万家难、暖万家心”行动。")
    run = rhetoric.parallel_runs(corp).iloc[0]
    assert run["slots"] == "登/门 | 访/情 | 解/难 | 暖/心"
    assert run["frame_type"] == "template" and run["n_frame_chars"] == 2 and run["run_length"] == 4
    assert run["unit_id"] == "t0:p002"
    assert corp.texts["t0"][run["start"]:run["end"]] == run["text"] == "登万家门、访万家情、解万家难、暖万家心"


def test_min_run_is_a_count_of_items():
    text = "学出责任、学出方向。"
    assert len(rhetoric.parallel_runs(corpus(text), min_run=2)) == 1
    assert len(rhetoric.parallel_runs(corpus("学史明理、学史增信、学史崇德。"), min_run=4)) == 0


def test_paragraph_openings_led_by_a_dash():
    corp = corpus("——专家解读学。举办报告会。\n\n——利用红色资源学。放映电影。\n\n——“比学赶超”学。开展竞赛。")
    runs = rhetoric.parallel_runs(corp)
    assert runs[["scope", "frame", "items"]].values.tolist() == [
        ["paragraph openings", "…学", "专家解读学 | 利用红色资源学 | 比学赶超学"]]


# Hand-checked: every parallel run in the seeds, as (frame, number of items), in document order.
SEED_RUNS = {
    "jinan-huaiyin": [("本…", 3), ("…党课", 3), ("…有…", 3), ("最…", 3), ("从…", 3), ("学出…", 3), ("…战略", 4),
                      ("学史…", 4), ("…有…度", 3), ("…感", 3), ("以党史…", 3)],
    "jinan-shizhong": [("学史…", 4), ("…者", 3), ("红色…", 7), ("一次…", 7), ("多…", 3), ("更…", 3)],
    "jinan-city": [("学史…", 4), ("一…的…", 3), ("…党…", 3), ("每…有…", 3)],
    "luohe-zhaoling": [("七…", 3), ("…化", 3), ("…一…", 7), ("…学", 4), ("…到了什么", 3), ("全…", 3), ("进…", 7),
                       ("深入…", 3), ("进…", 3), ("深入…", 3), ("双…", 3), ("不同…", 3), ("双…", 3), ("…心", 4)],
    "chongqing-wulong": [("从…到…", 3), ("学史…", 4), ("微…", 3), ("天天…", 4), ("红色…", 3), ("进…", 6), ("…讲", 3),
                         ("…来之不易", 3), ("…里的…", 3), ("学四史比…", 4), ("到…去", 3), ("…万家…", 4), ("…差", 3),
                         ("…办", 3), ("…感", 3)],
}


def test_hand_checked_parallel_runs_on_the_seeds(seed_runs):
    got = {doc: list(zip(rows["frame"], rows["run_length"])) for doc, rows in seed_runs.groupby("doc_id", sort=False)}
    assert got == SEED_RUNS


@pytest.mark.parametrize(
    ("doc_id", "items"),
    [
        ("chongqing-wulong", "登万家门 | 访万家情 | 解万家难 | 暖万家心"),
        ("chongqing-wulong", "学四史比思想 | 学四史比信念 | 学四史比奉献 | 学四史比作为"),
        ("luohe-zhaoling", "进企业 | 进学校 | 进机关 | 进社区 | 进农村 | 进家庭 | 进公共场所"),
        ("luohe-zhaoling", "暖人心 | 聚民心 | 强信心 | 筑同心"),
        ("jinan-huaiyin", "学出责任 | 学出方向 | 学出本领"),
        ("jinan-huaiyin", "以党史淬炼坚定信仰 | 以党史照亮前行之路 | 以党史激发奋进之力"),
        ("jinan-city", "感党恩 | 听党话 | 跟党走"),
    ],
)
def test_hand_checked_run_items(seeds, seed_runs, doc_id, items):
    rows = seed_runs[(seed_runs["doc_id"] == doc_id) & (seed_runs["items"] == items)]
    assert len(rows) == 1
    row = rows.iloc[0]
    assert seeds.texts[doc_id][row["start"]:row["end"]] == row["text"]
    assert row["text"].replace("、", " | ").replace("，", " | ") == items


# --------------------------------------------------------------------------- other patterns


def test_quantifier_openings():
    text = "一次次触动心灵的学习研讨，一场场生动深刻的党史宣讲，一桩桩为民解忧的民生实事。一批又一批党员来了。一一对应。"
    table = rhetoric.quantifier_openings(corpus(text))
    assert table["form"].tolist() == ["一次次", "一场场", "一桩桩", "一批又一批"]
    assert table["run_length"].tolist() == [3, 3, 3, 1]
    assert table["run_id"].nunique() == 2
    assert table["clause"].iloc[0] == "一次次触动心灵的学习研讨"
    assert rhetoric.quantifier_openings(corpus(NOTHING)).empty


def test_hand_checked_quantifier_openings_on_the_seeds(seeds):
    table = rhetoric.quantifier_openings(seeds)
    # Jinan city p003: 一次次…一场场…一桩桩…把一颗颗; Wulong p001: 一次次…一场场…一场场…一桩桩,
    # p022: 一张张照片、一件件文物, p023: 一批又一批
    assert list(zip(table["doc_id"], table["form"], table["run_length"])) == [
        ("jinan-city", "一次次", 4), ("jinan-city", "一场场", 4), ("jinan-city", "一桩桩", 4), ("jinan-city", "一颗颗", 4),
        ("chongqing-wulong", "一次次", 4), ("chongqing-wulong", "一场场", 4), ("chongqing-wulong", "一场场", 4),
        ("chongqing-wulong", "一桩桩", 4), ("chongqing-wulong", "一张张", 2), ("chongqing-wulong", "一件件", 2),
        ("chongqing-wulong", "一批又一批", 1)]
    assert table["clause_initial"].tolist() == [True, True, True, False] + [True] * 7


def test_quoted_terms():
    text = "开展“我为群众办实事”活动，围绕我区‘125510’目标。“要把实事办好，办到群众心坎上。”发布《实施方案》。"
    table = rhetoric.quoted_terms(corpus(text))
    assert list(zip(table["term"], table["kind"], table["marks"])) == [
        ("我为群众办实事", "term", "“”"), ("125510", "term", "‘’"),
        ("要把实事办好，办到群众心坎上。", "quotation", "“”"), ("实施方案", "title", "《》")]
    assert rhetoric.quoted_terms(corpus(text), max_term_chars=5)["kind"].tolist()[0] == "quotation"
    text_of = corpus(text).texts["t0"]
    assert all(text_of[s:e] == t for s, e, t in zip(table["start"], table["end"], table["term"]))


def test_four_char_items():
    table = rhetoric.four_char_items(corpus("加强领导、精心谋划，推动工作落实。凝心聚力。做好“七个结合”。"))
    assert list(zip(table["phrase"], table["in_enumeration"])) == [
        ("加强领导", True), ("精心谋划", True), ("凝心聚力", False), ("七个结合", False)]


# ------------------------------------------------------------------------------- statistics


def test_frequency_counts_rates_and_zero_rows():
    corp = corpus_from_texts(
        {"a": "学史明理、学史增信。\n\n急难愁盼，急难愁盼。", "b": "走深走实。"},
        docvars=pd.DataFrame({"group": ["甲", "乙"]}, index=["a", "b"]),
    )
    freq = rhetoric.frequency(rhetoric.match_registry(corp), corp, term="category", n_boot=0)
    assert list(freq.columns) == ["group", "category", "count", "n_chars", "per_10k_chars", "ci_low", "ci_high",
                                  "n_docs", "ci_method", "ci_note"]
    assert len(freq) == 2 * 5  # every group × every category, zeros included
    row = freq[(freq["group"] == "甲") & (freq["category"] == "people")].iloc[0]
    n_chars = len("学史明理、学史增信。") + len("急难愁盼，急难愁盼。")
    assert (row["count"], row["n_chars"]) == (2, n_chars)
    assert row["per_10k_chars"] == pytest.approx(2 / n_chars * 1e4)
    assert freq["ci_low"].isna().all()


def test_frequency_bootstrap_is_deterministic_and_brackets_the_rate(seeds_grouped, seed_matches):
    first = rhetoric.frequency(seed_matches, seeds_grouped, n_boot=200, random_state=7)
    again = rhetoric.frequency(seed_matches, seeds_grouped, n_boot=200, random_state=7)
    other = rhetoric.frequency(seed_matches, seeds_grouped, n_boot=200, random_state=8)
    pd.testing.assert_frame_equal(first, again)
    assert not first["ci_low"].equals(other["ci_low"])
    # One document per seed group: no interval of the group's rate, only of the document's own
    # rate (labelled), and none at all where nothing was counted (never a zero-width interval).
    has = first["ci_low"].notna()
    assert has.any()
    assert (first.loc[has, "ci_low"] <= first.loc[has, "ci_high"]).all()
    assert (first.loc[has, "ci_low"] <= first.loc[has, "per_10k_chars"] + 1e-9).all()
    assert first.loc[first["count"] == 0, "ci_low"].isna().all()
    assert set(first["ci_method"]) <= {rhetoric.stats.CI_OWN_RATE, ""}
    assert first["group"].unique().tolist() == ["槐荫区", "市中区", "济南市（全市）", "召陵区", "武隆区"]
    by_doc = rhetoric.frequency(seed_matches, seeds_grouped, by="doc_id", n_boot=50, resample="document")
    assert by_doc["doc_id"].nunique() == 5 and by_doc["count"].sum() == len(seed_matches)


def test_frequency_explains_what_is_missing(seeds, seed_matches):
    with pytest.raises(KeyError, match="open_corpus"):
        rhetoric.frequency(seed_matches, seeds, by="group")
    with pytest.raises(KeyError, match="not paragraphs"):
        rhetoric.frequency(seed_matches.assign(unit_id="nowhere:p001"), seeds, by="doc_id")


def test_inventory(seeds_grouped, seed_formulas):
    inv = rhetoric.inventory(seed_formulas, seeds_grouped, term="formula")
    row = inv[(inv["group"] == "召陵区") & (inv["formula"] == "七个结合")].iloc[0]
    assert (row["count"], row["n_docs"], row["first_unit"]) == (6, 1, "luohe-zhaoling:p002")
    assert inv.groupby("group", sort=False)["count"].sum().sum() == len(seed_formulas)


def test_formulaicness_on_a_constructed_text():
    corp = corpus_from_texts({"a": "学史明理，学史增信，学史崇德。\n\n今天下雨。"})
    table = rhetoric.formulaicness(corp, by="doc_id", n_boot=0).set_index("component")
    # registry covers 学史明理…学史崇德 (14 characters); the parallel run covers the same span
    assert table.loc["all", "covered_chars"] == 14
    assert table.loc["registry", "covered_chars"] == 14 and table.loc["parallel", "covered_chars"] == 14
    assert table.loc["all", "n_chars"] == len("学史明理，学史增信，学史崇德。") + len("今天下雨。")
    assert table.loc["all", "formulaicness"] == pytest.approx(14 / 20)


def test_formulaicness_counts_overlaps_once_and_ignores_paragraph_breaks():
    corp = corpus_from_texts({"a": "甲乙丙丁。\n\n戊己庚辛。"})
    assert corp.texts["a"] == "甲乙丙丁。\n戊己庚辛。"
    spans = {"x": pd.DataFrame({"doc_id": ["a"], "start": [3], "end": [8]}),
             "y": pd.DataFrame({"doc_id": ["a"], "start": [0], "end": [4]})}
    table = rhetoric.formulaicness(corp, spans, by="doc_id", n_boot=0).set_index("component")
    # x covers 丁。戊己 (the break at offset 5 is not text), y covers 甲乙丙丁: union 甲乙丙丁。戊己
    assert table.loc["x", "covered_chars"] == 4 and table.loc["y", "covered_chars"] == 4
    assert table.loc["all", "covered_chars"] == 7 and table.loc["all", "n_chars"] == 10


def test_formulaicness_on_the_seeds(seeds_grouped):
    table = rhetoric.formulaicness(seeds_grouped, n_boot=100, random_state=0)
    assert list(table["component"].cat.categories) == ["all", "registry", "numbered", "parallel", "quantifier"]
    wide = table.pivot(index="group", columns="component", values="formulaicness")
    assert (wide["all"] <= wide.drop(columns="all").sum(axis=1) + 1e-12).all()
    assert (wide["all"] >= wide.drop(columns="all").max(axis=1)).all()
    assert wide["all"].between(0.05, 0.5).all()
    has = table["ci_low"].notna()  # no interval where nothing was found (never zero width)
    assert (table.loc[has, "ci_low"] <= table.loc[has, "ci_high"]).all()
    assert (table.loc[~has, "ci_note"] != "").all()


def test_four_char_density():
    corp = corpus("加强领导、精心谋划，推动各项工作落实。")
    row = rhetoric.four_char_density(corp, by="doc_id", n_boot=0).iloc[0]
    assert (row["n_items"], row["n_four_char"]) == (3, 2)
    assert row["four_char_share"] == pytest.approx(2 / 3)


# --------------------------------------------------------------------------------------- KWIC


def test_kwic_literal_across_quotes_and_within_the_paragraph():
    corp = corpus("各级党组织做好“七个一”。\n\n推进七个一活动，效果很好。")
    table = rhetoric.kwic(corp, "七个一", window=6)
    assert list(table.columns) == list(rhetoric.KWIC_COLUMNS)
    assert table["match"].tolist() == ["“七个一”", "七个一"]
    assert table["unit_id"].tolist() == ["t0:p001", "t0:p002"]
    assert table["left"].tolist() == ["级党组织做好", "推进"]  # six characters, or back to the paragraph start
    assert table["right"].tolist() == ["。", "活动，效果很"]  # never into the next paragraph


def test_kwic_registry_entry_regex_and_several_queries():
    corp = corpus("坚持学史明理、学史增信，学史力行。推动走深走实。")
    table = rhetoric.kwic(corp, ["xueshi-siju", "走深走实"])
    assert list(zip(table["query"], table["match"])) == [
        ("xueshi-siju", "学史明理、学史增信，学史力行"), ("走深走实", "走深走实")]
    regex = rhetoric.kwic(corp, r"学史\w\w", regex=True)
    assert regex["match"].tolist() == ["学史明理", "学史增信", "学史力行"]
    assert rhetoric.kwic(corp, "七个一").empty


def test_kwic_view_and_explorer_without_a_jupyter_server(monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    corp = corpus("坚持学史明理。")
    table = rhetoric.kwic(corp, "学史明理")
    view = rhetoric.kwic_view(table)
    assert "学史明理" in view.to_html() and view.caption == "1 hits"
    shown = rhetoric.kwic_explorer(corp, table)
    assert type(shown).__name__ == "Styler"


def test_kwic_widget_in_jupyterlab():
    widgets = pytest.importorskip("ipywidgets")
    corp = corpus("坚持学史明理。")
    box = rhetoric.kwic_explorer(corp, rhetoric.kwic(corp, "学史明理"), interactive=True)
    assert isinstance(box, widgets.VBox)
    search, output = box.children[0].children[0], box.children[1]
    assert search.value == "学史明理" and "学史明理" in output.value
    search.value = "无此词"
    assert "0 hits" in output.value


# ------------------------------------------------------------------------------------ figures


def test_parallel_figure_and_interval_plot(seed_runs, seeds_grouped):
    fig = rhetoric.parallel_figure(seed_runs, n=5, title="排比")
    assert isinstance(fig, Figure)
    assert len(fig.axes[0].texts) == 15  # frame, items, place for five runs
    table = rhetoric.formulaicness(seeds_grouped, n_boot=50)
    fig = textplot.interval_plot(table, y="group", x="formulaicness", low="ci_low", high="ci_high", hue="component")
    assert len(fig.axes[0].containers) == 5
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["槐荫区", "市中区", "济南市（全市）", "召陵区", "武隆区"]
    with pytest.raises(ValueError, match="repeated"):
        textplot.interval_plot(table, y="group", x="formulaicness", low="ci_low", high="ci_high")


def test_kwic_view_escapes_corpus_text():
    """Corpus text is data: markup in an article must reach the report as text, not as HTML."""
    from corpus_tools.corpus import corpus_from_texts
    from corpus_tools.rhetoric import kwic, kwic_view

    corpus = corpus_from_texts(
        {"evil": "甲区开展学史明理活动，<script>alert(1)</script>学史明理<img src=x onerror=alert(2)>。"}
    )
    markup = kwic_view(kwic(corpus, "学史明理", window=30)).to_html()
    assert "<script>" not in markup and "<img" not in markup
    assert "&lt;script&gt;" in markup


# ------------------------------------------------------------------------------ linear time


class _Spy:
    """Wrap a compiled regex and record the length of every text it is asked to search."""

    def __init__(self, pattern):
        self.pattern, self.lengths, self.calls = pattern, [], 0

    def _record(self, text, *args):
        self.calls += 1
        self.lengths.append(len(text) if not args else (args[1] if len(args) > 1 else len(text)) - args[0])

    def search(self, text, *args):
        self._record(text, *args)
        return self.pattern.search(text, *args)

    def finditer(self, text, *args):
        self._record(text, *args)
        return self.pattern.finditer(text, *args)

    def findall(self, text, *args):
        self._record(text, *args)
        return self.pattern.findall(text, *args)


def test_formula_expansions_read_a_bounded_window_on_a_long_line(monkeypatch):
    # issue 17: a page without line breaks is one paragraph; reading the whole paragraph before
    # every formula for its list made numbered_formulas quadratic (4 MB: 186 s)
    from corpus_tools.rhetoric import formulas

    spy = _Spy(formulas._TRAILING_LINK_RE)
    monkeypatch.setattr(formulas, "_TRAILING_LINK_RE", spy)
    unit = "开展读书、观影、研讨等“三个一”活动，"
    found = rhetoric.numbered_formulas(corpus(unit * 3000))
    assert len(found) == 3000 and (found["n_items"] == 3).all()
    assert max(spy.lengths) <= formulas._MAX_LIST_CHARS


def test_quantifier_openings_find_sentences_once_per_document(monkeypatch):
    from corpus_tools.rhetoric import patterns

    spy = _Spy(patterns._SENTENCE_END_RE)
    monkeypatch.setattr(patterns, "_SENTENCE_END_RE", spy)
    table = rhetoric.quantifier_openings(corpus("一次次学习，一场场宣讲。" * 2000))
    assert len(table) == 4000 and table["run_length"].eq(2).all()
    assert spy.calls == 1  # not once per match
