"""Tests for corpus_tools.dtm.store: the on-disk format of a document-term matrix."""

from __future__ import annotations

import pandas as pd
import pytest
import scipy.sparse as sp

from corpus_tools.dtm import DocTermMatrix

from .toy import COUNTS, TERMS, TOY


# -- save / load ------------------------------------------------------------------------------


def _assert_same(got: DocTermMatrix, expected: DocTermMatrix) -> None:
    assert got.terms == expected.terms
    assert (got.matrix != expected.matrix).nnz == 0 and got.shape == expected.shape
    pd.testing.assert_frame_equal(got.docvars, expected.docvars)
    assert got.history == expected.history


def test_save_load_round_trip_keeps_counts_terms_docvars_and_dtypes(toy_dtm, tmp_path):
    matrix = toy_dtm
    docvars = matrix.docvars.copy()
    docvars["note"] = pd.Series(["甲", "乙", "丙", "丁"], index=docvars.index, dtype=object)
    docvars["label"] = pd.Categorical(["x", "y", "x", "y"])
    docvars["weight"] = [0.5, 1.0, 1.5, 2.0]
    original = DocTermMatrix(matrix=matrix.matrix, terms=matrix.terms, docvars=docvars, history=matrix.history)
    folder = original.save(tmp_path / "toy")
    assert sorted(p.name for p in folder.iterdir()) == ["docvars.parquet", "dtm.json", "matrix.npz", "terms.parquet"]
    loaded = DocTermMatrix.load(folder)
    _assert_same(loaded, original)
    assert loaded.docvars["note"].dtype == object  # Parquet alone would give the str dtype
    assert loaded.docvars["district"].tolist()[:3] == ["槐荫区", "槐荫区", "市中区"]
    assert pd.isna(loaded.docvars["district"].iloc[3])  # a missing district stays missing
    # A grouped matrix (index = group values) and an empty one survive too.
    grouped = original.group("doc_id")
    _assert_same(DocTermMatrix.load(grouped.save(tmp_path / "grouped")), grouped)
    empty = original.trim(min_termfreq=100)
    _assert_same(DocTermMatrix.load(empty.save(tmp_path / "empty")), empty)


