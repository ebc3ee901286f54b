"""Tests for corpus_tools.corpus.metadata: the manifest, document ids, dates and inferred docvars.

Locality inference itself is tested in tests/corpus/test_locality.py; here only that infer_docvars
returns it with the other docvars.
"""

from __future__ import annotations

import pandas as pd
import pytest

from corpus_tools.corpus.locality import LOCALITY_KEYS
from corpus_tools.corpus.metadata import (
    LOCALITY_COLUMNS,
    MANIFEST_COLUMNS,
    group_labels,
    infer_docvars,
    parse_date,
    read_manifest,
    slugify,
)

TEXT_KEYS = ("title", "subtitle", "outlet", "reporters", "date_published", "date_page")


def _write(folder, content: str, name: str = "metadata.csv", encoding: str = "utf-8"):
    path = folder / name
    path.write_text(content, encoding=encoding)
    return path


# --------------------------------------------------------------------------- read_manifest


def test_reads_the_seed_manifest(seeds_dir):
    manifest = read_manifest(seeds_dir / "metadata.csv")
    assert manifest.index.name == "doc_id"
    assert list(manifest.index) == [
        "jinan-huaiyin", "jinan-shizhong", "jinan-city", "luohe-zhaoling", "chongqing-wulong"
    ]
    # the seed manifest has every column but town (added with locality inference)
    assert list(manifest.columns) == [c for c in MANIFEST_COLUMNS[1:] if c != "town"]
    assert set(LOCALITY_COLUMNS) <= set(MANIFEST_COLUMNS)
    assert manifest.loc["jinan-city", "file"] == "002_13c419424a7d791f.txt"
    assert manifest.loc["jinan-city", "date_published"] == "2021-10-22"
    # blanks are empty strings, not NaN, and nothing is turned into a number
    assert manifest.loc["jinan-huaiyin", "date_published"] == ""
    assert manifest.map(type).eq(str).all().all()


def test_values_stay_strings(tmp_path):
    path = _write(tmp_path, "doc_id,file,date_published,district,n\n007,a.txt,2021-06-30,,0012\n")
    manifest = read_manifest(path)
    assert manifest.loc["007"].to_dict() == {"file": "a.txt", "date_published": "2021-06-30", "district": "", "n": "0012"}


def test_doc_id_defaults_to_a_slug_of_the_file(tmp_path):
    path = _write(tmp_path, "file,title\n000_bb6f8de1c4a960c6.txt,标题\nsub/槐荫 区.txt,\n")
    assert list(read_manifest(path).index) == ["000_bb6f8de1c4a960c6", "sub-槐荫-区"]


def test_blank_doc_ids_are_filled_and_given_ones_kept(tmp_path):
    path = _write(tmp_path, "doc_id,file\nhuaiyin,a.txt\n,b.txt\n")
    assert list(read_manifest(path).index) == ["huaiyin", "b"]


def test_column_order_and_extra_columns(tmp_path):
    path = _write(tmp_path, "notes,file,extra,doc_id,district\nn,a.txt,x,a,槐荫区\n")
    manifest = read_manifest(path)
    assert list(manifest.columns) == ["file", "district", "notes", "extra"]


def test_manifest_with_a_byte_order_mark(tmp_path):
    path = _write(tmp_path, "doc_id,file\na,a.txt\n", encoding="utf-8-sig")
    assert list(read_manifest(path).index) == ["a"]


def test_subfolder_paths_are_allowed(tmp_path):
    path = _write(tmp_path, "doc_id,file\na,2021/06/a.txt\n")
    assert read_manifest(path).loc["a", "file"] == "2021/06/a.txt"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("doc_id,title\na,标题\n", "needs a 'file' column"),
        ("doc_id,file\na,a.txt\na,b.txt\n", r"doc_id values must be unique; repeated: \['a'\]"),
        ("doc_id,file\na,a.txt\nb,a.txt\n", r"file values must be unique; repeated: \['a.txt'\]"),
        ("file\na.txt\nsub/a.txt\na.txt\n", "must be unique"),
        ("doc_id,file\na,../outside.txt\n", "'../outside.txt' points outside the corpus folder"),
        ("doc_id,file\na,sub/../../outside.txt\n", "points outside the corpus folder"),
        ("doc_id,file\na,/etc/passwd\n", "'/etc/passwd' points outside the corpus folder"),
    ],
    ids=["no-file-column", "duplicate-doc-id", "duplicate-file", "duplicate-generated", "dotdot", "nested-dotdot", "absolute"],
)
def test_manifest_errors(tmp_path, content, message):
    path = _write(tmp_path, content)
    with pytest.raises(ValueError, match=message) as info:
        read_manifest(path)
    assert str(path) in str(info.value)  # the message names the manifest


