"""Tests for corpus_tools.compare.timeline: date parsing, year resolution, mobilisation lag.

Expected dates are worked out by hand from the constructed texts; the seed facts quoted below
were found by reading the seed texts.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd
import pytest

from corpus_tools.compare.timeline import EVENT_COLUMNS, LAG_COLUMNS, dated_events, mobilisation_lag, plot_timeline
from corpus_tools.corpus import corpus_from_texts

from .many_documents import many_documents, pool_calls  # noqa: F401 (a fixture)


def _events(text: str, *, published: str = "", default_year: int | None = None) -> pd.DataFrame:
    docvars = pd.DataFrame({"date_published": [published]}, index=["d"])
    return dated_events(corpus_from_texts({"d": text}, docvars=docvars), by="doc_id", default_year=default_year)


@pytest.mark.parametrize("text, published, default_year, dates, sources", [
    # December is after the January publication: last year; January: this year
    ("12月20日，甲区召开总结会。1月10日，甲区召开部署会。", "2022-01-15", None,
     ["2021-12-20", "2022-01-10"], ["publication", "publication"]),
    # an explicit year lends itself to the dates after it
    ("2020年11月3日，乙县成立领导小组。12月1日，乙县召开推进会。", "2021-10-22", None,
     ["2020-11-03", "2020-12-01"], ["explicit", "context"]),
    # a year standing alone (1921年至今) is no context for a later date
    ("资料涵盖1921年至今的历史。3月6日，丙市举办报告会。", "", 2021, ["2021-03-06"], ["default"]),
    # 今年 and 去年 count from the publication date
    ("今年3月，丁区开班。去年12月，丁区调研。", "2021-10-22", None, ["2021-03", "2020-12"], ["relative", "relative"]),
    # nothing to go by: the year stays open
    ("3月11日，戊区召开大会。", "", None, ["--03-11"], [""]),
])
def test_how_the_year_is_resolved(text, published, default_year, dates, sources):
    events = _events(text, published=published, default_year=default_year)
    assert events["date"].tolist() == dates
    assert events["year_source"].tolist() == sources


def test_the_event_is_the_clause_after_the_date():
    events = _events("12月20日，甲区召开总结会。1月10日，甲区召开部署会。", published="2022-01-15")
    assert events["event"].tolist() == ["甲区召开总结会", "甲区召开部署会"]


def test_a_relative_month_has_month_precision():
    events = _events("今年3月，丁区开班。去年12月，丁区调研。", published="2021-10-22")
    assert events["date_precision"].tolist() == ["month", "month"]


def test_without_any_year_the_date_stays_open():
    events = _events("3月11日，戊区召开大会。")
    assert events["date_start"].isna().all()
    assert events["year"].isna().all()


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
    # 40 rows: the package's 7 pt floor (textplot.core.label_fontsize), legible at 50 groups
    assert {t.get_fontsize() for t in fig.axes[0].get_yticklabels()} == {7.0}


# ------------------------------------------------------------- real-page rules (issue 14)


def _events_at(text: str, *, published: str = "", default_year: int | None = None, **locality) -> pd.DataFrame:
    docvars = pd.DataFrame({"date_published": [published], **{k: [v] for k, v in locality.items()}}, index=["d"])
    return dated_events(corpus_from_texts({"d": text}, docvars=docvars), by="doc_id", default_year=default_year)


@pytest.mark.parametrize("published, default_year, expected, source", [
    ("2021-06-30", None, "2021-03-31", "publication"),
    ("", 2021, "2021-03-31", "default"),
    ("", None, "--03-31", ""),
])
def test_a_quoted_historical_year_is_not_lent(published, default_year, expected, source):
    text = "旧址1928年5月建成，是党的早期活动地。3月31日，旧址修缮完成并对外开放。"
    events = _events(text, published=published, default_year=default_year)
    assert events["text"].tolist() == ["1928年5月", "3月31日"]
    assert events["date"].tolist() == ["1928-05", expected]
    assert events["year_source"].tolist() == ["explicit", source]
    assert events["out_of_window"].tolist() == [True, False]


def test_relative_year_never_comes_from_history():
    text = "1927年5月，乙镇建立第一个党支部。去年10月以来，乙镇开展宣讲。"
    assert _events(text)["date"].tolist() == ["1927-05", "--10"]  # no publication year: left open
    events = _events(text, published="2021-06-30")
    assert events["date"].tolist() == ["1927-05", "2020-10"]
    assert events["year_source"].tolist() == ["explicit", "relative"]
    # a current explicit year is still lent (the year before publication is current)
    events = _events("2020年11月3日，乙县成立领导小组。12月1日，乙县召开推进会。", published="2021-10-22")
    assert events["date"].tolist() == ["2020-11-03", "2020-12-01"]


@pytest.mark.parametrize("text, role", [
    ("活动从现在开始到8月底结束。", "deadline"),
    ("各支部要在6月底前完成轮训。", "deadline"),
    ("主题展览持续至7月31日。", "deadline"),
    ("截至6月底，全区共开展宣讲50场。", "as_of"),
    ("截止到5月20日，已办结实事30件。", "as_of"),
    ("3月5日，丙县举办读书班。", "event"),
    ("3月5日至7日，丙县举办读书班。", "event"),
])
def test_deadlines_and_cut_offs_are_not_events(text, role):
    events = _events(text, default_year=2021)
    assert events["date_role"].tolist() == [role]


def test_a_deadline_dates_no_meeting():
    events = _events("各乡镇要在3月15日前召开党史学习教育动员大会。", default_year=2021)
    assert events["date_role"].tolist() == ["deadline"]
    assert events["mobilisation"].tolist() == [""]


@pytest.mark.parametrize("text, n_dates", [
    ("十月村党支部开展主题党日活动。", 0),
    ("五月花广场举行红歌合唱比赛。", 0),
    ("党员们来到十月村参观。", 0),
    ("十月，丙县召开推进会。", 1),
    ("10月村里召开了推进会。", 1),  # Arabic numerals: a month
    ("六月里，丙县开展宣讲。", 1),   # 里, 天, 花开: times, not names
    ("五月花开时，丙县开展宣讲。", 1),
])
def test_a_month_before_a_place_word_is_a_name(text, n_dates):
    assert len(_events(text, default_year=2021)) == n_dates


def test_out_of_window_dates_are_flagged_with_the_window_a_parameter():
    text = "2020年12月1日，丁县成立工作专班。2021年3月1日，丁县召开推进会。2022年5月，丁县开展回头看。"
    events = _events(text)
    assert events["out_of_window"].tolist() == [True, False, True]
    docvars = pd.DataFrame({"date_published": [""]}, index=["d"])
    wide = dated_events(corpus_from_texts({"d": text}, docvars=docvars), by="doc_id",
                        window=("2020-12-01", "2022-12-31"))
    assert not wide["out_of_window"].any()
    with pytest.raises(ValueError, match="window"):
        dated_events(corpus_from_texts({"d": text}), by="doc_id", window=("2022-01-01", "2021-01-01"))


@pytest.mark.parametrize("locality", [{"province": "山东省", "city": "济南市"}, {}])
def test_a_provincial_meeting_is_not_the_city_that_met_right_after(locality):
    text = "3月5日，全省党史学习教育动员大会召开后，我市迅速召开全市党史学习教育动员大会，作出全面部署。"
    events = _events_at(text, default_year=2021, **locality)
    assert events["mobilisation"].tolist() == ["other"]
    assert events["meeting_level"].tolist() == ["province"]
    assert events["undated_local_mention"].tolist() == [True]
    assert mobilisation_lag(events)["status"].tolist() == ["undated"]


@pytest.mark.parametrize("locality, mobilisation, status", [
    ({"province": "山东省"}, "other", "none"),                                     # a province's report
    ({"province": "山东省", "city": "临沂市", "district": "莒南县"}, "local", "dated"),  # the county's own
])
def test_a_county_meeting_is_not_a_provinces(locality, mobilisation, status):
    events = _events_at("3月10日，莒南县召开党史学习教育动员大会。", default_year=2021, **locality)
    assert events["mobilisation"].tolist() == [mobilisation]
    assert events["meeting_level"].tolist() == ["county"]
    assert mobilisation_lag(events)["status"].tolist() == [status]


def test_a_districts_own_meeting_citing_the_central_speech_is_local():
    text = ("3月9日，莲湖区召开党史学习教育动员大会，传达学习习近平总书记在党史学习教育动员大会上的重要讲话精神，"
            "对全区党史学习教育进行部署。")
    events = _events_at(text, default_year=2021, province="陕西省", city="西安市", district="莲湖区")
    assert events["mobilisation"].tolist() == ["local"]
    lag = mobilisation_lag(events)
    assert lag["status"].tolist() == ["dated"]
    assert lag["lag_days"].tolist() == [17]  # 8 days left in February 2021, plus 9


def test_only_the_central_date_dates_the_central_meeting():
    events = _events("2月20日，党中央召开党史学习教育动员大会，习近平总书记出席并发表重要讲话。", default_year=2021)
    assert events["mobilisation"].tolist() == ["central"]
    assert events["meeting_level"].tolist() == ["central"]


def test_a_departments_meeting_is_not_the_localitys():
    text = "3月22日，丙县县委宣传部召开党史学习教育动员部署会。3月12日，丙县召开全县党史学习教育动员部署大会。"
    events = _events(text, default_year=2021)
    assert events["mobilisation"].tolist() == ["other", "local"]
    assert events["meeting_level"].tolist() == ["unit", "county"]
    assert mobilisation_lag(events)["local_date"].tolist() == ["2021-03-12"]


def test_a_local_meeting_dated_outside_the_window_gives_no_lag():
    events = _events("2020年3月12日，丙县召开党史学习教育动员大会。")
    assert events["mobilisation"].tolist() == ["local"]
    lag = mobilisation_lag(events)
    assert lag["status"].tolist() == ["out_of_window"]
    assert lag["lag_days"].isna().all()


def test_the_grouping_level_decides_whose_meeting_is_local():
    text = "3月12日，固始县召开全县党史学习教育动员大会。3月31日，马坪镇召开党史学习教育动员会。"
    docvars = pd.DataFrame({"province": ["河南省"], "city": ["信阳市"], "district": ["固始县"], "town": ["马坪镇"]},
                           index=["d"])
    corp = corpus_from_texts({"d": text}, docvars=docvars)
    # grouped by district, the town's report speaks for the county: the county's meeting is its own
    by_district = dated_events(corp, by="district", default_year=2021)
    assert by_district["mobilisation"].tolist() == ["local", "other"]
    assert mobilisation_lag(by_district)["local_date"].tolist() == ["2021-03-12"]
    # by document, the deepest locality (the town) is the report's own
    by_doc = dated_events(corp, by="doc_id", default_year=2021)
    assert by_doc["mobilisation"].tolist() == ["other", "local"]
    assert by_doc["meeting_level"].tolist() == ["county", "town"]


def test_the_same_year_refers_to_the_last_year_named_even_in_history():
    events = _events("1935年1月，红军到达遵义。同年10月，红军到达陕北。4月2日，丁县组织党员参观。", published="2021-06-30")
    assert events["date"].tolist() == ["1935-01", "1935-10", "2021-04-02"]
    assert events["year_source"].tolist() == ["explicit", "context", "publication"]


def test_an_eve_is_not_a_deadline():
    events = _events("7月1日前夕，丁县举行入党宣誓仪式。", default_year=2021)
    assert events["date_role"].tolist() == ["event"]


def test_a_municipality_names_its_own_city_level_meeting():
    # 天津市 is both the province and the city of a city-level report
    events = _events_at("3月2日，天津市召开党史学习教育动员大会。", default_year=2021, province="天津市", city="天津市")
    assert events["mobilisation"].tolist() == ["local"]
    assert events["meeting_level"].tolist() == ["city"]


def test_a_neighbouring_countys_meeting_is_not_the_reports():
    text = "3月10日，沂南县召开党史学习教育动员大会。3月12日，莒南县召开党史学习教育动员大会。"
    events = _events_at(text, default_year=2021, province="山东省", city="临沂市", district="莒南县")
    assert events["mobilisation"].tolist() == ["other", "local"]
    assert events["meeting_level"].tolist() == ["county", "county"]
    assert mobilisation_lag(events)["local_date"].tolist() == ["2021-03-12"]


def test_the_page_frame_date_lends_no_year():
    # date_page is a date of the page frame (here a crawl two years later), not the article's:
    # it must not turn a 2021 meeting into a 2023 one.
    corp = corpus_from_texts(
        {"a": "3月4日，甲区召开党史学习教育动员大会，全面启动党史学习教育。"},
        docvars=pd.DataFrame({"date_published": [""], "date_page": ["2023-03-29"]}, index=["a"]),
    )
    events = dated_events(corp, by="doc_id")
    assert not events.empty
    assert not (events["date"].astype(str).str.startswith("2023")).any()


# The figure's axis covers the campaign window; events outside it are counted, not drawn.
def _history_events():
    return pd.DataFrame({
        "group": ["甲区", "甲区", "乙县", "乙县"],
        "date_start": pd.to_datetime(["1927-08-01", "2021-03-11", "2021-04-02", "1949-10-01"]),
        "date_end": pd.to_datetime(["1927-08-01", "2021-03-11", "2021-04-02", "1949-10-01"]),
        "date_precision": ["day"] * 4,
        "is_mobilisation": [False, True, False, False],
        "event": ["南昌起义", "动员大会召开", "读书班", "开国大典"],
    })


def test_axis_is_the_campaign_window_and_history_is_counted_in_the_title():
    fig = plot_timeline(_history_events(), title="时间线")
    ax = fig.axes[0]
    low, high = (mdates.num2date(x).replace(tzinfo=None) for x in ax.get_xlim())
    assert (low, high) == (pd.Timestamp("2021-01-01"), pd.Timestamp("2022-01-31"))
    assert "2 event(s) outside 2021-01-01–2022-01-31 not drawn" in ax.get_title()
    labels = [t.get_text() for t in ax.texts]
    assert "南昌起义" not in labels and "开国大典" not in labels and "读书班" in labels


def test_window_none_spans_every_event():
    ax = plot_timeline(_history_events(), window=None).axes[0]
    low, _ = (mdates.num2date(x).replace(tzinfo=None) for x in ax.get_xlim())
    assert low.year <= 1927
    assert "outside" not in ax.get_title()


# ---------------------------------------------- the events table remembers the campaign's dates


def test_the_events_table_remembers_the_campaigns_dates():
    corp = corpus_from_texts({"d": "2021年3月11日，甲区召开党史学习教育动员大会。"})
    events = dated_events(corp, by="doc_id", central_date="2021-03-01", window=("2021-03-01", "2021-06-30"))
    assert events.attrs["central_date"] == "2021-03-01"
    assert events.attrs["window"] == ("2021-03-01", "2021-06-30")
    # 11 March is 10 days after the central date given once, to dated_events
    assert mobilisation_lag(events)["lag_days"].tolist() == [10]
    assert mobilisation_lag(events, central_date="2021-02-20")["lag_days"].tolist() == [19]  # explicit wins
    ax = plot_timeline(events).axes[0]
    low, high = (mdates.num2date(x).replace(tzinfo=None) for x in ax.get_xlim())
    assert (low, high) == (pd.Timestamp("2021-03-01"), pd.Timestamp("2021-06-30"))
    assert pd.Timestamp(ax.lines[0].get_xdata()[0]) == pd.Timestamp("2021-03-01")  # the dashed central line


def test_a_table_without_attrs_uses_the_campaign_defaults():
    ax = plot_timeline(_history_events()).axes[0]  # a hand-made table: no attrs
    low, high = (mdates.num2date(x).replace(tzinfo=None) for x in ax.get_xlim())
    assert (low, high) == (pd.Timestamp("2021-01-01"), pd.Timestamp("2022-01-31"))


@pytest.mark.parametrize("options, message", [
    ({"central_date": "2021-13-40"}, "central_date must be an ISO date"),
    ({"window": ("2021-06-30", "2021-03-01")}, "window must be"),
    ({"window": "2021"}, "window must be"),
    ({"window": ("2021-03-01", "later")}, r"window\[1\] must be an ISO date"),
])
def test_bad_campaign_dates_name_the_parameter(options, message):
    corp = corpus_from_texts({"d": "3月11日，甲区召开大会。"})
    with pytest.raises(ValueError, match=message):
        dated_events(corp, by="doc_id", **options)


# n_jobs: the same table from one process or several (corpus_tools.parallel.map_documents).


def test_events_are_the_same_with_one_process_or_two(pool_calls):
    corp = many_documents(24)
    one = dated_events(corp, by="district", default_year=2021, n_jobs=1)
    assert not pool_calls
    two = dated_events(corp, by="district", default_year=2021, n_jobs=2)
    assert pool_calls, "n_jobs=2 started no worker processes"
    assert one["doc_id"].nunique() == 24 and one["is_mobilisation"].sum() >= 6
    pd.testing.assert_frame_equal(one, two)
    assert one.attrs == two.attrs
    # Each document read alone, in corpus order, gives the same rows: years never cross documents.
    alone = pd.concat(
        [dated_events(corp.subset([doc_id]), by="district", default_year=2021, n_jobs=1)
         for doc_id in corp.texts.index],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(one, alone)
    pd.testing.assert_frame_equal(mobilisation_lag(one), mobilisation_lag(two))


@pytest.mark.parametrize(("n_jobs", "error"), [(-2, ValueError), ("all", TypeError)])
def test_events_name_a_bad_n_jobs(n_jobs, error):
    with pytest.raises(error, match="n_jobs"):
        dated_events(many_documents(2), by="district", n_jobs=n_jobs)
