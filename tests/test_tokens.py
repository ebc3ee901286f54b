"""Tests for corpus_tools.tokens: tokenize and the Tokens object."""

from __future__ import annotations

import dataclasses
import os
import re

import numpy as np
import pandas as pd
import pytest

import corpus_tools.parallel as parallel_module
import corpus_tools.tokens as tokens_module
from corpus_tools.lexicons import stopwords
from corpus_tools.segment import Segmenter, get_segmenter
from corpus_tools.tokencache import TokenCache
from corpus_tools.tokens import Tokens, segment_texts, tokenize

TOY_DOCS = {
    "huaiyin-2021": "槐荫区推进党史学习教育走深走实。\n区委书记李国强出席会议并讲话，2021年增长1.6%。",
    "shizhong-2021": "市中区扎实开展“我为群众办实事”实践活动。",
    "zhaoling-2021": "召陵区坚持学史明理、学史增信。\n做好“七个一”。\n进一步深入开展工作。",
}
TOY_DOCVARS = pd.DataFrame(
    {"district": ["槐荫区", "市中区", "召陵区"], "city": ["济南市", "济南市", "漯河市"]},
    index=pd.Index(list(TOY_DOCS), name="doc_id"),
)


class StandInCorpus:
    """The part of corpus_tools.corpus.Corpus that tokenize uses (see docs/design.md).

    Paragraphs are the lines of a text; sentences end at 。！？. Good enough to exercise
    tokenize until the real Corpus lands.
    """

    def __init__(self, texts: dict[str, str], docvars: pd.DataFrame) -> None:
        self.texts = texts
        self.docvars = docvars

    def units(self, unit: str) -> pd.DataFrame:
        rows = []
        for doc_id, text in self.texts.items():
            if unit == "document":
                rows.append({"unit_id": doc_id, "doc_id": doc_id, "text": text})
                continue
            for para_no, paragraph in enumerate(text.split("\n"), start=1):
                para_id = f"{doc_id}:p{para_no:03d}"
                if unit == "paragraph":
                    rows.append(
                        {"unit_id": para_id, "doc_id": doc_id, "para_no": para_no, "section": "", "text": paragraph}
                    )
                    continue
                sentences = [s for s in re.findall(r"[^。！？]+[。！？]?", paragraph) if s]
                for sent_no, sentence in enumerate(sentences, start=1):
                    rows.append(
                        {
                            "unit_id": f"{para_id}:s{sent_no:02d}",
                            "doc_id": doc_id,
                            "para_no": para_no,
                            "sent_no": sent_no,
                            "section": "",
                            "text": sentence,
                        }
                    )
        return pd.DataFrame(rows).set_index("unit_id")


@pytest.fixture(scope="module")
def corpus() -> StandInCorpus:
    return StandInCorpus(TOY_DOCS, TOY_DOCVARS)


@pytest.fixture(scope="module")
def doc_tokens(corpus) -> Tokens:
    return tokenize(corpus)


def _toy_tokens(token_lists, tags=None) -> Tokens:
    index = pd.Index([f"u{i}" for i in range(len(token_lists))], name="unit_id")
    return Tokens(
        tokens=pd.Series(token_lists, index=index, dtype=object),
        pos=None if tags is None else pd.Series(tags, index=index, dtype=object),
        docvars=pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(token_lists))]}, index=index),
        unit="document",
    )


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


# -- remove -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "kwargs", "expected"),
    [
        # punctuation-only tokens always go, numbers go unless kept
        ((), {}, ["深入", "开展", "学党史", "党", "年"]),
        ((), {"keep_numbers": True}, ["深入", "开展", "学党史", "党", "2021", "年", "1.6"]),
        ((), {"min_chars": 2}, ["深入", "开展", "学党史"]),
        ((), {"min_chars": 3}, ["学党史"]),
        ({"深入", "开展"}, {}, ["学党史", "党", "年"]),
        ({"深入", "开展"}, {"min_chars": 2, "keep_numbers": True}, ["学党史", "2021", "1.6"]),
        ("深入", {}, ["开展", "学党史", "党", "年"]),  # a bare string is one word, not characters
    ],
)
def test_remove_rules(words, kwargs, expected):
    toks = _toy_tokens([["深入", "开展", "“", "学党史", "”", "党", "，", "2021", "年", "1.6", "%", "……"]])
    assert toks.remove(words, **kwargs).tokens.iloc[0] == expected


