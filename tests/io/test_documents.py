"""Tests for corpus_tools.io (iter_documents and the readers behind it): every format gives the same Corpus, tables carry metadata.

The expected texts are written by hand (``REPORT_BODY``); the files are built by the
renderers in ``tests/corpora/make_corpora.py`` or written inline.
"""

from __future__ import annotations

import json
from pathlib import Path

import opencc
import pandas as pd
import pytest

from tests.corpora.make_corpora import (
    ARTICLES_FILE,
    TESTS_CORPORA,
    build_mixed,
    render_csv,
    render_docx,
    render_html,
    render_jsonl,
    render_parquet,
    truth,
)
from corpus_tools.corpus import CorpusReadError, read_corpus
from corpus_tools.io import (
    PROBLEM_CODES,
    RawDocument,
    ReadProblem,
    docx_to_text,
    han_share,
    html_to_text,
    iter_documents,
    markdown_to_text,
    read_file,
)

TITLE = "甲区召开党史学习教育动员大会"
REPORT = (
    f"{TITLE}\n\n发布日期：2021-03-05\n\n记者 张三\n\n"
    "党史学习教育开展以来，甲区坚持学史明理、学史增信、学史崇德、学史力行，组织党员干部深入学习。\n\n"
    "甲区还开展“我为群众办实事”实践活动，为群众解决了一批急难愁盼问题。\n"
)
REPORT_BODY = (
    "党史学习教育开展以来，甲区坚持学史明理、学史增信、学史崇德、学史力行，组织党员干部深入学习。\n"
    "甲区还开展“我为群众办实事”实践活动，为群众解决了一批急难愁盼问题。"
)
REPORT_MD = (
    f"# {TITLE}\n\n发布日期：2021-03-05\n\n**记者 张三**\n\n"
    "党史学习教育开展以来，甲区坚持[学史明理](https://example.org/a)、学史增信、学史崇德、学史力行，组织党员干部深入学习。\n\n"
    "![会场](photo.jpg)\n\n"
    "> 甲区还开展“我为群众办实事”实践活动，为群众解决了一批急难愁盼问题。\n"
)
KINDS = ["title", "dateline", "byline", "body", "body"]


# =========================================================================== one article, every format


