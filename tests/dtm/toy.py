"""A hand-counted toy matrix shared by the tests of corpus_tools.dtm."""

from __future__ import annotations

import pandas as pd

from corpus_tools.tokens import Tokens

# Hand-counted toy corpus: four paragraphs in three districts (one unknown).
TOY = {
    "a:p1": (["党史", "红色", "党史", "群众"], "a", "槐荫区"),
    "a:p2": (["党史", "办实事"], "a", "槐荫区"),
    "b:p1": (["群众", "群众", "群众", "红色", "办实事"], "b", "市中区"),
    "c:p1": (["党史", "学史明理"], "c", None),
}
# Terms sorted by code point: 党史 U+515A, 办实事 U+529E, 学史明理 U+5B66, 红色 U+7EA2, 群众 U+7FA4
TERMS = ("党史", "办实事", "学史明理", "红色", "群众")
COUNTS = [
    [2, 0, 0, 1, 1],
    [1, 1, 0, 0, 0],
    [0, 1, 0, 1, 3],
    [1, 0, 1, 0, 0],
]


def toy_tokens(order=None) -> Tokens:
    ids = list(TOY) if order is None else order
    index = pd.Index(ids, name="unit_id")
    return Tokens(
        tokens=pd.Series([TOY[i][0] for i in ids], index=index, dtype=object),
        docvars=pd.DataFrame(
            {"doc_id": [TOY[i][1] for i in ids], "district": [TOY[i][2] for i in ids]}, index=index
        ),
        unit="paragraph",
        history=("tokenize(toy)",),
    )
