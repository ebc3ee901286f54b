"""The corpus store: open_corpus reads a corpus once and loads it after that (corpus/store.py)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import pandas as pd
import pytest

from corpus_tools.corpus import build, open_corpus, read_corpus, store
from corpus_tools.corpus.metadata import group_labels
from corpus_tools.io import ReadOptions
from corpus_tools.corpus.store import (
    MANIFEST_FILE,
    TABLE_FILES,
    assert_same_corpus,
    combined_sha256,
    corpus_key,
    file_hashes,
    load_corpus,
    save_corpus,
    stored_corpus,
)

# Constructed texts (two districts, one in traditional script), each above the 50 Han
# characters a usable text needs.
TRADITIONAL = (
    "甲區召開黨史學習教育動員大會\n\n"
    "會議強調，要認真學習黨的歷史，深刻領會黨的創新理論，把學習成果轉化為推動發展的實際行動。"
    "全區各級黨組織要精心組織，確保學習教育取得實效。\n"
)
SIMPLIFIED = (
    "乙县理论学习中心组召开专题学习会\n\n"
    "会议指出，要把党史学习教育同当前工作结合起来，在学史明理、学史增信、学史崇德、学史力行上下功夫，"
    "为群众办实事解难题，推动高质量发展。\n"
)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    """A cache folder of this test's own, so that every test starts with no store."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("DANGSHI_CACHE_DIR", str(folder))
    monkeypatch.delenv("DANGSHI_CACHE", raising=False)
    return folder


