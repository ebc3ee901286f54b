"""Tests for corpus_tools.topics.prepare: units, vocabulary steps and small-corpus messages."""

from __future__ import annotations

import numpy as np
import pytest

from corpus_tools import topics
from corpus_tools.corpus import corpus_from_texts
from corpus_tools.topics import TopicInputError

from .helpers import AGRICULTURE, EDUCATION, tokens_of


# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------

WINDOW_TEXT = "标题\n\n学史明理。学史增信。学史崇德。\n\n学史力行。办实事。"


def test_sentence_windows_within_document_cross_paragraphs():
    corp = corpus_from_texts({"a": WINDOW_TEXT})
    windows = topics.sentence_windows(corp, 2)
    assert windows.index.tolist() == ["a:w001", "a:w002", "a:w003"]
    assert windows["text"].tolist() == ["学史明理。学史增信。", "学史崇德。学史力行。", "办实事。"]
    assert windows[["para_no", "para_no_end", "n_sentences"]].values.tolist() == [[1, 1, 2], [1, 2, 2], [2, 2, 1]]


def test_sentence_windows_within_paragraph_and_size_checks():
    corp = corpus_from_texts({"a": WINDOW_TEXT})
    windows = topics.sentence_windows(corp, 2, within="paragraph")
    assert windows.index.tolist() == ["a:p001:w01", "a:p001:w02", "a:p002:w01"]
    assert topics.sentence_windows(corp, 1).shape[0] == 5
    with pytest.raises(ValueError, match="at least 1"):
        topics.sentence_windows(corp, 0)
    with pytest.raises(ValueError, match="within"):
        topics.sentence_windows(corp, 2, within="sentence")


def _two_vocabulary_texts() -> dict[str, str]:
    agriculture = "农民在农田种植水稻，粮食收成很好。"
    education = "学生在学校课堂学习，老师编写教材。"
    return {
        "farm": "农业报道\n\n" + "\n\n".join([agriculture * 2] * 8),
        "school": "教育报道\n\n" + "\n\n".join([education * 2] * 8),
    }


@pytest.mark.parametrize(("unit", "expected_units"), [("paragraph", 16), ("window", 16), ("sentence", 32)])
def test_topic_corpus_from_a_corpus_carries_docvars(unit, expected_units):
    corp = corpus_from_texts(_two_vocabulary_texts()).assign_docvars(group=["甲县", "乙县"])
    tc = topics.topic_corpus(corp, unit=unit, window_size=2, min_docfreq=2, min_units=4, min_terms=4)
    assert tc.unit == unit
    assert tc.n_units == expected_units
    assert set(tc.dtm.docvars["group"]) == {"甲县", "乙县"}
    assert tc.texts.index.equals(tc.dtm.docvars.index)
    assert tc.tokens.tokens.index.equals(tc.dtm.docvars.index)
    assert {"粮食", "学校"} <= set(tc.dtm.terms)
    # the steps table tells how many units and terms are left
    assert tc.steps[["n_units", "n_terms"]].iloc[-1].tolist() == [tc.n_units, tc.n_terms]


def test_topic_corpus_pos_filter_keeps_only_those_tags():
    corp = corpus_from_texts(_two_vocabulary_texts())
    tc = topics.topic_corpus(corp, keep_pos=["n"], min_units=4, min_terms=4)
    assert "种植" not in tc.dtm.terms  # a verb
    assert "粮食" in tc.dtm.terms
    assert "part-of-speech filter" in tc.steps["step"].tolist()


def test_trimming_and_short_units_reach_a_fixed_point():
    toks = tokens_of([AGRICULTURE, EDUCATION], length=4, n_units=20)
    tc = topics.topic_corpus(toks, stopwords=None, min_chars=1, min_docfreq=6, min_unit_tokens=3)
    matrix = tc.dtm.matrix
    assert (np.bincount(matrix.indices, minlength=tc.n_terms) >= 6).all()
    assert (np.asarray(matrix.sum(axis=1)).ravel() >= 3).all()
    assert (tc.tokens.tokens.map(len).to_numpy() == np.asarray(matrix.sum(axis=1)).ravel()).all()


def test_phrases_join_a_pair_that_always_co_occurs():
    toks = tokens_of([AGRICULTURE, EDUCATION], extra=("红色", "基因"))
    tc = topics.topic_corpus(toks, stopwords=None, min_chars=1, phrases=True, phrase_min_count=5,
                             phrase_threshold=1.0)
    assert "红色_基因" in tc.dtm.terms
    assert "phrases joined" in tc.steps["step"].tolist()