@pytest.mark.parametrize(
    ("token", "is_dropped"),
    [("，", True), ("“”", True), ("%", True), ("■", True), ("——", True), ("95.2%", True), ("１２", True),
     ("H5", False), ("七个一", False), ("一", False), ("12345热线", False)],
)  # fmt: skip
def test_remove_punctuation_and_number_detection(token, is_dropped):
    assert (_toy_tokens([[token]]).remove().tokens.iloc[0] == []) is is_dropped


def test_remove_with_stopword_list_and_history(doc_tokens):
    cleaned = doc_tokens.remove(stopwords("zh-official"), min_chars=2)
    assert cleaned.tokens["zhaoling-2021"] == ["召陵区", "学史明理", "学史增信", "七个一"]
    assert cleaned.history[-1] == (
        f"remove(words={len(stopwords())}, min_chars=2, pos=None, keep_numbers=False)"
    )
    assert len(cleaned.history) == len(doc_tokens.history) + 1


def test_remove_keeps_pos_aligned():
    toks = _toy_tokens([["党史", "，", "的", "教育"]], tags=[["n", "x", "uj", "vn"]])
    out = toks.remove({"的"})
    assert out.tokens.iloc[0] == ["党史", "教育"]
    assert out.pos.iloc[0] == ["n", "vn"]
    assert toks.remove(pos={"vn"}).tokens.iloc[0] == ["党史", "的"]


def test_remove_pos_needs_tags():
    with pytest.raises(ValueError, match="pos=True"):
        _toy_tokens([["党史"]]).remove(pos={"n"})


def test_remove_refuses_bad_min_chars():
    with pytest.raises(ValueError, match="min_chars"):
        _toy_tokens([["党史"]]).remove(min_chars=0)


def test_remove_still_takes_min_nchar_with_a_warning():
    toks = _toy_tokens([["深入", "党", "学党史"]])
    with pytest.warns(FutureWarning, match="'min_nchar' is renamed 'min_chars'"):
        old = toks.remove(min_nchar=2)
    assert old.tokens.iloc[0] == ["深入", "学党史"]
    assert old.history == toks.remove(min_chars=2).history


def test_methods_do_not_change_the_original():
    toks = _toy_tokens([["深入", "党史", "，"]], tags=[["v", "n", "x"]])
    toks.remove({"深入"})
    toks.keep_pos(["n"])
    toks.subset(doc_ids=["d0"])
    assert toks.tokens.iloc[0] == ["深入", "党史", "，"]
    assert toks.pos.iloc[0] == ["v", "n", "x"]


# -- keep_pos, subset -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tags", "match", "expected"),
    [
        (["n"], "exact", ["党史"]),
        (["n"], "prefix", ["党史", "李国强", "槐荫区"]),
        (["nr", "v"], "exact", ["李国强", "讲话"]),
        ("ns", "exact", ["槐荫区"]),
    ],
)
def test_keep_pos(tags, match, expected):
    toks = _toy_tokens([["党史", "李国强", "槐荫区", "讲话", "，"]], tags=[["n", "nr", "ns", "v", "x"]])
    assert toks.keep_pos(tags, match=match).tokens.iloc[0] == expected


def test_keep_pos_needs_tags():
    with pytest.raises(ValueError, match="pos=True"):
        _toy_tokens([["党史"]]).keep_pos(["n"])


def test_subset_by_mask_callable_and_doc_ids(corpus):
    toks = tokenize(corpus, unit="paragraph")
    by_mask = toks.subset(toks.docvars["city"] == "济南市")
    assert set(by_mask.docvars["doc_id"]) == {"huaiyin-2021", "shizhong-2021"}
    by_callable = toks.subset(lambda dv: dv["para_no"] == 1)
    assert len(by_callable) == 3
    both = toks.subset(lambda dv: dv["para_no"] == 1, doc_ids=["zhaoling-2021"])
    assert list(both.tokens.index) == ["zhaoling-2021:p001"]
    assert both.history[-1].startswith("subset(where=<mask>, doc_ids=['zhaoling-2021'])")
    positional = toks.subset(np.arange(len(toks)) < 2)
    assert list(positional.tokens.index) == list(toks.tokens.index[:2])


def test_subset_refuses_unknown_doc_ids_and_bad_masks(doc_tokens):
    with pytest.raises(KeyError, match="nowhere"):
        doc_tokens.subset(doc_ids=["nowhere"])
    with pytest.raises(ValueError):
        doc_tokens.subset([True])


# -- export and invariants --------------------------------------------------------------------


def test_to_frame_is_tidy():
    toks = _toy_tokens([["党史", "教育"], [], ["红色"]], tags=[["n", "vn"], [], ["n"]])
    frame = toks.to_frame()
    assert list(frame.columns) == ["unit_id", "doc_id", "position", "token", "pos"]
    assert frame.to_dict("list") == {
        "unit_id": ["u0", "u0", "u2"],
        "doc_id": ["d0", "d0", "d2"],
        "position": [1, 2, 1],
        "token": ["党史", "教育", "红色"],
        "pos": ["n", "vn", "n"],
    }
    assert "pos" not in _toy_tokens([["党史"]]).to_frame().columns


