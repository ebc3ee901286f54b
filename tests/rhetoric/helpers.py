"""Constructed texts and small helpers shared by the rhetoric tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from corpus_tools.corpus import corpus_from_texts

NOTHING = "今天天气很好，我们去公园散步，回来以后吃了晚饭。"


def corpus(*texts: str):
    """A corpus of made-up texts, ids t0, t1, …; blank lines separate paragraphs.

    A paragraph without a sentence end gets a 。, so that reading keeps it as body text (a
    short unpunctuated line is a title to :func:`corpus_tools.corpus.structure.classify_blocks`).
    """
    def body(text: str) -> str:
        return "\n\n".join(p if p.endswith(("。", "！", "？")) else p + "。" for p in text.split("\n\n"))

    return corpus_from_texts({f"t{k}": body(t) for k, t in enumerate(texts)})


def per_doc(table: pd.DataFrame, **where) -> dict[str, int]:
    mask = np.ones(len(table), dtype=bool)
    for column, value in where.items():
        mask &= (table[column] == value).to_numpy()
    return table[mask].groupby("doc_id").size().to_dict()


def paragraph_starts(corp) -> dict[str, int]:
    """Offset of each paragraph in corpus.texts, from Corpus.paragraphs() (independent of rhetoric)."""
    starts = {}
    for doc_id, paras in corp.paragraphs().groupby("doc_id", sort=False):
        offset = 0
        for unit_id, text in paras["text"].items():
            starts[unit_id] = offset
            offset += len(text) + 1
    return starts


class Spy:
    """Wrap a compiled regex and record the length of every text it is asked to search."""

    def __init__(self, pattern):
        self.pattern, self.lengths, self.calls = pattern, [], 0

    def _record(self, text, *args):
        self.calls += 1
        self.lengths.append(len(text) if not args else (args[1] if len(args) > 1 else len(text)) - args[0])

    def search(self, text, *args):
        self._record(text, *args)
        return self.pattern.search(text, *args)

    def finditer(self, text, *args):
        self._record(text, *args)
        return self.pattern.finditer(text, *args)

    def findall(self, text, *args):
        self._record(text, *args)
        return self.pattern.findall(text, *args)