@pytest.fixture(scope="module")
def every_format(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("formats")
    row = {"title": TITLE, "district": "甲区", "text": REPORT}
    files = {
        "a-txt.txt": REPORT.encode("utf-8"),
        "b-gb.txt": REPORT.replace("\n", "\r\n").encode("gb18030"),
        "c-md.md": REPORT_MD.encode("utf-8"),
        "d-html.html": render_html(REPORT, encoding="utf-8", chrome=True),
        "e-html-gb2312.htm": render_html(REPORT, encoding="gb2312"),
        "f-docx.docx": render_docx(REPORT, title=TITLE),
        "g-docx-table.docx": render_docx(REPORT, in_table=True),
        "h-csv.csv": render_csv([row]),
        "i-tsv.tsv": render_csv([row], encoding="utf-8", sep="\t"),
        "j-jsonl.jsonl": render_jsonl([row]),
        "k-parquet.parquet": render_parquet([row]),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


@pytest.fixture(scope="module")
def formats_corpus(every_format):
    return read_corpus(every_format)


FORMAT_IDS = ["a-txt", "b-gb", "c-md", "d-html", "e-html-gb2312", "f-docx", "g-docx-table",
              "h-csv-1", "i-tsv-1", "j-jsonl-1", "k-parquet-1"]


def test_every_format_is_read(formats_corpus):
    assert formats_corpus.doc_ids == FORMAT_IDS
    assert formats_corpus.problems.empty
    assert formats_corpus.docvars["format"].tolist() == [
        "txt", "txt", "md", "html", "html", "docx", "docx", "csv", "tsv", "jsonl", "parquet"
    ]


@pytest.mark.parametrize("doc_id", FORMAT_IDS)
def test_the_same_article_gives_the_same_text_in_every_format(formats_corpus, doc_id):
    assert formats_corpus.texts[doc_id] == REPORT_BODY
    blocks = formats_corpus.blocks[formats_corpus.blocks["doc_id"] == doc_id]
    assert blocks["kind"].tolist() == KINDS
    assert blocks["text"].iloc[0] == TITLE
    assert formats_corpus.docvars.loc[doc_id, "title"] == TITLE


def test_table_rows_have_a_source_and_a_row(formats_corpus):
    dv = formats_corpus.docvars
    assert dv.loc["h-csv-1", ["file", "source", "row"]].tolist() == ["h-csv.csv", "h-csv.csv#1", 1]
    assert dv.loc["j-jsonl-1", "source"] == "j-jsonl.jsonl#1"
    assert pd.isna(dv.loc["a-txt", "row"])
    # the table's other columns are docvars, stated by the table
    assert dv.loc["k-parquet-1", "district"] == "甲区"
    assert dv.loc["h-csv-1", "title_evidence"] == "table"
    assert dv.loc["a-txt", "title_evidence"] == TITLE  # inferred from the line


def test_encodings_as_written(formats_corpus):
    dv = formats_corpus.docvars
    assert dv.loc["b-gb", ["encoding", "encoding_method"]].tolist() == ["gb18030", "only-candidate"]
    # the page declares gb2312; GB18030 (its superset) decodes it, on the page's word
    assert dv.loc["e-html-gb2312", ["encoding", "encoding_method"]].tolist() == ["gb18030", "hint"]
    assert dv.loc["h-csv-1", "encoding"] == "gb18030"
    assert dv.loc["f-docx", ["encoding", "encoding_method"]].tolist() == ["utf-8", "format"]


def test_what_reading_changed_is_logged(formats_corpus):
    log = formats_corpus.quality_log
    read = log[log["step"] == "read"].set_index(["doc_id", "rule"])["count"]
    assert read[("c-md", "markdown_markup")] == 3  # a link, an image, a quote mark
    assert read[("g-docx-table", "docx_tables")] == 1
    # the chrome page: navigation, related links and footer left out, counted in Han characters
    nav_and_footer = "首页新闻中心政务公开办事服务相关新闻全县召开经济工作会议县领导调研秋收秋种工作我县举办农民丰收节版权所有县融媒体中心主办单位县委宣传部备案号冀备号"
    assert read[("d-html", "html_extracted")] == len(nav_and_footer)
    # the CRLF file: line ends normalised by cleaning, one per line break
    assert log.set_index(["doc_id", "rule"]).loc[("b-gb", "line_endings"), "count"] == REPORT.count("\n")


def test_html_never_lets_script_or_chrome_into_the_text(formats_corpus):
    for doc_id in ("d-html", "e-html-gb2312"):
        raw = formats_corpus.raw_texts[doc_id]
        for leak in ("此段不是正文", "document.write", "<", "font-size", "首页", "版权所有", "相关新闻"):
            assert leak not in raw
    assert formats_corpus.docvars.loc["d-html", "file_title"] == TITLE  # the page's <title>


def test_docx_title_property_is_a_file_hint(formats_corpus):
    assert formats_corpus.docvars.loc["f-docx", "file_title"] == TITLE
    assert formats_corpus.docvars.loc["f-docx", "title"] == TITLE


# =========================================================================== the converters


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("见[新闻](http://x.cn/a \"标题\")。", "见新闻。"),
        ("见[新闻][1]。\n\n[1]: http://x.cn", "见新闻。\n\n"),
        ("![图片](a.jpg)正文", "正文"),
        ("- 第一\n* 第二\n+ 第三", "第一\n第二\n第三"),
        ("1. 加强学习\n2. 办好实事", "1. 加强学习\n2. 办好实事"),  # ordered lists are text in Chinese reports
        ("> 引文\n>> 再引", "引文\n再引"),
        ("```\n**不动**\n```", "\n**不动**\n"),
        ("| 项目 | 数量 |\n|---|---:|\n| 宣讲 | 320 |", "项目 数量\n\n宣讲 320"),
        ("标题\n===\n\n正文\n\n---\n\n再文", "标题\n\n\n正文\n\n\n\n再文"),
        ("## 一、高位推动 ##", "## 一、高位推动"),
        ("**加粗** 和 *强调* 和 `代码` 和 ~~删除~~", "**加粗** 和 强调 和 代码 和 删除"),
        ("价格 2*3*4 元", "价格 2*3*4 元"),
        ("转义 \\*不是强调\\* 和 \\[方括号\\]", "转义 *不是强调* 和 [方括号]"),
        ("正文<br/>换行<span class=\"x\">文字</span><!-- 注释 -->", "正文换行文字"),
        ("行一\r\n- 行二\r\n", "行一\r\n行二\r\n"),  # line ends stay for clean.py to count
    ],
    ids=["link", "reference-link", "image", "bullets", "ordered", "quote", "fence", "pipe-table", "setext-and-rule",
         "closing-hashes", "emphasis", "stars-in-numbers", "escapes", "html", "crlf"],
)
def test_markdown_to_text(markdown, text):
    assert markdown_to_text(markdown)[0] == text


