"""Fixtures for the tests of corpus_tools.dtm."""

from __future__ import annotations

import pytest

from corpus_tools.dtm import DocTermMatrix, dtm

from .toy import toy_tokens


@pytest.fixture
def toy_dtm() -> DocTermMatrix:
    return dtm(toy_tokens())
