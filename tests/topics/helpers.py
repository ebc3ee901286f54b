"""Constructed topic corpora shared by the tests of corpus_tools.topics.

Small corpora with a known topic structure (an agriculture and an education vocabulary,
optionally a third), built as Tokens so that no segmenter is needed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from corpus_tools.tokens import Tokens
from corpus_tools.units import unit_id
from corpus_tools.topics.effects import TopicPosterior, estimate_effect

PROJECT_ROOT = Path(__file__).resolve().parents[2]

AGRICULTURE = ["农业", "粮食", "种植", "农民", "耕地", "收成", "农田", "水稻"]
EDUCATION = ["教育", "学校", "学生", "老师", "课堂", "教材", "校园", "考试"]
CULTURE = ["文化", "演出", "剧团", "舞台", "观众", "非遗", "展览", "艺术"]


def tokens_of(vocabularies, *, n_units=15, length=12, seed=0, extra=()) -> Tokens:
    """`n_units` units per vocabulary, each `length` words drawn from it; one doc per vocabulary."""
    generator = np.random.default_rng(seed)
    lists, doc_ids, groups = [], [], []
    for v, vocabulary in enumerate(vocabularies):
        for _ in range(n_units):
            lists.append(list(generator.choice(vocabulary, size=length)) + list(extra))
            doc_ids.append(f"doc{v}")
            groups.append(["甲县", "乙县", "丙县"][v])
    index = pd.Index([unit_id(f"doc{d[-1]}", i) for i, d in enumerate(doc_ids)], name="unit_id")
    docvars = pd.DataFrame({"doc_id": doc_ids, "para_no": np.arange(1, len(index) + 1), "group": groups},
                           index=index)
    return Tokens(tokens=pd.Series(lists, index=index, dtype=object), docvars=docvars, unit="paragraph")


LABELS2 = pd.Series(["1 红色·资源", "2 乡村·振兴"], index=pd.RangeIndex(1, 3, name="topic"))


def posterior(theta: np.ndarray, groups, *, certainty: float, tokens=None, doc_ids=None, **docvars) -> TopicPosterior:
    """A hand-made posterior: Dirichlet(certainty · θ) per unit, one unit per document unless `doc_ids`."""
    n = len(theta)
    frame = pd.DataFrame({"doc_id": doc_ids if doc_ids is not None else [f"d{i:03d}" for i in range(n)],
                          "district": groups, **docvars})
    return TopicPosterior(gamma=certainty * np.asarray(theta, dtype=float),
                          unit_tokens=np.full(n, 50.0) if tokens is None else np.asarray(tokens, dtype=float),
                          docvars=frame, labels=LABELS2 if theta.shape[1] == 2 else
                          pd.Series([str(i) for i in range(1, theta.shape[1] + 1)], index=range(1, theta.shape[1] + 1)))


def effects_table_of_three_topics() -> pd.DataFrame:
    """An estimate_effect table: 甲县 and 乙县 (15 documents each) lean to topics 1 and 2, 丙县 has 2; topic 3 not robust."""
    generator = np.random.default_rng(12)
    groups = ["甲县"] * 15 + ["乙县"] * 15 + ["丙县"] * 2
    mixes = {"甲县": [6, 2, 2], "乙县": [2, 6, 2], "丙县": [3, 3, 3]}
    theta = np.array([generator.dirichlet(mixes[g]) for g in groups])
    stab = pd.DataFrame({"topic": [1, 2, 3], "robust": [True, True, False]})
    return estimate_effect(posterior(theta, groups, certainty=100.0), by="district", stability=stab, random_state=0)


def farming_topic(model) -> int:
    """The topic (1..K) that holds most of the agriculture vocabulary."""
    terms = np.asarray(model.corpus.dtm.terms)
    farm = np.isin(terms, AGRICULTURE)
    return int(np.argmax(model.phi[:, farm].sum(axis=1))) + 1
