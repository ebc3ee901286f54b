"""Tests for corpus_tools.corpus.locality: locality inference with its traps.

Known answers come from PRC administrative geography (who belongs to whom), from texts built
here with the answer planted, and from the hand-labelled set in tests/data/locality/ whose
labels were written independently of the code (see the header of articles.yaml).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pandas as pd
import pytest

from corpus_tools.corpus import locality
from corpus_tools.corpus.locality import LOCALITY_KEYS, LocalityResult, infer_locality, locality_candidates

ROOT = Path(__file__).resolve().parents[2]


def _where(text: str, **kwargs) -> tuple[str, str, str, str, str]:
    r = infer_locality(text, **kwargs)
    return r.province, r.city, r.district, r.town, r.admin_level


# --------------------------------------------------------------------------- traps, one by one


@pytest.mark.parametrize(
    ("text", "title", "outlet", "expected"),
    [
        pytest.param(
            "近日，槐荫区组织党员干部赴延安参观学习，瞻仰了宝塔山。回到槐荫区后，区委要求全区党员传承延安精神。",
            "槐荫区党员干部赴延安学习", "", ("山东省", "济南市", "槐荫区", "", "district"), id="study-trip",
        ),
        pytest.param(
            "1935年，遵义会议在这里召开。遵义会议精神激励着我们。如今，召陵区委组织党员学习这段历史，全区党员深受教育。",
            "召陵区学习遵义会议精神", "", ("河南省", "漯河市", "召陵区", "", "district"), id="red-history",
        ),
        pytest.param(
            "宝塔区委组织全区党员开展延安精神宣讲，宝塔区各街道建成党史学习点80个。",
            "宝塔区传承延安精神", "延安日报", ("陕西省", "延安市", "宝塔区", "", "district"), id="red-site-is-home",
        ),
        pytest.param(
            "原下城区与拱墅区合并后，新拱墅区委扎实开展党史学习教育。",
            "拱墅区党史学习教育", "", ("浙江省", "杭州市", "拱墅区", "", "district"), id="former-name",
        ),
        pytest.param(
            "我区召开党史学习教育推进会，区委书记出席并讲话。全区党员干部踊跃参与。",
            "——章丘区党史学习教育综述", "", ("山东省", "济南市", "章丘区", "", "district"), id="self-reference-我区",
        ),
        pytest.param(
            "土左旗委组织各苏木乡镇党员开展党史学习，全旗开展宣讲120场。",
            "", "", ("内蒙古自治区", "呼和浩特市", "土默特左旗", "", "county"), id="short-土左旗",
        ),
        pytest.param(
            "沿河自治县组建宣讲队走进村寨，全县宣讲党史300场。",
            "", "", ("贵州省", "铜仁市", "沿河土家族自治县", "", "county"), id="short-沿河自治县",
        ),
        pytest.param(
            "大理州召开推进会，州委书记要求全州各县市抓好落实。会议通报了大理市、宾川县的做法。",
            "大理州党史学习教育推进会召开", "", ("云南省", "大理白族自治州", "", "", "city"), id="大理州-not-大理市",
        ),
        pytest.param(
            "大理市委组织党员开展洱海保护志愿服务，全市党员踊跃参加。",
            "大理市：洱海边的党史课", "", ("云南省", "大理白族自治州", "大理市", "", "county"), id="大理市-not-大理州",
        ),
        pytest.param(
            "海南州召开党史学习教育推进会，州委书记要求共和、贵德等县抓好落实。青海省委督导组到会指导。",
            "", "", ("青海省", "海南藏族自治州", "", "", "city"), id="海南州-not-海南省",
        ),
        pytest.param(
            "桂阳县委组织全县党员开展专题学习，桂阳县在郴州率先建成县级党史馆。",
            "桂阳县党史学习教育", "", ("湖南省", "郴州市", "桂阳县", "", "county"), id="桂阳-not-贵阳",
        ),
        pytest.param(
            "辽宁省朝阳县委组织党员干部包村联户，朝阳市委对此予以肯定。",
            "朝阳县：学党史办实事", "", ("辽宁省", "朝阳市", "朝阳县", "", "county"), id="朝阳-liaoning",
        ),
        pytest.param(
            "北京市朝阳区望京街道工委组织辖区党员开展党史学习。望京街道还推出双语党史读本。",
            "望京街道：社区里的党史课", "", ("北京市", "北京市", "朝阳区", "望京街道", "street"), id="朝阳-beijing-street",
        ),
        pytest.param(
            "福州市鼓楼区依托三坊七巷打造党史“行走课堂”，鼓楼区委宣传部介绍了经验。",
            "", "", ("福建省", "福州市", "鼓楼区", "", "district"), id="鼓楼-fuzhou",
        ),
        pytest.param(
            "徐州市鼓楼区把党史学习教育与老城区改造结合起来，鼓楼区委书记带队走访。",
            "", "南京日报", ("江苏省", "徐州市", "鼓楼区", "", "district"), id="outlet-city-differs",
        ),
        pytest.param(
            "济南市中区委召开常委会，全区各街道开展党史宣讲。",
            "", "", ("山东省", "济南市", "市中区", "", "district"), id="济南市中区-compound",
        ),
        pytest.param(
            "双龙镇党委组织全镇党员到十八洞村学习。花垣县双龙镇还为群众办实事130件。",
            "双龙镇：十八洞村里学党史", "", ("湖南省", "湘西土家族苗族自治州", "花垣县", "双龙镇", "town"), id="town-level",
        ),
        pytest.param(
            "山东省委坚持高标准推进党史学习教育，全省各级党组织迅速行动。我省济南、青岛等地打造特色品牌。",
            "我省党史学习教育取得明显成效", "", ("山东省", "", "", "", "province"), id="province-level",
        ),
        pytest.param(
            "济南市委高标准推进党史学习教育，全市开展专题学习2万场。历下区、槐荫区等结合实际推出特色活动。我市建成示范点100个。",
            "——济南市党史学习教育综述", "", ("山东省", "济南市", "", "", "city"), id="city-level-with-district-examples",
        ),
        pytest.param(
            "沛县县委常委会带头开展专题学习，全县开展研讨2000余次。",
            "沛县扎实开展党史学习教育", "", ("江苏省", "徐州市", "沛县", "", "county"), id="two-character-name",
        ),
    ],
)
def test_traps(text, title, outlet, expected):
    assert _where(text, title=title or None, outlet=outlet or None) == expected


@pytest.mark.parametrize(
    ("text", "title", "expected"),
    [
        pytest.param("我区组织党员赴井冈山开展现场教学，接受革命传统教育。全区党员深受教育。", "",
                     ("", "", "", "", ""), id="only-a-red-site"),
        pytest.param("鼓楼区委组织全区党员开展专题学习，鼓楼区各街道开展党史进社区活动。", "",
                     ("", "", "", "", ""), id="鼓楼区-four-cities"),
        pytest.param("市中区召开推进会，区委书记要求全区抓好落实。", "", ("", "", "", "", ""), id="市中区-four-cities"),
        pytest.param("朝阳区召开推进会，区委书记强调要为民服务。", "", ("", "", "", "", ""), id="朝阳区-two-cities"),
        pytest.param("城关镇党委组织全镇党员学习党史。我镇为群众办实事45件。", "", ("", "", "", "", ""), id="城关镇-everywhere"),
        pytest.param("新华区召开党史学习教育动员会，传达学习河北省委有关会议精神。区委书记要求全区抓好落实。", "",
                     ("河北省", "", "", "", ""), id="新华区-province-only"),
        pytest.param("和平是我们共同的愿望，人民群众对美好生活充满期待，新华书店里党史读物热销。", "",
                     ("", "", "", "", ""), id="common-words-are-not-places"),
        pytest.param("中央党史学习教育动员大会在北京召开。各级党组织认真学习。", "", ("", "", "", "", ""), id="venue"),
    ],
)
def test_unknown_rather_than_a_guess(text, title, expected):
    result = infer_locality(text, title=title or None)
    assert (result.province, result.city, result.district, result.town, result.admin_level) == expected
    if not result.province:
        assert result.evidence.startswith("no decisive mention")
        assert result.confidence == 0.0


def test_a_misspelt_self_name_is_not_reported_as_the_wrong_place():
    # seed 004: the text is about 武隆区 (Chongqing) but writes 武陵 (a district of 常德, Hunan)
    # twice and 武隆 once; its towns 平桥镇, 桐梓镇 and 沧沟乡 are Wulong's.
    text = ("党史上的今天武陵。讲好武陵的党史故事。英雄模范事迹报告会武陵区专场举行。爱武隆论坛。"
            "平桥镇对和平中学旧址进行保护。桐梓镇75岁老党员讲党史。沧沟乡公路危改完工。")
    result = infer_locality(text)
    assert result.province in {"", "重庆市"}
    assert result.district in {"", "武隆区"}


# --------------------------------------------------------------------------- results and tables


def test_result_fields_and_docvars():
    result = infer_locality("召陵区召开党史学习教育动员大会。全区党员参加。", title="召陵区扎实推进党史学习教育")
    assert isinstance(result, LocalityResult)
    assert 0.0 < result.confidence <= 1.0
    assert result.unit_id == "411104"  # the official code of 召陵区
    assert "召陵区" in result.evidence
    docvars = result.as_docvars()
    assert tuple(docvars) == LOCALITY_KEYS
    assert docvars["locality_confidence"] == round(result.confidence, 2)


def test_candidate_table():
    table = locality_candidates("南京市鼓楼区召开推进会。鼓楼区委要求全区党员赴延安参观学习。")
    assert list(table.columns) == ["name", "unit_id", "level", "admin_type", "parents", "n_mentions", "own_score",
                                   "mass", "share", "subject_score", "chosen", "reasons"]
    chosen = table[table["chosen"]]
    assert chosen["name"].tolist() == ["江苏省", "南京市", "鼓楼区"]
    # every other 鼓楼区 is listed but gets no evidence
    others = table[(table["name"] == "鼓楼区") & ~table["chosen"]]
    assert len(others) == 3 and (others["mass"] == 0).all()
    yanan = table[table["name"] == "延安市"]
    assert "study trip" in yanan["reasons"].iloc[0]


def test_blocks_are_weighed_by_kind_and_chrome_is_ignored():
    blocks = pd.DataFrame(
        [("title", "槐荫区推进党史学习教育"), ("byline", "齐鲁晚报记者 于悦"), ("body", "全区党员干部踊跃参加学习。"),
         ("chrome", "友情链接 北京市朝阳区 上海市浦东新区 广州市天河区"), ("editor", "编辑：海淀区")],
        columns=["kind", "text"],
    )
    assert (infer_locality(blocks).district, infer_locality(blocks).admin_level) == ("槐荫区", "district")
    table = locality_candidates(blocks)
    assert not table["name"].isin(["朝阳区", "浦东新区", "天河区", "海淀区"]).any()


def test_bad_input_is_refused():
    with pytest.raises(TypeError, match="str"):
        infer_locality(123)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'kind'"):
        infer_locality(pd.DataFrame({"text": ["济南市"]}))


# --------------------------------------------------------------------------- the seeds


SEED_LOCALITY = {
    "000_bb6f8de1c4a960c6": ("山东省", "济南市", "槐荫区", "district"),
    "001_2708217661cee57b": ("山东省", "济南市", "市中区", "district"),
    "002_13c419424a7d791f": ("山东省", "济南市", "", "city"),
    "003_2e2e8a5ccda84c7c": ("河南省", "漯河市", "召陵区", "district"),
}


def test_seed_localities_match_the_manifest(seeds_dir):
    from corpus_tools import read_corpus

    corpus = read_corpus(seeds_dir, metadata=False)
    manifest = pd.read_csv(seeds_dir / "metadata.csv", dtype=str, keep_default_na=False).set_index("file")
    for doc_id, expected in SEED_LOCALITY.items():
        row = manifest.loc[f"{doc_id}.txt"]
        assert expected == (row["province"], row["city"], row["district"], row["admin_level"])  # the truth
        blocks = corpus.blocks[corpus.blocks["doc_id"] == doc_id]
        result = infer_locality(blocks)
        assert (result.province, result.city, result.district, result.admin_level) == expected, result.evidence
    # 004 (武隆区, Chongqing, writing itself 武陵): unknown or right, never 常德市武陵区
    wulong = infer_locality(corpus.blocks[corpus.blocks["doc_id"] == "004_482eecf055e9753a"])
    assert wulong.province in {"", "重庆市"} and wulong.district in {"", "武隆区"}


# --------------------------------------------------------------------------- the labelled set


def _benchmark():
    spec = importlib.util.spec_from_file_location("locality_accuracy", ROOT / "benchmarks" / "locality_accuracy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def labelled_results():
    bench = _benchmark()
    items = bench.load_labelled()
    return bench, items, bench.evaluate(items)


def test_labelled_set_is_large_and_covers_the_traps(labelled_results):
    _, items, _ = labelled_results
    assert len(items) >= 80
    assert len({i["id"] for i in items}) == len(items)
    traps = {t for i in items for t in i["traps"]}
    assert {"study_trip", "red_site", "history", "former_name", "outlet_city", "self_reference", "short_form",
            "homonym", "town_level", "street_level", "province_level", "city_level", "undecidable"} <= traps
    assert sum(i["split"] == "heldout" for i in items) >= 30
    for item in items:
        assert item["expected"]["admin_level"] in {"", *locality.ADMIN_LEVELS}


def test_accuracy_floors_on_the_labelled_set(labelled_results):
    # Floors set below what was measured (see benchmarks/locality_accuracy.py and the report):
    # on 125 items every answered level was right and ~90 % of items got a province.
    bench, _, results = labelled_results
    summary = bench.summarise(results).set_index("level")
    for level in ("province", "city", "district", "admin_level"):
        assert summary.loc[level, "precision_answered"] >= 0.95, level
    assert summary.loc["province", "accuracy"] >= 0.9
    assert summary.loc["district", "accuracy"] >= 0.9
    assert summary.loc["province", "coverage"] >= 0.8
    assert summary.loc["town", "precision_answered"] >= 0.9


def test_accuracy_floor_on_the_held_out_items(labelled_results):
    bench, _, results = labelled_results
    heldout = results[results["split"] == "heldout"]
    summary = bench.summarise(heldout).set_index("level")
    for level in ("province", "city", "district"):
        assert summary.loc[level, "precision_answered"] >= 0.9, level
    assert heldout["all_correct"].mean() >= 0.85


# --------------------------------------------------------------------------- linear time


def test_a_long_single_line_document_gives_the_answer_of_a_short_one():
    # the same paragraph repeated 20,000 times on one line (about 1 MB): same place, same level
    unit = "漯河市召陵区召开党史学习教育动员大会，我区全区党员干部赴延安参观学习，区委书记讲话。"
    short, long = infer_locality(unit), infer_locality(unit * 20_000)
    assert (long.province, long.city, long.district, long.admin_level) == (
        short.province, short.city, short.district, short.admin_level) == ("河南省", "漯河市", "召陵区", "district")


# --------------------------------------------------------------------------- issue 14: real-page traps


def test_a_generic_unit_name_alone_decides_nothing():
    # 老城区 is a district of 洛阳 and also "the old town" of any city: one mention in a text
    # about Beijing's sub-centre must not put it in Henan
    text = ("通州区委组织党员干部深入学习党史。城市副中心建设者在老城区开展志愿服务，"
            "北京市通州区各街道为群众办实事200余件。")
    result = infer_locality(text)
    assert (result.province, result.city, result.district) == ("北京市", "北京市", "通州区")
    alone = infer_locality("我们在老城区开展志愿服务，为群众办实事。")
    assert (alone.province, alone.district) == ("", "")


def test_a_generic_unit_name_with_its_own_institutions_or_city_counts():
    named_twice = "老城区委召开党史学习教育推进会。老城区委书记要求全区党员干部为群众办实事。"
    assert _where(named_twice)[:3] == ("河南省", "洛阳市", "老城区")
    with_city = "洛阳市老城区召开党史学习教育推进会，全区党员干部参加。"
    assert _where(with_city)[:3] == ("河南省", "洛阳市", "老城区")


def test_a_short_form_among_people_is_a_person():
    # 尼玛 is the short form of 尼玛县 (那曲) and a common given name; in a list of officials it
    # is a person, so the text says nothing about 那曲 (and should not name a city at all)
    text = ("行署召开党史学习教育专题学习研讨会。副专员张建国、扎西、尼玛出席会议，"
            "李明、尼玛、王强3名同志先后发言。西藏各族干部群众深受鼓舞。")
    result = infer_locality(text)
    assert result.province in {"", "西藏自治区"}
    assert (result.city, result.district) == ("", "")
    # a list of places keeps its places
    places = "海南州召开推进会，共和、贵德、贵南等县抓好落实。"
    table = locality_candidates(places)
    assert "person in a list" not in " ".join(table["reasons"])


def test_a_functional_zone_is_not_a_district():
    # 经济开发区 are listed among county-level units but are not 区/县: the district stays empty,
    # a street under the zone is still reported
    text = "马路东街道党工委组织辖区党员学习党史。张家口经济开发区马路东街道还为群众办实事30件，全街道党员参与。"
    province, city, district, town, level = _where(text)
    assert (province, city, district) == ("河北省", "张家口市", "")
    assert (town, level) == ("马路东街道", "street")


def test_a_county_that_became_a_district_is_named_as_the_text_names_it():
    # 湟中县 became 湟中区 in 2019; the gazetteer's source predates it
    text = "西宁市湟中区委组织党员开展党史学习。湟中区各乡镇为群众办实事，全区党员干部参与。"
    assert _where(text) == ("青海省", "西宁市", "湟中区", "", "district")


@pytest.mark.parametrize(
    ("text", "title", "expected"),
    [
        pytest.param(
            "党史学习教育开展以来，蕲春县坚持高标准推进。专家教授走进蕲春，在横车镇政府宣讲党史。"
            "该县迅速成立领导小组，全县党员干部踊跃参与。",
            "真信笃行——湖北蕲春扎实推进党史学习教育纪实", ("湖北省", "黄冈市", "蕲春县", "", "county"),
            id="county-piece-with-a-town-example",
        ),
        pytest.param(
            "横车镇党委组织全镇党员学习党史，横车镇各村开展宣讲。蕲春县委宣传部到会指导。",
            "横车镇：党史宣讲进村组", ("湖北省", "黄冈市", "蕲春县", "横车镇", "town"), id="town-piece",
        ),
        pytest.param(
            "张掖市委高标准推进党史学习教育，全市开展专题学习。甘州区、临泽县等地推出特色活动，我市建成示范点30个。",
            "张掖市党史学习教育综述", ("甘肃省", "张掖市", "", "", "city"), id="city-piece-with-county-examples",
        ),
        pytest.param(
            "今年以来，张掖市紧扣党史学习教育目标任务，推动学习走深走实。甘州区开展“红色宣讲进万家”活动，"
            "甘州区委宣讲团深入乡镇宣讲120场。民乐县组织党员干部参观学习。山丹县推出“党史故事天天讲”。"
            "全市累计为群众办实事3200余件。",
            "张掖市：学党史 办实事", ("甘肃省", "张掖市", "", "", "city"), id="city-survey-of-its-counties",
        ),
    ],
)
def test_the_level_is_the_one_the_text_is_about(text, title, expected):
    assert _where(text, title=title) == expected


def test_the_kind_of_self_reference_settles_a_shared_name():
    # 金城镇 is a town in 应县 (县), 金坛区 (区), 莱州市 (县级市) and 仪陇县 (县): a text that
    # calls itself 我区 can only mean the one in 常州市金坛区; 全县 fits two, so it stays open
    body = "金城镇举办党史学习日活动，金城镇党员干部表示要全力推进乡村振兴。"
    as_district = "我区各部门纷纷开展党史学习教育。" + body + "区人民检察院开展读书会，全区上下学党史。"
    assert _where(as_district) == ("江苏省", "常州市", "金坛区", "", "district")
    assert _where(body)[:3] == ("", "", "")
    as_county = "我县各部门纷纷开展党史学习教育。" + body + "全县上下学党史。"
    assert _where(as_county)[:3] == ("", "", "")


def test_a_town_written_in_its_variant_spelling_is_placed():
    text = "扬芬港镇召开党史学习教育动员会。会上，扬芬港镇党委书记作动员讲话，要求全镇党员干部学史力行。"
    assert _where(text, title="扬芬港镇启动党史学习教育") == ("河北省", "廊坊市", "霸州市", "杨芬港镇", "town")


def test_a_headline_the_page_repeats_counts_once():
    # the province is the headline's subject; the text is about one county. Counted twice (the
    # title and "原标题：…"), the headline would outweigh the body and stop at the province.
    title = "“把党史学习融入血液里”——云南开展党史学习教育见闻"
    body = [
        ("body", "位于云南省腾冲市和顺镇的一处故居里，参观者络绎不绝。讲解员每天都在讲述红色故事。"),
        ("body", "走在田间地头进行宣讲的不仅是讲解员，腾冲市还活跃着一个百姓宣讲团，把党史带进寻常百姓家。"),
        ("body", "宣讲团成员说，老百姓爱听党史，因为党史就在身边。"),
    ]
    expected = ("云南省", "保山市", "腾冲市", "", "county")
    assert _where([("title", title), *body]) == expected
    assert _where([("title", title), ("subtitle", "原标题：" + title), *body]) == expected
    assert _where(body, title=title) == _where([("body", "原标题：" + title), *body], title=title) == expected
