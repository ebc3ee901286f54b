"""Fixtures of the topic tests: one corpus of two vocabularies and one model fitted to it."""

from __future__ import annotations

import pytest

from corpus_tools import topics

from .helpers import AGRICULTURE, EDUCATION, tokens_of


@pytest.fixture(scope="package")
def two_topic_corpus() -> topics.TopicCorpus:
    return topics.topic_corpus(tokens_of([AGRICULTURE, EDUCATION]), stopwords=None, min_chars=1)


@pytest.fixture(scope="package")
def two_topic_model(two_topic_corpus) -> topics.TopicModel:
    # tol=None: exactly 30 passes, so the per-pass tests below see a fixed table.
    return topics.fit_lda(two_topic_corpus, k=2, random_state=7, passes=30, tol=None, iterations=200)