def test_markdown_front_matter_becomes_docvars():
    text, front, changes = markdown_to_text("---\ntitle: 标题\ndate: 2021-05-08\nauthor: 记者 张三\nsource: 网站\n---\n正文")
    assert text == "正文"
    # yaml reads the date as a date; it comes back as the ISO string it was
    assert front == {"title": "标题", "date_published": "2021-05-08", "reporters": "记者 张三", "source": "网站"}
    assert changes[0].startswith("front matter")


def test_markdown_front_matter_that_does_not_parse_stays_text():
    text, front, _ = markdown_to_text("---\ntitle: [unclosed\n---\n正文")
    assert front == {}
    assert text == "\ntitle: [unclosed\n\n正文"  # the two --- lines are rules; the words stay


def test_front_matter_is_safe_yaml(tmp_path):
    marker = tmp_path / "pwned"
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.md").write_text(
        f"---\ntitle: !!python/object/apply:os.system ['touch {marker}']\n---\n" + REPORT, encoding="utf-8"
    )
    corpus = read_corpus(tmp_path / "corpus")
    # safe_load refuses the tag: nothing ran, and the block stays in the text as data
    assert not marker.exists()
    assert corpus.texts["a"].endswith(REPORT_BODY)
    assert f"os.system ['touch {marker}']" in corpus.raw_texts["a"]


def test_front_matter_docvars_with_evidence(tmp_path):
    (tmp_path / "a.md").write_text("---\ntitle: 给定的标题\nsource: 某网站\n---\n" + REPORT, encoding="utf-8")
    corpus = read_corpus(tmp_path)
    row = corpus.docvars.loc["a"]
    assert (row["title"], row["title_evidence"]) == ("给定的标题", "front matter")
    assert row["front_matter_source"] == "某网站"  # 'source' is reading's own docvar
    assert row["source"] == "a.md"


def test_html_layout_table_keeps_its_paragraphs():
    page = (
        "<html><body><table><tr><td><a href='/'>首页</a></td></tr><tr><td>"
        + "".join(f"<p>{line}</p>" for line in REPORT.split("\n") if line)
        + "</td></tr></table></body></html>"
    )
    text, _, stats = html_to_text(page)
    assert text.split("\n\n") == [line for line in REPORT.split("\n") if line]
    assert stats["method"] == "trafilatura"


def test_html_with_no_article_falls_back_to_the_visible_text():
    # trafilatura takes a footer for boilerplate and returns nothing; nothing is lost
    text, _, stats = html_to_text("<html><body><footer>版权所有 丁县新闻网<br>主办单位：县委宣传部</footer></body></html>")
    assert (text, stats["method"]) == ("版权所有 丁县新闻网\n\n主办单位：县委宣传部", "visible-text")


