"""Constructed corpora and checks shared by the tests of corpus_tools.tokens."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from corpus_tools.tokens import Tokens
from corpus_tools.units import unit_id

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
                para_id = unit_id(doc_id, para_no)
                if unit == "paragraph":
                    rows.append(
                        {"unit_id": para_id, "doc_id": doc_id, "para_no": para_no, "section": "", "text": paragraph}
                    )
                    continue
                sentences = [s for s in re.findall(r"[^。！？]+[。！？]?", paragraph) if s]
                for sent_no, sentence in enumerate(sentences, start=1):
                    rows.append(
                        {
                            "unit_id": unit_id(doc_id, para_no, sent_no=sent_no),
                            "doc_id": doc_id,
                            "para_no": para_no,
                            "sent_no": sent_no,
                            "section": "",
                            "text": sentence,
                        }
                    )
        return pd.DataFrame(rows).set_index("unit_id")


def toy_tokens(token_lists, tags=None) -> Tokens:
    index = pd.Index([f"u{i}" for i in range(len(token_lists))], name="unit_id")
    return Tokens(
        tokens=pd.Series(token_lists, index=index, dtype=object),
        pos=None if tags is None else pd.Series(tags, index=index, dtype=object),
        docvars=pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(token_lists))]}, index=index),
        unit="document",
    )


CODED_LISTS = [
    ["学党史", "悟思想", "，", "学党史", "办实事"],
    [],
    ["办实事", "开新局", "2021", "年"],
    ["悟思想", "学党史"],
]
CODED_TAGS = [["v", "v", "x", "v", "v"], [], ["v", "v", "m", "m"], ["v", "v"]]


def decode(toks: Tokens) -> list[list[str]]:
    # Independent of Tokens.tokens: index the vocabulary with the codes, unit by unit.
    vocabulary = list(toks.vocabulary)
    return [[vocabulary[c] for c in toks.codes[a:b]] for a, b in zip(toks.offsets[:-1], toks.offsets[1:])]


def assert_consistent(toks: Tokens) -> None:
    vocabulary = list(toks.vocabulary)
    assert vocabulary == sorted(set(vocabulary))  # unique, in code-point order
    assert toks.codes.dtype == np.int32
    assert toks.offsets[0] == 0 and toks.offsets[-1] == len(toks.codes) and len(toks.offsets) == len(toks) + 1
    # Every word of the vocabulary is used by some token, and every code indexes the vocabulary.
    assert sorted(set(toks.codes.tolist())) == list(range(len(vocabulary)))
    if toks.pos_codes is not None:
        assert toks.pos_codes.shape == toks.codes.shape
        assert sorted(set(toks.pos_codes.tolist())) == list(range(len(toks.pos_vocabulary)))