# --------------------------------------------------------------------------- slugify


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("000_bb6f8de1c4a960c6.txt", "000_bb6f8de1c4a960c6"),
        ("槐荫区.txt", "槐荫区"),
        ("新闻/槐荫 区.TXT", "新闻-槐荫-区"),
        ("a b  c.txt", "a-b-c"),
        ("jinan-city.txt", "jinan-city"),
        ("  .txt", "doc"),
        ("...", "doc"),
        ("report", "report"),
    ],
)
def test_slugify(name, expected):
    assert slugify(name) == expected


# --------------------------------------------------------------------------- parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("發布日期:2021-10-22", "2021-10-22"),
        ("发布日期：2021-10-22", "2021-10-22"),
        ("2023年03月29日 星期三", "2023-03-29"),
        ("2021年6月1日", "2021-06-01"),
        ("2021 年 6 月 1 日", "2021-06-01"),
        ("2021/6/1", "2021-06-01"),
        ("2021.06.01", "2021-06-01"),
        ("先2021-06-01后2021-07-01", "2021-06-01"),  # the first date
        ("无", None),
        ("2021年6月", None),
        ("20210601", None),
        ("2021-13-01", None),
        ("2021-06-32", None),
        ("2021-00-10", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_parse_date_rejects_impossible_days():
    assert parse_date("发布日期：2021-02-30") is None


# --------------------------------------------------------------------------- infer_docvars


def _blocks(*rows: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["kind", "text"])


def test_infer_from_a_jinan_city_like_header():
    blocks = _blocks(
        ("dateline", "2023年03月29日 星期三"),
        ("title", "学史力行践初心 砥砺奋进开新局"),
        ("subtitle", "——济南市扎实开展党史学习教育综述"),
        ("dateline", "发布日期：2021-10-22"),
        ("body", "习近平总书记指出，在全党集中开展党史学习教育，正当其时，十分必要。"),
        ("editor", "编辑：姚立松"),
    )
    docvars = infer_docvars(blocks)
    assert {k: v for k, v in docvars.items() if k not in LOCALITY_KEYS} == {
        "title": "学史力行践初心 砥砺奋进开新局",
        "subtitle": "济南市扎实开展党史学习教育综述",
        "outlet": "",
        "reporters": "",
        "date_published": "2021-10-22",
        "date_page": "2023-03-29",
        "title_evidence": "学史力行践初心 砥砺奋进开新局",
        "subtitle_evidence": "——济南市扎实开展党史学习教育综述",
        "date_published_evidence": "发布日期：2021-10-22",
        "date_page_evidence": "2023年03月29日 星期三",
    }
    # the subtitle names the city; nothing names a district: a city-level text
    assert (docvars["province"], docvars["city"], docvars["district"], docvars["admin_level"]) == (
        "山东省", "济南市", "", "city"
    )
    assert "济南市" in docvars["locality_evidence"]


@pytest.mark.parametrize(
    "datelines",
    [
        ["2023年03月29日 星期三", "发布日期：2021-10-22"],
        ["发布日期：2021-10-22", "2023年03月29日 星期三"],
    ],
    ids=["page-date-first", "publication-date-first"],
)
def test_publication_date_wins_over_page_date(datelines):
    docvars = infer_docvars(_blocks(*[("dateline", line) for line in datelines]))
    assert (docvars["date_published"], docvars["date_page"]) == ("2021-10-22", "2023-03-29")


@pytest.mark.parametrize(
    ("label", "published"),
    [("发布日期：", True), ("发表时间：", True), ("刊发日期", True), ("出版日期：", True), ("", False), ("日期：", False)],
)
def test_only_a_publication_label_makes_a_publication_date(label, published):
    docvars = infer_docvars(_blocks(("dateline", f"{label}2021-06-30")))
    assert (docvars["date_published"], docvars["date_page"]) == (
        ("2021-06-30", "") if published else ("", "2021-06-30")
    )


@pytest.mark.parametrize(
    ("bylines", "outlet", "reporters"),
    [
        (["本报记者 张再行"], "", "记者 张再行"),
        (["■文/本报记者 齐国霞 版式/李树森"], "", "记者 齐国霞"),  # the layout editor is no reporter
        (["齐鲁晚报·齐鲁壹点记者 于悦"], "齐鲁晚报·齐鲁壹点", "记者 于悦"),
        (["齐鲁晚报·齐鲁壹点", "记者 于悦 通讯员 李猛 裴梦雪"], "齐鲁晚报·齐鲁壹点", "记者 于悦; 通讯员 李猛; 通讯员 裴梦雪"),
        (["记者 欧阳小明"], "", "记者 欧阳小明"),
    ],
    ids=["benbao", "wen-banshi", "outlet-reporter", "two-lines", "four-char-name"],
)
def test_reporters_and_outlet_from_bylines(bylines, outlet, reporters):
    docvars = infer_docvars(_blocks(*[("byline", line) for line in bylines]))
    assert (docvars["outlet"], docvars["reporters"]) == (outlet, reporters)
    if reporters:
        assert docvars["reporters_evidence"] in bylines


def test_first_title_wins_and_later_subtitles_do_not_replace_it():
    docvars = infer_docvars(_blocks(("title", "第一"), ("subtitle", "——第二"), ("subtitle", "第三")))
    assert (docvars["title"], docvars["subtitle"]) == ("第一", "第二")


def test_nothing_found_gives_blanks_and_no_evidence():
    docvars = infer_docvars(_blocks(("body", "学史明理。"), ("caption", "图说。")))
    assert docvars == {
        "title": "", "subtitle": "", "outlet": "", "reporters": "", "date_published": "", "date_page": "",
        "province": "", "city": "", "district": "", "town": "", "admin_level": "",
        "locality_confidence": 0.0, "locality_evidence": "no decisive mention",
    }


def test_captions_and_body_never_give_docvars():
    docvars = infer_docvars(_blocks(("body", "本报记者 张三"), ("caption", "2021年6月1日"), ("heading", "标题")))
    assert (docvars["reporters"], docvars["date_page"], docvars["title"]) == ("", "", "")


# --------------------------------------------------------------------------- headlines, labels, leads


@pytest.mark.parametrize(
    ("rows", "title", "subtitle"),
    [
        # seed 000: a kicker (引题) above the main title, no dash
        ([("title", "践行使命办实事，凝聚力量开新局"), ("subtitle", "槐荫区推进党史学习教育走深走实")],
         "槐荫区推进党史学习教育走深走实", "践行使命办实事，凝聚力量开新局"),
        # seed 001: kicker and main title printed on one line
        ([("title", "扎实开展“我为群众办实事”实践活动，推动党史学习教育入脑入心、走深走实 市中区迈向高质量发展新征程")],
         "市中区迈向高质量发展新征程", "扎实开展“我为群众办实事”实践活动，推动党史学习教育入脑入心、走深走实"),
        # seed 002: one title of two halves, and a dashed subtitle below
        ([("title", "学史力行践初心 砥砺奋进开新局"), ("subtitle", "——济南市扎实开展党史学习教育综述")],
         "学史力行践初心 砥砺奋进开新局", "济南市扎实开展党史学习教育综述"),
        # a title without inner punctuation followed by an undashed line keeps its order
        ([("title", "学党史办实事"), ("subtitle", "槐荫区在行动")], "学党史办实事", "槐荫区在行动"),
    ],
    ids=["kicker-above", "kicker-same-line", "couplet-and-dash", "no-kicker"],
)
def test_kicker_and_main_title(rows, title, subtitle):
    docvars = infer_docvars(_blocks(*rows))
    assert (docvars["title"], docvars["subtitle"]) == (title, subtitle)
    assert docvars["title_evidence"] in [text for _, text in rows]


def test_labelled_source_and_publication_time_in_a_byline():
    docvars = infer_docvars(_blocks(
        ("dateline", "2023年03月29日 星期三"),
        ("title", "召陵区扎实推进党史学习教育"),
        ("byline", "来源：漯河日报 发布时间：2021-06-30 10:20"),
        ("byline", "记者 齐国霞"),
        ("body", "召陵区召开党史学习教育推进会，全区党员参加。"),
    ))
    assert (docvars["outlet"], docvars["outlet_evidence"]) == ("漯河日报", "来源：漯河日报 发布时间：2021-06-30 10:20")
    assert docvars["date_published"] == "2021-06-30"  # the labelled date, not the page header
    assert docvars["date_page"] == "2023-03-29"
    assert docvars["reporters"] == "记者 齐国霞"
    assert (docvars["district"], docvars["city"]) == ("召陵区", "漯河市")


def test_an_explicit_source_wins_over_the_byline_outlet():
    docvars = infer_docvars(_blocks(("byline", "齐鲁晚报·齐鲁壹点记者 于悦"), ("byline", "来源：济南日报")))
    assert docvars["outlet"] == "济南日报"


def test_publication_label_inside_a_title_block_line():
    docvars = infer_docvars(_blocks(("title", "标题"), ("dateline", "2023-03-29"), ("subtitle", "发布时间：2021年7月1日 来源：本站")))
    assert (docvars["date_published"], docvars["date_page"], docvars["outlet"]) == ("2021-07-01", "2023-03-29", "")


@pytest.mark.parametrize(
    ("lead", "outlet", "reporters"),
    [
        ("漯河日报讯（记者 齐国霞 通讯员 王五）6月30日，召陵区召开推进会。", "漯河日报", "记者 齐国霞; 通讯员 王五"),
        ("本报讯（记者 张再行）近日，我区召开推进会。", "", "记者 张再行"),
        ("新华社北京6月30日电（记者 李四）庆祝大会隆重举行。", "新华社", "记者 李四"),
        ("6月30日，召陵区召开推进会（图）。", "", ""),
    ],
    ids=["outlet-lead", "benbao-lead", "wire-dateline", "no-lead"],
)
def test_news_lead_gives_outlet_and_reporters(lead, outlet, reporters):
    docvars = infer_docvars(_blocks(("title", "标题"), ("body", lead), ("body", "本报讯（记者 赵六）不是导语。")))
    assert (docvars["outlet"], docvars["reporters"]) == (outlet, reporters)


def test_a_byline_wins_over_the_news_lead():
    docvars = infer_docvars(_blocks(("byline", "本报记者 张再行"), ("body", "本报讯（记者 李四）近日召开会议。")))
    assert docvars["reporters"] == "记者 张再行"


def test_author_label_gives_reporters():
    docvars = infer_docvars(_blocks(("byline", "作者：王立新"), ("body", "正文。")))
    assert docvars["reporters"] == "作者 王立新"


def test_locality_keys_come_last_and_always():
    docvars = infer_docvars(_blocks(("title", "槐荫区推进党史学习教育"), ("body", "全区党员干部踊跃参加。")))
    assert tuple(docvars)[-len(LOCALITY_KEYS):] == LOCALITY_KEYS
    assert (docvars["province"], docvars["city"], docvars["district"], docvars["admin_level"]) == (
        "山东省", "济南市", "槐荫区", "district"
    )
    assert 0 < docvars["locality_confidence"] <= 1


def test_outlet_place_is_only_weak_evidence():
    # the outlet's city alone does not make a district text that city's
    docvars = infer_docvars(_blocks(("byline", "来源：大连日报"), ("body", "我区召开党史学习教育动员大会，全区党员参加。")))
    assert (docvars["outlet"], docvars["province"], docvars["city"]) == ("大连日报", "", "")


def test_group_labels_fall_back_to_the_city_for_a_city_level_text():
    docvars = pd.DataFrame({"district": ["槐荫区", "", ""], "city": ["济南市", "济南市", ""],
                            "province": ["山东省", "山东省", ""]}, index=["a", "b", "c"])
    assert group_labels(docvars, "district").tolist() == ["槐荫区", "济南市（全市）", "unknown"]


def test_group_labels_by_the_index_name_give_each_document_its_own_group():
    docvars = pd.DataFrame({"district": ["槐荫区", "市中区"]}, index=pd.Index(["a", "b"], name="doc_id"))
    labels = group_labels(docvars, "doc_id")
    assert labels.tolist() == ["a", "b"] and labels.name == "doc_id" and list(labels.index) == ["a", "b"]


def test_group_labels_refuse_an_unknown_docvar_naming_by_and_the_docvars():
    docvars = pd.DataFrame({"district": ["槐荫区"]}, index=pd.Index(["a"], name="doc_id"))
    with pytest.raises(KeyError, match=r"by='outlet'.*no docvar.*\['district'\]"):
        group_labels(docvars, "outlet")
    with pytest.raises(KeyError, match="open_corpus") as raised:
        group_labels(docvars, "group")
    # the hint names the parameter as it is now spelled
    assert "open_corpus(..., by=...)" in str(raised.value) and "group_by" not in str(raised.value)


def test_group_labels_blank_and_missing_values_are_unknown():
    docvars = pd.DataFrame({"outlet": ["槐荫融媒", "  ", None, float("nan")]}, index=list("abcd"))
    assert group_labels(docvars, "outlet").tolist() == ["槐荫融媒", "unknown", "unknown", "unknown"]


def test_group_labels_of_numbers_are_strings():
    docvars = pd.DataFrame({"year": [2021, 2022]}, index=["a", "b"])
    assert group_labels(docvars, "year").tolist() == ["2021", "2022"]


def test_group_labels_keep_a_categorical_docvars_order_and_add_what_it_lacks():
    district = pd.Categorical(["槐荫区", None, "市中区", None], categories=["市中区", "槐荫区", "历下区"], ordered=True)
    docvars = pd.DataFrame({"district": district, "city": ["济南市", "济南市", "济南市", ""],
                            "province": ["山东省", "山东省", "山东省", ""]}, index=list("abcd"))
    labels = group_labels(docvars, "district")
    assert labels.tolist() == ["槐荫区", "济南市（全市）", "市中区", "unknown"]
    assert list(labels.cat.categories) == ["市中区", "槐荫区", "历下区", "济南市（全市）", "unknown"]
    assert labels.cat.ordered


def test_a_source_label_inside_a_body_paragraph_is_not_an_outlet():
    paragraph = "资金来源：区财政统筹安排。" + "为群众办实事项目进展顺利，全区党员干部积极参与，取得明显成效。" * 2
    docvars = infer_docvars(_blocks(("title", "标题"), ("body", paragraph)))
    assert docvars["outlet"] == ""


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("记者 周晓岚 通讯员 陆文杰", ["记者 周晓岚", "通讯员 陆文杰"]),  # 文 inside a name is not a role
        ("记者 陆文杰", ["记者 陆文杰"]),
        ("文/图 张三", ["文/图 张三"]),
        ("文：王五 图：赵六", ["文 王五"]),  # the photographer is not a writer
    ],
)
def test_byline_roles_are_not_found_inside_names(byline, names):
    from corpus_tools.corpus.metadata import _byline_names

    assert _byline_names(byline) == names