@pytest.fixture
def mixed(tmp_path) -> Path:
    """A folder with a traditional-script report, a simplified one and an empty file (a problem)."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a.txt").write_text(TRADITIONAL, encoding="utf-8")
    (folder / "b.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    return folder


def _stores(cache_dir: Path) -> list[str]:
    root = cache_dir / "corpora"
    return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


class _Reads:
    """Counts the corpus reads open_corpus makes (read_corpus calls)."""

    def __init__(self, monkeypatch):
        self.n = 0
        monkeypatch.setattr(build, "read_corpus", self)

    def __call__(self, *args, **kwargs):
        self.n += 1
        return read_corpus(*args, **kwargs)


# --------------------------------------------------------------------- reuse and equality


def test_seeds_are_read_once_and_loaded_equal(seeds_dir, cache_dir, monkeypatch, caplog):
    reads = _Reads(monkeypatch)
    with caplog.at_level(logging.INFO, logger="corpus_tools"):
        first = open_corpus(seeds_dir)
        second = open_corpus(seeds_dir)
    assert reads.n == 1
    direct = read_corpus(seeds_dir)
    assert_same_corpus(first, direct)
    assert_same_corpus(second, direct)
    messages = [r.getMessage() for r in caplog.records if r.name == "corpus_tools.corpus.store"]
    assert len(messages) == 2
    assert messages[0].startswith("stored the corpus (hash ")
    assert messages[1].startswith("reused the stored corpus (hash ")
    assert len(_stores(cache_dir)) == 1


def test_the_group_docvar_is_added_to_a_loaded_corpus(seeds_dir, cache_dir):
    open_corpus(seeds_dir)
    grouped = open_corpus(seeds_dir, by="district")
    expected = group_labels(read_corpus(seeds_dir).docvars, "district")
    pd.testing.assert_series_equal(grouped.docvars["group"], expected, check_names=False)


def test_traditional_script_and_a_problem_file_load_equal(mixed, cache_dir, monkeypatch):
    reads = _Reads(monkeypatch)
    first = open_corpus(mixed, on_error="skip")
    second = open_corpus(mixed, on_error="skip")
    assert reads.n == 1
    direct = read_corpus(mixed, on_error="skip")
    assert_same_corpus(first, direct)
    assert_same_corpus(second, direct)
    assert second.docvars.loc["a", "script"] == "traditional"
    assert "黨" not in second.texts["a"] and "党的历史" in second.texts["a"]
    assert second.problems[["source", "code", "action"]].values.tolist() == [["empty.txt", "empty", "skipped"]]
    assert second.docvars["row"].dtype == direct.docvars["row"].dtype


def test_a_reused_corpus_with_skipped_inputs_still_warns(mixed, cache_dir, caplog):
    open_corpus(mixed, on_error="skip")
    with caplog.at_level(logging.WARNING, logger="corpus_tools"):
        open_corpus(mixed, on_error="skip")
    assert any("1 input(s) skipped" in r.getMessage() for r in caplog.records)


def test_a_table_of_articles_with_numeric_docvars_loads_equal(tmp_path, cache_dir):
    table = pd.DataFrame(
        {"id": ["x1", "x2"], "text": [TRADITIONAL, SIMPLIFIED], "views": [12, 7], "score": [0.5, float("nan")],
         "标签": ["动员", None]}
    )
    path = tmp_path / "articles.csv"
    table.to_csv(path, index=False)
    first = open_corpus(path, cache=tmp_path / "store")
    second = open_corpus(path, cache=tmp_path / "store")
    assert_same_corpus(first, read_corpus(path))
    assert_same_corpus(second, first)
    assert len(list((tmp_path / "store").iterdir())) >= 1


# ------------------------------------------------------------------------- what rebuilds


def test_a_changed_file_rebuilds(mixed, cache_dir, monkeypatch):
    reads = _Reads(monkeypatch)
    open_corpus(mixed, on_error="skip")
    (mixed / "b.txt").write_text(SIMPLIFIED.replace("高质量发展", "乡村振兴"), encoding="utf-8")
    changed = open_corpus(mixed, on_error="skip")
    assert reads.n == 2
    assert "乡村振兴" in changed.texts["b"]
    assert_same_corpus(changed, read_corpus(mixed, on_error="skip"))
    assert len(_stores(cache_dir)) == 2


def test_an_added_or_removed_file_rebuilds(mixed, cache_dir, monkeypatch):
    reads = _Reads(monkeypatch)
    open_corpus(mixed, on_error="skip")
    (mixed / "empty.txt").unlink()
    assert open_corpus(mixed, on_error="skip").problems.empty
    assert reads.n == 2


def test_a_changed_option_rebuilds_and_unrelated_ones_do_not(mixed, cache_dir, monkeypatch):
    reads = _Reads(monkeypatch)
    open_corpus(mixed, on_error="skip")
    open_corpus(mixed, on_error="skip", n_jobs=1, progress=False)  # same corpus whatever the processes
    assert reads.n == 1
    strict = open_corpus(mixed, on_error="skip", min_han_chars=75)
    assert reads.n == 2
    assert strict.doc_ids == ["a"] and "too_short" in strict.problems["code"].tolist()


def test_a_changed_manifest_outside_the_folder_rebuilds(mixed, tmp_path, cache_dir, monkeypatch):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("doc_id,file,district\na,a.txt,甲区\nb,b.txt,乙县\n", encoding="utf-8")
    (mixed / "empty.txt").unlink()
    reads = _Reads(monkeypatch)
    assert open_corpus(mixed, metadata=manifest).docvars["district"].tolist() == ["甲区", "乙县"]
    manifest.write_text("doc_id,file,district\na,a.txt,丁区\nb,b.txt,乙县\n", encoding="utf-8")
    assert open_corpus(mixed, metadata=manifest).docvars["district"].tolist() == ["丁区", "乙县"]
    assert open_corpus(mixed, metadata=False).docvars.index.tolist() == ["a", "b"]
    assert reads.n == 3


def test_edited_cleaning_code_or_a_new_version_rebuilds(mixed, cache_dir, monkeypatch):
    reads = _Reads(monkeypatch)
    open_corpus(mixed, on_error="skip")
    monkeypatch.setattr(store, "package_fingerprint", lambda: "0" * 64)
    open_corpus(mixed, on_error="skip")
    monkeypatch.setattr(store, "_package_version", lambda: "9.9.9")
    open_corpus(mixed, on_error="skip")
    open_corpus(mixed, on_error="skip")
    assert reads.n == 3


def test_the_fingerprint_covers_the_cleaning_code_and_the_data():
    package = Path(store.__file__).resolve().parents[1]
    hashes = {f"{part}/{name}": digest for part in ("io", "corpus", "data", "dtm")
              for name, digest in file_hashes(package / part).items()}
    hashes = {k: v for k, v in hashes.items() if not k.startswith("dtm/") or k == "dtm/store.py"}
    hashes.update({p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in package.glob("*.py")})
    assert store.package_fingerprint.__wrapped__() == combined_sha256(hashes)  # not the per-process value


def test_the_key_covers_the_inputs_only(mixed, tmp_path):
    key, inputs = corpus_key(mixed)
    assert corpus_key(mixed) == (key, inputs)
    assert inputs["corpus"] == str(mixed.resolve())
    assert inputs["corpus_sha256"] == combined_sha256(file_hashes(mixed))
    assert inputs["options"]["on_error"] == "raise" and inputs["n_files"] == 3
    expected = hashlib.sha256(json.dumps(inputs, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]
    assert key == expected
    (mixed / ".DS_Store").write_bytes(b"\0\1")  # not an input
    assert corpus_key(mixed)[0] == key


# ------------------------------------------------------------------------ switched off


def test_cache_false_never_stores(mixed, cache_dir, monkeypatch):
    reads = _Reads(monkeypatch)
    open_corpus(mixed, on_error="skip", cache=False)
    open_corpus(mixed, on_error="skip", cache=False)
    assert reads.n == 2 and _stores(cache_dir) == []


def test_the_environment_switch_turns_the_store_off(mixed, cache_dir, monkeypatch):
    monkeypatch.setenv("DANGSHI_CACHE", "off")
    reads = _Reads(monkeypatch)
    open_corpus(mixed, on_error="skip")
    open_corpus(mixed, on_error="skip")
    assert reads.n == 2 and _stores(cache_dir) == []


def test_a_folder_others_can_write_to_is_not_used(mixed, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    with pytest.warns(RuntimeWarning, match="writable by other users"):
        corpus = open_corpus(mixed, on_error="skip", cache=shared)
    assert_same_corpus(corpus, read_corpus(mixed, on_error="skip"))
    assert [p.name for p in shared.iterdir()] == []


def test_bad_options_fail_before_anything_is_loaded(mixed, cache_dir):
    open_corpus(mixed, on_error="skip")
    with pytest.raises(TypeError, match="did you mean 'text_column'"):
        open_corpus(mixed, on_error="skip", text_colum="x")
    with pytest.raises((TypeError, ValueError), match="n_jobs"):
        open_corpus(mixed, on_error="skip", n_jobs=0)
    with pytest.raises(TypeError, match="cache must be"):
        open_corpus(mixed, on_error="skip", cache=3)


def test_a_missing_folder_is_the_readers_error(tmp_path, cache_dir):
    from corpus_tools.io import CorpusReadError

    with pytest.raises(CorpusReadError, match="missing"):
        open_corpus(tmp_path / "missing")


# ------------------------------------------------------------------ atomic and checked


def test_a_failed_write_leaves_no_store(mixed, cache_dir, monkeypatch):
    def broken(corpus, folder, *, inputs=None):
        (Path(folder) / TABLE_FILES["docvars"]).write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "save_corpus", broken)
    with pytest.warns(RuntimeWarning, match="not stored"):
        corpus = open_corpus(mixed, on_error="skip")
    assert_same_corpus(corpus, read_corpus(mixed, on_error="skip"))
    assert list((cache_dir / "corpora").glob("*")) == [cache_dir / "corpora" / ".result-key"]


def test_a_killed_runs_staging_folder_is_never_loaded_and_later_removed(mixed, cache_dir, monkeypatch):
    key, _ = corpus_key(mixed, options=ReadOptions(on_error="skip"))
    root = cache_dir / "corpora"
    root.mkdir(parents=True, mode=0o700)
    old = root / f".{key}.partial-killed"
    old.mkdir()
    (old / MANIFEST_FILE).write_text("{", encoding="utf-8")  # cut off mid-write
    os.utime(old, (1, 1))
    recent = root / f".{key}.partial-running"
    recent.mkdir()
    reads = _Reads(monkeypatch)
    corpus = open_corpus(mixed, on_error="skip")
    assert reads.n == 1
    assert_same_corpus(corpus, read_corpus(mixed, on_error="skip"))
    assert not old.exists() and recent.exists()  # another process may still be writing that one
    assert _stores(cache_dir) == sorted([key, recent.name])


def test_a_damaged_store_is_rebuilt(mixed, cache_dir, monkeypatch, caplog):
    open_corpus(mixed, on_error="skip")
    (folder,) = _stores(cache_dir)
    texts = cache_dir / "corpora" / folder / TABLE_FILES["texts"]
    pd.DataFrame({"raw_text": ["x"], "text": ["y"]}, index=pd.Index(["a"], name="doc_id")).to_parquet(texts)
    reads = _Reads(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="corpus_tools"):
        corpus = open_corpus(mixed, on_error="skip")
    assert reads.n == 1
    assert any("cannot be used" in r.getMessage() for r in caplog.records)
    assert_same_corpus(corpus, read_corpus(mixed, on_error="skip"))
    assert_same_corpus(load_corpus(cache_dir / "corpora" / folder), corpus)


def test_a_corpus_parquet_cannot_hold_exactly_is_not_stored(tmp_path, toy):
    # a docvar mixing numbers and strings has no Parquet type
    odd = toy.assign_docvars(views=[1, "many", 3])
    with pytest.warns(RuntimeWarning, match="not stored"):
        corpus = stored_corpus(tmp_path / "none", lambda: odd, cache=tmp_path / "store")
    assert corpus is odd
    assert [p.name for p in (tmp_path / "store").iterdir()] == [".result-key"]


def test_save_and_load_round_trip_on_the_toy_corpus(tmp_path, toy):
    folder = save_corpus(toy, tmp_path / "toy", inputs={"note": "toy"})
    manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["n_documents"] == 3 and manifest["inputs"] == {"note": "toy"}
    assert set(manifest["files"]) == set(TABLE_FILES.values())
    assert_same_corpus(load_corpus(folder), toy)


def test_load_refuses_a_folder_that_is_not_a_store(tmp_path):
    with pytest.raises(ValueError, match="cannot be read"):
        load_corpus(tmp_path)
    (tmp_path / MANIFEST_FILE).write_text('{"format": "other"}', encoding="utf-8")
    with pytest.raises(ValueError, match="not a stored corpus"):
        load_corpus(tmp_path)


# ------------------------------------------------------------------------------ hashing


def test_file_hashes_are_sha256_by_relative_path(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_bytes(b"abc")
    (tmp_path / "sub" / "b.txt").write_bytes("党史".encode())
    (tmp_path / ".hidden").write_bytes(b"x")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "c.pyc").write_bytes(b"x")
    hashes = file_hashes(tmp_path)
    assert hashes == {
        "a.txt": hashlib.sha256(b"abc").hexdigest(),
        "sub/b.txt": hashlib.sha256("党史".encode()).hexdigest(),
    }
    listing = f"{hashes['a.txt']}  a.txt\n{hashes['sub/b.txt']}  sub/b.txt\n"
    assert combined_sha256(hashes) == hashlib.sha256(listing.encode()).hexdigest()
    assert file_hashes(tmp_path / "a.txt") == {"a.txt": hashes["a.txt"]}
