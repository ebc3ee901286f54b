"""Tests for corpus_tools.compare.profile: MATTR against a brute-force count, the quantified-
sentence detector on planted sentences, officials and places, and the profile on the seeds."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import corpus_tools as ct
from corpus_tools.compare.profile import PROFILE_COLUMNS, group_profile, mattr, named_entities, quantified_sentences
from corpus_tools.rhetoric import formulaicness
from corpus_tools.tokens import Tokens

from .many_documents import many_documents, pool_calls  # noqa: F401 (a fixture)

SEED_GROUPS = {"槐荫区", "市中区", "济南市（全市）", "召陵区", "武隆区"}


def _brute_mattr(tokens: list[str], window: int) -> float:
    ratios = [len(set(tokens[i:i + window])) / window for i in range(len(tokens) - window + 1)]
    return sum(ratios) / len(ratios)


@pytest.mark.parametrize(
    ("tokens", "window", "expected"),
    [
        ("学习 党史 学习 党史 红色".split(), 2, 1.0),  # every pair is two distinct words
        ("学习 学习 学习 党史".split(), 3, (1 / 3 + 2 / 3) / 2),  # {学习}, {学习, 党史}
        ("学习 党史 学习 党史 红色".split(), 3, (2 / 3 + 2 / 3 + 3 / 3) / 3),
        ("红色".split(), 1, 1.0),
    ],
)
def test_mattr_by_hand(tokens, window, expected):
    value, n_windows = mattr(tokens, window)
    assert value == pytest.approx(expected)
    assert n_windows == len(tokens) - window + 1


def test_mattr_matches_brute_force_and_handles_short_texts():
    rng = np.random.default_rng(0)
    words = [f"词{int(k)}" for k in rng.integers(0, 40, size=600)]
    for window in (1, 7, 50, 600):
        assert mattr(words, window)[0] == pytest.approx(_brute_mattr(words, window), rel=1e-12)
    value, n_windows = mattr(words[:49], 50)
    assert math.isnan(value) and n_windows == 0
    with pytest.raises(ValueError, match="window"):
        mattr(words, 0)


@pytest.mark.parametrize(
    ("sentence", "quantified"),
    [
        ("开展宣讲300余场。", True),
        ("累计吸引15万余人次观看。", True),
        ("全区393个党支部14418名党员参加了竞赛。", True),
        ("举办专题学习班二十余期。", True),
        ("小额诉讼适用率47.13%。", True),
        ("2021年7月1日，庆祝大会隆重举行。", False),  # dates are not counts
        ("深入学习“三个代表”重要思想，做到“两个维护”。", False),  # formulas with one numeral
        ("第3次会议召开。", False),  # ordinal
        ("千家万户感受到幸福。", False),  # idiom
        ("党的十九届六中全会精神。", False),  # 届 is not a measure word here
    ],
)
def test_quantified_sentence_detector(sentence, quantified):
    corp = ct.corpus_from_texts({"a": sentence})
    table = quantified_sentences(corp)
    assert len(table) == 1
    assert bool(table["quantified"].iloc[0]) is quantified


def test_quantified_sentences_offsets_and_claims_table():
    text = "开展宣讲300余场。今天天气很好。\n覆盖群众2.3万人次。"
    corp = ct.corpus_from_texts({"a": text})
    table = quantified_sentences(corp)
    body = corp.texts["a"]
    for row in table.itertuples():
        assert body[row.start:row.end] == row.text
    assert table["quantified"].tolist() == [True, False, True]
    # A claims table overrides the detector: one claim in the second sentence only.
    claims = pd.DataFrame({"doc_id": ["a"], "start": [body.index("天气")]})
    assert quantified_sentences(corp, claims=claims)["quantified"].tolist() == [False, True, False]
    with pytest.raises(KeyError, match="start"):
        quantified_sentences(corp, claims=pd.DataFrame({"doc_id": ["a"]}))


def test_named_entities_officials_need_a_title():
    text = (
        "区委书记王建国出席会议并讲话。县长刘晓明主持会议，市委常委、区委书记张丽华强调要抓好落实。"
        "习近平总书记指出，要学党史。王建国说，要办实事。\n"
        "活动在济南市槐荫区举行，城市面貌焕然一新。"
    )
    corp = ct.corpus_from_texts({"a": text}, docvars=pd.DataFrame({"district": ["槐荫区"]}, index=["a"]))
    table = named_entities(corp, by="district")
    officials = table[table["kind"] == "official"].set_index("name")
    assert set(officials.index) == {"王建国", "刘晓明", "张丽华", "习近平"}
    assert officials.loc["王建国", "title"] == "区委书记"
    assert officials.loc["王建国", "n_mentions"] == 1  # the second mention has no title next to it
    assert officials.loc["习近平", "title"] == "总书记"
    places = set(table.loc[table["kind"] == "place", "name"])
    assert {"济南市", "槐荫区"} <= places
    assert "城市" not in places  # a common word jieba tags as a place
    assert (table["group"] == "槐荫区").all()


@pytest.fixture(scope="module")
def seed_profile(seeds):
    corp = seeds.assign_docvars(group=ct.group_labels(seeds.docvars, "district"))
    return corp, group_profile(corp)


def test_seed_profile_has_the_five_localities_and_sane_values(seed_profile):
    corp, profile = seed_profile
    assert tuple(profile.columns) == PROFILE_COLUMNS
    assert set(profile["group"]) == SEED_GROUPS
    assert profile["group"].is_unique
    assert (profile["n_docs"] == 1).all()
    for column in ("mattr", "formulaic_share", "quantified_share"):
        assert profile[column].between(0, 1).all(), column
    # Characters: the body paragraphs' lengths, without the line breaks between them.
    paragraphs = corp.paragraphs()
    chars = paragraphs.groupby(paragraphs["doc_id"].map(corp.docvars["group"]))["text"].apply(lambda t: t.str.len().sum())
    assert profile.set_index("group")["n_chars"].to_dict() == chars.to_dict()
    assert profile.set_index("group")["n_paragraphs"].to_dict() == paragraphs.groupby(
        paragraphs["doc_id"].map(corp.docvars["group"])).size().to_dict()
    # The formulaic share is the rhetoric module's index for the same groups.
    index = formulaicness(corp, by="group", n_boot=0)
    index = index[index["component"] == "all"].set_index("group")["formulaicness"]
    assert profile.set_index("group")["formulaic_share"].to_dict() == pytest.approx(index.to_dict())
    # Officials the reports name with a title (read in the texts): 区委书记李国强, 区委书记黄宗华.
    officials = profile.set_index("group")["officials"]
    assert "李国强" in officials["槐荫区"].split("、")
    assert "黄宗华" in officials["武隆区"].split("、")
    assert "习近平" in officials["济南市（全市）"].split("、")
    assert (profile["n_places_named"] > 0).all()
    assert profile.attrs["mattr_window"] == 100


def test_seed_profile_by_doc_id_and_by_district_agree(seeds, seed_profile):
    _, profile = seed_profile
    by_district = group_profile(seeds, by="district")
    pd.testing.assert_frame_equal(by_district, profile)
    by_doc = group_profile(seeds, by="doc_id", entities=named_entities(seeds, by="doc_id"))
    assert set(by_doc["group"]) == set(seeds.doc_ids)
    assert by_doc["n_chars"].sum() == profile["n_chars"].sum()


def test_mattr_is_pooled_over_the_groups_windows_and_short_docs_are_left_out():
    texts = {"a": "甲", "b": "乙", "c": "丙"}
    corp = ct.corpus_from_texts(texts, docvars=pd.DataFrame({"group": ["G", "G", "H"]}, index=list(texts)))
    index = pd.Index(list(texts), name="unit_id")
    words = {
        "a": "红色 党史 红色 党史".split(),  # window 2: 3 windows, all 2 types -> 1.0
        "b": "学习 学习 学习 学习 学习 党史".split(),  # 5 windows: 1/2 four times, 1 once -> 0.6
        "c": "学习".split(),  # shorter than the window
    }
    tokens = Tokens(tokens=pd.Series(words, index=index), docvars=pd.DataFrame({"doc_id": list(texts)}, index=index),
                    unit="document")
    profile = group_profile(corp, tokens, window=2).set_index("group")
    # Mean over all 8 windows of G: (3 · 1.0 + 5 · 0.6) / 8.
    assert profile.loc["G", "mattr"] == pytest.approx((3 * 1.0 + 5 * 0.6) / 8)
    assert profile.loc["G", "mattr_n_docs"] == 2
    assert math.isnan(profile.loc["H", "mattr"]) and profile.loc["H", "mattr_n_docs"] == 0
    assert profile.loc["G", "n_tokens"] == 10


def test_missing_group_docvar_says_how_to_get_one(seeds):
    with pytest.raises(KeyError, match="open_corpus"):
        group_profile(seeds, by="group")


# ------------------------------------------------- current officials, evidenced places (issue 14)


def _entities(texts: dict[str, str]) -> pd.DataFrame:
    return named_entities(ct.corpus_from_texts(texts), by="doc_id", progress=False)


def test_historical_figures_are_not_current_officials():
    texts = {
        # a past title and a martyr's death
        "a": "1928年，时任山东省委书记刘谦初在济南被捕，后英勇就义。区委书记李国强出席纪念活动并讲话。",
        # a martyr named with the office he held then
        "b": "党员们参观王荷波烈士纪念馆，重温中央监察委员会主席王荷波的革命事迹。县长刘晓明参加活动。",
        # a past title alone
        "c": "原县委书记张建设回到家乡。县委书记王建国主持会议。",
        # once marked as history, a name is history throughout the document
        "e": "王荷波烈士在此英勇就义。纪念馆坐落在城东。据介绍，中央监察委员会主席王荷波曾在这里工作。县长刘晓明参加活动。",
        # an official at a memorial site is still in office
        "g": "区委书记李国强带领党员到烈士陵园祭扫，缅怀革命先烈。",
        # telling a martyr's story does not make the teller history
        "h": "区委书记李国强为党员讲述革命先烈英勇就义的故事。",
        # a year long past before the name, in its clause
        "i": "1927年山东省委书记刘谦初在济南开展工作。区委书记李国强讲话。",
    }
    table = _entities(texts)
    officials = table[table["kind"] == "official"].groupby("doc_id")["name"].apply(set).to_dict()
    assert officials == {"a": {"李国强"}, "b": {"刘晓明"}, "c": {"王建国"}, "e": {"刘晓明"}, "g": {"李国强"},
                         "h": {"李国强"}, "i": {"李国强"}}


def test_places_need_gazetteer_or_toponym_evidence():
    table = _entities({"d": "群众满意度达到98%，延时服务全面普及。活动在济南市槐荫区和上寨村举行，代表团还赴长沙学习，"
                            "城区面貌焕然一新。"})
    places = set(table.loc[table["kind"] == "place", "name"])
    # not 满意度, 延时, 普及 (jieba's model tags them ns) nor the common noun 城区; 长沙 (the city
    # and the county share it) is a place all the same
    assert places == {"济南市", "槐荫区", "上寨村", "长沙"}


def test_departments_and_places_are_not_names():
    table = _entities({"f": "县委宣传部副部长孔繁林讲话。苏元镇党委书记孔凌凌出席。"})
    officials = set(table.loc[table["kind"] == "official", "name"])
    assert "宣传部" not in officials and "苏元镇" not in officials


def test_n_top_places_limits_the_listed_places_and_the_old_name_warns():
    texts = {"a": "甲区开展宣讲活动。", "b": "乙县组织党员学习。"}
    corp = ct.corpus_from_texts(texts, docvars=pd.DataFrame({"group": ["G", "H"]}, index=list(texts)))
    # a table as named_entities returns it: G mentions 松花江 3 times, 上寨村 2, 珍宝岛 1
    entities = pd.DataFrame({
        "group": ["G", "G", "G", "H"], "doc_id": ["a", "a", "a", "b"], "kind": ["place"] * 4,
        "name": ["上寨村", "松花江", "珍宝岛", "上寨村"], "title": [""] * 4, "n_mentions": [2, 3, 1, 4],
    })
    profile = group_profile(corp, entities=entities, n_top_places=2, progress=False).set_index("group")
    assert profile.loc["G", "top_places"] == "松花江、上寨村"
    assert profile.loc["G", "n_places_named"] == 3 and profile.loc["G", "n_place_mentions"] == 6
    assert profile.loc["H", "top_places"] == "上寨村"
    with pytest.warns(FutureWarning, match="'top_places' is renamed 'n_top_places'"):
        old = group_profile(corp, entities=entities, top_places=2, progress=False)
    pd.testing.assert_frame_equal(old.set_index("group"), profile)


def test_named_entities_takes_tagged_paragraph_tokens_as_well_as_a_corpus():
    texts = {"a": "区委书记王建国出席会议。\n习近平总书记指出。", "b": "王荷波烈士纪念馆在召陵区。"}
    corp = ct.corpus_from_texts(texts, docvars=pd.DataFrame({"group": ["G", "H"]}, index=list(texts)))
    from_corpus = named_entities(corp, progress=False)
    tokens = ct.tokenize(corp, unit="paragraph", pos=True, hmm=True, progress=False)
    pd.testing.assert_frame_equal(named_entities(tokens), from_corpus)
    officials = from_corpus[from_corpus["kind"] == "official"]
    assert officials[["group", "name", "title"]].values.tolist() == [["G", "王建国", "区委书记"], ["G", "习近平", "总书记"]]
    assert "王荷波" not in set(from_corpus["name"])  # a martyr, not an official


def test_named_entities_refuses_tokens_it_cannot_read():
    corp = ct.corpus_from_texts({"a": "区委书记王建国出席会议。"}, docvars=pd.DataFrame({"group": ["G"]}, index=["a"]))
    with pytest.raises(ValueError, match="without tags"):
        named_entities(ct.tokenize(corp, unit="paragraph", progress=False))
    with pytest.raises(ValueError, match="unit='document'"):
        named_entities(ct.tokenize(corp, unit="document", pos=True, hmm=True, progress=False))


# n_jobs: the same tables from one process or several (corpus_tools.parallel.map_documents).


def test_profile_is_the_same_with_one_process_or_two(pool_calls):
    corp = many_documents(24)
    one = group_profile(corp, by="district", window=5, progress=False, n_jobs=1)
    assert not pool_calls
    two = group_profile(corp, by="district", window=5, progress=False, n_jobs=2)
    assert pool_calls, "n_jobs=2 started no worker processes"
    pd.testing.assert_frame_equal(one, two)
    assert one.attrs == two.attrs
    assert one["n_docs"].tolist() == [8, 8, 8]  # 丙市, 乙县, 甲区: every third report
    assert (one["officials"] == "王建国").all()


def test_profile_pieces_are_the_same_with_one_process_or_two():
    corp = many_documents(12)
    pd.testing.assert_frame_equal(quantified_sentences(corp, n_jobs=1), quantified_sentences(corp, n_jobs=2))
    entities = named_entities(corp, by="district", progress=False, n_jobs=2)
    pd.testing.assert_frame_equal(named_entities(corp, by="district", progress=False, n_jobs=1), entities)
    # Independently: each report names 王建国 once, as 区委书记, where its sentence 4 is kept.
    officials = entities[entities["kind"] == "official"]
    assert set(officials["name"]) == {"王建国"} and set(officials["title"]) == {"区委书记"}
    assert officials["n_mentions"].eq(1).all()
    sentences = quantified_sentences(corp, n_jobs=2)
    assert sentences["doc_id"].tolist() == sorted(sentences["doc_id"])  # corpus order kept


@pytest.mark.parametrize(("n_jobs", "error"), [(0, ValueError), (1.5, TypeError)])
def test_profile_names_a_bad_n_jobs(n_jobs, error):
    corp = many_documents(2)
    with pytest.raises(error, match="n_jobs"):
        group_profile(corp, by="district", progress=False, n_jobs=n_jobs)
    with pytest.raises(error, match="n_jobs"):
        named_entities(corp, by="district", progress=False, n_jobs=n_jobs)