def test_len_and_n_tokens():
    toks = _toy_tokens([["党史", "教育"], [], ["红色"]])
    assert len(toks) == 3
    assert toks.n_tokens == 3


def test_tokens_is_frozen(doc_tokens):
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc_tokens.unit = "paragraph"


def test_constructor_checks_alignment():
    index = pd.Index(["a", "b"], name="unit_id")
    with pytest.raises(ValueError, match="index"):
        Tokens(
            tokens=pd.Series([["党史"], ["红色"]], index=index),
            docvars=pd.DataFrame({"doc_id": ["b", "a"]}, index=index[::-1]),
            unit="document",
        )
    with pytest.raises(ValueError, match="one tag per token"):
        Tokens(
            tokens=pd.Series([["党史"], ["红色"]], index=index),
            pos=pd.Series([["n"], []], index=index),
            docvars=pd.DataFrame({"doc_id": ["a", "b"]}, index=index),
            unit="document",
        )


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
    monkeypatch.setattr(tokens_module, "_MIN_BATCH_CHARS", 50)
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


# -- integer codes ----------------------------------------------------------------------------

# Hand-made units: repeats within and across units, an empty unit, punctuation and a number.
CODED_LISTS = [
    ["学党史", "悟思想", "，", "学党史", "办实事"],
    [],
    ["办实事", "开新局", "2021", "年"],
    ["悟思想", "学党史"],
]
CODED_TAGS = [["v", "v", "x", "v", "v"], [], ["v", "v", "m", "m"], ["v", "v"]]


def _decode(toks: Tokens) -> list[list[str]]:
    # Independent of Tokens.tokens: index the vocabulary with the codes, unit by unit.
    vocabulary = list(toks.vocabulary)
    return [[vocabulary[c] for c in toks.codes[a:b]] for a, b in zip(toks.offsets[:-1], toks.offsets[1:])]


def _assert_consistent(toks: Tokens) -> None:
    vocabulary = list(toks.vocabulary)
    assert vocabulary == sorted(set(vocabulary))  # unique, in code-point order
    assert toks.codes.dtype == np.int32
    assert toks.offsets[0] == 0 and toks.offsets[-1] == len(toks.codes) and len(toks.offsets) == len(toks) + 1
    # Every word of the vocabulary is used by some token, and every code indexes the vocabulary.
    assert sorted(set(toks.codes.tolist())) == list(range(len(vocabulary)))
    if toks.pos_codes is not None:
        assert toks.pos_codes.shape == toks.codes.shape
        assert sorted(set(toks.pos_codes.tolist())) == list(range(len(toks.pos_vocabulary)))


def test_codes_round_trip_to_the_same_strings():
    toks = _toy_tokens(CODED_LISTS, CODED_TAGS)
    _assert_consistent(toks)
    assert list(toks.vocabulary) == sorted({w for words in CODED_LISTS for w in words})
    assert _decode(toks) == CODED_LISTS
    assert toks.tokens.tolist() == CODED_LISTS
    assert toks.pos.tolist() == CODED_TAGS
    assert toks.lengths.tolist() == [5, 0, 4, 2]
    # 学党史 is one code wherever it occurs.
    code = list(toks.vocabulary).index("学党史")
    assert [i for i, c in enumerate(toks.codes.tolist()) if c == code] == [0, 3, 10]


def test_remove_keeps_codes_and_vocabulary_consistent():
    toks = _toy_tokens(CODED_LISTS, CODED_TAGS)
    removed = toks.remove({"办实事"}, min_chars=2)
    _assert_consistent(removed)
    expected = [["学党史", "悟思想", "学党史"], [], ["开新局"], ["悟思想", "学党史"]]
    assert _decode(removed) == expected
    assert list(removed.vocabulary) == ["学党史", "开新局", "悟思想"]
    assert removed.pos.tolist() == [["v", "v", "v"], [], ["v"], ["v", "v"]]
    assert list(removed.pos_vocabulary) == ["v"]
    kept = toks.remove(keep_numbers=True).keep_pos(["m"])
    _assert_consistent(kept)
    assert _decode(kept) == [[], [], ["2021", "年"], []]
    # The original is untouched.
    assert _decode(toks) == CODED_LISTS


