"""Tests for corpus_tools.rhetoric.patterns: parallelism, quantifier openings, quoted terms and
four-character items, on constructed texts and the seeds (hand-checked).
"""

from __future__ import annotations

import pytest

from corpus_tools import rhetoric

from .helpers import NOTHING, Spy, corpus

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


def test_quantifier_openings_find_sentences_once_per_document(monkeypatch):
    from corpus_tools.rhetoric import patterns

    spy = Spy(patterns._SENTENCE_END_RE)
    monkeypatch.setattr(patterns, "_SENTENCE_END_RE", spy)
    table = rhetoric.quantifier_openings(corpus("一次次学习，一场场宣讲。" * 2000))
    assert len(table) == 4000 and table["run_length"].eq(2).all()
    assert spy.calls == 1  # not once per match
