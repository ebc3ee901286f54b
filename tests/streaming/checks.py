"""The equality the streaming tests assert: same terms, shape, counts and docvars."""

from __future__ import annotations

import pandas as pd

from corpus_tools.dtm import DocTermMatrix


def assert_same_dtm(got: DocTermMatrix, expected: DocTermMatrix) -> None:
    assert got.terms == expected.terms
    assert got.shape == expected.shape
    assert (got.matrix != expected.matrix).nnz == 0
    pd.testing.assert_frame_equal(got.docvars, expected.docvars)
