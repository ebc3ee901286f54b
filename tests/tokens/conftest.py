"""Fixtures for the tests of corpus_tools.tokens: the constructed three-document corpus."""

from __future__ import annotations

import pytest

from corpus_tools.tokens import Tokens, tokenize

from .helpers import TOY_DOCS, TOY_DOCVARS, StandInCorpus


@pytest.fixture(scope="module")
def corpus() -> StandInCorpus:
    return StandInCorpus(TOY_DOCS, TOY_DOCVARS)


@pytest.fixture(scope="module")
def doc_tokens(corpus) -> Tokens:
    return tokenize(corpus)
