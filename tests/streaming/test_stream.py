"""Tests for corpus_tools.streaming.stream: the streaming path equals the in-memory one, with bounded memory."""

from __future__ import annotations

import concurrent.futures
import threading

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import corpus_tools as ct
from corpus_tools.corpus import CorpusReadError
from corpus_tools.dtm import DocTermMatrix
from corpus_tools.streaming.chunks import process_chunk
from corpus_tools.streaming.sources import SourceDocument
from corpus_tools.streaming.stream import TOKENS_FILE, stream_dtm

from .checks import assert_same_dtm

# Three-paragraph body in simplified script; every paragraph is a full sentence, so the structure
# rules keep all three as body. The traditional twin is the same text written in traditional
# characters by hand (not by OpenCC), with inline pinyin readings that cleaning removes.
SIMPLIFIED = (
    "党史学习教育动员大会召开\n\n"
    "全区上下坚持学史明理、学史增信、学史崇德、学史力行，推动党史学习教育走深走实。\n\n"
    "各级党组织开展“我为群众办实事”实践活动，为群众解决急难愁盼问题，学史明理见实效。\n\n"
    "广大党员干部表示，要把学习成果转化为工作动力，坚持学史明理、学史力行。"
)
TRADITIONAL = (
    "黨史學習教育動員大會召開\n\n"
    "全區上下堅持學(xué)史明理、學史增信、學史崇德、學史力行，推動黨史學習教育走深走實。\n\n"
    "各級黨組織開展“我為群眾辦實事”實踐活動，為群眾解決急難愁盼問題，學史明理見實效。\n\n"
    "廣大黨員幹部表示，要把學習成果轉化為工作動力，堅持學史明理、學史力行。"
)
CONSTRUCTED = {
    "simp": SIMPLIFIED,
    "trad": TRADITIONAL,
    # At least 50 Han characters: read_corpus refuses shorter files as too short to analyse.
    "short": (
        "乙县扎实开展党史学习教育，组织党员干部学党史、悟思想、办实事、开新局，"
        "推动党史宣讲进社区、进农村、进学校，把学习成果转化为推动发展的实际行动。"
    ),
}


@pytest.fixture(scope="module")
def seeds_paragraph_dtm(seeds_dir) -> DocTermMatrix:
    return ct.dtm(ct.tokenize(ct.read_corpus(seeds_dir, metadata=False), unit="paragraph"))


# -- equality with the in-memory path ---------------------------------------------------------


@pytest.mark.parametrize("unit", ["document", "paragraph", "sentence"])
def test_stream_equals_in_memory_on_seeds(seeds_dir, unit):
    expected = ct.dtm(ct.tokenize(ct.read_corpus(seeds_dir, metadata=False), unit=unit))
    # chunk_size=2: five documents cross chunk boundaries, so merging is exercised.
    result = stream_dtm(seeds_dir, metadata=False, unit=unit, chunk_size=2, progress=False)
    assert_same_dtm(result.dtm(), expected)
    assert (result.n_docs, result.n_units, result.n_terms) == (5, expected.n_docs, expected.n_terms)
    assert result.n_tokens == int(expected.matrix.sum())
    assert result.n_bytes == sum(p.stat().st_size for p in seeds_dir.glob("*.txt"))


def test_stream_with_manifest_equals_read_corpus(seeds_dir):
    expected = ct.dtm(ct.tokenize(ct.read_corpus(seeds_dir), unit="document"))
    got = stream_dtm(seeds_dir, chunk_size=3, progress=False).dtm()
    assert_same_dtm(got, expected)
    assert got.docvars.loc["chongqing-wulong", "district"] == "武隆区"  # from the manifest


@pytest.mark.parametrize("unit", ["document", "paragraph"])
def test_stream_equals_in_memory_on_constructed_texts(unit):
    expected = ct.dtm(ct.tokenize(ct.corpus_from_texts(CONSTRUCTED), unit=unit))
    got = stream_dtm(CONSTRUCTED, unit=unit, chunk_size=1, progress=False).dtm()
    assert_same_dtm(got, expected)