def test_subset_keeps_codes_and_vocabulary_consistent():
    toks = _toy_tokens(CODED_LISTS, CODED_TAGS)
    part = toks.subset([False, True, True, False])
    _assert_consistent(part)
    assert _decode(part) == [[], ["办实事", "开新局", "2021", "年"]]
    assert list(part.docvars.index) == ["u1", "u2"]
    assert part.pos.tolist() == [[], ["v", "v", "m", "m"]]
    empty = toks.subset([False] * 4)
    assert len(empty) == 0 and empty.n_tokens == 0 and empty.tokens.tolist() == []


def test_keep_keeps_only_the_given_words_with_their_tags():
    toks = _toy_tokens([["学党史", "、", "悟思想", "学党史"], ["办实事"], ["开新局"]],
                       tags=[["v", "x", "v", "v"], ["v"], ["v"]])
    kept = toks.keep({"学党史", "办实事", "不在"})
    _assert_consistent(kept)
    assert kept.tokens.tolist() == [["学党史", "学党史"], ["办实事"], []]
    assert kept.pos.tolist() == [["v", "v"], ["v"], []]
    assert list(kept.vocabulary) == ["办实事", "学党史"]  # code-point order: 办 U+529E < 学 U+5B66
    assert list(kept.docvars.index) == ["u0", "u1", "u2"]
    assert kept.history[-1] == "keep(words=3)"
    assert toks.keep("开新局").tokens.tolist() == [[], [], ["开新局"]]  # one word, not its characters


def test_subset_by_unit_ids():
    toks = _toy_tokens([["党史"], ["红色"], ["群众"]])
    part = toks.subset(["u2", "u0"])
    assert list(part.docvars.index) == ["u0", "u2"]
    assert part.tokens.tolist() == [["党史"], ["群众"]]
    with pytest.raises(KeyError, match="u9"):
        toks.subset(["u9"])


def test_from_codes_renumbers_any_vocabulary_and_checks_its_input():
    index = pd.Index(["a", "b"], name="unit_id")
    docvars = pd.DataFrame({"doc_id": ["a", "b"]}, index=index)
    # Vocabulary out of order, with a word no token uses.
    toks = Tokens.from_codes(codes=np.array([2, 0, 2, 1]), offsets=np.array([0, 3, 4]),
                             vocabulary=["群众", "红色", "党史", "未用"], docvars=docvars, unit="document")
    _assert_consistent(toks)
    assert toks.tokens.tolist() == [["党史", "群众", "党史"], ["红色"]]
    assert list(toks.vocabulary) == ["党史", "红色", "群众"]
    with pytest.raises(ValueError, match="offsets"):
        Tokens.from_codes(codes=np.array([0, 1]), offsets=np.array([0, 1, 3]), vocabulary=["党史", "群众"],
                          docvars=docvars, unit="document")
    with pytest.raises(ValueError, match="vocabulary"):
        Tokens.from_codes(codes=np.array([0, 5]), offsets=np.array([0, 1, 2]), vocabulary=["党史", "群众"],
                          docvars=docvars, unit="document")
    with pytest.raises(ValueError, match="repeat"):
        Tokens.from_codes(codes=np.array([0, 1]), offsets=np.array([0, 1, 2]), vocabulary=["党史", "党史"],
                          docvars=docvars, unit="document")


def test_constructor_refuses_missing_tokens():
    with pytest.raises(ValueError, match="strings"):
        _toy_tokens([["党史", None]])


def test_tokens_pickle_and_keep_their_codes():
    import pickle

    toks = _toy_tokens(CODED_LISTS, CODED_TAGS)
    back = pickle.loads(pickle.dumps(toks))
    assert back.tokens.tolist() == CODED_LISTS and back.pos.tolist() == CODED_TAGS
    assert np.array_equal(back.codes, toks.codes)


def test_tokenize_codes_are_the_same_from_cache_and_without(corpus, tmp_path):
    cold = tokenize(corpus, unit="sentence", pos=True, cache=TokenCache(tmp_path / "c"))
    warm = tokenize(corpus, unit="sentence", pos=True, cache=TokenCache(tmp_path / "c"))
    plain = tokenize(corpus, unit="sentence", pos=True, cache=False)
    for toks in (cold, warm, plain):
        _assert_consistent(toks)
    assert np.array_equal(cold.codes, plain.codes) and np.array_equal(warm.codes, plain.codes)
    assert list(warm.vocabulary) == list(plain.vocabulary)
    assert np.array_equal(warm.pos_codes, plain.pos_codes)
    # The vocabulary is the corpus's distinct words, as segmenting each text separately gives them.
    words, _ = segment_texts(corpus.units("sentence")["text"].tolist(), cache=False)
    assert _decode(plain) == words
