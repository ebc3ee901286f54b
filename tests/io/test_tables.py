"""Tests for corpus_tools.io.tables: tables of articles, one document per row, columns as docvars."""

from __future__ import annotations

import json

import pytest

from corpus_tools.corpus import CorpusReadError, read_corpus
from tests.corpora.make_corpora import render_csv, render_parquet
from tests.io.articles import REPORT, REPORT_BODY, TITLE, table_text, write_csv


def test_table_with_ids_and_metadata_columns(tmp_path):
    rows = [
        {"id": "a1", "title": "标题甲", "district": "甲区", "file": "原始文件.html", "views": "NA", "text": REPORT},
        {"id": "b2", "title": "", "district": "乙县", "file": "", "views": "2021", "text": REPORT.replace("甲区", "乙县")},
    ]
    write_csv(tmp_path, table_text(rows))
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
    write_csv(tmp_path, table_text([{"title": "标题甲", "district": "甲区", "notes": "x", "text": REPORT}]))
    corpus = read_corpus(tmp_path, docvar_columns=["district"])
    assert corpus.docvars.loc["t-1", "district"] == "甲区"
    assert corpus.docvars.loc["t-1", "notes"] == ""  # a manifest column, but not taken from the table
    assert corpus.docvars.loc["t-1", "title"] == TITLE  # inferred, the title column not taken
    with pytest.raises(CorpusReadError, match=r"t\.csv: no docvar column 'province'.*docvar_columns"):
        read_corpus(tmp_path, docvar_columns=["province"])


def test_text_column_parameter(tmp_path):
    write_csv(tmp_path, table_text([{"标题": "标题甲", "报道": REPORT}]))
    with pytest.raises(
        CorpusReadError,
        match=r"t\.csv: no text column: .*; the table has \['标题', '报道'\] \(name the right one: "
        r"read_corpus\(text_column='标题'\) or dangshi-reports --text-column 标题\)",
    ):
        read_corpus(tmp_path)
    assert read_corpus(tmp_path, text_column="报道").texts["t-1"] == REPORT_BODY
    # a common name for the text column is found without being named
    write_csv(tmp_path, table_text([{"标题": "标题甲", "正文": REPORT}]))
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
    write_csv(tmp_path, table_text(rows))
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
