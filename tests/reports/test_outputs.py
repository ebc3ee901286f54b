"""Tests for corpus_tools.reports.outputs: tables and figures written the same way every run, inside the run folder."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from matplotlib.figure import Figure

from corpus_tools.paths import PROJECT_ROOT_ENV
from corpus_tools.reports import save_figure, save_table


def test_save_table_writes_plain_utf8_with_lf(tmp_path):
    df = pd.DataFrame({"district": ["淮阴区", "清江浦区"], "rate": [1 / 3, 2.0]})
    path = save_table(df, tmp_path, "rates")
    assert path == tmp_path / "tables" / "rates.csv"
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" not in raw
    assert raw.decode("utf-8") == "district,rate\n淮阴区,0.3333333333\n清江浦区,2\n"


def test_save_table_is_byte_identical_on_repeat(tmp_path):
    df = pd.DataFrame({"x": [0.1 + 0.2, 1e-12, 12345.678901234]})
    first = save_table(df, tmp_path / "a", "t").read_bytes()
    assert save_table(df, tmp_path / "b", "t.csv").read_bytes() == first


def test_save_table_resolves_relative_output_dir_against_project_root(tmp_path, monkeypatch):
    monkeypatch.setenv(PROJECT_ROOT_ENV, str(tmp_path))
    path = save_table(pd.DataFrame({"x": [1]}), "reports/scratch", "t", index=True)
    assert path == tmp_path / "reports" / "scratch" / "tables" / "t.csv"
    assert path.read_text(encoding="utf-8") == ",x\n0,1\n"


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_a_spreadsheet_would_evaluate_are_prefixed_and_parquet_keeps_them_raw(tmp_path, prefix):
    import csv

    cell = f"{prefix}HYPERLINK(\"http://evil.example\",\"点击\")"
    df = pd.DataFrame(
        {
            "title": [cell, "学史明理", None],
            "n": [-3, 2, 1],  # numbers stay numbers, negative ones too
            "rate": [-0.5, 1.25, 2.0],
            f"{prefix}列": ["a", "b", "c"],  # a column name from the corpus (a district, a term)
        }
    )
    path = save_table(df, tmp_path, "hostile")
    # Read back with the standard library, as a spreadsheet import sees the cells.
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["title", "n", "rate", f"'{prefix}列"]
    assert rows[1] == [f"'{cell}", "-3", "-0.5", "a"]
    assert rows[2] == ["学史明理", "2", "1.25", "b"]
    assert rows[3] == ["", "1", "2", "c"]
    assert len(rows) == 4  # a bare carriage return did not split a row
    raw = pd.read_parquet(path.with_suffix(".parquet"))
    assert list(raw.columns) == ["title", "n", "rate", f"{prefix}列"]
    assert raw["title"].iloc[0] == cell
    assert raw["n"].tolist() == [-3, 2, 1]
    assert str(raw["n"].dtype) == "int64"


def test_csv_neutralises_categories_and_index_and_the_parquet_copy_is_reproducible(tmp_path):
    df = pd.DataFrame({"group": pd.Categorical(["=1+1", "甲区"]), "x": [1, 2]}, index=["@a", "b"])
    first = save_table(df, tmp_path / "a", "t", index=True)
    assert first.read_text(encoding="utf-8") == ",group,x\n'@a,'=1+1,1\nb,甲区,2\n"
    second = save_table(df, tmp_path / "b", "t", index=True)
    assert first.with_suffix(".parquet").read_bytes() == second.with_suffix(".parquet").read_bytes()
    assert pd.read_parquet(first.with_suffix(".parquet")).index.tolist() == ["@a", "b"]


def test_a_column_parquet_cannot_type_is_kept_as_text(tmp_path):
    df = pd.DataFrame({"mixed": [1, "二", [3]], "ok": [1, 2, 3]})
    path = save_table(df, tmp_path, "mixed")
    assert pd.read_parquet(path.with_suffix(".parquet"))["mixed"].tolist() == ["1", "二", "[3]"]


def test_save_figure_is_deterministic_and_has_no_software_tag(tmp_path):
    fig = Figure(figsize=(2, 2))  # no pyplot: no global figure or backend state in tests
    fig.subplots().plot([0, 1], [1, 0])
    first = save_figure(fig, tmp_path / "a", "line", dpi=50).path
    second = save_figure(fig, tmp_path / "b", "line.png", dpi=50).path
    assert first == tmp_path / "a" / "figures" / "line.png"
    assert first.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert first.read_bytes() == second.read_bytes()
    assert b"Matplotlib" not in first.read_bytes()


def test_a_saved_figure_displays_as_the_file_written_with_its_title_as_alt_text(tmp_path):
    import matplotlib.image

    from corpus_tools.textplot import use_cjk_font

    use_cjk_font()
    fig = Figure(figsize=(4, 3))
    fig.subplots().set_title("各组概况")
    saved = save_figure(fig, tmp_path, "profile", dpi=50)
    data, metadata = saved._repr_png_()
    assert data == saved.path.read_bytes()  # the file itself, not a second rendering
    height_px, width_px = matplotlib.image.imread(saved.path).shape[:2]
    assert metadata == {"width": round(width_px * 100 / 50), "alt": "各组概况"}
    assert os.fspath(saved) == str(saved.path)
    assert str(tmp_path) not in repr(saved)  # notebook text output does not depend on the run folder
    untitled = save_figure(Figure(figsize=(2, 2)), tmp_path, "untitled", dpi=50)
    assert untitled._repr_png_()[1]["alt"] == "untitled"


@pytest.mark.parametrize("name", ["../evil", "..", "a/b", "a\\b", ".hidden", "", "x/../../evil"])
def test_save_table_and_figure_refuse_names_that_leave_the_folder(tmp_path, name):
    with pytest.raises(ValueError, match="name"):
        save_table(pd.DataFrame({"x": [1]}), tmp_path / "run", name)
    with pytest.raises(ValueError, match="name"):
        save_figure(None, tmp_path / "run", name)
    assert not (tmp_path / "evil.csv").exists()
    assert not (tmp_path / "run").exists()


def test_the_old_output_dir_keyword_still_works_with_a_warning(tmp_path):
    df = pd.DataFrame({"district": ["甲区"], "n_docs": [2]})
    with pytest.warns(FutureWarning, match="'output_dir' is renamed 'out_dir'"):
        old = save_table(df, output_dir=tmp_path / "old", name="t")
    new = save_table(df, out_dir=tmp_path / "new", name="t")
    assert old.read_bytes() == new.read_bytes() == "district,n_docs\n甲区,2\n".encode()
    fig = Figure(figsize=(2, 1))
    fig.add_subplot().set_title("标题")
    with pytest.warns(FutureWarning, match="'output_dir' is renamed 'out_dir'"):
        saved = save_figure(fig, output_dir=tmp_path, name="f")
    assert saved.path == tmp_path / "figures" / "f.png"


def test_a_long_table_is_written_in_row_groups_with_one_schema(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    from corpus_tools.reports import outputs

    monkeypatch.setattr(outputs, "PARQUET_BATCH_ROWS", 3)
    # The text column is empty in the first batch and holds strings later, and the formula-like
    # cell is in the last batch: the schema and the neutralising must see the whole table.
    df = pd.DataFrame({"n": range(8), "text": [None, None, None, "甲", "乙", None, "丙", "=1+1"],
                       "kind": pd.Categorical(list("abababab"))})
    kept = df.copy()
    path = save_table(df, tmp_path, "long")
    parquet = path.with_suffix(".parquet")
    assert pq.ParquetFile(parquet).metadata.num_row_groups == 3
    pd.testing.assert_frame_equal(pd.read_parquet(parquet), df)
    assert "string" in str(pq.read_schema(parquet).field("text").type)
    assert path.read_text(encoding="utf-8").splitlines()[-1] == "7,'=1+1,b"
    pd.testing.assert_frame_equal(df, kept)  # the caller's table is left as it was
    first = parquet.read_bytes()
    save_table(df, tmp_path, "long")
    assert parquet.read_bytes() == first


@pytest.mark.parametrize("index", [False, True])
def test_the_schema_of_a_long_table_is_the_one_pyarrow_infers_from_the_whole_table(monkeypatch, index):
    # Batches of 3 rows: a text column empty in the first batch, an object column of ints then
    # floats, a column with no value at all, a categorical and a nullable int. The batched
    # inference must give pyarrow's schema for the whole table, metadata included.
    import pyarrow as pa

    from corpus_tools.reports import outputs

    monkeypatch.setattr(outputs, "PARQUET_BATCH_ROWS", 3)
    doc_ids = pd.Index([f"d{i}" for i in range(7)], name="doc_id")
    df = pd.DataFrame({
        "text": [None, None, None, "甲", "乙", None, "丙"],
        "mixed": pd.Series([1, 2, 3, 4, 5.5, None, 7], dtype=object, index=doc_ids),
        "nothing": pd.Series([None] * 7, dtype=object, index=doc_ids),
        "kind": pd.Categorical(list("abababa")),
        "count": pd.array([1, None, 3, 4, 5, 6, 7], dtype="Int64"),
    }, index=doc_ids)
    expected = pa.Schema.from_pandas(df, preserve_index=index)
    assert outputs._arrow_schema(df, index=index).equals(expected, check_metadata=True)
    # The cases are not trivial: the first batch alone would type these null and int64.
    assert "string" in str(expected.field("text").type)
    assert expected.field("mixed").type == pa.float64()