# --------------------------------------------------------------------------- scraped pages (issue 14)
# Every case below is constructed; none is copied from a real page.


def _read(text: str) -> dict:
    """Infer docvars from a raw text through the package's own cleaning and block classifier."""
    from corpus_tools.corpus import process_document

    return process_document("doc", text).inferred


_PARAGRAPH = "党史学习教育开展以来，西河镇坚持学史明理、学史增信、学史崇德、学史力行，推动党史学习教育走深走实。"


@pytest.mark.parametrize(
    ("front", "title"),
    [
        ("首页 > 要闻 > 正文\n西河镇开展党史宣讲活动", "西河镇开展党史宣讲活动"),
        ("某某网首页\n\n西河镇开展党史宣讲活动", "西河镇开展党史宣讲活动"),
        ("时政\n您当前的位置：某某网 >> 某某频道 >> 时政 >> 正文\n西河镇开展党史宣讲活动", "西河镇开展党史宣讲活动"),
        ("新闻 | 图片 | 视频 | 专题 | 评论 | 访谈\n西河镇开展党史宣讲活动", "西河镇开展党史宣讲活动"),
        ("某某上班族网\n标题： 西河镇开展党史宣讲活动 [打印本页]", "西河镇开展党史宣讲活动"),
        ("首页 > 正文\n【“聚焦”基层】西河镇：红色资源成党史学习“活教材”", "西河镇：红色资源成党史学习“活教材”"),
        ("西河镇开展党史宣讲活动\n西河镇开展党史宣讲活动", "西河镇开展党史宣讲活动"),  # printed twice
        ("【开栏语】", ""),
        ("党员群众参观红色展馆，重温入党誓词，接受党性教育。 王小明摄", ""),  # a caption
        ("在西河镇东村\n老党员王大爷今年八十岁了\n每天早上\n他都会来到广场\n听广播里的党史故事", ""),
    ],
    ids=["breadcrumb", "site-home", "section-and-breadcrumb", "menu", "labelled-title", "column-tag",
         "printed-twice", "only-a-column-tag", "caption-with-credit", "lines-of-prose"],
)
def test_the_title_is_the_headline_never_page_furniture(front, title):
    docvars = _read(f"{front}\n2021-05-06 10:20 来源：某某日报\n\n{_PARAGRAPH}")
    assert docvars["title"] == title


