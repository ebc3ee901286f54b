"""Tests for corpus_tools.compare.timeline: date parsing, year resolution, mobilisation lag.

Expected dates are worked out by hand from the constructed texts; the seed facts quoted below
were found by reading the seed texts.
"""

from __future__ import annotations

import pandas as pd
import pytest

from corpus_tools.compare.timeline import EVENT_COLUMNS, LAG_COLUMNS, dated_events, mobilisation_lag, plot_timeline
from corpus_tools.corpus import corpus_from_texts


def _events(text: str, *, published: str = "", default_year: int | None = None) -> pd.DataFrame:
    docvars = pd.DataFrame({"date_published": [published]}, index=["d"])
    return dated_events(corpus_from_texts({"d": text}, docvars=docvars), by="doc_id", default_year=default_year)


def test_year_from_publication_across_a_year_boundary():
    events = _events("12月20日，甲区召开总结会。1月10日，甲区召开部署会。", published="2022-01-15")
    # December is after the January publication: last year; January: this year
    assert events["date"].tolist() == ["2021-12-20", "2022-01-10"]
    assert events["year_source"].tolist() == ["publication", "publication"]
    assert events["event"].tolist() == ["甲区召开总结会", "甲区召开部署会"]


def test_explicit_year_then_context():
    events = _events("2020年11月3日，乙县成立领导小组。12月1日，乙县召开推进会。", published="2021-10-22")
    assert events["date"].tolist() == ["2020-11-03", "2020-12-01"]
    assert events["year_source"].tolist() == ["explicit", "context"]


def test_standalone_years_are_not_context():
    events = _events("资料涵盖1921年至今的历史。3月6日，丙市举办报告会。", default_year=2021)
    assert events["date"].tolist() == ["2021-03-06"]
    assert events["year_source"].tolist() == ["default"]


def test_relative_year_uses_publication():
    events = _events("今年3月，丁区开班。去年12月，丁区调研。", published="2021-10-22")
    assert events["date"].tolist() == ["2021-03", "2020-12"]
    assert events["year_source"].tolist() == ["relative", "relative"]
    assert events["date_precision"].tolist() == ["month", "month"]


def test_without_any_year_the_date_stays_open():
    events = _events("3月11日，戊区召开大会。")
    assert events["date"].tolist() == ["--03-11"]
    assert events["date_start"].isna().all()
    assert events["year"].isna().all()
    assert events["year_source"].tolist() == [""]


@pytest.mark.parametrize("text, start, end, precision", [
    ("3月5日至7日，举办培训班。", "2021-03-05", "2021-03-07", "day"),
    ("6月下旬至7月上旬举办书法美术摄影作品展。", "2021-06-21", "2021-07-10", "month"),
    ("1-5月份新签约项目18个。", "2021-01-01", "2021-05-31", "month"),
    ("3月上旬，召开座谈会。", "2021-03-01", "2021-03-10", "month"),
    ("二月二十日，召开动员会。", "2021-02-20", "2021-02-20", "day"),
    ("2021年6月18日举行合唱比赛。", "2021-06-18", "2021-06-18", "day"),
    ("4月以来已办理服务事项231件。", "2021-04-01", "2021-04-30", "month"),
])
def test_date_forms(text, start, end, precision):
    events = _events(text, default_year=2021)
    assert len(events) == 1, events
    row = events.iloc[0]
    assert row["date_start"] == pd.Timestamp(start)
    assert row["date_end"] == pd.Timestamp(end)
    assert row["date_precision"] == precision


def test_relation_and_recurring_dates():
    events = _events("4月以来已办理231件；6月底前完成轮训；将每月15日定为企业服务日。", default_year=2021)
    assert events["text"].tolist() == ["4月以来", "6月底前"]
    assert events["relation"].tolist() == ["since", "before"]


def test_local_and_central_mobilisation_meetings():
    text = ("2021年2月20日，中央党史学习教育动员大会在北京召开。"
            "3月11日，甲区党史学习教育动员大会召开，区委书记出席。"
            "3月23日，甲区召开巡回指导动员会。")
    events = _events(text)
    assert events["mobilisation"].tolist() == ["central", "local", ""]
    assert events["is_mobilisation"].tolist() == [False, True, False]
    lag = mobilisation_lag(events)
    assert lag["status"].tolist() == ["dated"]
    assert lag["local_date"].tolist() == ["2021-03-11"]
    assert lag["lag_days"].tolist() == [19]  # 8 days left in February 2021, plus 11