def test_html_with_an_xml_declaration():
    page = '<?xml version="1.0" encoding="utf-8"?><html><body><h1>标题</h1><p>' + REPORT_BODY + "</p></body></html>"
    text, _, _ = html_to_text(page)
    assert text.startswith("标题\n\n党史学习教育")


def test_docx_merged_cells_and_empty_paragraphs():
    from docx import Document
    import io

    document = Document()
    document.add_paragraph("第一段")
    document.add_paragraph("")
    document.add_paragraph("")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "甲", "乙"
    table.cell(1, 0).merge(table.cell(1, 1)).text = "合并"
    document.add_paragraph("末段")
    buffer = io.BytesIO()
    document.save(buffer)
    text, hints, n_tables = docx_to_text(buffer.getvalue())
    # two empty paragraphs: two more blank lines; a merged cell once
    assert text == "第一段\n\n\n\n甲\n\n乙\n\n合并\n\n末段"
    assert (hints, n_tables) == ({}, 1)


def test_not_a_docx():
    with pytest.raises(ValueError, match="not a valid Word .docx file"):
        docx_to_text(b"just text")


@pytest.mark.parametrize(
    ("text", "share"),
    [
        ("学史明理", 1.0),
        ("學(xué)史明理", 4 / 5),  # four Han characters and one Latin word
        ("H5 产品", 2 / 3),  # "H" is a word, "5" is not a letter
        ("Party history 党史", 2 / 4),
        ("学習は大切です", 4 / 7),  # 学習大切 are Han; はです are kana letters
        ("2021", 0.0),
        ("", 0.0),
    ],
)
def test_han_share(text, share):
    assert han_share(text) == pytest.approx(share)


# =========================================================================== tables


def _csv(tmp_path, text: str, name: str = "t.csv") -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


BODY_CELL = REPORT_BODY.replace("\n", "\\n")


def _table_text(rows: list[dict[str, str]]) -> str:
    return pd.DataFrame(rows).to_csv(index=False)


def test_table_with_ids_and_metadata_columns(tmp_path):
    rows = [
        {"id": "a1", "title": "标题甲", "district": "甲区", "file": "原始文件.html", "views": "NA", "text": REPORT},
        {"id": "b2", "title": "", "district": "乙县", "file": "", "views": "2021", "text": REPORT.replace("甲区", "乙县")},
    ]
    _csv(tmp_path, _table_text(rows))
    corpus = read_corpus(tmp_path, id_column="id")
    assert corpus.doc_ids == ["a1", "b2"]
    dv = corpus.docvars
    assert (dv.loc["a1", "title"], dv.loc["a1", "title_evidence"]) == ("标题甲", "table")
    # a blank cell states nothing: the title is inferred from the text
    assert (dv.loc["b2", "title"], dv.loc["b2", "title_evidence"]) == (TITLE.replace("甲区", "乙县"), TITLE.replace("甲区", "乙县"))
    assert dv["district"].tolist() == ["甲区", "乙县"]
    assert dv["views"].tolist() == ["NA", "2021"]  # strings, never NaN or numbers
    assert dv.loc["a1", "table_file"] == "原始文件.html"  # 'file' is reading's own docvar
    assert dv.loc["a1", "file"] == "t.csv"
    assert "id" not in dv.columns


def test_docvar_columns_choose_the_metadata(tmp_path):
    _csv(tmp_path, _table_text([{"title": "标题甲", "district": "甲区", "notes": "x", "text": REPORT}]))
    corpus = read_corpus(tmp_path, docvar_columns=["district"])
    assert corpus.docvars.loc["t-1", "district"] == "甲区"
    assert corpus.docvars.loc["t-1", "notes"] == ""  # a manifest column, but not taken from the table
    assert corpus.docvars.loc["t-1", "title"] == TITLE  # inferred, the title column not taken
    with pytest.raises(CorpusReadError, match=r"t\.csv: no docvar column 'province'.*docvar_columns"):
        read_corpus(tmp_path, docvar_columns=["province"])