@pytest.mark.parametrize(
    ("line", "published"),
    [
        ("2021年08月28日 09:28 来源：某某网", "2021-08-28"),
        ("2021-08-28 09:28:00", "2021-08-28"),
        ("发布时间：2021年8月28日", "2021-08-28"),
        ("来源：某某日报 发布时间：2021年08月28日 【字体： 】", "2021-08-28"),
        ("第2474期：第02版 本期出版日期：2021-08-28", "2021-08-28"),
        ("发表于：2021-08-28 21:43:20|来源：某某论坛", "2021-08-28"),  # a forum post time
        ("作者： 某某之窗 时间： 2021-8-28 16:18", "2021-08-28"),
        ("某某新闻网 21-08-28 23:19 【打印本页】", "2021-08-28"),  # a two-digit year with its time
        ("2021-08-28", "2021-08-28"),  # an unlabelled date line under the headline
        ("2021年08月28日 星期六", ""),  # the page's today-widget
    ],
)
def test_publication_dates_on_scraped_pages(line, published):
    docvars = _read(f"西河镇开展党史宣讲活动\n{line}\n\n{_PARAGRAPH}")
    assert docvars["date_published"] == published
    assert docvars["date_page"] == ("2021-08-28" if not published else "")


def test_event_and_historical_dates_are_never_publication_dates():
    body = "2021年3月22日，西河镇召开动员大会。1927年5月，这里建立了第一个党支部。" + _PARAGRAPH
    docvars = _read(f"西河镇2021年4月1日召开党史学习教育推进会\n\n{body}")
    assert (docvars["date_published"], docvars["date_page"]) == ("", "")


