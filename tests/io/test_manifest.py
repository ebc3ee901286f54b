"""Tests for corpus_tools.io.manifest: a manifest's rows for files and table rows."""

from __future__ import annotations

import pytest

from corpus_tools.corpus import CorpusReadError, read_corpus
from corpus_tools.io import list_corpus_files
from tests.io.articles import REPORT, table_text, write_csv


def test_manifest_overrides_table_metadata(tmp_path):
    write_csv(tmp_path, table_text([
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
    write_csv(tmp_path, table_text([{"text": REPORT}]))
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text(f"doc_id,file\nx,{file}\ny,a.txt\n", encoding="utf-8")
    with pytest.raises(CorpusReadError, match=message):
        read_corpus(tmp_path)
    corpus = read_corpus(tmp_path, on_error="skip")
    assert "t-1" in corpus.doc_ids and "y" in corpus.doc_ids
    assert "manifest_row_without_file" in corpus.problems["code"].tolist()


def test_list_corpus_files_walks_as_reading_does(tmp_path):
    for rel in ["b.txt", "a/z.txt", "a/c.md", ".hidden.txt", ".git/config", "__pycache__/x.pyc", "a/.DS_Store"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x", encoding="utf-8")
    outside = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    outside.mkdir()
    (outside / "o.txt").write_text("x", encoding="utf-8")
    (tmp_path / "linked").symlink_to(outside, target_is_directory=True)
    listed = [p.relative_to(tmp_path).as_posix() for p in list_corpus_files(tmp_path)]
    # top-down, names sorted in each folder; hidden and bytecode left out; a linked folder not entered
    assert listed == ["b.txt", "a/c.md", "a/z.txt"]