def test_max_docfreq_prop_is_explicit_and_off_by_default():
    toks = tokens_of([AGRICULTURE, EDUCATION], extra=("党史",))
    assert "党史" in topics.topic_corpus(toks, stopwords=None, min_chars=1).dtm.terms
    trimmed = topics.topic_corpus(toks, stopwords=None, min_chars=1, max_docfreq_prop=0.9)
    assert "党史" not in trimmed.dtm.terms


# --------------------------------------------------------------------------------------------
# Small-corpus messages
# --------------------------------------------------------------------------------------------


def test_too_few_units_after_trimming_says_what_to_change():
    toks = tokens_of([AGRICULTURE, EDUCATION], n_units=3)
    with pytest.raises(TopicInputError, match=r"only \d+ paragraphs remain after trimming .*min_docfreq=5.*"
                                              r"lower min_docfreq.*unit='sentence'"):
        topics.topic_corpus(toks, stopwords=None, min_chars=1, min_docfreq=5)


def test_too_few_terms_says_what_to_change():
    toks = tokens_of([AGRICULTURE, EDUCATION])
    with pytest.raises(TopicInputError, match=r"only 16 terms remain .* at least 50: lower min_docfreq"):
        topics.topic_corpus(toks, stopwords=None, min_chars=1, min_terms=50)


def test_topic_input_error_is_a_value_error():
    assert issubclass(TopicInputError, ValueError)


# --------------------------------------------------------------------------------------------
# A corpus too small for a topic model: one named error, before anything is fitted
# --------------------------------------------------------------------------------------------

#: Three constructed reports of two body paragraphs each: six paragraphs, far fewer than a model needs.
THREE_REPORTS = {
    "xicheng": "西城区开展党史学习教育\n\n西城区组织党员干部集中学习党史，举办专题读书班。\n\n"
               "社区党员走访困难群众，为群众办实事。",
    "dongcheng": "东城区开展党史学习教育\n\n东城区组建宣讲团走进学校，为学生讲述革命故事。\n\n"
                 "学校组织学生参观红色教育基地，传承红色基因。",
    "nancheng": "南城区开展党史学习教育\n\n南城区帮助农民种植粮食，推进乡村振兴。\n\n"
                "干部深入田间地头，解决农民生产困难。",
}


def test_a_three_document_corpus_is_too_small_with_what_to_do():
    corp = corpus_from_texts(THREE_REPORTS)
    settings = topics.TopicSettings()
    with pytest.raises(topics.TopicCorpusTooSmall) as caught:
        topics.topic_corpus(corp, **settings.corpus_args())
    error = caught.value
    # 3 documents x 2 body paragraphs; the default K sweep (K up to 8, a fifth held out) needs 11:
    # 11 units hold out round(2.2) = 2 and fit K = 8 on 9; 10 would leave 8, not more than K.
    assert (error.n_units, error.min_units, error.unit_plural, error.stage) == (0, 11, "paragraphs", "segmented")
    message = str(error)
    assert message.startswith("the corpus is too small for a topic model: only 0 paragraphs remain after trimming")
    assert "a topic model needs at least 11" in message
    assert "add documents (the corpus has 6 non-empty paragraphs before trimming)" in message
    assert "lower min_docfreq, min_termfreq or min_unit_tokens" in message
    assert message.endswith("or use unit='sentence' or unit='window'")
    assert isinstance(error, TopicInputError) and isinstance(error, ValueError)
    # notebook 03's path raises the same error before any fit
    with pytest.raises(topics.TopicCorpusTooSmall, match="needs at least 11"):
        topics.report_model(corp, "/nonexistent-run-folder", settings=settings, progress=False)


def test_too_small_with_documents_as_units_suggests_paragraphs():
    corp = corpus_from_texts(THREE_REPORTS)
    with pytest.raises(topics.TopicCorpusTooSmall) as caught:
        topics.topic_corpus(corp, unit="document", stopwords=None, min_chars=1)
    error = caught.value
    assert (error.n_units, error.min_units, error.unit_plural) == (3, 10, "documents")
    # nothing was trimmed away (all thresholds at 1): the advice is more documents or a finer unit
    assert str(error).endswith("a topic model needs at least 10: add documents (the corpus has 3 non-empty "
                               "documents before trimming), or use unit='paragraph'")