def test_a_weekday_header_above_and_a_date_under_the_headline():
    docvars = _read(f"2023年03月29日 星期三\n西河镇开展党史宣讲活动\n2021-06-30\n\n{_PARAGRAPH}")
    assert (docvars["date_published"], docvars["date_page"]) == ("2021-06-30", "2023-03-29")


@pytest.mark.parametrize(
    ("lead", "outlet", "reporters"),
    [
        ("石家庄日报讯（记者 王一）", "石家庄日报", "记者 王一"),
        ("成都讯（记者 王一）", "", "记者 王一"),  # a dateline names a place, not an outlet
        ("井冈山讯 ", "", ""),
        ("本报讯（通讯员 李二 记者 王一）", "", "通讯员 李二; 记者 王一"),
        ("某某网6月18日讯 据某某日报报道，", "某某网", ""),
        ("·某某新闻8月9日讯 ", "某某新闻", ""),
        ("某某小康网讯 记者王一 通讯员李二 西河镇", "某某小康网", "记者 王一; 通讯员 李二"),
        ("国际在线某某频道消息：", "国际在线某某频道", ""),
        ("新华社北京6月30日电（记者 王一）", "新华社", "记者 王一"),
        ("某某星报、某某财经网（www.example.com）、掌上某某讯（王一）", "某某财经网", ""),
    ],
)
def test_news_leads_and_datelines(lead, outlet, reporters):
    docvars = _read(f"西河镇开展党史宣讲活动\n\n{lead}{_PARAGRAPH}")
    assert (docvars["outlet"], docvars["reporters"]) == (outlet, reporters)