def test_text_column_parameter(tmp_path):
    _csv(tmp_path, _table_text([{"标题": "标题甲", "报道": REPORT}]))
    with pytest.raises(
        CorpusReadError,
        match=r"t\.csv: no text column: .*; the table has \['标题', '报道'\] \(name the right one: "
        r"read_corpus\(text_column='标题'\) or dangshi-reports --text-column 标题\)",
    ):
        read_corpus(tmp_path)
    assert read_corpus(tmp_path, text_column="报道").texts["t-1"] == REPORT_BODY
    # a common name for the text column is found without being named
    _csv(tmp_path, _table_text([{"标题": "标题甲", "正文": REPORT}]))
    assert read_corpus(tmp_path).texts["t-1"] == REPORT_BODY


@pytest.mark.parametrize(
    ("rows", "message", "code"),
    [
        ([{"id": "a", "text": REPORT}, {"id": "", "text": REPORT}], r"t\.csv, row 2: id '' in column 'id' is blank", "bad_doc_id"),
        ([{"id": "a", "text": REPORT}, {"id": "../x", "text": REPORT}], r"row 2: id '\.\./x' in column 'id' contains a path separator", "bad_doc_id"),
        ([{"id": "a", "text": REPORT}, {"id": "a", "text": REPORT}], r"t\.csv, row 2: doc_id 'a' is already given to t\.csv#1", "duplicate_doc_id"),
        ([{"id": "a", "text": REPORT}, {"id": "b", "text": ""}], r"t\.csv, row 2: the text is empty", "empty"),
    ],
    ids=["blank-id", "path-id", "duplicate-id", "empty-row"],
)
def test_bad_rows_name_the_row(tmp_path, rows, message, code):
    _csv(tmp_path, _table_text(rows))
    with pytest.raises(CorpusReadError, match=message):
        read_corpus(tmp_path, id_column="id")
    corpus = read_corpus(tmp_path, id_column="id", on_error="skip")
    assert corpus.problems["code"].tolist() == [code]
    assert corpus.problems["source"].iloc[0].startswith("t.csv#")
    assert len(corpus) == len(rows) - 1


