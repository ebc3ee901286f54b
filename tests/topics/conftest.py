"""Fixtures of the topic tests: a corpus of two vocabularies with a model fitted to it; a model with a planted contrast."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from corpus_tools import topics
from corpus_tools.tokens import Tokens
from corpus_tools.units import unit_id

from .helpers import AGRICULTURE, EDUCATION, tokens_of


@pytest.fixture(scope="package")
def two_topic_corpus() -> topics.TopicCorpus:
    return topics.topic_corpus(tokens_of([AGRICULTURE, EDUCATION]), stopwords=None, min_chars=1)


@pytest.fixture(scope="package")
def two_topic_model(two_topic_corpus) -> topics.TopicModel:
    # tol=None: exactly 30 passes, so the per-pass tests below see a fixed table.
    return topics.fit_lda(two_topic_corpus, k=2, random_state=7, passes=30, tol=None, iterations=200)


@pytest.fixture(scope="package")
def planted_model() -> topics.TopicModel:
    """12 documents per district, 3 paragraphs each; 甲县 writes 80 % about farming, 乙县 20 %."""
    generator = np.random.default_rng(11)
    lists, rows = [], []
    for district, farming in (("甲县", 0.8), ("乙县", 0.2)):
        for d in range(12):
            for p in range(3):
                n_farm = generator.binomial(16, farming)
                words = list(generator.choice(AGRICULTURE, size=n_farm)) + list(generator.choice(EDUCATION, size=16 - n_farm))
                lists.append(words)
                rows.append({"doc_id": f"{district}{d:02d}", "para_no": p + 1, "group": district})
    docvars = pd.DataFrame(rows)
    docvars.index = pd.Index([unit_id(r.doc_id, r.para_no) for r in docvars.itertuples()], name="unit_id")
    tokens = Tokens(tokens=pd.Series(lists, index=docvars.index, dtype=object), docvars=docvars, unit="paragraph")
    tc = topics.topic_corpus(tokens, stopwords=None, min_chars=1)
    return topics.fit_lda(tc, k=2, random_state=3, passes=30, iterations=200, cache=False)