def test_traditional_twin_counts_like_its_simplified_original():
    counts = stream_dtm(CONSTRUCTED, unit="paragraph", chunk_size=2, progress=False).dtm()
    frame = counts.to_frame()
    table = frame.assign(para=frame["unit_id"].str.split(":").str[1], doc=frame["unit_id"].str.split(":").str[0])
    simp = table[table["doc"] == "simp"].set_index(["para", "term"])["count"]
    trad = table[table["doc"] == "trad"].set_index(["para", "term"])["count"]
    pd.testing.assert_series_equal(simp.sort_index(), trad.sort_index())
    # Planted: 学史明理 once in each of the three body paragraphs (the first line is the title).
    assert simp.xs("学史明理", level="term").tolist() == [1, 1, 1]
    by_doc = counts.group("doc_id")
    column = counts.terms.index("学史明理")
    assert list(by_doc.docvars.index) == ["short", "simp", "trad"]  # groups in sorted order
    assert by_doc.matrix[:, column].toarray().ravel().tolist() == [
        CONSTRUCTED["short"].count("学史明理"),
        SIMPLIFIED.count("学史明理"),
        SIMPLIFIED.count("学史明理"),
    ]
    assert counts.docvars.groupby("doc_id")["script"].first().to_dict() == {
        "short": "simplified",
        "simp": "simplified",
        "trad": "traditional",
    }
    assert counts.docvars.loc["simp:p003", "para_no"] == 3


def test_generator_source_and_process_chunk_counts():
    pairs = ((doc_id, text) for doc_id, text in CONSTRUCTED.items())
    got = stream_dtm(pairs, chunk_size=2, progress=False).dtm()
    assert list(got.docvars.index) == list(CONSTRUCTED)
    # process_chunk on its own: a hand-countable text.
    result = process_chunk([SourceDocument("a", text="学史明理，学史明理，学史增信。")])
    counted = {result.vocab[c]: int(v) for c, v in zip(result.cols, result.vals)}
    assert counted == {"学史明理": 2, "，": 2, "学史增信": 1, "。": 1}
    assert result.n_tokens.tolist() == [6]


# -- on disk ----------------------------------------------------------------------------------


