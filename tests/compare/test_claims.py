"""Tests for corpus_tools.compare.claims: numeral parsing, what counts as a claim, seed claims.

Expected values are worked out by hand from the numerals; the seed claims quoted below were
found by reading the seed texts.
"""

from __future__ import annotations


import pandas as pd
import pytest

from corpus_tools.compare.claims import CLAIM_COLUMNS, claims_by_group, parse_numeral, quantified_claims
from corpus_tools.corpus import corpus_from_texts

from .many_documents import many_documents, pool_calls  # noqa: F401 (a fixture)


def _claims(text: str) -> pd.DataFrame:
    return quantified_claims(corpus_from_texts({"d": text}), by="doc_id")


@pytest.mark.parametrize("numeral, value", [
    ("两千", 2000), ("四百二十", 420), ("十七", 17), ("三千", 3000), ("百", 100), ("二十", 20),
    ("一千零一", 1001), ("1.2万", 12000), ("5万", 50000), ("48.5亿", 4_850_000_000), ("994", 994),
])
def test_parse_numeral(numeral, value):
    assert parse_numeral(numeral) == value


@pytest.mark.parametrize("numeral", ["一三七", "四五", "二〇二一", "第一", "", "十大", "H5"])
def test_parse_numeral_refuses_codes_and_words(numeral):
    assert parse_numeral(numeral) is None


@pytest.mark.parametrize("text, number, qualifier, unit, category", [
    ("组织三千余名党员参加党史知识竞赛。", 3000, "余", "名", "people"),
    ("宣讲活动累计吸引1.2万人次观看。", 12000, "", "人次", "people"),
    ("全市建成四百二十个新时代文明实践站。", 420, "", "个", "organisations"),
    ("为群众解决十七项难题。", 17, "", "项", "projects"),
    ("开展百余场宣讲活动。", 100, "余", "场", "events"),
    ("培训党员干部两千人。", 2000, "", "人", "people"),
    ("将处级以上近800名领导干部全部轮训一遍。", 800, "近", "名", "people"),
    ("全区生产总值48.5亿元。", 4_850_000_000, "", "元", "money"),
    ("收集党史资料8000余万字。", 80_000_000, "余", "字", "media"),
    ("累计举办活动1.1万多场次。", 11000, "多", "场次", "events"),
    ("每名党员每月研读讲话稿20篇以上。", 20, "以上", "篇", "media"),
    ("办结率为95.2%。", 95.2, "", "%", "percent"),
])
def test_one_claim_parsed(text, number, qualifier, unit, category):
    claims = _claims(text)
    assert len(claims) == 1, claims
    row = claims.iloc[0]
    assert row["number"] == pytest.approx(number)
    assert row["qualifier"] == qualifier
    assert row["unit"] == unit
    assert row["category"] == category
    assert text[row["start"]:row["end"]] == row["text"]


@pytest.mark.parametrize("text", [
    "第一时间成立领导小组，开展第二轮巡回指导。",   # ordinals
    "一是加强组织领导，二是压实工作责任。",          # enumerations
    "2021年是“十四五”开局之年。",                  # a year
    "3月5日召开会议，6月底前完成轮训。",            # dates
    "做好“七个一”，开展“百人千场”宣讲活动。",      # a numbered formula and a quoted name
    "开展一次主题党日、一次现场教育。",              # the numeral 一
    "让千家万户感受到温暖。",                        # an idiom
    "以优异成绩庆祝建党100周年。",                  # an anniversary in a registry expression
    "区委政法委等六部门合力推进。",                  # 部 begins the noun 部门
    "实现“两个一百年”奋斗目标。",                   # a registry formula
])
def test_not_a_claim(text):
    assert _claims(text).empty


def test_year_is_skipped_but_the_count_after_it_is_kept():
    claims = _claims("2021年共举办30场专题讲座。")
    assert claims["text"].tolist() == ["30场"]
    assert claims["object"].tolist() == ["专题讲座"]


def test_ranges_and_objects():
    row = _claims("每月推送4至6则党史故事。").iloc[0]
    assert (row["number"], row["number_high"], row["unit"], row["object"]) == (4, 6, "则", "党史故事")
    row = _claims("区委组建12个巡回指导组。").iloc[0]
    assert (row["object"], row["object_side"], row["category"]) == ("巡回指导组", "after", "organisations")
    # nothing follows the unit: the object is the noun before the number
    row = _claims("全区确定实事项目292项，已完成121项。").iloc[0]
    assert (row["object"], row["object_side"]) == ("实事项目", "before")
    assert _claims("全区确定实事项目292项，已完成121项。").iloc[1]["object"] == ""
    row = _claims("天桥街道成立了6个“天天敲门组”。").iloc[0]
    assert row["object"] == "天天敲门组"


def test_bounds_follow_qualifiers():
    claims = _claims("培训干部近800名，开展活动300多场，每村每月至少1场。")
    assert claims["bound"].tolist() == ["nearly", "more_than", "at_least"]
    assert claims["qualifier"].tolist() == ["近", "多", "至少"]