def test_too_small_when_only_trimming_drops_units_says_stage_trimmed():
    toks = tokens_of([AGRICULTURE, EDUCATION], n_units=8)  # 16 units, 8 per vocabulary
    with pytest.raises(topics.TopicCorpusTooSmall) as caught:
        topics.topic_corpus(toks, stopwords=None, min_chars=1, min_docfreq=9)  # no term is in 9 units
    error = caught.value
    assert (error.n_units, error.stage) == (0, "trimmed")
    assert "add documents" not in str(error)
    assert "needs at least 10: lower min_docfreq, min_termfreq or min_unit_tokens, or use unit='sentence'" in str(error)


def test_the_report_sentence_says_it_in_words():
    corp = corpus_from_texts(THREE_REPORTS)
    with pytest.raises(topics.TopicCorpusTooSmall) as caught:
        topics.topic_corpus(corp, unit="document", stopwords=None, min_chars=1)
    sentence = topics.too_small_sentence(caught.value)
    assert sentence == (
        "The corpus is too small for a topic model: only 3 documents remain after trimming (min_termfreq=1, "
        "min_docfreq=1, max_docfreq_prop=1.0, max_terms=None, min_unit_tokens=1); a topic model needs at least 10: "
        "add documents (the corpus has 3 non-empty documents before trimming), or use unit='paragraph'. "
        "No topic model is shown; the sections that do not use one are unaffected."
    )
    with pytest.raises(TypeError, match="TopicCorpusTooSmall"):
        topics.too_small_sentence(TopicInputError("K too large"))


def test_too_small_error_survives_pickling():
    import pickle

    error = topics.TopicCorpusTooSmall("it has 3 documents", n_units=3, min_units=10, unit_plural="documents",
                                       stage="segmented")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is topics.TopicCorpusTooSmall
    assert (str(again), again.n_units, again.min_units, again.unit_plural, again.stage) == (
        str(error), 3, 10, "documents", "segmented")


# --------------------------------------------------------------------------------------------
# The cache key of fits: what a fit reads, not how the docvars are held
# --------------------------------------------------------------------------------------------


def _with_docvars(tc: topics.TopicCorpus, docvars) -> topics.TopicCorpus:
    import dataclasses

    return dataclasses.replace(tc, dtm=dataclasses.replace(tc.dtm, docvars=docvars))


def test_content_key_follows_the_counts_and_tokens_not_the_docvars(two_topic_corpus):
    import pandas as pd

    docvars = two_topic_corpus.dtm.docvars.copy()
    docvars["row"] = pd.array([None] * len(docvars), dtype="Int64")
    assert _with_docvars(two_topic_corpus, docvars).content_key == two_topic_corpus.content_key
    other = topics.topic_corpus(tokens_of([AGRICULTURE, EDUCATION[:-1]]), stopwords=None, min_chars=1)
    assert other.content_key != two_topic_corpus.content_key


def test_sweep_and_stability_reuse_fits_across_docvar_layouts(two_topic_corpus, tmp_path, monkeypatch):
    """A corpus loaded from the corpus store holds equal docvars in another layout: notebook 03's
    sweep and stability refits must come from the cache that notebook 01 filled."""
    import pandas as pd

    from corpus_tools.topics import lda as fitting

    cache = tmp_path / "results"
    sweep = topics.sweep_k(two_topic_corpus, ks=[2, 3], random_state=5, passes=10, progress=False, cache=cache)
    model = topics.fit_lda(two_topic_corpus, k=2, random_state=5, passes=10, cache=cache)
    stab = topics.stability(model, n_refits=2, n=8, progress=False, cache=cache)

    docvars = two_topic_corpus.dtm.docvars.copy()
    docvars["row"] = pd.array([None] * len(docvars), dtype="Int64")
    relaid = _with_docvars(two_topic_corpus, docvars)
    monkeypatch.setattr(fitting, "train", lambda *a, **k: pytest.fail("refitted instead of reusing the cache"))
    again = topics.sweep_k(relaid, ks=[2, 3], random_state=5, passes=10, progress=False, cache=cache)
    pd.testing.assert_frame_equal(again.scores, sweep.scores)
    model_again = topics.fit_lda(relaid, k=2, random_state=5, passes=10, cache=cache)
    stab_again = topics.stability(model_again, n_refits=2, n=8, progress=False, cache=cache)
    pd.testing.assert_frame_equal(stab_again.topics, stab.topics)
