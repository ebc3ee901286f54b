"""Tests for corpus_tools.io.documents: every format gives the same Corpus, iter_documents, the mixed corpus.

The expected texts are written by hand (``REPORT_BODY``); the files are built by the
renderers in ``tests/corpora/make_corpora.py`` or written inline.
"""

from __future__ import annotations

from pathlib import Path

import opencc
import pandas as pd
import pytest

from corpus_tools.corpus import CorpusReadError, read_corpus
from corpus_tools.io import PROBLEM_CODES, RawDocument, ReadOptions, iter_documents
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
from tests.io.articles import REPORT, REPORT_BODY, REPORT_MD, TITLE

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


# =========================================================================== reading options


def test_options_as_an_object_or_as_keywords_read_the_same(tmp_path):
    (tmp_path / "t.csv").write_text(
        "编号,内容\nx1," + REPORT.replace("\n", " ") + "\nx2,学史明理。\n", encoding="utf-8"
    )
    by_keywords = list(iter_documents(tmp_path, text_column="内容", id_column="编号", on_error="skip"))
    options = ReadOptions(text_column="内容", id_column="编号", on_error="skip")
    by_object = list(iter_documents(tmp_path, options=options))
    assert by_keywords == by_object
    assert [(type(item).__name__, item.doc_id) for item in by_object] == [("RawDocument", "x1"), ("ReadProblem", "x2")]
    assert by_object[1].code == "too_short"
    # a keyword replaces the option object's value: the short row is now long enough
    lenient = list(iter_documents(tmp_path, options=options, min_han_chars=4))
    assert [type(item).__name__ for item in lenient] == ["RawDocument", "RawDocument"]


def test_a_bad_option_raises_when_called_not_when_iterated(tmp_path):
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    with pytest.raises(TypeError, match=r"unknown reading option 'text_colum' \(did you mean 'text_column'\?\)"):
        iter_documents(tmp_path, text_colum="content")
    with pytest.raises(ValueError, match="on_error must be 'raise' or 'skip', not 'ignore'"):
        iter_documents(tmp_path, on_error="ignore")
    with pytest.raises(ValueError, match="encoding 'gbx' is not an encoding Python knows"):
        iter_documents(tmp_path, encoding="gbx")