def test_undated_local_meeting_after_the_central_date():
    events = _events("2月20日，中央党史学习教育动员大会在北京召开，乙县迅速召开全县党史学习教育动员会。", default_year=2021)
    assert events["mobilisation"].tolist() == ["central"]
    assert events["undated_local_mention"].tolist() == [True]
    lag = mobilisation_lag(events, groups=["d", "elsewhere"])
    assert lag["status"].tolist() == ["undated", "none"]
    assert lag["lag_days"].isna().all()
    assert list(lag.columns) == list(LAG_COLUMNS)


def test_columns():
    events = _events("没有日期。")
    assert list(events.columns) == list(EVENT_COLUMNS)
    assert events.empty


# ------------------------------------------------------------------------------------ seeds


@pytest.fixture(scope="module")
def seed_events(seeds):
    return dated_events(seeds, by="district", default_year=2021)


def test_seed_huaiyin_mobilisation_lag(seed_events):
    # 槐荫区: “今年2月20日，中央党史学习教育动员大会召开后……3月11日，槐荫全区党史学习教育动员大会召开”
    huaiyin = seed_events[seed_events["doc_id"] == "jinan-huaiyin"]
    central = huaiyin[huaiyin["mobilisation"] == "central"]
    assert central["text"].tolist() == ["今年2月20日"]
    assert central["year_source"].tolist() == ["relative"]
    lag = mobilisation_lag(seed_events).set_index("group")
    assert lag.loc["槐荫区", "local_date"] == "2021-03-11"
    assert lag.loc["槐荫区", "lag_days"] == 19
    # 市中区: “2月20日，中央……在北京召开，济南市中区委迅速召开全区党史学习教育动员会” (no date of its own)
    assert lag.loc["市中区", "status"] == "undated"
    assert "迅速召开全区党史学习教育动员会" in lag.loc["市中区", "evidence"]


def test_seed_dates(seed_events):
    luohe = seed_events[seed_events["doc_id"] == "luohe-zhaoling"].set_index("text")
    # 召陵区: “6月下旬至7月上旬举办‘筑梦新时代 翰墨颂党恩’书法美术摄影作品展”
    assert luohe.loc["6月下旬至7月上旬", "date_start"] == pd.Timestamp("2021-06-21")
    assert luohe.loc["6月下旬至7月上旬", "date_end"] == pd.Timestamp("2021-07-10")
    assert "书法美术摄影作品展" in luohe.loc["6月下旬至7月上旬", "event"]
    wulong = seed_events[seed_events["doc_id"] == "chongqing-wulong"].set_index("text")
    # 武隆区: “5月13日上午，‘全国脱贫攻坚楷模’毛相林同志先进事迹巡回报告会武陵区专场举行”
    assert wulong.loc["5月13日", "date"] == "2021-05-13"
    assert "毛相林" in wulong.loc["5月13日", "event"]
    # the Jinan city summary names no 月日 date in its body
    assert (seed_events["doc_id"] == "jinan-city").sum() == 0
    for row in seed_events.itertuples():
        assert row.date_start >= pd.Timestamp("2021-01-01")


def test_plot_timeline(seed_events):
    fig = plot_timeline(seed_events, title="时间线")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "槐荫区"  # the only dated local meeting comes first
    assert sorted(labels) == sorted(seed_events["group"].unique())
    assert [t.get_text() for t in ax.texts if t.get_text().startswith("+")] == ["+19天"]


def test_plot_timeline_with_fifty_groups():
    events = pd.DataFrame({
        "group": [f"{i}县" for i in range(50)],
        "date_start": pd.date_range("2021-03-01", periods=50, freq="D"),
        "date_end": pd.date_range("2021-03-01", periods=50, freq="D"),
        "date_precision": "day", "is_mobilisation": True, "event": "动员大会",
    })
    fig = plot_timeline(events, max_groups=40)
    assert len(fig.axes[0].get_yticklabels()) == 40
    assert "40 of 50" in fig.axes[0].get_title()