def test_saved_files_are_plain_scipy_and_parquet(toy_dtm, tmp_path):
    import json

    folder = toy_dtm.save(tmp_path / "toy", provenance={"source": "hand-counted toy"})
    assert sp.load_npz(folder / "matrix.npz").toarray().tolist() == COUNTS
    assert tuple(pd.read_parquet(folder / "terms.parquet")["term"]) == TERMS
    assert list(pd.read_parquet(folder / "docvars.parquet").index) == list(TOY)
    manifest = json.loads((folder / "dtm.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "corpus_tools.DocTermMatrix" and manifest["format_version"] == 1
    assert manifest["shape"] == [4, 5] and manifest["nnz"] == toy_dtm.matrix.nnz
    assert manifest["provenance"] == {"source": "hand-counted toy"}


def test_save_refuses_to_clobber_and_replaces_only_saved_matrices(toy_dtm, tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "keep.txt").write_text("x", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not empty"):
        toy_dtm.save(target)
    with pytest.raises(FileExistsError, match="no dtm.json"):
        toy_dtm.save(target, overwrite=True)
    assert (target / "keep.txt").exists()
    saved = tmp_path / "saved"
    toy_dtm.save(saved)
    trimmed = toy_dtm.trim(min_docfreq=2)
    trimmed.save(saved, overwrite=True)
    _assert_same(DocTermMatrix.load(saved), trimmed)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "saved"]  # no staging left behind


def test_load_rejects_incomplete_or_newer_folders(toy_dtm, tmp_path):
    import json

    with pytest.raises(FileNotFoundError, match="dtm.json"):
        DocTermMatrix.load(tmp_path)
    folder = toy_dtm.save(tmp_path / "toy")
    manifest_path = folder / "dtm.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest_path.write_text(json.dumps({**manifest, "format_version": 99}), encoding="utf-8")
    with pytest.raises(ValueError, match="format_version 99"):
        DocTermMatrix.load(folder)
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    (folder / "terms.parquet").unlink()
    with pytest.raises(FileNotFoundError, match="terms.parquet"):
        DocTermMatrix.load(folder)


def test_write_and_read_dtm_are_the_format_without_the_class(toy_dtm, tmp_path):
    from corpus_tools.dtm import read_dtm, write_dtm
    from corpus_tools.dtm.store import package_version, read_manifest

    folder = write_dtm(
        tmp_path / "raw", matrix=toy_dtm.matrix, terms=toy_dtm.terms, docvars=toy_dtm.docvars,
        history=("a", "b"), provenance={"note": "手工"},
    )
    pieces = read_dtm(folder)
    assert sorted(pieces) == ["docvars", "history", "matrix", "terms"]
    assert pieces["matrix"].toarray().tolist() == COUNTS and pieces["terms"] == TERMS
    assert pieces["history"] == ("a", "b")
    manifest = read_manifest(folder)
    assert manifest["provenance"] == {"note": "手工"}
    assert manifest["corpus_tools_version"] == package_version() != ""


def test_write_npz_takes_arrays_block_by_block(tmp_path):
    import numpy as np

    from corpus_tools.dtm import write_npz

    path = tmp_path / "blocks.npz"
    write_npz(path, {"whole": np.array([1, 2, 3]), "parts": (np.int32, 5, lambda: iter([np.arange(2), np.arange(3)]))})
    with np.load(path) as archive:
        assert archive["whole"].tolist() == [1, 2, 3]
        assert archive["parts"].tolist() == [0, 1, 0, 1, 2] and archive["parts"].dtype == np.int32
    with pytest.raises(RuntimeError, match="declared with 4"):
        write_npz(tmp_path / "short.npz", {"x": (np.int32, 4, lambda: iter([np.arange(3)]))})


def test_save_takes_out_dir_and_still_path_with_a_warning(toy_dtm, tmp_path):
    assert toy_dtm.save(out_dir=tmp_path / "new") == tmp_path / "new"
    with pytest.warns(FutureWarning, match="'path' is renamed 'out_dir'"):
        folder = toy_dtm.save(path=tmp_path / "old")
    assert DocTermMatrix.load(folder).matrix.toarray().tolist() == COUNTS


def test_store_helpers_take_out_dir_and_still_their_old_names_with_a_warning(tmp_path):
    import json

    from corpus_tools.dtm import output_folder, write_sidecars

    sidecars = {"terms": ["党史", "学习"], "docvars": pd.DataFrame({"district": ["甲区"]}, index=pd.Index(["a"], name="doc_id")),
                "history": ["手工"], "shape": (1, 2), "nnz": 2, "provenance": None}
    (tmp_path / "new").mkdir()
    write_sidecars(out_dir=tmp_path / "new", **sidecars)
    (tmp_path / "old").mkdir()
    with pytest.warns(FutureWarning, match="'folder' is renamed 'out_dir'"):
        write_sidecars(folder=tmp_path / "old", **sidecars)
    for name in ("terms.parquet", "docvars.parquet"):
        assert (tmp_path / "new" / name).read_bytes() == (tmp_path / "old" / name).read_bytes()
    manifest = json.loads((tmp_path / "old" / "dtm.json").read_text(encoding="utf-8"))
    assert manifest["shape"] == [1, 2] and manifest["history"] == ["手工"]

    with output_folder(out_dir=tmp_path / "swapped", overwrite=False) as staging:
        (staging / "x.txt").write_text("一", encoding="utf-8")
    assert (tmp_path / "swapped" / "x.txt").read_text(encoding="utf-8") == "一"
    with pytest.warns(FutureWarning, match="'path' is renamed 'out_dir'"):
        with output_folder(path=tmp_path / "swapped-old", overwrite=False) as staging:
            (staging / "x.txt").write_text("二", encoding="utf-8")
    assert (tmp_path / "swapped-old" / "x.txt").read_text(encoding="utf-8") == "二"