def test_columns_and_empty_corpus():
    claims = _claims("没有任何数字的一段话。")
    assert list(claims.columns) == list(CLAIM_COLUMNS)
    assert claims.empty


# ------------------------------------------------------------------------------------ seeds


@pytest.fixture(scope="module")
def seed_claims(seeds):
    return quantified_claims(seeds, by="district")


def _find(claims: pd.DataFrame, doc_id: str, text: str) -> pd.Series:
    hits = claims[(claims["doc_id"] == doc_id) & (claims["text"] == text)]
    assert len(hits) >= 1, f"{text} not found in {doc_id}"
    return hits.iloc[0]


@pytest.mark.parametrize("doc_id, text, number, qualifier, unit, obj", [
    # 召陵区: 全区393个党支部14418名党员参加了党史知识竞赛
    ("luohe-zhaoling", "393个", 393, "", "个", "党支部"),
    ("luohe-zhaoling", "14418名", 14418, "", "名", "党员"),
    # 召陵区: 一般公共预算收入19619万元
    ("luohe-zhaoling", "19619万元", 196_190_000, "", "元", None),
    # 槐荫区: 所确定的114项区级层面民生实事项目清单
    ("jinan-huaiyin", "114项", 114, "", "项", None),
    # 市中区: 抽调各单位精干力量42人，组建12个巡回指导组
    ("jinan-shizhong", "12个", 12, "", "个", "巡回指导组"),
    # 市中区: 专家学者的专题授课累计吸引15万余人次观看
    ("jinan-shizhong", "15万余人次", 150_000, "余", "人次", None),
    # 济南市: 培训市管干部2000余人、各级领导干部近1.5万人
    ("jinan-city", "2000余人", 2000, "余", "人", None),
    ("jinan-city", "近1.5万人", 15000, "近", "人", "领导干部"),
    # 武隆区: 累计登门走访居民43786户; 满意率为95.2%
    ("chongqing-wulong", "43786户", 43786, "", "户", "居民"),
    ("chongqing-wulong", "95.2%", 95.2, "", "%", "满意率"),
    # 武隆区: 区委组建100人宣讲团
    ("chongqing-wulong", "100人", 100, "", "人", "宣讲团"),
])
def test_seed_claims(seed_claims, doc_id, text, number, qualifier, unit, obj):
    row = _find(seed_claims, doc_id, text)
    assert row["number"] == pytest.approx(number)
    assert (row["qualifier"], row["unit"]) == (qualifier, unit)
    if obj is not None:
        assert row["object"] == obj


def test_seed_formulas_are_not_claims(seed_claims, seeds):
    luohe = seed_claims[seed_claims["doc_id"] == "luohe-zhaoling"]
    # “三个七”（“七个一”“七进”“七个结合”） and the code “一三七” are names, not counts
    assert not luohe["text"].str.contains("七").any()
    city = seed_claims[seed_claims["doc_id"] == "jinan-city"]
    assert not city["sentence"].str.contains("两个一百年").any()
    for row in seed_claims.itertuples():
        assert seeds.texts[row.doc_id][row.start:row.end] == row.text
    assert set(seed_claims["group"]) == {"槐荫区", "市中区", "济南市（全市）", "召陵区", "武隆区"}


def test_claims_by_group(seed_claims, seeds):
    summary = claims_by_group(seeds, seed_claims, by="district")
    # every group × every category that occurs, so groups can be compared side by side
    n_categories = seed_claims["category"].nunique()
    assert len(summary) == 5 * n_categories
    luohe_people = summary[(summary["group"] == "召陵区") & (summary["category"] == "people")].iloc[0]
    expected = ((seed_claims["group"] == "召陵区") & (seed_claims["category"] == "people")).sum()
    assert luohe_people["n_claims"] == expected
    assert luohe_people["per_10k_chars"] == pytest.approx(1e4 * expected / len(seeds.texts["luohe-zhaoling"]))
    assert summary.groupby("group")["n_claims"].sum().sum() == len(seed_claims)
    short = claims_by_group(None, seed_claims)
    assert "per_10k_chars" not in short.columns
    assert (short["n_claims"] > 0).all()
    with pytest.raises(ValueError):
        claims_by_group(None, seed_claims, n=0)


def test_claims_by_group_takes_the_corpus_first_and_finds_the_claims_itself():
    corp = corpus_from_texts(
        {"a": "全区组建12个巡回指导组，培训党员三千余名。", "b": "开展宣讲5场，覆盖群众800余人。"},
        docvars=pd.DataFrame({"district": ["甲区", "乙县"]}, index=["a", "b"]),
    )
    claims = quantified_claims(corp, by="district")
    given = claims_by_group(corp, claims, by="district")
    found = claims_by_group(corp, by="district")
    pd.testing.assert_frame_equal(found, given)
    # 甲区: 12个 (organisations) and 三千余名 (people); 乙县: 5场 (events) and 800余人 (people)
    counts = {(g, c): k for g, c, k in given[["group", "category", "n_claims"]].itertuples(index=False)}
    assert counts[("甲区", "organisations")] == 1 and counts[("甲区", "people")] == 1
    assert counts[("乙县", "events")] == 1 and counts[("乙县", "people")] == 1
    assert counts[("甲区", "events")] == 0  # with a corpus, every group gets every category
    body_a = len("全区组建12个巡回指导组，培训党员三千余名。")
    row = given[(given["group"] == "甲区") & (given["category"] == "people")].iloc[0]
    assert row["per_10k_chars"] == pytest.approx(1e4 / body_a)