@pytest.mark.parametrize(
    ("byline", "outlet"),
    [
        ("来源：《某某日报》", "某某日报"),
        ("2021-04-16 10:20:22来源：某某日报编辑：王一责编：李二", "某某日报"),
        ("（三明日报记者 王一）", "三明日报"),  # no stray bracket
        ("融媒体记者：王一 通讯员：李二 张三", ""),  # 融媒体 alone names no outlet
        ("来源：本网原创 发布时间：2021-05-06", ""),  # the page's own site, unnamed
    ],
)
def test_outlets_are_clean_names(byline, outlet):
    docvars = infer_docvars(_blocks(("title", "西河镇开展党史宣讲活动"), ("byline", byline), ("body", _PARAGRAPH)))
    assert docvars["outlet"] == outlet


def test_a_photo_credit_without_a_role_is_not_the_outlet():
    docvars = _read(f"西河镇开展党史宣讲活动\n\n{_PARAGRAPH}\n党员参观展馆。（李二 摄 梅州日报）\n{_PARAGRAPH}")
    assert (docvars["outlet"], docvars["reporters"]) == ("", "")


@pytest.mark.parametrize(
    ("text", "reporters", "outlet"),
    [
        # every name after 通讯员, whatever separates them
        (f"西河镇开展党史宣讲活动\n记者 王一 通讯员 李二 张三、赵四，钱五\n\n{_PARAGRAPH}",
         "记者 王一; 通讯员 李二; 通讯员 张三; 通讯员 赵四; 通讯员 钱五", ""),
        # a closing byline in brackets
        (f"西河镇开展党史宣讲活动\n\n{_PARAGRAPH}各项工作有序推进。（记者 王一 通讯员 李二）\n参与评论",
         "记者 王一; 通讯员 李二", ""),
        # a byline glued to the end of the last paragraph, and an editor line after it
        (f"西河镇开展党史宣讲活动\n\n{_PARAGRAPH}群众还通过报纸、 某某日报融媒新闻记者王一\n编辑李二 编审张三",
         "记者 王一", "某某日报融媒新闻"),
        # a photo credit that carries a role
        (f"西河镇开展党史宣讲活动\n\n{_PARAGRAPH}\n党员重温入党誓词。 某某日报记者 王一 通讯员 李二 摄\n{_PARAGRAPH}",
         "记者 王一; 通讯员 李二", "某某日报"),
        (f"西河镇开展党史宣讲活动\n\n党员重温入党誓词。 本报通讯员 白小燕摄 {_PARAGRAPH}", "通讯员 白小燕", ""),
        # words that stand where names would are no names
        (f"西河镇开展党史宣讲活动\n2021-06-09 20:53:21 作者： 来源：某某日报\n\n本报讯（通讯员 李二 记者 王一）{_PARAGRAPH}",
         "通讯员 李二; 记者 王一", "某某日报"),
        (f"西河镇开展党史宣讲活动\n\n{_PARAGRAPH}\n某某新闻记者 王一 李二 某某台 张三 报道", "记者 王一; 记者 李二; 记者 张三",
         "某某新闻"),
    ],
    ids=["many-names", "bracket", "trailing", "credit", "credit-in-paragraph", "label-not-name", "station-not-name"],
)
def test_reporters_in_every_byline_form(text, reporters, outlet):
    docvars = _read(text)
    assert (docvars["reporters"], docvars["outlet"]) == (reporters, outlet)


