"""Tests for corpus_tools.tokens.segmenting: tokenize and segment_texts (workers, cache, engines)."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

import corpus_tools.parallel as parallel_module
from corpus_tools.segment import Segmenter, get_segmenter
from corpus_tools.segment.cache import TokenCache
from corpus_tools.tokens import segment_texts, tokenize
from corpus_tools.tokens import segmenting as tokens_module

from .helpers import TOY_DOCS, TOY_DOCVARS, StandInCorpus, assert_consistent, decode


# -- tokenize ---------------------------------------------------------------------------------


def test_tokenize_documents(doc_tokens):
    assert doc_tokens.unit == "document"
    assert len(doc_tokens) == 3
    assert list(doc_tokens.tokens.index) == list(TOY_DOCS)
    assert doc_tokens.tokens.index.name == "unit_id"
    assert list(doc_tokens.docvars.columns) == ["doc_id", "district", "city"]
    assert doc_tokens.docvars.loc["zhaoling-2021", "city"] == "漯河市"
    assert doc_tokens.tokens["shizhong-2021"] == [
        "市中区", "扎实", "开展", "“", "我为群众办实事", "”", "实践", "活动", "。",
    ]  # fmt: skip
    assert doc_tokens.pos is None
    assert doc_tokens.history == (
        "tokenize(unit='document', pos=False, hmm=False, "
        "segmenter=Segmenter(engine='rjieba', hmm=False, userdict='package', extra_words=0))",
    )


@pytest.mark.parametrize(
    ("unit", "n_units", "unit_columns", "first_id"),
    [
        ("document", 3, ["doc_id"], "huaiyin-2021"),
        ("paragraph", 6, ["doc_id", "para_no", "section"], "huaiyin-2021:p001"),
        ("sentence", 6, ["doc_id", "para_no", "sent_no", "section"], "huaiyin-2021:p001:s01"),
    ],
)
def test_tokenize_units_carry_unit_and_document_docvars(corpus, unit, n_units, unit_columns, first_id):
    toks = tokenize(corpus, unit=unit)
    assert len(toks) == n_units
    assert toks.unit == unit
    assert list(toks.docvars.columns) == [*unit_columns, "district", "city"]
    assert toks.docvars.index[0] == first_id
    assert (toks.docvars.groupby("doc_id")["district"].nunique() == 1).all()


def test_tokenize_paragraph_tokens_equal_document_tokens(corpus, doc_tokens):
    paragraphs = tokenize(corpus, unit="paragraph")
    for doc_id, words in doc_tokens.tokens.items():
        joined = [w for unit_words in paragraphs.subset(doc_ids=[doc_id]).tokens for w in unit_words]
        assert joined == words


def test_tokenize_with_pos(corpus):
    toks = tokenize(corpus, pos=True)
    assert toks.pos is not None
    assert toks.pos.map(len).equals(toks.tokens.map(len))
    tags = dict(zip(toks.tokens["huaiyin-2021"], toks.pos["huaiyin-2021"]))
    assert tags["李国强"] == "nr"
    assert tags["走深走实"] == "l"
    assert toks.tokens.equals(tokenize(corpus).tokens)


def test_tokenize_hmm_uses_hmm_segmenter():
    corpus = StandInCorpus({"d": "区委书记刘晓燕出席会议"}, pd.DataFrame(index=pd.Index(["d"], name="doc_id")))
    assert "刘晓燕" not in tokenize(corpus).tokens["d"]
    assert "刘晓燕" in tokenize(corpus, hmm=True).tokens["d"]


def test_tokenize_with_custom_segmenter():
    corpus = StandInCorpus({"d": "区委书记刘晓燕出席会议"}, pd.DataFrame(index=pd.Index(["d"], name="doc_id")))
    toks = tokenize(corpus, segmenter=Segmenter(extra_words=["刘晓燕"]))
    assert toks.tokens["d"] == ["区委书记", "刘晓燕", "出席会议"]
    assert "extra_words=1" in toks.history[0]


def test_tokenize_refuses_conflicting_hmm():
    corpus = StandInCorpus({"d": "党史"}, pd.DataFrame(index=pd.Index(["d"], name="doc_id")))
    with pytest.raises(ValueError, match="hmm"):
        tokenize(corpus, hmm=True, segmenter=get_segmenter(hmm=False))


def test_tokenize_refuses_unknown_unit(corpus):
    with pytest.raises(ValueError, match="unit"):
        tokenize(corpus, unit="chapter")


def test_tokenize_empty_text_gives_empty_list():
    docvars = pd.DataFrame(index=pd.Index(["a", "b"], name="doc_id"))
    toks = tokenize(StandInCorpus({"a": "", "b": "党史"}, docvars))
    assert toks.tokens["a"] == []
    assert toks.n_tokens == 1


# -- with the real Corpus (tests/conftest.py) -------------------------------------------------


def test_tokenize_real_seeds_at_every_unit(seeds):
    by_unit = {unit: tokenize(seeds, unit=unit) for unit in ("document", "paragraph", "sentence")}
    # Splitting into smaller units must not change what the words are.
    totals = {unit: toks.n_tokens for unit, toks in by_unit.items()}
    assert len(set(totals.values())) == 1, totals
    paragraphs = by_unit["paragraph"]
    assert {"doc_id", "para_no", "section", "district"} <= set(paragraphs.docvars.columns)
    assert set(paragraphs.docvars["doc_id"]) == set(seeds.docvars.index)


def test_real_seeds_keep_campaign_formulas_whole(seeds):
    toks = tokenize(seeds)
    traditional = seeds.docvars.index[seeds.docvars["script"] == "traditional"]
    for doc_id in traditional:  # converted to simplified by the Corpus before segmentation
        assert {"学史力行", "学党史", "我为群众办实事", "走深走实"} <= set(toks.tokens[doc_id])
    everything = [word for words in toks.tokens for word in words]
    for slogan in ["学史明理", "急难愁盼", "七个一", "入脑入心", "开新局"]:
        assert slogan in everything


# -- speed: worker processes and the token cache never change the tokens ------------------------


class _CountingCorpus(StandInCorpus):
    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.calls = 0

    def units(self, unit: str) -> pd.DataFrame:
        self.calls += 1
        return super().units(unit)


@pytest.fixture
def pools(monkeypatch):
    """Record every process pool that tokenize starts."""
    started: list[int] = []
    original = tokens_module.worker_pool

    def recording(workers, context, **kwargs):
        started.append(workers)
        return original(workers, context, **kwargs)

    monkeypatch.setattr(tokens_module, "worker_pool", recording)
    return started


@pytest.mark.parametrize("pos", [False, True])
def test_two_processes_give_the_same_tokens_as_one(seeds, pools, pos):
    one = tokenize(seeds, unit="paragraph", pos=pos, n_jobs=1, cache=False)
    assert pools == []
    two = tokenize(seeds, unit="paragraph", pos=pos, n_jobs=2, cache=False)
    assert pools == [2]
    assert two.tokens.index.equals(one.tokens.index)
    assert two.tokens.tolist() == one.tokens.tolist()
    if pos:
        assert two.pos.tolist() == one.pos.tolist()
    assert two.history == one.history


def test_many_small_batches_keep_their_order(pools, monkeypatch):
    monkeypatch.setattr(parallel_module, "_MIN_BATCH_CHARS", 50)  # the batch rule is parallel.batch_chars
    texts = [f"第{n}次学党史、悟思想，办实事{n % 7}件" for n in range(400)]
    expected = [get_segmenter().cut(text) for text in texts]
    words, tags = segment_texts(texts, n_jobs=2, cache=False)
    assert pools == [2]
    assert words == expected and tags is None


@pytest.mark.slow
def test_spawned_workers_rebuild_the_segmenter(monkeypatch, pools):
    import multiprocessing

    monkeypatch.setattr(tokens_module, "mp_context", lambda: multiprocessing.get_context("spawn"))
    segmenter = Segmenter(extra_words=["刘晓燕"])
    texts = ["区委书记刘晓燕出席会议", "刘晓燕讲话", "学党史、悟思想"] * 3 + ["刘晓燕"]
    words, _ = segment_texts(texts, segmenter=segmenter, n_jobs=2, cache=False)
    assert pools == [2]
    assert words == [segmenter.cut(text) for text in texts]
    assert words[0] == ["区委书记", "刘晓燕", "出席会议"]


def test_small_corpora_stay_in_one_process(seeds, pools):
    tokenize(seeds, unit="sentence", cache=False)
    tokenize(seeds, unit="sentence", engine="jieba", cache=False)
    assert pools == []


def test_rjieba_stays_in_one_process_and_jieba_spreads_out(pools, monkeypatch):
    import multiprocessing

    monkeypatch.setattr(parallel_module, "available_cores", lambda: 2)
    monkeypatch.setattr(tokens_module, "mp_context", lambda: multiprocessing.get_context("fork"))
    texts = [f"第{n}次学党史、悟思想，办实事" for n in range(20_000)]  # 300,000 characters
    segment_texts(texts, segmenter=get_segmenter(), cache=False)
    assert pools == []
    segment_texts(texts, segmenter=get_segmenter(engine="jieba"), cache=False)
    assert pools == [2]


def test_large_corpora_use_every_core(seeds, pools, monkeypatch):
    zero = {"fork": 0, "spawn": 0}
    monkeypatch.setattr(tokens_module, "PARALLEL_MIN_CHARS", {"jieba": zero, "rjieba": zero})
    monkeypatch.setattr(parallel_module, "available_cores", lambda: 2)
    expected = tokenize(seeds, unit="paragraph", n_jobs=1, cache=False)
    assert tokenize(seeds, unit="paragraph", cache=False).tokens.tolist() == expected.tokens.tolist()
    assert pools == [2]


@pytest.mark.parametrize("n_jobs", [0, -2, 1.5, True, "2"])
def test_bad_n_jobs_is_refused(corpus, n_jobs):
    with pytest.raises((ValueError, TypeError), match="n_jobs"):
        tokenize(corpus, n_jobs=n_jobs, cache=False)


def test_units_are_built_once():
    counting = _CountingCorpus(TOY_DOCS, TOY_DOCVARS)
    tokenize(counting, unit="sentence", pos=True, cache=False)
    assert counting.calls == 1


def test_repeated_texts_are_segmented_once_and_not_shared(monkeypatch):
    segmenter = Segmenter()
    calls: list[str] = []
    original = segmenter.cut
    monkeypatch.setattr(segmenter, "cut", lambda text: calls.append(text) or original(text))
    words, _ = segment_texts(["学党史", "办实事", "学党史"], segmenter=segmenter, cache=False)
    assert calls == ["学党史", "办实事"]
    assert words[0] == words[2] == ["学党史"]
    words[0].append("x")
    assert words[2] == ["学党史"]


@pytest.mark.parametrize("pos", [False, True])
def test_warm_cache_gives_the_same_tokens_without_segmenting(corpus, tmp_path, monkeypatch, pos):
    cache = TokenCache(tmp_path / "tokens")
    reference = tokenize(corpus, unit="sentence", pos=pos, cache=False)
    cold = tokenize(corpus, unit="sentence", pos=pos, cache=cache)
    assert len(cache) == len(set(corpus.units("sentence")["text"]))
    segmenter = get_segmenter()

    def refuse(text):
        raise AssertionError("segmented although cached")

    monkeypatch.setattr(segmenter, "cut", refuse)
    monkeypatch.setattr(segmenter, "cut_pos", refuse)
    warm = tokenize(corpus, unit="sentence", pos=pos, cache=cache)
    for toks in (cold, warm):
        assert toks.tokens.tolist() == reference.tokens.tolist()
        assert toks.history == reference.history
        if pos:
            assert toks.pos.tolist() == reference.pos.tolist()


def test_cache_default_folder_and_switches(corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("DANGSHI_CACHE_DIR", str(tmp_path / "project-cache"))
    tokenize(corpus, cache=False)
    assert not (tmp_path / "project-cache" / "tokens").exists()
    monkeypatch.setenv("DANGSHI_CACHE", "off")
    tokenize(corpus)
    assert not (tmp_path / "project-cache" / "tokens").exists()
    monkeypatch.delenv("DANGSHI_CACHE")
    tokenize(corpus)
    assert len(TokenCache(tmp_path / "project-cache" / "tokens")) == len(TOY_DOCS)
    tokenize(corpus, cache=tmp_path / "elsewhere")
    assert len(TokenCache(tmp_path / "elsewhere")) == len(TOY_DOCS)


def test_engine_choice_changes_nothing_but_the_history(corpus):
    fast = tokenize(corpus, unit="paragraph", pos=True, cache=False)
    reference = tokenize(corpus, unit="paragraph", pos=True, engine="jieba", cache=False)
    assert fast.tokens.tolist() == reference.tokens.tolist()
    assert fast.pos.tolist() == reference.pos.tolist()
    assert "engine='jieba'" in reference.history[-1] and "engine='rjieba'" in fast.history[-1]
    with pytest.raises(ValueError, match="engine"):
        tokenize(corpus, segmenter=get_segmenter(), engine="jieba")


def _die(args):
    os._exit(3)


def test_failed_workers_fall_back_to_this_process(monkeypatch, pools):
    monkeypatch.setattr(tokens_module, "_segment_batch", _die)
    texts = ["学党史、悟思想", "办实事、开新局"]
    with pytest.warns(RuntimeWarning, match="workers failed"):
        words, _ = segment_texts(texts, n_jobs=2, cache=False)
    assert pools == [2]
    assert words == [["学党史", "、", "悟思想"], ["办实事", "、", "开新局"]]


def test_tokenize_codes_are_the_same_from_cache_and_without(corpus, tmp_path):
    cold = tokenize(corpus, unit="sentence", pos=True, cache=TokenCache(tmp_path / "c"))
    warm = tokenize(corpus, unit="sentence", pos=True, cache=TokenCache(tmp_path / "c"))
    plain = tokenize(corpus, unit="sentence", pos=True, cache=False)
    for toks in (cold, warm, plain):
        assert_consistent(toks)
    assert np.array_equal(cold.codes, plain.codes) and np.array_equal(warm.codes, plain.codes)
    assert list(warm.vocabulary) == list(plain.vocabulary)
    assert np.array_equal(warm.pos_codes, plain.pos_codes)
    # The vocabulary is the corpus's distinct words, as segmenting each text separately gives them.
    words, _ = segment_texts(corpus.units("sentence")["text"].tolist(), cache=False)
    assert decode(plain) == words
