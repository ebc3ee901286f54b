"""Tests for corpus_tools.rhetoric.formulas: numbered formulas, their shapes and expansions, on
constructed texts, real page traps and the seeds (hand-checked).
"""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from corpus_tools import rhetoric
from corpus_tools.corpus import corpus_from_texts

from .helpers import NOTHING, Spy, corpus

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


def test_formula_expansions_read_a_bounded_window_on_a_long_line(monkeypatch):
    # issue 17: a page without line breaks is one paragraph; reading the whole paragraph before
    # every formula for its list made numbered_formulas quadratic (4 MB: 186 s)
    from corpus_tools.rhetoric import formulas

    spy = Spy(formulas._TRAILING_LINK_RE)
    monkeypatch.setattr(formulas, "_TRAILING_LINK_RE", spy)
    unit = "开展读书、观影、研讨等“三个一”活动，"
    found = rhetoric.numbered_formulas(corpus(unit * 3000))
    assert len(found) == 3000 and (found["n_items"] == 3).all()
    assert max(spy.lengths) <= formulas._MAX_LIST_CHARS