def test_jsonl_lines_are_records(tmp_path):
    lines = [
        json.dumps({"title": "标题甲", "year": 2021, "tags": ["党史", "宣讲"], "flag": True, "none": None, "text": REPORT}, ensure_ascii=False),
        "{not json",
        "",
        "[1, 2]",
        json.dumps({"title": "无正文"}, ensure_ascii=False),
        json.dumps({"text": 42}),
        json.dumps({"text": REPORT.replace("甲区", "丙镇")}, ensure_ascii=False),
    ]
    (tmp_path / "t.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CorpusReadError, match=r"t\.jsonl: line 2 is not valid JSON \(Expecting property name"):
        read_corpus(tmp_path)
    corpus = read_corpus(tmp_path, on_error="skip")
    assert corpus.doc_ids == ["t-1", "t-7"]  # ids carry the line number
    row = corpus.docvars.loc["t-1"]
    assert (row["year"], row["tags"], row["flag"], row["none"]) == ("2021", '["党史", "宣讲"]', "true", "")
    problems = corpus.problems.set_index("source")
    assert problems["code"].to_dict() == {
        "t.jsonl#2": "malformed_table", "t.jsonl#4": "malformed_table", "t.jsonl#5": "missing_column", "t.jsonl#6": "malformed_table"
    }
    assert "line 4 is a JSON list, not an object" in problems.loc["t.jsonl#4", "message"]
    assert "t.jsonl, row 5: the record has no 'text' field" in problems.loc["t.jsonl#5", "message"]
    assert "the text is a int, not a string" in problems.loc["t.jsonl#6", "message"]


def test_jsonl_without_the_text_field(tmp_path):
    (tmp_path / "t.jsonl").write_text(json.dumps({"abstract": REPORT}) + "\n", encoding="utf-8")
    with pytest.raises(CorpusReadError, match=r"t\.jsonl: no text column: .*; the table has \['abstract'\]"):
        read_corpus(tmp_path)


def test_parquet_problems(tmp_path):
    (tmp_path / "a.parquet").write_bytes(render_parquet([{"text": 1}]))
    (tmp_path / "b.parquet").write_bytes(b"not parquet at all")
    (tmp_path / "c.parquet").write_bytes(render_parquet([{"abstract": REPORT}]))
    (tmp_path / "d.parquet").write_bytes(render_parquet([{"text": REPORT, "year": 2021}, {"text": None, "year": None}]))
    corpus = read_corpus(tmp_path, on_error="skip")
    assert corpus.doc_ids == ["d-1"]
    assert corpus.docvars.loc["d-1", "year"] == "2021"
    problems = corpus.problems.set_index("source")
    assert problems["code"].to_dict() == {
        "a.parquet#1": "malformed_table", "b.parquet": "malformed_table", "c.parquet": "missing_column", "d.parquet#2": "empty"
    }
    assert "a.parquet, row 1: the text is a int, not a string" in problems.loc["a.parquet#1", "message"]
    assert "not a valid Parquet file" in problems.loc["b.parquet", "message"]


def test_a_table_file_alone(tmp_path):
    (tmp_path / "articles.csv").write_bytes(render_csv([{"title": "标题甲", "text": REPORT}, {"title": "标题乙", "text": REPORT}]))
    corpus = read_corpus(tmp_path / "articles.csv")
    assert corpus.doc_ids == ["articles-1", "articles-2"]
    assert corpus.docvars["title"].tolist() == ["标题甲", "标题乙"]


# =========================================================================== the manifest and tables


def test_manifest_overrides_table_metadata(tmp_path):
    _csv(tmp_path, _table_text([
        {"title": "表中标题", "district": "甲区", "text": REPORT},
        {"title": "表中标题二", "district": "乙区", "text": REPORT},
    ]))
    (tmp_path / "metadata.csv").write_text(
        "doc_id,file,title,district\nfirst,t.csv#2,清单标题,\n", encoding="utf-8"
    )
    corpus = read_corpus(tmp_path)
    # the manifest names its row and gives it an id; table order stays
    assert corpus.doc_ids == ["t-1", "first"]
    dv = corpus.docvars
    assert (dv.loc["first", "title"], dv.loc["first", "title_evidence"]) == ("清单标题", "manifest")
    assert dv.loc["first", "district"] == "乙区"  # a blank manifest cell keeps the table's value
    assert (dv.loc["t-1", "title"], dv.loc["t-1", "title_evidence"]) == ("表中标题", "table")


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("t.csv", r"metadata\.csv, row 1: 't\.csv' is a table; name one of its rows as 't\.csv#<row>'"),
        ("t.csv#9", r"metadata\.csv, row 1: 't\.csv#9' is not a row read from the table"),
        ("a.txt#1", r"metadata\.csv, row 1: 'a\.txt#1' names a row, but 'a\.txt' is not a table"),
    ],
)
def test_manifest_rows_for_tables(tmp_path, file, message):
    _csv(tmp_path, _table_text([{"text": REPORT}]))
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text(f"doc_id,file\nx,{file}\ny,a.txt\n", encoding="utf-8")
    with pytest.raises(CorpusReadError, match=message):
        read_corpus(tmp_path)
    corpus = read_corpus(tmp_path, on_error="skip")
    assert "t-1" in corpus.doc_ids and "y" in corpus.doc_ids
    assert "manifest_row_without_file" in corpus.problems["code"].tolist()


# =========================================================================== iter_documents, read_file