@pytest.mark.parametrize(
    ("lead_line", "outlet", "reporters"),
    [
        ("井冈山讯", "", ""),  # a dateline on its own line (as a .docx paragraph): no subtitle, no outlet
        ("石家庄日报讯（记者 王一 通讯员 李二）", "石家庄日报", "记者 王一; 通讯员 李二"),
    ],
)
def test_a_lead_on_its_own_line_is_neither_a_subtitle_nor_a_stray_outlet(lead_line, outlet, reporters):
    docvars = _read(f"西河镇开展党史宣讲活动\n{lead_line}\n{_PARAGRAPH}")
    assert (docvars["title"], docvars["subtitle"]) == ("西河镇开展党史宣讲活动", "")
    assert (docvars["outlet"], docvars["reporters"]) == (outlet, reporters)


def test_names_under_a_bare_byline():
    docvars = _read(f"西河镇开展党史宣讲活动\n本报记者\n王一 李二\n\n{_PARAGRAPH}")
    assert docvars["reporters"] == "记者 王一; 记者 李二"
    assert (docvars["title"], docvars["outlet"]) == ("西河镇开展党史宣讲活动", "")


@pytest.mark.parametrize(
    ("front", "title"),
    [
        ("西河镇开展党史宣讲活动_某某新闻网", "西河镇开展党史宣讲活动"),
        ("西河镇开展党史宣讲活动 - 某某网", "西河镇开展党史宣讲活动"),
        ("学党史 悟思想 办实事 开新局", "学党史 悟思想 办实事 开新局"),  # a slogan, not a menu
        ("时政\n西河镇开展党史宣讲活动", "西河镇开展党史宣讲活动"),  # a section name above it
    ],
)
def test_headline_shapes(front, title):
    assert _read(f"{front}\n2021-05-06 10:20 来源：某某日报\n\n{_PARAGRAPH}")["title"] == title


