"""Tests for corpus_tools.metadata: the manifest, document ids, dates and inferred docvars."""

from __future__ import annotations

import pandas as pd
import pytest

from corpus_tools.metadata import MANIFEST_COLUMNS, infer_docvars, parse_date, read_manifest, slugify


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
    assert list(manifest.columns) == list(MANIFEST_COLUMNS[1:])
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
    assert infer_docvars(blocks) == {
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
        "title": "", "subtitle": "", "outlet": "", "reporters": "", "date_published": "", "date_page": ""
    }


def test_captions_and_body_never_give_docvars():
    docvars = infer_docvars(_blocks(("body", "本报记者 张三"), ("caption", "2021年6月1日"), ("heading", "标题")))
    assert (docvars["reporters"], docvars["date_page"], docvars["title"]) == ("", "", "")