def test_iter_documents_is_lazy(tmp_path):
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"")
    documents = iter_documents(tmp_path)
    first = next(documents)
    assert isinstance(first, RawDocument)
    assert (first.doc_id, first.source, first.raw_text) == ("a", "a.txt", REPORT)
    assert first.read_info["sha256"] == __import__("hashlib").sha256(REPORT.encode()).hexdigest()
    with pytest.raises(CorpusReadError, match=r"b\.txt: the file is empty"):
        next(documents)


def test_iter_documents_yields_problems_when_skipping(tmp_path):
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"")
    items = list(iter_documents(tmp_path, on_error="skip"))
    assert [type(item).__name__ for item in items] == ["RawDocument", "ReadProblem"]
    problem = items[1]
    assert (problem.source, problem.code, problem.doc_id, problem.action) == ("b.txt", "empty", "b", "skipped")
    assert problem.code in PROBLEM_CODES


def test_read_file_with_a_format_override(tmp_path):
    (tmp_path / "a.dat").write_text(REPORT, encoding="utf-8")
    (item,) = read_file(tmp_path / "a.dat", format="txt")
    assert item.raw_text == REPORT and item.read_info["format"] == "txt"
    (item,) = read_file(tmp_path / "a.dat")
    assert isinstance(item, ReadProblem) and item.code == "unsupported_format"
    assert read_corpus(tmp_path, pattern="*.dat", format="txt").texts["a"] == REPORT_BODY


# =========================================================================== the mixed corpus


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    folder = build_mixed(tmp_path_factory.mktemp("mixed"))
    return folder, read_corpus(folder)


def test_mixed_corpus_is_read_whole(mixed):
    _, corpus = mixed
    planted = truth()
    assert sorted(corpus.doc_ids) == sorted(planted.index)
    assert len(corpus) == 34
    assert corpus.problems.empty
    assert corpus.docvars["format"].value_counts().to_dict() == {
        "txt": 14, "md": 3, "html": 4, "docx": 3, "csv": 4, "jsonl": 3, "parquet": 3
    }


def test_mixed_corpus_encodings(mixed):
    _, corpus = mixed
    planted = truth()
    expected = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gb18030": "gb18030", "big5": "cp950",
                "utf-16": "utf-16", "gb2312": "gb18030"}
    for doc_id in planted.index[planted["format"].isin(["txt", "md", "html"])]:
        assert corpus.docvars.loc[doc_id, "encoding"] == expected[planted.loc[doc_id, "encoding"]], doc_id


def test_mixed_corpus_localities_and_titles(mixed):
    _, corpus = mixed
    planted = truth()
    for doc_id, row in planted.iterrows():
        dv = corpus.docvars.loc[doc_id]
        assert (dv["province"], dv["city"], dv["district"], dv["admin_level"]) == (
            row["province"], row["city"], row["district"], row["admin_level"]
        ), doc_id
        blocks = corpus.blocks[corpus.blocks["doc_id"] == doc_id]
        # the title survived reading: a block of its own, or the table's title column
        assert row["title"] in set(blocks["text"]) or dv["title"] == row["title"], doc_id
    assert corpus.docvars.loc["shanghang-tiyan", "town"] == "古田镇"


def test_mixed_corpus_texts_are_clean(mixed):
    _, corpus = mixed
    planted = truth()
    t2s = opencc.OpenCC("t2s.json")
    for doc_id, text in corpus.texts.items():
        for leak in ("<", "](", "===", "---", "此段不是正文", "首页", "版权所有", "\r", "\ufeff"):
            assert leak not in text, (doc_id, leak)
        assert t2s.convert(text) == text, doc_id  # traditional articles converted
        assert text.count("\n") >= 1, doc_id  # paragraphs kept apart in every format
    traditional = set(planted.index[planted["script"] == "traditional"])
    assert set(corpus.docvars.index[corpus.docvars["script"] == "traditional"]) == traditional


def test_mixed_corpus_sources_are_small():
    # the committed corpus is text: the article sources and the builder, well under 1 MB
    committed = [p for p in TESTS_CORPORA.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert sum(p.stat().st_size for p in committed) < 1_000_000
    assert ARTICLES_FILE in committed
