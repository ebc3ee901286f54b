"""The ``dangshi`` command: each subcommand answers on the seeds and on constructed folders."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from corpus_tools.cli import main
from corpus_tools.corpus import read_corpus

BODY = (
    "党史学习教育开展以来，{place}坚持学史明理、学史增信、学史崇德、学史力行，"
    "扎实开展我为群众办实事实践活动，推动党史学习教育走深走实，为群众解决急难愁盼问题。"
)


@pytest.fixture()
def small_folder(tmp_path: Path) -> Path:
    """Three made-up articles, one whose title a spreadsheet would evaluate as a formula."""
    folder = tmp_path / "articles"
    folder.mkdir()
    texts = {
        "a.txt": "甲区党史学习教育\n\n" + BODY.format(place="甲区") * 2,
        "b.txt": "乙县党史学习教育\n\n" + BODY.format(place="乙县") * 2,
        "c.txt": "=1+1 丙市\n\n" + BODY.format(place="丙市") * 2,
    }
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    with open(folder / "metadata.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "doc_id", "title", "district"])
        writer.writerow(["a.txt", "a", "甲区党史学习教育", "甲区"])
        writer.writerow(["b.txt", "b", "乙县党史学习教育", "乙县"])
        writer.writerow(["c.txt", "c", "=1+1 丙市", "丙市"])
    return folder


def test_kwic_finds_every_occurrence(seeds_dir, tmp_path, capsys):
    # Reference: a plain substring count over the cleaned texts (--regex: the literal only, not
    # the registry entry's variants such as 往深里走、往实里走).
    expected = sum(text.count("走深走实") for text in read_corpus(seeds_dir).texts)
    assert expected > 0
    out = tmp_path / "kwic.csv"
    assert main(["kwic", str(seeds_dir), "走深走实", "--regex", "--out", str(out)]) == 0
    table = pd.read_csv(out)
    assert len(table) == expected
    assert set(table["match"].str.strip("“”")) == {"走深走实"}
    assert main(["kwic", str(seeds_dir), "走深走实", "--regex", "--max-rows", "2"]) == 0
    printed = capsys.readouterr().out
    assert f"showing 2 of {expected}" in printed


def test_terms_by_group_writes_n_rows_per_group(small_folder, tmp_path):
    out = tmp_path / "terms.csv"
    assert main(["terms", str(small_folder), "--by", "district", "-n", "3", "--out", str(out)]) == 0
    table = pd.read_csv(out)
    assert table.groupby("group").size().to_dict() == {"丙市": 3, "乙县": 3, "甲区": 3}


def test_terms_min_chars_and_its_old_spelling(small_folder, tmp_path, capsys):
    new, old = tmp_path / "new.csv", tmp_path / "old.csv"
    assert main(["terms", str(small_folder), "--min-chars", "4", "-n", "50", "--out", str(new)]) == 0
    table = pd.read_csv(new)
    # The constructed texts hold four-character slogans (学史明理 ...) and shorter words.
    assert len(table) > 0 and table["term"].str.len().min() >= 4
    assert "学史明理" in set(table["term"])
    capsys.readouterr()
    assert main(["terms", str(small_folder), "--min-nchar", "4", "-n", "50", "--out", str(old)]) == 0
    assert "--min-chars" in capsys.readouterr().err
    assert old.read_bytes() == new.read_bytes()
    assert main(["terms", "--help"]) == 0
    help_text = capsys.readouterr().out
    assert "--min-chars" in help_text and "--min-nchar" not in help_text


def test_unknown_by_names_the_option_and_the_docvars(small_folder, capsys):
    assert main(["keyness", str(small_folder), "--by", "prefecture"]) != 0
    err = capsys.readouterr().err
    assert "--by" in err and "prefecture" in err and "district" in err


def test_csv_export_neutralises_formulas_but_parquet_keeps_them(small_folder, tmp_path):
    csv_out, parquet_out = tmp_path / "docs.csv", tmp_path / "docs.parquet"
    assert main(["convert", str(small_folder), "--to", str(csv_out)]) == 0
    assert main(["convert", str(small_folder), "--to", str(parquet_out)]) == 0
    with open(csv_out, encoding="utf-8", newline="") as handle:
        titles = {row["doc_id"]: row["title"] for row in csv.DictReader(handle)}
    assert titles["c"] == "'=1+1 丙市"
    assert pd.read_parquet(parquet_out).set_index("doc_id").loc["c", "title"] == "=1+1 丙市"


def test_convert_round_trips_through_read_corpus(small_folder, tmp_path):
    out = tmp_path / "docs.parquet"
    assert main(["convert", str(small_folder), "--to", str(out)]) == 0
    original = read_corpus(small_folder)
    again = read_corpus(out, text_column="text", id_column="doc_id")
    assert sorted(again.texts.index) == sorted(original.texts.index)
    for doc_id, text in original.texts.items():
        assert again.texts[doc_id] == text


def test_relative_paths_are_relative_to_the_working_directory(small_folder, monkeypatch, capsys):
    monkeypatch.chdir(small_folder.parent)
    assert main(["locality", small_folder.name]) == 0
    assert "丙市" not in capsys.readouterr().err


def test_missing_corpus_is_a_clear_error(tmp_path, capsys):
    assert main(["terms", str(tmp_path / "nowhere")]) != 0
    assert "nowhere" in capsys.readouterr().err


def test_unreadable_file_suggests_the_option_to_skip_it(small_folder, capsys):
    (small_folder / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    assert main(["locality", str(small_folder)]) != 0
    assert "--on-error skip" in capsys.readouterr().err
    assert main(["locality", str(small_folder), "--on-error", "skip"]) == 0


def test_table_columns_are_mapped_and_renamed_on_request(tmp_path, capsys):
    table = pd.DataFrame({
        "url": ["https://example.org/a", "https://example.org/b"],
        "content": [BODY.format(place="甲区") * 2, BODY.format(place="乙县") * 2],
        "媒体": ["甲区融媒体中心", "乙县日报"],
    })
    path = tmp_path / "export.csv"
    table.to_csv(path, index=False)
    out = tmp_path / "docs.parquet"
    assert main(["convert", str(path), "--text-column", "content", "--column", "媒体=outlet", "--to", str(out)]) == 0
    docs = pd.read_parquet(out)
    assert docs["outlet"].tolist() == ["甲区融媒体中心", "乙县日报"]
    assert docs["text"].str.contains("甲区").tolist() == [True, False]
    assert main(["convert", str(path), "--column", "媒体", "--to", str(out)]) != 0
    assert "NAME=DOCVAR" in capsys.readouterr().err


def test_a_carriage_return_in_a_cell_does_not_split_the_csv_row(tmp_path):
    folder = tmp_path / "cr"
    folder.mkdir()
    (folder / "a.txt").write_text("甲区党史学习教育\n\n" + BODY.format(place="甲区") * 2, encoding="utf-8")
    (folder / "metadata.csv").write_text('file,doc_id,title\na.txt,a,"甲区\r=1+1"\n', encoding="utf-8")
    out = tmp_path / "docs.csv"
    assert main(["convert", str(folder), "--to", str(out)]) == 0
    with open(out, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1 and rows[0]["doc_id"] == "a"


def test_a_bad_reading_option_is_a_usage_error_naming_it(seeds_dir, capsys):
    assert main(["locality", str(seeds_dir), "--min-han-share", "2"]) == 2
    assert "min_han_share" in capsys.readouterr().err