@pytest.mark.parametrize(
    ("line", "outlet", "date"),
    [
        ("【作者：王一】【来源：某某日报】【时间：2021-05-06】", "某某日报", "2021-05-06"),
        ("时间：2021-05-06 来源：某某网 【字号 大 中 小】", "某某网", "2021-05-06"),
        ("2021/05/06 10:20 来源: 某某网", "某某网", "2021-05-06"),
    ],
)
def test_source_lines_in_brackets_and_slashes(line, outlet, date):
    docvars = _read(f"西河镇开展党史宣讲活动\n{line}\n\n{_PARAGRAPH}")
    assert (docvars["outlet"], docvars["date_published"]) == (outlet, date)


@pytest.mark.parametrize(
    ("lead", "outlet", "reporters"),
    [
        ("某某网消息（记者 王一）：", "某某网", "记者 王一"),
        ("（记者 王一 通讯员 李二）近日，", "", "记者 王一; 通讯员 李二"),
        ("本报北京6月30日电（记者 王一）", "", "记者 王一"),
    ],
)
def test_more_leads(lead, outlet, reporters):
    docvars = _read(f"西河镇开展党史宣讲活动\n\n{lead}{_PARAGRAPH}")
    assert (docvars["outlet"], docvars["reporters"]) == (outlet, reporters)


def test_authors_on_a_source_and_date_line():
    line = "作者：王一 李二    来源：某某县融媒体中心    发布时间：2021-06-01 09:00"
    docvars = _read(f"西河镇开展党史宣讲活动\n{line}\n\n{_PARAGRAPH}\n\n（责编：赵四、钱五）")
    assert (docvars["reporters"], docvars["outlet"], docvars["date_published"]) == (
        "作者 王一; 作者 李二", "某某县融媒体中心", "2021-06-01"
    )


@pytest.mark.parametrize(
    ("line", "published", "page"),
    [
        ("2021年08月28日 星期六 09:28 来源：某某网", "2021-08-28", ""),  # a weekday on a source line
        ("2021年08月28日 星期六", "", "2021-08-28"),
    ],
)
def test_a_weekday_makes_a_page_date_only_without_a_source(line, published, page):
    docvars = _read(f"西河镇开展党史宣讲活动\n{line}\n\n{_PARAGRAPH}")
    assert (docvars["date_published"], docvars["date_page"]) == (published, page)


def test_a_photographer_with_a_role_joins_the_bylines_reporters():
    text = f"西河镇开展党史宣讲活动\n记者 王一\n\n{_PARAGRAPH}\n党员重温入党誓词。 通讯员 李二 摄\n{_PARAGRAPH}"
    assert _read(text)["reporters"] == "记者 王一; 通讯员 李二"


def test_a_flattened_page_keeps_its_date_and_time_but_not_event_dates():
    flat = f"西河镇开展党史宣讲活动 2021-04-25 10:20 来源：某某网 {_PARAGRAPH}"
    assert _read(flat)["date_published"] == "2021-04-25"
    for prose in (f"2021年4月25日上午，西河镇召开动员大会，{_PARAGRAPH}", f"2021年4月25日上午9:30，西河镇召开会议，{_PARAGRAPH}",
                  f"西河镇开展党史宣讲活动\n\n2021年4月25日上午9:30，西河镇召开会议。\n\n{_PARAGRAPH}"):
        assert _read(prose)["date_published"] == ""


def test_a_byline_with_writer_and_photographer():
    docvars = _read(f"西河镇召开党史学习教育推进会\n撰稿：王一 摄影：李二 编辑：赵三\n\n{_PARAGRAPH}")
    assert docvars["reporters"] == "撰稿 王一"  # the photographer has no reporter's role, the editor none