def test_claims_by_group_old_order_and_old_names_warn(seed_claims, seeds):
    new = claims_by_group(seeds, seed_claims, by="district", n=2)
    with pytest.warns(FutureWarning, match="corpus comes first"):
        old = claims_by_group(seed_claims, seeds, by="district", n=2)
    pd.testing.assert_frame_equal(old, new)
    with pytest.warns(FutureWarning, match="'top' is renamed 'n'"):
        old_top = claims_by_group(None, seed_claims, top=2)
    pd.testing.assert_frame_equal(old_top, claims_by_group(None, seed_claims, n=2))
    with pytest.raises(TypeError, match="corpus, a claims table"):
        claims_by_group(None)


# ------------------------------------------------------------- objects and names (issue 14)


@pytest.mark.parametrize("text, claim, obj", [
    ("全区800余名党员参加志愿服务。", "800余名", "党员"),          # the noun after the measure word, not 全区
    ("细化89项举措，推动落地见效。", "89项", "举措"),             # jieba tags 举措 as a verb
    ("今年以来办理工单71317件。", "71317件", "工单"),             # 办理 (tagged a noun) governs the count
    ("确定22项重点推进的惠民工程。", "22项", "惠民工程"),        # a relative clause before 的
    ("组织20个村的党员参加。", "20个", "村"),                    # a noun before 的 ends the phrase
    ("展板用33幅图片记录了历史。", "33幅", "图片"),              # 记录了: a verb
    ("收集群众诉求50件。", "50件", "群众诉求"),                  # a compound ending in a verb tag
    ("100余个党组织近600人参加了活动。", "近600人", ""),        # 党组织 is the previous claim's
    ("全村99户群众。", "99户", "群众"),
    ("全村共99户。", "99户", ""),                                # 全村 says where, not what
    ("培训300余人。", "300余人", ""),                           # the verb that reached them
    ("共办理工单1200件，办结率98%。", "98%", "办结率"),          # 率 cut off and tagged a verb
])
def test_object_is_the_counted_noun_phrase(text, claim, obj):
    claims = _claims(text).set_index("text")
    assert claims.loc[claim, "object"] == obj


@pytest.mark.parametrize("text", [
    "706班学生开展主题班会。",           # a class
    "高一（2）班举行主题班会。",
    "3号楼居民自发组织学习。",           # a building number
    "红十字会志愿者参加义诊。",          # a numeral inside a word
    "旺川村十字街整治完成。",
    "学习贯彻党的十九届六中全会精神。",  # sessions
    "十三届全国人大四次会议胜利闭幕。",
    "贯彻省委十一届十三次全会精神。",
    "组织观看《一百堂党史课》。",        # a title
])
def test_names_codes_and_sessions_are_not_counts(text):
    assert _claims(text).empty


def test_counts_next_to_the_new_rules_are_kept():
    claims = _claims("开办3个班，县委常委会召开4次专题会议，连续举办三届读书节，学员下班后用2个小时自学，全年召开4次会议。")
    assert claims["text"].tolist() == ["3个", "4次", "三届", "2个小时", "4次"]
    assert claims["category"].tolist()[3] == "time"


# n_jobs: the same table from one process or several (corpus_tools.parallel.map_documents).


def test_claims_are_the_same_with_one_process_or_two(pool_calls):
    corp = many_documents(24)
    one = quantified_claims(corp, by="district", n_jobs=1)
    assert not pool_calls
    two = quantified_claims(corp, by="district", n_jobs=2)
    assert pool_calls, "n_jobs=2 started no worker processes"
    assert len(one) > 24 and one["doc_id"].nunique() == 24
    pd.testing.assert_frame_equal(one, two)
    # Each document read alone, in corpus order, gives the same rows: nothing crosses documents.
    alone = pd.concat(
        [quantified_claims(corp.subset([doc_id]), by="district", n_jobs=1) for doc_id in corp.texts.index],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(one, alone)


@pytest.mark.parametrize(("n_jobs", "error"), [(0, ValueError), (2.0, TypeError)])
def test_claims_name_a_bad_n_jobs(n_jobs, error):
    with pytest.raises(error, match="n_jobs"):
        quantified_claims(many_documents(2), by="district", n_jobs=n_jobs)


@pytest.mark.slow
def test_claims_from_spawned_workers(monkeypatch):
    # Spawned workers rebuild the segmenter and import the per-document function by name.
    import multiprocessing

    import corpus_tools.parallel as parallel

    corp = many_documents(8)
    one = quantified_claims(corp, by="district", n_jobs=1)
    monkeypatch.setattr(parallel, "mp_context", lambda: multiprocessing.get_context("spawn"))
    pd.testing.assert_frame_equal(one, quantified_claims(corp, by="district", n_jobs=2))
