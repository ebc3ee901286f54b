"""The per-document detectors give the same table in chunks, in one process or several."""

from __future__ import annotations

import pandas as pd
import pytest

from corpus_tools import rhetoric
from corpus_tools.corpus import corpus_from_texts
from corpus_tools.rhetoric import text as rhetoric_text
from corpus_tools.rhetoric.patterns import _parallel_runs, _quantifier_openings
from corpus_tools.rhetoric.registry import _match_registry, resolve_registry

# Each text holds what one of the detectors finds (a registry enumeration, a parallel run, a
# reduplicated quantifier) or nothing, so chunks come with and without rows of each table.
TEXTS = [
    "坚持“学史明理”、“学史增信”，学史崇德 学史力行。",
    "登万家门，访万家情，解万家难，暖万家心。",
    "一次次学习，一场场宣讲，一桩桩实事。",
    "今天天气晴朗，村民在田间劳作。",
    "学党史、悟思想，走深走实。\n学出责任，学出方向，学出本领。",
    "",
]


@pytest.fixture
def corpus():
    texts = {f"d{i:03d}": TEXTS[i % len(TEXTS)] + ("第%d次。" % i) for i in range(60)}
    texts["d007"] = ""  # an empty body
    return corpus_from_texts(texts)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_chunked_detectors_equal_one_pass_over_the_corpus(corpus, monkeypatch, n_jobs):
    monkeypatch.setattr(rhetoric_text, "CHUNK_CHARS", 100)  # about five documents a chunk
    registry = resolve_registry(None)
    cases = [
        (lambda: rhetoric.match_registry(corpus, registry, n_jobs=n_jobs), lambda: _match_registry(corpus, registry)),
        (lambda: rhetoric.parallel_runs(corpus, n_jobs=n_jobs), lambda: _parallel_runs(corpus, min_run=3, max_item_chars=24)),
        (lambda: rhetoric.quantifier_openings(corpus, n_jobs=n_jobs), lambda: _quantifier_openings(corpus)),
    ]
    for chunked, whole in cases:
        expected = whole()
        assert len(expected) >= 10  # the texts put findings in many chunks
        pd.testing.assert_frame_equal(chunked(), expected)


def test_chunks_are_consecutive_documents_of_about_chunk_chars(corpus, monkeypatch):
    seen = []

    def detector(part):
        seen.append(list(part.texts.index))
        return pd.DataFrame({"doc_id": list(part.texts.index)})

    monkeypatch.setattr(rhetoric_text, "CHUNK_CHARS", 100)
    table = rhetoric_text.detect_in_chunks(detector, corpus, n_jobs=1)
    assert table["doc_id"].tolist() == list(corpus.texts.index)
    assert table.index.tolist() == list(range(len(corpus.texts)))
    assert len(seen) > 5 and all(len(chunk) >= 1 for chunk in seen)
    assert [doc for chunk in seen for doc in chunk] == list(corpus.texts.index)
    lengths = corpus.texts.str.len()
    # every chunk but the last reaches CHUNK_CHARS, and without its last document it would not
    assert all(lengths[chunk].sum() >= 100 > lengths[chunk[:-1]].sum() for chunk in seen[:-1])


def test_a_small_corpus_is_one_call_on_the_corpus_itself(corpus):
    calls = []
    rhetoric_text.detect_in_chunks(lambda c: calls.append(c) or pd.DataFrame(), corpus, n_jobs=1)
    assert calls == [corpus]