def test_out_dir_round_trip_matrix_and_tokens(seeds_dir, seeds_paragraph_dtm, tmp_path):
    out = tmp_path / "stream"
    result = stream_dtm(seeds_dir, metadata=False, unit="paragraph", out_dir=out, chunk_size=2, progress=False)
    assert sorted(p.name for p in out.iterdir()) == [
        "docvars.parquet", "dtm.json", "matrix.npz", "terms.parquet", TOKENS_FILE,
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["stream"]  # no staging folder left behind
    assert_same_dtm(DocTermMatrix.load(out), seeds_paragraph_dtm)
    # The files are plain scipy / Parquet, readable without this package.
    raw = sp.load_npz(out / "matrix.npz")
    assert (raw != seeds_paragraph_dtm.matrix).nnz == 0
    assert tuple(pd.read_parquet(out / "terms.parquet")["term"]) == seeds_paragraph_dtm.terms
    expected_tokens = ct.tokenize(ct.read_corpus(seeds_dir, metadata=False), unit="paragraph")
    frame = result.tokens_frame()
    assert list(frame.columns) == ["unit_id", "doc_id", "position", "token"]
    pd.testing.assert_frame_equal(frame, expected_tokens.to_frame(), check_dtype=False)
    tokens = result.tokens()
    assert tokens.tokens.equals(expected_tokens.tokens)
    pd.testing.assert_frame_equal(tokens.docvars, expected_tokens.docvars)


def test_pos_tags_are_kept(tmp_path):
    expected = ct.tokenize(ct.corpus_from_texts(CONSTRUCTED), pos=True)
    result = stream_dtm(CONSTRUCTED, pos=True, out_dir=tmp_path / "out", progress=False)
    tokens = result.tokens()
    assert tokens.tokens.equals(expected.tokens)
    assert tokens.pos.equals(expected.pos)


def test_existing_out_dir_is_refused_unless_overwrite(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(FileExistsError, match=str(out)):
        stream_dtm(CONSTRUCTED, out_dir=out, progress=False)
    # overwrite=True never deletes a folder that does not hold a saved matrix.
    with pytest.raises(FileExistsError, match="dtm.json"):
        stream_dtm(CONSTRUCTED, out_dir=out, overwrite=True, progress=False)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep me"
    file_target = tmp_path / "a-file"
    file_target.write_text("x", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not a folder"):
        stream_dtm(CONSTRUCTED, out_dir=file_target, progress=False)


def test_failed_run_leaves_previous_output_intact(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for doc_id, text in CONSTRUCTED.items():
        (corpus / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    first = stream_dtm(corpus, out_dir=out, progress=False).dtm()
    (corpus / "zz-empty.txt").write_text("  \n", encoding="utf-8")
    with pytest.raises(CorpusReadError, match="zz-empty.txt"):
        stream_dtm(corpus, out_dir=out, overwrite=True, chunk_size=1, progress=False)
    assert_same_dtm(DocTermMatrix.load(out), first)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "out"]
    # And a good run replaces it.
    (corpus / "zz-empty.txt").unlink()
    (corpus / "zz-new.txt").write_text(CONSTRUCTED["short"], encoding="utf-8")
    second = stream_dtm(corpus, out_dir=out, overwrite=True, progress=False).dtm()
    assert second.n_docs == first.n_docs + 1
    assert_same_dtm(DocTermMatrix.load(out), second)


def test_bad_options_raise_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="keep_tokens=True needs out_dir"):
        stream_dtm(CONSTRUCTED, keep_tokens=True, progress=False)
    with pytest.raises(ValueError, match="unit"):
        stream_dtm(CONSTRUCTED, unit="page", progress=False)
    with pytest.raises(ValueError, match="duplicate doc_id 'a'"):
        stream_dtm([("a", "学史明理。"), ("a", "学史增信。")], progress=False)
    with pytest.raises(CorpusReadError, match="not a folder"):
        stream_dtm(tmp_path / "missing", progress=False)
    with pytest.raises(ValueError, match="n_jobs"):
        stream_dtm(CONSTRUCTED, n_jobs=0, progress=False)


# -- bounded memory ---------------------------------------------------------------------------


class CountingExecutor:
    """A thread pool that records how many submitted chunks have not been collected yet."""

    def __init__(self) -> None:
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=2)
        self.lock = threading.Lock()
        self.outstanding = 0
        self.max_outstanding = 0
        self.collected = 0

    def submit(self, fn, /, *args, **kwargs):
        with self.lock:
            self.outstanding += 1
            self.max_outstanding = max(self.max_outstanding, self.outstanding)
        return _CountedFuture(self, self.pool.submit(fn, *args, **kwargs))


class _CountedFuture:
    def __init__(self, owner: CountingExecutor, future) -> None:
        self.owner, self.future = owner, future

    def result(self):
        value = self.future.result()
        with self.owner.lock:
            self.owner.outstanding -= 1
            self.owner.collected += 1
        return value

    def cancel(self):
        return self.future.cancel()


def test_source_is_read_only_a_bounded_window_ahead():
    executor = CountingExecutor()
    chunk_size, window = 2, 3
    texts = {f"d{i:02d}": f"第{i}次会议强调，坚持学史明理、学史增信，推动党史学习教育走深走实。" for i in range(30)}
    lead = []

    def documents():
        for pulled, item in enumerate(texts.items(), start=1):
            # Documents already merged are those of the collected chunks.
            lead.append(pulled - executor.collected * chunk_size)
            yield item

    try:
        result = stream_dtm(
            documents(), executor=executor, chunk_size=chunk_size, max_pending_chunks=window, progress=False
        )
    finally:
        executor.pool.shutdown()
    assert executor.max_outstanding == window
    # Never more than `window` chunks in flight plus the chunk being assembled.
    assert max(lead) <= (window + 1) * chunk_size
    assert_same_dtm(result.dtm(), ct.dtm(ct.tokenize(ct.corpus_from_texts(texts))))


@pytest.mark.slow
def test_process_pool_equals_in_memory(seeds_dir, seeds_paragraph_dtm, tmp_path):
    result = stream_dtm(
        seeds_dir, metadata=False, unit="paragraph", n_jobs=2, chunk_size=1, out_dir=tmp_path / "out", progress=False
    )
    assert_same_dtm(result.dtm(), seeds_paragraph_dtm)


def test_matrix_is_written_in_blocks(monkeypatch, seeds_dir, seeds_paragraph_dtm, tmp_path):
    # Tiny blocks: the finishing pass that sorts the vocabulary must give the same matrix.
    monkeypatch.setattr("corpus_tools.streaming.merge._BLOCK_NNZ", 100)
    result = stream_dtm(seeds_dir, metadata=False, unit="paragraph", out_dir=tmp_path / "o", progress=False)
    assert_same_dtm(result.dtm(), seeds_paragraph_dtm)
    assert np.diff(result.dtm().matrix.indptr).max() > 100  # some row is larger than a block


def test_reading_options_reach_the_reader(tmp_path):
    readers = pytest.importorskip("corpus_tools.readers")
    if not hasattr(readers, "iter_documents"):
        pytest.skip("this corpus_tools has no corpus_tools.readers.iter_documents")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (corpus / "b.txt").write_text("学史明理。", encoding="utf-8")  # too short to analyse
    with pytest.raises(CorpusReadError, match="b.txt"):
        stream_dtm(corpus, progress=False)
    result = stream_dtm(corpus, on_error="skip", progress=False)
    assert [problem.source for problem in result.problems] == ["b.txt"]
    expected = ct.dtm(ct.tokenize(ct.read_corpus(corpus, on_error="skip")))
    assert_same_dtm(result.dtm(), expected)
